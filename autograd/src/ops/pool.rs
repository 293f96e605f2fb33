//! Max, min and average pooling as differentiable operations.
//!
//! Every backward map is linear in the output gradient, with adjoints that
//! are again simple: max (or min) pooling's backward scatters `g` to the
//! remembered positions of the maxima (minima), and the adjoint of that
//! scatter is the gather at the same positions; average pooling's backward
//! spreads `g` over each window with its weight `1 / divisor`, and its
//! adjoint is average pooling itself. Each is recorded as an
//! operation, so pooling can be differentiated any number of times.

use crate::op_def::{operators, Cost, OpDef};
use crate::ops::conv::per_output_channel;
use crate::Var;
use sinapse_tensor::{AvgPoolPadding, Conv2dParams, Element, MaxPoolIndices, Pool2dParams};
use std::sync::Arc;

operators! {
    /// [`Var::max_pool2d`].
    pub static MAX_POOL2D: OpDef = OpDef {
        name: "max_pool2d",
        forward: "y[n,c,i,j] = max over the window of x",
        backward: "dx = g scattered to the maxima",
        cost: Cost::Reduction,
    };
    /// [`Var::min_pool2d`].
    pub static MIN_POOL2D: OpDef = OpDef {
        name: "min_pool2d",
        forward: "y[n,c,i,j] = min over the window of x",
        backward: "dx = g scattered to the minima",
        cost: Cost::Reduction,
    };
    /// [`Var::relu_max_pool2d`].
    pub static RELU_MAX_POOL2D: OpDef = OpDef {
        name: "relu_max_pool2d",
        forward: "max_pool2d(relu(x)), one pass",
        backward: "dx = scatter(g [y > 0])",
        cost: Cost::Reduction,
    };
    /// [`Var::conv2d_relu_max_pool2d`].
    pub static CONV2D_RELU_MAX_POOL2D: OpDef = OpDef {
        name: "conv2d_relu_max_pool2d",
        forward: "max_pool2d(relu(conv2d(x, w, b))), one pass",
        backward: "gm = g [y > 0]; dx = conv2d_grad_input_pooled(gm, w), dw = conv2d_grad_weight_pooled(gm, x), db = Σ gm",
        cost: Cost::Formula(conv_relu_max_pool_flops),
    };
    /// [`Var::max_pool2d_backward`].
    pub static MAX_POOL2D_BACKWARD: OpDef = OpDef {
        name: "max_pool2d_backward",
        forward: "g scattered into zeros at the remembered maxima",
        backward: "dg = gather(gg) at the same positions",
        cost: Cost::Reduction,
    };
    /// [`Var::max_pool2d_gather`].
    pub static MAX_POOL2D_GATHER: OpDef = OpDef {
        name: "max_pool2d_gather",
        forward: "x read at the remembered maxima",
        backward: "dx = scatter(g) to the same positions",
        cost: Cost::Elementwise,
    };
    /// [`Var::avg_pool2d`].
    pub static AVG_POOL2D: OpDef = OpDef {
        name: "avg_pool2d",
        forward: "y[n,c,i,j] = (1/d) Σ over the window of x",
        backward: "dx = g / d spread over each window",
        cost: Cost::Reduction,
    };
    /// [`Var::avg_pool2d_backward`].
    pub static AVG_POOL2D_BACKWARD: OpDef = OpDef {
        name: "avg_pool2d_backward",
        forward: "g / d spread over each window",
        backward: "dg = avg_pool2d(gg)",
        cost: Cost::Elementwise,
    };
}

impl<T: Element> Var<T> {
    /// 2-D max pooling over `[N, C, H, W]`:
    /// `y[n,c,i,j] = max_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`
    /// (padding never wins). Backward: each `g` goes to the input position
    /// that held the maximum (the first one on ties).
    #[track_caller]
    pub fn max_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Var<T> {
        let forward = || self.value().max_pool2d(kernel, stride, padding);
        Var::from_op_saving(&MAX_POOL2D, &[self], forward, |indices| {
            let indices = Arc::new(indices);
            move |_, g, _| vec![Some(g.max_pool2d_backward(&indices))]
        })
    }

