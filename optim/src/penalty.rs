//! The L2 penalty as a loss term.

use sinapse_autograd::Var;
use sinapse_nn::{is_bias, Module};
use sinapse_tensor::{Element, Tensor};

/// The course's L2 regularization term, `lambda/2 * sum over weights W of ||W||^2`,
/// as a differentiable 0-d variable to add to the loss. Biases (see
/// [`is_bias`]) are left out.
///
/// Its gradient is `lambda W`, so `loss + l2_penalty(model, lambda)` trained
/// with plain SGD gives the same update as `Sgd` with
/// [`WeightDecay::L2(lambda)`](crate::WeightDecay::L2).
pub fn l2_penalty<T: Element>(model: &dyn Module<T>, lambda: f64) -> Var<T> {
    let mut total = Var::constant(Tensor::scalar(T::zero()));
    for (name, p) in model.parameters() {
        if !is_bias(&name, p.shape().len()) {
            total = total.add(&p.square().sum_all());
        }
    }
    total.mul_scalar(T::from_f64_lossy(lambda / 2.0))
}
