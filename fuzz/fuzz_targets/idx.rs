//! Any bytes, read as a raw IDX file and as a gzipped one, through every
//! byte-level entry point: errors are fine, panics, hangs and huge
//! allocations are not.
#![no_main]

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

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Ok(raw) = decompress_idx(data) {
        assert!(IdxFile::parse(&raw).is_ok(), "decompress_idx returns a valid file");
        check(&raw);
    }
});
