//! The [`Tensor`] type: construction and access.

use crate::buffer::Buffer;
use crate::layout::{checked_numel, Layout};
use crate::{Element, TensorError};
use std::sync::Arc;

/// An n-dimensional array of `f32` or `f64`, cheap to clone.
///
/// A tensor is a shared buffer (an `Arc` around a `Vec<T>`, recycled by
/// [`crate::memory`] when its last tensor goes) plus a [`Layout`]. Cloning a
/// tensor or taking a view (transpose, narrow, permute, broadcast...) copies
/// no elements: the new tensor points at the same buffer with another layout.
/// Writes (`*_` methods) copy the buffer first when it is shared, so a view
/// never observes a write made through another tensor (copy-on-write).
///
/// Tensors are `Send + Sync`: they can be shared between threads.
#[derive(Clone)]
pub struct Tensor<T: Element> {
    pub(crate) storage: Arc<Buffer<T>>,
    pub(crate) layout: Layout,
}

impl<T: Element> Tensor<T> {
    /// Wraps `data` (row-major order) as a tensor of shape `shape`.
    ///
    /// Returns an error when `data.len()` is not the product of `shape`.
    pub fn from_vec(data: Vec<T>, shape: &[usize]) -> Result<Self, TensorError> {
        let expected = checked_numel(shape).ok_or_else(|| TensorError::TooLarge { shape: shape.to_vec() })?;
        if data.len() != expected {
            return Err(TensorError::LengthMismatch { len: data.len(), shape: shape.to_vec(), expected });
        }
        Ok(Self::from_parts(Arc::new(Buffer::new(data)), Layout::contiguous(shape)))
    }

    /// Builds a tensor from a buffer and a layout that the caller has checked.
    pub(crate) fn from_parts(storage: Arc<Buffer<T>>, layout: Layout) -> Self {
        debug_assert!(layout.span_end() <= storage.len(), "layout {layout:?} overruns a buffer of {}", storage.len());
        Tensor { storage, layout }
    }

    /// A contiguous tensor holding `data` with `shape`; panics (naming the
    /// shape) when the lengths disagree. For in-crate results whose length is
    /// known to be right.
    #[track_caller]
    pub(crate) fn from_vec_unchecked(data: Vec<T>, shape: &[usize]) -> Self {
        assert_eq!(
            data.len(),
            shape.iter().product::<usize>(),
            "internal: {} elements for shape {shape:?}",
            data.len()
        );
        Self::from_parts(Arc::new(Buffer::new(data)), Layout::contiguous(shape))
    }

    /// A tensor of `shape` filled with `value`.
    #[track_caller]
    pub fn full(shape: &[usize], value: T) -> Self {
        let n = checked_numel(shape).unwrap_or_else(|| panic!("full: shape {shape:?} has too many elements"));
        Self::from_vec_unchecked(crate::memory::filled(n, value), shape)
    }

