//! A convolution, a ReLU and a max pooling as one pass: the first block of
//! a CNN (`Conv2d, ReLU, MaxPool2d`).
//!
//! Run one after the other, the three write the convolution's output (the
//! largest tensor of the course's CNN step, 128x32x26x26 = 11 MB), then read
//! it back to pool it. Here each output plane is pooled as soon as it is
//! made: for a layer with few taps per output (the first layer on grey
//! images) in a buffer that stays in L1; for a gemm layer from the product
//! of a group of images, still in cache, its bias added in an L1 buffer.

use crate::par::prelude::*;

use super::conv2d::{check_len, conv2d_forward, forward_relu_max_pool_chunk, pooled_images_per_task};
use super::conv_shape::Conv2dShape;
use super::few_taps::{forward_few_taps_relu_max_pool, FEW_TAPS};
use super::max_pool::{check_plane_indices, relu_max_pool2d_forward};
use super::parallel::items_per_chunk;
use super::pool_shape::Pool2dShape;
use crate::Element;

/// `max_pool(relu(conv2d(x, w) + b))`: the pooled values `[N, O, PH, PW]`
/// and the position of each maximum within its plane, bit-for-bit those of
/// [`conv2d_forward`] followed by [`relu_max_pool2d_forward`] (which is
/// what runs when the convolution is pointwise).
///
/// - `conv`: the convolution's sizes; `pool`: the pooling's, whose input is
///   the convolution's output;
/// - `input` `[N, C, H, W]`, `weight` `[O, C, KH, KW]`, `bias` `[O]` or none.
///
/// # Panics
/// If the pooling's input is not the convolution's output, a slice length
/// disagrees with the shapes, or a plane is too large for `u32` positions.
#[track_caller]
pub fn conv2d_relu_max_pool2d_forward<T: Element>(
    conv: &Conv2dShape,
    pool: &Pool2dShape,
    input: &[T],
    weight: &[T],
    bias: Option<&[T]>,
) -> (Vec<T>, Vec<u32>) {
    assert!(
        pool.input_shape() == conv.output_shape(),
        "conv2d_relu_max_pool2d: the pooling's input {:?} is not the convolution's output {:?}",
        pool.input_shape(),
        conv.output_shape()
    );
    if conv.is_pointwise() || conv.batch == 0 {
        let y = conv2d_forward(conv, input, weight, bias);
        return relu_max_pool2d_forward(pool, &y);
    }
    // The checks of the unfused kernels, with this operation's name.
    let op = "conv2d_relu_max_pool2d";
    check_len(op, "input", input.len(), &conv.input_shape());
    check_len(op, "weight", weight.len(), &conv.weight_shape());
    if let Some(b) = bias {
        check_len(op, "bias", b.len(), &[conv.out_channels]);
    }
    check_plane_indices(op, pool);
    let out_len: usize = pool.output_shape().iter().product();
    // Every value and position is written by the plane loop.
    let mut y = crate::memory::overwritable(out_len, T::zero());
    let mut arg = crate::memory::overwritable(out_len, 0u32);
    if out_len == 0 {
        return (y, arg);
    }
    let few_taps = conv.col_rows() <= FEW_TAPS;
    let per = if few_taps {
        items_per_chunk(conv.batch, conv.out_channels * conv.col_rows() * conv.col_cols())
    } else {
        pooled_images_per_task(conv, pool)
    };
    let (x_step, out_step) = (per * conv.image_len(), per * conv.out_channels * pool.out_plane_len());
    let chunk = |(x, (y, a)): (&[T], (&mut [T], &mut [u32]))| {
        if few_taps {
            forward_few_taps_relu_max_pool(conv, pool, x, weight, bias, y, a)
        } else {
            forward_relu_max_pool_chunk(conv, pool, x, weight, bias, y, a)
        }
    };
    if per >= conv.batch {
        chunk((input, (&mut y, &mut arg)));
    } else {
        let outs = y.par_chunks_mut(out_step).zip(arg.par_chunks_mut(out_step));
        input.par_chunks(x_step).zip(outs).for_each(chunk);
    }
    (y, arg)
}
