//! In-place updates for optimizers, with copy-on-write.
//!
//! A method ending in `_` changes `self`. If the buffer is shared with
//! another tensor (a clone or a view) or `self` is a non-contiguous view, the
//! elements are first copied into a buffer owned by `self` alone, so no other
//! tensor ever sees the change.

use crate::elementwise::broadcast_shape_of;
use crate::layout::Layout;
use crate::strided::map_n;
use crate::{Element, Tensor};
use std::ops::DerefMut;
use std::sync::Arc;

impl<T: Element> Tensor<T> {
    /// The elements as a mutable row-major slice, copying first when the
    /// buffer is shared or `self` is not a gap-free view of all of it.
    pub fn data_mut(&mut self) -> &mut [T] {
        let n = self.numel();
        let owns_exactly = self.is_contiguous() && self.layout.offset() == 0 && self.storage.len() == n;
        if !owns_exactly || Arc::get_mut(&mut self.storage).is_none() {
            let data = self.to_vec();
            self.storage = Arc::new(crate::buffer::Buffer::new(data));
            self.layout = Layout::contiguous(self.layout.shape());
        }
        Arc::get_mut(&mut self.storage).expect("just made unique").deref_mut()
    }

    /// `self[i] = f(self[i])`.
    pub fn map_(&mut self, f: impl Fn(T) -> T) {
        for x in self.data_mut() {
            *x = f(*x);
        }
    }

    /// `self[i] = f(self[i], other[i])`, with `other` broadcast to `self`'s
    /// shape (the shape of `self` never changes).
    #[track_caller]
    pub fn zip_map_(&mut self, other: &Tensor<T>, op: &str, f: impl Fn(T, T) -> T + Sync) {
        let shape = self.shape().to_vec();
        let full = broadcast_shape_of(op, &shape, other.shape());
        assert_eq!(full, shape, "{op}: {:?} cannot be broadcast into the in-place target {shape:?}", other.shape());
        if let (Some(src), true) = (other.as_slice(), other.shape() == shape.as_slice()) {
            // `other` holds its own reference to its buffer: if it is shared
            // with `self`, `data_mut` copies before writing, so `src` stays valid.
            for (x, &y) in self.data_mut().iter_mut().zip(src.iter()) {
                *x = f(*x, y);
            }
            return;
        }
        let layout = other.layout.broadcast_to(&shape).expect("checked above");
        let src = map_n([(&other.storage[..], &layout)], |[y]| y);
        for (x, &y) in self.data_mut().iter_mut().zip(&src) {
            *x = f(*x, y);
        }
    }

    /// `self <- self + alpha * other` (BLAS's axpy), `other` broadcast.
    #[track_caller]
    pub fn add_scaled_(&mut self, alpha: T, other: &Tensor<T>) {
        self.zip_map_(other, "add_scaled_", |x, y| x + alpha * y);
    }

    /// `self <- self + other`.
    #[track_caller]
    pub fn add_(&mut self, other: &Tensor<T>) {
        self.zip_map_(other, "add_", |x, y| x + y);
    }

    /// `self <- self * s`.
    pub fn scale_(&mut self, s: T) {
        self.map_(|x| x * s);
    }

    /// `self <- value` everywhere.
    pub fn fill_(&mut self, value: T) {
        self.map_(|_| value);
    }

    /// Overwrites `self` with `other`'s values (same shape, or broadcast).
    #[track_caller]
    pub fn assign_(&mut self, other: &Tensor<T>) {
        self.zip_map_(other, "assign_", |_, y| y);
    }
}
