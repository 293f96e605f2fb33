//! Adagrad: gradients divided by the root of the sum of all their squares.

use crate::optimizer::{buffer_map, single_buffer, CoreState, Optimizer, OptimizerStateError};
use crate::square_scaled::SquareScaled;
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// Adagrad (Duchi, Hazan & Singer, 2011), as PyTorch defines it without
/// learning-rate decay. For each parameter `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (for the parameters whose group has L2);
/// 2. `s <- s + g^2`, starting from `s = initial_accumulator_value`;
/// 3. `p <- p - lr g / (sqrt(s) + eps)` (and `- lr wd p` for decoupled decay).
///
/// Every step shrinks the next ones, most for the weights whose gradients
/// have been largest. Defaults: `eps = 1e-10`, initial accumulator 0
/// (PyTorch's; Keras starts the sum at 0.1).
#[derive(Clone, Debug)]
pub struct Adagrad<T: Element> {
    core: CoreState,
    eps: f64,
    initial_accumulator: f64,
    sum: BTreeMap<String, Tensor<T>>,
}

const SUM: &str = "sum";

impl<T: Element> Adagrad<T> {
    /// Adagrad with learning rate `lr` and the default `eps` and accumulator.
    pub fn new(lr: f64) -> Self {
        Adagrad { core: CoreState::new(lr), eps: 1e-10, initial_accumulator: 0.0, sum: BTreeMap::new() }
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
}

impl<T: Element> Optimizer<T> for Adagrad<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        let step = SquareScaled {
            name: "Adagrad",
            core: &mut self.core,
            eps: self.eps,
            squares: &mut self.sum,
            initial: self.initial_accumulator,
        };
        step.step(params, grads, |s, g2| s + g2);
    }

    fn describe(&self) -> String {
        format!("Adagrad, eps {}, initial accumulator {}", self.eps, self.initial_accumulator)
    }

    fn core(&self) -> &CoreState {
        &self.core
    }

    fn core_mut(&mut self) -> &mut CoreState {
        &mut self.core
    }

    fn buffers(&self) -> BTreeMap<String, Tensor<T>> {
        buffer_map(SUM, &self.sum)
    }

    fn load_buffers(&mut self, buffers: &BTreeMap<String, Tensor<T>>) -> Result<(), OptimizerStateError> {
        self.sum = single_buffer(buffers, SUM)?;
        Ok(())
    }
}
