//! Stochastic gradient descent with momentum and weight decay.

use crate::optimizer::{decays, export_buffers, grad_of, Optimizer, OptimizerState, OptimizerStateError};
use crate::WeightDecay;
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// Momentum of [`Sgd`], in PyTorch's formulation (velocity `v` starts at 0).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Momentum {
    /// Plain gradient descent: `p <- p - lr g`.
    #[default]
    None,
    /// Heavy ball: `v <- mu v + g`, `p <- p - lr v`.
    Classic(f64),
    /// Nesterov: `v <- mu v + g`, `p <- p - lr (g + mu v)`.
    Nesterov(f64),
}

/// Stochastic gradient descent, the course's `W <- W - eta dE/dW`, with
/// optional [`Momentum`] and [`WeightDecay`].
///
/// One step, for each parameter `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (weights only);
/// 2. momentum: `v <- mu v + g`; direction `d = v` (classic) or
///    `d = g + mu v` (Nesterov); without momentum `d = g`;
/// 3. `p <- p - lr d - lr wd p` (the last term for decoupled decay, weights only).
///
/// ```
/// use sinapse_optim::{Momentum, Sgd, WeightDecay};
/// let opt = Sgd::<f32>::new(0.01).momentum(Momentum::Nesterov(0.9)).weight_decay(WeightDecay::L2(1e-4));
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T: Element> {
    lr: f64,
    momentum: Momentum,
    weight_decay: WeightDecay,
    decay_biases: bool,
    step: u64,
    velocity: BTreeMap<String, Tensor<T>>,
}

const VELOCITY: &str = "momentum_buffer";

impl<T: Element> Sgd<T> {
    /// Plain SGD with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: Momentum::None,
            weight_decay: WeightDecay::None,
            decay_biases: false,
            step: 0,
            velocity: BTreeMap::new(),
        }
    }

    /// Sets the momentum.
    pub fn momentum(mut self, momentum: Momentum) -> Self {
        self.momentum = momentum;
        self
    }

    /// Sets the weight decay (applied to weights only, see [`decay_biases`](Self::decay_biases)).
    pub fn weight_decay(mut self, weight_decay: WeightDecay) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Also decays biases (`false` by default, as the course's L2 term
    /// covers the weights only).
    pub fn decay_biases(mut self, yes: bool) -> Self {
        self.decay_biases = yes;
        self
    }
}

impl<T: Element> Optimizer<T> for Sgd<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        self.step += 1;
        let lr = T::from_f64_lossy(self.lr);
        for (name, p) in params.iter_mut() {
            let Some(g) = grad_of(name, p, grads) else { continue };
            let (l2, wd) = if decays(name, p, self.decay_biases) { self.weight_decay.split() } else { (0.0, 0.0) };
            let g = if l2 != 0.0 { g.add(&p.value().mul_scalar(T::from_f64_lossy(l2))) } else { g.clone() };
            let direction = match self.momentum {
                Momentum::None => g,
                Momentum::Classic(mu) | Momentum::Nesterov(mu) => {
                    let mu = T::from_f64_lossy(mu);
                    let v = self.velocity.entry(name.clone()).or_insert_with(|| Tensor::zeros(p.shape()));
                    assert_eq!(v.shape(), p.shape(), "Sgd: momentum buffer of '{name}' does not match the parameter");
                    v.scale_(mu);
                    v.add_(&g);
                    if matches!(self.momentum, Momentum::Nesterov(_)) {
                        g.add(&v.mul_scalar(mu))
                    } else {
                        v.clone()
                    }
                }
            };
            let shrink = T::one() - lr * T::from_f64_lossy(wd);
            p.update(|w| {
                if wd != 0.0 {
                    w.scale_(shrink);
                }
                w.add_scaled_(-lr, &direction);
            });
        }
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
        export_buffers(&mut tensors, VELOCITY, &self.velocity);
        OptimizerState { step: self.step, learning_rate: self.lr, tensors }
    }

    fn load_state_dict(&mut self, state: &OptimizerState<T>) -> Result<(), OptimizerStateError> {
        let [velocity]: [BTreeMap<String, Tensor<T>>; 1] =
            state.buffers(&[VELOCITY])?.try_into().expect("one map per suffix");
        self.velocity = velocity;
        self.step = state.step;
        self.lr = state.learning_rate;
        Ok(())
    }
}
