//! Adding an operator from outside the crate: softplus, built with
//! `Var::from_op`, checked like the built-in ones (first and second order).

mod common;

use common::{any_tensor, check_op, config, Values};
use proptest::prelude::*;
use sinapse_autograd::{gradcheck, gradgradcheck, Cost, GradcheckOptions, OpDef, Var};
use sinapse_tensor::Tensor;

/// The descriptor of `softplus`.
static SOFTPLUS: OpDef =
    OpDef { name: "softplus", forward: "ln(1 + e^x)", backward: "dx = g s(x)", cost: Cost::Elementwise };

/// `softplus(x) = ln(1 + e^x)`, computed as `max(x, 0) + ln(1 + e^-|x|)` so
/// that large `|x|` neither overflows nor loses the small term. Its
/// derivative is the sigmoid, written with differentiable operations so that
/// second derivatives work too.
fn softplus(x: &Var<f64>) -> Var<f64> {
    let forward = || x.value().map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
    Var::from_op(&SOFTPLUS, &[x], forward, |_out, g, inputs| vec![Some(g.mul(&inputs[0].sigmoid()))])
}

#[test]
fn softplus_values_are_stable() {
    let x = Var::constant(Tensor::from_vec(vec![-800.0, -2.0, 0.0, 3.0, 800.0], &[5]).unwrap());
    let y = softplus(&x).value().to_vec();
    let naive = |v: f64| (1.0 + v.exp()).ln();
    assert_eq!(y[0], 0.0);
    assert!((y[1] - naive(-2.0)).abs() < 1e-15);
    assert!((y[2] - 2f64.ln()).abs() < 1e-15);
    assert!((y[3] - naive(3.0)).abs() < 1e-14);
    assert_eq!(y[4], 800.0, "no overflow for large inputs");
}

#[test]
fn softplus_passes_gradcheck_and_gradgradcheck() {
    let x = Tensor::from_vec(vec![-3.0, -0.5, 0.0, 0.25, 2.0, 4.0], &[2, 3]).unwrap();
    let opts = GradcheckOptions::default();
    gradcheck(|v| softplus(&v[0]), std::slice::from_ref(&x), &opts).unwrap();
    gradgradcheck(|v| softplus(&v[0]), std::slice::from_ref(&x), &opts).unwrap();
    // Composed with built-in operators on a non-contiguous input.
    let xt = x.t();
    gradgradcheck(|v| softplus(&v[0].matmul(&v[1])), &[xt, x], &opts).unwrap();
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn softplus_on_random_tensors(x in any_tensor(0, 4, Values::Smooth)) {
        check_op("softplus", |v| softplus(&v[0]), &[x])?;
    }
}
