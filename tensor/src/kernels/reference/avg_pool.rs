//! Average pooling as loops, with either divisor at the border.

use super::pool_window::{check_len, window_positions};
use crate::kernels::{AvgPoolPadding, Pool2dShape};
use crate::Element;

/// The divisor of window `(oh, ow)` that covers `covered` real input
/// elements: the whole window `kh * kw`, or only those elements.
fn divisor(s: &Pool2dShape, covered: usize, padding: AvgPoolPadding) -> usize {
    match padding {
        AvgPoolPadding::Counted => s.params.kernel.0 * s.params.kernel.1,
        AvgPoolPadding::Excluded => covered,
    }
}

/// Average pooling: `y[n, c, oh, ow] = (1 / d) * sum_{(ih, iw) in the window} x[n, c, ih, iw]`,
/// `d = kh * kw` ([`AvgPoolPadding::Counted`], padded zeros counted) or the
/// number of real elements in the window ([`AvgPoolPadding::Excluded`]).
///
/// - `input`: `[N, C, H, W]`; returns `[N, C, OH, OW]`.
///
/// # Panics
/// If `input`'s length disagrees with `s`.
#[track_caller]
pub fn avg_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T], padding: AvgPoolPadding) -> Vec<T> {
    check_len("reference avg_pool2d", "input", input.len(), s.input_shape());
    let mut y = Vec::with_capacity(s.planes() * s.out_plane_len());
    for plane in input.chunks_exact(s.in_plane_len()) {
        for oh in 0..s.out_h {
            for ow in 0..s.out_w {
                let window = window_positions(s, oh, ow);
                let mut sum = T::zero();
                for &at in &window {
                    sum += plane[at];
                }
                y.push(sum / T::from_f64_lossy(divisor(s, window.len(), padding) as f64));
            }
        }
    }
    y
}

/// Backward of average pooling: each output gradient is shared evenly by
/// its window, `dx[n, c, ih, iw] += dy[n, c, oh, ow] / d` for every
/// `(ih, iw)` in window `(oh, ow)` (`d` as in [`avg_pool2d_forward`]).
///
/// - `grad_out`: `dy`, `[N, C, OH, OW]`; returns `[N, C, H, W]`.
///
/// # Panics
/// If `grad_out`'s length disagrees with `s`.
#[track_caller]
pub fn avg_pool2d_backward<T: Element>(s: &Pool2dShape, grad_out: &[T], padding: AvgPoolPadding) -> Vec<T> {
    check_len("reference avg_pool2d_backward", "grad_out", grad_out.len(), s.output_shape());
    let mut dx = vec![T::zero(); s.planes() * s.in_plane_len()];
    for (p, dx_plane) in dx.chunks_exact_mut(s.in_plane_len()).enumerate() {
        for oh in 0..s.out_h {
            for ow in 0..s.out_w {
                let window = window_positions(s, oh, ow);
                let d = T::from_f64_lossy(divisor(s, window.len(), padding) as f64);
                let g = grad_out[(p * s.out_h + oh) * s.out_w + ow] / d;
                for &at in &window {
                    dx_plane[at] += g;
                }
            }
        }
    }
    dx
}
