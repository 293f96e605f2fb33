//! A safe, bounds-checked front end to the `gemm` of [`Element`].
//!
//! Every matrix product in Sinapse (dense layers, batched matmul, the im2col
//! convolution) goes through [`gemm`], which checks that each strided matrix
//! fits inside its slice before handing raw pointers to matrixmultiply.

use crate::Element;

/// A read-only strided matrix inside a slice: element `(i, j)` is
/// `data[offset + i * row_stride + j * col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a, T> {
    /// The backing elements.
    pub data: &'a [T],
    /// Index of element `(0, 0)`.
    pub offset: usize,
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Distance between rows, in elements (may be 0 for a broadcast row).
    pub row_stride: usize,
    /// Distance between columns, in elements (may be 0).
    pub col_stride: usize,
}

/// A writable strided matrix inside a slice; no two elements may share an
/// address (checked by [`gemm`]).
#[derive(Debug)]
pub struct MatMut<'a, T> {
    /// The backing elements.
    pub data: &'a mut [T],
    /// Index of element `(0, 0)`.
    pub offset: usize,
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Distance between rows, in elements.
    pub row_stride: usize,
    /// Distance between columns, in elements.
    pub col_stride: usize,
}

impl<'a, T> MatRef<'a, T> {
    /// A dense row-major `rows x cols` matrix starting at `data[0]`.
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        MatRef { data, offset: 0, rows, cols, row_stride: cols, col_stride: 1 }
    }

    /// The transpose, as a view (swaps the sizes and the strides; no copy).
    pub fn t(self) -> Self {
        MatRef { rows: self.cols, cols: self.rows, row_stride: self.col_stride, col_stride: self.row_stride, ..self }
    }

    fn last_index(&self) -> Option<usize> {
        if self.rows == 0 || self.cols == 0 {
            return None;
        }
        Some(self.offset + (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride)
    }
}

impl<'a, T> MatMut<'a, T> {
    /// A dense row-major `rows x cols` matrix starting at `data[0]`.
    pub fn row_major(data: &'a mut [T], rows: usize, cols: usize) -> Self {
        MatMut { data, offset: 0, rows, cols, row_stride: cols, col_stride: 1 }
    }

    fn last_index(&self) -> Option<usize> {
        if self.rows == 0 || self.cols == 0 {
            return None;
        }
        Some(self.offset + (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride)
    }

    /// True when distinct `(i, j)` always map to distinct addresses.
    fn has_unique_addresses(&self) -> bool {
        let (r, c, rs, cs) = (self.rows, self.cols, self.row_stride, self.col_stride);
        if r <= 1 && c <= 1 {
            return true;
        }
        if r <= 1 {
            return cs > 0;
        }
        if c <= 1 {
            return rs > 0;
        }
        (cs > 0 && rs >= c * cs) || (rs > 0 && cs >= r * rs)
    }
}

/// `C <- alpha * A * B + beta * C` for strided matrices.
///
/// `A` is `m x k`, `B` is `k x n`, `C` is `m x n`. With `beta = 1` the product
/// is accumulated into `C` (how gradients are summed in place); with
/// `beta = 0` the old contents of `C` are ignored (even NaN).
///
/// # Panics
/// If the sizes disagree, a matrix does not fit in its slice, or `C` has two
/// elements at the same address.
#[track_caller]
pub fn gemm<T: Element>(alpha: T, a: MatRef<'_, T>, b: MatRef<'_, T>, beta: T, c: MatMut<'_, T>) {
    assert!(
        a.cols == b.rows && a.rows == c.rows && b.cols == c.cols,
        "gemm: A is {}x{}, B is {}x{}, C is {}x{}: inner or outer sizes disagree",
        a.rows,
        a.cols,
        b.rows,
        b.cols,
        c.rows,
        c.cols
    );
    for (name, last, len) in
        [("A", a.last_index(), a.data.len()), ("B", b.last_index(), b.data.len()), ("C", c.last_index(), c.data.len())]
    {
        if let Some(last) = last {
            assert!(last < len, "gemm: matrix {name} reaches index {last} of a slice of length {len}");
        }
    }
    assert!(c.has_unique_addresses(), "gemm: C's strides make two elements share an address");
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // The product is empty: C <- beta * C, with beta = 0 meaning "overwrite".
        for i in 0..m {
            for j in 0..n {
                let idx = c.offset + i * c.row_stride + j * c.col_stride;
                c.data[idx] = if beta == T::zero() { T::zero() } else { beta * c.data[idx] };
            }
        }
        return;
    }
    // SAFETY: the asserts above prove that every (i, j) address of A, B and C
    // lies inside its slice, and that C's addresses are distinct; `c.data` is
    // a unique borrow, so C aliases neither A nor B. Strides fit in isize
    // because they index within a slice, which is at most isize::MAX bytes.
    unsafe {
        T::gemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr().add(a.offset),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr().add(b.offset),
            b.row_stride as isize,
            b.col_stride as isize,
            beta,
            c.data.as_mut_ptr().add(c.offset),
            c.row_stride as isize,
            c.col_stride as isize,
        );
    }
}
