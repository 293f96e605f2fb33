//! Batch, stochastic and minibatch gradient descent: update counts, and
//! chunked accumulation equal to one pass over the whole batch.

use approx::assert_relative_eq;
mod support;

use sinapse_autograd::Var;
use sinapse_optim::{accumulate_gradients, GdMode, Optimizer, Sgd, Update};
use sinapse_tensor::{seeded_rng, Tensor};
use support::{mse, Dense, Mlp};

#[test]
fn updates_per_epoch_of_each_regime() {
    let n = 1000;
    assert_eq!(GdMode::Batch.updates_per_epoch(n, false), 1);
    assert_eq!(GdMode::Stochastic.updates_per_epoch(n, false), 1000);
    assert_eq!(GdMode::Minibatch(64).updates_per_epoch(n, false), 16);
    assert_eq!(GdMode::Minibatch(64).updates_per_epoch(n, true), 15);
    assert_eq!(GdMode::Minibatch(100).updates_per_epoch(n, true), 10);
    assert_eq!(GdMode::Minibatch(2000).updates_per_epoch(n, false), 1);
    assert_eq!(GdMode::Minibatch(2000).updates_per_epoch(n, true), 0);
    assert_eq!(GdMode::Batch.updates_per_epoch(0, false), 0);

    let plan = GdMode::Minibatch(64).plan_epoch(n, false, 1000);
    assert_eq!(plan.len(), 16);
    assert_eq!(plan[15].examples, 960..1000, "the last batch is partial: 40 examples");
    assert!(plan.iter().all(|u| u.chunks == vec![u.examples.clone()]));
    assert_eq!(GdMode::Minibatch(64).plan_epoch(n, true, 1000).last().unwrap().examples, 896..960);
    let sgd = GdMode::Stochastic.plan_epoch(5, false, 10);
    assert_eq!(sgd.iter().map(|u| u.examples.clone()).collect::<Vec<_>>(), vec![0..1, 1..2, 2..3, 3..4, 4..5]);
}

#[test]
fn batch_mode_is_chunked_to_bound_memory() {
    let plan = GdMode::Batch.plan_epoch(1000, false, 300);
    assert_eq!(plan, vec![Update { examples: 0..1000, chunks: vec![0..300, 300..600, 600..900, 900..1000] }]);
    let mini = GdMode::Minibatch(128).plan_epoch(256, false, 50);
    assert_eq!(mini[1].chunks, vec![128..178, 178..228, 228..256]);
}

fn mlp(seed: u64) -> Mlp<f64> {
    Mlp::new(3, 6, 2, Var::tanh, seed)
}

#[test]
fn chunked_accumulation_equals_the_whole_batch() {
    let n = 10;
    let mut rng = seeded_rng(8);
    let x = Tensor::<f64>::rand_uniform(&[n, 3], -1.0, 1.0, &mut rng);
    let y = Tensor::<f64>::rand_uniform(&[n, 2], -1.0, 1.0, &mut rng);
    let loss_on = |m: &Mlp<f64>, r: std::ops::Range<usize>| {
        let xb = Var::constant(x.narrow(0, r.start, r.len()));
        mse(&m.forward(&xb), &y.narrow(0, r.start, r.len()))
    };

    let (mut whole, mut chunked) = (mlp(1), mlp(1));
    let full_loss = loss_on(&whole, 0..n);
    let full_value = full_loss.item();
    let full = full_loss.backward();
    // Uneven chunks: 3 + 3 + 3 + 1.
    let update = &GdMode::Batch.plan_epoch(n, false, 3)[0];
    assert_eq!(update.chunks.len(), 4);
    let (acc_value, acc) = accumulate_gradients(&update.chunks, |r| loss_on(&chunked, r));
    assert_relative_eq!(acc_value, full_value, max_relative = 1e-14);
    // Same seed, so same values; gradients are keyed by each model's own parameters.
    for ((name, p), (_, q)) in whole.parameters().into_iter().zip(chunked.parameters()) {
        let (a, b) = (full.get(p).unwrap().to_vec(), acc.get(q).unwrap().to_vec());
        for (u, v) in a.iter().zip(&b) {
            assert_relative_eq!(*u, *v, epsilon = 1e-15, max_relative = 1e-13);
        }
        assert!(a.iter().any(|&g| g != 0.0), "{name} has a gradient");
    }
    // One update from each gives the same parameters.
    Sgd::new(0.5).step_params(&mut whole.parameters_mut(), &full);
    Sgd::new(0.5).step_params(&mut chunked.parameters_mut(), &acc);
    for ((name, a), (_, b)) in whole.parameters().into_iter().zip(chunked.parameters()) {
        for (u, v) in a.value().to_vec().iter().zip(b.value().to_vec()) {
            assert_relative_eq!(*u, v, epsilon = 1e-15, max_relative = 1e-13);
        }
        assert_ne!(a.value().to_vec(), mlp(1).state_dict()[&name].to_vec());
    }
}

#[test]
fn every_regime_trains_a_linear_model() {
    // y = 2 x - 1 from 32 points: each regime brings the loss down.
    let mut rng = seeded_rng(4);
    let x = Tensor::<f64>::rand_uniform(&[32, 1], -1.0, 1.0, &mut rng);
    let y = x.mul_scalar(2.0).add_scalar(-1.0);
    for mode in [GdMode::Batch, GdMode::Stochastic, GdMode::Minibatch(8)] {
        let mut model = Dense::<f64>::random(1, 1, 0);
        let mut opt = Sgd::new(0.1);
        let eval = |m: &Dense<f64>| mse(&m.forward(&Var::constant(x.clone())), &y).item();
        let before = eval(&model);
        for _ in 0..30 {
            for update in mode.plan_epoch(32, false, 16) {
                let (_, g) = accumulate_gradients(&update.chunks, |r| {
                    let xb = Var::constant(x.narrow(0, r.start, r.len()));
                    mse(&model.forward(&xb), &y.narrow(0, r.start, r.len()))
                });
                opt.step_params(&mut model.parameters_mut(), &g);
            }
        }
        let after = eval(&model);
        assert!(after < 0.05 * before, "{mode:?}: loss {before} -> {after}");
    }
}
