//! A network that is not a chain, written with the functional API, trained
//! on real MNIST, saved, loaded into a fresh copy and run again.

use sinapse_datasets::{DataSource, ImageLayout, Mnist, Split, Subset};
use sinapse_nn::prelude::*;
use sinapse_optim::Adam;
use sinapse_train::{FitConfig, Metric, MnistSource, Model};

/// Two branches from the image, a wide ReLU one and a narrow tanh one,
/// joined and read out by one dense layer.
fn two_branches(seed: u64) -> Model<f32> {
    let inputs = Input::seeded(&[784], seed);
    let wide = Dense::new(64).activation(Activation::ReLU).call(&inputs);
    let narrow = Dense::new(16).activation(Activation::Tanh).call(&inputs);
    let joined = concatenate(&[&wide, &narrow]);
    let outputs = Dense::new(10).call(&joined);
    Model::functional(&inputs, &outputs)
}

#[test]
fn a_two_branch_network_trains_on_mnist_and_survives_a_save_and_load() {
    let source = DataSource::standard();
    let (train, test) = (Mnist::load(Split::Train, &source).unwrap(), Mnist::load(Split::Test, &source).unwrap());
    let train = MnistSource::new(Subset::from_range(&train, 0..6_000).unwrap(), ImageLayout::Flat);
    let test = MnistSource::new(Subset::from_range(&test, 0..2_000).unwrap(), ImageLayout::Flat);

    let mut model = two_branches(1);
    let summary = model.summary(&[1, 784]);
    let names: Vec<&str> = summary.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["input", "dense", "dense_1", "concatenate", "dense_2"]);
    assert_eq!(summary.total_parameters(), (784 * 64 + 64) + (784 * 16 + 16) + (80 * 10 + 10));

    model.compile(Adam::new(1e-3), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);
    model.fit_source(&train, None, &FitConfig::new(2).batch_size(64).verbose(0), &mut []).unwrap();
    let accuracy = model.evaluate_source(&test, 500).accuracy().unwrap();
    assert!(accuracy > 0.85, "test accuracy {accuracy} after 2 epochs on 6,000 images");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two_branches.safetensors");
    model.module().save_parameters(&path).unwrap();
    let mut restored = two_branches(2);
    restored.module_mut().load_parameters(&path).unwrap();
    let (before, after) = (model.predict_source(&test, 500), restored.predict_source(&test, 500));
    assert_eq!(before.to_vec(), after.to_vec(), "the loaded copy predicts the same outputs, bit for bit");
}
