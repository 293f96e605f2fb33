//! Losses computed from logits in one stable step: the softmax
//! cross-entropy and the per-element binary cross-entropy.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{Element, Tensor};

operators! {
    /// [`Var::cross_entropy_with_logits`].
    pub static CROSS_ENTROPY_WITH_LOGITS: OpDef = OpDef {
        name: "cross_entropy_with_logits",
        forward: "L = -(1/B) Σ_b Σ_c t_bc log_softmax(z)_bc",
        backward: "dz = g (softmax(z) - t) / B",
        cost: Cost::Reduction,
    };
    /// [`Var::binary_cross_entropy_with_logits`].
    pub static BINARY_CROSS_ENTROPY_WITH_LOGITS: OpDef = OpDef {
        name: "binary_cross_entropy_with_logits",
        forward: "l = max(z, 0) - z y + ln(1 + e^(-|z|)), per element",
        backward: "dz = g (σ(z) - y)",
        cost: Cost::Elementwise,
    };
}

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
        let forward = || Tensor::scalar(self.value().log_softmax(1).mul(targets).sum_all().neg() * inv_b);
        let t = targets.clone();
        Var::from_op(&CROSS_ENTROPY_WITH_LOGITS, &[self], forward, move |_, g, x| {
            let diff = x[0].softmax(1).sub(&Var::constant(t.clone()));
            vec![Some(diff.mul(&g.broadcast_to(x[0].shape())).mul_scalar(inv_b))]
        })
    }

    /// Binary cross-entropy per element on logits `z = self` (before the
    /// sigmoid), in the stable form
    /// `l = max(z, 0) - z y + ln(1 + e^(-|z|))`, equal to
    /// `-[y ln s(z) + (1 - y) ln(1 - s(z))]` without ever forming `s(z)`.
    /// `targets` `y` has the shape of `self`. Backward: `dz = g (s(z) - y)`,
    /// written with [`sigmoid`](Self::sigmoid) so that it differentiates
    /// again.
    #[track_caller]
    pub fn binary_cross_entropy_with_logits(&self, targets: &Tensor<T>) -> Var<T> {
        assert_eq!(
            targets.shape(),
            self.shape(),
            "binary_cross_entropy_with_logits: targets {:?} must have the shape of the logits {:?}",
            targets.shape(),
            self.shape()
        );
        let forward = || {
            self.value().zip_map(targets, "binary_cross_entropy_with_logits", |z, y| {
                z.max(T::zero()) - z * y + (-z.abs()).exp().ln_1p()
            })
        };
        let y = targets.clone();
        Var::from_op(&BINARY_CROSS_ENTROPY_WITH_LOGITS, &[self], forward, move |_, g, x| {
            vec![Some(g.mul(&x[0].sigmoid().sub(&Var::constant(y.clone()))))]
        })
    }
}
