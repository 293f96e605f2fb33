//! 2-D max (and min) pooling: forward with the position of each maximum,
//! and the backward pass that routes each output gradient to that position.

use std::ops::Range;

use crate::par::prelude::*;

use super::parallel::items_per_chunk;
use super::pool_shape::Pool2dShape;
use crate::Element;

/// Forward 2-D max pooling:
/// `y[n, c, oh, ow] = max over the window of x[n, c, oh*sh - ph + i, ow*sw - pw + j]`,
/// `0 <= i < kh`, `0 <= j < kw`.
///
/// Padding counts as `-inf`: it is never selected. Ties go to the first
/// maximum in row-major window order; a NaN in the window wins (and the last
/// NaN is kept), so NaNs propagate as in PyTorch.
///
/// - `input`: `[N, C, H, W]`, row-major;
/// - returns `(y, argmax)`, both `[N, C, OH, OW]`; `argmax` holds, for each
///   output, the flat index `ih * W + iw` of the chosen element *within its
///   own `(n, c)` plane*.
///
/// # Panics
/// If `input.len()` disagrees with `s`, or a plane has more than `2^32`
/// elements (indices are `u32` to halve their memory).
#[track_caller]
pub fn max_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T]) -> (Vec<T>, Vec<u32>) {
    pool_max_of("max_pool2d", s, input, |x| x)
}

/// Max pooling of the ReLU of the input, without materializing the ReLU:
/// `y[n, c, oh, ow] = max over the window of relu(x[n, c, ...])` with
/// Min pooling, as the max pooling of `-x` negated:
/// `y[n, c, oh, ow] = min over the window of x[n, c, oh*sh - ph + i, ow*sw - pw + j] = -max(-x)`.
///
/// Negation is exact and reverses the order, so the values are bit for bit
/// the window minima, ties keep the first minimum in row-major window order
/// and NaNs propagate, exactly as in [`max_pool2d_forward`]; the positions
/// (`argmin`) feed the same [`max_pool2d_backward`] scatter.
///
/// # Panics
/// As [`max_pool2d_forward`], naming `min_pool2d`.
#[track_caller]
pub fn min_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T]) -> (Vec<T>, Vec<u32>) {
    let (mut y, argmin) = pool_max_of("min_pool2d", s, input, |x: T| -x);
    for v in &mut y {
        *v = -*v;
    }
    (y, argmin)
}

/// `relu(v) = v if v > 0, else 0` (so a NaN counts as 0, as in
/// [`Tensor::relu`](crate::Tensor::relu)).
///
/// The values and indices are bit-for-bit those of [`max_pool2d_forward`]
/// applied to `relu(x)`: the same scan, on each element after its ReLU.
/// That is what a `ReLU` followed by `MaxPool2d` computes, at the cost of
/// one read of `x` instead of a read and a write of `relu(x)` plus a read
/// of it. Its gradient is the max-pool scatter of `dy * [y > 0]`: the
/// chosen element passed the ReLU exactly when the pooled value is
/// positive.
///
/// # Panics
/// As [`max_pool2d_forward`], naming `relu_max_pool2d`.
#[track_caller]
pub fn relu_max_pool2d_forward<T: Element>(s: &Pool2dShape, input: &[T]) -> (Vec<T>, Vec<u32>) {
    pool_max_of("relu_max_pool2d", s, input, relu)
}

/// `relu(v) = v if v > 0, else 0` (a NaN gives 0), as the pooling sees it.
#[inline(always)]
fn relu<T: Element>(x: T) -> T {
    if x > T::zero() {
        x
    } else {
        T::zero()
    }
}

/// [`relu_max_pool2d_forward`] over whole planes already in memory (no
/// checks, no threads): for a caller that makes one plane at a time, such as
/// the fused convolution.
#[inline(always)]
pub(crate) fn relu_max_pool_planes<T: Element>(s: &Pool2dShape, x: &[T], y: &mut [T], arg: &mut [u32]) {
    forward_planes(s, x, y, arg, relu)
}

