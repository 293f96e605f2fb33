//! The data used is the data named: a folder given explicitly is read (and
//! only it), the cache answers only for the exact compressed bytes it was
//! made from, and every load says which files it read.

mod common;

use std::path::Path;

use common::{gzip, idx, raw_mnist, repo_mnist};
use sinapse_datasets::{DataSource, DatasetError, FashionMnist, Mnist, PlaceKind, Split};

const IMAGES: &str = "t10k-images-idx3-ubyte";
const LABELS: &str = "t10k-labels-idx1-ubyte";

/// A folder holding copies of the shipped, gzipped MNIST test split.
fn copy_of_shipped_test_split() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in [IMAGES, LABELS] {
        let gz = format!("{name}.gz");
        std::fs::copy(repo_mnist().join(&gz), dir.path().join(&gz)).unwrap();
    }
    dir
}

fn named(dir: &Path, cache: &Path) -> DataSource {
    DataSource::dir(dir).with_cache(Some(cache.to_path_buf()))
}

#[test]
fn a_corrupt_gz_is_read_even_when_the_cache_is_warm() {
    let dir = copy_of_shipped_test_split();
    let cache = tempfile::tempdir().unwrap();
    let src = named(dir.path(), cache.path());
    Mnist::load(Split::Test, &src).expect("the intact copy loads and warms the cache");

    // Eight bytes overwritten in the middle of the compressed labels.
    let gz = dir.path().join(format!("{LABELS}.gz"));
    let mut bytes = std::fs::read(&gz).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 8].copy_from_slice(b"CORRUPT!");
    std::fs::write(&gz, &bytes).unwrap();

    let e = Mnist::load(Split::Test, &src).expect_err("a corrupt file must not be answered by the cache");
    assert!(matches!(e, DatasetError::Gzip { .. } | DatasetError::ChecksumMismatch { .. }), "{e:?}");
    assert!(e.to_string().contains(&gz.display().to_string()), "{e}");
}

#[test]
fn mnist_files_passed_as_fashion_mnist_fail_their_checksum() {
    let dir = copy_of_shipped_test_split();
    let cache = tempfile::tempdir().unwrap();
    let e = FashionMnist::load(Split::Test, &named(dir.path(), cache.path())).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, DatasetError::ChecksumMismatch { .. }), "{e:?}");
    assert!(msg.contains("not the Fashion-MNIST test"), "{msg}");
}

#[test]
fn an_empty_named_folder_is_an_error_not_a_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let e = Mnist::load(Split::Test, &named(dir.path(), cache.path())).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, DatasetError::NotFound { .. }), "{e:?}");
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(msg.contains("no t10k-images-idx3-ubyte nor t10k-labels-idx1-ubyte"), "{msg}");
}

#[test]
fn a_folder_or_fifo_where_a_file_should_be_is_named_and_never_opened() {
    let dir = copy_of_shipped_test_split();
    let cache = tempfile::tempdir().unwrap();
    std::fs::remove_file(dir.path().join(format!("{LABELS}.gz"))).unwrap();
    std::fs::create_dir(dir.path().join(LABELS)).unwrap();
    let msg = Mnist::load(Split::Test, &named(dir.path(), cache.path())).unwrap_err().to_string();
    assert!(msg.contains(&format!("{} is a folder, not a regular file", dir.path().join(LABELS).display())), "{msg}");

    // A FIFO: opening it would wait for a writer for ever.
    std::fs::remove_dir(dir.path().join(LABELS)).unwrap();
    let fifo = dir.path().join(LABELS);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let msg = Mnist::load(Split::Test, &named(dir.path(), cache.path())).unwrap_err().to_string();
    assert!(msg.contains(&format!("{} is a FIFO, not a regular file", fifo.display())), "{msg}");
}

#[test]
fn a_count_mismatch_is_reported_as_such_not_as_a_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(IMAGES), raw_mnist(IMAGES)).unwrap();
    // A well-formed labels file one label short, gzipped.
    let labels = raw_mnist(LABELS);
    let short = idx(&[9_999], &labels[8..8 + 9_999]);
    std::fs::write(dir.path().join(format!("{LABELS}.gz")), gzip(&short)).unwrap();
    let e = Mnist::load(Split::Test, &named(dir.path(), cache.path())).unwrap_err();
    assert!(matches!(e, DatasetError::CountMismatch { n_images: 10_000, n_labels: 9_999, .. }), "{e:?}");
    assert!(e.to_string().contains("holds 10000 images but"), "{e}");
}

#[test]
fn every_load_says_which_files_it_read() {
    let cache = tempfile::tempdir().unwrap();
    let src = DataSource { explicit: None, env_root: None, ..DataSource::standard() }
        .with_cache(Some(cache.path().to_path_buf()));
    let test = Mnist::load(Split::Test, &src).unwrap();
    let p = test.provenance().expect("a known data set records its provenance");
    assert_eq!(p.place.kind, PlaceKind::Repository);
    assert_eq!(p.images, repo_mnist().join(format!("{IMAGES}.gz")));
    assert_eq!(p.labels, repo_mnist().join(format!("{LABELS}.gz")));
    assert!(p.verified);
    let line = p.to_string();
    assert!(line.contains("the repository's copy") && line.contains("SHA-256 verified"), "{line}");
    // Served from the decompressed copy kept under the compressed file's hash.
    let served = test.images().path();
    assert!(served.starts_with(cache.path().join("mnist").join("gunzipped")), "{served:?}");
}
