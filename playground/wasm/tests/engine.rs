//! The engine the page runs, run natively on the shipped MNIST: each
//! setting of the page changes what the course says it changes.

use sinapse_autograd::Var;
use sinapse_datasets::Split;
use sinapse_nn::{Module, Reduction};
use sinapse_playground_wasm::config::{Activation, InitChoice, LossChoice, ModeChoice, Network};
use sinapse_playground_wasm::{preprocess, views, Config, Digits, Session};
use sinapse_tensor::Tensor;
use std::path::PathBuf;
use std::sync::OnceLock;

fn mnist() -> &'static (Digits, Digits) {
    static DATA: OnceLock<(Digits, Digits)> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/data/mnist");
        let read = |name: &str| std::fs::read(dir.join(name)).expect("the repository ships MNIST");
        let train =
            Digits::from_gz(Split::Train, &read("train-images-idx3-ubyte.gz"), &read("train-labels-idx1-ubyte.gz"))
                .unwrap();
        let test = Digits::from_gz(Split::Test, &read("t10k-images-idx3-ubyte.gz"), &read("t10k-labels-idx1-ubyte.gz"))
            .unwrap();
        (train, test)
    })
}

fn weights(session: &Session) -> Vec<Vec<f32>> {
    session.net().parameters().iter().map(|(_, p)| p.value().to_vec()).collect()
}