    /// A tensor of `shape` filled with zeros.
    #[track_caller]
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, T::zero())
    }

    /// A tensor of `shape` filled with ones.
    #[track_caller]
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, T::one())
    }

    /// A 0-dimensional tensor holding one value.
    pub fn scalar(value: T) -> Self {
        Self::from_vec_unchecked(vec![value], &[])
    }

    /// The 1-D tensor `[start, start + step, ...]` of all values below `end`
    /// (like NumPy's `arange`).
    #[track_caller]
    pub fn arange(start: T, end: T, step: T) -> Self {
        assert!(step != T::zero(), "arange: step must not be zero");
        let count = ((end - start) / step).ceil().to_usize().unwrap_or(0);
        let data: Vec<T> = (0..count).map(|i| start + T::from_usize(i).unwrap() * step).collect();
        let n = data.len();
        Self::from_vec_unchecked(data, &[n])
    }

    /// The `n x n` identity matrix.
    pub fn eye(n: usize) -> Self {
        Self::from_fn(&[n, n], |idx| if idx[0] == idx[1] { T::one() } else { T::zero() })
    }

    /// A tensor whose element at multi-index `idx` is `f(idx)`, filled in
    /// row-major order.
    #[track_caller]
    pub fn from_fn(shape: &[usize], mut f: impl FnMut(&[usize]) -> T) -> Self {
        let n = checked_numel(shape).unwrap_or_else(|| panic!("from_fn: shape {shape:?} has too many elements"));
        let mut data = Vec::with_capacity(n);
        let mut idx = vec![0usize; shape.len()];
        for _ in 0..n {
            data.push(f(&idx));
            for d in (0..shape.len()).rev() {
                idx[d] += 1;
                if idx[d] < shape[d] {
                    break;
                }
                idx[d] = 0;
            }
        }
        Self::from_vec_unchecked(data, shape)
    }

    /// The size of each dimension.
    pub fn shape(&self) -> &[usize] {
        self.layout.shape()
    }

    /// The buffer distance between neighbours along each dimension.
    pub fn strides(&self) -> &[usize] {
        self.layout.strides()
    }

    /// Buffer position of the first element.
    pub fn offset(&self) -> usize {
        self.layout.offset()
    }

    /// The layout (shape, strides, offset).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }

    /// True when the elements sit row-major and gap-free in the buffer.
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    /// True when `self` and `other` share one buffer (one is a view of the
    /// other, or both are views of a third).
    pub fn shares_storage_with(&self, other: &Tensor<T>) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// The elements in logical row-major order, when they are stored that
    /// way (`None` for a non-contiguous view; call [`contiguous`](Self::contiguous) first).
    pub fn as_slice(&self) -> Option<&[T]> {
        if self.numel() == 0 {
            Some(&[])
        } else if self.is_contiguous() {
            let start = self.layout.offset();
            Some(&self.storage[start..start + self.numel()])
        } else {
            None
        }
    }

    /// A contiguous tensor with the same values: `self` itself (a cheap
    /// clone) when already contiguous, otherwise a copy. This is the one
    /// place where views are materialised.
    pub fn contiguous(&self) -> Tensor<T> {
        if self.is_contiguous() {
            self.clone()
        } else {
            Self::from_vec_unchecked(self.to_vec(), self.shape())
        }
    }

    /// The elements in logical row-major order, copied into a new `Vec`.
    pub fn to_vec(&self) -> Vec<T> {
        match self.as_slice() {
            Some(s) => {
                let mut v = crate::memory::take(s.len());
                v.extend_from_slice(s);
                v
            }
            None => crate::strided::gather(&self.storage, &self.layout),
        }
    }

    /// The elements, consuming the tensor; no copy when it is contiguous and
    /// the only owner of its whole buffer.
    pub fn into_vec(self) -> Vec<T> {
        let n = self.numel();
        if self.is_contiguous() && self.layout.offset() == 0 && self.storage.len() == n {
            match Arc::try_unwrap(self.storage) {
                Ok(buffer) => buffer.into_vec(),
                Err(shared) => shared[..n].to_vec(),
            }
        } else {
            self.to_vec()
        }
    }

    /// The element at multi-index `index`.
    #[track_caller]
    pub fn get(&self, index: &[usize]) -> T {
        self.storage[self.layout.position(index)]
    }

    /// The value of a one-element tensor (any number of dimensions).
    #[track_caller]
    pub fn item(&self) -> T {
        assert_eq!(self.numel(), 1, "item: tensor of shape {:?} has {} elements, not 1", self.shape(), self.numel());
        self.storage[self.layout.offset()]
    }

    /// Converts every element to another float type.
    pub fn cast<U: Element>(&self) -> Tensor<U> {
        let data = self.to_vec().into_iter().map(|x| U::from_f64_lossy(x.to_f64_lossless())).collect();
        Tensor::from_vec_unchecked(data, self.shape())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_are_send_and_sync() {
        fn check<X: Send + Sync>() {}
        check::<Tensor<f32>>();
        check::<Tensor<f64>>();
    }

    #[test]
    fn from_vec_checks_length() {
        let err = Tensor::<f32>::from_vec(vec![1.0; 5], &[2, 3]).unwrap_err();
        assert_eq!(err.to_string(), "5 elements cannot fill shape [2, 3], which needs 6");
        assert!(Tensor::<f64>::from_vec(vec![], &[usize::MAX, 2]).is_err());
    }

    #[test]
    fn constructors() {
        assert_eq!(Tensor::<f32>::arange(0.0, 5.0, 2.0).to_vec(), vec![0.0, 2.0, 4.0]);
        assert_eq!(Tensor::<f64>::eye(2).to_vec(), vec![1.0, 0.0, 0.0, 1.0]);
        let t = Tensor::<f32>::from_fn(&[2, 3], |i| (i[0] * 10 + i[1]) as f32);
        assert_eq!(t.to_vec(), vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        assert_eq!(t.get(&[1, 2]), 12.0);
        assert_eq!(Tensor::<f32>::scalar(3.0).item(), 3.0);
        assert_eq!(Tensor::<f32>::zeros(&[2, 0]).numel(), 0);
    }
}
