//! The Keras-like Model: fit, evaluate, predict, history, callbacks, errors,
//! gradient-descent regimes.

use sinapse_nn::prelude::*;
use sinapse_optim::{GdMode, Momentum, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};
use sinapse_train::{BatchSource, EarlyStopping, FitConfig, FitError, History, Metric, Model, TensorData};

/// Two classes: inside or outside the circle of radius 0.6 (not linearly
/// separable). Returns inputs `[n, 2]` and class indices `[n]`.
fn circles(n: usize, seed: u64) -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::rand_uniform(&[n, 2], -1.0, 1.0, &mut seeded_rng(seed));
    let y = Tensor::from_fn(&[n], |i| {
        let (a, b) = (x.get(&[i[0], 0]), x.get(&[i[0], 1]));
        if a * a + b * b < 0.36 {
            1.0
        } else {
            0.0
        }
    });
    (x, y)
}

fn net(seed: u64, dropout: bool) -> Sequential<f32> {
    let mut rng = seeded_rng(seed);
    let s = Sequential::new().add(Linear::new(2, 16, &mut rng)).add(Tanh);
    let s = if dropout { s.add(Dropout::new(0.2, 99)) } else { s };
    s.add(Linear::new(16, 2, &mut rng))
}

fn model(seed: u64, dropout: bool) -> Model<f32> {
    let mut m = Model::new(net(seed, dropout));
    m.compile(Sgd::new(0.1).momentum(Momentum::Classic(0.9)), Loss::SparseCategoricalCrossEntropy, &[Metric::Accuracy]);
    m
}

fn params(m: &Model<f32>) -> Vec<Vec<f32>> {
    m.module().parameters().iter().map(|(_, p)| p.value().to_vec()).collect()
}

#[test]
fn fit_converges_and_records_every_epoch_with_validation() {
    let (x, y) = circles(400, 1);
    let (xv, yv) = circles(200, 2);
    let mut m = model(3, false);
    let config = FitConfig::new(40).batch_size(32).verbose(0).seed(5);
    let h = m.fit_validated((&x, &y), (&xv, &yv), &config).unwrap();
    assert_eq!(h.len(), 40);
    assert_eq!(m.epochs_done(), 40);
    let first = &h.epochs[0];
    let last = h.last().unwrap();
    assert_eq!((first.epoch, last.epoch), (1, 40));
    assert!(last.loss < first.loss * 0.5, "loss {} -> {}", first.loss, last.loss);
    assert!(last.metrics["accuracy"] > 0.9, "{last:?}");
    let val_acc = last.val_metrics["accuracy"];
    assert!(val_acc > 0.9, "validation accuracy {val_acc}");
    assert!(last.val_loss.unwrap() < 0.35, "{last:?}");
    assert_eq!(last.updates, 13); // ceil(400 / 32)
    assert_eq!(last.examples, 400);
    assert!(last.seconds > 0.0 && last.images_per_second > 0.0);
    // evaluate agrees with the validation figures of the last epoch.
    let eval = m.evaluate(&xv, &yv, 64);
    assert_eq!(eval.examples, 200);
    assert!((eval.loss - last.val_loss.unwrap()).abs() < 1e-6, "{eval:?} vs {last:?}");
    assert_eq!(eval.accuracy(), Some(val_acc));
    assert_eq!(h.series("val_accuracy").unwrap().len(), 40);
    assert!(h.series("val_precision").is_none());
}

#[test]
fn evaluate_and_predict_shapes_do_not_depend_on_batch_size() {
    let (x, y) = circles(103, 4);
    let mut m = model(3, true);
    let p7 = m.predict(&x, 7);
    let p200 = m.predict(&x, 200);
    assert_eq!(p7.shape(), &[103, 2]);
    assert_eq!(p7.to_vec(), p200.to_vec());
    // Evaluation mode: dropout is off, so two calls agree.
    assert_eq!(m.predict(&x, 7).to_vec(), p7.to_vec());
    let e1 = m.evaluate(&x, &y, 10);
    let e2 = m.evaluate(&x, &y, 103);
    assert!((e1.loss - e2.loss).abs() < 1e-6);
    assert_eq!(e1.metrics, e2.metrics);
    // One-hot targets give the same accuracy as class indices.
    let labels: Vec<usize> = y.to_vec().iter().map(|&c| c as usize).collect();
    let mut m2 = Model::new(net(3, false));
    m2.compile(Sgd::new(0.1), Loss::CategoricalCrossEntropy, &[Metric::Accuracy]);
    let mut m1 = Model::new(net(3, false));
    m1.compile(Sgd::new(0.1), Loss::SparseCategoricalCrossEntropy, &[Metric::Accuracy]);
    let a = m1.evaluate(&x, &y, 50);
    let b = m2.evaluate(&x, &one_hot(&labels, 2), 50);
    assert_eq!(a.accuracy(), b.accuracy());
    assert!((a.loss - b.loss).abs() < 1e-6);
}

