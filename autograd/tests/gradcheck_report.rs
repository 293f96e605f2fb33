//! What `gradcheck` and `gradgradcheck` report when a backward rule is wrong.

mod common;

use common::check_op;
use sinapse_autograd::{gradcheck, gradgradcheck, Cost, GradcheckOptions, OpDef, Var};
use sinapse_tensor::{seeded_rng, Tensor};

/// The descriptor of `triple_wrong`.
static TRIPLE_WRONG: OpDef =
    OpDef { name: "triple_wrong", forward: "3x", backward: "dx = 2g (wrong)", cost: Cost::Elementwise };
/// The descriptor of `square_frozen_x`.
static SQUARE_FROZEN_X: OpDef =
    OpDef { name: "square_frozen_x", forward: "x²", backward: "dx = 2 g detach(x)", cost: Cost::Elementwise };
/// The descriptor of `square_frozen_g`.
static SQUARE_FROZEN_G: OpDef =
    OpDef { name: "square_frozen_g", forward: "x²", backward: "dx = 2 detach(g) x", cost: Cost::Elementwise };

/// `y = 3x`, with a wrong backward rule `dx = 2g` for every element but
/// the first (a "wrong constant" bug).
fn triple_wrong(x: &Var<f64>) -> Var<f64> {
    Var::from_op(
        &TRIPLE_WRONG,
        &[x],
        || x.value().mul_scalar(3.0),
        |_, g, _| {
            let n = g.value().numel();
            let scale = Tensor::from_fn(g.shape(), |i| if i.iter().all(|&k| k == 0) { 3.0 } else { 2.0 });
            assert_eq!(scale.numel(), n);
            vec![Some(g.mul(&Var::constant(scale)))]
        },
    )
}

#[test]
fn gradcheck_names_the_input_the_element_and_both_values() {
    let a = Tensor::from_vec(vec![1.0, 2.0], &[2]).unwrap();
    let b = Tensor::from_vec(vec![0.5, -1.0, 2.0, 0.25], &[2, 2]).unwrap();
    let opts = GradcheckOptions::default();
    // Input 0 goes through correct operations; input 1 through the wrong one.
    let f = |v: &[Var<f64>]| triple_wrong(&v[1]).add(&v[0].unsqueeze(0).square());
    let err = gradcheck(f, &[a, b], &opts).expect_err("the backward rule is wrong");

    assert_eq!(err.input, 1);
    assert_eq!(err.index, vec![0, 1], "element [0, 0] is right; [0, 1] is the first wrong one");
    // gradcheck differentiates L = sum(f(x) * r) with weights r drawn from the
    // seed: the true derivative at [0, 1] is 3 r[0, 1], the rule gives 2 r[0, 1].
    let r = Tensor::<f64>::rand_uniform(&[2, 2], 0.5, 1.5, &mut seeded_rng(opts.seed)).get(&[0, 1]);
    assert!((err.numeric - 3.0 * r).abs() < 1e-8, "numeric {} vs 3 r = {}", err.numeric, 3.0 * r);
    assert!((err.analytic - 2.0 * r).abs() < 1e-12, "analytic {} vs 2 r = {}", err.analytic, 2.0 * r);

    let msg = err.to_string();
    assert!(msg.starts_with("gradient mismatch for input 1 at [0, 1]: "), "message: {msg}");
    assert!(msg.contains(&format!("analytic {:.9e}", err.analytic)), "message: {msg}");
    assert!(msg.contains(&format!("numeric {:.9e}", err.numeric)), "message: {msg}");
    assert!(msg.contains(&format!("difference {:.3e}", (err.analytic - err.numeric).abs())), "message: {msg}");
}

/// `y = x^2` whose backward `dx = 2 g x` is right, but computed from a frozen
/// copy of `x`: first derivatives pass, second derivatives are lost.
fn square_frozen_x(x: &Var<f64>) -> Var<f64> {
    Var::from_op(
        &SQUARE_FROZEN_X,
        &[x],
        || x.value().square(),
        |_, g, inputs| vec![Some(g.mul(&inputs[0].detach()).mul_scalar(2.0))],
    )
}

/// `y = x^2` whose backward is right in `x` but treats the incoming gradient
/// `g` as a constant: only a second derivative where `g` depends on `x` sees it.
fn square_frozen_g(x: &Var<f64>) -> Var<f64> {
    Var::from_op(
        &SQUARE_FROZEN_G,
        &[x],
        || x.value().square(),
        |_, g, inputs| vec![Some(g.detach().mul(&inputs[0]).mul_scalar(2.0))],
    )
}

#[test]
fn gradgradcheck_catches_a_backward_rule_that_is_not_differentiable() {
    let x = [Tensor::from_vec(vec![0.5, -1.5, 2.0], &[3]).unwrap()];
    let opts = GradcheckOptions::default();
    gradcheck(|v| square_frozen_x(&v[0]), &x, &opts).expect("first derivatives are right");
    let err = gradgradcheck(|v| square_frozen_x(&v[0]), &x, &opts).expect_err("second derivatives are lost");
    assert_eq!((err.input, err.index.clone(), err.analytic), (0, vec![0], 0.0));
    assert!(err.numeric.abs() > 0.5, "numeric second derivative {}", err.numeric);

    // Freezing g passes both plain checks; the f^2 step of check_op catches it.
    gradcheck(|v| square_frozen_g(&v[0]), &x, &opts).expect("first derivatives are right");
    gradgradcheck(|v| square_frozen_g(&v[0]), &x, &opts).expect("g is a constant here");
    let err = check_op("square_frozen_g", |v| square_frozen_g(&v[0]), &x).expect_err("f^2 exposes it");
    assert!(err.to_string().contains("gradgradcheck of f^2"), "{err}");
    check_op("square", |v| v[0].square(), &x).expect("the built-in square passes all three");
}