/// Max pooling of `pre(x)`, element by element: [`max_pool2d_forward`]
/// with `pre` the identity, [`relu_max_pool2d_forward`] with the ReLU.
/// `pre` is a generic parameter, so each caller gets its own compiled loop.
#[track_caller]
fn pool_max_of<T: Element, F>(op: &str, s: &Pool2dShape, input: &[T], pre: F) -> (Vec<T>, Vec<u32>)
where
    F: Fn(T) -> T + Copy + Send + Sync,
{
    let expected: usize = s.input_shape().iter().product();
    assert!(
        input.len() == expected,
        "{op}: input has {} elements but shape {:?} needs {expected}",
        input.len(),
        s.input_shape()
    );
    check_plane_indices(op, s);
    let out_len: usize = s.output_shape().iter().product();
    // Every output and index is written below: no zero fill first.
    let mut out = crate::memory::overwritable(out_len, T::zero());
    let mut arg = crate::memory::overwritable(out_len, 0u32);
    if out_len == 0 {
        return (out, arg);
    }
    let work = s.out_plane_len() * s.params.kernel.0 * s.params.kernel.1;
    let per = items_per_chunk(s.planes(), work);
    let (in_step, out_step) = (per * s.in_plane_len(), per * s.out_plane_len());
    let chunk = |(x, (y, a)): (&[T], (&mut [T], &mut [u32]))| forward_planes(s, x, y, a, pre);
    if per >= s.planes() {
        let outs = out.chunks_mut(out_step).zip(arg.chunks_mut(out_step));
        input.chunks(in_step).zip(outs).for_each(chunk);
    } else {
        let outs = out.par_chunks_mut(out_step).zip(arg.par_chunks_mut(out_step));
        input.par_chunks(in_step).zip(outs).for_each(chunk);
    }
    (out, arg)
}

/// Checks that every position of an input plane fits the `u32` indices.
#[track_caller]
pub(crate) fn check_plane_indices(op: &str, s: &Pool2dShape) {
    assert!(
        u32::try_from(s.in_plane_len().saturating_sub(1)).is_ok(),
        "{op}: planes of {}x{} are too large for u32 indices",
        s.in_h,
        s.in_w
    );
}

/// Keeps the running maximum `(best, at)` or replaces it by `(v, v_at)`:
/// a larger value or a NaN wins, so ties keep the earlier position.
///
/// Written without a short-circuit so it compiles to selects: on real data
/// the comparison is a coin flip, and a branch on it mispredicts half the
/// time (that made pooling several times slower than its memory traffic).
#[inline(always)]
fn pick<T: Element>((best, at): (T, u32), v: T, v_at: u32) -> (T, u32) {
    let take = (v > best) | v.is_nan();
    (if take { v } else { best }, if take { v_at } else { at })
}

/// Max pooling of `pre(x)` over a run of whole planes.
#[inline(always)]
fn forward_planes<T: Element>(s: &Pool2dShape, x: &[T], y: &mut [T], arg: &mut [u32], pre: impl Fn(T) -> T + Copy) {
    let p = s.params;
    if p.kernel == (2, 2) && p.stride == (2, 2) && p.padding == (0, 0) {
        return forward_planes_2x2(s, x, y, arg, pre);
    }
    let w = s.in_w;
    // The column span of each output column is the same on every row and plane.
    let col_windows: Vec<Range<usize>> = (0..s.out_w).map(|ow| s.cols_of(ow)).collect();
    let planes = x.chunks_exact(s.in_plane_len());
    let outs = y.chunks_exact_mut(s.out_plane_len()).zip(arg.chunks_exact_mut(s.out_plane_len()));
    for (plane, (y_p, arg_p)) in planes.zip(outs) {
        let out_rows = y_p.chunks_exact_mut(s.out_w).zip(arg_p.chunks_exact_mut(s.out_w));
        for (oh, (y_row, arg_row)) in out_rows.enumerate() {
            let rows = s.rows_of(oh);
            for ((y, a), cols) in y_row.iter_mut().zip(arg_row).zip(&col_windows) {
                // Start from a real element, not -inf, so that a window of
                // -inf values still records a position inside it.
                let first = rows.start * w + cols.start;
                // In range: checked against u32 in max_pool2d_forward.
                let mut best = (pre(plane[first]), first as u32);
                for ih in rows.clone() {
                    let start = ih * w + cols.start;
                    for (at, &v) in (start as u32..).zip(&plane[start..ih * w + cols.end]) {
                        best = pick(best, pre(v), at);
                    }
                }
                (*y, *a) = best;
            }
        }
    }
}

