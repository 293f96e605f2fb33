//! Any bytes through every byte-level entry point: errors are fine, panics,
//! hangs and huge allocations are not.
//!
//! The first byte picks how the rest is read: as a raw IDX file, as a gzip
//! stream, or gzipped here first so the streaming decoder's header and length
//! checks see well-formed gzip around arbitrary IDX bytes (random input is
//! almost never valid gzip by itself).
#![no_main]

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;
use sinapse_datasets::{decompress_idx, IdxFile, IdxImages, IdxLabels};

fn check(bytes: &[u8]) {
    if let Ok(file) = IdxFile::parse(bytes) {
        assert_eq!(file.header().total_len(), bytes.len() as u64);
        let _ = file.as_images();
        let _ = file.as_labels(10);
    }
    if let Ok(images) = IdxImages::from_bytes(bytes.to_vec()) {
        if !images.is_empty() {
            assert_eq!(images.image(images.len() - 1).len(), images.pixels());
        }
    }
    if let Ok(labels) = IdxLabels::from_bytes(bytes.to_vec(), 10) {
        assert!(labels.as_slice().iter().all(|&l| l < 10));
    }
}

fn check_gzip(gz: &[u8], original: Option<&[u8]>) {
    match decompress_idx(gz) {
        Ok(raw) => {
            assert!(IdxFile::parse(&raw).is_ok(), "decompress_idx returns a valid file");
            if let Some(original) = original {
                assert_eq!(raw, original);
            }
            check(&raw);
        }
        Err(_) => {
            // A stream that is a valid file must decode.
            if let Some(original) = original {
                assert!(IdxFile::parse(original).is_err());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => check(rest),
        1 => check_gzip(rest, None),
        _ => {
            let mut e = GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(rest).expect("writing to a Vec");
            check_gzip(&e.finish().expect("writing to a Vec"), Some(rest));
        }
    }
});
