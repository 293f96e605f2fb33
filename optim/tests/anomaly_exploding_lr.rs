//! Anomaly mode catches a run whose learning rate is far too large: the
//! weights grow until an operation overflows, and the first non-finite value
//! stops training with the operation's name and where it was called.

use sinapse_autograd::detect_anomaly;
mod support;

use sinapse_autograd::Var;
use sinapse_optim::{Optimizer, Sgd};
use sinapse_tensor::{seeded_rng, Tensor};
use support::{mse, Dense};

fn panic_message(f: impl FnOnce()) -> Option<String> {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).err()?;
    Some(
        err.downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    )
}

fn train(lr: f64, steps: usize) -> Vec<f32> {
    let mut rng = seeded_rng(3);
    let mut model = Dense::<f32>::random(8, 1, 2);
    let x = Tensor::<f32>::rand_normal(&[32, 8], 0.0, 3.0, &mut rng);
    let y = Tensor::<f32>::rand_normal(&[32, 1], 0.0, 3.0, &mut rng);
    let mut opt = Sgd::new(lr);
    let mut losses = Vec::new();
    for _ in 0..steps {
        let loss = mse(&model.forward(&Var::constant(x.clone())), &y);
        losses.push(loss.item());
        let grads = loss.backward();
        opt.step_params(&mut model.parameters_mut(), &grads);
    }
    losses
}

#[test]
fn an_exploding_learning_rate_is_stopped_at_the_first_non_finite_value() {
    // Without anomaly mode the run silently ends in NaN/inf losses...
    let losses = train(10.0, 200);
    assert!(losses.iter().any(|l| !l.is_finite()), "lr 10 should diverge: {losses:?}");
    // ...with it, the first non-finite value stops the run and says where.
    let message = panic_message(|| {
        detect_anomaly(|| train(10.0, 200));
    })
    .expect("anomaly mode must stop a diverging run");
    assert!(message.starts_with("anomaly: "), "{message}");
    assert!(message.contains("non-finite") || message.contains("not finite"), "{message}");
    assert!(message.contains("called at"), "{message}");
    assert!(message.contains(".rs:"), "the message names a source line: {message}");
    assert!(message.contains("inputs"), "{message}");
}

#[test]
fn a_sensible_learning_rate_runs_clean_under_anomaly_mode() {
    let losses = detect_anomaly(|| train(0.01, 50));
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(losses.last() < losses.first());
}
