//! Adagrad: gradients divided by the root of the sum of all their squares.

use crate::optimizer::{export_buffers, Optimizer, OptimizerState, OptimizerStateError};
use crate::square_scaled::SquareScaled;
use crate::WeightDecay;
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// Adagrad (Duchi, Hazan & Singer, 2011), as PyTorch defines it without
/// learning-rate decay. For each parameter `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (weights only);
/// 2. `s <- s + g^2`, starting from `s = initial_accumulator_value`;
/// 3. `p <- p - lr g / (sqrt(s) + eps)` (and `- lr wd p` for decoupled decay).
///
/// Every step shrinks the next ones, most for the weights whose gradients
/// have been largest. Defaults: `eps = 1e-10`, initial accumulator 0
/// (PyTorch's; Keras starts the sum at 0.1).
#[derive(Clone, Debug)]
pub struct Adagrad<T: Element> {
    lr: f64,
    eps: f64,
    initial_accumulator: f64,
    weight_decay: WeightDecay,
    decay_biases: bool,
    step: u64,
    sum: BTreeMap<String, Tensor<T>>,
}

const SUM: &str = "sum";

impl<T: Element> Adagrad<T> {
    /// Adagrad with learning rate `lr` and the default `eps` and accumulator.
    pub fn new(lr: f64) -> Self {
        Adagrad {
            lr,
            eps: 1e-10,
            initial_accumulator: 0.0,
            weight_decay: WeightDecay::None,
            decay_biases: false,
            step: 0,
            sum: BTreeMap::new(),
        }
    }

    /// Sets the value each sum of squares starts from (at least 0).
    #[track_caller]
    pub fn initial_accumulator_value(mut self, value: f64) -> Self {
        assert!(value >= 0.0 && value.is_finite(), "Adagrad: initial accumulator {value} must be finite and >= 0");
        self.initial_accumulator = value;
        self
    }

    /// Sets the denominator's `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the weight decay (weights only unless [`decay_biases`](Self::decay_biases)).
    pub fn weight_decay(mut self, weight_decay: WeightDecay) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Also decays biases (`false` by default).
    pub fn decay_biases(mut self, yes: bool) -> Self {
        self.decay_biases = yes;
        self
    }
}

impl<T: Element> Optimizer<T> for Adagrad<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        self.step += 1;
        let step = SquareScaled {
            name: "Adagrad",
            lr: self.lr,
            eps: self.eps,
            weight_decay: self.weight_decay,
            decay_biases: self.decay_biases,
            squares: &mut self.sum,
            initial: self.initial_accumulator,
        };
        step.step(params, grads, |s, g2| s + g2);
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }

    fn steps(&self) -> u64 {
        self.step
    }

    fn state_dict(&self) -> OptimizerState<T> {
        let mut tensors = BTreeMap::new();
        export_buffers(&mut tensors, SUM, &self.sum);
        OptimizerState { step: self.step, learning_rate: self.lr, tensors }
    }

    fn load_state_dict(&mut self, state: &OptimizerState<T>) -> Result<(), OptimizerStateError> {
        let [s]: [BTreeMap<String, Tensor<T>>; 1] = state.buffers(&[SUM])?.try_into().expect("one map per suffix");
        self.sum = s;
        self.step = state.step;
        self.lr = state.learning_rate;
        Ok(())
    }
}
