//! RMSprop: gradients divided by a running root mean square of themselves.

use crate::optimizer::{buffer_map, single_buffer, CoreState, Optimizer, OptimizerStateError};
use crate::square_scaled::SquareScaled;
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// RMSprop (Hinton's lecture 6e), as PyTorch defines it. For each parameter
/// `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (for the parameters whose group has L2);
/// 2. `v <- alpha v + (1 - alpha) g^2`, starting from `v = 0`;
/// 3. `p <- p - lr g / (sqrt(v) + eps)` (and `- lr wd p` for decoupled decay).
///
/// Defaults: `alpha = 0.99`, `eps = 1e-8` (PyTorch's; Keras uses `rho = 0.9`
/// and `eps = 1e-7`).
#[derive(Clone, Debug)]
pub struct RmsProp<T: Element> {
    core: CoreState,
    alpha: f64,
    eps: f64,
    square_avg: BTreeMap<String, Tensor<T>>,
}

const SQUARE_AVG: &str = "square_avg";

impl<T: Element> RmsProp<T> {
    /// RMSprop with learning rate `lr` and the default `alpha` and `eps`.
    pub fn new(lr: f64) -> Self {
        RmsProp { core: CoreState::new(lr), alpha: 0.99, eps: 1e-8, square_avg: BTreeMap::new() }
    }

    /// Sets the decay rate `alpha` of the running average, in `[0, 1)`.
    #[track_caller]
    pub fn alpha(mut self, alpha: f64) -> Self {
        assert!((0.0..1.0).contains(&alpha), "RmsProp: alpha {alpha} must be in [0, 1)");
        self.alpha = alpha;
        self
    }

    /// Sets the denominator's `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
}

impl<T: Element> Optimizer<T> for RmsProp<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        let alpha = T::from_f64_lossy(self.alpha);
        let step = SquareScaled {
            name: "RmsProp",
            core: &mut self.core,
            eps: self.eps,
            squares: &mut self.square_avg,
            initial: 0.0,
        };
        step.step(params, grads, |v, g2| alpha * v + (T::one() - alpha) * g2);
    }

    fn describe(&self) -> String {
        format!("RMSprop, alpha {}, eps {}", self.alpha, self.eps)
    }

    fn core(&self) -> &CoreState {
        &self.core
    }

    fn core_mut(&mut self) -> &mut CoreState {
        &mut self.core
    }

    fn buffers(&self) -> BTreeMap<String, Tensor<T>> {
        buffer_map(SQUARE_AVG, &self.square_avg)
    }

    fn load_buffers(&mut self, buffers: &BTreeMap<String, Tensor<T>>) -> Result<(), OptimizerStateError> {
        self.square_avg = single_buffer(buffers, SQUARE_AVG)?;
        Ok(())
    }
}
