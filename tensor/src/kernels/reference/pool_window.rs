//! The input elements a pooling window covers.

use super::conv2d_loops::input_position;
use crate::kernels::Pool2dShape;

/// The positions `ih * W + iw`, within one `[H, W]` plane, of the real
/// (not padded) input elements of output `(oh, ow)`'s window
/// `ih = oh*sh - ph + i`, `iw = ow*sw - pw + j` (`0 <= i < kh`, `0 <= j < kw`),
/// in row-major window order. Never empty: the padding is at most half the
/// window.
pub fn window_positions(s: &Pool2dShape, oh: usize, ow: usize) -> Vec<usize> {
    let p = s.params;
    let mut positions = Vec::with_capacity(p.kernel.0 * p.kernel.1);
    for i in 0..p.kernel.0 {
        let Some(ih) = input_position(oh, i, p.stride.0, p.padding.0, 1, s.in_h) else { continue };
        for j in 0..p.kernel.1 {
            let Some(iw) = input_position(ow, j, p.stride.1, p.padding.1, 1, s.in_w) else { continue };
            positions.push(ih * s.in_w + iw);
        }
    }
    positions
}

/// Checks that a slice of `got` elements has the sizes `dims`.
#[track_caller]
pub(super) fn check_len(op: &str, what: &str, got: usize, dims: [usize; 4]) {
    let want: usize = dims.iter().product();
    assert!(got == want, "{op}: {what} has {got} elements but shape {dims:?} needs {want}");
}
