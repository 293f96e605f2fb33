//! Views: new layouts over the same buffer, in O(1) and without copying.
//!
//! Each method here only computes a new [`Layout`](crate::Layout); the
//! returned tensor shares its buffer with `self` (see
//! [`Tensor::shares_storage_with`]). The one exception is
//! [`Tensor::reshape`] of a layout that cannot be re-expressed, which copies
//! and says so in its documentation.

use crate::layout::{checked_numel, Layout};
use crate::{Element, Tensor};
use std::ops::Range;

impl<T: Element> Tensor<T> {
    fn with_layout(&self, layout: Layout) -> Tensor<T> {
        Tensor::from_parts(self.storage.clone(), layout)
    }

    /// The same elements with a new shape (same count, row-major order).
    ///
    /// A view when the current strides allow it (always for contiguous
    /// tensors); otherwise the elements are **copied** into a new contiguous
    /// buffer, as NumPy and PyTorch do. Use [`try_view`](Self::try_view) to
    /// refuse the copy.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Tensor<T> {
        self.check_reshape("reshape", shape);
        match self.layout.reshaped(shape) {
            Some(layout) => self.with_layout(layout),
            None => Tensor::from_vec_unchecked(self.to_vec(), shape),
        }
    }

    /// Like [`reshape`](Self::reshape) but never copies: `None` when the
    /// layout cannot express `shape` without moving elements.
    #[track_caller]
    pub fn try_view(&self, shape: &[usize]) -> Option<Tensor<T>> {
        self.check_reshape("try_view", shape);
        self.layout.reshaped(shape).map(|l| self.with_layout(l))
    }

    #[track_caller]
    fn check_reshape(&self, op: &str, shape: &[usize]) {
        let n = checked_numel(shape);
        assert!(
            n == Some(self.numel()),
            "{op}: cannot view {} elements of shape {:?} as shape {shape:?}",
            self.numel(),
            self.shape()
        );
    }

    /// Reorders the dimensions: dimension `i` of the result is dimension
    /// `perm[i]` of `self`.
    #[track_caller]
    pub fn permute(&self, perm: &[usize]) -> Tensor<T> {
        self.with_layout(self.layout.permuted(perm))
    }

    /// Swaps dimensions `a` and `b` (negative values count from the end).
    #[track_caller]
    pub fn transpose(&self, a: isize, b: isize) -> Tensor<T> {
        let a = Layout::axis("transpose", a, self.shape());
        let b = Layout::axis("transpose", b, self.shape());
        self.with_layout(self.layout.transposed(a, b))
    }

    /// The matrix transpose: swaps the last two dimensions (a 1-D tensor is
    /// returned unchanged).
    #[track_caller]
    pub fn t(&self) -> Tensor<T> {
        if self.ndim() < 2 {
            return self.clone();
        }
        self.transpose(-2, -1)
    }

    /// Keeps indices `start .. start + len` of dimension `dim`.
    #[track_caller]
    pub fn narrow(&self, dim: isize, start: usize, len: usize) -> Tensor<T> {
        let d = Layout::axis("narrow", dim, self.shape());
        self.with_layout(self.layout.narrowed(d, start, len))
    }

    /// Keeps the index range `range` of dimension `dim` (`t.slice(0, 2..5)`).
    #[track_caller]
    pub fn slice(&self, dim: isize, range: Range<usize>) -> Tensor<T> {
        assert!(range.start <= range.end, "slice: empty-backwards range {range:?} on shape {:?}", self.shape());
        self.narrow(dim, range.start, range.end - range.start)
    }

    /// Fixes dimension `dim` at `index` and removes it (`x[i]` in NumPy for
    /// `dim = 0`).
    #[track_caller]
    pub fn select(&self, dim: isize, index: usize) -> Tensor<T> {
        let d = Layout::axis("select", dim, self.shape());
        self.with_layout(self.layout.selected(d, index))
    }

    /// Removes dimension `dim`, which must have size 1.
    #[track_caller]
    pub fn squeeze(&self, dim: isize) -> Tensor<T> {
        let d = Layout::axis("squeeze", dim, self.shape());
        assert_eq!(self.shape()[d], 1, "squeeze: dimension {d} of shape {:?} is not 1", self.shape());
        self.with_layout(self.layout.squeezed(d))
    }

    /// Removes every dimension of size 1.
    pub fn squeeze_all(&self) -> Tensor<T> {
        let mut layout = self.layout.clone();
        while let Some(d) = layout.shape().iter().position(|&n| n == 1) {
            layout = layout.squeezed(d);
        }
        self.with_layout(layout)
    }

    /// Inserts a dimension of size 1 at position `dim` (`0..=ndim`; negative
    /// values count from the end, `-1` appends).
    #[track_caller]
    pub fn unsqueeze(&self, dim: isize) -> Tensor<T> {
        let n = self.ndim() as isize + 1;
        let d = if dim < 0 { dim + n } else { dim };
        assert!((0..n).contains(&d), "unsqueeze: position {dim} is out of range for shape {:?}", self.shape());
        self.with_layout(self.layout.unsqueezed(d as usize))
    }

    /// Merges dimensions `start ..= end` into one (`flatten(1, -1)` turns
    /// `[N, C, H, W]` into `[N, C*H*W]`). A view when possible, like
    /// [`reshape`](Self::reshape).
    #[track_caller]
    pub fn flatten(&self, start: isize, end: isize) -> Tensor<T> {
        if self.ndim() == 0 {
            return self.reshape(&[1]);
        }
        let s = Layout::axis("flatten", start, self.shape());
        let e = Layout::axis("flatten", end, self.shape());
        assert!(s <= e, "flatten: start {start} is after end {end} for shape {:?}", self.shape());
        let shape = self.shape();
        let mut new_shape = shape[..s].to_vec();
        new_shape.push(shape[s..=e].iter().product());
        new_shape.extend_from_slice(&shape[e + 1..]);
        self.reshape(&new_shape)
    }

    /// Expands to `shape` by NumPy's broadcasting rules: leading dimensions
    /// are added and size-1 dimensions are repeated, both with stride 0, so
    /// nothing is copied.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor<T> {
        match self.layout.broadcast_to(shape) {
            Some(layout) => self.with_layout(layout),
            None => panic!("broadcast_to: shape {:?} cannot be broadcast to {shape:?}", self.shape()),
        }
    }
}