#[test]
fn the_course_mlp_passes_85_percent_held_out_within_300_updates() {
    let (train, test) = mnist();
    let mut session = Session::new(Config::default_mlp());
    let before = session.evaluate(train, test);
    let loss = session.train(train, 300);
    let after = session.evaluate(train, test);
    assert!(before.heldout.accuracy < 0.3, "{before:?}");
    assert!(after.heldout.accuracy > 0.85, "{after:?}");
    assert!(loss.is_finite() && after.train.loss < before.train.loss);
    let stats = session.stats();
    assert_eq!((stats.updates, stats.seen, stats.examples_per_update), (300, 300 * 64, 64));
    assert_eq!(stats.parameters, 784 * 128 + 128 + 128 * 10 + 10);
    assert!(stats.seconds > 0.0, "the native clock times the updates");
    // MNIST's first test image is a 7.
    let p = views::predict(&session, &test.image(0));
    assert_eq!((p.class, p.kind, p.hidden.len()), (7, "probabilities", 128));
    assert!((p.outputs.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}

#[test]
fn the_same_settings_give_the_same_run_and_reset_gives_the_same_start() {
    let (train, _) = mnist();
    let config = Config { train_size: 2000, ..Config::default_mlp() };
    let (mut a, mut b) = (Session::new(config), Session::new(config));
    let start = weights(&a);
    a.train(train, 40);
    b.train(train, 40);
    assert_eq!(weights(&a), weights(&b));
    assert_ne!(weights(&a), start);
    assert_eq!(weights(&Session::new(config)), start);
    let other_seed = Session::new(Config { seed: 1, ..config });
    assert_ne!(weights(&other_seed), start);
}

#[test]
fn zero_initialization_keeps_every_hidden_unit_alike() {
    let (train, _) = mnist();
    let zeros =
        Config { activation: Activation::Sigmoid, init: InitChoice::Zeros, train_size: 5000, ..Config::default_mlp() };
    let mut session = Session::new(zeros);
    session.train(train, 50);
    let s = views::symmetry(&session);
    assert_eq!((s.hidden_units, s.distinct), (128, 1), "{s:?}");
    // The units did move, together: the second layer made them learn.
    assert!(views::weight_images(&session).iter().any(|&w| w != 0.0));
    let mut glorot = Session::new(Config { init: InitChoice::Glorot, ..zeros });
    glorot.train(train, 1);
    assert_eq!(views::symmetry(&glorot).distinct, 128);
}

#[test]
fn each_regime_takes_the_examples_the_course_says() {
    let (train, _) = mnist();
    let base = Config { train_size: 100, ..Config::default_mlp() };
    let mut minibatch = Session::new(base);
    minibatch.train(train, 2);
    let s = minibatch.stats();
    // 64 + the remaining 36: one epoch in two updates.
    assert_eq!((s.seen, s.epoch), (100, 1.0));
    minibatch.train(train, 1);
    assert_eq!(minibatch.stats().seen, 164);
    let mut stochastic = Session::new(Config { mode: ModeChoice::Stochastic, ..base });
    stochastic.train(train, 5);
    assert_eq!((stochastic.stats().seen, stochastic.stats().examples_per_update), (5, 1));
    let mut batch = Session::new(Config { mode: ModeChoice::Batch, ..base });
    batch.train(train, 1);
    assert_eq!((batch.stats().seen, batch.stats().examples_per_update), (100, 100));
}

#[test]
fn a_batch_update_in_chunks_is_the_update_on_the_whole_batch() {
    // 1,200 images are three chunks of at most 500: the summed chunk
    // gradients must be the gradient of the mean loss over all 1,200.
    let (train, _) = mnist();
    let config = Config { mode: ModeChoice::Batch, train_size: 1200, lr: 0.5, ..Config::default_mlp() };
    let mut chunked = Session::new(config);
    chunked.train(train, 1);
    let reference = Session::new(config);
    let indices: Vec<usize> = (0..1200).collect();
    let x = Tensor::from_vec(train.gather_pixels(&indices), &[1200, 784]).unwrap();
    let t = Tensor::from_vec(train.gather_one_hot(&indices), &[1200, 10]).unwrap();
    let logits = reference.net().forward(&Var::constant(x));
    let grads = sinapse_nn::loss::cross_entropy_with_probs(&logits, &t, Reduction::Mean).backward();
    for ((_, p), after) in reference.net().parameters().iter().zip(weights(&chunked)) {
        let g = grads.get(p).expect("every parameter has a gradient").to_vec();
        for ((w0, g), w1) in p.value().to_vec().iter().zip(g).zip(after) {
            assert!((w0 - 0.5 * g - w1).abs() <= 1e-5, "{w0} - 0.5 * {g} vs {w1}");
        }
    }
}

#[test]
fn l2_pulls_the_weights_and_leaves_the_biases() {
    // One update from the same start: W1 = W0 - lr (g + lambda W0), so the
    // runs with and without L2 differ by lr * lambda * W0 on the weights.
    let (train, _) = mnist();
    let base = Config { train_size: 500, lr: 0.1, ..Config::default_mlp() };
    let start = weights(&Session::new(base));
    let (mut plain, mut l2) = (Session::new(base), Session::new(Config { l2: 0.01, ..base }));
    plain.train(train, 1);
    l2.train(train, 1);
    let names: Vec<String> = plain.net().parameters().iter().map(|(n, _)| n.clone()).collect();
    for (((name, w0), a), b) in names.iter().zip(&start).zip(weights(&plain)).zip(weights(&l2)) {
        for ((w0, a), b) in w0.iter().zip(a).zip(b) {
            let expected = if name.ends_with("weight") { a - 0.1 * 0.01 * w0 } else { a };
            assert!((b - expected).abs() <= 1e-6, "{name}: {b} vs {expected}");
        }
    }
}

#[test]
fn the_perceptron_learns_under_the_squared_error_with_sigmoid_outputs() {
    let (train, test) = mnist();
    let config = Config {
        network: Network::Perceptron,
        activation: Activation::Sigmoid,
        loss: LossChoice::Mse,
        lr: 0.5,
        ..Config::default_mlp()
    };
    let mut session = Session::new(config);
    session.train(train, 300);
    let e = session.evaluate(train, test);
    assert!(e.heldout.accuracy > 0.75, "{e:?}");
    assert_eq!(views::weight_images(&session).len(), 10 * 784);
    let p = views::predict(&session, &test.image(0));
    assert_eq!(p.kind, "activations");
    assert!(p.outputs.iter().all(|&a| (0.0..=1.0).contains(&a)) && p.hidden.is_empty());
    assert_eq!(views::symmetry(&session).hidden_units, 10);
}

#[test]
fn the_cnn_shows_its_filters_and_feature_maps() {
    let (train, test) = mnist();
    let config = Config { network: Network::Cnn, train_size: 256, ..Config::default_mlp() };
    let mut session = Session::new(config);
    let loss = session.train(train, 2);
    assert!(loss.is_finite());
    assert_eq!(views::filters(&session).len(), 32 * 9);
    let maps = views::feature_maps(&session, &test.image(0));
    assert_eq!(maps.len(), 32 * 26 * 26);
    assert!(maps.iter().all(|&v| v >= 0.0) && maps.iter().any(|&v| v > 0.0), "ReLU maps");
    assert_eq!(views::predict(&session, &test.image(0)).hidden.len(), 32);
    assert!(views::weight_images(&session).is_empty());
}

#[test]
fn a_drawn_one_is_read_as_a_one() {
    // A vertical stroke, slightly slanted, 16 px wide on a 280 x 280 canvas,
    // as the browser test draws it.
    let (train, _) = mnist();
    let mut session = Session::new(Config::default_mlp());
    session.train(train, 300);
    let mut canvas = vec![0.0f32; 280 * 280];
    for y in 40..240 {
        let x0 = 140 + (240 - y) / 20;
        for x in x0 - 8..x0 + 8 {
            canvas[y * 280 + x] = 1.0;
        }
    }
    let image = preprocess(&canvas, 280, 280).unwrap();
    assert_eq!(views::predict(&session, &image).class, 1);
}
