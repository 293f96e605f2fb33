//! The course's networks, by name, so a saved model can be rebuilt from the
//! name stored in its file.

use crate::custom_op::Swish;
use sinapse_datasets::ImageLayout;
use sinapse_nn::functional::{Dense, Graph, Input, Layer};
use sinapse_nn::{Activation, Conv2d, Flatten, Linear, Loss, MaxPool2d, Module, ReLU, Sequential};
use sinapse_tensor::seeded_rng;

/// A network of the examples. Weights are Glorot-uniform, biases zero, f32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// Practice I: `784 -> Dense(10, sigmoid)`, mean squared error on one-hot labels.
    Perceptron,
    /// `784 -> Dense(128, ReLU) -> Dense(10)`, softmax cross-entropy.
    Mlp,
    /// `1x28x28 -> Conv(32, 3x3, ReLU) -> MaxPool 2 -> Conv(64, 3x3, ReLU) ->
    /// MaxPool 2 -> Flatten(1600) -> Dense(10)`, softmax cross-entropy.
    Cnn,
    /// The `fashion_cnn` example's network: three conv-BN-ReLU blocks (32,
    /// 64, 128 channels, 3x3 "same"), max pools after the first two, a
    /// global average pool and `Dense(10)`, softmax cross-entropy.
    FashionCnn,
    /// The MLP with the custom swish activation (`x * sigmoid(x)`) of the
    /// `custom_op` example instead of ReLU.
    SwishMlp,
}

impl Arch {
    /// Every architecture.
    pub const ALL: [Arch; 5] = [Arch::Perceptron, Arch::Mlp, Arch::Cnn, Arch::FashionCnn, Arch::SwishMlp];

    /// The name stored in model files: `perceptron`, `mlp`, `cnn`,
    /// `fashion-cnn`, `swish-mlp`.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Perceptron => "perceptron",
            Arch::Mlp => "mlp",
            Arch::Cnn => "cnn",
            Arch::FashionCnn => "fashion-cnn",
            Arch::SwishMlp => "swish-mlp",
        }
    }

    /// Parses [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Arch> {
        Arch::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The network, its weights drawn from a generator seeded with `seed`,
    /// as the example of the same name builds it (the perceptron with the
    /// functional API, as the course writes Practice I; the others as a
    /// `Sequential`).
    pub fn build(self, seed: u64) -> Box<dyn Module<f32>> {
        if self == Arch::Perceptron {
            let inputs = Input::seeded(&[784], seed);
            let outputs = Dense::new(10).activation(Activation::Sigmoid).call(&inputs);
            return Box::new(Graph::new(&inputs, &outputs));
        }
        Box::new(self.sequential(seed))
    }

    fn sequential(self, seed: u64) -> Sequential<f32> {
        let mut rng = seeded_rng(seed);
        match self {
            Arch::Perceptron => unreachable!("built with the functional API"),
            Arch::FashionCnn => crate::programs::fashion_cnn::network(seed),
            Arch::Mlp => {
                Sequential::new().add(Linear::new(784, 128, &mut rng)).add(ReLU).add(Linear::new(128, 10, &mut rng))
            }
            Arch::SwishMlp => {
                Sequential::new().add(Linear::new(784, 128, &mut rng)).add(Swish).add(Linear::new(128, 10, &mut rng))
            }
            Arch::Cnn => Sequential::new()
                .add(Conv2d::new(1, 32, 3, &mut rng))
                .add(ReLU)
                .add(MaxPool2d::new(2))
                .add(Conv2d::new(32, 64, 3, &mut rng))
                .add(ReLU)
                .add(MaxPool2d::new(2))
                .add(Flatten)
                .add(Linear::new(1600, 10, &mut rng)),
        }
    }

    /// How images are fed: flat `[B, 784]` or `[B, 1, 28, 28]`.
    pub fn layout(self) -> ImageLayout {
        match self {
            Arch::Cnn | Arch::FashionCnn => ImageLayout::Nchw,
            _ => ImageLayout::Flat,
        }
    }

    /// The input shape of one image, batch dimension included.
    pub fn input_shape(self, batch: usize) -> Vec<usize> {
        match self.layout() {
            ImageLayout::Nchw => vec![batch, 1, 28, 28],
            ImageLayout::Flat => vec![batch, 784],
        }
    }

    /// The training loss (targets are one-hot rows).
    pub fn loss(self) -> Loss {
        match self {
            Arch::Perceptron => Loss::MeanSquaredError,
            _ => Loss::CategoricalCrossEntropy,
        }
    }

    /// True when the outputs are logits (turned into probabilities by a
    /// softmax); false for the perceptron's sigmoid outputs.
    pub fn outputs_logits(self) -> bool {
        self != Arch::Perceptron
    }
}
