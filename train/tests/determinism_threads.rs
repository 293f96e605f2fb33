//! Training is bit-for-bit reproducible: the same seed gives the same
//! parameters on every run and with any number of threads. Parallel kernels
//! split their work by sizes alone (blocks of a matrix product, groups of
//! images in a convolution) and add partial results in a fixed order, so
//! the schedule never changes the arithmetic.

use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};
use sinapse_train::{FitConfig, Metric, Model};

/// A small CNN whose layers are large enough to take the parallel paths: the
/// convolution runs over groups of images and the 1152 -> 512 product is
/// split into blocks across threads.
fn model() -> Model<f32> {
    let mut rng = seeded_rng(5);
    let net = Sequential::<f32>::new()
        .add(Conv2d::new(1, 8, 3, &mut rng))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Flatten)
        .add(Linear::new(8 * 12 * 12, 512, &mut rng))
        .add(ReLU)
        .add(Linear::new(512, 10, &mut rng));
    let mut m = Model::new(net);
    m.compile(
        Sgd::new(0.05).momentum(Momentum::Classic(0.9)),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    );
    m
}

fn train_with_threads(threads: usize) -> (Vec<Vec<f32>>, Vec<f64>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    pool.install(|| {
        let mut rng = seeded_rng(11);
        let x = Tensor::<f32>::rand_uniform(&[256, 1, 26, 26], 0.0, 1.0, &mut rng);
        let y = Tensor::<f32>::from_fn(&[256], |i| (i[0] % 10) as f32);
        let mut m = model();
        let history = m.fit(&x, &y, &FitConfig::new(2).batch_size(64).seed(3).verbose(0)).expect("training runs");
        let params = m.module().parameters().iter().map(|(_, p)| p.value().to_vec()).collect();
        let losses = history.epochs.iter().map(|e| e.loss).collect();
        (params, losses)
    })
}

#[test]
fn parameters_are_identical_across_runs_and_thread_counts() {
    let (one, losses_one) = train_with_threads(1);
    let (one_again, _) = train_with_threads(1);
    let (two, losses_two) = train_with_threads(2);
    let (three, _) = train_with_threads(3);
    let bits = |p: &Vec<Vec<f32>>| p.iter().flatten().map(|v| v.to_bits()).collect::<Vec<u32>>();
    assert_eq!(bits(&one), bits(&one_again), "two runs with the same seed differ");
    assert_eq!(bits(&one), bits(&two), "1 and 2 threads give different parameters");
    assert_eq!(bits(&one), bits(&three), "1 and 3 threads give different parameters");
    assert_eq!(losses_one, losses_two);
    // The check is not vacuous: training moved the parameters.
    let init: Vec<Vec<f32>> = model().module().parameters().iter().map(|(_, p)| p.value().to_vec()).collect();
    assert_ne!(bits(&init), bits(&one));
}
