//! The gradients of a max-pooled convolution taken from the pooled
//! gradient: shape checks and contiguity around the slice kernels of
//! `kernels/pooled_conv_grad.rs`. With the reference kernels selected,
//! each is the scatter back through the pooling followed by the
//! convolution's own gradient, both by their reference loops.

use crate::conv::{data, dims};
use crate::kernels::pooled_conv_grad::{conv2d_grad_input_pooled, conv2d_grad_weight_pooled};
use crate::kernels::{use_reference, Conv2dParams, Conv2dShape};
use crate::{Element, MaxPoolIndices, Tensor};

/// Checks that the pooling of `indices` pooled this convolution's output
/// and that `grad` is its pooled output's gradient.
#[track_caller]
fn check_pooled(op: &str, conv: &Conv2dShape, indices: &MaxPoolIndices, grad: &[usize]) {
    assert!(
        indices.input_shape() == conv.output_shape(),
        "{op}: the pooling's input {:?} is not the output {:?} of a convolution of input {:?} by weight {:?}",
        indices.input_shape(),
        conv.output_shape(),
        conv.input_shape(),
        conv.weight_shape()
    );
    assert!(
        grad == indices.output_shape(),
        "{op}: gradient {grad:?} is not the pooled output shape {:?}",
        indices.output_shape()
    );
}

impl<T: Element> Tensor<T> {
    /// Weight gradient of a convolution whose output was max-pooled (a CNN
    /// block `conv -> ReLU -> max pool`), called on the pooled gradient `g`
    /// (already masked by the ReLU):
    /// `dw[o, c, i, j] = sum_{n, q} g[n, o, q] * x[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw]`,
    /// `(oh, ow)` being the position pooling window `q` chose.
    ///
    /// Equal, up to the order of the additions, to
    /// `g.max_pool2d_backward(indices).conv2d_grad_weight(input, ..)`, with a
    /// quarter of its work for 2x2 pooling and without the convolution-sized
    /// scattered gradient.
    ///
    /// - `self`: `g`, `[N, O, PH, PW]`;
    /// - `indices`: from the max pooling of the convolution's output;
    /// - `input`: the convolution's input `[N, C, H, W]`;
    /// - `weight_shape`: `[O, C, KH, KW]`; returns that shape.
    ///
    /// # Panics
    /// If the shapes are not those of a `conv2d` whose output was pooled by
    /// `indices` into `g`'s shape.
    #[track_caller]
    pub fn conv2d_grad_weight_pooled(
        &self,
        indices: &MaxPoolIndices,
        input: &Tensor<T>,
        weight_shape: &[usize],
        params: Conv2dParams,
    ) -> Tensor<T> {
        let op = "conv2d_grad_weight_pooled";
        let conv = Conv2dShape::new(
            dims(op, "input", "[N, C, H, W]", input.shape()),
            dims(op, "weight", "[O, C, KH, KW]", weight_shape),
            params,
        );
        check_pooled(op, &conv, indices, self.shape());
        if use_reference() {
            return self.max_pool2d_backward(indices).conv2d_grad_weight(input, weight_shape, params);
        }
        let (g, x) = (self.contiguous(), input.contiguous());
        let dw = conv2d_grad_weight_pooled(&conv, indices.pool_shape(), data(&g), indices.as_slice(), data(&x));
        Tensor::from_vec_unchecked(dw, weight_shape)
    }

    /// Input gradient of a convolution whose output was max-pooled, called
    /// on the pooled gradient `g`: each window adds `g[n, o, q] * w[o]` to
    /// the input patch its chosen position `(oh, ow)` read,
    /// `dx[n, c, oh*sh + i*dh - ph, ow*sw + j*dw - pw] += g[n, o, q] * w[o, c, i, j]`.
    ///
    /// Equal, up to the order of the additions, to
    /// `g.max_pool2d_backward(indices).conv2d_grad_input(weight, ..)`.
    ///
    /// - `self`: `g`, `[N, O, PH, PW]`;
    /// - `indices`: from the max pooling of the convolution's output;
    /// - `weight`: `[O, C, KH, KW]`;
    /// - `input_shape`: the convolution's input shape `[N, C, H, W]`;
    ///   returns that shape.
    ///
    /// # Panics
    /// If the shapes are not those of a `conv2d` whose output was pooled by
    /// `indices` into `g`'s shape.
    #[track_caller]
    pub fn conv2d_grad_input_pooled(
        &self,
        indices: &MaxPoolIndices,
        weight: &Tensor<T>,
        input_shape: &[usize],
        params: Conv2dParams,
    ) -> Tensor<T> {
        let op = "conv2d_grad_input_pooled";
        let conv = Conv2dShape::new(
            dims(op, "input", "[N, C, H, W]", input_shape),
            dims(op, "weight", "[O, C, KH, KW]", weight.shape()),
            params,
        );
        check_pooled(op, &conv, indices, self.shape());
        if use_reference() {
            return self.max_pool2d_backward(indices).conv2d_grad_input(weight, input_shape, params);
        }
        let (g, w) = (self.contiguous(), weight.contiguous());
        let dx = conv2d_grad_input_pooled(&conv, indices.pool_shape(), data(&g), indices.as_slice(), data(&w));
        Tensor::from_vec_unchecked(dx, input_shape)
    }
}
