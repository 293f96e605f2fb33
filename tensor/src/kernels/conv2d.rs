//! 2-D convolution on contiguous row-major slices, forward and backward, by
//! im2col + gemm.
//!
//! Like every deep-learning framework, this computes the *cross-correlation*
//!
//! `y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`
//!
//! with no kernel flip. The mathematical convolution `s_i = sum_k x_(i-k) w_k`
//! flips the kernel; since a learned kernel can absorb the flip, the two
//! train identically, and convolving with `w` is cross-correlating with `w`
//! reversed along each spatial axis.
//!
//! Per image `n`, with `col_n = im2col(x_n)` of shape `[C*KH*KW, OH*OW]`:
//!
//! - forward: `y_n = W col_n + b`, where `W` is the weight seen as `[O, C*KH*KW]`;
//! - input gradient: `dx_n = col2im(W^T dy_n)`;
//! - weight gradient: `dW = sum_n dy_n col_n^T`;
//! - bias gradient: `db[o] = sum_{n, p} dy[n, o, p]`.
//!
//! Small images make small products (the CNN's second layer is
//! `[64 x 288] x [288 x 121]` per image), whose packing and edge handling
//! cost as much as the arithmetic. So images are taken in groups of `G`
//! (`images_per_gemm`) whose column matrices sit side by side,
//! `col [C*KH*KW, G*OH*OW]`, and each group is one product:
//!
//! - forward: `Y [O, G*OH*OW] = W col`, then reordered to `[G, O, OH*OW]`
//!   with the bias added in the same pass;
//! - input gradient: `col = W^T DY` with `DY [O, G*OH*OW]` reordered from
//!   `dy`, then col2im of each image's block;
//! - weight gradient: `dW += DY col^T`, an inner dimension of `G*OH*OW`.
//!
//! Each gradient has its own function, so a caller that does not need the
//! input gradient never pays for col2im.

use crate::par::prelude::*;

use super::conv_shape::Conv2dShape;
use super::few_taps::{forward_few_taps, grad_weight_few_taps, FEW_TAPS};
use super::gemm::{gemm, MatMut, MatRef};
use super::im2col::{col2im, im2col, im2col_part};
use super::max_pool::relu_max_pool_planes;
use super::parallel::{items_per_chunk, items_per_part, sum_parts_in_order};
use super::pool_shape::Pool2dShape;
use super::scratch::Scratch;
use crate::widest_vectors;
use crate::Element;

/// Columns a grouped product aims for: wide enough that packing the weight
/// and the kernel's edge tiles are amortized, small enough that the column
/// buffer of a group and the gemm's packed copy of it stay in the core's L2
/// cache together (the CNN's second layer: 288 rows x 484 columns of `f32`,
/// 0.56 MB each, in a 2 MB L2). With 1024 columns (1.1 MB each, 2.2 MB
/// together) its forward pass over a batch of 128 took 8.4 ms against 7.6
/// (medians of 6 alternating runs, 2 threads).
const GEMM_COLUMNS: usize = 512;

/// `G`, the images whose column matrices go into one product: about
/// [`GEMM_COLUMNS`] output positions, at least one image. Depends only on
/// the shape, so the grouping of every sum is fixed.
fn images_per_gemm(s: &Conv2dShape) -> usize {
    if s.is_pointwise() {
        // The image already is its column matrix: no copy, one product each.
        return 1;
    }
    (GEMM_COLUMNS / s.col_cols().max(1)).max(1)
}

/// Checks a slice length against the shape, naming the kernel and the operand.
#[track_caller]
pub(crate) fn check_len(op: &str, what: &str, len: usize, dims: &[usize]) {
    let expected: usize = dims.iter().product();
    assert!(len == expected, "{op}: {what} has {len} elements but shape {dims:?} needs {expected}");
}

/// A row-major `rows x cols` matrix in the first `rows * cols` elements of
/// a scratch buffer.
fn dense<T>(buf: &[T], rows: usize, cols: usize) -> MatRef<'_, T> {
    MatRef::row_major(&buf[..rows * cols], rows, cols)
}

/// [`dense`], writable.
fn dense_mut<T>(buf: &mut [T], rows: usize, cols: usize) -> MatMut<'_, T> {
    MatMut::row_major(&mut buf[..rows * cols], rows, cols)
}

