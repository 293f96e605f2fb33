//! Adam and AdamW against the published update written out step by step.
//!
//! One weight `w` and one bias `b`, loss `L = 1/2 (w^2 + b^2)`, so `g = p`.

mod support;

use approx::assert_relative_eq;
use sinapse_optim::{Adam, Optimizer, ParamGroup, WeightDecay};
use sinapse_tensor::Tensor;
use support::Dense;

const LR: f64 = 0.1;
const B1: f64 = 0.9;
const B2: f64 = 0.999;
const EPS: f64 = 1e-8;

fn layer(w: f64, b: f64) -> Dense<f64> {
    Dense::from_parts(Tensor::from_vec(vec![w], &[1, 1]).unwrap(), Tensor::from_vec(vec![b], &[1]).unwrap())
}

fn train(mut opt: Adam<f64>, steps: usize) -> (f64, f64) {
    let mut m = layer(1.0, -0.5);
    for _ in 0..steps {
        let loss = m.weight().square().sum_all().add(&m.bias().square().sum_all()).mul_scalar(0.5);
        let g = loss.backward();
        opt.step_params(&mut m.parameters_mut(), &g);
    }
    (m.weight().value().item(), m.bias().value().item())
}

/// Two steps of Adam on one scalar with `g = p + l2 p`, and decoupled decay `wd`.
fn two_steps_by_hand(p0: f64, l2: f64, wd: f64) -> [f64; 2] {
    // Step 1.
    let g1 = p0 + l2 * p0;
    let m1 = (1.0 - B1) * g1;
    let v1 = (1.0 - B2) * g1 * g1;
    let (mh1, vh1) = (m1 / (1.0 - B1), v1 / (1.0 - B2));
    let p1 = p0 * (1.0 - LR * wd) - LR * mh1 / (vh1.sqrt() + EPS);
    // Step 2.
    let g2 = p1 + l2 * p1;
    let m2 = B1 * m1 + (1.0 - B1) * g2;
    let v2 = B2 * v1 + (1.0 - B2) * g2 * g2;
    let (mh2, vh2) = (m2 / (1.0 - B1 * B1), v2 / (1.0 - B2 * B2));
    let p2 = p1 * (1.0 - LR * wd) - LR * mh2 / (vh2.sqrt() + EPS);
    [p1, p2]
}

#[test]
fn adam_first_step_moves_by_the_learning_rate() {
    // Bias correction makes m_hat = g and v_hat = g^2 at step 1:
    // p1 = p0 - lr g / (|g| + eps) = 1 - 0.1 (up to eps).
    let (w, b) = train(Adam::new(LR), 1);
    assert_relative_eq!(w, 0.9, epsilon = 1e-8);
    assert_relative_eq!(b, -0.4, epsilon = 1e-8);
}

#[test]
fn adam_matches_the_formula() {
    for (steps, idx) in [(1, 0), (2, 1)] {
        let (w, b) = train(Adam::new(LR), steps);
        assert_relative_eq!(w, two_steps_by_hand(1.0, 0.0, 0.0)[idx], max_relative = 1e-14);
        assert_relative_eq!(b, two_steps_by_hand(-0.5, 0.0, 0.0)[idx], max_relative = 1e-14);
    }
}

/// A group holding the layer's weight alone, with `decay`.
fn weight_only(decay: WeightDecay) -> ParamGroup {
    ParamGroup::new(["weight"]).weight_decay(decay)
}

#[test]
fn adamw_decays_outside_the_moments() {
    let wd = 0.2;
    // AdamW's decay covers every parameter, biases too (PyTorch's default).
    let (w, b) = train(Adam::adamw(LR, wd), 2);
    assert_relative_eq!(w, two_steps_by_hand(1.0, 0.0, wd)[1], max_relative = 1e-14);
    assert_relative_eq!(b, two_steps_by_hand(-0.5, 0.0, wd)[1], max_relative = 1e-14);
    // With the weight in a group, the bias is left alone.
    let (w, b) = train(Adam::new(LR).group(weight_only(WeightDecay::Decoupled(wd))), 2);
    assert_relative_eq!(w, two_steps_by_hand(1.0, 0.0, wd)[1], max_relative = 1e-14);
    assert_relative_eq!(b, two_steps_by_hand(-0.5, 0.0, 0.0)[1], max_relative = 1e-14);
}

#[test]
fn adam_with_l2_puts_the_penalty_in_the_gradient() {
    let lambda = 0.2;
    let (w, b) = train(Adam::new(LR).group(weight_only(WeightDecay::L2(lambda))), 2);
    assert_relative_eq!(w, two_steps_by_hand(1.0, lambda, 0.0)[1], max_relative = 1e-14);
    assert_relative_eq!(b, two_steps_by_hand(-0.5, 0.0, 0.0)[1], max_relative = 1e-14);
    // L2 and decoupled decay give different weights (Adam rescales the L2 term).
    let (w_decoupled, _) = train(Adam::adamw(LR, lambda), 2);
    assert!((w - w_decoupled).abs() > 1e-3, "{w} vs {w_decoupled}");
}

#[test]
fn custom_betas_and_eps() {
    let (w, _) = train(Adam::new(LR).betas(0.5, 0.9).eps(1e-3), 1);
    // Step 1 is still m_hat = g = 1, v_hat = 1: w = 1 - 0.1 / (1 + 1e-3).
    assert_relative_eq!(w, 1.0 - 0.1 / 1.001, max_relative = 1e-15);
}
