//! `--resume`: a run killed after epoch 1 and resumed to epoch 2 must end
//! exactly where an uninterrupted 2-epoch run ends, and a resume that
//! cannot continue must say why.

use sinapse_examples::cli::{parse_from, CommonArgs};
use sinapse_examples::error::ExampleError;
use sinapse_examples::practice::{Outcome, Practice, Program, Recipe};
use sinapse_examples::programs::{fashion_cnn, mlp, perceptron};
use sinapse_examples::report::MODEL_FILE;
use sinapse_nn::Checkpoint;
use sinapse_train::TRAINING_STATE_FILE;
use std::path::Path;

fn args(recipe: &Recipe, out: &Path, extra: &[&str]) -> CommonArgs {
    let mut argv = vec![recipe.defaults.name, "--quiet", "--out", out.to_str().unwrap()];
    argv.extend_from_slice(&["--train-limit", "512", "--test-limit", "128"]);
    argv.extend_from_slice(extra);
    parse_from(recipe.defaults, &argv).unwrap()
}

/// An example: its recipe and its program.
type Example = (Recipe, Program);
const MLP: Example = (mlp::RECIPE, mlp::program);
const PERCEPTRON: Example = (perceptron::RECIPE, perceptron::practice_i);
const FASHION_CNN: Example = (fashion_cnn::RECIPE, fashion_cnn::program);

fn train(example: &Example, out: &Path, extra: &[&str]) -> Result<Outcome, ExampleError> {
    let (recipe, program) = *example;
    Practice::run(recipe, args(&recipe, out, extra), program)
}

/// A tensor of a model file: name, shape, bit patterns.
type Bits = (String, Vec<usize>, Vec<u32>);

/// Every tensor of a model file as (name, shape, bit patterns), so that a
/// difference names the tensor that differs.
fn tensor_bits(path: &Path) -> Vec<Bits> {
    let ckpt = Checkpoint::<f32>::load(path).unwrap();
    let bits = |t: &sinapse_tensor::Tensor<f32>| t.to_vec().into_iter().map(f32::to_bits).collect();
    ckpt.tensors.iter().map(|(name, t)| (name.clone(), t.shape().to_vec(), bits(t))).collect()
}

fn losses(outcome: &Outcome) -> Vec<(f64, Option<f64>)> {
    outcome.history.epochs.iter().map(|e| (e.loss, e.val_loss)).collect()
}

#[test]
fn resumed_mlp_run_equals_the_uninterrupted_run_bit_for_bit() {
    resumed_run_equals_the_uninterrupted_run_bit_for_bit(MLP, &[]);
}

/// Adam's moments and batch normalization's running statistics and batch
/// count come back from the training state too (on MNIST images, so that
/// the test needs no Fashion-MNIST package).
#[test]
fn resumed_fashion_cnn_run_equals_the_uninterrupted_run_bit_for_bit() {
    let model = resumed_run_equals_the_uninterrupted_run_bit_for_bit(FASHION_CNN, &["--dataset", "mnist"]);
    let tracked = model.iter().find(|(name, _, _)| name == "1.num_batches_tracked").expect("the first block's count");
    // Two epochs of 512 images in batches of 128.
    assert_eq!(f32::from_bits(tracked.2[0]), 8.0);
    assert!(model.iter().any(|(name, _, _)| name == "9.running_var"), "the last block's statistics are saved");
}

/// Trains `recipe` for two epochs straight and for one then `--resume` to
/// two, checks both end alike, and returns the model file's tensors.
fn resumed_run_equals_the_uninterrupted_run_bit_for_bit(recipe: Example, extra: &[&str]) -> Vec<Bits> {
    let run = |out: &Path, flags: &[&str]| train(&recipe, out, &[flags, extra].concat());
    let straight = tempfile::tempdir().unwrap();
    let whole = run(straight.path(), &["--epochs", "2", "--seed", "5"]).unwrap();

    let split = tempfile::tempdir().unwrap();
    let first = run(split.path(), &["--epochs", "1", "--seed", "5"]).unwrap();
    assert!(split.path().join(TRAINING_STATE_FILE).is_file());
    // One epoch differs from two: the comparison below can fail.
    let one_epoch = tensor_bits(&split.path().join(MODEL_FILE));
    let two_epochs = tensor_bits(&straight.path().join(MODEL_FILE));
    assert_ne!(one_epoch, two_epochs);
    assert_eq!(losses(&first)[..], losses(&whole)[..1]);

    let resumed = run(split.path(), &["--epochs", "2", "--seed", "5", "--resume"]).unwrap();
    assert_eq!(resumed.history.len(), 2);
    assert_eq!(losses(&resumed), losses(&whole));
    assert!(tensor_bits(&split.path().join(MODEL_FILE)) == two_epochs, "model.safetensors differs");
    assert_eq!(resumed.test_outputs.to_vec(), whole.test_outputs.to_vec());
    two_epochs
}

#[test]
fn resume_without_a_training_state_says_where_it_looked() {
    let recipe = PERCEPTRON;
    let out = tempfile::tempdir().unwrap();
    let err = train(&recipe, out.path(), &["--epochs", "2", "--resume"]).err().expect("must fail");
    let msg = err.to_string();
    assert!(matches!(err, ExampleError::Usage(_)), "{msg}");
    assert!(msg.contains("no training state") && msg.contains(TRAINING_STATE_FILE), "{msg}");
}

#[test]
fn resume_with_another_seed_network_or_too_few_epochs_is_refused() {
    let out = tempfile::tempdir().unwrap();
    train(&PERCEPTRON, out.path(), &["--epochs", "1", "--seed", "7"]).unwrap();

    let msg = train(&PERCEPTRON, out.path(), &["--epochs", "2", "--seed", "8", "--resume"])
        .err()
        .expect("another seed must fail")
        .to_string();
    assert!(msg.contains("--seed 7"), "{msg}");

    let msg = train(&MLP, out.path(), &["--epochs", "2", "--seed", "7", "--resume"])
        .err()
        .expect("another network must fail")
        .to_string();
    assert!(msg.contains("architecture: saved perceptron, this run mlp"), "{msg}");

    let msg = train(&PERCEPTRON, out.path(), &["--epochs", "1", "--seed", "7", "--resume"])
        .err()
        .expect("no epoch left must fail")
        .to_string();
    assert!(msg.contains("already holds 1 epochs"), "{msg}");
}
