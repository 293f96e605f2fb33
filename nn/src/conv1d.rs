//! The 1-D convolution layer, over [`Var::conv1d`].

use crate::{Init, Module};
use rand::Rng;
use sinapse_autograd::Var;
use sinapse_tensor::{Conv1dParams, Element};

/// 1-D convolution layer (PyTorch's `Conv1d`):
/// `y[n,o,t] = b[o] + sum_{c,k} w[o,c,k] x[n, c, t*s + k*d - pad]`.
///
/// - `weight`: `[out_channels, in_channels, K]`;
/// - `bias`: `[out_channels]`;
/// - input `[N, C, L]`, output `[N, O, (L + 2 pad - d (K - 1) - 1) / s + 1]`.
///
/// The parameters are named `weight` and `bias`, as in PyTorch, so
/// checkpoints move between the two.
///
/// ```
/// use sinapse_nn::{Conv1d, Module};
/// use sinapse_autograd::Var;
/// use sinapse_tensor::{seeded_rng, Tensor};
///
/// let layer = Conv1d::<f32>::new(2, 4, 3, &mut seeded_rng(0)).padding(1);
/// let y = layer.forward(&Var::constant(Tensor::zeros(&[5, 2, 16])));
/// assert_eq!(y.shape(), &[5, 4, 16]);
/// ```
pub struct Conv1d<T: Element> {
    weight: Var<T>,
    bias: Var<T>,
    params: Conv1dParams,
}

impl<T: Element> Conv1d<T> {
    /// A `kernel`-tap convolution (stride 1, no padding, dilation 1) with
    /// Glorot-uniform weights (fans `C K` and `O K`) and a zero bias.
    ///
    /// # Panics
    /// When a size is 0.
    #[track_caller]
    pub fn new<R: Rng + ?Sized>(in_channels: usize, out_channels: usize, kernel: usize, rng: &mut R) -> Self {
        assert!(
            in_channels > 0 && out_channels > 0 && kernel > 0,
            "Conv1d: channels ({in_channels} -> {out_channels}) and kernel {kernel} must be non-zero"
        );
        let weight = Init::GlorotUniform.tensor(&[out_channels, in_channels, kernel], rng);
        let bias = Init::Zeros.tensor(&[out_channels], rng);
        Conv1d {
            weight: Var::parameter(weight, "weight"),
            bias: Var::parameter(bias, "bias"),
            params: Conv1dParams::new(1, 0, 1),
        }
    }

    /// The same layer with `padding` zeros on each side.
    pub fn padding(mut self, padding: usize) -> Self {
        self.params = Conv1dParams::new(self.params.stride, padding, self.params.dilation);
        self
    }

    /// The same layer with a step of `stride` between outputs.
    pub fn stride(mut self, stride: usize) -> Self {
        self.params = Conv1dParams::new(stride, self.params.padding, self.params.dilation);
        self
    }

    /// The same layer with `dilation` between kernel taps.
    pub fn dilation(mut self, dilation: usize) -> Self {
        self.params = Conv1dParams::new(self.params.stride, self.params.padding, dilation);
        self
    }

    /// The kernel, `[O, C, K]`.
    pub fn weight(&self) -> &Var<T> {
        &self.weight
    }

    /// The bias, `[O]`.
    pub fn bias(&self) -> &Var<T> {
        &self.bias
    }

    #[track_caller]
    fn check_input(&self, input: &[usize]) {
        let c = self.weight.shape()[1];
        assert!(input.len() == 3 && input[1] == c, "{}: input of shape {input:?} must be [N, {c}, L]", self.describe());
    }
}

impl<T: Element> Module<T> for Conv1d<T> {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.check_input(x.shape());
        x.conv1d(&self.weight, Some(&self.bias), self.params)
    }

    fn describe(&self) -> String {
        let s = self.weight.shape();
        let p = self.params;
        format!(
            "Conv1d({} -> {}, kernel {}, stride {}, padding {}, dilation {})",
            s[1], s[0], s[2], p.stride, p.padding, p.dilation
        )
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.check_input(input);
        let (k, p) = (self.weight.shape()[2], self.params);
        let span = p.dilation * (k - 1) + 1;
        assert!(
            input[2] + 2 * p.padding >= span,
            "{}: input length {} is shorter than the kernel",
            self.describe(),
            input[2]
        );
        vec![input[0], self.weight.shape()[0], (input[2] + 2 * p.padding - span) / p.stride + 1]
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        vec![("weight".to_string(), &self.weight), ("bias".to_string(), &self.bias)]
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        vec![("weight".to_string(), &self.weight)]
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        vec![("weight".to_string(), &mut self.weight), ("bias".to_string(), &mut self.bias)]
    }
}
