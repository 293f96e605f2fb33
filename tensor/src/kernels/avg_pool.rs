//! 2-D average pooling, forward and backward.
//!
//! Two padding rules ([`AvgPoolPadding`]). `Counted` (PyTorch's default,
//! `count_include_pad = true`): padded positions count as zeros *in the
//! divisor*, so every window divides by `kh * kw`, even where it hangs over
//! the border. A 2x2 window with one row of padding over the input values
//! `1, 2` therefore gives `(0 + 0 + 1 + 2) / 4 = 0.75`. `Excluded`
//! (`count_include_pad = false`): the window divides by the elements it
//! covers, giving `1.5`. Either way the operation is linear, each window
//! with its own weight `1 / divisor`.

use std::ops::Range;

use crate::par::prelude::*;

use super::parallel::items_per_chunk;
use super::pool_shape::{AvgPoolPadding, Pool2dShape};
use crate::Element;

/// Forward 2-D average pooling:
/// `y[n, c, oh, ow] = (1 / d) * sum over the window of x[n, c, oh*sh - ph + i, ow*sw - pw + j]`,
/// where padded positions contribute 0 and `d` is `kh*kw` (padding
/// [`Counted`](AvgPoolPadding::Counted)) or the number of real elements in
/// the window ([`Excluded`](AvgPoolPadding::Excluded)).
///
/// - `input`: `[N, C, H, W]`, row-major; returns `[N, C, OH, OW]`.
///
/// # Panics
/// If `input.len()` disagrees with `s`.
#[track_caller]
pub fn avg_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T], padding: AvgPoolPadding) -> Vec<T> {
    let expected: usize = s.input_shape().iter().product();
    assert!(
        input.len() == expected,
        "avg_pool2d: input has {} elements but shape {:?} needs {expected}",
        input.len(),
        s.input_shape()
    );
    // Every output is written below: no fill first.
    let mut out = crate::memory::overwritable(s.output_shape().iter().product(), T::zero());
    if out.is_empty() {
        return out;
    }
    let work = s.out_plane_len() * s.params.kernel.0 * s.params.kernel.1;
    let per = items_per_chunk(s.planes(), work);
    let (in_step, out_step) = (per * s.in_plane_len(), per * s.out_plane_len());
    let weights = column_weights::<T>(s, padding);
    let chunk = |(x, y): (&[T], &mut [T])| forward_planes(s, &weights, x, y);
    if per >= s.planes() {
        input.chunks(in_step).zip(out.chunks_mut(out_step)).for_each(chunk);
    } else {
        input.par_chunks(in_step).zip(out.par_chunks_mut(out_step)).for_each(chunk);
    }
    out
}

/// The weight `1 / d` of every window, `[OH, OW]`: one value `1 / (kh*kw)`
/// when padding is counted, else one per window from the elements it
/// covers. Made once per call, so the loops below only multiply.
fn column_weights<T: Element>(s: &Pool2dShape, padding: AvgPoolPadding) -> Vec<T> {
    let (kh, kw) = s.params.kernel;
    let mut weights = Vec::with_capacity(s.out_plane_len());
    for oh in 0..s.out_h {
        for ow in 0..s.out_w {
            let d = match padding {
                AvgPoolPadding::Counted => kh * kw,
                AvgPoolPadding::Excluded => s.rows_of(oh).len() * s.cols_of(ow).len(),
            };
            weights.push(T::one() / T::from_f64_lossy(d as f64));
        }
    }
    weights
}

/// Average pooling of a run of whole planes; `weights` from [`column_weights`].
fn forward_planes<T: Element>(s: &Pool2dShape, weights: &[T], x: &[T], y: &mut [T]) {
    let w = s.in_w;
    // The column span of each output column is the same on every row and plane.
    let col_windows: Vec<Range<usize>> = (0..s.out_w).map(|ow| s.cols_of(ow)).collect();
    for (plane, y_p) in x.chunks_exact(s.in_plane_len()).zip(y.chunks_exact_mut(s.out_plane_len())) {
        for (oh, (y_row, w_row)) in y_p.chunks_exact_mut(s.out_w).zip(weights.chunks_exact(s.out_w)).enumerate() {
            let rows = s.rows_of(oh);
            for ((y, cols), &scale) in y_row.iter_mut().zip(&col_windows).zip(w_row) {
                let mut sum = T::zero();
                for ih in rows.clone() {
                    sum += plane[ih * w + cols.start..ih * w + cols.end].iter().copied().sum::<T>();
                }
                *y = sum * scale;
            }
        }
    }
}

/// Gradient of 2-D average pooling:
/// `dx[n, c, ih, iw] = sum over the windows (oh, ow) that contain (ih, iw) of dy[n, c, oh, ow] / d(oh, ow)`,
/// `d` the forward pass's divisor.
///
/// - `grad_out`: `[N, C, OH, OW]`; returns `[N, C, H, W]`.
///
/// # Panics
/// If `grad_out.len()` disagrees with `s`.
#[track_caller]
pub fn avg_pool2d_backward<T: Element>(s: &Pool2dShape, grad_out: &[T], padding: AvgPoolPadding) -> Vec<T> {
    let out_len: usize = s.output_shape().iter().product();
    assert!(
        grad_out.len() == out_len,
        "avg_pool2d_backward: grad_out has {} elements but output shape {:?} needs {out_len}",
        grad_out.len(),
        s.output_shape()
    );
    let mut dx = crate::memory::filled(s.input_shape().iter().product(), T::zero());
    if out_len == 0 {
        return dx;
    }
    let work = s.out_plane_len() * s.params.kernel.0 * s.params.kernel.1;
    let per = items_per_chunk(s.planes(), work);
    let (in_step, out_step) = (per * s.in_plane_len(), per * s.out_plane_len());
    let weights = column_weights::<T>(s, padding);
    let chunk = |(dx, dy): (&mut [T], &[T])| backward_planes(s, &weights, dy, dx);
    if per >= s.planes() {
        dx.chunks_mut(in_step).zip(grad_out.chunks(out_step)).for_each(chunk);
    } else {
        dx.par_chunks_mut(in_step).zip(grad_out.par_chunks(out_step)).for_each(chunk);
    }
    dx
}

/// Spreads the gradient of a run of whole planes; `dx` must be zero on entry.
fn backward_planes<T: Element>(s: &Pool2dShape, weights: &[T], dy: &[T], dx: &mut [T]) {
    let w = s.in_w;
    let col_windows: Vec<Range<usize>> = (0..s.out_w).map(|ow| s.cols_of(ow)).collect();
    for (dx_p, dy_p) in dx.chunks_exact_mut(s.in_plane_len()).zip(dy.chunks_exact(s.out_plane_len())) {
        for (oh, (dy_row, w_row)) in dy_p.chunks_exact(s.out_w).zip(weights.chunks_exact(s.out_w)).enumerate() {
            let rows = s.rows_of(oh);
            for ((&g, cols), &scale) in dy_row.iter().zip(&col_windows).zip(w_row) {
                let g = g * scale;
                for ih in rows.clone() {
                    for d in &mut dx_p[ih * w + cols.start..ih * w + cols.end] {
                        *d += g;
                    }
                }
            }
        }
    }
}
