//! RMSprop and Adagrad against PyTorch: three steps with fixed gradients
//! from the same start, as PyTorch 2.15 computed them in float64
//! (`nn/tests/fixtures/torch/`, written by `generate.py` there).

use safetensors::{Dtype, SafeTensors};
use sinapse_autograd::Var;
use sinapse_optim::{Adagrad, Optimizer, RmsProp};
use sinapse_tensor::Tensor;
use std::collections::HashMap;

/// The float64 tensors and the metadata of a fixture file.
fn fixture(name: &str) -> (HashMap<String, Tensor<f64>>, HashMap<String, String>) {
    let path = format!("{}/../nn/tests/fixtures/torch/{name}.safetensors", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata = header.metadata().clone().unwrap_or_default();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let tensors = file
        .tensors()
        .into_iter()
        .map(|(key, view)| {
            assert_eq!(view.dtype(), Dtype::F64, "{path}: {key}");
            let values = view.data().chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect();
            (key, Tensor::from_vec(values, view.shape()).unwrap())
        })
        .collect();
    (tensors, metadata)
}

/// Steps `opt` three times from `param0` with gradients `grad1..3` and
/// compares each result with PyTorch's `param1..3`.
fn three_steps_match(name: &str, opt: &mut dyn Optimizer<f64>) {
    let (t, _) = fixture(name);
    let mut p = Var::parameter(t["param0"].clone(), "p");
    for k in 1..=3 {
        // The gradient of sum(p * g_k) is g_k.
        let grads = p.mul(&Var::constant(t[&format!("grad{k}")].clone())).sum_all().backward();
        opt.step_params(&mut [("p".to_string(), &mut p)], &grads);
        let (got, want) = (p.value().to_vec(), t[&format!("param{k}")].to_vec());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "{name}: step {k}, element {i}: {g} vs PyTorch's {w}");
        }
    }
}

fn meta(name: &str, key: &str) -> f64 {
    fixture(name).1[key].parse().unwrap()
}

#[test]
fn rmsprop_matches_pytorch() {
    let (lr, alpha, eps) = (meta("rmsprop", "lr"), meta("rmsprop", "alpha"), meta("rmsprop", "eps"));
    three_steps_match("rmsprop", &mut RmsProp::new(lr).alpha(alpha).eps(eps));
}

#[test]
fn adagrad_matches_pytorch() {
    let m = |k| meta("adagrad", k);
    let mut opt = Adagrad::new(m("lr")).initial_accumulator_value(m("initial_accumulator_value")).eps(m("eps"));
    three_steps_match("adagrad", &mut opt);
}
