//! The learned scale and shift that normalization layers end with.

use sinapse_autograd::Var;
use sinapse_tensor::{Element, Tensor};

/// `y = x * weight + bias`, per feature (PyTorch's `elementwise_affine` of
/// `LayerNorm`, `affine` of `BatchNorm`): `weight` starts at ones and
/// `bias` at zeros, so a fresh layer leaves the normalized values as they
/// are. Absent when a layer is built without it.
pub(crate) struct Affine<T: Element> {
    weight: Option<Var<T>>,
    bias: Option<Var<T>>,
}

impl<T: Element> Affine<T> {
    /// Ones and zeros of `shape`.
    pub(crate) fn new(shape: &[usize]) -> Self {
        Affine {
            weight: Some(Var::parameter(Tensor::ones(shape), "weight")),
            bias: Some(Var::parameter(Tensor::zeros(shape), "bias")),
        }
    }

    /// No scale and no shift.
    pub(crate) fn none() -> Self {
        Affine { weight: None, bias: None }
    }

    /// `x * weight + bias`, the parameters reshaped to `shape` for
    /// broadcasting; `x` itself without them.
    pub(crate) fn apply(&self, x: Var<T>, shape: &[usize]) -> Var<T> {
        match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => x.mul(&w.reshape(shape)).add(&b.reshape(shape)),
            _ => x,
        }
    }

    /// The scale, when present.
    pub(crate) fn weight(&self) -> Option<&Var<T>> {
        self.weight.as_ref()
    }

    /// The shift, when present.
    pub(crate) fn bias(&self) -> Option<&Var<T>> {
        self.bias.as_ref()
    }

    /// `weight` and `bias`, when present, under PyTorch's names.
    pub(crate) fn parameters(&self) -> Vec<(String, &Var<T>)> {
        let named = [("weight", &self.weight), ("bias", &self.bias)];
        named.into_iter().filter_map(|(n, v)| v.as_ref().map(|v| (n.to_string(), v))).collect()
    }

    /// The same, mutably.
    pub(crate) fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        let named = [("weight", &mut self.weight), ("bias", &mut self.bias)];
        named.into_iter().filter_map(|(n, v)| v.as_mut().map(|v| (n.to_string(), v))).collect()
    }
}
