//! Reductions: sums, means, extrema and argmax over chosen axes, and
//! [`Tensor::sum_to_shape`], the adjoint of broadcasting.
//!
//! Every reduction moves the reduced axes to the end (a view), then folds
//! each output's group of elements in a fixed order, so results never depend
//! on thread scheduling.

use crate::layout::Layout;
use crate::par::prelude::*;
use crate::strided::{coalesce, PARALLEL_THRESHOLD};
use crate::{Element, Tensor};

/// Which axes a reduction folds: normalized, sorted, deduplicated.
#[track_caller]
fn normalize_axes(op: &str, axes: &[isize], shape: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = axes.iter().map(|&a| Layout::axis(op, a, shape)).collect();
    out.sort_unstable();
    let before = out.len();
    out.dedup();
    assert_eq!(before, out.len(), "{op}: axis list {axes:?} repeats an axis (shape {shape:?})");
    out
}

impl<T: Element> Tensor<T> {
    /// Folds the elements of each group along `axes` with `fold`, starting
    /// from `init`, then maps each result with `finish(acc, count)`. The
    /// result keeps size-1 dimensions in place of the reduced ones when
    /// `keepdim` is true, and drops them otherwise.
    #[track_caller]
    pub fn reduce_axes(
        &self,
        op: &str,
        axes: &[isize],
        keepdim: bool,
        init: T,
        fold: impl Fn(T, T) -> T + Sync,
        finish: impl Fn(T, usize) -> T + Sync,
    ) -> Tensor<T> {
        let shape = self.shape().to_vec();
        let reduced = normalize_axes(op, axes, &shape);
        let kept: Vec<usize> = (0..shape.len()).filter(|d| !reduced.contains(d)).collect();
        let perm: Vec<usize> = kept.iter().chain(&reduced).copied().collect();
        let group: usize = reduced.iter().map(|&d| shape[d]).product();
        let outputs: usize = kept.iter().map(|&d| shape[d]).product();
        let is_prefix = reduced.iter().enumerate().all(|(i, &d)| i == d);
        let is_suffix = kept.iter().enumerate().all(|(i, &d)| i == d);
        let g = GroupFold { init, fold, finish, group };
        let values: Vec<T> = match self.as_slice() {
            // Every path folds each group in the same order (its elements in
            // row-major order), so they give the same bits.
            Some(x) if is_suffix => g.rows(x, outputs),
            Some(x) if is_prefix => g.columns(x, outputs),
            _ => {
                let plan = coalesce([&self.layout.permuted(&perm)]);
                let data = &self.storage[..];
                let reduce_one = |j: usize| {
                    let mut acc = init;
                    if group > 0 {
                        plan.for_each_run(j * group, group, |_, [pos], run, [s]| {
                            for i in 0..run {
                                acc = (g.fold)(acc, data[pos + i * s]);
                            }
                        });
                    }
                    (g.finish)(acc, group)
                };
                if outputs * group >= PARALLEL_THRESHOLD && outputs > 1 {
                    (0..outputs).into_par_iter().map(reduce_one).collect()
                } else {
                    (0..outputs).map(reduce_one).collect()
                }
            }
        };
        let out_shape: Vec<usize> = if keepdim {
            shape.iter().enumerate().map(|(d, &n)| if reduced.contains(&d) { 1 } else { n }).collect()
        } else {
            kept.iter().map(|&d| shape[d]).collect()
        };
        Tensor::from_vec_unchecked(values, &out_shape)
    }

    /// Sum over `axes`: `out[j] = sum_i x[j, i]`.
    #[track_caller]
    pub fn sum_axes(&self, axes: &[isize], keepdim: bool) -> Tensor<T> {
        self.reduce_axes("sum", axes, keepdim, T::zero(), |a, x| a + x, |a, _| a)
    }

    /// Sum over one axis.
    #[track_caller]
    pub fn sum(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        self.sum_axes(&[axis], keepdim)
    }