/// `dst [O, G*P] <- src [G, O, P]`: a group of output gradients as one
/// matrix whose columns run over (image, position).
fn images_to_columns<T: Copy>(src: &[T], dst: &mut [T], o: usize, p: usize) {
    let g = src.len() / (o * p);
    for (n, src_n) in src.chunks_exact(o * p).enumerate() {
        for (c, row) in src_n.chunks_exact(p).enumerate() {
            let at = c * g * p + n * p;
            dst[at..at + p].copy_from_slice(row);
        }
    }
}

/// `dst [G, O, P] <- src [O, G*P] + bias[o]`: the product of a group back
/// in image order, bias added on the way.
fn columns_to_images<T: Element>(src: &[T], dst: &mut [T], o: usize, p: usize, bias: Option<&[T]>) {
    let g = dst.len() / (o * p);
    for (n, dst_n) in dst.chunks_exact_mut(o * p).enumerate() {
        for (c, row) in dst_n.chunks_exact_mut(p).enumerate() {
            let at = c * g * p + n * p;
            copy_plus_bias(&src[at..at + p], row, bias.map(|b| b[c]));
        }
    }
}

/// `dst[i] = src[i] + b`, or a plain copy without a bias: one output row
/// of a product, its bias added on the way.
#[inline(always)]
fn copy_plus_bias<T: Element>(src: &[T], dst: &mut [T], b: Option<T>) {
    match b {
        Some(b) => dst.iter_mut().zip(src).for_each(|(y, &v)| *y = v + b),
        None => dst.copy_from_slice(src),
    }
}

/// Forward 2-D convolution (cross-correlation, no kernel flip):
/// `y[n, o, oh, ow] = b[o] + sum_{c,i,j} w[o, c, i, j] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`.
///
/// - `input`: `[N, C, H, W]`, row-major;
/// - `weight`: `[O, C, KH, KW]`, row-major;
/// - `bias`: `[O]`, or `None` for no bias;
/// - returns `[N, O, OH, OW]`, row-major, sizes from `s`.
///
/// Runs of images are spread over rayon's pool when the problem is large
/// enough; the result does not depend on the split.
///
/// # Panics
/// If a slice length disagrees with `s`.
#[track_caller]
pub fn conv2d_forward<T: Element>(s: &Conv2dShape, input: &[T], weight: &[T], bias: Option<&[T]>) -> Vec<T> {
    check_len("conv2d", "input", input.len(), &s.input_shape());
    check_len("conv2d", "weight", weight.len(), &s.weight_shape());
    if let Some(b) = bias {
        check_len("conv2d", "bias", b.len(), &[s.out_channels]);
    }
    // Every element is written below (a product with beta = 0, or the
    // reorder of a group's product), so no zero fill first.
    let mut out = crate::memory::overwritable(s.output_shape().iter().product(), T::zero());
    if out.is_empty() {
        return out;
    }
    let per = images_per_task(s);
    let chunk = |(x, y): (&[T], &mut [T])| forward_chunk(s, x, weight, bias, y);
    let x_chunks = input.chunks(per * s.image_len());
    if per >= s.batch {
        x_chunks.zip(out.chunks_mut(per * s.out_image_len())).for_each(chunk);
    } else {
        let x_chunks = input.par_chunks(per * s.image_len());
        x_chunks.zip(out.par_chunks_mut(per * s.out_image_len())).for_each(chunk);
    }
    out
}

/// Images per parallel task: whole gemm groups, about two tasks per thread.
pub(crate) fn images_per_task(s: &Conv2dShape) -> usize {
    whole_groups_per_task(s, images_per_gemm(s))
}

/// [`images_per_task`] for [`forward_relu_max_pool_chunk`]'s groups.
pub(crate) fn pooled_images_per_task(s: &Conv2dShape, pool: &Pool2dShape) -> usize {
    whole_groups_per_task(s, pooled_images_per_gemm(s, pool))
}

/// About two tasks per thread, each of whole groups of `g` images.
fn whole_groups_per_task(s: &Conv2dShape, g: usize) -> usize {
    let per = items_per_chunk(s.batch, s.out_channels * s.col_rows() * s.col_cols());
    if per >= s.batch {
        per
    } else {
        per.div_ceil(g) * g
    }
}

