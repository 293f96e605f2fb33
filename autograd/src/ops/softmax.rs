//! Softmax and log-softmax along an axis.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::Element;

impl<T: Element> Var<T> {
    /// `y_i = e^(x_i) / sum_j e^(x_j)` along `axis` (stable: the maximum is
    /// subtracted first). Backward: `dx = y * (g - sum(g * y))`, the
    /// Jacobian `diag(y) - y y^T` applied to `g`.
    #[track_caller]
    pub fn softmax(&self, axis: isize) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("softmax", &[self], timer, self.value().softmax(axis), move |y, g, _| {
            let gy = g.mul(y);
            vec![Some(gy.sub(&y.mul(&gy.sum(axis, true))))]
        })
    }

    /// `x_i - ln(sum_j e^(x_j))` along `axis` (log-sum-exp, stable).
    /// Backward: `dx = g - softmax(x) * sum(g)`, with `softmax(x) = e^z`.
    #[track_caller]
    pub fn log_softmax(&self, axis: isize) -> Var<T> {
        let timer = OpTimer::start();
        Var::from_op_timed("log_softmax", &[self], timer, self.value().log_softmax(axis), move |z, g, _| {
            vec![Some(g.sub(&z.exp().mul(&g.sum(axis, true))))]
        })
    }
}