/// [`forward_planes`] for the course's 2x2 window with stride 2 and no
/// padding, at memory speed.
///
/// Each window is reduced as a tree, `max(max(tl, tr), max(bl, br))`, where
/// every `max` keeps its left operand unless the right one is strictly
/// larger: that picks the first maximum in window order, exactly like the
/// sequential scan, but with no data-dependent branch (a comparison of real
/// activations is a coin flip, and branching on it mispredicts half the
/// time). NaNs break that equivalence, so a row holding one is redone with
/// the scan's rules.
#[inline(always)]
fn forward_planes_2x2<T: Element>(s: &Pool2dShape, x: &[T], y: &mut [T], arg: &mut [u32], pre: impl Fn(T) -> T + Copy) {
    let (w, ow) = (s.in_w, s.out_w);
    let planes = x.chunks_exact(s.in_plane_len());
    let outs = y.chunks_exact_mut(s.out_plane_len()).zip(arg.chunks_exact_mut(s.out_plane_len()));
    for (plane, (y_p, arg_p)) in planes.zip(outs) {
        let out_rows = y_p.chunks_exact_mut(ow).zip(arg_p.chunks_exact_mut(ow));
        for (oh, (y_row, arg_row)) in out_rows.enumerate() {
            let top = 2 * oh * w;
            let r0 = &plane[top..top + 2 * ow];
            let r1 = &plane[top + w..top + w + 2 * ow];
            // Flat positions fit in u32: checked in max_pool2d_forward.
            let (top, w) = (top as u32, w as u32);
            let mut nan = false;
            let pairs = r0.chunks_exact(2).zip(r1.chunks_exact(2));
            for (((a, b), y), (j, at)) in pairs.zip(y_row.iter_mut()).zip((0u32..).zip(arg_row.iter_mut())) {
                let (a, b) = ([pre(a[0]), pre(a[1])], [pre(b[0]), pre(b[1])]);
                let (a_right, b_right) = (a[1] > a[0], b[1] > b[0]);
                let a_max = if a_right { a[1] } else { a[0] };
                let b_max = if b_right { b[1] } else { b[0] };
                let lower = b_max > a_max;
                *y = if lower { b_max } else { a_max };
                let (row, right) = if lower { (w, b_right) } else { (0, a_right) };
                *at = top + 2 * j + row + right as u32;
                nan |= a[0].is_nan() | a[1].is_nan() | b[0].is_nan() | b[1].is_nan();
            }
            if nan {
                let pairs = r0.chunks_exact(2).zip(r1.chunks_exact(2));
                for (((a, b), y), (j, at)) in pairs.zip(y_row.iter_mut()).zip((0u32..).zip(arg_row.iter_mut())) {
                    let i = top + 2 * j;
                    let best = pick((pre(a[0]), i), pre(a[1]), i + 1);
                    let best = pick(best, pre(b[0]), i + w);
                    (*y, *at) = pick(best, pre(b[1]), i + w + 1);
                }
            }
        }
    }
}

/// Gradient of 2-D max pooling: `dx[n, c, argmax[n, c, oh, ow]] += dy[n, c, oh, ow]`,
/// zero elsewhere (overlapping windows that pick the same element add up).
///
/// - `grad_out`, `argmax`: `[N, C, OH, OW]` (the indices from
///   [`max_pool2d_forward`] on an input of this shape);
/// - returns `[N, C, H, W]`.
///
/// # Panics
/// If a length disagrees with `s` or an index is outside its plane.
#[track_caller]
pub fn max_pool2d_backward<T: Element>(s: &Pool2dShape, grad_out: &[T], argmax: &[u32]) -> Vec<T> {
    let out_len: usize = s.output_shape().iter().product();
    assert!(
        grad_out.len() == out_len && argmax.len() == out_len,
        "max_pool2d_backward: grad_out has {} elements and argmax {}, but output shape {:?} needs {out_len}",
        grad_out.len(),
        argmax.len(),
        s.output_shape()
    );
    let in_len = s.input_shape().iter().product();
    if out_len == 0 {
        return crate::memory::filled(in_len, T::zero());
    }
    // Every element is written by either plane routine below: no zero fill first.
    let mut dx = crate::memory::overwritable(in_len, T::zero());
    let per = items_per_chunk(s.planes(), s.out_plane_len());
    let (in_step, out_step) = (per * s.in_plane_len(), per * s.out_plane_len());
    let chunk = |(dx, (dy, a)): (&mut [T], (&[T], &[u32]))| backward_planes(s, dy, a, dx);
    if per >= s.planes() {
        let grads = grad_out.chunks(out_step).zip(argmax.chunks(out_step));
        dx.chunks_mut(in_step).zip(grads).for_each(chunk);
    } else {
        let grads = grad_out.par_chunks(out_step).zip(argmax.par_chunks(out_step));
        dx.par_chunks_mut(in_step).zip(grads).for_each(chunk);
    }
    dx
}