/// Forward pass over a run of whole images, one product per group.
fn forward_chunk<T: Element>(s: &Conv2dShape, x: &[T], weight: &[T], bias: Option<&[T]>, y: &mut [T]) {
    let (o, k, p) = (s.out_channels, s.col_rows(), s.col_cols());
    if k <= FEW_TAPS && !s.is_pointwise() {
        return forward_few_taps(s, x, weight, bias, y);
    }
    let g = images_per_gemm(s).min(x.len() / s.image_len());
    let w = MatRef::row_major(weight, o, k);
    let mut col = Scratch::take(if s.is_pointwise() { 0 } else { k * g * p });
    let mut acc = Scratch::take(if g > 1 { o * g * p } else { 0 });
    for (x_g, y_g) in x.chunks(g * s.image_len()).zip(y.chunks_mut(g * s.out_image_len())) {
        let cols = y_g.len() / o;
        if cols != p {
            // Y [O, G*OH*OW] = W [O, C*KH*KW] x col [C*KH*KW, G*OH*OW]
            group_product(s, (s.out_h, s.out_w), w, x_g, &mut col, &mut acc);
            columns_to_images(&acc[..o * cols], y_g, o, p, bias);
            continue;
        }
        if !s.is_pointwise() {
            im2col(s, x_g, &mut col, p);
        }
        let b_mat = if s.is_pointwise() { dense(x_g, k, p) } else { dense(&col, k, p) };
        // One image: the product lands in place, then the bias is added.
        // Not onto a pre-filled bias with beta = 1: when the gemm splits
        // the inner dimension into blocks, that adds the bias to the first
        // block's partial sum, and an image alone in its group would not
        // have the bits it gets inside a group (or in the fused block).
        // y_n [O, OH*OW] = W [O, C*KH*KW] x col_n [C*KH*KW, OH*OW]
        gemm(T::one(), w, b_mat, T::zero(), MatMut::row_major(y_g, o, p));
        if let Some(b) = bias {
            for (row, &b_o) in y_g.chunks_exact_mut(p).zip(b) {
                row.iter_mut().for_each(|y| *y += b_o);
            }
        }
    }
}

/// `acc [O, G*P] = W col` for a group of whole images `x_g`, their column
/// matrices side by side in `col`, each of the `P = rows*cols` output
/// positions of `part` (the whole output, or the part a pooling reads; see
/// [`im2col_part`]). A pointwise convolution's images are their own column
/// matrices: `col` is then unused.
fn group_product<T: Element>(
    s: &Conv2dShape,
    part: (usize, usize),
    w: MatRef<'_, T>,
    x_g: &[T],
    col: &mut [T],
    acc: &mut [T],
) {
    let (o, k, p) = (s.out_channels, s.col_rows(), part.0 * part.1);
    let cols = x_g.len() / s.image_len() * p;
    let in_place = s.is_pointwise() && part == (s.out_h, s.out_w);
    if !in_place {
        for (n, x_n) in x_g.chunks_exact(s.image_len()).enumerate() {
            im2col_part(s, part, x_n, &mut col[n * p..], cols);
        }
    }
    let b_mat = if in_place { dense(x_g, k, cols) } else { dense(col, k, cols) };
    gemm(T::one(), w, b_mat, T::zero(), dense_mut(acc, o, cols));
}

/// [`forward_chunk`] followed by ReLU and max pooling, group by group: each
/// output plane is read from the group's product, its bias added in an L1
/// buffer, and pooled at once, so the convolution's output is never
/// written. Values and positions are the bits of the unfused passes (the
/// same product, the same `v + b`, the same pooling scan).
///
/// Only the output positions some window reads are computed (see
/// [`pooled_part`]): the CNN's second layer makes 11x11 planes whose last
/// row and column no 2x2 window reaches, so its products are 100 columns
/// an image instead of 121.
///
/// - `y`, `arg`: the pooled output `[n, O, PH, PW]` and its positions, every
///   element overwritten.
pub(crate) fn forward_relu_max_pool_chunk<T: Element>(
    s: &Conv2dShape,
    pool: &Pool2dShape,
    x: &[T],
    weight: &[T],
    bias: Option<&[T]>,
    y: &mut [T],
    arg: &mut [u32],
) {
    let (o, k, pooled) = (s.out_channels, s.col_rows(), pool.out_plane_len());
    let part = pooled_part(s, pool);
    let p = part.0 * part.1;
    let part_pool = Pool2dShape::new("conv2d_relu_max_pool2d", [1, 1, part.0, part.1], pool.params);
    debug_assert_eq!(part_pool.out_plane_len(), pooled, "the part has every window");
    let g = pooled_images_per_gemm(s, pool).min(x.len() / s.image_len());
    let w = MatRef::row_major(weight, o, k);
    let mut col = Scratch::take(k * g * p);
    let mut acc = Scratch::take(o * g * p);
    let mut plane = Scratch::take(p);
    let outs = y.chunks_mut(g * o * pooled).zip(arg.chunks_mut(g * o * pooled));
    for (x_g, (y_g, arg_g)) in x.chunks(g * s.image_len()).zip(outs) {
        let cols = x_g.len() / s.image_len() * p;
        group_product(s, part, w, x_g, &mut col, &mut acc);
        relu_max_pool_product(s, &part_pool, &acc[..o * cols], bias, &mut plane[..p], y_g, arg_g);
    }
}

