//! One look inside a network: a forward pass of a fixed batch (the probe)
//! that keeps every layer's output, and one backward pass that gives every
//! weight's gradient. Nothing here changes the network.

use serde::{Deserialize, Serialize};
use sinapse_autograd::Var;
use sinapse_nn::{Loss, Module, Sequential};
use sinapse_tensor::Tensor;
use sinapse_train::Metric;

/// Sigmoid outputs below this (or above `1 - SIGMOID_TAIL`) count as
/// saturated: there `s'(z) = s(1 - s) < 0.0099`, a hundredth of a unit's
/// largest slope (0.25) and less.
pub const SIGMOID_TAIL: f64 = 0.01;
/// `|tanh|` above this counts as saturated: there `tanh'(z) = 1 - tanh^2 < 0.02`.
pub const TANH_TAIL: f64 = 0.99;

/// What one layer with a weight looks like on the probe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightStats {
    /// Position of the layer in the [`Sequential`], from 0.
    pub layer: usize,
    /// The weight's parameter name (`0.weight`).
    pub name: String,
    /// The layer's description (`Linear(784 -> 64)`).
    pub description: String,
    /// `||W||_F`, the Frobenius norm of the weight.
    pub weight_norm: f64,
    /// `||dL/dW||_F` on the probe batch (mean loss over its examples).
    pub grad_norm: f64,
    /// `||dL/db||` of the layer's bias, if it has one.
    pub bias_grad_norm: Option<f64>,
    /// `||W_end - W_start||_F` over the epoch (0 before training).
    pub update_norm: f64,
    /// `||W_end - W_start||_F / ||W_start||_F`, the relative size of an
    /// epoch's change; `None` when `W_start` was all zeros (undefined).
    pub update_ratio: Option<f64>,
    /// `max_{j,k,i} |W[j, i] - W[k, i]|` over pairs of units `j, k` (the
    /// layer's output rows, bias included as one more column): exactly 0
    /// when every unit computes the same function.
    pub max_unit_difference: f64,
}

/// Counts of values in equal-width bins over `[lo, hi]` (values outside are
/// counted in the end bins).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Left edge of the first bin.
    pub lo: f64,
    /// Right edge of the last bin.
    pub hi: f64,
    /// Values per bin.
    pub counts: Vec<usize>,
}

impl Histogram {
    /// Bins `values` into `bins` equal bins over `[lo, hi]` (`hi > lo`).
    pub fn new(values: &[f32], lo: f64, hi: f64, bins: usize) -> Self {
        let bins = bins.max(1);
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0; bins];
        for &v in values {
            let k = ((v as f64 - lo) / width).floor();
            // NaN lands in bin 0 through the saturating cast; the finite
            // checks elsewhere report it.
            counts[(k.max(0.0) as usize).min(bins - 1)] += 1;
        }
        Histogram { lo, hi, counts }
    }

    /// Total number of values.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// What the output of one hidden activation layer looks like on the probe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationStats {
    /// Position of the activation layer in the [`Sequential`], from 0.
    pub layer: usize,
    /// `ReLU`, `Sigmoid` or `Tanh`.
    pub kind: String,
    /// Units (axis 1 of the output: neurons, or channels of a feature map).
    pub units: usize,
    /// Mean activation.
    pub mean: f64,
    /// Standard deviation of the activations.
    pub std: f64,
    /// ReLU only: the fraction of units whose output is 0 for every probe
    /// example (a dead unit gets no gradient, so it never comes back).
    pub dead_fraction: Option<f64>,
    /// Sigmoid and tanh only: the fraction of activations (examples x
    /// units) in a flat tail, `s < 0.01` or `s > 0.99`, `|tanh| > 0.99`,
    /// where the derivative almost vanishes.
    pub saturated_fraction: Option<f64>,
    /// ReLU only: the fraction of activations that are exactly 0 (units
    /// switched off for that example).
    pub zero_fraction: Option<f64>,
    /// Distribution of the activations; for ReLU, of the positive ones
    /// only (the zeros are [`zero_fraction`](Self::zero_fraction)) over
    /// `[0, their 99th percentile]`, so the spike at 0 does not hide the rest.
    pub histogram: Histogram,
}

