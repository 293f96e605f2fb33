//! A safe, bounds-checked front end to the `gemm` of [`Element`].
//!
//! Every matrix product in Sinapse (dense layers, batched matmul, the im2col
//! convolution) goes through [`gemm`], which checks that each strided matrix
//! fits inside its slice before handing raw pointers to matrixmultiply.

use super::narrow_gemm::{is_narrow, is_short, narrow_gemm, short_gemm};
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
    if is_narrow(&a, &b) && m * k * n < PARALLEL_MULADDS {
        // Few columns and a product one thread does anyway: dot products
        // in place beat packing both operands.
        narrow_gemm(alpha, a, b, beta, c);
        return;
    }
    if is_short(&a, &b, &c) && m * k * n < PARALLEL_MULADDS {
        // Few rows (a weight gradient onto few outputs): sums of B's rows
        // read in place, instead of packing B.
        short_gemm(alpha, a, b, beta, c);
        return;
    }
    let a_ptr = a.data.as_ptr().wrapping_add(a.offset);
    let b_ptr = b.data.as_ptr().wrapping_add(b.offset);
    let c_ptr = c.data.as_mut_ptr().wrapping_add(c.offset);
    let raw = RawGemm {
        m,
        k,
        n,
        alpha,
        a: a_ptr,
        rsa: a.row_stride as isize,
        csa: a.col_stride as isize,
        b: b_ptr,
        rsb: b.row_stride as isize,
        csb: b.col_stride as isize,
        beta,
        c: c_ptr,
        rsc: c.row_stride as isize,
        csc: c.col_stride as isize,
    };
    // SAFETY: the asserts above prove that every (i, j) address of A, B and C
    // lies inside its slice, and that C's addresses are distinct; `c.data` is
    // a unique borrow, so C aliases neither A nor B. Strides fit in isize
    // because they index within a slice, which is at most isize::MAX bytes.
    unsafe { raw.run_parallel() }
}

/// Multiply-adds above which a product is split over rayon's threads. Below
/// it, waking a second thread and packing the shared operand twice cost
/// more than they save. Measured on a 2-vCPU machine: a 128^3 product (2M
/// multiply-adds) ran at 58-70 GFLOP/s on one thread and 46-58 split in
/// two; the MLP's 64x784x128 products (6.4M) made its training step 1.3x
/// slower split than whole; from 512^3 (134M) the split pays (67-95 against
/// 59-60).
const PARALLEL_MULADDS: usize = 1 << 23;

/// The threshold of the split itself: [`PARALLEL_MULADDS`], except under
/// Miri, where it is low so that the split path runs on products small
/// enough to interpret (which kernel a product goes to does not change).
const SPLIT_MULADDS: usize = if cfg!(miri) { 1 << 10 } else { PARALLEL_MULADDS };

/// Smallest block of rows or columns a thread is given, so each part still
/// feeds the microkernel full panels.
const MIN_BLOCK: usize = 32;

/// A checked gemm call, as raw parts that can be cut into blocks of `C`.
#[derive(Clone, Copy)]
struct RawGemm<T> {
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
}

// SAFETY: a `RawGemm` is only built by `gemm` from borrows that outlive the
// call, and the parallel split hands each thread a disjoint block of `C`
// (distinct addresses, checked by `gemm`), while `A` and `B` are only read.
unsafe impl<T: Send> Send for RawGemm<T> {}
// SAFETY: as above; shared references to a `RawGemm` never write through it
// except into the disjoint `C` block each task owns.
unsafe impl<T: Sync> Sync for RawGemm<T> {}

impl<T: Element> RawGemm<T> {
    /// Runs the product, cutting `C` into row or column blocks computed in
    /// parallel when it is large. Each block is an independent gemm, so the
    /// result is bit-for-bit the same whatever the number of threads (each
    /// element of `C` is still one dot product in the kernel's order).
    ///
    /// # Safety
    /// The pointers and strides must satisfy [`Element::gemm`]'s contract for
    /// the whole `m x k x n` product.
    unsafe fn run_parallel(self) {
        let threads = crate::par::current_num_threads();
        let work = self.m * self.n * self.k;
        if threads < 2 || work < SPLIT_MULADDS || self.m.max(self.n) < 2 * MIN_BLOCK {
            // SAFETY: forwarded from the caller.
            unsafe { self.run() };
            return;
        }
        let split_rows = self.m >= self.n;
        let len = if split_rows { self.m } else { self.n };
        let parts = threads.min(len / MIN_BLOCK).max(1);
        // Block boundaries depend only on the sizes and the thread count;
        // blocks are rounded to multiples of 16 to keep the kernel's panels whole.
        let step = len.div_ceil(parts).div_ceil(16) * 16;
        crate::par::scope(|scope| {
            let mut start = 0;
            while start < len {
                let end = (start + step).min(len);
                let mut block = self;
                if split_rows {
                    block.m = end - start;
                    block.a = self.a.wrapping_offset(start as isize * self.rsa);
                    block.c = self.c.wrapping_offset(start as isize * self.rsc);
                } else {
                    block.n = end - start;
                    block.b = self.b.wrapping_offset(start as isize * self.csb);
                    block.c = self.c.wrapping_offset(start as isize * self.csc);
                }
                // SAFETY: the block is a sub-matrix of the checked product, so
                // its addresses are in bounds, and blocks of C are disjoint.
                scope.spawn(move |_| unsafe { block.run() });
                start = end;
            }
        });
    }

    /// # Safety
    /// As [`Element::gemm`].
    unsafe fn run(self) {
        // SAFETY: forwarded from the caller.
        unsafe {
            T::gemm(
                self.m, self.k, self.n, self.alpha, self.a, self.rsa, self.csa, self.b, self.rsb, self.csb, self.beta,
                self.c, self.rsc, self.csc,
            )
        }
    }
}
