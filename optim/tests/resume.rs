//! Saving and restoring optimizer state resumes a run exactly.

mod support;

use sinapse_autograd::Var;
use sinapse_optim::{
    Adagrad, Adam, Momentum, Optimizer, OptimizerState, OptimizerStateError, RmsProp, Sgd, WeightDecay,
};
use sinapse_tensor::{seeded_rng, Tensor};
use std::collections::BTreeMap;
use support::{mse, Mlp};

fn mlp() -> Mlp<f32> {
    Mlp::new(3, 5, 2, Var::relu, 17)
}

fn step(model: &mut Mlp<f32>, opt: &mut dyn Optimizer<f32>, i: u64) {
    let mut rng = seeded_rng(100 + i);
    let x = Var::constant(Tensor::rand_uniform(&[4, 3], -1.0, 1.0, &mut rng));
    let targets = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0], &[4, 2]).unwrap();
    let loss = mse(&model.forward(&x), &targets);
    let g = loss.backward();
    opt.step_params(&mut model.parameters_mut(), &g);
}

fn resume_is_exact(make: impl Fn() -> Box<dyn Optimizer<f32>>) {
    // Five uninterrupted steps.
    let (mut straight, mut opt) = (mlp(), make());
    for i in 0..5 {
        step(&mut straight, opt.as_mut(), i);
    }
    // Three steps; the state in the two plain maps a checkpoint file holds
    // (tensors and text metadata; sinapse-train writes them to disk); a
    // fresh model and optimizer restored from them; two more steps.
    let (mut tensors, mut metadata) = (BTreeMap::new(), BTreeMap::new());
    let saved_model = {
        let (mut model, mut opt) = (mlp(), make());
        for i in 0..3 {
            step(&mut model, opt.as_mut(), i);
        }
        opt.state_dict().save_to(&mut tensors, &mut metadata, "optimizer.");
        model.state_dict()
    };
    let mut model = mlp();
    model.load_state_dict(&saved_model);
    let mut opt = make();
    opt.load_state_dict(&OptimizerState::load_from(&tensors, &metadata, "optimizer.").unwrap()).unwrap();
    assert_eq!(opt.steps(), 3);
    for i in 3..5 {
        step(&mut model, opt.as_mut(), i);
    }
    for ((name, a), (_, b)) in straight.parameters().into_iter().zip(model.parameters()) {
        assert_eq!(a.value().to_vec(), b.value().to_vec(), "{name} differs after resuming");
    }
}

#[test]
fn adam_resumes_exactly() {
    resume_is_exact(|| Box::new(Adam::adamw(0.01, 0.1)));
}

#[test]
fn sgd_momentum_resumes_exactly() {
    resume_is_exact(|| Box::new(Sgd::new(0.1).momentum(Momentum::Nesterov(0.9)).weight_decay(WeightDecay::L2(1e-3))));
}

#[test]
fn state_names_follow_pytorch_buffers() {
    let mut model = mlp();
    let mut opt = Adam::new(1e-3);
    step(&mut model, &mut opt, 0);
    let state = opt.state_dict();
    assert_eq!(state.step, 1);
    assert_eq!(state.tensors.len(), 8);
    assert_eq!(state.tensors["0.weight.exp_avg"].shape(), &[5, 3]);
    assert_eq!(state.tensors["2.bias.exp_avg_sq"].shape(), &[2]);
}

#[test]
fn foreign_state_is_refused() {
    let mut model = mlp();
    let mut adam = Adam::new(1e-3);
    step(&mut model, &mut adam, 0);
    let mut sgd = Sgd::<f32>::new(0.1);
    let err = sgd.load_state_dict(&adam.state_dict()).unwrap_err();
    assert_eq!(err, OptimizerStateError::UnexpectedBuffer("0.bias.exp_avg".into()));
    assert_eq!(
        err.to_string(),
        "optimizer state: unexpected buffer '0.bias.exp_avg' (saved by another optimizer or configuration?)"
    );
    assert_eq!(
        OptimizerState::<f32>::load_from(&BTreeMap::new(), &BTreeMap::new(), "opt.").unwrap_err().to_string(),
        "optimizer state: checkpoint metadata lacks 'opt.step'"
    );
}

#[test]
fn rmsprop_and_adagrad_resume_exactly() {
    resume_is_exact(|| Box::new(RmsProp::new(0.01).weight_decay(WeightDecay::L2(0.01))));
    resume_is_exact(|| Box::new(Adagrad::new(0.05).initial_accumulator_value(0.1)));
}
