//! Max, min and average pooling layers.

use crate::conv::IntoPair;
use crate::Module;
use sinapse_autograd::Var;
use sinapse_tensor::kernels::{Pool2dParams, Pool2dShape};
use sinapse_tensor::{AvgPoolPadding, Element};

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
    /// [`Var::relu_max_pool2d`]: this pooling of `relu(x)` in one pass,
    /// without storing the ReLU's output (a fused step of `Sequential`).
    pub(crate) fn forward_after_relu<T: Element>(&self, x: &Var<T>) -> Var<T> {
        let p = self.params;
        pooled_shape("MaxPool2d", x.shape(), p);
        x.relu_max_pool2d(p.kernel, p.stride, p.padding)
    }

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

    fn describe(&self) -> String {
        describe("MaxPool2d", self.params)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        MaxPool2d::output_shape(self, input)
    }
}

/// 2-D min pooling, the course's third pooling:
/// `y[n,c,i,j] = min_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`.
///
/// Input `[N, C, H, W]`, output `[N, C, OH, OW]` as for [`MaxPool2d`]. No
/// parameters. The gradient goes to the position of each minimum.
///
/// ```
/// use sinapse_autograd::Var;
/// use sinapse_nn::{MinPool2d, Module};
/// use sinapse_tensor::Tensor;
/// let x = Var::new(Tensor::<f32>::from_vec(vec![3., 1., 4., 1., 5., 9., 2., 6.], &[1, 1, 2, 4]).unwrap());
/// assert_eq!(MinPool2d::new(2).forward(&x).value().to_vec(), vec![1., 1.]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinPool2d {
    params: Pool2dParams,
}

impl MinPool2d {
    /// Non-overlapping windows (stride = window, no padding).
    pub fn new(kernel: impl IntoPair) -> Self {
        let k = kernel.into_pair();
        MinPool2d { params: Pool2dParams::new(k, k, (0, 0)) }
    }

    /// Any window, stride and padding (padding at most half the window).
    pub fn with(kernel: impl IntoPair, stride: impl IntoPair, padding: impl IntoPair) -> Self {
        MinPool2d { params: Pool2dParams::new(kernel.into_pair(), stride.into_pair(), padding.into_pair()) }
    }

    /// Window, stride and padding.
    pub fn params(&self) -> Pool2dParams {
        self.params
    }

    /// `[N, C, OH, OW]` for an input `[N, C, H, W]`.
    pub fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        pooled_shape("MinPool2d", input, self.params)
    }
}

impl<T: Element> Module<T> for MinPool2d {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        let p = self.params;
        pooled_shape("MinPool2d", x.shape(), p);
        x.min_pool2d(p.kernel, p.stride, p.padding)
    }

    fn describe(&self) -> String {
        describe("MinPool2d", self.params)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        MinPool2d::output_shape(self, input)
    }
}

/// 2-D average pooling:
/// `y[n,c,i,j] = (1 / d) sum_{p<kh, q<kw} x[n, c, i*sh - ph + p, j*sw - pw + q]`,
/// with `d = kh*kw`, padding counted in the divisor (PyTorch's default), or,
/// after [`count_include_pad(false)`](AvgPool2d::count_include_pad), the
/// number of real input elements in the window.
///
/// Input `[N, C, H, W]`, output `[N, C, OH, OW]`. No parameters.
///
/// ```
/// use sinapse_autograd::Var;
/// use sinapse_nn::{AvgPool2d, Module};
/// use sinapse_tensor::Tensor;
/// let x = Var::new(Tensor::<f32>::from_vec(vec![4., 8., 12., 16.], &[1, 1, 2, 2]).unwrap());
/// // 2x2 windows, stride 2, padding 1: each covers one input and three padded positions.
/// let counted = AvgPool2d::with(2, 2, 1);
/// assert_eq!(counted.forward(&x).value().to_vec(), vec![1., 2., 3., 4.]);
/// let excluded = AvgPool2d::with(2, 2, 1).count_include_pad(false);
/// assert_eq!(excluded.forward(&x).value().to_vec(), vec![4., 8., 12., 16.]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2d {
    params: Pool2dParams,
    padding: AvgPoolPadding,
}

impl AvgPool2d {
    /// Non-overlapping windows (stride = window, no padding).
    pub fn new(kernel: impl IntoPair) -> Self {
        let k = kernel.into_pair();
        AvgPool2d { params: Pool2dParams::new(k, k, (0, 0)), padding: AvgPoolPadding::Counted }
    }

    /// Any window, stride and padding (padding at most half the window).
    pub fn with(kernel: impl IntoPair, stride: impl IntoPair, padding: impl IntoPair) -> Self {
        let params = Pool2dParams::new(kernel.into_pair(), stride.into_pair(), padding.into_pair());
        AvgPool2d { params, padding: AvgPoolPadding::Counted }
    }

    /// Whether padded positions count in the divisor (PyTorch's
    /// `count_include_pad`, `true` by default): with `false`, a window
    /// divides by the input elements it covers.
    pub fn count_include_pad(self, include: bool) -> Self {
        let padding = if include { AvgPoolPadding::Counted } else { AvgPoolPadding::Excluded };
        AvgPool2d { padding, ..self }
    }

    /// Window, stride and padding.
    pub fn params(&self) -> Pool2dParams {
        self.params
    }

    /// Whether padded positions count in the divisor.
    pub fn padding_rule(&self) -> AvgPoolPadding {
        self.padding
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
        x.avg_pool2d_with(p, self.padding)
    }

    fn describe(&self) -> String {
        let text = describe("AvgPool2d", self.params);
        match self.padding {
            AvgPoolPadding::Counted => text,
            AvgPoolPadding::Excluded => format!("{}, count_include_pad=false)", &text[..text.len() - 1]),
        }
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        AvgPool2d::output_shape(self, input)
    }
}