/// One measurement of a network on the probe batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The epoch just finished (0: before training).
    pub epoch: usize,
    /// Mean loss on the probe.
    pub probe_loss: f64,
    /// Accuracy on the probe.
    pub probe_accuracy: f64,
    /// Every layer with a weight, in order.
    pub weights: Vec<WeightStats>,
    /// Every hidden activation layer (ReLU, sigmoid, tanh before the last
    /// layer), in order.
    pub activations: Vec<ActivationStats>,
}

impl Snapshot {
    /// True when every number recorded is finite.
    pub fn is_finite(&self) -> bool {
        let w = self.weights.iter().all(|w| {
            [w.weight_norm, w.grad_norm, w.update_norm, w.max_unit_difference].iter().all(|v| v.is_finite())
                && w.bias_grad_norm.is_none_or(f64::is_finite)
                && w.update_ratio.is_none_or(f64::is_finite)
        });
        let a = self.activations.iter().all(|a| {
            a.mean.is_finite()
                && a.std.is_finite()
                && a.dead_fraction.is_none_or(f64::is_finite)
                && a.saturated_fraction.is_none_or(f64::is_finite)
                && a.zero_fraction.is_none_or(f64::is_finite)
        });
        w && a && self.probe_loss.is_finite() && self.probe_accuracy.is_finite()
    }

    /// The gradient norm `||dL/dW||_F` of the first layer with a weight.
    pub fn first_grad_norm(&self) -> Option<f64> {
        self.weights.first().map(|w| w.grad_norm)
    }

    /// Dead units over all hidden ReLU layers, as a fraction of their units
    /// (`None` without ReLU layers).
    pub fn dead_fraction(&self) -> Option<f64> {
        pooled(&self.activations, |a| a.dead_fraction)
    }

    /// Saturated activations over all hidden sigmoid and tanh layers,
    /// weighted by units (`None` without such layers).
    pub fn saturated_fraction(&self) -> Option<f64> {
        pooled(&self.activations, |a| a.saturated_fraction)
    }

    /// The largest [`WeightStats::max_unit_difference`] over the hidden
    /// layers (every layer with a weight but the last): 0 when each hidden
    /// layer's units are all identical.
    pub fn hidden_unit_difference(&self) -> Option<f64> {
        let hidden = &self.weights[..self.weights.len().saturating_sub(1)];
        hidden.iter().map(|w| w.max_unit_difference).reduce(f64::max)
    }
}

/// `sum(f(a) * units) / sum(units)` over the layers where `f` is defined.
fn pooled(layers: &[ActivationStats], f: impl Fn(&ActivationStats) -> Option<f64>) -> Option<f64> {
    let (sum, units) = layers
        .iter()
        .filter_map(|a| f(a).map(|v| (v * a.units as f64, a.units)))
        .fold((0.0, 0), |(s, n), (v, u)| (s + v, n + u));
    (units > 0).then(|| sum / units as f64)
}

/// `sqrt(sum x^2)`, accumulated in f64.
pub fn l2_norm(values: &[f32]) -> f64 {
    values.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>().sqrt()
}

/// `max_i (max_j W[j, i] - min_j W[j, i])` over the rows `j` of `weight`
/// `[units, ...]` (trailing axes flattened) and, as one more column, of
/// `bias` `[units]`; equal to the largest pairwise difference between
/// units. 0 for a single unit.
pub fn max_unit_difference(weight: &Tensor<f32>, bias: Option<&Tensor<f32>>) -> f64 {
    let units = weight.shape().first().copied().unwrap_or(1).max(1);
    let w = weight.to_vec();
    let columns = w.len() / units;
    let spread = |column: &mut dyn Iterator<Item = f32>| {
        let (lo, hi) = column.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        (hi as f64 - lo as f64).max(0.0)
    };
    let mut widest = (0..columns).map(|i| spread(&mut (0..units).map(|j| w[j * columns + i]))).fold(0.0, f64::max);
    if let Some(b) = bias {
        widest = widest.max(spread(&mut b.to_vec().into_iter()));
    }
    widest
}

/// The activation layers measured: `ReLU`, `Sigmoid` and `Tanh` (as layer
/// structs or as [`sinapse_nn::Activation`] variants, which describe
/// themselves the same way).
fn activation_kind(description: &str) -> Option<&'static str> {
    match description {
        "ReLU" => Some("ReLU"),
        "Sigmoid" => Some("Sigmoid"),
        "Tanh" => Some("Tanh"),
        _ => None,
    }
}

