//! SGD updates against steps computed by hand.
//!
//! The loss is `L = 1/2 sum ||p||^2` over every parameter, so `g = p` and each
//! step multiplies a parameter by a factor computed below by hand.

mod support;

use approx::assert_relative_eq;
use sinapse_autograd::{Gradients, Var};
use sinapse_optim::{clip_grad_norm, grad_norm, l2_penalty, Momentum, Optimizer, ParamGroup, Sgd, WeightDecay};
use sinapse_tensor::{seeded_rng, Tensor};
use support::{mse, Dense, Mlp};

const W0: [f64; 2] = [1.0, -2.0];
const B0: f64 = 0.5;

fn layer() -> Dense<f64> {
    Dense::from_parts(Tensor::from_vec(W0.to_vec(), &[1, 2]).unwrap(), Tensor::from_vec(vec![B0], &[1]).unwrap())
}

fn half_square_grads(m: &Dense<f64>) -> Gradients<f64> {
    let mut loss = Var::constant(Tensor::scalar(0.0));
    for (_, p) in m.parameters() {
        loss = loss.add(&p.square().sum_all().mul_scalar(0.5));
    }
    loss.backward()
}

/// Runs `steps` updates and checks `w = wf * W0`, `b = bf * B0`.
fn run(mut opt: Sgd<f64>, steps: usize, wf: f64, bf: f64) {
    let mut m = layer();
    for _ in 0..steps {
        let g = half_square_grads(&m);
        opt.step_params(&mut m.parameters_mut(), &g);
    }
    let w = m.weight().value().to_vec();
    assert_relative_eq!(w[0], wf * W0[0], epsilon = 1e-14);
    assert_relative_eq!(w[1], wf * W0[1], epsilon = 1e-14);
    assert_relative_eq!(m.bias().value().item(), bf * B0, epsilon = 1e-14);
    assert_eq!(opt.steps(), steps as u64);
}

#[test]
fn plain_sgd() {
    // p1 = p0 - 0.1 p0 = 0.9 p0; p2 = 0.81 p0.
    run(Sgd::new(0.1), 1, 0.9, 0.9);
    run(Sgd::new(0.1), 2, 0.81, 0.81);
}

#[test]
fn classic_momentum() {
    // lr 0.1, mu 0.9. v1 = p0, p1 = 0.9 p0; v2 = 0.9 p0 + 0.9 p0 = 1.8 p0,
    // p2 = 0.9 p0 - 0.18 p0 = 0.72 p0; v3 = 1.62 p0 + 0.72 p0 = 2.34 p0,
    // p3 = 0.72 p0 - 0.234 p0 = 0.486 p0.
    let opt = || Sgd::new(0.1).momentum(Momentum::Classic(0.9));
    run(opt(), 1, 0.9, 0.9);
    run(opt(), 2, 0.72, 0.72);
    run(opt(), 3, 0.486, 0.486);
}

#[test]
fn nesterov_momentum() {
    // v1 = p0, d = p0 + 0.9 p0, p1 = p0 - 0.19 p0 = 0.81 p0;
    // v2 = 0.9 p0 + 0.81 p0 = 1.71 p0, d = 0.81 p0 + 1.539 p0 = 2.349 p0,
    // p2 = 0.81 p0 - 0.2349 p0 = 0.5751 p0;
    // v3 = 1.539 p0 + 0.5751 p0 = 2.1141 p0, d = 0.5751 p0 + 1.90269 p0 = 2.47779 p0,
    // p3 = 0.5751 p0 - 0.247779 p0 = 0.327321 p0.
    let opt = || Sgd::new(0.1).momentum(Momentum::Nesterov(0.9));
    run(opt(), 1, 0.81, 0.81);
    run(opt(), 2, 0.5751, 0.5751);
    run(opt(), 3, 0.327321, 0.327321);
}

/// A group holding the layer's weight alone, with `decay`.
fn weight_only(decay: WeightDecay) -> ParamGroup {
    ParamGroup::new(["weight"]).weight_decay(decay)
}

#[test]
fn l2_and_decoupled_decay_differ_under_momentum_and_spare_biases() {
    // lr 0.1, mu 0.9, lambda = wd = 0.5.
    // L2: g' = 1.5 w. v1 = 1.5 w0, w1 = 0.85 w0; g2' = 1.275 w0,
    //     v2 = 1.35 w0 + 1.275 w0 = 2.625 w0, w2 = 0.85 w0 - 0.2625 w0 = 0.5875 w0.
    // Decoupled: v1 = w0, w1 = w0 - 0.1 w0 - 0.05 w0 = 0.85 w0; v2 = 0.9 w0 + 0.85 w0 = 1.75 w0,
    //     w2 = 0.85 w0 - 0.175 w0 - 0.0425 w0 = 0.6325 w0.
    // Biases, outside the group, follow plain momentum: 0.72 b0 after two steps.
    let mom = Momentum::Classic(0.9);
    run(Sgd::new(0.1).momentum(mom).group(weight_only(WeightDecay::L2(0.5))), 2, 0.5875, 0.72);
    run(Sgd::new(0.1).momentum(mom).group(weight_only(WeightDecay::Decoupled(0.5))), 2, 0.6325, 0.72);
    // Without momentum both are w1 = w0 - 0.1 (w0 + 0.5 w0) = 0.85 w0.
    run(Sgd::new(0.1).group(weight_only(WeightDecay::L2(0.5))), 1, 0.85, 0.9);
    run(Sgd::new(0.1).group(weight_only(WeightDecay::Decoupled(0.5))), 1, 0.85, 0.9);
    // The optimizer's own decay covers every parameter outside a group,
    // biases included, as in PyTorch.
    run(Sgd::new(0.1).weight_decay(WeightDecay::L2(0.5)), 1, 0.85, 0.85);
    // A group overrides the default for its members.
    run(Sgd::new(0.1).weight_decay(WeightDecay::L2(0.5)).group(weight_only(WeightDecay::None)), 1, 0.9, 0.85);
}

