//! `broadcast_to` and its adjoint `sum_to_shape`: the pair through which all
//! broadcasting gradients flow.

use crate::op_def::{operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::Element;

operators! {
    /// [`Var::broadcast_to`].
    pub static BROADCAST_TO: OpDef = OpDef {
        name: "broadcast_to",
        forward: "x repeated along new and size-1 axes (a view)",
        backward: "dx = sum_to_shape(g)",
        cost: Cost::View,
    };
    /// [`Var::sum_to_shape`].
    pub static SUM_TO_SHAPE: OpDef = OpDef {
        name: "sum_to_shape",
        forward: "x summed down to a shape",
        backward: "dx = broadcast_to(g)",
        cost: Cost::Reduction,
    };
}

impl<T: Element> Var<T> {
    /// Repeats the value along new leading and size-1 dimensions (a
    /// stride-0 view). Backward: the gradient is summed back to the input's
    /// shape.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Var<T> {
        if self.shape() == shape {
            return self.clone();
        }
        let from = self.shape().to_vec();
        Var::from_op(
            &BROADCAST_TO,
            &[self],
            || self.value().broadcast_to(shape),
            move |_, g, _| vec![Some(g.sum_to_shape(&from))],
        )
    }

    /// Sums down to `shape`, the reverse of broadcasting. Backward: the
    /// gradient is broadcast back up.
    #[track_caller]
    pub fn sum_to_shape(&self, shape: &[usize]) -> Var<T> {
        if self.shape() == shape {
            return self.clone();
        }
        let from = self.shape().to_vec();
        Var::from_op(
            &SUM_TO_SHAPE,
            &[self],
            || self.value().sum_to_shape(shape),
            move |_, g, _| vec![Some(g.broadcast_to(&from))],
        )
    }
}
