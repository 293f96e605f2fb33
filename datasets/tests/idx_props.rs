//! Hostile input never panics, hangs or allocates wildly: random bytes,
//! truncated and mutated headers, through every entry point (byte slices,
//! gzip streams, files on disk).

mod common;

use proptest::prelude::*;
use sinapse_datasets::{DataSource, Dataset, IdxError, IdxFile, IdxImages, IdxLabels, Mnist, Split};

/// A valid IDX u8 file of random small shape and contents.
fn valid_file() -> impl Strategy<Value = (Vec<u32>, Vec<u8>)> {
    prop::collection::vec(0u32..6, 1..=4).prop_flat_map(|dims| {
        let n: u32 = dims.iter().product();
        (Just(dims), prop::collection::vec(any::<u8>(), n as usize))
    })
}

/// A header of any rank with any dimensions (possibly huge), then a short payload.
fn wild_header() -> impl Strategy<Value = Vec<u8>> {
    (any::<[u8; 4]>(), prop::collection::vec(any::<u32>(), 0..6), prop::collection::vec(any::<u8>(), 0..64)).prop_map(
        |(mut head, dims, payload)| {
            // Mostly well-formed magic/type so the dimension checks are reached.
            if head[0] < 200 {
                head[0] = 0;
                head[1] = 0;
                head[2] = 8;
                head[3] = dims.len() as u8;
            }
            let mut v = head.to_vec();
            dims.iter().for_each(|d| v.extend_from_slice(&d.to_be_bytes()));
            v.extend(payload);
            v
        },
    )
}

/// Every entry point on `bytes`: none may panic; results must agree.
fn check_all(bytes: &[u8]) {
    let parsed = IdxFile::parse(bytes);
    if let Ok(f) = &parsed {
        assert_eq!(f.header().total_len(), bytes.len() as u64);
        assert_eq!(f.data().len() as u64, f.header().payload_len());
    }
    let images = IdxImages::from_bytes(bytes.to_vec());
    let labels = IdxLabels::from_bytes(bytes.to_vec(), 10);
    if parsed.is_err() {
        assert!(images.is_err() && labels.is_err());
    }
    if let Ok(images) = images {
        for i in 0..images.len().min(3) {
            assert_eq!(images.image(i).len(), images.pixels());
        }
        assert!(images.get(images.len()).is_none());
    }
    // The same bytes gzipped, through the streaming decoder.
    let dir = tempfile::tempdir().unwrap();
    let (gz, raw) = (dir.path().join("x.gz"), dir.path().join("y"));
    std::fs::write(&gz, common::gzip(bytes)).unwrap();
    std::fs::write(&raw, bytes).unwrap();
    let _ = Dataset::open(&gz, &raw, 10);
    let _ = Dataset::open(&raw, &gz, 256);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check_all(&bytes);
    }

    #[test]
    fn wild_headers_never_panic(bytes in wild_header()) {
        check_all(&bytes);
    }

    #[test]
    fn valid_files_round_trip((dims, data) in valid_file()) {
        let bytes = common::idx(&dims, &data);
        let f = IdxFile::parse(&bytes).unwrap();
        let dims_usize: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
        prop_assert_eq!(f.dims(), &dims_usize[..]);
        prop_assert_eq!(f.data(), &data[..]);
    }

    #[test]
    fn every_truncation_is_an_error((dims, data) in valid_file(), cut in any::<prop::sample::Index>()) {
        let bytes = common::idx(&dims, &data);
        let len = cut.index(bytes.len());
        let e = IdxFile::parse(&bytes[..len]).unwrap_err();
        let header_len = 4 + 4 * dims.len();
        if len < header_len {
            prop_assert!(matches!(e, IdxError::HeaderTruncated { .. }), "{e}");
        } else {
            prop_assert!(matches!(e, IdxError::Truncated { .. }), "{e}");
        }
        check_all(&bytes[..len]);
    }

    #[test]
    fn mutated_headers_never_panic((dims, data) in valid_file(), at in 0usize..20, value in any::<u8>()) {
        let mut bytes = common::idx(&dims, &data);
        let at = at.min(bytes.len() - 1);
        bytes[at] = value;
        check_all(&bytes);
    }
}

proptest! {
    // Files named as real MNIST go through mapping and checksum too; fewer
    // cases since each one touches the disk a few times.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bad_files_on_disk_are_errors(images in wild_header(), labels in wild_header(), gz in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let suffix = if gz { ".gz" } else { "" };
        let write = |name: &str, bytes: &[u8]| {
            let bytes = if gz { common::gzip(bytes) } else { bytes.to_vec() };
            std::fs::write(dir.path().join(format!("{name}{suffix}")), bytes).unwrap();
        };
        write("t10k-images-idx3-ubyte", &images);
        write("t10k-labels-idx1-ubyte", &labels);
        let cache = tempfile::tempdir().unwrap();
        let src = DataSource::only(dir.path()).with_cache(Some(cache.path().to_path_buf()));
        prop_assert!(Mnist::load(Split::Test, &src).is_err());
    }
}