#[test]
#[should_panic(
    expected = "Sgd: parameter group names 'wieght', which is not among the parameters [\"weight\", \"bias\"]"
)]
fn a_group_naming_no_parameter_panics_at_the_step() {
    run(Sgd::new(0.1).group(ParamGroup::new(["wieght"]).weight_decay(WeightDecay::L2(0.5))), 1, 0.85, 0.9);
}

#[test]
#[should_panic(expected = "parameter groups: 'weight' is in two groups")]
fn a_parameter_in_two_groups_panics() {
    let _ = Sgd::<f64>::new(0.1).group(weight_only(WeightDecay::L2(0.1))).group(weight_only(WeightDecay::L2(0.2)));
}

fn mlp(seed: u64) -> Mlp<f64> {
    Mlp::new(3, 4, 2, Var::tanh, seed)
}

#[test]
fn l2_option_equals_l2_penalty_on_the_loss() {
    let mut rng = seeded_rng(5);
    let x = Var::constant(Tensor::<f64>::rand_uniform(&[8, 3], -1.0, 1.0, &mut rng));
    let y = Tensor::<f64>::rand_uniform(&[8, 2], -1.0, 1.0, &mut rng);
    let lambda = 0.3;
    for momentum in [Momentum::None, Momentum::Classic(0.8), Momentum::Nesterov(0.8)] {
        let (mut a, mut b) = (mlp(1), mlp(1));
        let mut opt_a = Sgd::new(0.2).momentum(momentum);
        let weights = ParamGroup::new(b.weight_names()).weight_decay(WeightDecay::L2(lambda));
        let mut opt_b = Sgd::new(0.2).momentum(momentum).group(weights);
        for _ in 0..4 {
            let la = mse(&a.forward(&x), &y).add(&l2_penalty(&a.weights(), lambda));
            let ga = la.backward();
            opt_a.step_params(&mut a.parameters_mut(), &ga);
            let gb = mse(&b.forward(&x), &y).backward();
            opt_b.step_params(&mut b.parameters_mut(), &gb);
        }
        for ((name, pa), (_, pb)) in a.parameters().into_iter().zip(b.parameters()) {
            for (u, v) in pa.value().to_vec().iter().zip(pb.value().to_vec()) {
                assert_relative_eq!(*u, v, epsilon = 1e-13, max_relative = 1e-12);
            }
            assert_ne!(pa.value().to_vec(), mlp(1).state_dict()[&name].to_vec(), "{name} moved");
        }
    }
    // The penalty by hand: lambda/2 (||W1||^2 + ||W2||^2), biases excluded.
    let m = mlp(1);
    let sq = |n: &str| m.state_dict()[n].to_vec().iter().map(|v| v * v).sum::<f64>();
    assert_relative_eq!(
        l2_penalty(&m.weights(), lambda).item(),
        lambda / 2.0 * (sq("0.weight") + sq("2.weight")),
        epsilon = 1e-14
    );
}

#[test]
fn parameters_without_gradients_are_skipped() {
    let mut a = Var::parameter(Tensor::<f64>::ones(&[2, 2]), "a");
    let mut b = Var::parameter(Tensor::<f64>::ones(&[2, 2]), "b");
    let grads = a.sum_all().backward();
    let mut opt = Sgd::new(0.5).momentum(Momentum::Classic(0.9));
    opt.step_params(&mut [("a".to_string(), &mut a), ("b".to_string(), &mut b)], &grads);
    assert_eq!(a.value().to_vec(), vec![0.5; 4]);
    assert_eq!(b.value().to_vec(), vec![1.0; 4]);
    let state = opt.state_dict();
    assert_eq!(state.tensors.keys().collect::<Vec<_>>(), ["a.momentum_buffer"]);
}

#[test]
fn clipping_by_global_norm() {
    // L = 3 w1 + 0 w2 + 4 b: gradients [3, 0] and [4], global norm 5.
    let m = layer();
    let c = Var::constant(Tensor::from_vec(vec![3.0, 0.0], &[1, 2]).unwrap());
    let loss = m.weight().mul(&c).sum_all().add(&m.bias().mul_scalar(4.0).sum_all());
    let mut grads = loss.backward();
    assert_relative_eq!(grad_norm(&grads), 5.0);
    assert_relative_eq!(clip_grad_norm(&mut grads, 10.0), 5.0);
    assert_eq!(grads.get(m.weight()).unwrap().to_vec(), vec![3.0, 0.0], "below the limit nothing changes");
    assert_relative_eq!(clip_grad_norm(&mut grads, 1.0), 5.0);
    assert_relative_eq!(grad_norm(&grads), 1.0, epsilon = 1e-6);
    assert_relative_eq!(grads.get(m.bias()).unwrap().item(), 4.0 / (5.0 + 1e-6), epsilon = 1e-15);
}