#[test]
fn summary_lists_layers_and_totals() {
    let m = model(0, true);
    let s = m.summary(&[1, 2]);
    assert_eq!(s.rows.len(), 4);
    assert_eq!(s.total_parameters(), 2 * 16 + 16 + 16 * 2 + 2);
    let text = s.to_string();
    assert!(text.contains("Linear(2 -> 16)") && text.contains("Total params: 82"), "{text}");
    // Not a Sequential: one row for the whole module.
    let one = Model::<f32>::from_module(Linear::new(3, 4, &mut seeded_rng(0)));
    assert_eq!(one.summary(&[5, 3]).rows[0].output_shape, vec![5, 4]);
    assert!(one.sequential().is_none() && m.sequential().is_some());
}

#[test]
fn early_stopping_stops_after_patience_and_restores_the_best_weights() {
    let (x, y) = circles(64, 6);
    let mut m = model(1, false);
    let before = params(&m);
    // Learning rate 0: the loss never improves after epoch 1.
    m.optimizer_mut().unwrap().set_learning_rate(0.0);
    // (min_delta: the epoch's mean loss is summed in a shuffled order, so
    // it moves in the last bits.)
    let mut stop = EarlyStopping::new("loss").patience(2).min_delta(1e-6).restore_best_weights(true);
    let data = TensorData::new(&x, &y);
    let h = m.fit_source(&data, None, &FitConfig::new(50).batch_size(16).verbose(0), &mut [&mut stop]).unwrap();
    assert_eq!(h.len(), 3, "one best epoch, then two without improvement");
    assert_eq!(stop.stopped_epoch(), Some(3));
    assert_eq!(stop.best_epoch(), Some(1));
    assert_eq!(params(&m), before);

    // With learning, val_accuracy is maximised and improving runs go on.
    let mut m = model(1, false);
    let mut stop = EarlyStopping::new("val_accuracy").patience(50);
    let h = m.fit_source(&data, Some(&data), &FitConfig::new(5).batch_size(16).verbose(0), &mut [&mut stop]).unwrap();
    assert_eq!(h.len(), 5);
    assert_eq!(stop.stopped_epoch(), None);
}

#[test]
fn early_stopping_on_an_unknown_quantity_names_the_available_ones() {
    let (x, y) = circles(32, 6);
    let mut m = model(1, false);
    let mut stop = EarlyStopping::new("val_loss");
    let err =
        m.fit_source(&TensorData::new(&x, &y), None, &FitConfig::new(3).verbose(0), &mut [&mut stop]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, FitError::UnknownMonitor { .. }), "{err:?}");
    assert!(msg.contains("'val_loss'") && msg.contains("loss, accuracy"), "{msg}");
}

