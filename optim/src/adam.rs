//! Adam and AdamW.

use crate::optimizer::{export_buffers, grad_of, CoreState, Optimizer, OptimizerState, OptimizerStateError};
use crate::WeightDecay;
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// Adam (Kingma & Ba, 2015) with bias-corrected moments; AdamW when the
/// weight decay is [`WeightDecay::Decoupled`].
///
/// At step `t`, for each parameter `p` with gradient `g`:
/// 1. L2: `g <- g + lambda p` (for the parameters whose group has L2);
/// 2. `m <- b1 m + (1 - b1) g`, `v <- b2 v + (1 - b2) g^2`;
/// 3. `m_hat = m / (1 - b1^t)`, `v_hat = v / (1 - b2^t)`;
/// 4. `p <- p - lr m_hat / (sqrt(v_hat) + eps) - lr wd p` (the last term
///    for decoupled decay).
///
/// Defaults: `b1 = 0.9`, `b2 = 0.999`, `eps = 1e-8` (PyTorch's and Keras's,
/// except Keras's `eps = 1e-7`). The step count `t` is shared by all
/// parameters.
#[derive(Clone, Debug)]
pub struct Adam<T: Element> {
    core: CoreState,
    beta1: f64,
    beta2: f64,
    eps: f64,
    exp_avg: BTreeMap<String, Tensor<T>>,
    exp_avg_sq: BTreeMap<String, Tensor<T>>,
}

const EXP_AVG: &str = "exp_avg";
const EXP_AVG_SQ: &str = "exp_avg_sq";

impl<T: Element> Adam<T> {
    /// Adam with learning rate `lr` and the default betas and epsilon.
    pub fn new(lr: f64) -> Self {
        Adam {
            core: CoreState::new(lr),
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            exp_avg: BTreeMap::new(),
            exp_avg_sq: BTreeMap::new(),
        }
    }

    /// AdamW: Adam with decoupled weight decay `wd` on every parameter
    /// outside a group (PyTorch's default `wd` is 0.01).
    pub fn adamw(lr: f64, wd: f64) -> Self {
        Self::new(lr).weight_decay(WeightDecay::Decoupled(wd))
    }

    /// Sets the moment decay rates `(b1, b2)`, each in `[0, 1)`.
    #[track_caller]
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
        assert!(
            (0.0..1.0).contains(&beta1) && (0.0..1.0).contains(&beta2),
            "Adam: betas ({beta1}, {beta2}) must be in [0, 1)"
        );
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets the denominator's `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
}

impl<T: Element> Optimizer<T> for Adam<T> {
    fn step_params(&mut self, params: &mut [(String, &mut Var<T>)], grads: &Gradients<T>) {
        let lr = self.core.begin_step("Adam", params);
        let t = self.core.step as i32;
        let f = T::from_f64_lossy;
        let (b1, b2, eps, lr) = (f(self.beta1), f(self.beta2), f(self.eps), f(lr));
        let bc1 = f(1.0 - self.beta1.powi(t));
        let bc2 = f(1.0 - self.beta2.powi(t));
        for (name, p) in params.iter_mut() {
            let Some(g) = grad_of(name, p, grads) else { continue };
            let (l2, wd) = self.core.decay_of(name);
            let g = if l2 != 0.0 { g.add(&p.value().mul_scalar(f(l2))) } else { g.contiguous() };
            let g = g.as_slice().expect("contiguous");
            let m = self.exp_avg.entry(name.clone()).or_insert_with(|| Tensor::zeros(p.shape()));
            let v = self.exp_avg_sq.entry(name.clone()).or_insert_with(|| Tensor::zeros(p.shape()));
            assert!(
                m.shape() == p.shape() && v.shape() == p.shape(),
                "Adam: moment buffers of '{name}' do not match the parameter's shape {:?}",
                p.shape()
            );
            let (m, v) = (m.data_mut(), v.data_mut());
            let shrink = T::one() - lr * f(wd);
            p.update(|w| {
                for (i, w) in w.data_mut().iter_mut().enumerate() {
                    m[i] = b1 * m[i] + (T::one() - b1) * g[i];
                    v[i] = b2 * v[i] + (T::one() - b2) * g[i] * g[i];
                    let m_hat = m[i] / bc1;
                    let v_hat = v[i] / bc2;
                    *w = *w * shrink - lr * m_hat / (v_hat.sqrt() + eps);
                }
            });
        }
    }

    fn describe(&self) -> String {
        format!("Adam, betas ({}, {}), eps {}", self.beta1, self.beta2, self.eps)
    }

    fn core(&self) -> &CoreState {
        &self.core
    }

    fn core_mut(&mut self) -> &mut CoreState {
        &mut self.core
    }

    fn buffers(&self) -> BTreeMap<String, Tensor<T>> {
        let mut tensors = BTreeMap::new();
        export_buffers(&mut tensors, EXP_AVG, &self.exp_avg);
        export_buffers(&mut tensors, EXP_AVG_SQ, &self.exp_avg_sq);
        tensors
    }

    fn load_buffers(&mut self, buffers: &BTreeMap<String, Tensor<T>>) -> Result<(), OptimizerStateError> {
        let [m, v]: [BTreeMap<String, Tensor<T>>; 2] =
            OptimizerState::split_buffers(buffers, &[EXP_AVG, EXP_AVG_SQ])?.try_into().expect("one map per suffix");
        self.exp_avg = m;
        self.exp_avg_sq = v;
        Ok(())
    }
}
