//! [`Buffer`]: the elements behind one or more tensors.

use crate::memory;
use std::ops::{Deref, DerefMut};

/// The elements a tensor (and its views, through an `Arc`) point into.
///
/// A plain `Vec<T>` that, when the last tensor using it is dropped, goes
/// back to the [`memory`] module for the next request of its length instead
/// of straight to the system allocator.
pub(crate) struct Buffer<T: Send + 'static> {
    data: Vec<T>,
}

impl<T: Send + 'static> Buffer<T> {
    /// Wraps `data`.
    pub(crate) fn new(data: Vec<T>) -> Self {
        Buffer { data }
    }

    /// The vector, which will no longer be recycled by this buffer.
    pub(crate) fn into_vec(mut self) -> Vec<T> {
        std::mem::take(&mut self.data)
    }
}

impl<T: Send + 'static> Deref for Buffer<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.data
    }
}

impl<T: Send + 'static> DerefMut for Buffer<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.data
    }
}

impl<T: Send + 'static> Drop for Buffer<T> {
    fn drop(&mut self) {
        memory::give(std::mem::take(&mut self.data));
    }
}
