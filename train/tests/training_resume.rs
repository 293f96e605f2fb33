//! Training state on disk: a run continued from the checkpoint of epoch k
//! ends with exactly the parameters, batch-normalization statistics,
//! optimizer state and history of an uninterrupted run.

use sinapse_nn::prelude::*;
use sinapse_optim::{Momentum, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};
use sinapse_train::{
    FitConfig, FitError, Metric, Model, ModelCheckpoint, TensorData, TrainingStateError, TRAINING_STATE_FILE,
};

fn data() -> (Tensor<f32>, Tensor<f32>) {
    let mut rng = seeded_rng(21);
    let x = Tensor::<f32>::rand_uniform(&[90, 3], -1.0, 1.0, &mut rng);
    let y =
        Tensor::from_fn(&[90], |i| if x.get(&[i[0], 0]) + x.get(&[i[0], 1]) > x.get(&[i[0], 2]) { 1.0 } else { 0.0 });
    (x, y)
}

/// A fresh, compiled model with batch normalization (so its running
/// statistics must be restored), dropout (so the per-epoch reseeding
/// matters) and momentum (so the optimizer state matters).
fn fresh() -> Model<f32> {
    let mut rng = seeded_rng(8);
    let net = Sequential::new()
        .add(Linear::new(3, 12, &mut rng))
        .add(BatchNorm::new_1d(12))
        .add(ReLU)
        .add(Dropout::new(0.3, 5))
        .add(Linear::new(12, 2, &mut rng));
    let mut m = Model::new(net);
    m.compile(
        Sgd::new(0.05).momentum(Momentum::Nesterov(0.9)),
        Loss::SparseCategoricalCrossEntropy,
        &[Metric::Accuracy],
    );
    m
}

/// Parameters and buffers by name.
fn params(m: &Model<f32>) -> Vec<(String, Vec<f32>)> {
    m.module().state_dict().into_iter().map(|(n, t)| (n, t.to_vec())).collect()
}

fn config(epochs: usize) -> FitConfig {
    FitConfig::new(epochs).batch_size(16).seed(77).verbose(0)
}

#[test]
fn resuming_from_epoch_k_equals_the_uninterrupted_run() {
    let (x, y) = data();
    let train = TensorData::new(&x, &y);
    let dir = tempfile::tempdir().unwrap();

    // Uninterrupted: 5 epochs, checkpointing every epoch into its own file.
    let mut straight = fresh();
    let mut ckpt = ModelCheckpoint::new(dir.path()).keep_each_epoch(true);
    let full = straight.fit_source(&train, Some(&train), &config(5), &mut [&mut ckpt]).unwrap();
    assert_eq!(ckpt.saved().len(), 10);
    assert!(dir.path().join(TRAINING_STATE_FILE).is_file());

    for k in [1, 2, 4] {
        // A new process: a fresh model, compiled the same way, restored from epoch k.
        let mut resumed = fresh();
        resumed.load_training_state(dir.path().join(format!("epoch-{k:04}.safetensors"))).unwrap();
        assert_eq!(resumed.epochs_done(), k);
        assert_eq!(resumed.seed(), Some(77));
        assert_eq!(resumed.optimizer().unwrap().steps(), (k * 6) as u64); // ceil(90 / 16) = 6 per epoch
        let h = resumed.fit_source(&train, Some(&train), &config(5), &mut []).unwrap();
        assert_eq!(params(&resumed), params(&straight), "resumed from epoch {k}");
        assert_eq!(h.len(), 5);
        for (a, b) in h.epochs.iter().zip(&full.epochs) {
            assert_eq!((a.epoch, a.loss, &a.metrics, a.val_loss), (b.epoch, b.loss, &b.metrics, b.val_loss));
        }
    }

    // The folder's rolling file is the last epoch.
    let mut last = fresh();
    last.load_training_state(dir.path()).unwrap();
    assert_eq!(last.epochs_done(), 5);
    assert_eq!(params(&last), params(&straight));
}

