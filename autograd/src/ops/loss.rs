//! The fused softmax cross-entropy.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::{Element, Tensor};

impl<T: Element> Var<T> {
    /// Mean cross-entropy between `softmax(logits)` and target distributions,
    /// computed from the logits in one stable step:
    ///
    /// `L = -(1/B) sum_b sum_c t_bc * log_softmax(z)_bc`
    ///
    /// `self` is `[B, C]` logits, `targets` is `[B, C]` (one-hot labels or
    /// any rows summing to 1). Backward: `dz = g * (softmax(z) - t) / B`,
    /// the course's "prediction minus one-hot" — no division by a
    /// probability, so it stays finite for logits of any size.
    #[track_caller]
    pub fn cross_entropy_with_logits(&self, targets: &Tensor<T>) -> Var<T> {
        assert!(
            self.shape().len() == 2 && targets.shape() == self.shape(),
            "cross_entropy_with_logits: logits {:?} and targets {:?} must both be [batch, classes]",
            self.shape(),
            targets.shape()
        );
        let batch = self.shape()[0];
        let inv_b = T::one() / T::from_usize(batch.max(1)).unwrap();
        let timer = OpTimer::start();
        let log_p = self.value().log_softmax(1);
        let loss = log_p.mul(targets).sum_all().neg() * inv_b;
        let t = targets.clone();
        Var::from_op_timed("cross_entropy_with_logits", &[self], timer, Tensor::scalar(loss), move |_, g, x| {
            let diff = x[0].softmax(1).sub(&Var::constant(t.clone()));
            vec![Some(diff.mul(&g.broadcast_to(x[0].shape())).mul_scalar(inv_b))]
        })
    }
}
