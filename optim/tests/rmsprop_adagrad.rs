//! RMSprop and Adagrad on f(w) = w^2 from w = 1, against trajectories worked
//! out by hand from their update rules.

use sinapse_autograd::Var;
use sinapse_optim::{Adagrad, Optimizer, RmsProp, WeightDecay};
use sinapse_tensor::Tensor;

/// Three steps of `opt` on `f(w) = w^2` (gradient `2w`) from `w = 1`.
fn three_steps(opt: &mut dyn Optimizer<f64>) -> Vec<f64> {
    let mut w = Var::parameter(Tensor::from_vec(vec![1.0], &[1, 1]).unwrap(), "w");
    (0..3)
        .map(|_| {
            let grads = w.square().sum_all().backward();
            opt.step_params(&mut [("w".to_string(), &mut w)], &grads);
            w.value().to_vec()[0]
        })
        .collect()
}

fn assert_close(got: &[f64], want: &[f64]) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "got {got:?}, want {want:?}");
    }
}

#[test]
fn adagrad_three_steps_by_hand() {
    // lr 0.1, s starts at 0:
    // g = 2,          s = 4,                   w = 1   - 0.1 * 2 / 2             = 0.9
    // g = 1.8,        s = 4 + 3.24 = 7.24,     w = 0.9 - 0.1 * 1.8 / sqrt(7.24)  = 0.8331035268
    // g = 1.66620705, s = 7.24 + 2.77624594,   w = 0.8331035268 - 0.1 * 1.66620705 / sqrt(10.01624594) = 0.7804561814
    let got = three_steps(&mut Adagrad::new(0.1));
    assert_close(&got, &[0.9, 0.8331035268, 0.7804561814]);
}

#[test]
fn rmsprop_three_steps_by_hand() {
    // lr 0.01, alpha 0.9, v starts at 0:
    // g = 2,    v = 0.1 * 4 = 0.4,   w = 1 - 0.01 * 2 / sqrt(0.4) = 0.9683772239
    // then v = 0.9 v + 0.1 g^2 each step: w = 0.9457880255, 0.9270530987
    let got = three_steps(&mut RmsProp::new(0.01).alpha(0.9));
    assert_close(&got, &[0.9683772239, 0.9457880255, 0.9270530987]);
}

#[test]
fn adagrad_starting_sum_and_decoupled_decay() {
    // Sum starting at 0.1, decoupled decay 0.5 (w shrinks by 1 - lr wd = 0.95 first):
    // g = 2, s = 4.1, w = 1 * 0.95 - 0.1 * 2 / sqrt(4.1) = 0.8512272...
    let mut opt = Adagrad::new(0.1).initial_accumulator_value(0.1).weight_decay(WeightDecay::Decoupled(0.5));
    let got = three_steps(&mut opt);
    let first = 0.95 - 0.2 / (4.1f64.sqrt() + 1e-10);
    assert!((got[0] - first).abs() < 1e-12, "{got:?} vs {first}");
    assert_eq!(opt.steps(), 3);
    assert_eq!(opt.state_dict().tensors.keys().collect::<Vec<_>>(), ["w.sum"]);
}
