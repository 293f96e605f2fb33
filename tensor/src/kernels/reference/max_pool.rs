//! Max pooling as loops: forward with the position of each maximum, and
//! the backward pass that sends each gradient to that position.

use super::pool_window::{check_len, window_positions};
use crate::kernels::Pool2dShape;
use crate::Element;

/// Max pooling: `y[n, c, oh, ow] = max_{0 <= i < kh, 0 <= j < kw} x[n, c, oh*sh - ph + i, ow*sw - pw + j]`.
///
/// - `input`: `[N, C, H, W]`;
/// - returns `(y, argmax)`, both `[N, C, OH, OW]`; `argmax` holds the
///   position `ih * W + iw` of each maximum within its `(n, c)` plane.
///
/// Padding is never chosen. Scanning the window in row-major order, a
/// larger value or a NaN replaces the one kept: ties keep the first
/// maximum, and a NaN propagates.
///
/// # Panics
/// If `input`'s length disagrees with `s`.
#[track_caller]
pub fn max_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T]) -> (Vec<T>, Vec<u32>) {
    check_len("reference max_pool2d", "input", input.len(), s.input_shape());
    let mut y = Vec::with_capacity(s.planes() * s.out_plane_len());
    let mut argmax = Vec::with_capacity(y.capacity());
    for plane in input.chunks_exact(s.in_plane_len()) {
        for oh in 0..s.out_h {
            for ow in 0..s.out_w {
                let window = window_positions(s, oh, ow);
                let mut best = window[0];
                for &at in &window[1..] {
                    if plane[at] > plane[best] || plane[at].is_nan() {
                        best = at;
                    }
                }
                y.push(plane[best]);
                argmax.push(best as u32);
            }
        }
    }
    (y, argmax)
}

/// Backward of max (or min) pooling: each output gradient goes to the
/// position its window chose, `dx[n, c, argmax[n, c, oh, ow]] += dy[n, c, oh, ow]`,
/// zero elsewhere.
///
/// - `grad_out`: `dy`, `[N, C, OH, OW]`; `argmax`: from the forward pass;
/// - returns `[N, C, H, W]`.
///
/// # Panics
/// If a slice's length disagrees with `s`.
#[track_caller]
pub fn max_pool2d_backward<T: Element>(s: &Pool2dShape, grad_out: &[T], argmax: &[u32]) -> Vec<T> {
    check_len("reference max_pool2d_backward", "grad_out", grad_out.len(), s.output_shape());
    check_len("reference max_pool2d_backward", "argmax", argmax.len(), s.output_shape());
    let mut dx = vec![T::zero(); s.planes() * s.in_plane_len()];
    for (o, (&g, &at)) in grad_out.iter().zip(argmax).enumerate() {
        let plane = o / s.out_plane_len();
        dx[plane * s.in_plane_len() + at as usize] += g;
    }
    dx
}
