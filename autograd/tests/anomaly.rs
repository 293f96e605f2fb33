//! Anomaly mode: the first non-finite value or gradient panics with the
//! operation, the caller's file and line, and the inputs' shapes and ranges.

use sinapse_autograd::{detect_anomaly, is_anomaly_enabled, AnomalyGuard, Var};
use sinapse_tensor::Tensor;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn vector(v: &[f64]) -> Tensor<f64> {
    Tensor::from_vec(v.to_vec(), &[v.len()]).unwrap()
}

#[test]
fn ln_of_zero_panics_naming_the_op_the_call_site_and_the_inputs() {
    let x = Var::new(vector(&[0.0, 1.0, 2.0]));
    let mut line = 0;
    let msg = panic_message(|| {
        detect_anomaly(|| {
            line = line!() + 1;
            let _ = x.ln();
        })
    });
    assert!(msg.contains("ln"), "message: {msg}");
    assert!(msg.contains(&format!("{}:{line}", file!())), "message names the caller's line {line}: {msg}");
    assert!(msg.contains("[3] in [0, 2]"), "message gives the input's shape and range: {msg}");
    assert!(!is_anomaly_enabled(), "the guard is restored even after a panic");
}

#[test]
fn a_nan_gradient_is_reported_in_backward() {
    // sqrt(0) = 0 is finite, but its backward g / (2 sqrt x) is 0 / 0 here.
    let x = Var::new(vector(&[0.0, 4.0]));
    let mut line = 0;
    let msg = panic_message(|| {
        let _on = AnomalyGuard::new();
        line = line!() + 1;
        let y = x.sqrt().mul_scalar(0.0).sum_all();
        y.backward();
    });
    assert!(msg.contains("gradient of sqrt"), "message: {msg}");
    assert!(msg.contains(&format!("{}:{line}", file!())), "message names the forward call's line {line}: {msg}");
    assert!(msg.contains("NaN"), "message shows the NaN: {msg}");
    assert!(msg.contains("[2] in [0, 4]"), "message gives the input's shape and range: {msg}");
}

#[test]
fn without_anomaly_mode_nothing_panics() {
    assert!(!is_anomaly_enabled());
    let x = Var::new(vector(&[0.0, 4.0]));
    let y = x.ln();
    assert_eq!(y.value().to_vec()[0], f64::NEG_INFINITY);
    let grads = x.sqrt().mul_scalar(0.0).sum_all().backward();
    let g = grads.get(&x).unwrap().to_vec();
    assert!(g[0].is_nan() && g[1] == 0.0, "gradient {g:?}");
}
