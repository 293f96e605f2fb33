//! Helpers shared by the integration tests: building IDX files and raw
//! copies of the shipped MNIST.
#![allow(dead_code)] // each test binary uses a different part

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

/// The shipped, gzipped MNIST.
pub fn repo_mnist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("mnist")
}

/// The decompressed bytes of a shipped MNIST file, e.g. "t10k-labels-idx1-ubyte".
pub fn raw_mnist(name: &str) -> Vec<u8> {
    let gz = std::fs::read(repo_mnist().join(format!("{name}.gz"))).unwrap();
    let mut out = Vec::new();
    GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
    out
}

/// Writes raw copies of the MNIST test split into `dir`.
pub fn write_raw_test_split(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
        std::fs::write(dir.join(name), raw_mnist(name)).unwrap();
    }
}

/// Gzips `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// An IDX u8 file with the given dimensions and `payload` bytes of data
/// (which need not match the dimensions).
pub fn idx(dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        v.extend_from_slice(&d.to_be_bytes());
    }
    v.extend_from_slice(payload);
    v
}
