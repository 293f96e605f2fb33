//! Matrix products through matrixmultiply, with the operands' own strides,
//! or, when [`kernel_choice`](crate::kernels::kernel_choice) says so, the
//! three loops of [`reference::matmul`](crate::kernels::reference::matmul).

use crate::elementwise::broadcast_shape_of;
use crate::kernels::gemm::{gemm, MatMut, MatRef};
use crate::kernels::reference::matmul as reference;
use crate::kernels::use_reference;
use crate::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// Matrix product `C = A B`.
    ///
    /// - 2-D: `[m, k] x [k, n] -> [m, n]`.
    /// - N-D: the last two dimensions are matrices and the leading ones are
    ///   batch dimensions, broadcast like NumPy (`[b, m, k] x [k, n]` works).
    /// - A 1-D operand is treated as a row (left) or column (right) vector
    ///   and that dimension is removed from the result.
    ///
    /// Each operand's strides go straight to the gemm, so `a.t().matmul(&b)`
    /// reads `a` transposed without copying it.
    #[track_caller]
    pub fn matmul(&self, other: &Tensor<T>) -> Tensor<T> {
        assert!(
            self.ndim() >= 1 && other.ndim() >= 1,
            "matmul: operands must have at least one dimension, got {:?} and {:?}",
            self.shape(),
            other.shape()
        );
        let a = if self.ndim() == 1 { self.unsqueeze(0) } else { self.clone() };
        let b = if other.ndim() == 1 { other.unsqueeze(-1) } else { other.clone() };
        let (ra, rb) = (a.ndim(), b.ndim());
        let (m, k) = (a.shape()[ra - 2], a.shape()[ra - 1]);
        let (k2, n) = (b.shape()[rb - 2], b.shape()[rb - 1]);
        assert_eq!(k, k2, "matmul: inner dimensions differ: {:?} x {:?} ({k} vs {k2})", self.shape(), other.shape());
        let batch = broadcast_shape_of("matmul", &a.shape()[..ra - 2], &b.shape()[..rb - 2]);
        let mut a_shape = batch.clone();
        a_shape.extend([m, k]);
        let mut b_shape = batch.clone();
        b_shape.extend([k, n]);
        let a = a.broadcast_to(&a_shape);
        let b = b.broadcast_to(&b_shape);
        let batches: usize = batch.iter().product();
        let mut out_shape = batch.clone();
        if self.ndim() > 1 {
            out_shape.push(m);
        }
        if other.ndim() > 1 {
            out_shape.push(n);
        }
        if use_reference() {
            // Each batch's operands copied to row-major, then the three loops.
            let (a, b) = (a.contiguous(), b.contiguous());
            let (a, b) = (a.as_slice().expect("contiguous"), b.as_slice().expect("contiguous"));
            let mut out = Vec::with_capacity(batches * m * n);
            for bi in 0..batches {
                out.extend(reference::matmul(&a[bi * m * k..][..m * k], &b[bi * k * n..][..k * n], m, k, n));
            }
            return Tensor::from_vec_unchecked(out, &out_shape);
        }
        // Each product below has beta = 0: it writes every element of its block.
        let mut out = crate::memory::overwritable(batches * m * n, T::zero());
        let nb = batch.len();
        for (bi, c) in out.chunks_mut((m * n).max(1)).enumerate().take(batches) {
            // Offset of batch `bi` in each operand (batch dims may be strided or broadcast).
            let (mut oa, mut ob, mut rem) = (a.offset(), b.offset(), bi);
            for d in (0..nb).rev() {
                let i = rem % batch[d];
                rem /= batch[d];
                oa += i * a.strides()[d];
                ob += i * b.strides()[d];
            }
            // [m, k] x [k, n] -> [m, n]
            let am = MatRef {
                data: &a.storage[..],
                offset: oa,
                rows: m,
                cols: k,
                row_stride: a.strides()[nb],
                col_stride: a.strides()[nb + 1],
            };
            let bm = MatRef {
                data: &b.storage[..],
                offset: ob,
                rows: k,
                cols: n,
                row_stride: b.strides()[nb],
                col_stride: b.strides()[nb + 1],
            };
            gemm(T::one(), am, bm, T::zero(), MatMut::row_major(c, m, n));
        }
        Tensor::from_vec_unchecked(out, &out_shape)
    }
}
