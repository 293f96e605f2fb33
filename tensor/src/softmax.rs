//! Softmax and log-softmax along an axis, stable for large logits.
//!
//! Along the last axis of a contiguous tensor (a batch of logits, the
//! common case) each row is computed in one place: its maximum, exponentials
//! and sum, written straight into the output. Other axes compose reductions
//! and broadcasts. Both do the same operations in the same order, so they
//! give the same bits.

use crate::layout::Layout;
use crate::par::prelude::*;
use crate::reduce::nan_max;
use crate::strided::PARALLEL_THRESHOLD;
use crate::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// `softmax(x)_i = e^(x_i - m) / sum_j e^(x_j - m)` along `axis`, where
    /// `m = max_j x_j`. Subtracting the maximum changes nothing
    /// mathematically but keeps every exponent <= 0, so logits of 1e4 do not
    /// overflow.
    #[track_caller]
    pub fn softmax(&self, axis: isize) -> Tensor<T> {
        if let Some((x, n)) = self.last_axis_rows("softmax", axis) {
            return self.map_rows(x, n, |row, out| {
                let m = row_max(row);
                for (o, &v) in out.iter_mut().zip(row) {
                    *o = (v - m).exp();
                }
                let s = out.iter().fold(T::zero(), |a, &e| a + e);
                for o in out.iter_mut() {
                    *o /= s;
                }
            });
        }
        let m = self.max(axis, true);
        let e = self.zip_map(&m, "softmax", |x, m| (x - m).exp());
        let s = e.sum(axis, true);
        e.zip_map(&s, "softmax", |e, s| e / s)
    }

    /// `log_softmax(x)_i = x_i - m - ln(sum_j e^(x_j - m))` along `axis`
    /// (the log-sum-exp trick): finite for any finite logits, unlike
    /// `softmax(x).ln()`, which underflows to `-inf`.
    #[track_caller]
    pub fn log_softmax(&self, axis: isize) -> Tensor<T> {
        if let Some((x, n)) = self.last_axis_rows("log_softmax", axis) {
            return self.map_rows(x, n, |row, out| {
                let m = row_max(row);
                for (o, &v) in out.iter_mut().zip(row) {
                    *o = v - m;
                }
                let lse = out.iter().fold(T::zero(), |a, &v| a + v.exp()).ln();
                for o in out.iter_mut() {
                    *o -= lse;
                }
            });
        }
        let m = self.max(axis, true);
        let shifted = self.zip_map(&m, "log_softmax", |x, m| x - m);
        let lse = shifted.exp().sum(axis, true).ln();
        shifted.zip_map(&lse, "log_softmax", |x, l| x - l)
    }

    /// `ln(sum_i e^(x_i))` along `axis`, computed as `m + ln(sum_i e^(x_i - m))`.
    #[track_caller]
    pub fn logsumexp(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let m = self.max(axis, true);
        // An all -inf row has m = -inf; use 0 there so x - m stays -inf, not NaN.
        let m = m.map(|v| if v.is_finite() { v } else { T::zero() });
        let s = self.zip_map(&m, "logsumexp", |x, m| (x - m).exp()).sum(axis, true);
        let out = s.zip_map(&m, "logsumexp", |s, m| m + s.ln());
        if keepdim {
            out
        } else {
            out.squeeze(axis)
        }
    }
}

/// `max_i row[i]` folded in order, NaN if any element is NaN: the same
/// bits as [`Tensor::max`] over the row.
fn row_max<T: Element>(row: &[T]) -> T {
    row.iter().fold(T::neg_infinity(), |a, &v| nan_max(a, v))
}

impl<T: Element> Tensor<T> {
    /// The elements and row length when `axis` is the last axis of a
    /// contiguous tensor with non-empty rows; `None` otherwise.
    #[track_caller]
    fn last_axis_rows(&self, op: &str, axis: isize) -> Option<(&[T], usize)> {
        let a = Layout::axis(op, axis, self.shape());
        let n = self.shape()[a];
        if a + 1 != self.ndim() || n == 0 {
            return None;
        }
        self.as_slice().map(|x| (x, n))
    }

    /// A tensor of `self`'s shape whose rows of `n` elements are
    /// `row_op(row of x, row of the output)`: rows are independent, so
    /// large inputs are spread over rayon's threads in blocks of rows.
    fn map_rows(&self, x: &[T], n: usize, row_op: impl Fn(&[T], &mut [T]) + Sync) -> Tensor<T> {
        // `row_op` writes every element of its output row.
        let mut out = crate::memory::overwritable(x.len(), T::zero());
        let rows_per_task = (PARALLEL_THRESHOLD / 4 / n).max(1);
        let block = |(src, dst): (&[T], &mut [T])| {
            for (row, out_row) in src.chunks_exact(n).zip(dst.chunks_exact_mut(n)) {
                row_op(row, out_row);
            }
        };
        if x.len() >= PARALLEL_THRESHOLD && x.len() > rows_per_task * n {
            x.par_chunks(rows_per_task * n).zip(out.par_chunks_mut(rows_per_task * n)).for_each(block);
        } else {
            block((x, &mut out));
        }
        Tensor::from_vec_unchecked(out, self.shape())
    }
}