    /// Mean over `axes`: the sum divided by the number of elements folded.
    #[track_caller]
    pub fn mean_axes(&self, axes: &[isize], keepdim: bool) -> Tensor<T> {
        self.reduce_axes("mean", axes, keepdim, T::zero(), |a, x| a + x, |a, n| a / T::from_usize(n).unwrap())
    }

    /// Mean over one axis.
    #[track_caller]
    pub fn mean(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        self.mean_axes(&[axis], keepdim)
    }

    /// Maximum over one axis (NaN if the group holds a NaN; `-inf` for an
    /// empty group).
    #[track_caller]
    pub fn max(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        self.reduce_axes("max", &[axis], keepdim, T::neg_infinity(), nan_max, |a, _| a)
    }

    /// Minimum over one axis (NaN if the group holds a NaN; `+inf` for an
    /// empty group).
    #[track_caller]
    pub fn min(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        self.reduce_axes("min", &[axis], keepdim, T::infinity(), nan_min, |a, _| a)
    }

    /// Index of the largest element along `axis` (the first one on ties),
    /// for every position of the other axes, in row-major order of the
    /// remaining shape. Panics when the axis is empty.
    #[track_caller]
    pub fn argmax(&self, axis: isize) -> Vec<usize> {
        let d = Layout::axis("argmax", axis, self.shape());
        let n = self.shape()[d];
        assert!(n > 0, "argmax: axis {axis} of shape {:?} is empty", self.shape());
        // Move `axis` last, keeping the other axes in order, so each row of
        // the contiguous copy is one group.
        let perm: Vec<usize> = (0..self.ndim()).filter(|&a| a != d).chain([d]).collect();
        let moved = self.permute(&perm).contiguous();
        let rows = moved.as_slice().expect("contiguous");
        rows.chunks(n)
            .map(|row| {
                let mut best = 0;
                for (i, &x) in row.iter().enumerate() {
                    if x > row[best] || (x.is_nan() && !row[best].is_nan()) {
                        best = i;
                    }
                }
                best
            })
            .collect()
    }

    /// Sum of all elements (a fixed-order pairwise split, so the result is
    /// the same on every run and thread count).
    pub fn sum_all(&self) -> T {
        let flat = self.contiguous();
        pairwise_sum(flat.as_slice().expect("contiguous"))
    }

    /// Mean of all elements (NaN for an empty tensor).
    pub fn mean_all(&self) -> T {
        self.sum_all() / T::from_usize(self.numel()).unwrap()
    }

    /// Largest element (NaN if any is NaN, `-inf` if empty).
    pub fn max_all(&self) -> T {
        self.to_vec().into_iter().fold(T::neg_infinity(), nan_max)
    }

    /// Smallest element (NaN if any is NaN, `+inf` if empty).
    pub fn min_all(&self) -> T {
        self.to_vec().into_iter().fold(T::infinity(), nan_min)
    }

    /// Sums `self` down to `shape`, the reverse of broadcasting `shape` up to
    /// `self.shape()`: leading extra axes are summed away and axes where
    /// `shape` has size 1 are summed with `keepdim`. For any `x` of `shape`
    /// and `g` of `self.shape()`, `<x.broadcast_to(s), g> = <x, g.sum_to_shape(shape)>`,
    /// which is why autograd uses it to return a broadcast input's gradient.
    #[track_caller]
    pub fn sum_to_shape(&self, shape: &[usize]) -> Tensor<T> {
        let from = self.shape();
        assert!(
            Layout::contiguous(shape).broadcast_to(from).is_some(),
            "sum_to_shape: shape {shape:?} does not broadcast to {from:?}"
        );
        if from == shape {
            return self.clone();
        }
        let lead = from.len() - shape.len();
        let mut axes: Vec<isize> = (0..lead as isize).collect();
        for (d, &n) in shape.iter().enumerate() {
            if n == 1 && from[lead + d] != 1 {
                axes.push((lead + d) as isize);
            }
        }
        self.sum_axes(&axes, true).reshape(shape)
    }
}

