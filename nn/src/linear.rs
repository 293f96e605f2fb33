//! The fully connected layer.

use crate::{Init, Module};
use rand::Rng;
use sinapse_autograd::Var;
use sinapse_tensor::Element;
use std::marker::PhantomData;

/// Fully connected (dense) layer: `y = x W^T + b`.
///
/// - `weight` `W`: `[out_features, in_features]` (PyTorch's layout; Keras
///   stores the transpose);
/// - `bias` `b`: `[out_features]`, optional;
/// - input `[..., in_features]`, output `[..., out_features]`.
///
/// Parameters are named `weight` and `bias`. `Linear::new(784, 10, &mut rng)`
/// has `784 * 10 + 10 = 7,850` parameters.
///
/// ```
/// use sinapse_nn::{Linear, Module};
/// use sinapse_autograd::Var;
/// use sinapse_tensor::{seeded_rng, Tensor};
/// let mut rng = seeded_rng(0);
/// let layer = Linear::<f32>::new(3, 2, &mut rng);
/// let y = layer.forward(&Var::constant(Tensor::ones(&[4, 3])));
/// assert_eq!(y.shape(), &[4, 2]);
/// assert_eq!(layer.num_parameters(), 8);
/// ```
pub struct Linear<T: Element> {
    weight: Var<T>,
    bias: Option<Var<T>>,
}

/// Options of a [`Linear`] layer, from [`Linear::builder`].
#[derive(Clone, Copy, Debug)]
pub struct LinearBuilder<T: Element> {
    in_features: usize,
    out_features: usize,
    init: Init,
    bias_init: Init,
    bias: bool,
    element: PhantomData<T>,
}

impl<T: Element> LinearBuilder<T> {
    /// How to draw the weight (default [`Init::GlorotUniform`]; [`Init::GlorotCourse`]
    /// for the course's `U(-1/sqrt(n), 1/sqrt(n))`).
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
    pub fn build<R: Rng + ?Sized>(self, rng: &mut R) -> Linear<T> {
        let weight = self.init.tensor(&[self.out_features, self.in_features], rng);
        let bias = self.bias.then(|| Var::parameter(self.bias_init.tensor(&[self.out_features], rng), "bias"));
        Linear { weight: Var::parameter(weight, "weight"), bias }
    }
}

impl<T: Element> Linear<T> {
    /// A layer with Glorot-uniform weights and a zero bias (Keras's defaults).
    pub fn new<R: Rng + ?Sized>(in_features: usize, out_features: usize, rng: &mut R) -> Self {
        Self::builder(in_features, out_features).build(rng)
    }

    /// Options for a layer with other initializers or no bias:
    /// `Linear::builder(784, 128).init(Init::HeNormal).build(&mut rng)`.
    pub fn builder(in_features: usize, out_features: usize) -> LinearBuilder<T> {
        LinearBuilder {
            in_features,
            out_features,
            init: Init::GlorotUniform,
            bias_init: Init::Zeros,
            bias: true,
            element: PhantomData,
        }
    }

    /// A layer made of given variables: `weight` `[out, in]` and `bias`
    /// `[out]` (used as they are: gradients flow to these very variables).
    ///
    /// # Panics
    /// When the shapes do not fit together.
    #[track_caller]
    pub fn from_parts(weight: Var<T>, bias: Option<Var<T>>) -> Self {
        assert_eq!(weight.shape().len(), 2, "Linear: weight must be [out, in], got {:?}", weight.shape());
        if let Some(b) = &bias {
            assert_eq!(
                b.shape(),
                &weight.shape()[..1],
                "Linear: bias {:?} does not match weight {:?}",
                b.shape(),
                weight.shape()
            );
        }
        Linear { weight, bias }
    }

    /// Number of input features.
    pub fn in_features(&self) -> usize {
        self.weight.shape()[1]
    }

    /// Number of output features (units).
    pub fn out_features(&self) -> usize {
        self.weight.shape()[0]
    }

    /// The weight `W`, `[out, in]`.
    pub fn weight(&self) -> &Var<T> {
        &self.weight
    }

    /// The bias `b`, `[out]`, if any.
    pub fn bias(&self) -> Option<&Var<T>> {
        self.bias.as_ref()
    }

    fn check_input(&self, input: &[usize]) {
        assert!(
            input.last() == Some(&self.in_features()),
            "{}: input of shape {input:?} must end with {} features",
            self.describe_inner(),
            self.in_features()
        );
    }

    fn describe_inner(&self) -> String {
        let bias = if self.bias.is_some() { "" } else { ", no bias" };
        format!("Linear({} -> {}{bias})", self.in_features(), self.out_features())
    }
}

impl<T: Element> Module<T> for Linear<T> {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.check_input(x.shape());
        // [..., in] x [in, out] -> [..., out]; W^T is a stride view.
        let y = x.matmul(&self.weight.t());
        match &self.bias {
            Some(b) => y.add(b),
            None => y,
        }
    }

    fn describe(&self) -> String {
        self.describe_inner()
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.check_input(input);
        let mut out = input.to_vec();
        *out.last_mut().expect("checked non-empty") = self.out_features();
        out
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
