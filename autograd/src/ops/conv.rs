//! Convolutions as differentiable operations.
//!
//! A 2-D convolution `y = conv(x, w)` is bilinear in `x` and `w`, so its
//! two gradients are convolutions too:
//!
//! - `dx = conv_grad_input(dy, w)`: the adjoint of `x -> conv(x, w)`;
//! - `dw = conv_grad_weight(dy, x)`: the adjoint of `w -> conv(x, w)`.
//!
//! Each of the three is recorded as its own operation whose backward is
//! written with the other two (from `<g, conv_grad_input(dy, w)> = <conv(g,
//! w), dy>` and `<g, conv_grad_weight(dy, x)> = <conv(x, g), dy>`), so
//! convolutions can be differentiated any number of times.
//!
//! `conv1d` is `conv2d` on inputs with a height of 1, through reshapes.

use crate::op_def::{numel, operators, Cost, OpDef};
use crate::Var;
use sinapse_tensor::{Conv1dParams, Conv2dParams, Element};

operators! {
    /// [`Var::conv2d`].
    pub static CONV2D: OpDef = OpDef {
        name: "conv2d",
        forward: "y[n,o,i,j] = b[o] + Σ_{c,p,q} w[o,c,p,q] x[n,c,i s+p d-pad, j s+q d-pad]",
        backward: "dx = conv2d_grad_input(g, w), dw = conv2d_grad_weight(g, x), db = Σ_{n,i,j} g",
        cost: Cost::Formula(conv2d_flops),
    };
    /// [`Var::conv2d_grad_bias`].
    pub static CONV2D_GRAD_BIAS: OpDef = OpDef {
        name: "conv2d_grad_bias",
        forward: "db[o] = Σ_{n,i,j} dy[n,o,i,j]",
        backward: "d(dy) = g broadcast over (n, i, j)",
        cost: Cost::Reduction,
    };
    /// [`Var::conv2d_grad_input`].
    pub static CONV2D_GRAD_INPUT: OpDef = OpDef {
        name: "conv2d_grad_input",
        forward: "dx = the adjoint of x ↦ conv2d(x, w), applied to dy",
        backward: "d(dy) = conv2d(g, w), dw = conv2d_grad_weight(dy, g)",
        cost: Cost::Formula(conv2d_grad_input_flops),
    };
    /// [`Var::conv2d_grad_weight`].
    pub static CONV2D_GRAD_WEIGHT: OpDef = OpDef {
        name: "conv2d_grad_weight",
        forward: "dw = the adjoint of w ↦ conv2d(x, w), applied to dy",
        backward: "d(dy) = conv2d(x, g), dx = conv2d_grad_input(dy, g)",
        cost: Cost::Formula(conv2d_grad_weight_flops),
    };
}

impl<T: Element> Var<T> {
    /// 2-D convolution (cross-correlation, as in every deep-learning
    /// framework; see [`Tensor::conv2d`](sinapse_tensor::Tensor::conv2d)):
    /// `y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] x[n,c,i*s+p*d-pad, j*s+q*d-pad]`.
    ///
    /// `self` is `[N, C, H, W]`, `weight` `[O, C, KH, KW]`, `bias` `[O]`.
    /// Backward: `dx = conv_grad_input(g, w)`, `dw = conv_grad_weight(g, x)`,
    /// `db = sum_{n,i,j} g`.
    ///
    /// The bias is added inside the convolution kernel and its gradient is
    /// one reduction of `g`: no broadcast tensor is built either way.
    #[track_caller]
    pub fn conv2d(&self, weight: &Var<T>, bias: Option<&Var<T>>, params: Conv2dParams) -> Var<T> {
        let Some(bias) = bias else {
            return self.conv2d_no_bias(weight, params);
        };
        Var::from_op(
            &CONV2D,
            &[self, weight, bias],
            || self.value().conv2d(weight.value(), Some(bias.value()), params),
            move |_, g, x| {
                let dx = x[0].requires_grad().then(|| g.conv2d_grad_input(&x[1], x[0].shape(), params));
                let dw = x[1].requires_grad().then(|| g.conv2d_grad_weight(&x[0], x[1].shape(), params));
                let db = x[2].requires_grad().then(|| g.conv2d_grad_bias());
                vec![dx, dw, db]
            },
        )
    }

    /// The bias gradient of a convolution, called on `self = dy`
    /// `[N, O, OH, OW]`: `db[o] = sum_{n,i,j} dy[n,o,i,j]`, shape `[O]`.
    /// Backward: `g` broadcast back over `(n, i, j)` (the adjoint of the sum).
    #[track_caller]
    pub fn conv2d_grad_bias(&self) -> Var<T> {
        let dy_shape = self.shape().to_vec();
        Var::from_op(
            &CONV2D_GRAD_BIAS,
            &[self],
            || self.value().conv2d_grad_bias(),
            move |_, g, _| vec![Some(g.reshape(&[1, dy_shape[1], 1, 1]).broadcast_to(&dy_shape))],
        )
    }