/// [`images_per_gemm`] for [`forward_relu_max_pool_chunk`], whose
/// products have the columns of [`pooled_part`] only.
fn pooled_images_per_gemm(s: &Conv2dShape, pool: &Pool2dShape) -> usize {
    let (rows, cols) = pooled_part(s, pool);
    (GEMM_COLUMNS / (rows * cols).max(1)).max(1)
}

/// The rows and columns `(rows, cols)` of a convolution's output that a
/// max pooling of it reads: its windows start at row 0 (without padding)
/// and the last one ends at `(PH - 1)*stride + kernel`, which can fall
/// short of the output (11 rows pooled 2x2 by 2: 10 read). With padding
/// the whole output.
fn pooled_part(s: &Conv2dShape, pool: &Pool2dShape) -> (usize, usize) {
    let p = pool.params;
    if p.padding != (0, 0) {
        return (s.out_h, s.out_w);
    }
    let span = |windows: usize, kernel: usize, stride: usize, full: usize| {
        if windows == 0 {
            full
        } else {
            ((windows - 1) * stride + kernel).min(full)
        }
    };
    (span(pool.out_h, p.kernel.0, p.stride.0, s.out_h), span(pool.out_w, p.kernel.1, p.stride.1, s.out_w))
}

widest_vectors! {
    /// ReLU and max pooling of the planes of a group's product
    /// `acc [O, G*P]`, each plane given its bias in the buffer `plane` (`P`
    /// values, in L1) first; `part` is the pooling of one such plane (the
    /// part of the output the pooling reads, see [`pooled_part`]); `y`,
    /// `arg`: the pooled planes `[G, O, PH, PW]`, positions in the whole
    /// output plane of `s`.
    fn relu_max_pool_product<T: Element>(
        s: &Conv2dShape,
        part: &Pool2dShape,
        acc: &[T],
        bias: Option<&[T]>,
        plane: &mut [T],
        y: &mut [T],
        arg: &mut [u32],
    ) {
        let (o, p, pooled) = (s.out_channels, plane.len(), part.out_plane_len());
        let cols = acc.len() / o;
        let (part_w, full_w) = (part.in_w as u32, s.out_w as u32);
        let planes = y.chunks_exact_mut(pooled).zip(arg.chunks_exact_mut(pooled));
        for (i, (y_o, arg_o)) in planes.enumerate() {
            // Plane i is image i / O, channel i % O: row c of the product,
            // columns n*p.. (as `columns_to_images` reads them).
            let (n, c) = (i / o, i % o);
            copy_plus_bias(&acc[c * cols + n * p..][..p], plane, bias.map(|b| b[c]));
            relu_max_pool_planes(part, plane, y_o, arg_o);
            if part_w != full_w {
                // Positions in the part's rows, to positions in the output's.
                for a in arg_o.iter_mut() {
                    *a = *a / part_w * full_w + *a % part_w;
                }
            }
        }
    }
}

