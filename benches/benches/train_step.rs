//! One full training step (forward, loss, backward, SGD update) of each of
//! the course's models on a real MNIST batch, plus a data-loader epoch.
//!
//! These are the per-step costs behind the examples' epoch times: an epoch
//! of the perceptron or the MLP is 938 steps of batch 64, an epoch of the CNN
//! 469 steps of batch 128.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sinapse_datasets::{BatchConfig, Batches, DataSource, ImageLayout, Mnist, Split};
use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Optimizer, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};

fn perceptron(rng: &mut sinapse_tensor::SeededRng) -> Sequential<f32> {
    Sequential::new().add(Linear::new(784, 10, rng)).add(Sigmoid)
}

fn mlp(rng: &mut sinapse_tensor::SeededRng) -> Sequential<f32> {
    Sequential::new().add(Linear::new(784, 128, rng)).add(ReLU).add(Linear::new(128, 10, rng))
}

fn cnn(rng: &mut sinapse_tensor::SeededRng) -> Sequential<f32> {
    Sequential::new()
        .add(Conv2d::new(1, 32, 3, rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(32, 64, 3, rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(1600, 10, rng))
}

fn first_batch(batch: usize, layout: ImageLayout) -> (Tensor<f32>, Vec<usize>, Tensor<f32>) {
    let train = Mnist::load(Split::Train, &DataSource::standard()).expect("MNIST ships with the repository");
    let batches = Batches::new(&train, BatchConfig::new(batch).shuffled(0).layout(layout)).expect("valid config");
    let b = batches.epoch(0).next().expect("one batch");
    (b.images, b.labels, b.one_hot)
}

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    group.sample_size(30);
    let mut rng = seeded_rng(0);

    let (x, _, onehot) = first_batch(64, ImageLayout::Flat);
    let mut model = perceptron(&mut rng);
    let mut opt = Sgd::new(0.1);
    group.bench_function("perceptron_b64", |b| {
        b.iter(|| {
            let loss = mse(&model.forward(&Var::constant(x.clone())), &onehot, Reduction::Mean);
            let grads = loss.backward();
            opt.step(&mut model, &grads);
        })
    });

    let (x, labels, _) = first_batch(64, ImageLayout::Flat);
    let mut model = mlp(&mut rng);
    let mut opt = Sgd::new(0.1);
    group.bench_function("mlp_b64", |b| {
        b.iter(|| {
            let loss = cross_entropy(&model.forward(&Var::constant(x.clone())), &labels, Reduction::Mean);
            let grads = loss.backward();
            opt.step(&mut model, &grads);
        })
    });

    let (x, labels, _) = first_batch(128, ImageLayout::Nchw);
    let mut model = cnn(&mut rng);
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
