//! Softmax and log-softmax along an axis.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::Element;

operators! {
    /// [`Var::softmax`].
    pub static SOFTMAX: OpDef = OpDef {
        name: "softmax",
        forward: "y_i = e^(x_i) / Σ_j e^(x_j)",
        backward: "dx = y (g - Σ g y)",
        cost: Cost::Reduction,
    };
    /// [`Var::log_softmax`].
    pub static LOG_SOFTMAX: OpDef = OpDef {
        name: "log_softmax",
        forward: "x_i - ln Σ_j e^(x_j)",
        backward: "dx = g - e^z Σ g",
        cost: Cost::Reduction,
    };
}

impl<T: Element> Var<T> {
    /// `y_i = e^(x_i) / sum_j e^(x_j)` along `axis` (stable: the maximum is
    /// subtracted first). Backward: `dx = y * (g - sum(g * y))`, the
    /// Jacobian `diag(y) - y y^T` applied to `g`.
    #[track_caller]
    pub fn softmax(&self, axis: isize) -> Var<T> {
        Var::from_op(
            &SOFTMAX,
            &[self],
            || self.value().softmax(axis),
            move |y, g, _| {
                let gy = g.mul(y);
                vec![Some(gy.sub(&y.mul(&gy.sum(axis, true))))]
            },
        )
    }

    /// `x_i - ln(sum_j e^(x_j))` along `axis` (log-sum-exp, stable).
    /// Backward: `dx = g - softmax(x) * sum(g)`, with `softmax(x) = e^z`.
    #[track_caller]
    pub fn log_softmax(&self, axis: isize) -> Var<T> {
        Var::from_op(
            &LOG_SOFTMAX,
            &[self],
            || self.value().log_softmax(axis),
            move |z, g, _| vec![Some(g.sub(&z.exp().mul(&g.sum(axis, true))))],
        )
    }
}