/// Statistics of one activation layer's output `[B, U, ...]`.
fn activation_stats(layer: usize, kind: &str, out: &Tensor<f32>, bins: usize) -> ActivationStats {
    let shape = out.shape();
    let values = out.to_vec();
    let batch = shape.first().copied().unwrap_or(1).max(1);
    let units = shape.get(1).copied().unwrap_or(1).max(1);
    let inner = values.len() / (batch * units);
    let n = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    let mut stats = ActivationStats {
        layer,
        kind: kind.to_string(),
        units,
        mean,
        std: var.sqrt(),
        dead_fraction: None,
        saturated_fraction: None,
        zero_fraction: None,
        histogram: Histogram::new(&values, 0.0, 1.0, bins),
    };
    match kind {
        "ReLU" => {
            // A unit is alive if any example, at any position, lights it.
            let mut alive = vec![false; units];
            for (k, &v) in values.iter().enumerate() {
                if v > 0.0 {
                    alive[(k / inner) % units] = true;
                }
            }
            stats.dead_fraction = Some(alive.iter().filter(|a| !**a).count() as f64 / units as f64);
            let mut positive: Vec<f32> = values.iter().copied().filter(|&v| v > 0.0).collect();
            stats.zero_fraction = Some(1.0 - positive.len() as f64 / n);
            positive.sort_by(f32::total_cmp);
            let p99 = positive.get(positive.len() * 99 / 100).or(positive.last()).map_or(0.0, |&v| v as f64);
            stats.histogram = Histogram::new(&positive, 0.0, p99.max(1e-6), bins);
        }
        "Sigmoid" => {
            let tails = values.iter().filter(|&&v| (v as f64) < SIGMOID_TAIL || (v as f64) > 1.0 - SIGMOID_TAIL);
            stats.saturated_fraction = Some(tails.count() as f64 / n);
        }
        _ => {
            let tails = values.iter().filter(|&&v| (v as f64).abs() > TANH_TAIL);
            stats.saturated_fraction = Some(tails.count() as f64 / n);
            stats.histogram = Histogram::new(&values, -1.0, 1.0, bins);
        }
    }
    stats
}

/// Measures `net` on the probe `(x, y)`: forward with every layer's output
/// kept, the mean `loss`, one backward pass, then per weight layer the norms
/// of `W` and `dL/dW` and the spread between units, and per hidden
/// activation layer its dead or saturated fraction and a histogram of
/// `bins` bins. `start` holds each weight as it was at the start of the
/// epoch (in the order of the weight layers), for the update norms; without
/// it they are 0.
///
/// Call it with the network in evaluation mode (dropout off).
///
/// # Panics
/// When the probe does not fit the network or the loss, or `start` does not
/// match the weight layers.
#[track_caller]
pub fn measure(
    net: &Sequential<f32>,
    loss: Loss,
    (x, y): (&Tensor<f32>, &Tensor<f32>),
    epoch: usize,
    start: Option<&[Tensor<f32>]>,
    bins: usize,
) -> Snapshot {
    let outputs = net.forward_with_activations(&Var::constant(x.clone()));
    let last = outputs.last().expect("Diagnostics: the network has no layers");
    let probe_loss = loss.compute(last, y);
    let logits = matches!(loss, Loss::BinaryCrossEntropyWithLogits);
    let examples = x.shape().first().copied().unwrap_or(1).max(1) as f64;
    let probe_accuracy = Metric::Accuracy.correct(last.value(), y, logits) / examples;
    let loss_value = probe_loss.item() as f64;
    let grads = probe_loss.backward();

    let mut weights = Vec::new();
    let mut activations = Vec::new();
    for (i, layer) in net.layers().iter().enumerate() {
        let params = layer.parameters();
        let weight = params.iter().find(|(name, _)| name == "weight").map(|(_, p)| *p);
        let bias = params.iter().find(|(name, _)| name == "bias").map(|(_, p)| *p);
        if let Some(w) = weight {
            let grad_of = |p: &Var<f32>| grads.get(p).map_or(0.0, |g| l2_norm(&g.to_vec()));
            let current = w.value().to_vec();
            let k = weights.len();
            let (update_norm, update_ratio) = match start {
                Some(start) => {
                    let before = start.get(k).unwrap_or_else(|| {
                        panic!("Diagnostics: no start value for weight layer {k} ({} given)", start.len())
                    });
                    assert_eq!(before.shape(), w.shape(), "Diagnostics: weight {i}.weight changed shape");
                    let before = before.to_vec();
                    let diff: Vec<f32> = current.iter().zip(&before).map(|(a, b)| a - b).collect();
                    let (change, base) = (l2_norm(&diff), l2_norm(&before));
                    (change, (base > 0.0).then(|| change / base))
                }
                None => (0.0, None),
            };
            weights.push(WeightStats {
                layer: i,
                name: format!("{i}.weight"),
                description: layer.describe(),
                weight_norm: l2_norm(&current),
                grad_norm: grad_of(w),
                bias_grad_norm: bias.map(grad_of),
                update_norm,
                update_ratio,
                max_unit_difference: max_unit_difference(w.value(), bias.map(|b| b.value())),
            });
        }
        let hidden = i + 1 < net.len();
        if let (true, Some(kind)) = (hidden, activation_kind(&layer.describe())) {
            activations.push(activation_stats(i, kind, outputs[i].value(), bins));
        }
    }
    Snapshot { epoch, probe_loss: loss_value, probe_accuracy, weights, activations }
}

