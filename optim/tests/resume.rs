//! Saving and restoring optimizer state resumes a run exactly.

use sinapse_nn::prelude::*;
use sinapse_optim::{
    Adagrad, Adam, Momentum, Optimizer, OptimizerState, OptimizerStateError, RmsProp, Sgd, WeightDecay,
};
use sinapse_tensor::{seeded_rng, Tensor};

fn mlp() -> Sequential<f32> {
    let mut rng = seeded_rng(17);
    Sequential::new().add(Linear::new(3, 5, &mut rng)).add(ReLU).add(Linear::new(5, 2, &mut rng))
}

fn step(model: &mut Sequential<f32>, opt: &mut dyn Optimizer<f32>, i: u64) {
    let mut rng = seeded_rng(100 + i);
    let x = Var::constant(Tensor::rand_uniform(&[4, 3], -1.0, 1.0, &mut rng));
    let loss = cross_entropy(&model.forward(&x), &[0, 1, 1, 0], Reduction::Mean);
    let g = loss.backward();
    opt.step_params(&mut model.parameters_mut(), &g);
}

fn resume_is_exact(make: impl Fn() -> Box<dyn Optimizer<f32>>) {
    // Five uninterrupted steps.
    let (mut straight, mut opt) = (mlp(), make());
    for i in 0..5 {
        step(&mut straight, opt.as_mut(), i);
    }
    // Three steps, a checkpoint on disk, a fresh process, two more steps.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.safetensors");
    {
        let (mut model, mut opt) = (mlp(), make());
        for i in 0..3 {
            step(&mut model, opt.as_mut(), i);
        }
        let mut ckpt = Checkpoint::new();
        ckpt.insert_prefixed("model.", model.state_dict());
        opt.state_dict().save_to(&mut ckpt.tensors, &mut ckpt.metadata, "optimizer.");
        ckpt.metadata.insert("epoch".into(), "3".into());
        ckpt.save(&path).unwrap();
    }
    let ckpt = Checkpoint::<f32>::load(&path).unwrap();
    let mut model = mlp();
    model.load_state_dict(&ckpt.prefixed("model.")).unwrap();
    let mut opt = make();
    opt.load_state_dict(&OptimizerState::load_from(&ckpt.tensors, &ckpt.metadata, "optimizer.").unwrap()).unwrap();
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
    let empty = Checkpoint::<f32>::new();
    assert_eq!(
        OptimizerState::load_from(&empty.tensors, &empty.metadata, "opt.").unwrap_err().to_string(),
        "optimizer state: checkpoint metadata lacks 'opt.step'"
    );
}

#[test]
fn rmsprop_and_adagrad_resume_exactly() {
    resume_is_exact(|| Box::new(RmsProp::new(0.01).weight_decay(WeightDecay::L2(0.01))));
    resume_is_exact(|| Box::new(Adagrad::new(0.05).initial_accumulator_value(0.1)));
}
