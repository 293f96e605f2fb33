//! Layers called on symbols: [`Layer`], the Keras-style [`Dense`] and
//! [`Conv`] that size themselves from their input, and the joins [`add`] and
//! [`concatenate`].

use super::symbol::{join, Kind, Symbol};
use crate::{
    Activation, AvgPool2d, Conv2d, Dropout, Flatten, Init, IntoPair, Linear, MaxPool2d, MinPool2d, Module, Padding,
    ReLU, Sequential, Sigmoid, Softmax, Tanh,
};
use sinapse_tensor::Element;

/// Something that can be called on a symbol: Keras's `layer(x)`.
///
/// The layers of this crate are recorded as they are; [`Dense`] and
/// [`Conv`] build their [`Linear`] or [`Conv2d`] once they see the input's
/// size. A layer of one's own is recorded with [`Symbol::apply`].
pub trait Layer<T: Element> {
    /// Records the layer applied to `x` and returns the symbol of its output.
    ///
    /// # Panics
    /// When `x`'s shape does not fit the layer (the message names the layer
    /// and both shapes).
    fn call(self, x: &Symbol<T>) -> Symbol<T>;
}

/// Records `module` applied to `x` as it is, named after its description
/// (`maxpool2d`, `flatten`, ...).
#[track_caller]
fn call_module<T: Element>(module: impl Module<T> + 'static, x: &Symbol<T>) -> Symbol<T> {
    let description = module.describe();
    let base = description.split('(').next().unwrap_or("layer").to_lowercase();
    let shape = without_batch(module.output_shape(&with_batch(x.shape())));
    let kind = Kind::Layer { layer: Some(Box::new(module)), activation: Activation::Identity };
    x.record(&base, description, kind, &[x], shape)
}

/// The layers of this crate, called as they are.
macro_rules! modules_are_layers {
    ($($ty:ty),* $(,)?) => {$(
        impl<T: Element> Layer<T> for $ty {
            #[track_caller]
            fn call(self, x: &Symbol<T>) -> Symbol<T> {
                call_module(self, x)
            }
        }
    )*};
}

modules_are_layers!(
    Linear<T>,
    Conv2d<T>,
    MaxPool2d,
    MinPool2d,
    AvgPool2d,
    Flatten,
    Dropout,
    Activation,
    ReLU,
    Sigmoid,
    Tanh,
    Softmax,
    Sequential<T>,
    Box<dyn Module<T>>,
);

impl<T: Element> Symbol<T> {
    /// Records any other [`Module`] (a layer of one's own) applied to this
    /// symbol, as it is: `x.apply(Swish)`.
    ///
    /// # Panics
    /// When the module's [`output_shape`](Module::output_shape) rejects the
    /// symbol's shape.
    #[track_caller]
    pub fn apply(&self, module: impl Module<T> + 'static) -> Symbol<T> {
        call_module(module, self)
    }
}

/// `[1, ...shape]`: a batch of one, for `Module::output_shape`.
fn with_batch(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1];
    s.extend_from_slice(shape);
    s
}

fn without_batch(shape: Vec<usize>) -> Vec<usize> {
    shape[1..].to_vec()
}

/// Records a built layer followed by `activation`.
#[track_caller]
fn record_layer<T: Element>(
    x: &Symbol<T>,
    base: &str,
    layer: impl Module<T> + 'static,
    activation: Activation,
) -> Symbol<T> {
    let mut description = layer.describe();
    if activation != Activation::Identity {
        description += &format!(" + {activation:?}");
    }
    let shape = without_batch(layer.output_shape(&with_batch(x.shape())));
    x.record(base, description, Kind::Layer { layer: Some(Box::new(layer)), activation }, &[x], shape)
}

/// The options [`Dense`] and [`Conv`] share, as builder methods.
macro_rules! layer_options {
    ($layer:ty) => {
        impl $layer {
            /// The activation `phi` applied to the output (`Activation::Identity`
            /// for none, the default).
            pub fn activation(mut self, activation: Activation) -> Self {
                self.activation = activation;
                self
            }

            /// How to draw the weights (default Glorot-uniform; the course's
            /// `Init::GlorotCourse`, ...).
            pub fn init(mut self, init: Init) -> Self {
                self.init = init;
                self
            }

            /// Whether the layer has a bias (default `true`).
            pub fn bias(mut self, bias: bool) -> Self {
                self.bias = bias;
                self
            }
        }
    };
}

/// Keras's `Dense(units, activation=...)`: `y = phi(x W^T + b)` with `W` of
/// shape `[units, features]`, where `features` is read from the input.
///
/// Defaults as in Keras: Glorot-uniform weights, zero bias, no activation.
#[derive(Clone, Copy, Debug)]
pub struct Dense {
    units: usize,
    activation: Activation,
    init: Init,
    bias: bool,
}

