//! Adding an operator from outside the crate: `log_cosh`, with its own
//! descriptor, built with `Var::from_op`, checked like the built-in ones
//! (first and second order).

mod common;

use common::{any_tensor, check_op, config, Values};
use proptest::prelude::*;
use sinapse_autograd::{gradcheck, gradgradcheck, profile, Cost, GradcheckOptions, OpDef, Var};
use sinapse_tensor::Tensor;

/// The descriptor of `log_cosh`: one operation per element for the profiler.
static LOG_COSH: OpDef =
    OpDef { name: "log_cosh", forward: "ln cosh x", backward: "dx = g tanh x", cost: Cost::Elementwise };

/// `log_cosh(x) = ln(cosh x)`, a smooth absolute value, computed as
/// `|x| + ln(1 + e^(-2|x|)) - ln 2` so that large `|x|` does not overflow
/// `cosh`. Its derivative is `tanh x`, written with a differentiable
/// operation so that second derivatives work too.
fn log_cosh(x: &Var<f64>) -> Var<f64> {
    let forward = || x.value().map(|v| v.abs() + (-2.0 * v.abs()).exp().ln_1p() - 2f64.ln());
    Var::from_op(&LOG_COSH, &[x], forward, |_out, g, inputs| vec![Some(g.mul(&inputs[0].tanh()))])
}

#[test]
fn log_cosh_values_are_stable() {
    let x = Var::constant(Tensor::from_vec(vec![-800.0, -2.0, 0.0, 3.0, 800.0], &[5]).unwrap());
    let y = log_cosh(&x).value().to_vec();
    let naive = |v: f64| v.cosh().ln();
    assert_eq!(y[0], 800.0 - 2f64.ln(), "no overflow for large inputs");
    assert!((y[1] - naive(-2.0)).abs() < 1e-15);
    assert_eq!(y[2], 0.0);
    assert!((y[3] - naive(3.0)).abs() < 1e-14);
    assert_eq!(y[4], 800.0 - 2f64.ln());
}

#[test]
fn log_cosh_passes_gradcheck_and_gradgradcheck() {
    let x = Tensor::from_vec(vec![-3.0, -0.5, 0.0, 0.25, 2.0, 4.0], &[2, 3]).unwrap();
    let opts = GradcheckOptions::default();
    gradcheck(|v| log_cosh(&v[0]), std::slice::from_ref(&x), &opts).unwrap();
    gradgradcheck(|v| log_cosh(&v[0]), std::slice::from_ref(&x), &opts).unwrap();
    // Composed with built-in operators on a non-contiguous input.
    let xt = x.t();
    gradgradcheck(|v| log_cosh(&v[0].matmul(&v[1])), &[xt, x], &opts).unwrap();
}

#[test]
fn the_profiler_times_and_costs_it_from_its_descriptor() {
    let x = Var::new(Tensor::<f64>::ones(&[3, 4]));
    let (_, report) = profile(|| log_cosh(&x).sum_all().backward());
    let stats = report.op("log_cosh").expect("counted under its descriptor's name");
    assert_eq!((stats.forward.calls, stats.forward.flops), (1, 12));
    assert_eq!(stats.backward.calls, 1);
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn log_cosh_on_random_tensors(x in any_tensor(0, 4, Values::Smooth)) {
        check_op("log_cosh", |v| log_cosh(&v[0]), &[x])?;
    }
}
