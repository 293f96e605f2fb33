//! Stochastic gradient descent with momentum and weight decay.

use crate::optimizer::{buffer_map, grad_of, single_buffer, CoreState, Optimizer, OptimizerStateError};
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
/// optional [`Momentum`] and [`WeightDecay`](crate::WeightDecay).
///
/// One step, for each parameter `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (for the parameters whose group has L2);
/// 2. momentum: `v <- mu v + g`; direction `d = v` (classic) or
///    `d = g + mu v` (Nesterov); without momentum `d = g`;
/// 3. `p <- p - lr d - lr wd p` (the last term for decoupled decay).
///
/// ```
/// use sinapse_optim::{Momentum, Optimizer, Sgd, WeightDecay};
/// let opt = Sgd::<f32>::new(0.01).momentum(Momentum::Nesterov(0.9)).weight_decay(WeightDecay::L2(1e-4));
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T: Element> {
    core: CoreState,
    momentum: Momentum,
    velocity: BTreeMap<String, Tensor<T>>,
}

const VELOCITY: &str = "momentum_buffer";

impl<T: Element> Sgd<T> {
    /// Plain SGD with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Sgd { core: CoreState::new(lr), momentum: Momentum::None, velocity: BTreeMap::new() }
    }

    /// Sets the momentum.
    pub fn momentum(mut self, momentum: Momentum) -> Self {
        self.momentum = momentum;
        self
    }
}

impl<T: Element> Optimizer<T> for Sgd<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        let lr = T::from_f64_lossy(self.core.begin_step("Sgd", params));
        for (name, p) in params.iter_mut() {
            let Some(g) = grad_of(name, p, grads) else { continue };
            let (l2, wd) = self.core.decay_of(name);
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

    fn describe(&self) -> String {
        format!("SGD, momentum {:?}", self.momentum)
    }

    fn core(&self) -> &CoreState {
        &self.core
    }

    fn core_mut(&mut self) -> &mut CoreState {
        &mut self.core
    }

    fn buffers(&self) -> BTreeMap<String, Tensor<T>> {
        buffer_map(VELOCITY, &self.velocity)
    }

    fn load_buffers(&mut self, buffers: &BTreeMap<String, Tensor<T>>) -> Result<(), OptimizerStateError> {
        self.velocity = single_buffer(buffers, VELOCITY)?;
        Ok(())
    }
}
