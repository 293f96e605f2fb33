//! What the page draws: weights as images, filters, feature maps, a
//! prediction with its hidden activations, and whether the hidden units are
//! still all alike.

use crate::config::{LossChoice, Network};
use crate::data::PIXELS;
use crate::network::{self, FEATURE_SIDE};
use serde::Serialize;
use sinapse_autograd::{no_grad, Var};
use sinapse_nn::Module;
use sinapse_tensor::Tensor;

use crate::session::Session;

/// How many of the MLP's hidden units are drawn as weight images.
pub const HIDDEN_IMAGES: usize = 16;

/// A forward pass on one image, for the draw-a-digit panel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// The ten outputs: softmax probabilities under cross-entropy, output
    /// activations under the squared error.
    pub outputs: Vec<f32>,
    /// `"probabilities"` or `"activations"`.
    pub kind: &'static str,
    /// The class with the largest output.
    pub class: usize,
    /// The hidden layer: the MLP's 128 activations, the mean of each of the
    /// CNN's 32 first feature maps; empty for the perceptron.
    pub hidden: Vec<f32>,
}

/// Whether the units of the first layer still compute the same function.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Symmetry {
    /// Units of the first layer (hidden units; the perceptron's 10 outputs).
    pub hidden_units: usize,
    /// How many of them differ: 1 means every unit has the same input
    /// weights and bias.
    pub distinct: usize,
    /// The largest difference between a unit's weights and the first unit's.
    pub max_difference: f32,
}

/// The first layer's weights as rows, one per unit: `[units, inputs]`.
fn first_layer_rows(session: &Session) -> (Vec<f32>, usize) {
    let (_, weight) = &session.net().parameters()[0];
    let value = weight.value();
    (value.to_vec(), value.shape()[0])
}

/// The perceptron's 10 weight images, or the first [`HIDDEN_IMAGES`] hidden
/// units' of the MLP (784 values each); empty for the CNN.
pub fn weight_images(session: &Session) -> Vec<f32> {
    match session.config().network {
        Network::Perceptron => first_layer_rows(session).0,
        Network::Mlp => first_layer_rows(session).0[..HIDDEN_IMAGES * PIXELS].to_vec(),
        Network::Cnn => Vec::new(),
    }
}

/// The CNN's first-layer kernels, `32 x 3 x 3`; empty for the other networks.
pub fn filters(session: &Session) -> Vec<f32> {
    match session.config().network {
        Network::Cnn => first_layer_rows(session).0,
        _ => Vec::new(),
    }
}

/// Every layer's output for one image of 784 pixels.
fn activations(session: &Session, pixels: &[f32]) -> Vec<Tensor<f32>> {
    assert_eq!(pixels.len(), PIXELS, "activations: an image has 784 pixels, got {}", pixels.len());
    let shape = network::input_shape(session.config().network, 1);
    let x = Tensor::from_vec(pixels.to_vec(), &shape).expect("784 pixels");
    no_grad(|| session.net().forward_with_activations(&Var::constant(x)).iter().map(|v| v.value().clone()).collect())
}

/// The CNN's 32 first feature maps (`26 x 26` each, after the activation)
/// for one image; empty for the other networks.
pub fn feature_maps(session: &Session, pixels: &[f32]) -> Vec<f32> {
    match session.config().network {
        // Layer 1 is the activation after the first convolution.
        Network::Cnn => activations(session, pixels)[1].to_vec(),
        _ => Vec::new(),
    }
}

/// The network's answer for one image.
pub fn predict(session: &Session, pixels: &[f32]) -> Prediction {
    let layers = activations(session, pixels);
    let last = layers.last().expect("a network has layers").to_vec();
    let (outputs, kind) = match session.config().loss {
        LossChoice::CrossEntropy => (softmax(&last), "probabilities"),
        LossChoice::Mse => (last, "activations"),
    };
    let hidden = match session.config().network {
        Network::Perceptron => Vec::new(),
        Network::Mlp => layers[1].to_vec(),
        Network::Cnn => layers[1]
            .to_vec()
            .chunks(FEATURE_SIDE * FEATURE_SIDE)
            .map(|map| map.iter().sum::<f32>() / map.len() as f32)
            .collect(),
    };
    Prediction { class: argmax(&outputs), outputs, kind, hidden }
}

/// Counts the first layer's distinct units. Two units count as one when
/// every input weight and the bias agree to `1e-6` of the layer's largest
/// weight: after zero initialization every unit receives the same gradient,
/// so they stay equal to rounding.
pub fn symmetry(session: &Session) -> Symmetry {
    let params = session.net().parameters();
    let (rows, units) = first_layer_rows(session);
    let bias = params.get(1).map(|(_, b)| b.value().to_vec()).unwrap_or_else(|| vec![0.0; units]);
    let width = rows.len() / units;
    let unit = |j: usize| rows[j * width..(j + 1) * width].iter().chain(std::iter::once(&bias[j]));
    let scale = rows.iter().chain(&bias).fold(0f32, |m, v| m.max(v.abs())).max(f32::MIN_POSITIVE);
    let difference = |a: usize, b: usize| unit(a).zip(unit(b)).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    let mut representatives: Vec<usize> = Vec::new();
    let mut max_difference = 0f32;
    for j in 0..units {
        max_difference = max_difference.max(difference(0, j));
        if representatives.iter().all(|&r| difference(r, j) > 1e-6 * scale) {
            representatives.push(j);
        }
    }
    Symmetry { hidden_units: units, distinct: representatives.len(), max_difference }
}

/// `p_k = e^{z_k - max z} / sum_j e^{z_j - max z}`.
fn softmax(z: &[f32]) -> Vec<f32> {
    let max = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let e: Vec<f32> = z.iter().map(|&v| (v - max).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// The index of the largest value (the first on ties).
fn argmax(v: &[f32]) -> usize {
    v.iter().enumerate().fold(0, |best, (i, &x)| if x > v[best] { i } else { best })
}