/// Each weight of `net`'s layers, in order (cheap copy-on-write clones), as
/// the `start` of [`measure`].
pub fn weights_of(net: &Sequential<f32>) -> Vec<Tensor<f32>> {
    net.layers()
        .iter()
        .filter_map(|layer| {
            layer.parameters().into_iter().find(|(name, _)| name == "weight").map(|(_, p)| p.value().clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_difference_is_the_widest_column_spread() {
        let w = Tensor::from_vec(vec![1.0, 2.0, 1.0, 5.0, 1.0, 3.0], &[3, 2]).unwrap();
        assert_eq!(max_unit_difference(&w, None), 3.0);
        let b = Tensor::from_vec(vec![0.0, 10.0, 0.0], &[3]).unwrap();
        assert_eq!(max_unit_difference(&w, Some(&b)), 10.0);
        let same = Tensor::from_vec(vec![0.5; 6], &[3, 2]).unwrap();
        assert_eq!(max_unit_difference(&same, Some(&Tensor::from_vec(vec![0.1; 3], &[3]).unwrap())), 0.0);
    }

    #[test]
    fn histogram_bins_and_clamps() {
        let h = Histogram::new(&[0.0, 0.1, 0.5, 0.99, 1.0, 2.0, -1.0], 0.0, 1.0, 4);
        assert_eq!(h.counts, vec![3, 0, 1, 3]);
        assert_eq!(h.total(), 7);
    }

    #[test]
    fn relu_dead_units_and_sigmoid_tails() {
        // Two examples, three units: unit 1 is 0 for both, so dead.
        let relu = Tensor::from_vec(vec![1.0, 0.0, 0.0, 0.0, 0.0, 2.0], &[2, 3]).unwrap();
        let s = activation_stats(1, "ReLU", &relu, 5);
        assert_eq!(s.dead_fraction, Some(1.0 / 3.0));
        assert_eq!(s.zero_fraction, Some(1.0 - 2.0 / 6.0));
        assert_eq!(s.saturated_fraction, None);
        assert_eq!(s.histogram.total(), 2);
        let sig = Tensor::from_vec(vec![0.001, 0.5, 0.995, 0.3], &[2, 2]).unwrap();
        let s = activation_stats(1, "Sigmoid", &sig, 5);
        assert_eq!(s.saturated_fraction, Some(0.5));
        assert_eq!(s.dead_fraction, None);
        // Feature maps [B, C, H, W]: a unit is a channel, dead when 0 at
        // every position of every example (channel 1 here).
        let maps = Tensor::from_vec(vec![0.0, 3.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], &[2, 2, 1, 2]).unwrap();
        let s = activation_stats(0, "ReLU", &maps, 5);
        assert_eq!((s.units, s.dead_fraction), (2, Some(0.5)));
        let t = Tensor::from_vec(vec![-0.999, 0.5, 0.2, 0.0], &[4, 1]).unwrap();
        assert_eq!(activation_stats(0, "Tanh", &t, 5).saturated_fraction, Some(0.25));
    }
}
