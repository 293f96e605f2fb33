//! Parameter-free layers: activations and `Flatten`.

use crate::Module;
use sinapse_autograd::Var;
use sinapse_tensor::Element;

macro_rules! activation_layer {
    ($(#[$doc:meta])* $name:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl<T: Element> Module<T> for $name {
            fn forward(&self, x: &Var<T>) -> Var<T> {
                x.$method()
            }

            fn describe(&self) -> String {
                stringify!($name).to_string()
            }

            fn output_shape(&self, input: &[usize]) -> Vec<usize> {
                input.to_vec()
            }
        }
    };
}

activation_layer!(
    /// `relu(x) = max(x, 0)`, element-wise. Any shape.
    ReLU,
    relu
);
activation_layer!(
    /// `s(x) = 1 / (1 + e^(-x))`, element-wise. Any shape.
    Sigmoid,
    sigmoid
);
activation_layer!(
    /// `tanh(x)`, element-wise. Any shape.
    Tanh,
    tanh
);

/// `y_i = e^(x_i) / sum_j e^(x_j)` over the last axis (the classes, as
/// Keras's default `axis=-1`). Any shape with at least one dimension.
///
/// For training, prefer feeding the logits to
/// [`cross_entropy`](crate::loss::cross_entropy), which fuses the softmax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softmax;

impl<T: Element> Module<T> for Softmax {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        assert!(!x.shape().is_empty(), "Softmax: input must have at least one dimension");
        x.softmax(-1)
    }

    fn describe(&self) -> String {
        "Softmax".to_string()
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        input.to_vec()
    }
}

/// Keeps the batch dimension and merges the others:
/// `[N, d1, d2, ...] -> [N, d1*d2*...]` (a view when possible). No parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flatten;

impl<T: Element> Module<T> for Flatten {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        let shape = <Self as Module<T>>::output_shape(self, x.shape());
        x.reshape(&shape)
    }

    fn describe(&self) -> String {
        "Flatten".to_string()
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        assert!(!input.is_empty(), "Flatten: input must have a batch dimension, got shape {input:?}");
        vec![input[0], input[1..].iter().product()]
    }
}

/// An activation chosen at run time (as Keras's `activation="relu"`), for
/// [`Sequential::add_dense`](crate::Sequential::add_dense) and model builders.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Activation {
    /// `y = x`.
    #[default]
    Identity,
    /// `max(x, 0)`.
    ReLU,
    /// `1 / (1 + e^(-x))`.
    Sigmoid,
    /// `tanh x`.
    Tanh,
    /// `ln(1 + e^x)`, a smooth ReLU.
    Softplus,
    /// `x` where `x > 0`, `slope * x` elsewhere (PyTorch's `LeakyReLU`,
    /// whose default slope is 0.01).
    LeakyReLU(f64),
    /// `x` where `x > 0`, `alpha (e^x - 1)` elsewhere (PyTorch's `ELU`,
    /// default alpha 1).
    Elu(f64),
    /// `x Φ(x)`, `Φ` the standard normal distribution function (PyTorch's
    /// `GELU()`).
    Gelu,
    /// GELU's tanh approximation (PyTorch's `GELU(approximate="tanh")`).
    GeluTanh,
    /// `x σ(x)`, also called swish (PyTorch's `SiLU`).
    SiLU,
    /// Softmax over the last axis.
    Softmax,
}

impl<T: Element> Module<T> for Activation {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        match self {
            Activation::Identity => x.clone(),
            Activation::ReLU => x.relu(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Softplus => x.softplus(),
            Activation::LeakyReLU(slope) => x.leaky_relu(T::from_f64_lossy(*slope)),
            Activation::Elu(alpha) => x.elu(T::from_f64_lossy(*alpha)),
            Activation::Gelu => x.gelu(),
            Activation::GeluTanh => x.gelu_tanh(),
            Activation::SiLU => x.silu(),
            Activation::Softmax => Module::<T>::forward(&Softmax, x),
        }
    }

    fn describe(&self) -> String {
        format!("{self:?}")
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        input.to_vec()
    }
}
