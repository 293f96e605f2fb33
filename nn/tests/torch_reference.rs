//! The layers after the course against PyTorch: outputs and gradients that
//! PyTorch 2.15 computed in float64, stored in `tests/fixtures/torch/` by
//! `generate.py` there (see its README for the names). PyTorch is needed
//! only to regenerate the files.
//!
//! Each case loads the layer's parameters under PyTorch's names through
//! `load_state_dict`, so the names are checked too, runs the input through
//! the layer, and backpropagates `sum(output * grad_output)`.

use sinapse_autograd::{Gradients, Var};
use sinapse_nn::{
    Activation, AdaptiveAvgPool2d, BatchNorm, Checkpoint, Conv1d, Embedding, LayerNorm, Module, ModuleExt,
};
use sinapse_tensor::{seeded_rng, Tensor};
use std::collections::BTreeMap;

/// PyTorch's float64 results and ours may differ in the last bits (another
/// order of summation, another `erf`).
const TOLERANCE: f64 = 1e-12;

/// A fixture file's tensors and metadata.
struct Fixture {
    name: &'static str,
    ckpt: Checkpoint<f64>,
}

impl Fixture {
    fn load(name: &'static str) -> Fixture {
        let path = format!("{}/tests/fixtures/torch/{name}.safetensors", env!("CARGO_MANIFEST_DIR"));
        let ckpt = Checkpoint::load(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Fixture { name, ckpt }
    }

    fn tensor(&self, key: &str) -> Tensor<f64> {
        self.ckpt.tensors.get(key).unwrap_or_else(|| panic!("{}: no tensor {key}", self.name)).clone()
    }

    fn meta(&self, key: &str) -> f64 {
        let v = self.ckpt.metadata.get(key).unwrap_or_else(|| panic!("{}: no metadata {key}", self.name));
        v.parse().unwrap_or_else(|e| panic!("{}: metadata {key} = {v}: {e}", self.name))
    }

    /// The entries `prefix.<name>` as a state dict keyed by `<name>`.
    fn with_prefix(&self, prefix: &str) -> BTreeMap<String, Tensor<f64>> {
        let p = format!("{prefix}.");
        self.ckpt.tensors.iter().filter_map(|(k, t)| k.strip_prefix(&p).map(|n| (n.to_string(), t.clone()))).collect()
    }

    /// Asserts `actual` equals the fixture's `key` within [`TOLERANCE`].
    fn assert_matches(&self, key: &str, actual: &Tensor<f64>) {
        let expected = self.tensor(key);
        assert_eq!(actual.shape(), expected.shape(), "{}: {key}: shapes differ", self.name);
        for (i, (a, e)) in actual.to_vec().into_iter().zip(expected.to_vec()).enumerate() {
            assert!((a - e).abs() <= TOLERANCE * (1.0 + e.abs()), "{}: {key}[{i}]: {a} vs PyTorch's {e}", self.name);
        }
    }

    /// `layer` with the fixture's `param.*` loaded, its output on `input`
    /// and the gradients of `sum(output * grad_output)`, checked against
    /// `output`, `grad_input` and `grad.<name>`.
    fn check_layer<M: Module<f64>>(&self, layer: &mut M, prefix: &str) {
        let mut state = self.with_prefix("param");
        state.extend(layer.buffers().into_iter().map(|(n, b)| (n, b.get())));
        layer.load_state_dict(&state).unwrap_or_else(|e| panic!("{}: PyTorch's names: {e}", self.name));
        let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}_{k}") };
        let x = Var::parameter(self.tensor(&key("input")), "input");
        let y = layer.forward(&x);
        self.assert_matches(&key("output"), y.value());
        let grads = y.mul(&Var::constant(self.tensor(&key("grad_output")))).sum_all().backward();
        self.assert_matches(&key("grad_input"), grads.get(&x).expect("the input's gradient"));
        self.check_parameter_grads(layer, &grads);
    }

    fn check_parameter_grads<M: Module<f64>>(&self, layer: &M, grads: &Gradients<f64>) {
        for (name, p) in layer.parameters() {
            self.assert_matches(&format!("grad.{name}"), grads.get(p).expect("a parameter's gradient"));
        }
    }
}