#[test]
fn a_non_finite_loss_stops_with_the_epoch_the_step_and_advice() {
    let (mut x, y) = circles(64, 7);
    // Example 40 holds a NaN: in dataset order it lands in batch 3 of 16.
    x = Tensor::from_fn(x.shape(), |i| if i[0] == 40 { f32::NAN } else { x.get(i) });
    let mut m = model(2, false);
    let before = params(&m);
    let config = FitConfig::new(2).batch_size(16).shuffle(false).verbose(0);
    let err = m.fit(&x, &y, &config).unwrap_err();
    match &err {
        FitError::NonFiniteLoss { epoch, step, value, .. } => {
            assert_eq!((*epoch, *step), (1, 3));
            assert!(value.is_nan());
        }
        other => panic!("expected NonFiniteLoss, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("epoch 1, step 3") && msg.contains("NaN"), "{msg}");
    assert!(msg.contains("The batch's inputs hold NaN or an infinity"), "{msg}");
    assert!(!msg.contains("learning rate"), "the advice must match the cause: {msg}");
    assert_ne!(params(&m), before, "the two good steps were taken");
    assert_eq!(m.epochs_done(), 0);

    // A learning rate far too large diverges to infinity the same way.
    let (x, y) = circles(64, 7);
    let mut m = Model::new(net(2, false));
    m.compile(Sgd::new(1e6), Loss::MeanSquaredError, &[]);
    let targets = Tensor::from_fn(&[64, 2], |i| if y.get(&[i[0]]) as usize == i[1] { 1.0 } else { 0.0 });
    let err = m.fit(&x.mul_scalar(1e3), &targets, &FitConfig::new(50).batch_size(8).verbose(0)).unwrap_err();
    assert!(matches!(err, FitError::NonFiniteLoss { .. }), "{err}");
    assert!(err.to_string().contains("lower the learning rate (it is 1000000)"), "{err}");
}

#[test]
fn same_seed_same_parameters_bit_for_bit_with_dropout() {
    let (x, y) = circles(150, 8);
    let run = |seed: u64| {
        let mut m = model(4, true);
        let h = m.fit(&x, &y, &FitConfig::new(4).batch_size(10).seed(seed).verbose(0)).unwrap();
        (params(&m), h.series("loss").unwrap())
    };
    let (a, la) = run(11);
    let (b, lb) = run(11);
    assert_eq!(a, b);
    assert_eq!(la, lb);
    let (c, _) = run(12);
    assert_ne!(a, c, "another seed shuffles (and drops) differently");
}

#[test]
fn gd_modes_make_the_expected_number_of_updates() {
    let (x, y) = circles(100, 9);
    let count = |mode: GdMode, drop_last: bool| {
        let mut m = model(5, false);
        let config = FitConfig::new(2).mode(mode).drop_last(drop_last).verbose(0);
        let h = m.fit(&x, &y, &config).unwrap();
        let steps = m.optimizer().unwrap().steps();
        (h.epochs.iter().map(|e| e.updates).collect::<Vec<_>>(), steps, h.last().unwrap().examples)
    };
    assert_eq!(count(GdMode::Batch, false), (vec![1, 1], 2, 100));
    assert_eq!(count(GdMode::Stochastic, false), (vec![100, 100], 200, 100));
    assert_eq!(count(GdMode::Minibatch(32), false), (vec![4, 4], 8, 100));
    assert_eq!(count(GdMode::Minibatch(32), true), (vec![3, 3], 6, 96));
}

#[test]
fn full_batch_in_chunks_matches_one_big_forward() {
    let (x, y) = circles(120, 10);
    let train = |max_chunk: usize| {
        let mut m = model(6, false);
        m.fit(&x, &y, &FitConfig::new(3).mode(GdMode::Batch).max_chunk(max_chunk).verbose(0)).unwrap();
        params(&m)
    };
    let whole = train(120);
    let chunked = train(25);
    for (a, b) in whole.iter().flatten().zip(chunked.iter().flatten()) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn too_little_data_for_one_batch_is_an_error() {
    let (x, y) = circles(10, 1);
    let mut m = model(1, false);
    let err = m.fit(&x, &y, &FitConfig::new(1).batch_size(16).drop_last(true).verbose(0)).unwrap_err();
    assert!(matches!(err, FitError::NoBatches { examples: 10, batch_size: 16, drop_last: true }), "{err:?}");
}

#[test]
fn history_round_trips_through_json() {
    let (x, y) = circles(50, 1);
    let mut m = model(1, false);
    let h = m.fit_validated((&x, &y), (&x, &y), &FitConfig::new(2).verbose(0)).unwrap();
    let json = h.to_json();
    assert!(json.contains("\"val_loss\"") && json.contains("\"images_per_second\""), "{json}");
    assert_eq!(History::from_json(&json).unwrap(), h);
}

/// A source that builds each batch on demand, as a memory-mapped data set would.
struct Generated;

impl BatchSource<f32> for Generated {
    fn len(&self) -> usize {
        64
    }

    fn batch(&self, indices: &[usize]) -> (Tensor<f32>, Tensor<f32>) {
        let x = Tensor::from_fn(&[indices.len(), 2], |i| if indices[i[0]] % 2 == i[1] { 1.0 } else { -1.0 });
        let y = Tensor::from_fn(&[indices.len()], |i| (indices[i[0]] % 2) as f32);
        (x, y)
    }
}

#[test]
fn any_batch_source_trains() {
    let mut m = model(1, false);
    let h = m.fit_source(&Generated, Some(&Generated), &FitConfig::new(5).batch_size(8).verbose(0), &mut []).unwrap();
    assert_eq!(h.last().unwrap().val_metrics["accuracy"], 1.0);
    assert_eq!(m.predict_source(&Generated, 10).shape(), &[64, 2]);
}

#[test]
#[should_panic(expected = "call compile")]
fn fitting_before_compile_is_a_programmer_error() {
    let (x, y) = circles(8, 1);
    let _ = Model::new(net(1, false)).fit(&x, &y, &FitConfig::new(1));
}
