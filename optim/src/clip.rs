//! Gradient clipping by global norm.

use sinapse_autograd::Gradients;
use sinapse_nn::Module;
use sinapse_tensor::Element;

/// The global gradient norm `sqrt(sum over parameters of ||g||^2)` of
/// `model`'s parameters (those without a gradient count as 0), computed
/// in `f64`.
pub fn grad_norm<T: Element>(model: &dyn Module<T>, grads: &Gradients<T>) -> f64 {
    let mut total = 0.0f64;
    for (_, p) in model.parameters() {
        if let Some(g) = grads.get(p) {
            total += g.to_vec().iter().map(|x| x.to_f64_lossless().powi(2)).sum::<f64>();
        }
    }
    total.sqrt()
}

/// Clips gradients by global norm: when `n = grad_norm > max_norm`, every
/// gradient is multiplied by `max_norm / (n + 1e-6)` (PyTorch's rule), so
/// the direction is kept and the norm becomes `max_norm`. Returns `n`, the
/// norm before clipping (worth logging: spikes reveal instabilities).
///
/// The scaling applies to every gradient in `grads`.
#[track_caller]
pub fn clip_grad_norm<T: Element>(model: &dyn Module<T>, grads: &mut Gradients<T>, max_norm: f64) -> f64 {
    assert!(max_norm > 0.0, "clip_grad_norm: max_norm {max_norm} must be > 0");
    let norm = grad_norm(model, grads);
    if norm > max_norm {
        grads.scale(T::from_f64_lossy(max_norm / (norm + 1e-6)));
    }
    norm
}
