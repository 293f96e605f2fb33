//! The gradients of a max-pooled convolution, taken from the pooled
//! gradient, as differentiable operations: what the backward pass of
//! [`Var::conv2d_relu_max_pool2d`] records.
//!
//! With `S` the max-pool scatter (pooled gradient -> convolution output
//! gradient) and `S*` its adjoint, the gather at the chosen positions:
//!
//! - `gw(g, x) = conv_grad_weight(S g, x)`, bilinear:
//!   `<h, gw(g, x)> = <conv(x, h), S g> = <S* conv(x, h), g>`, so
//!   `dg = S* conv(x, h)` and `dx = conv_grad_input(S g, h) = gi(g, h)`;
//! - `gi(g, w) = conv_grad_input(S g, w)`:
//!   `<h, gi(g, w)> = <conv(h, w), S g>`, so `dg = S* conv(h, w)` and
//!   `dw = conv_grad_weight(S g, h) = gw(g, h)`.
//!
//! Every backward is again made of recorded operations, so the block
//! differentiates any number of times.

use crate::op_def::{operators, Cost, OpDef};
use crate::ops::conv::{conv2d_grad_input_flops, conv2d_grad_weight_flops};
use crate::Var;
use sinapse_tensor::{Conv2dParams, Element, MaxPoolIndices};
use std::sync::Arc;

operators! {
    /// [`Var::conv2d_grad_weight_pooled`].
    pub static CONV2D_GRAD_WEIGHT_POOLED: OpDef = OpDef {
        name: "conv2d_grad_weight_pooled",
        forward: "dw = conv2d_grad_weight(S g, x), S the max-pool scatter",
        backward: "dg = S* conv2d(x, h), dx = conv2d_grad_input_pooled(g, h)",
        cost: Cost::Formula(conv2d_grad_weight_flops),
    };
    /// [`Var::conv2d_grad_input_pooled`].
    pub static CONV2D_GRAD_INPUT_POOLED: OpDef = OpDef {
        name: "conv2d_grad_input_pooled",
        forward: "dx = conv2d_grad_input(S g, w), S the max-pool scatter",
        backward: "dg = S* conv2d(h, w), dw = conv2d_grad_weight_pooled(g, h)",
        cost: Cost::Formula(conv2d_grad_input_flops),
    };
}

impl<T: Element> Var<T> {
    /// The weight gradient of a convolution whose output was max-pooled,
    /// called on the pooled gradient `self = g` `[N, O, PH, PW]` with the
    /// convolution's `input`; see
    /// [`Tensor::conv2d_grad_weight_pooled`](sinapse_tensor::Tensor::conv2d_grad_weight_pooled).
    #[track_caller]
    pub fn conv2d_grad_weight_pooled(
        &self,
        indices: &Arc<MaxPoolIndices>,
        input: &Var<T>,
        weight_shape: &[usize],
        params: Conv2dParams,
    ) -> Var<T> {
        let idx = indices.clone();
        Var::from_op(
            &CONV2D_GRAD_WEIGHT_POOLED,
            &[self, input],
            || self.value().conv2d_grad_weight_pooled(indices, input.value(), weight_shape, params),
            move |_, h, x| {
                let dg = x[0].requires_grad().then(|| x[1].conv2d(h, None, params).max_pool2d_gather(&idx));
                let dx = x[1].requires_grad().then(|| x[0].conv2d_grad_input_pooled(&idx, h, x[1].shape(), params));
                vec![dg, dx]
            },
        )
    }

    /// The input gradient of a convolution whose output was max-pooled,
    /// called on the pooled gradient `self = g` with the convolution's
    /// `weight`, giving `input_shape`; see
    /// [`Tensor::conv2d_grad_input_pooled`](sinapse_tensor::Tensor::conv2d_grad_input_pooled).
    #[track_caller]
    pub fn conv2d_grad_input_pooled(
        &self,
        indices: &Arc<MaxPoolIndices>,
        weight: &Var<T>,
        input_shape: &[usize],
        params: Conv2dParams,
    ) -> Var<T> {
        let idx = indices.clone();
        Var::from_op(
            &CONV2D_GRAD_INPUT_POOLED,
            &[self, weight],
            || self.value().conv2d_grad_input_pooled(indices, weight.value(), input_shape, params),
            move |_, h, x| {
                let dg = x[0].requires_grad().then(|| h.conv2d(&x[1], None, params).max_pool2d_gather(&idx));
                let dw = x[1].requires_grad().then(|| x[0].conv2d_grad_weight_pooled(&idx, h, x[1].shape(), params));
                vec![dg, dw]
            },
        )
    }
}