#[test]
fn initial_epoch_rewinds_the_history_like_keras() {
    let (x, y) = data();
    let dir = tempfile::tempdir().unwrap();
    let mut m = fresh();
    m.fit(&x, &y, &config(2)).unwrap();
    m.save_training_state(dir.path()).unwrap();
    // Two more epochs continue the count...
    let h = m.fit(&x, &y, &config(4)).unwrap();
    assert_eq!(h.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    // ...and fitting to an epoch already reached trains nothing.
    assert_eq!(m.fit(&x, &y, &config(4)).unwrap().len(), 4);
    // initial_epoch overrides the count (history cut to it).
    let h = m.fit(&x, &y, &config(3).initial_epoch(2)).unwrap();
    assert_eq!(h.len(), 3);
}

#[test]
fn a_resumed_run_refuses_another_seed() {
    let (x, y) = data();
    let dir = tempfile::tempdir().unwrap();
    let mut m = fresh();
    m.fit(&x, &y, &config(1)).unwrap();
    m.save_training_state(dir.path()).unwrap();
    let mut resumed = fresh();
    resumed.load_training_state(dir.path()).unwrap();
    let err = resumed.fit(&x, &y, &config(2).seed(78)).unwrap_err();
    assert!(matches!(err, FitError::SeedMismatch { saved: 77, given: 78 }), "{err:?}");
    assert!(err.to_string().contains("FitConfig::seed(77)"), "{err}");
    // A model trained in this process may change its seed between fits.
    let h = m.fit(&x, &y, &config(2).seed(78)).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(m.seed(), Some(78));
}

#[test]
fn a_state_that_does_not_fit_changes_nothing() {
    let (x, y) = data();
    let dir = tempfile::tempdir().unwrap();
    let mut m = fresh();
    m.fit(&x, &y, &config(1)).unwrap();
    m.save_training_state(dir.path()).unwrap();

    // Another architecture: the parameter names and shapes are listed.
    let mut other = Model::new(Sequential::<f32>::new().add(Linear::new(3, 2, &mut seeded_rng(0))));
    other.compile(Sgd::new(0.1), Loss::SparseCategoricalCrossEntropy, &[]);
    let before = params(&other);
    let err = other.load_training_state(dir.path()).unwrap_err();
    assert!(matches!(err, TrainingStateError::Checkpoint(_)), "{err:?}");
    let unexpected = r#"unexpected keys ["1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "4.bias", "4.weight"]"#;
    assert!(err.to_string().contains(unexpected), "{err}");
    assert_eq!(params(&other), before);
    assert_eq!(other.epochs_done(), 0);

    // Another optimizer: its buffers do not fit, and the parameters are put back.
    let mut adam = fresh();
    adam.compile(sinapse_optim::Adam::new(0.01), Loss::SparseCategoricalCrossEntropy, &[]);
    let before = params(&adam);
    let err = adam.load_training_state(dir.path()).unwrap_err();
    assert!(matches!(err, TrainingStateError::Optimizer { .. }), "{err:?}");
    assert_eq!(params(&adam), before);

    // Not a training state at all.
    let plain = dir.path().join("plain.safetensors");
    m.module().save_parameters(&plain).unwrap();
    let err = fresh().load_training_state(&plain).unwrap_err();
    assert!(err.to_string().contains("no 'format' entry"), "{err}");

    // An uncompiled model restores the parameters only (for inference).
    let mut infer = Model::new(Sequential::<f32>::new());
    assert!(infer.load_training_state(dir.path()).is_err(), "an empty network has no such parameters");
}

#[test]
fn another_run_is_refused_naming_both_sides_unless_the_change_is_allowed() {
    let (x, y) = data();
    let dir = tempfile::tempdir().unwrap();
    let describe = |m: &mut Model<f32>, dataset: &str, lr: &str| {
        m.set_run_info("architecture", "mlp");
        m.set_run_info("dataset", dataset);
        m.set_run_info("learning_rate", lr);
    };
    let mut first = fresh();
    describe(&mut first, "mnist", "0.05");
    first.fit(&x, &y, &config(1)).unwrap();
    first.save_training_state(dir.path()).unwrap();

    // Another data set: refused, both sides named, nothing changed.
    let mut other = fresh();
    describe(&mut other, "fashion", "0.05");
    let before = params(&other);
    let err = other.load_training_state(dir.path()).unwrap_err();
    assert!(matches!(err, TrainingStateError::RunMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains("dataset: saved mnist, this run fashion"), "{err}");
    assert_eq!((params(&other), other.epochs_done()), (before, 0));

    // A new learning rate: refused unless allowed, then the new one is used.
    let mut faster = fresh();
    describe(&mut faster, "mnist", "0.1");
    let err = faster.load_training_state(dir.path()).unwrap_err();
    assert!(err.to_string().contains("learning_rate: saved 0.05, this run 0.1"), "{err}");
    faster.allow_run_change("learning_rate");
    faster.load_training_state(dir.path()).unwrap();
    faster.set_base_learning_rate(0.1);
    assert_eq!(faster.optimizer().unwrap().learning_rate(), 0.1);
    assert_eq!(faster.epochs_done(), 1);

    // A state saved without a description cannot be checked: refused.
    let bare = tempfile::tempdir().unwrap();
    let mut undescribed = fresh();
    undescribed.fit(&x, &y, &config(1)).unwrap();
    undescribed.save_training_state(bare.path()).unwrap();
    let mut described = fresh();
    describe(&mut described, "mnist", "0.05");
    let err = described.load_training_state(bare.path()).unwrap_err();
    assert!(err.to_string().contains("architecture: saved (not recorded), this run mlp"), "{err}");
}
