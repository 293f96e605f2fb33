//! Min pooling as loops: the smallest value of each window, and the
//! backward pass that sends each gradient to where it was.

use super::pool_window::{check_len, window_positions};
use crate::kernels::Pool2dShape;
use crate::Element;

/// Min pooling: `y[n, c, oh, ow] = min_{0 <= i < kh, 0 <= j < kw} x[n, c, oh*sh - ph + i, ow*sw - pw + j]`.
///
/// - `input`: `[N, C, H, W]`;
/// - returns `(y, argmin)`, both `[N, C, OH, OW]`; `argmin` holds the
///   position `ih * W + iw` of each minimum within its `(n, c)` plane.
///
/// The mirror of [`max_pool2d_forward`](super::max_pool::max_pool2d_forward):
/// padding is never chosen, ties keep the first minimum, a NaN propagates.
///
/// # Panics
/// If `input`'s length disagrees with `s`.
#[track_caller]
pub fn min_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T]) -> (Vec<T>, Vec<u32>) {
    check_len("reference min_pool2d", "input", input.len(), s.input_shape());
    let mut y = Vec::with_capacity(s.planes() * s.out_plane_len());
    let mut argmin = Vec::with_capacity(y.capacity());
    for plane in input.chunks_exact(s.in_plane_len()) {
        for oh in 0..s.out_h {
            for ow in 0..s.out_w {
                let window = window_positions(s, oh, ow);
                let mut best = window[0];
                for &at in &window[1..] {
                    if plane[at] < plane[best] || plane[at].is_nan() {
                        best = at;
                    }
                }
                y.push(plane[best]);
                argmin.push(best as u32);
            }
        }
    }
    (y, argmin)
}

/// Backward of min pooling: `dx[n, c, argmin[n, c, oh, ow]] += dy[n, c, oh, ow]`,
/// the same scatter as [`max_pool2d_backward`](super::max_pool::max_pool2d_backward).
///
/// - `grad_out`: `dy`, `[N, C, OH, OW]`; `argmin`: from the forward pass;
/// - returns `[N, C, H, W]`.
#[track_caller]
pub fn min_pool2d_backward<T: Element>(s: &Pool2dShape, grad_out: &[T], argmin: &[u32]) -> Vec<T> {
    super::max_pool::max_pool2d_backward(s, grad_out, argmin)
}
