//! 2-D convolution as im2col plus one plain matrix product.
//!
//! Unfold every input patch the kernel sees into a column of a matrix
//! `cols`, `[K, N*P]` with `K = C*KH*KW` rows ordered `(c, i, j)` and one
//! column per output position `(n, oh, ow)` (`P = OH*OW`), zeros where a tap
//! falls on padding. Then the whole convolution of the batch is one product
//! with the filters as rows, `[O, K] x [K, N*P]`, computed by the three
//! loops of [`matmul`]. The fast kernel does the same
//! with packed panels, groups of images and threads.
//!
//! For finite values the forward pass and the weight gradient give the
//! bits of [`conv2d_loops`](super::conv2d_loops): the same terms summed in
//! the same order, the padded ones adding exact zeros.

use super::conv2d_loops::input_position;
use super::matmul::{matmul, transpose};
use crate::kernels::Conv2dShape;
use crate::Element;

/// The patch matrix: `cols[(c, i, j), (n, oh, ow)] = x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`
/// (zero on padding).
///
/// - `input`: `[N, C, H, W]`; returns `[C*KH*KW, N*OH*OW]`, row-major.
///
/// # Panics
/// If `input`'s length disagrees with `s`.
#[track_caller]
pub fn im2col<T: Element>(s: &Conv2dShape, input: &[T]) -> Vec<T> {
    let [n_, c_, h, w] = s.input_shape();
    assert!(
        input.len() == n_ * c_ * h * w,
        "reference im2col: input of {} elements is not {:?}",
        input.len(),
        [n_, c_, h, w]
    );
    let (kh, kw, p) = (s.kernel_h, s.kernel_w, s.params);
    let cols_per_row = n_ * s.out_h * s.out_w;
    let mut cols = vec![T::zero(); c_ * kh * kw * cols_per_row];
    for c in 0..c_ {
        for i in 0..kh {
            for j in 0..kw {
                let row = (c * kh + i) * kw + j;
                for n in 0..n_ {
                    for oh in 0..s.out_h {
                        let Some(ih) = input_position(oh, i, p.stride.0, p.padding.0, p.dilation.0, h) else {
                            continue;
                        };
                        for ow in 0..s.out_w {
                            let Some(iw) = input_position(ow, j, p.stride.1, p.padding.1, p.dilation.1, w) else {
                                continue;
                            };
                            let col = (n * s.out_h + oh) * s.out_w + ow;
                            cols[row * cols_per_row + col] = input[((n * c_ + c) * h + ih) * w + iw];
                        }
                    }
                }
            }
        }
    }
    cols
}

/// The adjoint of [`im2col`]: adds each entry of a patch matrix back to the
/// input element it was copied from (entries on padding are dropped).
///
/// - `cols`: `[C*KH*KW, N*OH*OW]`; returns `[N, C, H, W]`.
#[track_caller]
pub fn col2im<T: Element>(s: &Conv2dShape, cols: &[T]) -> Vec<T> {
    let [n_, c_, h, w] = s.input_shape();
    let (kh, kw, p) = (s.kernel_h, s.kernel_w, s.params);
    let cols_per_row = n_ * s.out_h * s.out_w;
    assert!(cols.len() == c_ * kh * kw * cols_per_row, "reference col2im: {} entries do not fit {s:?}", cols.len());
    let mut x = vec![T::zero(); n_ * c_ * h * w];
    for c in 0..c_ {
        for i in 0..kh {
            for j in 0..kw {
                let row = (c * kh + i) * kw + j;
                for n in 0..n_ {
                    for oh in 0..s.out_h {
                        let Some(ih) = input_position(oh, i, p.stride.0, p.padding.0, p.dilation.0, h) else {
                            continue;
                        };
                        for ow in 0..s.out_w {
                            let Some(iw) = input_position(ow, j, p.stride.1, p.padding.1, p.dilation.1, w) else {
                                continue;
                            };
                            let col = (n * s.out_h + oh) * s.out_w + ow;
                            x[((n * c_ + c) * h + ih) * w + iw] += cols[row * cols_per_row + col];
                        }
                    }
                }
            }
        }
    }
    x
}

