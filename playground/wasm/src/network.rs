//! The course's three networks, built from the page's settings.
//!
//! | network    | layers                                                                 |
//! |------------|------------------------------------------------------------------------|
//! | perceptron | `784 -> 10`                                                            |
//! | MLP        | `784 -> 128 (f) -> 10`                                                 |
//! | CNN        | `1x28x28 -> Conv(32, 3x3) (f) -> MaxPool 2 -> Conv(64, 3x3) (f) -> MaxPool 2 -> 1600 -> 10` |
//!
//! `f` is the chosen activation. The ten outputs depend on the loss:
//! - cross-entropy: the outputs are logits `z`; the loss applies the softmax
//!   `p_k = e^{z_k} / sum_j e^{z_j}` and `E = -log p_y`;
//! - squared error: the outputs are activations `a = g(z)` and
//!   `E = mean_k (a_k - t_k)^2` against the one-hot `t`. For the
//!   perceptron `g` is the chosen activation (Practice I uses the sigmoid);
//!   for the MLP and the CNN it is the sigmoid, so that each output can
//!   reach the targets 0 and 1.

use crate::config::{Activation as ActivationChoice, Config, LossChoice, Network};
use crate::data::{CLASSES, PIXELS};
use sinapse_nn::{Activation, Conv2d, Flatten, Init, Linear, Loss, MaxPool2d, Sequential};
use sinapse_tensor::seeded_rng;

/// Hidden units of the MLP.
pub const MLP_HIDDEN: usize = 128;
/// Filters of the CNN's first convolution.
pub const CNN_FILTERS: usize = 32;
/// Side of the CNN's first feature maps: `28 - 3 + 1`.
pub const FEATURE_SIDE: usize = 26;

/// The library activation for a choice.
pub fn activation(choice: ActivationChoice) -> Activation {
    match choice {
        ActivationChoice::Sigmoid => Activation::Sigmoid,
        ActivationChoice::Tanh => Activation::Tanh,
        ActivationChoice::Relu => Activation::ReLU,
    }
}

/// The network of `config`, its weights drawn from a generator seeded with
/// `config.seed` (biases zero).
pub fn build(config: &Config) -> Sequential<f32> {
    let mut rng = seeded_rng(config.seed);
    let init = config.init.init();
    let f = activation(config.activation);
    let dense =
        |rng: &mut _, n_in, n_out| Linear::<f32>::builder(n_in, n_out).init(init).bias_init(Init::Zeros).build(rng);
    let conv =
        |rng: &mut _, c_in, c_out| Conv2d::<f32>::builder(c_in, c_out, 3).init(init).bias_init(Init::Zeros).build(rng);
    let net = match config.network {
        Network::Perceptron => Sequential::new().add(dense(&mut rng, PIXELS, CLASSES)),
        Network::Mlp => {
            Sequential::new().add(dense(&mut rng, PIXELS, MLP_HIDDEN)).add(f).add(dense(&mut rng, MLP_HIDDEN, CLASSES))
        }
        Network::Cnn => Sequential::new()
            .add(conv(&mut rng, 1, CNN_FILTERS))
            .add(f)
            .add(MaxPool2d::new(2))
            .add(conv(&mut rng, CNN_FILTERS, 64))
            .add(f)
            .add(MaxPool2d::new(2))
            .add(Flatten)
            .add(dense(&mut rng, 64 * 5 * 5, CLASSES)),
    };
    match (config.loss, config.network) {
        (LossChoice::CrossEntropy, _) => net,
        (LossChoice::Mse, Network::Perceptron) => net.add(f),
        (LossChoice::Mse, _) => net.add(Activation::Sigmoid),
    }
}

/// The loss the network's outputs are trained on (targets one-hot).
pub fn loss(config: &Config) -> Loss {
    match config.loss {
        LossChoice::Mse => Loss::MeanSquaredError,
        LossChoice::CrossEntropy => Loss::CategoricalCrossEntropy,
    }
}

/// The shape of a batch of `n` images for `network`.
pub fn input_shape(network: Network, n: usize) -> Vec<usize> {
    match network {
        Network::Cnn => vec![n, 1, 28, 28],
        _ => vec![n, PIXELS],
    }
}
