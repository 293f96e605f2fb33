//! Batching the real MNIST test split: order, counts, shapes and values.

mod common;

use std::collections::HashSet;

use sinapse_datasets::{BatchConfig, Batches, DataSource, Dataset, ImageLayout, Mnist, Split, Subset};

fn test_split() -> Dataset {
    // In memory: no cache needed, and the test split decodes in milliseconds.
    Mnist::load(Split::Test, &DataSource::only(common::repo_mnist())).unwrap()
}

fn epoch_indices(batches: &Batches<'_>, epoch: u64) -> Vec<usize> {
    batches.epoch(epoch).flat_map(|b| b.indices).collect()
}

#[test]
fn shuffling_is_reproducible_and_changes_every_epoch() {
    let data = test_split();
    let cfg = BatchConfig::new(1000).shuffled(7);
    let a = Batches::new(&data, cfg).unwrap();
    let b = Batches::new(&data, cfg).unwrap();
    let e0 = epoch_indices(&a, 0);
    assert_eq!(e0, epoch_indices(&b, 0), "same seed, same epoch, same order");
    assert_eq!(epoch_indices(&a, 3), epoch_indices(&b, 3), "epochs replay independently");
    assert_ne!(e0, epoch_indices(&a, 1), "epochs differ");
    let other = Batches::new(&data, BatchConfig::new(1000).shuffled(8)).unwrap();
    assert_ne!(e0, epoch_indices(&other, 0), "seeds differ");
    assert_ne!(e0, (0..data.len()).collect::<Vec<_>>(), "actually shuffled");
    let plain = Batches::new(&data, BatchConfig::new(1000)).unwrap();
    assert_eq!(epoch_indices(&plain, 5), (0..data.len()).collect::<Vec<_>>());
}

#[test]
fn each_epoch_visits_every_index_once() {
    let data = test_split();
    let batches = Batches::new(&data, BatchConfig::new(333).shuffled(1)).unwrap();
    for epoch in 0..3 {
        let mut seen = epoch_indices(&batches, epoch);
        seen.sort_unstable();
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
    }
}

#[test]
fn batch_counts_with_and_without_drop_last() {
    let data = test_split();
    let sizes = |cfg: BatchConfig| {
        let b = Batches::new(&data, cfg).unwrap();
        let sizes: Vec<usize> = b.epoch(0).map(|b| b.len()).collect();
        assert_eq!(sizes.len(), b.len());
        assert_eq!(b.epoch(0).len(), b.len());
        sizes
    };
    let keep = sizes(BatchConfig::new(64));
    assert_eq!(keep.len(), 157);
    assert!(keep[..156].iter().all(|&s| s == 64));
    assert_eq!(keep[156], 16);
    let drop = sizes(BatchConfig::new(64).drop_last(true).shuffled(3));
    assert_eq!(drop, vec![64; 156]);
    // Exact multiple: nothing to drop.
    assert_eq!(sizes(BatchConfig::new(1000).drop_last(true)).len(), 10);
    // Larger than the data with drop_last: no batch at all.
    assert!(Batches::new(&data, BatchConfig::new(20_000).drop_last(true)).unwrap().is_empty());
    assert!(Batches::new(&data, BatchConfig::new(0)).is_err());
}

#[test]
fn stochastic_minibatch_and_full_batch() {
    let data = test_split();
    let sgd = Batches::new(&data, BatchConfig::new(1).shuffled(0)).unwrap();
    assert_eq!(sgd.len(), 10_000);
    let first = sgd.epoch(0).next().unwrap();
    assert_eq!(first.images.shape(), &[1, 784]);
    assert_eq!(first.one_hot.shape(), &[1, 10]);
    let full = Batches::new(&data, BatchConfig::full(data.len())).unwrap();
    let all: Vec<_> = full.epoch(0).collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].images.shape(), &[10_000, 784]);
    // The full batch goes through the parallel path: check it end to end.
    let x = all[0].images.as_slice().unwrap();
    for i in [0, 4321, 9999] {
        for (j, &p) in data.image(i).iter().enumerate() {
            assert_eq!(x[i * 784 + j], p as f32 / 255.0);
        }
    }
}

#[test]
fn pixels_are_scaled_exactly_and_one_hot_matches_labels() {
    let data = test_split();
    let batches = Batches::new(&data, BatchConfig::new(50).shuffled(11)).unwrap();
    let batch = batches.epoch(2).next().unwrap();
    assert_eq!(batch.images.shape(), &[50, 784]);
    let x = batch.images.to_vec();
    let y = batch.one_hot.to_vec();
    for (r, &i) in batch.indices.iter().enumerate() {
        for (j, &p) in data.image(i).iter().enumerate() {
            assert_eq!(x[r * 784 + j].to_bits(), (p as f32 / 255.0).to_bits());
        }
        assert_eq!(batch.labels[r], data.label(i) as usize);
        let row = &y[r * 10..(r + 1) * 10];
        for (k, &v) in row.iter().enumerate() {
            assert_eq!(v, if k == batch.labels[r] { 1.0 } else { 0.0 });
        }
    }
    assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert!(x.contains(&1.0), "255 maps to exactly 1.0");
}

#[test]
fn nchw_holds_the_same_values_as_flat() {
    let data = test_split();
    let flat = Batches::new(&data, BatchConfig::new(8).shuffled(5)).unwrap();
    let nchw = Batches::new(&data, BatchConfig::new(8).shuffled(5).layout(ImageLayout::Nchw)).unwrap();
    let (a, b) = (flat.epoch(0).next().unwrap(), nchw.epoch(0).next().unwrap());
    assert_eq!(b.images.shape(), &[8, 1, 28, 28]);
    assert_eq!(a.images.to_vec(), b.images.to_vec());
    assert_eq!(a.indices, b.indices);
}

#[test]
fn splits_are_disjoint_views() {
    let data = test_split();
    let (train, valid) = data.split_last(2_000).unwrap();
    assert_eq!((train.len(), valid.len()), (8_000, 2_000));
    assert_eq!(valid.index(0), 8_000);
    assert_eq!(valid.image(0), data.image(8_000));
    assert!(std::ptr::eq(valid.image(0), data.image(8_000)), "a view, not a copy");
    assert!(data.split_last(10_001).is_err());

    let (t, v) = data.split_seeded(2_500, 99).unwrap();
    let (t2, v2) = data.split_seeded(2_500, 99).unwrap();
    assert_eq!(v.indices(), v2.indices());
    assert_eq!(t.indices(), t2.indices());
    let tv: HashSet<usize> = t.indices().into_iter().chain(v.indices()).collect();
    assert_eq!((t.len(), v.len(), tv.len()), (7_500, 2_500, 10_000));
    assert_ne!(v.indices(), data.split_seeded(2_500, 100).unwrap().1.indices());

    // Batches over a view only visit that view.
    let b = Batches::new(v.clone(), BatchConfig::new(100).shuffled(1)).unwrap();
    let mut seen: Vec<usize> = b.epoch(0).flat_map(|b| b.indices).collect();
    seen.sort_unstable();
    assert_eq!(seen, v.indices());
    assert!(Subset::from_indices(&data, vec![10_000]).is_err());
    assert!(Subset::from_range(&data, 5..10_001).is_err());
}

#[test]
fn batch_all_for_evaluation() {
    let data = test_split();
    let (_, valid) = data.split_last(100).unwrap();
    let batch = valid.batch_all(ImageLayout::Nchw);
    assert_eq!(batch.images.shape(), &[100, 1, 28, 28]);
    assert_eq!(batch.indices, (9_900..10_000).collect::<Vec<_>>());
}
