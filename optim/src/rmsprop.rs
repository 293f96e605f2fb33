//! RMSprop: gradients divided by a running root mean square of themselves.

use crate::optimizer::{export_buffers, Optimizer, OptimizerState, OptimizerStateError};
use crate::square_scaled::SquareScaled;
use crate::WeightDecay;
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// RMSprop (Hinton's lecture 6e), as PyTorch defines it. For each parameter
/// `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (weights only);
/// 2. `v <- alpha v + (1 - alpha) g^2`, starting from `v = 0`;
/// 3. `p <- p - lr g / (sqrt(v) + eps)` (and `- lr wd p` for decoupled decay).
///
/// Defaults: `alpha = 0.99`, `eps = 1e-8` (PyTorch's; Keras uses `rho = 0.9`
/// and `eps = 1e-7`).
#[derive(Clone, Debug)]
pub struct RmsProp<T: Element> {
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: WeightDecay,
    decay_biases: bool,
    step: u64,
    square_avg: BTreeMap<String, Tensor<T>>,
}

const SQUARE_AVG: &str = "square_avg";

impl<T: Element> RmsProp<T> {
    /// RMSprop with learning rate `lr` and the default `alpha` and `eps`.
    pub fn new(lr: f64) -> Self {
        RmsProp {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: WeightDecay::None,
            decay_biases: false,
            step: 0,
            square_avg: BTreeMap::new(),
        }
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

impl<T: Element> Optimizer<T> for RmsProp<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        self.step += 1;
        let alpha = T::from_f64_lossy(self.alpha);
        let step = SquareScaled {
            name: "RmsProp",
            lr: self.lr,
            eps: self.eps,
            weight_decay: self.weight_decay,
            decay_biases: self.decay_biases,
            squares: &mut self.square_avg,
            initial: 0.0,
        };
        step.step(params, grads, |v, g2| alpha * v + (T::one() - alpha) * g2);
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
        export_buffers(&mut tensors, SQUARE_AVG, &self.square_avg);
        OptimizerState { step: self.step, learning_rate: self.lr, tensors }
    }

    fn load_state_dict(&mut self, state: &OptimizerState<T>) -> Result<(), OptimizerStateError> {
        let [v]: [BTreeMap<String, Tensor<T>>; 1] =
            state.buffers(&[SQUARE_AVG])?.try_into().expect("one map per suffix");
        self.square_avg = v;
        self.step = state.step;
        self.lr = state.learning_rate;
        Ok(())
    }
}
