//! Every kind of bad file gives its own error, naming the file and saying
//! what is wrong. The tests assert the messages a user would read.

mod common;

use std::path::Path;

use common::{gzip, idx, raw_mnist};
use sinapse_datasets::{DataSource, Dataset, DatasetError, IdxError, Mnist, Split};

const IMAGES: &str = "t10k-images-idx3-ubyte";
const LABELS: &str = "t10k-labels-idx1-ubyte";

/// Loads the MNIST test split from `dir` alone, whose labels file is the real
/// one and whose images file is `images` (written under `name`).
fn load_with_images(dir: &Path, name: &str, images: &[u8]) -> DatasetError {
    std::fs::write(dir.join(name), images).unwrap();
    std::fs::write(dir.join(LABELS), raw_mnist(LABELS)).unwrap();
    Mnist::load(Split::Test, &DataSource::only(dir)).unwrap_err()
}

#[test]
fn wrong_magic() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = raw_mnist(IMAGES);
    bytes[0] = 0x12;
    let e = load_with_images(dir.path(), IMAGES, &bytes);
    let path = dir.path().join(IMAGES);
    assert_eq!(e.to_string(), format!("{}: bad magic [12, 00]: an IDX file starts with 00 00", path.display()));
    assert!(matches!(e, DatasetError::Idx { source: IdxError::BadMagic { .. }, .. }));
}

#[test]
fn gzipped_file_without_gz_suffix() {
    let dir = tempfile::tempdir().unwrap();
    let e = load_with_images(dir.path(), IMAGES, &gzip(&raw_mnist(IMAGES)));
    assert!(e.to_string().ends_with("(this looks gzipped: name it with a .gz suffix)"), "{e}");
}

#[test]
fn truncated_data() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = raw_mnist(IMAGES);
    let e = load_with_images(dir.path(), IMAGES, &bytes[..bytes.len() - 100]);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: truncated: dimensions [10000, 28, 28] need 7840016 bytes in all, the file has 7839916",
            dir.path().join(IMAGES).display()
        )
    );
}

#[test]
fn truncated_gzip_stream() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&raw_mnist(IMAGES));
    let e = load_with_images(dir.path(), &format!("{IMAGES}.gz"), &gz[..gz.len() / 2]);
    let msg = e.to_string();
    let path = dir.path().join(format!("{IMAGES}.gz"));
    assert!(msg.starts_with(&format!("{}: ", path.display())), "{msg}");
    // Depending on where the cut falls the decoder reports a short stream
    // either as corrupt gzip or as fewer bytes than the header announces.
    assert!(msg.contains("corrupt gzip data") || msg.contains("truncated"), "{msg}");
}

#[test]
fn dimensions_larger_than_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = load_with_images(dir.path(), IMAGES, &idx(&[20_000, 28, 28], &[0; 100]));
    assert!(
        e.to_string().ends_with("truncated: dimensions [20000, 28, 28] need 15680016 bytes in all, the file has 116"),
        "{e}"
    );
    let e = load_with_images(dir.path(), IMAGES, &idx(&[u32::MAX, 65_535, 65_535], &[]));
    assert!(
        e.to_string().ends_with("dimensions [4294967295, 65535, 65535] describe more than 4294967296 bytes"),
        "{e}"
    );
}

#[test]
fn trailing_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = raw_mnist(IMAGES);
    bytes.extend_from_slice(&[0; 7]);
    let e = load_with_images(dir.path(), IMAGES, &bytes);
    assert!(
        e.to_string().ends_with("7 trailing bytes after the 7840016 bytes that dimensions [10000, 28, 28] describe"),
        "{e}"
    );
}

#[test]
fn wrong_element_type_and_rank() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = idx(&[2, 2], &[0; 4]);
    bytes[2] = 0x0C;
    let e = load_with_images(dir.path(), IMAGES, &bytes);
    assert!(e.to_string().ends_with("element type 0x0c (i32) is not supported, only 0x08 (u8)"), "{e}");
    // A well-formed labels file where images are expected.
    let e = load_with_images(dir.path(), IMAGES, &raw_mnist(LABELS));
    assert!(e.to_string().ends_with("1 dimensions where images have 3"), "{e}");
}

