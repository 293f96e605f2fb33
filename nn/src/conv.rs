//! The 2-D convolution layer.

use crate::pool::pooled_shape;
use crate::{Init, Module};
use rand::Rng;
use sinapse_autograd::Var;
use sinapse_tensor::{Conv2dParams, Element, Pool2dParams};
use std::marker::PhantomData;

/// A size given either as one number for both axes (`3`) or as a
/// `(height, width)` pair (`(3, 5)`).
pub trait IntoPair {
    /// The `(height, width)` pair.
    fn into_pair(self) -> (usize, usize);
}

impl IntoPair for usize {
    fn into_pair(self) -> (usize, usize) {
        (self, self)
    }
}

impl IntoPair for (usize, usize) {
    fn into_pair(self) -> (usize, usize) {
        self
    }
}

/// Zero padding of a convolution, as Keras names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// No padding: the kernel only visits positions where it fits
    /// (`out = (in - k) / s + 1` for dilation 1).
    Valid,
    /// `dilation * (k - 1) / 2` zeros on each side, so that `out = ceil(in / s)`
    /// (`out = in` at stride 1). Needs an odd (dilated) kernel span, because
    /// the padding is symmetric.
    Same,
    /// `(ph, pw)` zeros on each side.
    Explicit(usize, usize),
}

/// 2-D convolution layer:
/// `y[n,o,i,j] = b[o] + sum_{c,p,q} w[o,c,p,q] x[n, c, i*s + p*d - pad, j*s + q*d - pad]`.
///
/// - `weight`: `[out_channels, in_channels, KH, KW]` (PyTorch's layout);
/// - `bias`: `[out_channels]`, optional;
/// - input `[N, C, H, W]`, output `[N, O, OH, OW]` with
///   `OH = (H + 2*pad - d*(KH - 1) - 1) / s + 1`.
///
/// `Conv2d::new(1, 32, 3, &mut rng)` has `32*1*3*3 + 32 = 320` parameters.
pub struct Conv2d<T: Element> {
    weight: Var<T>,
    bias: Option<Var<T>>,
    params: Conv2dParams,
}

/// Options of a [`Conv2d`] layer, from [`Conv2d::builder`].
#[derive(Clone, Copy, Debug)]
pub struct Conv2dBuilder<T: Element> {
    in_channels: usize,
    out_channels: usize,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: Padding,
    dilation: (usize, usize),
    init: Init,
    bias_init: Init,
    bias: bool,
    element: PhantomData<T>,
}

impl<T: Element> Conv2dBuilder<T> {
    /// Step between output positions (default 1).
    pub fn stride(mut self, stride: impl IntoPair) -> Self {
        self.stride = stride.into_pair();
        self
    }

    /// Zero padding (default [`Padding::Valid`]).
    pub fn padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    /// Distance between kernel taps (default 1).
    pub fn dilation(mut self, dilation: impl IntoPair) -> Self {
        self.dilation = dilation.into_pair();
        self
    }

    /// How to draw the kernel (default [`Init::GlorotUniform`], fans
    /// `C*KH*KW` and `O*KH*KW`; [`Init::GlorotCourse`] for the course's
    /// `U(-1/sqrt(n), 1/sqrt(n))`, `n = C*KH*KW`).
    pub fn init(mut self, init: Init) -> Self {
        self.init = init;
        self
    }

    /// How to fill the bias (default [`Init::Zeros`]).
    pub fn bias_init(mut self, init: Init) -> Self {
        self.bias_init = init;
        self
    }

    /// Whether the layer has a bias (default `true`).
    pub fn bias(mut self, bias: bool) -> Self {
        self.bias = bias;
        self
    }

    /// Draws the parameters from `rng` (weight first, then bias).
    ///
    /// # Panics
    /// When a size is 0, or `Padding::Same` meets an even kernel span.
    #[track_caller]
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Conv2d<T> {
        let (kh, kw) = self.kernel;
        assert!(
            self.in_channels > 0 && self.out_channels > 0 && kh > 0 && kw > 0,
            "Conv2d: channels ({} -> {}) and kernel {kh}x{kw} must be non-zero",
            self.in_channels,
            self.out_channels
        );
        let padding = resolve_padding(self.padding, self.kernel, self.dilation);
        let params = Conv2dParams::new(self.stride, padding, self.dilation);
        let w = self.init.tensor(&[self.out_channels, self.in_channels, kh, kw], rng);
        let bias = self.bias.then(|| Var::parameter(self.bias_init.tensor(&[self.out_channels], rng), "bias"));
        Conv2d { weight: Var::parameter(w, "weight"), bias, params }
    }
}

