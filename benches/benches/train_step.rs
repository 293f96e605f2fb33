//! One full training step (forward, loss, backward, SGD update) of each of
//! the course's models on a real MNIST batch, plus a data-loader epoch.
//!
//! These are the per-step costs behind the examples' epoch times: an epoch
//! of the perceptron or the MLP is 938 steps of batch 64, an epoch of the CNN
//! 469 steps of batch 128.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sinapse_benches::{first_batch, Model};
use sinapse_datasets::{Batch, BatchConfig, Batches, DataSource, ImageLayout, Mnist, Split};
use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Optimizer, Sgd};

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    group.sample_size(30);

    let Batch { images: x, one_hot: onehot, .. } =
        first_batch(64, ImageLayout::Flat).expect("MNIST ships with the repository");
    let mut model = Model::Perceptron.build(0);
    let mut opt = Sgd::new(0.1);
    group.bench_function("perceptron_b64", |b| {
        b.iter(|| {
            let loss = mse(&model.forward(&Var::constant(x.clone())), &onehot, Reduction::Mean);
            let grads = loss.backward();
            opt.step(&mut model, &grads);
        })
    });

    let Batch { images: x, labels, .. } = first_batch(64, ImageLayout::Flat).expect("MNIST ships with the repository");
    let mut model = Model::Mlp.build(1);
    let mut opt = Sgd::new(0.1);
    group.bench_function("mlp_b64", |b| {
        b.iter(|| {
            let loss = cross_entropy(&model.forward(&Var::constant(x.clone())), &labels, Reduction::Mean);
            let grads = loss.backward();
            opt.step(&mut model, &grads);
        })
    });

    let Batch { images: x, labels, .. } = first_batch(128, ImageLayout::Nchw).expect("MNIST ships with the repository");
    let mut model = Model::Cnn.build(2);
    let mut opt = Sgd::new(0.05).momentum(Momentum::Classic(0.9));
    group.sample_size(10);
    group.bench_function("cnn_b128", |b| {
        b.iter(|| {
            let loss = cross_entropy(&model.forward(&Var::constant(x.clone())), &labels, Reduction::Mean);
            let grads = loss.backward();
            opt.step(&mut model, &grads);
        })
    });
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