#[test]
fn checksum_mismatch_raw_and_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = raw_mnist(IMAGES);
    bytes[5000] ^= 0x40; // one pixel: the structure is still perfect
    let e = load_with_images(dir.path(), IMAGES, &bytes);
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}: SHA-256 mismatch: expected 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7, got ",
            dir.path().join(IMAGES).display()
        )),
        "{msg}"
    );
    assert!(msg.ends_with("(the file is corrupt or not the MNIST test images)"), "{msg}");

    let dir = tempfile::tempdir().unwrap();
    let e = load_with_images(dir.path(), &format!("{IMAGES}.gz"), &gzip(&bytes));
    assert!(matches!(e, DatasetError::ChecksumMismatch { .. }), "{e}");

    // With a cache: the bad file must not be left in it.
    let cache = tempfile::tempdir().unwrap();
    let src = DataSource::only(dir.path()).with_cache(Some(cache.path().to_path_buf()));
    assert!(matches!(Mnist::load(Split::Test, &src), Err(DatasetError::ChecksumMismatch { .. })));
    let left: Vec<_> = walk(cache.path());
    assert!(left.iter().all(|p| !p.ends_with(IMAGES) && !p.to_string_lossy().contains(".partial")), "{left:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn missing_files_list_every_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(LABELS), raw_mnist(LABELS)).unwrap();
    let src = DataSource { env_root: Some(dir.path().join("nowhere")), ..DataSource::only(dir.path()) };
    let e = Mnist::load(Split::Test, &src).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, DatasetError::NotFound { .. }));
    assert!(
        msg.starts_with(
            "MNIST test split (t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, raw or .gz) not found. Looked in:\n"
        ),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("  - {} (Explicit): no t10k-images-idx3-ubyte (raw or .gz)\n", dir.path().display())),
        "{msg}"
    );
    // A named folder is the only place searched: SINAPSE_DATA is not consulted.
    assert!(!msg.contains("nowhere"), "{msg}");
    assert!(msg.contains("To get it: MNIST ships with the repository"), "{msg}");

    let e = sinapse_datasets::FashionMnist::load(Split::Train, &DataSource::only(dir.path())).unwrap_err();
    assert!(e.to_string().contains("apt-get install dataset-fashion-mnist"), "{e}");
}

#[test]
fn unreadable_path_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = Dataset::open(&dir.path().join("nope"), &dir.path().join("nope2"), 10).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}: cannot open: ", dir.path().join("nope").display())), "{e}");
}

#[test]
fn count_mismatch_and_bad_labels() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = (dir.path().join("i"), dir.path().join("l"));
    std::fs::write(&images, idx(&[3, 2, 2], &[0; 12])).unwrap();
    std::fs::write(&labels, idx(&[2], &[1, 2])).unwrap();
    let e = Dataset::open(&images, &labels, 10).unwrap_err();
    assert_eq!(e.to_string(), format!("{} holds 3 images but {} holds 2 labels", images.display(), labels.display()));
    std::fs::write(&labels, idx(&[3], &[1, 2, 12])).unwrap();
    let e = Dataset::open(&images, &labels, 10).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: label 12 at index 2 is not below the 10 classes", labels.display()));
    std::fs::write(&labels, idx(&[3], &[1, 2, 9])).unwrap();
    let gz = dir.path().join("i.gz");
    std::fs::write(&gz, gzip(&idx(&[3, 2, 2], &[7; 12]))).unwrap();
    let d = Dataset::open(&gz, &labels, 10).unwrap();
    assert_eq!((d.len(), d.image(2), d.label(2)), (3, &[7u8; 4][..], 9));
    std::fs::write(&gz, b"\x1f\x8b garbage").unwrap();
    let e = Dataset::open(&gz, &labels, 10).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}: corrupt gzip data", gz.display())), "{e}");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = load_with_images(dir.path(), IMAGES, &[]);
    assert!(e.to_string().ends_with("header truncated: 0 bytes, the header needs 4"), "{e}");
}

#[test]
fn dataset_new_checks_labels_against_its_class_count() {
    use sinapse_datasets::{IdxImages, IdxLabels};
    let images = IdxImages::from_bytes(idx(&[2, 1, 1], &[0, 255])).unwrap();
    let labels = IdxLabels::from_bytes(idx(&[2], &[0, 7]), 10).unwrap();
    let e = Dataset::new(images, labels, 5).unwrap_err();
    assert_eq!(e.to_string(), "<memory>: label 7 at index 1 is not below the 5 classes");
}