/// The symmetric padding that `padding` means for this kernel and dilation.
#[track_caller]
fn resolve_padding(padding: Padding, kernel: (usize, usize), dilation: (usize, usize)) -> (usize, usize) {
    match padding {
        Padding::Valid => (0, 0),
        Padding::Explicit(ph, pw) => (ph, pw),
        Padding::Same => {
            let span = |k: usize, d: usize| d * (k - 1);
            let (sh, sw) = (span(kernel.0, dilation.0), span(kernel.1, dilation.1));
            assert!(
                sh % 2 == 0 && sw % 2 == 0,
                "Conv2d: 'same' padding needs an odd kernel span, but kernel {kernel:?} with dilation {dilation:?} \
                 spans {}x{}; use Padding::Explicit",
                sh + 1,
                sw + 1
            );
            (sh / 2, sw / 2)
        }
    }
}

impl<T: Element> Conv2d<T> {
    /// [`Var::conv2d_relu_max_pool2d`]: the convolution, its ReLU and the
    /// pooling `pool` in one pass, with this layer's and the pooling layer's
    /// checks (a fused step of `Sequential`).
    pub(crate) fn forward_relu_max_pool(&self, x: &Var<T>, pool: Pool2dParams) -> Var<T> {
        pooled_shape("MaxPool2d", &Module::<T>::output_shape(self, x.shape()), pool);
        x.conv2d_relu_max_pool2d(&self.weight, self.bias.as_ref(), self.params, pool)
    }

    /// A `kernel`-sized convolution (stride 1, valid padding) with
    /// Glorot-uniform weights and a zero bias (Keras's defaults).
    pub fn new<R: Rng + ?Sized>(in_channels: usize, out_channels: usize, kernel: impl IntoPair, rng: &mut R) -> Self {
        Self::builder(in_channels, out_channels, kernel).build(rng)
    }

    /// Options for stride, padding, dilation, initializers and bias:
    /// `Conv2d::builder(1, 32, 3).padding(Padding::Same).build(&mut rng)`.
    pub fn builder(in_channels: usize, out_channels: usize, kernel: impl IntoPair) -> Conv2dBuilder<T> {
        Conv2dBuilder {
            in_channels,
            out_channels,
            kernel: kernel.into_pair(),
            stride: (1, 1),
            padding: Padding::Valid,
            dilation: (1, 1),
            init: Init::GlorotUniform,
            bias_init: Init::Zeros,
            bias: true,
            element: PhantomData,
        }
    }

    /// A layer made of given variables (`weight` `[O, C, KH, KW]`, `bias`
    /// `[O]`), used as they are.
    ///
    /// # Panics
    /// When the shapes do not fit together.
    #[track_caller]
    pub fn from_parts(weight: Var<T>, bias: Option<Var<T>>, params: Conv2dParams) -> Self {
        assert_eq!(weight.shape().len(), 4, "Conv2d: weight must be [O, C, KH, KW], got {:?}", weight.shape());
        if let Some(b) = &bias {
            assert_eq!(
                b.shape(),
                &weight.shape()[..1],
                "Conv2d: bias {:?} does not match weight {:?}",
                b.shape(),
                weight.shape()
            );
        }
        Conv2d { weight, bias, params }
    }

    /// The kernel, `[O, C, KH, KW]`.
    pub fn weight(&self) -> &Var<T> {
        &self.weight
    }

    /// The bias, `[O]`, if any.
    pub fn bias(&self) -> Option<&Var<T>> {
        self.bias.as_ref()
    }

    /// Stride, padding and dilation.
    pub fn params(&self) -> Conv2dParams {
        self.params
    }

    fn check_input(&self, input: &[usize]) {
        let c = self.weight.shape()[1];
        assert!(
            input.len() == 4 && input[1] == c,
            "{}: input of shape {input:?} must be [N, {c}, H, W]",
            self.describe_inner()
        );
    }

    fn describe_inner(&self) -> String {
        let s = self.weight.shape();
        let p = self.params;
        let mut text = format!("Conv2d({} -> {}, kernel {}x{}", s[1], s[0], s[2], s[3]);
        if p.stride != (1, 1) {
            text += &format!(", stride {:?}", p.stride);
        }
        if p.padding != (0, 0) {
            text += &format!(", padding {:?}", p.padding);
        }
        if p.dilation != (1, 1) {
            text += &format!(", dilation {:?}", p.dilation);
        }
        if self.bias.is_none() {
            text += ", no bias";
        }
        text + ")"
    }
}

impl<T: Element> Module<T> for Conv2d<T> {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.check_input(x.shape());
        x.conv2d(&self.weight, self.bias.as_ref(), self.params)
    }

    fn describe(&self) -> String {
        self.describe_inner()
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.check_input(input);
        let s = self.weight.shape();
        let (oh, ow) = self.params.output_size((input[2], input[3]), (s[2], s[3]));
        vec![input[0], s[0], oh, ow]
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        let mut out = vec![("weight".to_string(), &self.weight)];
        if let Some(b) = &self.bias {
            out.push(("bias".to_string(), b));
        }
        out
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        vec![("weight".to_string(), &self.weight)]
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        let mut out = vec![("weight".to_string(), &mut self.weight)];
        if let Some(b) = &mut self.bias {
            out.push(("bias".to_string(), b));
        }
        out
    }
}
