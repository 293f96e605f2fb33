//! Max, min and average pooling as differentiable operations.
//!
//! Every backward map is linear in the output gradient, with adjoints that
//! are again simple: max (or min) pooling's backward scatters `g` to the
//! remembered positions of the maxima (minima), and the adjoint of that
//! scatter is the gather at the same positions; average pooling's backward
//! spreads `g` over each window with its weight `1 / divisor`, and its
//! adjoint is average pooling itself. Each is recorded as an
//! operation, so pooling can be differentiated any number of times.

use crate::profiler::OpTimer;
use crate::Var;
use sinapse_tensor::{AvgPoolPadding, Conv2dParams, Element, MaxPoolIndices, Pool2dParams};
use std::sync::Arc;

impl<T: Element> Var<T> {
    /// 2-D max pooling over `[N, C, H, W]`:
    /// `y[n,c,i,j] = max_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`
    /// (padding never wins). Backward: each `g` goes to the input position
    /// that held the maximum (the first one on ties).
    #[track_caller]
    pub fn max_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Var<T> {
        let timer = OpTimer::start();
        let (value, indices) = self.value().max_pool2d(kernel, stride, padding);
        let indices = Arc::new(indices);
        Var::from_op_timed("max_pool2d", &[self], timer, value, move |_, g, _| vec![Some(g.max_pool_scatter(&indices))])
    }

    /// 2-D min pooling over `[N, C, H, W]`:
    /// `y[n,c,i,j] = min_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`
    /// (padding never wins; see
    /// [`Tensor::min_pool2d`](sinapse_tensor::Tensor::min_pool2d)).
    /// Backward: each `g` goes to the input position that held the minimum
    /// (the first one on ties), the same scatter as max pooling's.
    #[track_caller]
    pub fn min_pool2d(&self, kernel: (usize, usize), stride: (usize, usize), padding: (usize, usize)) -> Var<T> {
        let timer = OpTimer::start();
        let (value, indices) = self.value().min_pool2d(kernel, stride, padding);
        let indices = Arc::new(indices);
        Var::from_op_timed("min_pool2d", &[self], timer, value, move |_, g, _| vec![Some(g.max_pool_scatter(&indices))])
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
        let timer = OpTimer::start();
        let (value, indices) = self.value().relu_max_pool2d(kernel, stride, padding);
        let indices = Arc::new(indices);
        Var::from_op_timed("relu_max_pool2d", &[self], timer, value, move |y, g, _| {
            vec![Some(g.relu_backward(y.value()).max_pool_scatter(&indices))]
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
        let timer = OpTimer::start();
        let (value, indices) = self.value().conv2d_relu_max_pool2d(weight.value(), bias.map(Var::value), conv, pool);
        let indices = Arc::new(indices);
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Var::from_op_timed("conv2d_relu_max_pool2d", &inputs, timer, value, move |y, g, x| {
            let gm = g.relu_backward(y.value());
            let dx = x[0].requires_grad().then(|| gm.conv2d_grad_input_pooled(&indices, &x[1], x[0].shape(), conv));
            let dw = x[1].requires_grad().then(|| gm.conv2d_grad_weight_pooled(&indices, &x[0], x[1].shape(), conv));
            // db[o] = sum of dz over (n, oh, ow) = sum of gm over (n, ph, pw).
            let db = x.get(2).map(|b| b.requires_grad().then(|| gm.conv2d_grad_bias()));
            [dx, dw].into_iter().chain(db).collect()
        })
    }

    /// Scatters `self` (shaped like a max-pool output) into zeros shaped like
    /// its input, at the remembered positions of the maxima. Backward: the
    /// gather at the same positions.
    fn max_pool_scatter(&self, indices: &Arc<MaxPoolIndices>) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().max_pool2d_backward(indices);
        let idx = indices.clone();
        Var::from_op_timed("max_pool2d_backward", &[self], timer, value, move |_, g, _| {
            vec![Some(g.max_pool_gather(&idx))]
        })
    }

    /// Reads `self` (shaped like a max-pool input) at the positions of the
    /// maxima. Backward: the scatter.
    pub(crate) fn max_pool_gather(&self, indices: &Arc<MaxPoolIndices>) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().max_pool2d_gather(indices);
        let idx = indices.clone();
        Var::from_op_timed("max_pool2d_gather", &[self], timer, value, move |_, g, _| {
            vec![Some(g.max_pool_scatter(&idx))]
        })
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
        let timer = OpTimer::start();
        let value = self.value().avg_pool2d_with(params, padding);
        let input_shape = self.shape().to_vec();
        Var::from_op_timed("avg_pool2d", &[self], timer, value, move |_, g, _| {
            vec![Some(g.avg_pool_spread(&input_shape, params, padding))]
        })
    }

    /// The adjoint of average pooling: spreads `self` (an output gradient)
    /// over the windows. Backward: average pooling with the same divisors.
    fn avg_pool_spread(&self, input_shape: &[usize], params: Pool2dParams, padding: AvgPoolPadding) -> Var<T> {
        let timer = OpTimer::start();
        let value = self.value().avg_pool2d_backward_with(input_shape, params, padding);
        Var::from_op_timed("avg_pool2d_backward", &[self], timer, value, move |_, g, _| {
            vec![Some(g.avg_pool2d_with(params, padding))]
        })
    }
}
