//! A training run the page can advance one update at a time.
//!
//! An update is the course's rule `W <- W - lr * (dE/dW + lambda W)`, with
//! `dE/dW` the mean gradient over the update's examples: all `train_size`
//! images in batch mode, one in stochastic mode, `batch_size` in minibatch
//! mode. The examples are visited in an order shuffled afresh each epoch.
//! A batch update is computed in chunks of at most [`MAX_CHUNK`] images whose
//! gradients are summed, so memory stays bounded whatever the batch.

use crate::config::Config;
use crate::data::{Digits, CLASSES};
use crate::network;
use serde::Serialize;
use sinapse_autograd::clock::Instant;
use sinapse_autograd::{no_grad, Var};
use sinapse_nn::{Loss, Module, Sequential};
use sinapse_optim::{accumulate_gradients, Optimizer, ParamGroup, Sgd, Update, WeightDecay};
use sinapse_tensor::Tensor;
use sinapse_train::{epoch_order, StepModule};
use std::time::Duration;

/// The most images one forward pass holds.
pub const MAX_CHUNK: usize = 500;
/// Images of each split that [`Session::evaluate`] measures.
pub const EVAL_IMAGES: usize = 1000;

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// Updates done.
    pub updates: u64,
    /// Examples seen, counting repeats.
    pub seen: u64,
    /// Passes over the training set: `seen / train_size`.
    pub epoch: f64,
    /// Examples per update.
    pub examples_per_update: usize,
    /// Trainable values in the network.
    pub parameters: usize,
    /// Seconds spent in updates (zero where the target has no clock and
    /// the host installed none; see `sinapse_autograd::clock`).
    pub seconds: f64,
}

/// Loss and accuracy on some images.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Score {
    /// The mean loss (without the L2 term).
    pub loss: f64,
    /// The fraction classified correctly.
    pub accuracy: f64,
}

/// [`Score`]s on the first [`EVAL_IMAGES`] training and test images.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// On training images.
    pub train: Score,
    /// On held-out (test) images.
    pub heldout: Score,
}

/// A network, its optimizer and its place in the data.
pub struct Session {
    config: Config,
    net: Sequential<f32>,
    loss: Loss,
    optimizer: Sgd<f32>,
    /// This epoch's order of the training examples.
    order: Vec<usize>,
    /// Every epoch's updates (positions in `order`, cut into chunks).
    plan: Vec<Update>,
    /// The next update of `plan`.
    next: usize,
    epochs_started: usize,
    updates: u64,
    seen: u64,
    trained: Duration,
}

impl Session {
    /// A fresh run of `config` (checked by [`Config::check`]).
    pub fn new(config: Config) -> Session {
        let net = network::build(&config);
        let mut optimizer = Sgd::new(config.lr);
        if config.l2 > 0.0 {
            // The course's L2 covers the weights, not the biases.
            let weights: Vec<String> = net.weights().into_iter().map(|(name, _)| name).collect();
            optimizer = optimizer.group(ParamGroup::new(weights).weight_decay(WeightDecay::L2(config.l2)));
        }
        Session {
            loss: network::loss(&config),
            order: epoch_order(config.train_size, true, config.seed, 0),
            plan: config.gd_mode().plan_epoch(config.train_size, false, MAX_CHUNK),
            config,
            net,
            optimizer,
            next: 0,
            epochs_started: 1,
            updates: 0,
            seen: 0,
            trained: Duration::ZERO,
        }
    }

    /// The settings of this run.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The network.
    pub fn net(&self) -> &Sequential<f32> {
        &self.net
    }

    /// Runs `n` updates on `train` and returns their mean loss.
    pub fn train(&mut self, train: &Digits, n: usize) -> f64 {
        let began = Instant::now();
        let mut total = 0.0;
        for _ in 0..n {
            total += self.update(train);
        }
        self.trained += began.elapsed();
        total / n.max(1) as f64
    }

    /// One update; returns the loss of its examples before the step.
    fn update(&mut self, train: &Digits) -> f64 {
        if self.next == self.plan.len() {
            self.order = epoch_order(self.config.train_size, true, self.config.seed, self.epochs_started);
            self.epochs_started += 1;
            self.next = 0;
        }
        let update = &self.plan[self.next];
        let (loss, grads) = accumulate_gradients(&update.chunks, |range| {
            let (x, t) = batch(train, &self.order[range], &self.config);
            self.loss.compute(&self.net.forward(&Var::constant(x)), &t)
        });
        self.seen += update.examples.len() as u64;
        self.next += 1;
        self.updates += 1;
        self.optimizer.step(&mut self.net, &grads);
        f64::from(loss)
    }

    /// Where the run is.
    pub fn stats(&self) -> Stats {
        Stats {
            updates: self.updates,
            seen: self.seen,
            epoch: self.seen as f64 / self.config.train_size as f64,
            examples_per_update: self.config.gd_mode().batch_size(self.config.train_size),
            parameters: self.net.num_parameters(),
            seconds: self.trained.as_secs_f64(),
        }
    }

    /// Loss and accuracy on the first [`EVAL_IMAGES`] training images and
    /// test images.
    pub fn evaluate(&self, train: &Digits, test: &Digits) -> Evaluation {
        Evaluation { train: self.score(train), heldout: self.score(test) }
    }

    fn score(&self, digits: &Digits) -> Score {
        let n = EVAL_IMAGES.min(digits.len());
        let (mut loss, mut correct) = (0.0, 0);
        no_grad(|| {
            for start in (0..n).step_by(MAX_CHUNK) {
                let indices: Vec<usize> = (start..(start + MAX_CHUNK).min(n)).collect();
                let (x, t) = batch(digits, &indices, &self.config);
                let y = self.net.forward(&Var::constant(x));
                loss += f64::from(self.loss.compute(&y, &t).item()) * indices.len() as f64;
                let predicted = y.value().argmax(1);
                correct += indices.iter().zip(predicted).filter(|(&i, p)| digits.label(i) == *p).count();
            }
        });
        Score { loss: loss / n as f64, accuracy: correct as f64 / n as f64 }
    }
}

/// The images at `indices` shaped for the network, and their one-hot labels.
fn batch(digits: &Digits, indices: &[usize], config: &Config) -> (Tensor<f32>, Tensor<f32>) {
    let shape = network::input_shape(config.network, indices.len());
    let x = Tensor::from_vec(digits.gather_pixels(indices), &shape).expect("784 pixels per image");
    let t = Tensor::from_vec(digits.gather_one_hot(indices), &[indices.len(), CLASSES]).expect("10 per label");
    (x, t)
}
