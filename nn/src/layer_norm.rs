//! Layer normalization (Ba, Kiros and Hinton, 2016).

use crate::affine::Affine;
use crate::Module;
use sinapse_autograd::Var;
use sinapse_tensor::Element;

/// Normalizes each example over its last dimensions, then scales and shifts
/// (PyTorch's `LayerNorm`):
///
/// `y = (x - mean) / sqrt(var + eps) * weight + bias`,
///
/// with `mean` and the biased `var` taken over the trailing dimensions of
/// the `normalized_shape` given, per example (unlike batch normalization, no
/// statistics cross the batch, so training and evaluation agree). `weight`
/// (ones) and `bias` (zeros) have `normalized_shape`, named as in PyTorch.
///
/// Written with `Var` operations, so its gradient is the full one (through
/// the mean and the variance) and differentiates again.
pub struct LayerNorm<T: Element> {
    affine: Affine<T>,
    normalized_shape: Vec<usize>,
    eps: T,
}

impl<T: Element> LayerNorm<T> {
    /// Normalization over trailing dimensions `normalized_shape`, eps
    /// `1e-5`, with affine parameters (PyTorch's defaults).
    ///
    /// # Panics
    /// When `normalized_shape` is empty or holds a 0.
    #[track_caller]
    pub fn new(normalized_shape: &[usize]) -> Self {
        assert!(
            !normalized_shape.is_empty() && normalized_shape.iter().all(|&d| d > 0),
            "LayerNorm: normalized shape {normalized_shape:?} must be non-empty, without zeros"
        );
        LayerNorm {
            affine: Affine::new(normalized_shape),
            normalized_shape: normalized_shape.to_vec(),
            eps: T::from_f64_lossy(1e-5),
        }
    }

    /// The same layer with another `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = T::from_f64_lossy(eps);
        self
    }

    /// The same layer without `weight` and `bias` (PyTorch's
    /// `elementwise_affine=False`).
    pub fn without_affine(mut self) -> Self {
        self.affine = Affine::none();
        self
    }

    #[track_caller]
    fn check_input(&self, input: &[usize]) {
        let k = self.normalized_shape.len();
        assert!(
            input.len() >= k && input[input.len() - k..] == self.normalized_shape[..],
            "LayerNorm({:?}): input of shape {input:?} must end with the normalized shape",
            self.normalized_shape
        );
    }
}

impl<T: Element> Module<T> for LayerNorm<T> {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.check_input(x.shape());
        let rank = x.shape().len() as isize;
        let axes: Vec<isize> = (rank - self.normalized_shape.len() as isize..rank).collect();
        let centred = x.sub(&x.mean_axes(&axes, true));
        let var = centred.square().mean_axes(&axes, true);
        self.affine.apply(centred.div(&var.add_scalar(self.eps).sqrt()), &self.normalized_shape)
    }

    fn describe(&self) -> String {
        format!("LayerNorm({:?})", self.normalized_shape)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.check_input(input);
        input.to_vec()
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        self.affine.parameters()
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        Vec::new()
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        self.affine.parameters_mut()
    }
}
