//! [`Buffer`]: a tensor a module keeps besides its parameters.

use sinapse_tensor::{Element, Tensor};
use std::sync::Mutex;

/// State a module keeps and saves with its parameters, but that no gradient
/// trains: batch normalization's running mean and variance (PyTorch's
/// "buffers"). A layer may update it during `forward`, which takes `&self`,
/// so the tensor sits behind a lock.
#[derive(Debug)]
pub struct Buffer<T: Element> {
    value: Mutex<Tensor<T>>,
}

impl<T: Element> Buffer<T> {
    /// A buffer holding `value`.
    pub fn new(value: Tensor<T>) -> Self {
        Buffer { value: Mutex::new(value) }
    }

    /// The current value (a cheap handle: tensors share their storage).
    pub fn get(&self) -> Tensor<T> {
        self.lock().clone()
    }

    /// Replaces the value.
    pub fn set(&self, value: Tensor<T>) {
        *self.lock() = value;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tensor<T>> {
        // A panic while the lock was held left a whole tensor in place (a
        // replacement is one assignment), so the value is still usable.
        self.value.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
