//! Max and average pooling layers.

use crate::conv::IntoPair;
use crate::Module;
use sinapse_autograd::Var;
use sinapse_tensor::kernels::{Pool2dParams, Pool2dShape};
use sinapse_tensor::Element;

/// `[N, C, OH, OW]` for a pooling of `input` (panics, naming `op`, when the
/// input is not 4-D or the window does not fit).
pub(crate) fn pooled_shape(op: &str, input: &[usize], params: Pool2dParams) -> Vec<usize> {
    let dims: [usize; 4] =
        input.try_into().unwrap_or_else(|_| panic!("{op}: input of shape {input:?} must be [N, C, H, W]"));
    Pool2dShape::new(op, dims, params).output_shape().to_vec()
}

fn describe(kind: &str, p: Pool2dParams) -> String {
    let mut text = format!("{kind}({}x{}", p.kernel.0, p.kernel.1);
    if p.stride != p.kernel {
        text += &format!(", stride {:?}", p.stride);
    }
    if p.padding != (0, 0) {
        text += &format!(", padding {:?}", p.padding);
    }
    text + ")"
}

/// 2-D max pooling: `y[n,c,i,j] = max_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`.
///
/// Input `[N, C, H, W]`, output `[N, C, OH, OW]` with
/// `OH = (H + 2*ph - kh) / sh + 1`. No parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2d {
    params: Pool2dParams,
}

impl MaxPool2d {
    /// Non-overlapping windows (stride = window, no padding): `MaxPool2d::new(2)`
    /// halves height and width.
    pub fn new(kernel: impl IntoPair) -> Self {
        let k = kernel.into_pair();
        MaxPool2d { params: Pool2dParams::new(k, k, (0, 0)) }
    }

    /// Any window, stride and padding (padding at most half the window).
    pub fn with(kernel: impl IntoPair, stride: impl IntoPair, padding: impl IntoPair) -> Self {
        MaxPool2d { params: Pool2dParams::new(kernel.into_pair(), stride.into_pair(), padding.into_pair()) }
    }

    /// Window, stride and padding.
    pub fn params(&self) -> Pool2dParams {
        self.params
    }

    /// `[N, C, OH, OW]` for an input `[N, C, H, W]` (the same as
    /// [`Module::output_shape`], callable without naming the element type).
    pub fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        pooled_shape("MaxPool2d", input, self.params)
    }
}

impl<T: Element> Module<T> for MaxPool2d {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        let p = self.params;
        pooled_shape("MaxPool2d", x.shape(), p);
        x.max_pool2d(p.kernel, p.stride, p.padding)
    }

    /// [`Var::relu_max_pool2d`]: the pooling of `relu(x)` in one pass.
    fn forward_after_relu(&self, x: &Var<T>) -> Option<Var<T>> {
        let p = self.params;
        pooled_shape("MaxPool2d", x.shape(), p);
        Some(x.relu_max_pool2d(p.kernel, p.stride, p.padding))
    }

    fn max_pool_params(&self) -> Option<Pool2dParams> {
        Some(self.params)
    }

    fn describe(&self) -> String {
        describe("MaxPool2d", self.params)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        MaxPool2d::output_shape(self, input)
    }
}

/// 2-D average pooling, padding counted in the divisor (PyTorch's default):
/// `y[n,c,i,j] = (1 / (kh*kw)) sum_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`.
///
/// Input `[N, C, H, W]`, output `[N, C, OH, OW]`. No parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2d {
    params: Pool2dParams,
}

impl AvgPool2d {
    /// Non-overlapping windows (stride = window, no padding).
    pub fn new(kernel: impl IntoPair) -> Self {
        let k = kernel.into_pair();
        AvgPool2d { params: Pool2dParams::new(k, k, (0, 0)) }
    }

    /// Any window, stride and padding (padding at most half the window).
    pub fn with(kernel: impl IntoPair, stride: impl IntoPair, padding: impl IntoPair) -> Self {
        AvgPool2d { params: Pool2dParams::new(kernel.into_pair(), stride.into_pair(), padding.into_pair()) }
    }

    /// Window, stride and padding.
    pub fn params(&self) -> Pool2dParams {
        self.params
    }

    /// `[N, C, OH, OW]` for an input `[N, C, H, W]` (the same as
    /// [`Module::output_shape`], callable without naming the element type).
    pub fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        pooled_shape("AvgPool2d", input, self.params)
    }
}

impl<T: Element> Module<T> for AvgPool2d {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        let p = self.params;
        pooled_shape("AvgPool2d", x.shape(), p);
        x.avg_pool2d(p.kernel, p.stride, p.padding)
    }

    fn describe(&self) -> String {
        describe("AvgPool2d", self.params)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        AvgPool2d::output_shape(self, input)
    }
}
