//! The L2 penalty as a loss term.

use sinapse_autograd::Var;
use sinapse_tensor::{Element, Tensor};

/// The course's L2 regularization term, `lambda/2 * sum over W of ||W||^2`,
/// over the `(name, weight)` pairs given (a network's weights, without its
/// biases), as a differentiable 0-d variable to add to the loss.
///
/// Its gradient is `lambda W`, so `loss + l2_penalty(&weights, lambda)`
/// trained with plain SGD gives the same update as `Sgd` with a
/// [`ParamGroup`](crate::ParamGroup) of those weights and
/// [`WeightDecay::L2(lambda)`](crate::WeightDecay::L2).
pub fn l2_penalty<T: Element>(weights: &[(String, &Var<T>)], lambda: f64) -> Var<T> {
    let mut total = Var::constant(Tensor::scalar(T::zero()));
    for (_, w) in weights {
        total = total.add(&w.square().sum_all());
    }
    total.mul_scalar(T::from_f64_lossy(lambda / 2.0))
}