/// Gradient of the 2-D convolution with respect to its input:
/// `dx[n, c, ih, iw] = sum over (o, i, j, oh, ow) with oh*sh + i*dh - ph = ih and ow*sw + j*dw - pw = iw
/// of w[o, c, i, j] * dy[n, o, oh, ow]`, computed as `dx_n = col2im(W^T dy_n)`.
///
/// - `grad_out`: `[N, O, OH, OW]`;
/// - `weight`: `[O, C, KH, KW]`;
/// - returns `[N, C, H, W]`.
///
/// # Panics
/// If a slice length disagrees with `s`.
#[track_caller]
pub fn conv2d_grad_input<T: Element>(s: &Conv2dShape, grad_out: &[T], weight: &[T]) -> Vec<T> {
    check_len("conv2d_grad_input", "grad_out", grad_out.len(), &s.output_shape());
    check_len("conv2d_grad_input", "weight", weight.len(), &s.weight_shape());
    let mut dx = crate::memory::filled(s.input_shape().iter().product(), T::zero());
    if dx.is_empty() || s.out_channels == 0 {
        return dx;
    }
    let per = images_per_task(s);
    let chunk = |(dy, dx): (&[T], &mut [T])| grad_input_chunk(s, dy, weight, dx);
    if per >= s.batch {
        let dy_chunks = grad_out.chunks(per * s.out_image_len());
        dy_chunks.zip(dx.chunks_mut(per * s.image_len())).for_each(chunk);
    } else {
        let dy_chunks = grad_out.par_chunks(per * s.out_image_len());
        dy_chunks.zip(dx.par_chunks_mut(per * s.image_len())).for_each(chunk);
    }
    dx
}

/// Input gradient over a run of whole images; `dx` must be zero on entry.
fn grad_input_chunk<T: Element>(s: &Conv2dShape, dy: &[T], weight: &[T], dx: &mut [T]) {
    let (o, k, p) = (s.out_channels, s.col_rows(), s.col_cols());
    let w_t = MatRef::row_major(weight, o, k).t();
    if s.is_pointwise() {
        for (dy_n, dx_n) in dy.chunks_exact(s.out_image_len()).zip(dx.chunks_exact_mut(s.image_len())) {
            // dx_n [C, H*W] = W^T [C, O] x dy_n [O, H*W]   (H*W = OH*OW here)
            gemm(T::one(), w_t, MatRef::row_major(dy_n, o, p), T::zero(), MatMut::row_major(dx_n, k, p));
        }
        return;
    }
    let g = images_per_gemm(s).min(dy.len() / s.out_image_len());
    let mut col = Scratch::take(k * g * p);
    let mut dy_cols = Scratch::take(if g > 1 { o * g * p } else { 0 });
    for (dy_g, dx_g) in dy.chunks(g * s.out_image_len()).zip(dx.chunks_mut(g * s.image_len())) {
        let cols = dy_g.len() / o;
        let dy_mat = if cols == p {
            dense(dy_g, o, p)
        } else {
            images_to_columns(dy_g, &mut dy_cols, o, p);
            dense(&dy_cols, o, cols)
        };
        // col [C*KH*KW, G*OH*OW] = W^T [C*KH*KW, O] x DY [O, G*OH*OW]
        gemm(T::one(), w_t, dy_mat, T::zero(), dense_mut(&mut col, k, cols));
        for (n, dx_n) in dx_g.chunks_exact_mut(s.image_len()).enumerate() {
            col2im(s, &col[n * p..], cols, dx_n);
        }
    }
}

/// Gradient of the 2-D convolution with respect to its weight:
/// `dw[o, c, i, j] = sum_{n, oh, ow} dy[n, o, oh, ow] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`,
/// computed as `dW [O, C*KH*KW] = sum over groups of DY col^T`.
///
/// - `grad_out`: `[N, O, OH, OW]`;
/// - `input`: `[N, C, H, W]`;
/// - returns `[O, C, KH, KW]`.
///
/// Large batches are cut into at most 8 parts of consecutive images whose
/// partial sums run in parallel and are then added in part order. Parts and
/// groups depend only on the sizes, so the result is bit-for-bit the same
/// on every run and any thread count.
///
/// # Panics
/// If a slice length disagrees with `s`.
#[track_caller]
pub fn conv2d_grad_weight<T: Element>(s: &Conv2dShape, grad_out: &[T], input: &[T]) -> Vec<T> {
    check_len("conv2d_grad_weight", "grad_out", grad_out.len(), &s.output_shape());
    check_len("conv2d_grad_weight", "input", input.len(), &s.input_shape());
    let dw_len = s.out_channels * s.col_rows();
    if s.batch == 0 || dw_len == 0 {
        return crate::memory::filled(dw_len, T::zero());
    }
    let work = s.out_channels * s.col_rows() * s.col_cols();
    let per = items_per_part(s.batch, work);
    let part = |(dy, x): (&[T], &[T])| grad_weight_part(s, dy, x);
    if per >= s.batch {
        return part((grad_out, input));
    }
    let dy_parts = grad_out.par_chunks(per * s.out_image_len());
    let x_parts = input.par_chunks(per * s.image_len());
    // `collect` keeps the parts in batch order whatever thread computed them.
    sum_parts_in_order(dy_parts.zip(x_parts).map(part).collect())
}