/// Writes the gradient of a run of whole planes (any contents on entry).
fn backward_planes<T: Element>(s: &Pool2dShape, dy: &[T], arg: &[u32], dx: &mut [T]) {
    let owners = tiles_plane(s).then(|| band_owners(s));
    let grads = dy.chunks_exact(s.out_plane_len()).zip(arg.chunks_exact(s.out_plane_len()));
    for (dx_p, (dy_p, arg_p)) in dx.chunks_exact_mut(s.in_plane_len()).zip(grads) {
        if owners.as_ref().is_some_and(|owners| write_plane_tiled(s, owners, dy_p, arg_p, dx_p)) {
            continue;
        }
        dx_p.fill(T::zero());
        for (&g, &at) in dy_p.iter().zip(arg_p) {
            dx_p[at as usize] += g;
        }
    }
}

/// True when the windows do not overlap and leave no gap between them
/// (stride equal to the kernel, no padding): every input element then lies
/// in at most one window, and the gradient can be written in one pass in
/// memory order instead of a zero fill followed by a scatter.
fn tiles_plane(s: &Pool2dShape) -> bool {
    let p = s.params;
    p.stride == p.kernel && p.padding == (0, 0)
}

/// For each position of a band of `kh` input rows, the window (output
/// column) that holds it, or `usize::MAX` right of the last window; the
/// windows must tile ([`tiles_plane`]).
fn band_owners(s: &Pool2dShape) -> Vec<usize> {
    let (kh, kw) = s.params.kernel;
    let w = s.in_w;
    let owner = |col: usize| if col < s.out_w * kw { col / kw } else { usize::MAX };
    (0..kh * w).map(|r| owner(r % w)).collect()
}

/// `dx_p` of one plane for non-overlapping windows ([`tiles_plane`]): each
/// element is `0 + g` at its window's maximum (the sum the scatter makes,
/// down to the sign of a zero), `0` elsewhere and outside every window.
///
/// Works one band of `kh` input rows (one output row) at a time: the band
/// is zeroed, then each gradient is stored at its index, all in L1. Which
/// of a window's elements is the maximum is a coin flip on real data, so
/// the stores go straight to the index instead of testing every element
/// (a branch per element that mispredicted half the time ran 4x slower
/// than the scatter).
///
/// `owners` is [`band_owners`]. Returns false when some index lies outside
/// its own window (the forward pass never makes one, but the indices are an
/// argument); the caller then scatters the plane instead.
fn write_plane_tiled<T: Element>(s: &Pool2dShape, owners: &[usize], dy_p: &[T], arg_p: &[u32], dx_p: &mut [T]) -> bool {
    let (kh, w, ow) = (s.params.kernel.0, s.in_w, s.out_w);
    let band_len = kh * w;
    let (bands, rest) = dx_p.split_at_mut(s.out_h * band_len);
    rest.fill(T::zero());
    let grads = dy_p.chunks_exact(ow).zip(arg_p.chunks_exact(ow));
    for (oh, (band, (g_row, arg_row))) in bands.chunks_exact_mut(band_len).zip(grads).enumerate() {
        band.fill(T::zero());
        let base = oh * band_len;
        for (j, (&g, &at)) in g_row.iter().zip(arg_row).enumerate() {
            let r = (at as usize).wrapping_sub(base);
            if r >= band_len || owners[r] != j {
                return false;
            }
            band[r] = T::zero() + g;
        }
    }
    true
}

/// Reads each plane at the positions of its maxima:
/// `y[n, c, oh, ow] = x[n, c, argmax[n, c, oh, ow]]`.
///
/// The adjoint of [`max_pool2d_backward`] (which scatters to the same
/// positions), as needed to differentiate the backward pass itself; applied
/// to the pooled input it gives the pooled output again.
///
/// - `input`: `[N, C, H, W]`; `argmax`: `[N, C, OH, OW]` from
///   [`max_pool2d_forward`]; returns `[N, C, OH, OW]`.
///
/// # Panics
/// If a length disagrees with `s` or an index is outside its plane.
#[track_caller]
pub fn max_pool2d_gather<T: Element>(s: &Pool2dShape, input: &[T], argmax: &[u32]) -> Vec<T> {
    let in_len: usize = s.input_shape().iter().product();
    let out_len: usize = s.output_shape().iter().product();
    assert!(
        input.len() == in_len && argmax.len() == out_len,
        "max_pool2d_gather: input has {} elements and argmax {}, but shapes {:?} and {:?} need {in_len} and {out_len}",
        input.len(),
        argmax.len(),
        s.input_shape(),
        s.output_shape()
    );
    if out_len == 0 {
        return Vec::new();
    }
    // One read per output: too little work to be worth threads.
    let planes = input.chunks_exact(s.in_plane_len());
    planes
        .zip(argmax.chunks_exact(s.out_plane_len()))
        .flat_map(|(x_p, arg_p)| arg_p.iter().map(|&at| x_p[at as usize]))
        .collect()
}