    fn conv2d_no_bias(&self, weight: &Var<T>, params: Conv2dParams) -> Var<T> {
        Var::from_op(
            &CONV2D,
            &[self, weight],
            || self.value().conv2d(weight.value(), None, params),
            move |_, g, x| {
                let dx = x[0].requires_grad().then(|| g.conv2d_grad_input(&x[1], x[0].shape(), params));
                let dw = x[1].requires_grad().then(|| g.conv2d_grad_weight(&x[0], x[1].shape(), params));
                vec![dx, dw]
            },
        )
    }

    /// The input gradient of a convolution, called on the output gradient
    /// `self = dy` `[N, O, OH, OW]` with the forward `weight`, giving
    /// `[N, C, H, W]` = `input_shape`. Differentiable in both arguments.
    #[track_caller]
    pub fn conv2d_grad_input(&self, weight: &Var<T>, input_shape: &[usize], params: Conv2dParams) -> Var<T> {
        Var::from_op(
            &CONV2D_GRAD_INPUT,
            &[self, weight],
            || self.value().conv2d_grad_input(weight.value(), input_shape, params),
            move |_, g, x| {
                // <g, gi(dy, w)> = <conv(g, w), dy>
                let ddy = x[0].requires_grad().then(|| g.conv2d_no_bias(&x[1], params));
                let dw = x[1].requires_grad().then(|| x[0].conv2d_grad_weight(g, x[1].shape(), params));
                vec![ddy, dw]
            },
        )
    }

    /// The weight gradient of a convolution, called on the output gradient
    /// `self = dy` with the forward `input`, giving `weight_shape`.
    /// Differentiable in both arguments.
    #[track_caller]
    pub fn conv2d_grad_weight(&self, input: &Var<T>, weight_shape: &[usize], params: Conv2dParams) -> Var<T> {
        Var::from_op(
            &CONV2D_GRAD_WEIGHT,
            &[self, input],
            || self.value().conv2d_grad_weight(input.value(), weight_shape, params),
            move |_, g, x| {
                // <g, gw(dy, x)> = <conv(x, g), dy>
                let ddy = x[0].requires_grad().then(|| x[1].conv2d_no_bias(g, params));
                let dx = x[1].requires_grad().then(|| x[0].conv2d_grad_input(g, x[1].shape(), params));
                vec![ddy, dx]
            },
        )
    }

    /// 1-D convolution: `y[n,o,t] = b[o] + sum_{c,k} w[o,c,k] x[n,c,t*s+k*d-p]`
    /// (cross-correlation; flip the kernel for the course's
    /// `s_i = sum_k x_(i-k) w_k`). `self` is `[N, C, L]`, `weight`
    /// `[O, C, K]`, `bias` `[O]`. Computed as a 2-D convolution of height 1.
    #[track_caller]
    pub fn conv1d(&self, weight: &Var<T>, bias: Option<&Var<T>>, params: Conv1dParams) -> Var<T> {
        let (xs, ws) = (self.shape().to_vec(), weight.shape().to_vec());
        assert!(
            xs.len() == 3 && ws.len() == 3,
            "conv1d: input {xs:?} must be [N, C, L] and weight {ws:?} must be [O, C, K]"
        );
        let x4 = self.reshape(&[xs[0], xs[1], 1, xs[2]]);
        let w4 = weight.reshape(&[ws[0], ws[1], 1, ws[2]]);
        let y = x4.conv2d(&w4, bias, params.as_2d());
        let ys = y.shape().to_vec();
        y.reshape(&[ys[0], ys[1], ys[3]])
    }
}

/// `C KH KW` for a weight `[O, C, KH, KW]`: the length of the dot product
/// behind each output element.
pub(crate) fn per_output_channel(weight: Option<&&[usize]>) -> u64 {
    match weight {
        Some(w) if !w.is_empty() && w[0] > 0 => numel(w) / w[0] as u64,
        _ => 0,
    }
}

/// `2 N O OH OW C KH KW`: `y [N, O, OH, OW]` from `w [O, C, KH, KW]`, one
/// multiply-add per weight per output element.
fn conv2d_flops(inputs: &[&[usize]], output: &[usize]) -> u64 {
    2 * numel(output) * per_output_channel(inputs.get(1))
}

/// The forward's multiply-adds, walked backwards: `dx` from `dy [N, O, OH,
/// OW]` and `w [O, C, KH, KW]`. From a pooled gradient `[N, O, PH, PW]`
/// (the pooled ops), the same formula counts only the chosen positions.
pub(crate) fn conv2d_grad_input_flops(inputs: &[&[usize]], _output: &[usize]) -> u64 {
    2 * inputs.first().map_or(0, |dy| numel(dy)) * per_output_channel(inputs.get(1))
}

/// The forward's multiply-adds again: `dw [O, C, KH, KW]` from `dy` and `x`.
pub(crate) fn conv2d_grad_weight_flops(inputs: &[&[usize]], output: &[usize]) -> u64 {
    2 * inputs.first().map_or(0, |dy| numel(dy)) * per_output_channel(Some(&output))
}