/// One reduction: each group of `group` elements becomes
/// `finish(fold(...fold(init, x_0)..., x_{group-1}), group)`.
struct GroupFold<T, F, G> {
    init: T,
    fold: F,
    finish: G,
    group: usize,
}

impl<T: Element, F: Fn(T, T) -> T + Sync, G: Fn(T, usize) -> T + Sync> GroupFold<T, F, G> {
    /// The reduction over the trailing axes of contiguous data
    /// `x [outputs, group]`: each output folds one row, a plain slice
    /// (softmax's and a loss's per-sample sums).
    fn rows(&self, x: &[T], outputs: usize) -> Vec<T> {
        let reduce_row =
            |row: &[T]| (self.finish)(row.iter().fold(self.init, |acc, &v| (self.fold)(acc, v)), self.group);
        if self.group == 0 {
            return (0..outputs).map(|_| (self.finish)(self.init, 0)).collect();
        }
        if outputs * self.group >= PARALLEL_THRESHOLD && outputs > 1 {
            x.par_chunks_exact(self.group).map(reduce_row).collect()
        } else {
            x.chunks_exact(self.group).map(reduce_row).collect()
        }
    }

    /// The reduction over the leading axes of contiguous data
    /// `x [group, outputs]`, computed a row at a time into a row of
    /// accumulators, so the inner loop runs along contiguous memory and
    /// vectorizes (a bias gradient: `g [batch, features]` summed over the
    /// batch). Wide rows are cut into column blocks folded in parallel; each
    /// column is still folded in row order.
    fn columns(&self, x: &[T], outputs: usize) -> Vec<T> {
        /// Columns per parallel block: whole cache lines, enough work per task.
        const BLOCK: usize = 1024;
        let mut acc = vec![self.init; outputs];
        let fold_block = |(b, acc): (usize, &mut [T])| {
            let columns = b * BLOCK..b * BLOCK + acc.len();
            for row in x.chunks_exact(outputs) {
                for (a, &v) in acc.iter_mut().zip(&row[columns.clone()]) {
                    *a = (self.fold)(*a, v);
                }
            }
            for a in acc.iter_mut() {
                *a = (self.finish)(*a, self.group);
            }
        };
        if outputs == 0 {
            return acc;
        }
        if outputs * self.group >= PARALLEL_THRESHOLD && outputs > BLOCK {
            acc.par_chunks_mut(BLOCK).enumerate().for_each(fold_block);
        } else {
            acc.chunks_mut(BLOCK).enumerate().for_each(fold_block);
        }
        acc
    }
}

/// `max(a, x)`, NaN when either is NaN.
pub(crate) fn nan_max<T: Element>(a: T, x: T) -> T {
    if a.is_nan() || x.is_nan() {
        T::nan()
    } else if x > a {
        x
    } else {
        a
    }
}

fn nan_min<T: Element>(a: T, x: T) -> T {
    if a.is_nan() || x.is_nan() {
        T::nan()
    } else if x < a {
        x
    } else {
        a
    }
}

/// Pairwise summation: error grows like log(n) instead of n, and the split
/// points depend only on the length (deterministic, parallel when long).
pub(crate) fn pairwise_sum<T: Element>(xs: &[T]) -> T {
    const LEAF: usize = 256;
    if xs.len() <= LEAF {
        let mut acc = T::zero();
        for &x in xs {
            acc += x;
        }
        return acc;
    }
    let mid = xs.len() / 2;
    let (a, b) = if xs.len() >= PARALLEL_THRESHOLD {
        crate::par::join(|| pairwise_sum(&xs[..mid]), || pairwise_sum(&xs[mid..]))
    } else {
        (pairwise_sum(&xs[..mid]), pairwise_sum(&xs[mid..]))
    };
    a + b
}
