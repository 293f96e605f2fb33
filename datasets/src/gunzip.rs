//! Streaming decompression of a gzipped IDX file with validation on the fly.
//!
//! The header is decoded and checked first; then exactly the number of bytes
//! it announces is copied, hashing as it goes. Nothing is sized from the
//! header up front, so a lying header (or a gzip bomb) costs at most what the
//! stream really contains, capped by [`MAX_PAYLOAD`].

use std::io::{self, Read, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use crate::error::{DatasetError, Result};
use crate::idx::{IdxError, IdxHeader, MAX_DIMS, MAX_PAYLOAD};

/// What a successful decode learned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decoded {
    /// SHA-256 of the whole decompressed file, header included.
    pub sha256: [u8; 32],
}

/// Decompresses the gzipped IDX stream `input` (read from `path`, named in
/// errors) into `out`. When `expected_len` is given and the header announces
/// a different total length, the data is hashed but not written, so a caller
/// expecting a known file never stores a wrong one.
pub(crate) fn gunzip_idx(
    path: &Path,
    input: impl Read,
    out: &mut impl Write,
    expected_len: Option<u64>,
) -> Result<Decoded> {
    let mut gz = MultiGzDecoder::new(io::BufReader::with_capacity(1 << 16, input));
    let mut hasher = Sha256::new();

    // The fixed part of the header, then the dimensions it announces.
    let mut head = [0u8; 4 + 4 * MAX_DIMS];
    let got = read_full(path, &mut gz, &mut head[..4])?;
    let needed = match IdxHeader::parse_prefix(&head[..got]) {
        Err(IdxError::HeaderTruncated { needed, .. }) if got == 4 => needed,
        Err(e) => return Err(DatasetError::idx(path, e)),
        Ok(h) => h.header_len(),
    };
    let got = 4 + read_full(path, &mut gz, &mut head[4..needed])?;
    let header = IdxHeader::parse_prefix(&head[..got]).map_err(|e| DatasetError::idx(path, e))?;
    let total = header.total_len();
    let written = expected_len.is_none_or(|len| len == total);
    let mut sink = io::sink();
    let out: &mut dyn Write = if written { out } else { &mut sink };

    hasher.update(&head[..needed]);
    out.write_all(&head[..needed]).map_err(|e| DatasetError::io(path, "write the decompressed copy of", e))?;
    let mut remaining = total - needed as u64;
    let mut buf = vec![0u8; 1 << 16];
    while remaining > 0 {
        let want = remaining.min(buf.len() as u64) as usize;
        let n = read_some(path, &mut gz, &mut buf[..want])?;
        if n == 0 {
            return Err(DatasetError::idx(
                path,
                IdxError::Truncated { dims: header.dims().to_vec(), expected: total, actual: total - remaining },
            ));
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| DatasetError::io(path, "write the decompressed copy of", e))?;
        remaining -= n as u64;
    }
    // Anything after the announced payload means the header lies.
    let extra = io::copy(&mut (&mut gz).take(MAX_PAYLOAD), &mut io::sink())
        .map_err(|e| DatasetError::Gzip { path: path.into(), source: e })?;
    if extra > 0 {
        return Err(DatasetError::idx(
            path,
            IdxError::TrailingBytes { dims: header.dims().to_vec(), expected: total, extra },
        ));
    }
    Ok(Decoded { sha256: hasher.finalize().into() })
}

/// Decompresses a gzipped IDX file held in memory, with the same checks as
/// when loading from disk: a valid header, exactly as many bytes as it
/// announces, nothing after them, and at most [`MAX_PAYLOAD`] bytes. Returns
/// the raw IDX bytes, ready for [`crate::IdxFile::parse`].
pub fn decompress_idx(gz: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    gunzip_idx(Path::new("<memory>"), gz, &mut out, None)?;
    Ok(out)
}

/// Reads until `buf` is full or the stream ends; returns the count read.
fn read_full(path: &Path, r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match read_some(path, r, &mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// One read, retrying on interruption; decoder failures become gzip errors.
fn read_some(path: &Path, r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(DatasetError::Gzip { path: path.into(), source: e }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn idx(n: u32) -> Vec<u8> {
        let mut v = vec![0, 0, 8, 1];
        v.extend_from_slice(&n.to_be_bytes());
        v.extend((0..n).map(|i| i as u8));
        v
    }

    #[test]
    fn round_trips_and_hashes() {
        let raw = idx(1000);
        let mut out = Vec::new();
        let d = gunzip_idx(Path::new("x.gz"), &gz(&raw)[..], &mut out, None).unwrap();
        assert_eq!(out, raw);
        assert_eq!(d.sha256, crate::cache::sha256(&raw));
    }

    #[test]
    fn wrong_length_is_hashed_not_written() {
        let raw = idx(10);
        let mut out = Vec::new();
        let d = gunzip_idx(Path::new("x.gz"), &gz(&raw)[..], &mut out, Some(99)).unwrap();
        assert!(out.is_empty());
        assert_eq!(d.sha256, crate::cache::sha256(&raw));
    }

    #[test]
    fn lying_headers_are_caught() {
        let mut raw = idx(10);
        raw.truncate(15);
        let e = gunzip_idx(Path::new("x.gz"), &gz(&raw)[..], &mut io::sink(), None).unwrap_err();
        assert!(e.to_string().starts_with("x.gz: truncated"), "{e}");
        let mut raw = idx(10);
        raw.push(1);
        let e = gunzip_idx(Path::new("x.gz"), &gz(&raw)[..], &mut io::sink(), None).unwrap_err();
        assert!(e.to_string().contains("1 trailing bytes"), "{e}");
        let e = gunzip_idx(Path::new("x.gz"), &gz(&[0, 0])[..], &mut io::sink(), None).unwrap_err();
        assert!(e.to_string().contains("header truncated"), "{e}");
        let e = gunzip_idx(Path::new("x.gz"), &b"not gzip at all"[..], &mut io::sink(), None).unwrap_err();
        assert!(e.to_string().contains("corrupt gzip"), "{e}");
    }
}
