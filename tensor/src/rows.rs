//! Reading rows of a table by index, and its adjoint: the lookup behind an
//! embedding layer.
//!
//! `take_rows` reads `y[i, :] = table[idx[i], :]`; `scatter_add_rows` adds
//! each row of `g` into the row of a zero table that `idx` names, which is
//! the lookup's gradient. Both cost one pass over the rows read, so a
//! batch's gradient costs as much as its lookups, whatever the table's size
//! (no one-hot matrix is ever formed).

use crate::Tensor;
use crate::{Element, TensorError};

/// Row indices with a shape: the integer input of an embedding lookup.
///
/// `shape` is the shape of the lookup's output without its last dimension,
/// `[B]` for one word per example, `[B, T]` for sequences of `T` words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowIndices {
    indices: Vec<usize>,
    shape: Vec<usize>,
}

impl RowIndices {
    /// Indices in row-major order over `shape`.
    ///
    /// # Errors
    /// [`TensorError::LengthMismatch`] when `indices` does not have one entry
    /// per element of `shape`.
    pub fn new(indices: Vec<usize>, shape: &[usize]) -> Result<RowIndices, TensorError> {
        let expected: usize = shape.iter().product();
        if indices.len() != expected {
            return Err(TensorError::LengthMismatch { len: indices.len(), shape: shape.to_vec(), expected });
        }
        Ok(RowIndices { indices, shape: shape.to_vec() })
    }

    /// Reads indices stored in a tensor as whole numbers (the way a batch of
    /// word ids arrives in an `f32` batch), with the tensor's shape.
    ///
    /// # Errors
    /// [`TensorError::NotAnIndex`] naming the first value that is negative,
    /// fractional or not finite.
    pub fn from_tensor<T: Element>(values: &Tensor<T>) -> Result<RowIndices, TensorError> {
        let mut indices = Vec::with_capacity(values.numel());
        for (position, v) in values.to_vec().into_iter().enumerate() {
            let x = v.to_f64_lossless();
            if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64) {
                return Err(TensorError::NotAnIndex { position, value: x.to_string() });
            }
            indices.push(x as usize);
        }
        Ok(RowIndices { indices, shape: values.shape().to_vec() })
    }

    /// The indices, row-major.
    pub fn as_slice(&self) -> &[usize] {
        &self.indices
    }

    /// The shape the indices are laid out in.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The shape of a lookup's output from rows of `width` elements:
    /// `shape ++ [width]`.
    pub fn output_shape(&self, width: usize) -> Vec<usize> {
        let mut shape = self.shape.clone();
        shape.push(width);
        shape
    }

    #[track_caller]
    fn check_range(&self, op: &str, rows: usize, table: &[usize]) {
        if let Some(&bad) = self.indices.iter().find(|&&i| i >= rows) {
            panic!("{op}: index {bad} is out of range for a table of shape {table:?} ({rows} rows)");
        }
    }
}

impl<T: Element> Tensor<T> {
    /// The lookup `y[i, :] = self[idx[i], :]`.
    ///
    /// - `self`: the table, `[V, D]`;
    /// - `indices`: any shape `S`, each index below `V`;
    /// - returns `S ++ [D]`.
    ///
    /// # Panics
    /// If `self` is not 2-D or an index is `V` or more (the message names
    /// `take_rows`, the index and the table's shape).
    #[track_caller]
    pub fn take_rows(&self, indices: &RowIndices) -> Tensor<T> {
        assert!(self.ndim() == 2, "take_rows: the table must be [rows, width], got {:?}", self.shape());
        let (rows, width) = (self.shape()[0], self.shape()[1]);
        indices.check_range("take_rows", rows, self.shape());
        let table = self.contiguous();
        let table = table.as_slice().expect("a contiguous tensor exposes its elements as a slice");
        let mut out = crate::memory::take(indices.indices.len() * width);
        for &i in &indices.indices {
            out.extend_from_slice(&table[i * width..(i + 1) * width]);
        }
        Tensor::from_vec_unchecked(out, &indices.output_shape(width))
    }

    /// The adjoint of [`take_rows`](Self::take_rows):
    /// `y[r, :] = sum over i with idx[i] = r of self[i, :]`, a `[rows, D]`
    /// table that is zero in every row no index names.
    ///
    /// - `self`: `S ++ [D]`, `S` the indices' shape;
    /// - returns `[rows, D]`.
    ///
    /// Rows are added in the order of the indices, so the result does not
    /// depend on threads.
    ///
    /// # Panics
    /// If `self` is not shaped `S ++ [D]` or an index is `rows` or more (the
    /// message names `scatter_add_rows` and the shapes).
    #[track_caller]
    pub fn scatter_add_rows(&self, indices: &RowIndices, rows: usize) -> Tensor<T> {
        let width = self.shape().last().copied().unwrap_or(0);
        assert!(
            self.ndim() == indices.shape.len() + 1 && self.shape()[..indices.shape.len()] == indices.shape[..],
            "scatter_add_rows: rows of shape {:?} do not match indices of shape {:?}",
            self.shape(),
            indices.shape
        );
        indices.check_range("scatter_add_rows", rows, &[rows, width]);
        let g = self.contiguous();
        let g = g.as_slice().expect("a contiguous tensor exposes its elements as a slice");
        let mut out = vec![T::zero(); rows * width];
        for (row, &i) in g.chunks_exact(width.max(1)).zip(&indices.indices) {
            for (o, &v) in out[i * width..(i + 1) * width].iter_mut().zip(row) {
                *o += v;
            }
        }
        Tensor::from_vec_unchecked(out, &[rows, width])
    }
}
