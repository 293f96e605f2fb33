//! One full training step (forward, loss, backward, SGD update) of each of
//! the examples' recipes on a real MNIST batch, plus a data-loader epoch.
//!
//! These are the per-step costs behind the examples' epoch times: an epoch
//! of the perceptron or the MLP is 938 steps of batch 64, an epoch of the CNN
//! 469 steps of batch 128.

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sinapse_benches::TrainingStep;
use sinapse_datasets::{BatchConfig, Batches, DataSource, Mnist, Split};
use sinapse_examples::models::Arch;
use sinapse_examples::programs::{cnn, mlp, perceptron};

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    for recipe in [perceptron::RECIPE, mlp::RECIPE, cnn::RECIPE] {
        let mut step = TrainingStep::new(&recipe).expect("MNIST ships with the repository");
        // A CNN step takes tens of milliseconds: fewer samples keep the run short.
        group.sample_size(if recipe.arch == Arch::Cnn { 10 } else { 30 });
        let name = format!("{}_b{}", recipe.arch.name(), recipe.defaults.batch_size);
        group.bench_function(name, |b| b.iter(|| step.run()));
    }
    group.finish();
}

fn loader(c: &mut Criterion) {
    let train = Mnist::load(Split::Train, &DataSource::standard()).expect("MNIST ships with the repository");
    let mut group = c.benchmark_group("data_loader");
    group.sample_size(10);
    group.throughput(Throughput::Elements(train.len() as u64));
    let batches = Batches::new(&train, BatchConfig::new(64).shuffled(1)).expect("valid config");
    group.bench_function("mnist_epoch_b64_flat", |b| {
        b.iter(|| {
            for batch in batches.epoch(0) {
                black_box(batch);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, steps, loader);
criterion_main!(benches);
