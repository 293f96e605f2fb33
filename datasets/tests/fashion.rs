//! Fashion-MNIST from Debian's `dataset-fashion-mnist` package. Skipped (with
//! a note) when the package is not installed, unless SINAPSE_REQUIRE_FASHION=1
//! makes its absence a failure, as in CI.

use sinapse_datasets::{DataSource, DatasetError, DatasetKind, FashionMnist, Split};

fn load(split: Split, cache: &std::path::Path) -> Option<sinapse_datasets::Dataset> {
    let src = DataSource { explicit: None, ..DataSource::standard() }.with_cache(Some(cache.to_path_buf()));
    match FashionMnist::load(split, &src) {
        Ok(d) => Some(d),
        Err(e @ DatasetError::NotFound { .. }) => {
            if std::env::var("SINAPSE_REQUIRE_FASHION").is_ok_and(|v| v == "1") {
                panic!("SINAPSE_REQUIRE_FASHION=1 but Fashion-MNIST is missing: {e}");
            }
            eprintln!("skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
            None
        }
        Err(e) => panic!("Fashion-MNIST is present but does not load: {e}"),
    }
}

#[test]
fn fashion_mnist_loads_like_mnist() {
    let cache = tempfile::tempdir().unwrap();
    let Some(train) = load(Split::Train, cache.path()) else { return };
    assert_eq!(train.len(), 60_000);
    assert_eq!((train.images().rows(), train.images().cols()), (28, 28));
    assert_eq!(train.labels().histogram(10), vec![6000; 10]);
    assert_eq!(train.kind(), Some(DatasetKind::FashionMnist));
    assert!(train.images().is_mapped());
    // The first training picture is an ankle boot.
    assert_eq!(DatasetKind::FashionMnist.class_names()[train.label(0) as usize], "Ankle boot");
    let test = load(Split::Test, cache.path()).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(test.labels().histogram(10), vec![1000; 10]);
}