/// The weight gradient summed over a run of whole images, group by group.
fn grad_weight_part<T: Element>(s: &Conv2dShape, dy: &[T], x: &[T]) -> Vec<T> {
    let (o, k, p) = (s.out_channels, s.col_rows(), s.col_cols());
    let mut dw = crate::memory::filled(o * k, T::zero());
    if k <= FEW_TAPS && !s.is_pointwise() {
        grad_weight_few_taps(s, dy, x, &mut dw);
        return dw;
    }
    let g = images_per_gemm(s).min(x.len() / s.image_len());
    let mut col = Scratch::take(if s.is_pointwise() { 0 } else { k * g * p });
    let mut dy_cols = Scratch::take(if g > 1 { o * g * p } else { 0 });
    for (dy_g, x_g) in dy.chunks(g * s.out_image_len()).zip(x.chunks(g * s.image_len())) {
        let cols = dy_g.len() / o;
        for (n, x_n) in x_g.chunks_exact(s.image_len()).enumerate() {
            if !s.is_pointwise() {
                im2col(s, x_n, &mut col[n * p..], cols);
            }
        }
        let col_mat = if s.is_pointwise() { dense(x_g, k, cols) } else { dense(&col, k, cols) };
        let dy_mat = if cols == p {
            dense(dy_g, o, p)
        } else {
            images_to_columns(dy_g, &mut dy_cols, o, p);
            dense(&dy_cols, o, cols)
        };
        // dW [O, C*KH*KW] += DY [O, G*OH*OW] x col^T [G*OH*OW, C*KH*KW]
        gemm(T::one(), dy_mat, col_mat.t(), T::one(), MatMut::row_major(&mut dw, o, k));
    }
    dw
}

/// Gradient of a convolution with respect to its bias:
/// `db[o] = sum_{n, p} dy[n, o, p]`, where `p` runs over the `spatial`
/// output positions (`OH*OW` in 2-D, `OL` in 1-D).
///
/// - `grad_out`: `[N, O, spatial...]` with `N = batch`, `O = channels`;
/// - returns `[O]`.
///
/// `dy` is read once, in memory order: each row `dy[n, o, :]` is summed
/// over the lanes of `lane_sum` and added to `db[o]`. Large batches are cut
/// into at most 8 parts of consecutive images (by size alone) summed in
/// parallel and then added in part order, so the result does not depend on
/// the number of threads.
///
/// # Panics
/// If `grad_out.len() != batch * channels * spatial`.
#[track_caller]
pub fn conv_grad_bias<T: Element>(grad_out: &[T], batch: usize, channels: usize, spatial: usize) -> Vec<T> {
    check_len("conv_grad_bias", "grad_out", grad_out.len(), &[batch, channels, spatial]);
    if batch == 0 || spatial == 0 || channels == 0 {
        return crate::memory::filled(channels, T::zero());
    }
    let part = |dy: &[T]| -> Vec<T> {
        let mut db = crate::memory::filled(channels, T::zero());
        for dy_n in dy.chunks_exact(channels * spatial) {
            for (acc, row) in db.iter_mut().zip(dy_n.chunks_exact(spatial)) {
                *acc += lane_sum(row);
            }
        }
        db
    };
    let per = items_per_part(batch, channels * spatial);
    if per >= batch {
        return part(grad_out);
    }
    let parts: Vec<Vec<T>> = grad_out.par_chunks(per * channels * spatial).map(part).collect();
    let mut db = crate::memory::filled(channels, T::zero());
    for p in &parts {
        for (a, &b) in db.iter_mut().zip(p) {
            *a += b;
        }
    }
    db
}

/// `sum_i xs[i]` over 8 interleaved partial sums, added up at the end: the
/// additions of one lane do not wait on each other, so the loop runs at
/// memory speed instead of one dependent add at a time. The order is fixed
/// by the length alone.
pub(crate) fn lane_sum<T: Element>(xs: &[T]) -> T {
    const LANES: usize = 8;
    let mut acc = [T::zero(); LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    for (a, &x) in acc.iter_mut().zip(tail) {
        *a += x;
    }
    let [a0, a1, a2, a3, a4, a5, a6, a7] = acc;
    ((a0 + a4) + (a1 + a5)) + ((a2 + a6) + (a3 + a7))
}
