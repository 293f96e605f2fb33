//! MNIST as shipped in the repository: sizes, published label counts, first
//! picture, checksums, and the decompress-once cache.

use sinapse_datasets::{DataSource, DatasetKind, Mnist, PlaceKind, Split};

const TRAIN_COUNTS: [usize; 10] = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS: [usize; 10] = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

/// The repository copy, decompressed into a cache private to this test
/// binary so the tests do not depend on (or write to) the user's cache.
fn source(cache: &std::path::Path) -> DataSource {
    DataSource { explicit: None, env_root: None, ..DataSource::standard() }.with_cache(Some(cache.to_path_buf()))
}

#[test]
fn train_split_matches_the_published_facts() {
    let cache = tempfile::tempdir().unwrap();
    let train = Mnist::load(Split::Train, &source(cache.path())).unwrap();
    assert_eq!(train.len(), 60_000);
    assert_eq!((train.images().rows(), train.images().cols()), (28, 28));
    assert_eq!(train.image(0).len(), 784);
    assert_eq!(train.image(59_999).len(), 784);
    assert_eq!(train.labels().histogram(10), TRAIN_COUNTS);
    assert_eq!(train.label(0), 5, "the first training picture is a 5");
    assert_eq!(train.kind(), Some(DatasetKind::Mnist));
    assert_eq!(train.origin().unwrap().kind, PlaceKind::Repository);
    // Decompressed once into the cache, then served from a memory map.
    assert!(train.images().is_mapped());
    let cached = train.images().path().to_path_buf();
    assert!(
        cached.starts_with(cache.path().join("mnist")) && cached.ends_with("train-images-idx3-ubyte"),
        "{cached:?}"
    );
    assert_eq!(std::fs::metadata(&cached).unwrap().len(), 47_040_016);
    // Every pixel of the first picture is a plausible stroke: some ink,
    // mostly background.
    let ink = train.image(0).iter().filter(|&&p| p > 0).count();
    assert!((100..400).contains(&ink), "{ink} inked pixels");
}

#[test]
fn test_split_matches_the_published_facts_and_reuses_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let src = source(cache.path());
    let test = Mnist::load(Split::Test, &src).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(test.labels().histogram(10), TEST_COUNTS);
    assert_eq!(test.label(0), 7);
    let cached = test.images().path().to_path_buf();
    assert!(cached.starts_with(cache.path()), "{cached:?}");
    let first = std::fs::metadata(&cached).unwrap().modified().unwrap();
    // A second load maps the verified cached copy instead of decompressing.
    let again = Mnist::load(Split::Test, &src).unwrap();
    assert_eq!(std::fs::metadata(&cached).unwrap().modified().unwrap(), first);
    assert_eq!(again.image(1234), test.image(1234));
    // The cache directory holds only finished files, no temporaries.
    let names: Vec<String> = std::fs::read_dir(cached.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".partial")), "{names:?}");
}

#[test]
fn a_damaged_cache_entry_is_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let src = source(cache.path());
    let cached = Mnist::load(Split::Test, &src).unwrap().labels().path().to_path_buf();
    let mut bytes = std::fs::read(&cached).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&cached, &bytes).unwrap();
    let test = Mnist::load(Split::Test, &src).unwrap();
    assert_eq!(test.labels().histogram(10), TEST_COUNTS);
}

#[test]
fn without_a_cache_gzipped_files_decode_in_memory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let test = Mnist::load(Split::Test, &DataSource::only(dir)).unwrap();
    assert!(!test.images().is_mapped());
    assert_eq!(test.labels().histogram(10), TEST_COUNTS);
}
