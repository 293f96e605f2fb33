//! `broadcast_to` and its adjoint `sum_to_shape`: the pair through which all
//! broadcasting gradients flow.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::Element;

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
        let timer = OpTimer::start();
        Var::from_op_timed("broadcast_to", &[self], timer, self.value().broadcast_to(shape), move |_, g, _| {
            vec![Some(g.sum_to_shape(&from))]
        })
    }

    /// Sums down to `shape`, the reverse of broadcasting. Backward: the
    /// gradient is broadcast back up.
    #[track_caller]
    pub fn sum_to_shape(&self, shape: &[usize]) -> Var<T> {
        if self.shape() == shape {
            return self.clone();
        }
        let from = self.shape().to_vec();
        let timer = OpTimer::start();
        Var::from_op_timed("sum_to_shape", &[self], timer, self.value().sum_to_shape(shape), move |_, g, _| {
            vec![Some(g.broadcast_to(&from))]
        })
    }
}