    /// 2-D min pooling over `[N, C, H, W]`:
    /// `y[n,c,i,j] = min_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`
    /// (padding never wins; see
    /// [`Tensor::min_pool2d`](sinapse_tensor::Tensor::min_pool2d)).
    /// Backward: each `g` goes to the input position that held the minimum
    /// (the first one on ties), the same scatter as max pooling's.
    #[track_caller]
    pub fn min_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Var<T> {
        let forward = || self.value().min_pool2d(kernel, stride, padding);
        Var::from_op_saving(&MIN_POOL2D, &[self], forward, |indices| {
            let indices = Arc::new(indices);
            move |_, g, _| vec![Some(g.max_pool2d_backward(&indices))]
        })
    }

    /// ReLU then 2-D max pooling, as one operation:
    /// `y = max_pool2d(relu(x))`, computed in one pass that never stores
    /// `relu(x)` (see
    /// [`Tensor::relu_max_pool2d`](sinapse_tensor::Tensor::relu_max_pool2d)).
    /// Values, positions and gradients are bit-for-bit those of
    /// `x.relu().max_pool2d(..)`.
    ///
    /// Backward: `dx = scatter(g * [y > 0])`, the max-pool scatter of the
    /// output gradient masked where the pooled value is 0: the chosen
    /// element passed the ReLU exactly when `y > 0`, and every window that
    /// chose an element agrees on that. Both steps are recorded operations
    /// (the ReLU mask and the scatter), so this differentiates twice like
    /// the unfused pair.
    #[track_caller]
    pub fn relu_max_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Var<T> {
        let forward = || self.value().relu_max_pool2d(kernel, stride, padding);
        Var::from_op_saving(&RELU_MAX_POOL2D, &[self], forward, |indices| {
            let indices = Arc::new(indices);
            move |y, g, _| vec![Some(g.relu_backward(y.value()).max_pool2d_backward(&indices))]
        })
    }

    /// A convolution, ReLU and 2-D max pooling as one operation (a CNN's
    /// blocks): `y = max_pool2d(relu(conv2d(x, w, b)))`, computed without
    /// storing the convolution's output (see
    /// [`Tensor::conv2d_relu_max_pool2d`](sinapse_tensor::Tensor::conv2d_relu_max_pool2d)).
    /// Values are bit-for-bit those of
    /// `x.conv2d(w, b, conv).relu_max_pool2d(..)`; gradients equal those of
    /// that unfused pair up to the order of the additions.
    ///
    /// Backward: with `gm = g * [y > 0]` (the ReLU's mask, as in
    /// [`relu_max_pool2d`](Self::relu_max_pool2d)), the convolution's
    /// output gradient is `dz = scatter(gm)`: `gm` at the chosen positions,
    /// zero elsewhere. The gradients are taken from `gm` and the positions
    /// without forming `dz` (see
    /// [`Tensor::conv2d_grad_weight_pooled`](sinapse_tensor::Tensor::conv2d_grad_weight_pooled)):
    /// a quarter of the work for 2x2 pooling. They equal the unfused
    /// block's up to the order of the additions; every step is a recorded
    /// operation, so this differentiates twice.
    #[track_caller]
    pub fn conv2d_relu_max_pool2d(
        &self,
        weight: &Var<T>,
        bias: Option<&Var<T>>,
        conv: Conv2dParams,
        pool: Pool2dParams,
    ) -> Var<T> {
        let forward = || self.value().conv2d_relu_max_pool2d(weight.value(), bias.map(Var::value), conv, pool);
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Var::from_op_saving(&CONV2D_RELU_MAX_POOL2D, &inputs, forward, |indices| {
            let indices = Arc::new(indices);
            move |y, g, x| {
                let gm = g.relu_backward(y.value());
                let dx = x[0].requires_grad().then(|| gm.conv2d_grad_input_pooled(&indices, &x[1], x[0].shape(), conv));
                let dw =
                    x[1].requires_grad().then(|| gm.conv2d_grad_weight_pooled(&indices, &x[0], x[1].shape(), conv));
                // db[o] = sum of dz over (n, oh, ow) = sum of gm over (n, ph, pw).
                let db = x.get(2).map(|b| b.requires_grad().then(|| gm.conv2d_grad_bias()));
                [dx, dw].into_iter().chain(db).collect()
            }
        })
    }

