//! 2-D convolution as nested loops: the formula, one term at a time.
//!
//! Every function visits the terms `w[o, c, i, j] * x[n, c, ih, iw]` of the
//! convolution through [`input_position`], skipping taps that fall on the
//! zero padding (they add nothing).

use crate::kernels::Conv2dShape;
use crate::Element;

/// The input row (or column) that tap `k` of output `o` reads along one
/// axis, `o*stride + k*dilation - pad`, or `None` where that is padding.
#[inline]
pub fn input_position(o: usize, k: usize, stride: usize, pad: usize, dilation: usize, len: usize) -> Option<usize> {
    (o * stride + k * dilation).checked_sub(pad).filter(|&i| i < len)
}

/// Checks that `got` elements match the sizes `dims` of operand `what`.
#[track_caller]
fn check(op: &str, what: &str, got: usize, dims: [usize; 4]) {
    let want: usize = dims.iter().product();
    assert!(got == want, "{op}: {what} has {got} elements but shape {dims:?} needs {want}");
}

/// Convolution (cross-correlation, as in every framework):
/// `y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`.
///
/// - `input`: `[N, C, H, W]`; `weight`: `[O, C, KH, KW]`; `bias`: `[O]` or `None`;
/// - returns `[N, O, OH, OW]` (sizes in `s`).
///
/// The sum runs over `c`, `i`, `j` in that order from zero, then the bias
/// is added.
///
/// # Panics
/// If a slice's length disagrees with `s`.
#[track_caller]
pub fn conv2d_forward<T: Element>(s: &Conv2dShape, input: &[T], weight: &[T], bias: Option<&[T]>) -> Vec<T> {
    check("reference conv2d", "input", input.len(), s.input_shape());
    check("reference conv2d", "weight", weight.len(), s.weight_shape());
    let [n_, c_, h, w] = s.input_shape();
    let [o_, _, kh, kw] = s.weight_shape();
    let p = s.params;
    let mut y = vec![T::zero(); s.output_shape().iter().product()];
    for n in 0..n_ {
        for o in 0..o_ {
            for oh in 0..s.out_h {
                for ow in 0..s.out_w {
                    let mut sum = T::zero();
                    for c in 0..c_ {
                        for i in 0..kh {
                            let Some(ih) = input_position(oh, i, p.stride.0, p.padding.0, p.dilation.0, h) else {
                                continue;
                            };
                            for j in 0..kw {
                                let Some(iw) = input_position(ow, j, p.stride.1, p.padding.1, p.dilation.1, w) else {
                                    continue;
                                };
                                sum +=
                                    weight[((o * c_ + c) * kh + i) * kw + j] * input[((n * c_ + c) * h + ih) * w + iw];
                            }
                        }
                    }
                    let b = bias.map_or(T::zero(), |b| b[o]);
                    y[((n * o_ + o) * s.out_h + oh) * s.out_w + ow] = sum + b;
                }
            }
        }
    }
    y
}

/// Gradient with respect to the input: each term of the forward sum sends
/// `w * dy` back to the input element it read,
/// `dx[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw] += w[o, c, i, j] * dy[n, o, oh, ow]`.
///
/// - `grad_out`: `dy`, `[N, O, OH, OW]`; `weight`: `[O, C, KH, KW]`;
/// - returns `[N, C, H, W]`.
///
/// # Panics
/// If a slice's length disagrees with `s`.
#[track_caller]
pub fn conv2d_grad_input<T: Element>(s: &Conv2dShape, grad_out: &[T], weight: &[T]) -> Vec<T> {
    check("reference conv2d_grad_input", "grad_out", grad_out.len(), s.output_shape());
    check("reference conv2d_grad_input", "weight", weight.len(), s.weight_shape());
    let [n_, c_, h, w] = s.input_shape();
    let [o_, _, kh, kw] = s.weight_shape();
    let p = s.params;
    let mut dx = vec![T::zero(); n_ * c_ * h * w];
    for n in 0..n_ {
        for o in 0..o_ {
            for oh in 0..s.out_h {
                for ow in 0..s.out_w {
                    let g = grad_out[((n * o_ + o) * s.out_h + oh) * s.out_w + ow];
                    for c in 0..c_ {
                        for i in 0..kh {
                            let Some(ih) = input_position(oh, i, p.stride.0, p.padding.0, p.dilation.0, h) else {
                                continue;
                            };
                            for j in 0..kw {
                                let Some(iw) = input_position(ow, j, p.stride.1, p.padding.1, p.dilation.1, w) else {
                                    continue;
                                };
                                dx[((n * c_ + c) * h + ih) * w + iw] += weight[((o * c_ + c) * kh + i) * kw + j] * g;
                            }
                        }
                    }
                }
            }
        }
    }
    dx
}

/// Gradient with respect to the weight:
/// `dw[o, c, i, j] = sum_{n, oh, ow} dy[n, o, oh, ow] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`,
/// summed over `n`, `oh`, `ow` in that order from zero.
///
/// - `grad_out`: `dy`, `[N, O, OH, OW]`; `input`: `[N, C, H, W]`;
/// - returns `[O, C, KH, KW]`.
///
/// # Panics
/// If a slice's length disagrees with `s`.
#[track_caller]
pub fn conv2d_grad_weight<T: Element>(s: &Conv2dShape, grad_out: &[T], input: &[T]) -> Vec<T> {
    check("reference conv2d_grad_weight", "grad_out", grad_out.len(), s.output_shape());
    check("reference conv2d_grad_weight", "input", input.len(), s.input_shape());
    let [n_, c_, h, w] = s.input_shape();
    let [o_, _, kh, kw] = s.weight_shape();
    let p = s.params;
    let mut dw = vec![T::zero(); o_ * c_ * kh * kw];
    for o in 0..o_ {
        for c in 0..c_ {
            for i in 0..kh {
                for j in 0..kw {
                    let mut sum = T::zero();
                    for n in 0..n_ {
                        for oh in 0..s.out_h {
                            let Some(ih) = input_position(oh, i, p.stride.0, p.padding.0, p.dilation.0, h) else {
                                continue;
                            };
                            for ow in 0..s.out_w {
                                let Some(iw) = input_position(ow, j, p.stride.1, p.padding.1, p.dilation.1, w) else {
                                    continue;
                                };
                                let g = grad_out[((n * o_ + o) * s.out_h + oh) * s.out_w + ow];
                                sum += g * input[((n * c_ + c) * h + ih) * w + iw];
                            }
                        }
                    }
                    dw[((o * c_ + c) * kh + i) * kw + j] = sum;
                }
            }
        }
    }
    dw
}

/// Gradient with respect to the bias: `db[o] = sum_{n, oh, ow} dy[n, o, oh, ow]`,
/// summed over `n`, then the positions in row-major order, from zero.
///
/// - `grad_out`: `dy`, of shape `output = [N, O, OH, OW]`; returns `[O]`.
///
/// # Panics
/// If `grad_out`'s length disagrees with `output`.
#[track_caller]
pub fn conv2d_grad_bias<T: Element>(grad_out: &[T], output: [usize; 4]) -> Vec<T> {
    check("reference conv2d_grad_bias", "grad_out", grad_out.len(), output);
    let [n_, o_, oh, ow] = output;
    let mut db = vec![T::zero(); o_];
    for (o, d) in db.iter_mut().enumerate() {
        for n in 0..n_ {
            let start = (n * o_ + o) * oh * ow;
            for &g in &grad_out[start..start + oh * ow] {
                *d += g;
            }
        }
    }
    db
}
