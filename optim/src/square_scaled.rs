//! The step that RMSprop and Adagrad share: each gradient divided by the
//! square root of a running size of its own squares, so that every weight
//! moves by about `lr` whatever the scale of its gradient. The two differ
//! only in how the running size `s` grows (an average that forgets, or a sum
//! that does not), given as `accumulate(s, g^2)`.

use crate::optimizer::{grad_of, CoreState};
use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;

/// Settings of one square-scaled step.
pub(crate) struct SquareScaled<'a, T: Element> {
    /// The optimizer's name, for messages.
    pub name: &'static str,
    /// Learning rate, step count and groups, of which this step is one.
    pub core: &'a mut CoreState,
    /// Added to `sqrt(s)` so a weight whose gradients were all 0 stays finite.
    pub eps: f64,
    /// The running sizes `s`, one tensor per parameter name.
    pub squares: &'a mut BTreeMap<String, Tensor<T>>,
    /// The value `s` starts from.
    pub initial: f64,
}

impl<T: Element> SquareScaled<'_, T> {
    /// For each parameter `p` with gradient `g`: L2 adds `lambda p` to `g`;
    /// `s <- accumulate(s, g^2)`; `p <- p (1 - lr wd) - lr g / (sqrt(s) + eps)`
    /// (`wd` for decoupled decay).
    pub(crate) fn step(
        self,
        params: &mut [(String, &mut Var<T>)],
        grads: &Gradients<T>,
        accumulate: impl Fn(T, T) -> T,
    ) {
        let f = T::from_f64_lossy;
        let (lr, eps) = (f(self.core.begin_step(self.name, params)), f(self.eps));
        for (name, p) in params.iter_mut() {
            let Some(g) = grad_of(name, p, grads) else { continue };
            let (l2, wd) = self.core.decay_of(name);
            let g = if l2 != 0.0 { g.add(&p.value().mul_scalar(f(l2))) } else { g.contiguous() };
            let g = g.as_slice().expect("contiguous");
            let s = self.squares.entry(name.clone()).or_insert_with(|| Tensor::full(p.shape(), f(self.initial)));
            assert!(
                s.shape() == p.shape(),
                "{}: the buffer of '{name}' has shape {:?}, the parameter {:?}",
                self.name,
                s.shape(),
                p.shape()
            );
            let s = s.data_mut();
            let shrink = T::one() - lr * f(wd);
            p.update(|w| {
                for (i, w) in w.data_mut().iter_mut().enumerate() {
                    s[i] = accumulate(s[i], g[i] * g[i]);
                    *w = *w * shrink - lr * g[i] / (s[i].sqrt() + eps);
                }
            });
        }
    }
}