#[test]
fn conv1d_matches_pytorch() {
    let f = Fixture::load("conv1d");
    let (c, o, k) = (f.meta("in_channels") as usize, f.meta("out_channels") as usize, f.meta("kernel_size") as usize);
    let mut layer = Conv1d::new(c, o, k, &mut seeded_rng(0))
        .stride(f.meta("stride") as usize)
        .padding(f.meta("padding") as usize)
        .dilation(f.meta("dilation") as usize);
    f.check_layer(&mut layer, "");
}

#[test]
fn layer_norm_matches_pytorch() {
    let f = Fixture::load("layer_norm");
    let mut layer = LayerNorm::new(&[4, 5]).eps(f.meta("eps"));
    f.check_layer(&mut layer, "");
}

#[test]
fn adaptive_avg_pool2d_matches_pytorch() {
    let f = Fixture::load("adaptive_avg_pool2d");
    f.check_layer(&mut AdaptiveAvgPool2d::new((3, 3)), "");
    f.check_layer(&mut AdaptiveAvgPool2d::global(), "global");
}

#[test]
fn embedding_matches_pytorch() {
    let f = Fixture::load("embedding");
    let mut layer =
        Embedding::new(f.meta("num_embeddings") as usize, f.meta("embedding_dim") as usize, &mut seeded_rng(0));
    layer.load_state_dict(&f.with_prefix("param")).unwrap();
    let y = layer.forward(&Var::constant(f.tensor("indices")));
    f.assert_matches("output", y.value());
    let grads = y.mul(&Var::constant(f.tensor("grad_output"))).sum_all().backward();
    f.check_parameter_grads(&layer, &grads);
}

#[test]
fn activations_match_pytorch() {
    let f = Fixture::load("activations");
    let activations = [
        ("gelu", Activation::Gelu),
        ("gelu_tanh", Activation::GeluTanh),
        ("silu", Activation::SiLU),
        ("softplus", Activation::Softplus),
        ("leaky_relu", Activation::LeakyReLU(f.meta("leaky_relu_negative_slope"))),
        ("elu", Activation::Elu(f.meta("elu_alpha"))),
    ];
    for (name, activation) in activations {
        let x = Var::parameter(f.tensor("input"), "input");
        let y = activation.forward(&x);
        f.assert_matches(&format!("{name}.output"), y.value());
        let grads = y.mul(&Var::constant(f.tensor(&format!("{name}.grad_output")))).sum_all().backward();
        f.assert_matches(&format!("{name}.grad_input"), grads.get(&x).unwrap());
    }
}

/// Training forward and backward, the running statistics after it, a
/// second training step's output and statistics, then evaluation.
fn batch_norm_matches_pytorch(name: &'static str, make: fn(usize) -> BatchNorm<f64>) {
    let f = Fixture::load(name);
    let mut layer = make(f.meta("channels") as usize).momentum(f.meta("momentum")).eps(f.meta("eps"));
    f.check_layer(&mut layer, "");
    let buffers = |layer: &BatchNorm<f64>, prefix: &str| {
        for (buffer, value) in layer.buffers() {
            f.assert_matches(&format!("{prefix}.{buffer}"), &value.get());
        }
    };
    buffers(&layer, "buffer");
    let second = layer.forward(&Var::constant(f.tensor("input2")));
    f.assert_matches("output2", second.value());
    buffers(&layer, "buffer2");
    layer.set_training(false);
    f.assert_matches("eval_output", layer.forward(&Var::constant(f.tensor("eval_input"))).value());
    // The recorded evaluation path (a gradient through the running statistics) agrees.
    let x = Var::parameter(f.tensor("eval_input"), "x");
    f.assert_matches("eval_output", layer.forward(&x).value());
}

#[test]
fn batch_norm1d_matches_pytorch() {
    batch_norm_matches_pytorch("batch_norm1d", BatchNorm::new_1d);
}

#[test]
fn batch_norm2d_matches_pytorch() {
    batch_norm_matches_pytorch("batch_norm2d", BatchNorm::new_2d);
}
