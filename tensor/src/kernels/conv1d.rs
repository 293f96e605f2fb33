//! 1-D convolution, forward and backward, as the 2-D kernels on a height-1
//! view.
//!
//! A row-major `[N, C, L]` input has the same memory as `[N, C, 1, L]`, an
//! `[O, C, K]` weight the same as `[O, C, 1, K]` and the output `[N, O, OL]`
//! the same as `[N, O, 1, OL]`; with stride, padding and dilation 1, 0, 1 on
//! the dummy height ([`Conv1dParams::as_2d`](super::Conv1dParams::as_2d)),
//! the 2-D kernels compute exactly the 1-D convolution, so no code is
//! duplicated.
//!
//! As in 2-D, this is the cross-correlation
//! `y[n, o, t] = b[o] + sum_{c, k} w[o, c, k] * x[n, c, t*s + k*d - p]` (no kernel
//! flip); the mathematical convolution `s_i = sum_k x_(i-k) w_k` is the
//! cross-correlation with the kernel reversed.

use super::conv2d::{conv2d_forward, conv2d_grad_input, conv2d_grad_weight};
use super::conv_shape::Conv1dShape;
use crate::Element;

/// Forward 1-D convolution (cross-correlation, no kernel flip):
/// `y[n, o, t] = b[o] + sum_{c, k} w[o, c, k] * x[n, c, t*s + k*d - p]`.
///
/// - `input`: `[N, C, L]`; `weight`: `[O, C, K]`; `bias`: `[O]` or `None`;
/// - returns `[N, O, OL]`.
///
/// # Panics
/// If a slice length disagrees with `s`.
#[track_caller]
pub fn conv1d_forward<T: Element>(s: &Conv1dShape, input: &[T], weight: &[T], bias: Option<&[T]>) -> Vec<T> {
    conv2d_forward(s.as_2d(), input, weight, bias)
}

/// Gradient of the 1-D convolution with respect to its input:
/// `dx[n, c, l] = sum over (o, k, t) with t*s + k*d - p = l of w[o, c, k] * dy[n, o, t]`.
///
/// - `grad_out`: `[N, O, OL]`; `weight`: `[O, C, K]`; returns `[N, C, L]`.
#[track_caller]
pub fn conv1d_grad_input<T: Element>(s: &Conv1dShape, grad_out: &[T], weight: &[T]) -> Vec<T> {
    conv2d_grad_input(s.as_2d(), grad_out, weight)
}

/// Gradient of the 1-D convolution with respect to its weight:
/// `dw[o, c, k] = sum_{n, t} dy[n, o, t] * x[n, c, t*s + k*d - p]`.
///
/// - `grad_out`: `[N, O, OL]`; `input`: `[N, C, L]`; returns `[O, C, K]`.
///
/// Deterministic, as [`conv2d_grad_weight`].
#[track_caller]
pub fn conv1d_grad_weight<T: Element>(s: &Conv1dShape, grad_out: &[T], input: &[T]) -> Vec<T> {
    conv2d_grad_weight(s.as_2d(), grad_out, input)
}