/// `[N, O, P] -> [O, N*P]`: the output gradient as the product's matrix.
fn images_to_matrix<T: Element>(y: &[T], n_: usize, o_: usize, p_: usize) -> Vec<T> {
    let mut m = vec![T::zero(); y.len()];
    for n in 0..n_ {
        for o in 0..o_ {
            for p in 0..p_ {
                m[o * n_ * p_ + n * p_ + p] = y[(n * o_ + o) * p_ + p];
            }
        }
    }
    m
}

/// Convolution `Y = W cols + b`:
/// `y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`.
///
/// - `input`: `[N, C, H, W]`; `weight`: `[O, C, KH, KW]` (the matrix
///   `[O, K]`); `bias`: `[O]` or `None`;
/// - returns `[N, O, OH, OW]`.
///
/// # Panics
/// If a slice's length disagrees with `s`.
#[track_caller]
pub fn conv2d_forward<T: Element>(s: &Conv2dShape, input: &[T], weight: &[T], bias: Option<&[T]>) -> Vec<T> {
    let (n_, o_, k, p_) = (s.batch, s.out_channels, s.col_rows(), s.col_cols());
    let cols = im2col(s, input);
    // [O, K] x [K, N*P] -> [O, N*P]
    let y = matmul(weight, &cols, o_, k, n_ * p_);
    let mut out = vec![T::zero(); y.len()];
    for n in 0..n_ {
        for o in 0..o_ {
            let b = bias.map_or(T::zero(), |b| b[o]);
            for p in 0..p_ {
                out[(n * o_ + o) * p_ + p] = y[o * n_ * p_ + n * p_ + p] + b;
            }
        }
    }
    out
}

/// Input gradient `dcols = W^T dY`, folded back by [`col2im`]:
/// `dx[n, c, ih, iw] = sum of w[o, c, i, j] * dy[n, o, oh, ow] over the taps that read (ih, iw)`.
///
/// - `grad_out`: `dy`, `[N, O, OH, OW]`; `weight`: `[O, C, KH, KW]`;
/// - returns `[N, C, H, W]`.
#[track_caller]
pub fn conv2d_grad_input<T: Element>(s: &Conv2dShape, grad_out: &[T], weight: &[T]) -> Vec<T> {
    let (n_, o_, k, p_) = (s.batch, s.out_channels, s.col_rows(), s.col_cols());
    let dy = images_to_matrix(grad_out, n_, o_, p_);
    // [K, O] x [O, N*P] -> [K, N*P]
    let dcols = matmul(&transpose(weight, o_, k), &dy, k, o_, n_ * p_);
    col2im(s, &dcols)
}

/// Weight gradient `dW = dY cols^T`:
/// `dw[o, c, i, j] = sum_{n, oh, ow} dy[n, o, oh, ow] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`.
///
/// - `grad_out`: `dy`, `[N, O, OH, OW]`; `input`: `[N, C, H, W]`;
/// - returns `[O, C, KH, KW]`.
#[track_caller]
pub fn conv2d_grad_weight<T: Element>(s: &Conv2dShape, grad_out: &[T], input: &[T]) -> Vec<T> {
    let (n_, o_, k, p_) = (s.batch, s.out_channels, s.col_rows(), s.col_cols());
    let dy = images_to_matrix(grad_out, n_, o_, p_);
    let cols_t = transpose(&im2col(s, input), k, n_ * p_);
    // [O, N*P] x [N*P, K] -> [O, K]
    matmul(&dy, &cols_t, o_, n_ * p_, k)
}

/// Bias gradient, the row sums of `dY`: `db[o] = sum_{n, oh, ow} dy[n, o, oh, ow]`.
///
/// - `grad_out`: `dy`, `[N, O, OH, OW]`; returns `[O]`.
#[track_caller]
pub fn conv2d_grad_bias<T: Element>(s: &Conv2dShape, grad_out: &[T]) -> Vec<T> {
    let (n_, o_, p_) = (s.batch, s.out_channels, s.col_cols());
    let dy = images_to_matrix(grad_out, n_, o_, p_);
    // [O, N*P] x [N*P, 1] -> [O, 1]
    matmul(&dy, &vec![T::one(); n_ * p_], o_, n_ * p_, 1)
}