impl Dense {
    /// `units` outputs.
    ///
    /// # Panics
    /// When `units` is 0.
    #[track_caller]
    pub fn new(units: usize) -> Self {
        assert!(units > 0, "Dense: units must be at least 1");
        Dense { units, activation: Activation::Identity, init: Init::GlorotUniform, bias: true }
    }
}

layer_options!(Dense);

impl<T: Element> Layer<T> for Dense {
    #[track_caller]
    fn call(self, x: &Symbol<T>) -> Symbol<T> {
        let [features] = x.shape() else {
            panic!(
                "Dense({}) called on {} of shape [batch, {}]: a dense layer takes [batch, features]; call Flatten first",
                self.units,
                x.name(),
                join(x.shape())
            )
        };
        let linear =
            x.with_rng(|rng| Linear::<T>::builder(*features, self.units).init(self.init).bias(self.bias).build(rng));
        record_layer(x, "dense", linear, self.activation)
    }
}

/// Keras's `Conv2D(filters, kernel_size, strides, padding, activation)`: a
/// [`Conv2d`] whose input channels are read from the input `[C, H, W]`.
///
/// Defaults as in Keras: stride 1, `Padding::Valid`, Glorot-uniform
/// weights, zero bias, no activation.
#[derive(Clone, Copy, Debug)]
pub struct Conv {
    filters: usize,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: Padding,
    activation: Activation,
    init: Init,
    bias: bool,
}

impl Conv {
    /// `filters` output channels with a `kernel` window (`3` or `(3, 5)`).
    ///
    /// # Panics
    /// When `filters` or a kernel side is 0.
    #[track_caller]
    pub fn new(filters: usize, kernel: impl IntoPair) -> Self {
        let kernel = kernel.into_pair();
        assert!(
            filters > 0 && kernel.0 > 0 && kernel.1 > 0,
            "Conv: filters {filters} and kernel {kernel:?} must be positive"
        );
        Conv {
            filters,
            kernel,
            stride: (1, 1),
            padding: Padding::Valid,
            activation: Activation::Identity,
            init: Init::GlorotUniform,
            bias: true,
        }
    }

    /// The step between windows.
    pub fn stride(mut self, stride: impl IntoPair) -> Self {
        self.stride = stride.into_pair();
        self
    }

    /// The zero padding (`Padding::Same` keeps the size at stride 1).
    pub fn padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }
}

layer_options!(Conv);

impl<T: Element> Layer<T> for Conv {
    #[track_caller]
    fn call(self, x: &Symbol<T>) -> Symbol<T> {
        let [channels, _, _] = x.shape() else {
            panic!(
                "Conv({} filters, {}x{}) called on {} of shape [batch, {}]: a convolution takes [batch, channels, \
                 height, width]",
                self.filters,
                self.kernel.0,
                self.kernel.1,
                x.name(),
                join(x.shape())
            )
        };
        let conv = x.with_rng(|rng| {
            Conv2d::<T>::builder(*channels, self.filters, self.kernel)
                .stride(self.stride)
                .padding(self.padding)
                .init(self.init)
                .bias(self.bias)
                .build(rng)
        });
        record_layer(x, "conv2d", conv, self.activation)
    }
}

/// The element-wise sum of two outputs of one shape (Keras's `Add`), as in a
/// skip connection `y = f(x) + x`.
///
/// # Panics
/// When the shapes differ (naming both), or the symbols come from two inputs.
#[track_caller]
pub fn add<T: Element>(a: &Symbol<T>, b: &Symbol<T>) -> Symbol<T> {
    assert!(
        a.shape() == b.shape(),
        "add: {} has shape [batch, {}] and {} has shape [batch, {}]; add needs one shape",
        a.name(),
        join(a.shape()),
        b.name(),
        join(b.shape())
    );
    a.record("add", "Add".into(), Kind::Add, &[a, b], a.shape().to_vec())
}

/// Outputs joined along their last axis (Keras's `Concatenate()`), as where
/// two branches meet: `[batch, 64]` and `[batch, 32]` give `[batch, 96]`.
///
/// # Panics
/// With fewer than two parts, when the shapes differ other than in the last
/// axis (naming them), or when the symbols come from two inputs.
#[track_caller]
pub fn concatenate<T: Element>(parts: &[&Symbol<T>]) -> Symbol<T> {
    assert!(parts.len() >= 2, "concatenate: needs at least two outputs, got {}", parts.len());
    let first = parts[0];
    let rank = first.shape().len();
    for p in &parts[1..] {
        assert!(
            p.shape().len() == rank && p.shape()[..rank - 1] == first.shape()[..rank - 1],
            "concatenate: {} has shape [batch, {}] and {} has shape [batch, {}]; all but the last axis must agree",
            first.name(),
            join(first.shape()),
            p.name(),
            join(p.shape())
        );
    }
    let mut shape = first.shape().to_vec();
    shape[rank - 1] = parts.iter().map(|p| p.shape()[rank - 1]).sum();
    first.record("concatenate", "Concatenate".into(), Kind::Concat, parts, shape)
}
