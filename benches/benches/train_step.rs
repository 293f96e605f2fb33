//! One full training step (forward, loss, backward, SGD update) of each of
//! the examples' recipes on a real MNIST batch, plus a data-loader epoch.
//!
//! These are the per-step costs behind the examples' epoch times: an epoch
//! of the perceptron or the MLP is 938 steps of batch 64, an epoch of the CNN
//! 469 steps of batch 128.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sinapse_autograd::Var;
use sinapse_benches::first_batch;
use sinapse_datasets::{Batch, BatchConfig, Batches, DataSource, Mnist, Split};
use sinapse_examples::models::Arch;
use sinapse_examples::train::Recipe;
use sinapse_nn::Module;
use sinapse_optim::{Optimizer, Sgd};

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    for recipe in [Recipe::perceptron(), Recipe::mlp(), Recipe::cnn()] {
        let batch_size = recipe.defaults.batch_size;
        let Batch { images, one_hot, .. } =
            first_batch(batch_size, recipe.arch.layout()).expect("MNIST ships with the repository");
        let mut model = recipe.arch.build(0);
        let mut opt = Sgd::new(recipe.defaults.lr).momentum(recipe.momentum);
        let loss = recipe.arch.loss();
        // A CNN step takes tens of milliseconds: fewer samples keep the run short.
        group.sample_size(if recipe.arch == Arch::Cnn { 10 } else { 30 });
        group.bench_function(format!("{}_b{batch_size}", recipe.arch.name()), |b| {
            b.iter(|| {
                let out = model.forward(&Var::constant(images.clone()));
                let grads = loss.compute(&out, &one_hot).backward();
                opt.step(&mut model, &grads);
            })
        });
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
