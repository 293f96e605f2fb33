//! A chain of layers.

use crate::fusion::{self, Step};
use crate::{Activation, Buffer, Linear, Module, Summary, SummaryRow};
use rand::Rng;
use sinapse_autograd::Var;
use sinapse_tensor::Element;

/// Layers applied one after the other: `y = f_n(... f_2(f_1(x)))`.
///
/// Parameters are named `<index>.<name>` with the layer's position, as in
/// PyTorch's `nn.Sequential` (activations count as layers: in
/// `Linear, ReLU, Linear` the second weight is `2.weight`).
///
/// ```
/// use sinapse_nn::{Linear, Module, ReLU, Sequential, Sigmoid};
/// use sinapse_tensor::seeded_rng;
/// let mut rng = seeded_rng(0);
/// // The course's perceptron: 784 inputs, 10 sigmoid units.
/// let perceptron = Sequential::<f32>::new().add(Linear::new(784, 10, &mut rng)).add(Sigmoid);
/// assert_eq!(perceptron.num_parameters(), 7_850);
/// let mlp = Sequential::<f32>::new()
///     .add(Linear::new(784, 128, &mut rng))
///     .add(ReLU)
///     .add(Linear::new(128, 10, &mut rng));
/// assert_eq!(mlp.num_parameters(), 101_770);
/// assert_eq!(mlp.parameters()[2].0, "2.weight");
/// ```
pub struct Sequential<T: Element> {
    layers: Vec<Box<dyn Module<T>>>,
    /// How `forward` runs the layers, fused where it can; made again at
    /// every `add`.
    plan: Vec<Step>,
}

impl<T: Element> Default for Sequential<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> Sequential<T> {
    /// An empty chain (the identity).
    pub fn new() -> Self {
        Sequential { layers: Vec::new(), plan: Vec::new() }
    }

    /// Appends a layer.
    // `add` is Keras's name for this builder step; `Sequential` has no `+`.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, layer: impl Module<T> + 'static) -> Self {
        self.add_boxed(Box::new(layer))
    }

    /// Appends an already boxed layer (for layers chosen at run time).
    pub fn add_boxed(mut self, layer: Box<dyn Module<T>>) -> Self {
        self.layers.push(layer);
        self.plan = fusion::plan(&self.layers);
        self
    }

    /// Appends a Keras-style `Dense(out, activation)`: a [`Linear`] with
    /// default initialization, followed by the activation unless it is
    /// [`Activation::Identity`] (so names match PyTorch's `Linear, Sigmoid`).
    pub fn add_dense<R: Rng + ?Sized>(
        self,
        in_features: usize,
        out_features: usize,
        activation: Activation,
        rng: &mut R,
    ) -> Self {
        let s = self.add(Linear::new(in_features, out_features, rng));
        if activation == Activation::Identity {
            s
        } else {
            s.add(activation)
        }
    }

    /// The layers, in order.
    pub fn layers(&self) -> &[Box<dyn Module<T>>] {
        &self.layers
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Runs the chain and returns every layer's output, in order (the last
    /// one is `forward(x)`): for per-layer diagnostics such as activation
    /// statistics or dead-ReLU counts.
    pub fn forward_with_activations(&self, x: &Var<T>) -> Vec<Var<T>> {
        let mut outputs: Vec<Var<T>> = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let input = outputs.last().unwrap_or(x);
            let y = layer.forward(input);
            outputs.push(y);
        }
        outputs
    }
}

impl<T: Element> Module<T> for Sequential<T> {
    /// Runs the layers in order. A `Conv2d, ReLU, MaxPool2d` or a `ReLU,
    /// MaxPool2d` stretch runs as one operation (see `nn/src/fusion.rs`):
    /// the same values and gradients, bit for bit, without storing the
    /// ReLU's output (in the course's CNN that output is the largest tensor
    /// of the step). [`forward_with_activations`](Self::forward_with_activations)
    /// never fuses, since it returns every layer's output.
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.plan.iter().fold(x.clone(), |y, &step| fusion::run(&self.layers, step, &y))
    }

    fn describe(&self) -> String {
        format!("Sequential({} layers)", self.layers.len())
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.layers.iter().fold(input.to_vec(), |shape, layer| layer.output_shape(&shape))
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            out.extend(layer.parameters().into_iter().map(|(name, p)| (format!("{i}.{name}"), p)));
        }
        out
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            out.extend(layer.weights().into_iter().map(|(name, p)| (format!("{i}.{name}"), p)));
        }
        out
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            out.extend(layer.parameters_mut().into_iter().map(|(name, p)| (format!("{i}.{name}"), p)));
        }
        out
    }

    fn buffers(&self) -> Vec<(String, &Buffer<T>)> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            out.extend(layer.buffers().into_iter().map(|(name, b)| (format!("{i}.{name}"), b)));
        }
        out
    }

    fn set_training(&mut self, training: bool) {
        for layer in &mut self.layers {
            layer.set_training(training);
        }
    }

    fn reseed(&mut self, seed: u64) {
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.reseed(child_seed(seed, i));
        }
    }

    /// A Keras-style table: for each layer its description, its output shape
    /// for an input of shape `input` (batch dimension included) and its
    /// parameter count, plus the total. Print it with `{}`.
    fn summary(&self, input: &[usize]) -> Summary {
        let mut shape = input.to_vec();
        let rows = self
            .layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                shape = layer.output_shape(&shape);
                SummaryRow {
                    name: i.to_string(),
                    description: layer.describe(),
                    output_shape: shape.clone(),
                    parameters: layer.num_parameters(),
                }
            })
            .collect();
        Summary { input_shape: input.to_vec(), rows }
    }
}

/// A seed for child `index` (SplitMix64's finaliser over `seed + index`), so
/// that two dropout layers never share a mask stream.
pub(crate) fn child_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed.wrapping_add((index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