    /// Max pooling's backward pass: scatters `self` (shaped like a max-pool
    /// output) into zeros shaped like its input, at the positions of the
    /// maxima that [`Tensor::max_pool2d`](sinapse_tensor::Tensor::max_pool2d)
    /// returned. Backward: the gather at the same positions.
    #[track_caller]
    pub fn max_pool2d_backward(&self, indices: &Arc<MaxPoolIndices>) -> Var<T> {
        let idx = indices.clone();
        Var::from_op(
            &MAX_POOL2D_BACKWARD,
            &[self],
            || self.value().max_pool2d_backward(indices),
            move |_, g, _| vec![Some(g.max_pool2d_gather(&idx))],
        )
    }

    /// Reads `self` (shaped like a max-pool input) at the positions of the
    /// maxima, the adjoint of [`max_pool2d_backward`](Self::max_pool2d_backward).
    /// Backward: the scatter.
    #[track_caller]
    pub fn max_pool2d_gather(&self, indices: &Arc<MaxPoolIndices>) -> Var<T> {
        let idx = indices.clone();
        Var::from_op(
            &MAX_POOL2D_GATHER,
            &[self],
            || self.value().max_pool2d_gather(indices),
            move |_, g, _| vec![Some(g.max_pool2d_backward(&idx))],
        )
    }

    /// 2-D average pooling over `[N, C, H, W]`:
    /// `y[n,c,i,j] = (1/(kh*kw)) sum_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`
    /// (padded zeros count in the divisor, see
    /// [`Tensor::avg_pool2d`](sinapse_tensor::Tensor::avg_pool2d)).
    /// Backward: each `g` is spread evenly over its window.
    #[track_caller]
    pub fn avg_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Var<T> {
        self.avg_pool2d_with(Pool2dParams::new(kernel, stride, padding), AvgPoolPadding::Counted)
    }

    /// 2-D average pooling with a choice of divisor at the border:
    /// `y[n,c,i,j] = (1/d) sum of x over the window`, `d = kh*kw` for
    /// [`AvgPoolPadding::Counted`] or the number of real input elements the
    /// window covers for [`AvgPoolPadding::Excluded`] (PyTorch's
    /// `count_include_pad = false`); see
    /// [`Tensor::avg_pool2d_with`](sinapse_tensor::Tensor::avg_pool2d_with).
    /// Backward: each `g / d` is added to every element of its window.
    #[track_caller]
    pub fn avg_pool2d_with(&self, params: Pool2dParams, padding: AvgPoolPadding) -> Var<T> {
        let input_shape = self.shape().to_vec();
        Var::from_op(
            &AVG_POOL2D,
            &[self],
            || self.value().avg_pool2d_with(params, padding),
            move |_, g, _| vec![Some(g.avg_pool2d_backward(&input_shape, params, padding))],
        )
    }

    /// Average pooling's backward pass, its adjoint: spreads `self` (an
    /// output gradient) over the windows of an input of `input_shape`.
    /// Backward: average pooling with the same divisors.
    #[track_caller]
    pub fn avg_pool2d_backward(&self, input_shape: &[usize], params: Pool2dParams, padding: AvgPoolPadding) -> Var<T> {
        Var::from_op(
            &AVG_POOL2D_BACKWARD,
            &[self],
            || self.value().avg_pool2d_backward_with(input_shape, params, padding),
            move |_, g, _| vec![Some(g.avg_pool2d_with(params, padding))],
        )
    }
}

/// The convolution's multiply-adds, `2 N O OH OW C KH KW`, with `OH x OW`
/// taken as the stride-1 unpadded convolution's `(H - KH + 1) x (W - KW + 1)`
/// (the course's CNN; the shapes alone do not tell the padding, so a padded
/// convolution is undercounted by its border), plus one operation per
/// convolution output for the ReLU and the pooling.
fn conv_relu_max_pool_flops(inputs: &[&[usize]], _output: &[usize]) -> u64 {
    let (Some(x), Some(w)) = (inputs.first(), inputs.get(1)) else { return 0 };
    if x.len() != 4 || w.len() != 4 {
        return 0;
    }
    let conv_out = (x[0] * w[0] * (x[2] + 1).saturating_sub(w[2]) * (x[3] + 1).saturating_sub(w[3])) as u64;
    conv_out * (2 * per_output_channel(Some(w)) + 2)
}
