//! Gradient clipping by global norm.

use sinapse_autograd::Gradients;
use sinapse_tensor::Element;

/// The global norm `sqrt(sum over the set of ||g||^2)` of every gradient in
/// `grads`, computed in `f64`.
pub fn grad_norm<T: Element>(grads: &Gradients<T>) -> f64 {
    grads.iter().map(|(_, g)| g.to_vec().iter().map(|x| x.to_f64_lossless().powi(2)).sum::<f64>()).sum::<f64>().sqrt()
}

/// Clips a gradient set by its global norm: when `n = grad_norm > max_norm`,
/// every gradient is multiplied by `max_norm / (n + 1e-6)` (PyTorch's rule),
/// so the direction is kept and the norm becomes `max_norm`. Returns `n`,
/// the norm before clipping (worth logging: spikes reveal instabilities).
///
/// The set is what a backward pass returned: the gradients of the leaves it
/// reached, which in training are the network's parameters.
///
/// # Panics
/// When `max_norm` is not positive.
#[track_caller]
pub fn clip_grad_norm<T: Element>(grads: &mut Gradients<T>, max_norm: f64) -> f64 {
    assert!(max_norm > 0.0, "clip_grad_norm: max_norm {max_norm} must be > 0");
    let norm = grad_norm(grads);
    if norm > max_norm {
        grads.scale(T::from_f64_lossy(max_norm / (norm + 1e-6)));
    }
    norm
}
