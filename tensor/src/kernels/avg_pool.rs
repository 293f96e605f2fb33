//! 2-D average pooling, forward and backward.
//!
//! Padding rule (PyTorch's default, `count_include_pad = true`): padded
//! positions count as zeros *in the divisor*, so every window divides by
//! `kh * kw`, even where it hangs over the border. A 2x2 window with one
//! row of padding over the input values `1, 2` therefore gives
//! `(0 + 0 + 1 + 2) / 4 = 0.75`, not `1.5`. This keeps the operation linear
//! with one weight `1 / (kh*kw)` everywhere.

use std::ops::Range;

use rayon::prelude::*;

use super::parallel::items_per_chunk;
use super::pool_shape::Pool2dShape;
use crate::Element;

/// Forward 2-D average pooling, padding counted in the divisor:
/// `y[n, c, oh, ow] = (1 / (kh*kw)) * sum over the window of x[n, c, oh*sh - ph + i, ow*sw - pw + j]`,
/// where padded positions contribute 0.
///
/// - `input`: `[N, C, H, W]`, row-major; returns `[N, C, OH, OW]`.
///
/// # Panics
/// If `input.len()` disagrees with `s`.
#[track_caller]
pub fn avg_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T]) -> Vec<T> {
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
    let chunk = |(x, y): (&[T], &mut [T])| forward_planes(s, x, y);
    if per >= s.planes() {
        input.chunks(in_step).zip(out.chunks_mut(out_step)).for_each(chunk);
    } else {
        input.par_chunks(in_step).zip(out.par_chunks_mut(out_step)).for_each(chunk);
    }
    out
}

/// `1 / (kh * kw)`: the weight of every window position, padding included.
fn window_weight<T: Element>(s: &Pool2dShape) -> T {
    let (kh, kw) = s.params.kernel;
    T::one() / T::from_f64_lossy((kh * kw) as f64)
}

/// Average pooling of a run of whole planes.
fn forward_planes<T: Element>(s: &Pool2dShape, x: &[T], y: &mut [T]) {
    let (w, scale) = (s.in_w, window_weight::<T>(s));
    // The column span of each output column is the same on every row and plane.
    let col_windows: Vec<Range<usize>> = (0..s.out_w).map(|ow| s.cols_of(ow)).collect();
    for (plane, y_p) in x.chunks_exact(s.in_plane_len()).zip(y.chunks_exact_mut(s.out_plane_len())) {
        for (oh, y_row) in y_p.chunks_exact_mut(s.out_w).enumerate() {
            let rows = s.rows_of(oh);
            for (y, cols) in y_row.iter_mut().zip(&col_windows) {
                let mut sum = T::zero();
                for ih in rows.clone() {
                    sum += plane[ih * w + cols.start..ih * w + cols.end].iter().copied().sum::<T>();
                }
                *y = sum * scale;
            }
        }
    }
}

/// Gradient of 2-D average pooling (padding in the divisor):
/// `dx[n, c, ih, iw] = (1 / (kh*kw)) * sum over the windows (oh, ow) that contain (ih, iw) of dy[n, c, oh, ow]`.
///
/// - `grad_out`: `[N, C, OH, OW]`; returns `[N, C, H, W]`.
///
/// # Panics
/// If `grad_out.len()` disagrees with `s`.
#[track_caller]
pub fn avg_pool2d_backward<T: Element>(s: &Pool2dShape, grad_out: &[T]) -> Vec<T> {
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
    let chunk = |(dx, dy): (&mut [T], &[T])| backward_planes(s, dy, dx);
    if per >= s.planes() {
        dx.chunks_mut(in_step).zip(grad_out.chunks(out_step)).for_each(chunk);
    } else {
        dx.par_chunks_mut(in_step).zip(grad_out.par_chunks(out_step)).for_each(chunk);
    }
    dx
}

/// Spreads the gradient of a run of whole planes; `dx` must be zero on entry.
fn backward_planes<T: Element>(s: &Pool2dShape, dy: &[T], dx: &mut [T]) {
    let (w, scale) = (s.in_w, window_weight::<T>(s));
    let col_windows: Vec<Range<usize>> = (0..s.out_w).map(|ow| s.cols_of(ow)).collect();
    for (dx_p, dy_p) in dx.chunks_exact_mut(s.in_plane_len()).zip(dy.chunks_exact(s.out_plane_len())) {
        for (oh, dy_row) in dy_p.chunks_exact(s.out_w).enumerate() {
            let rows = s.rows_of(oh);
            for (&g, cols) in dy_row.iter().zip(&col_windows) {
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
