//! Variables and gradients cross threads: a model's parameters can be shared
//! by threads that each run their own forward and backward pass.

use sinapse_autograd::{is_grad_enabled, no_grad, Gradients, Var};
use sinapse_tensor::{seeded_rng, Tensor};

// Compile-time check: this file does not build if `Var` or `Gradients`
// stop being `Send + Sync`.
const _: () = {
    fn send_sync<T: Send + Sync>() {}
    let _ = send_sync::<Var<f32>>;
    let _ = send_sync::<Var<f64>>;
    let _ = send_sync::<Gradients<f32>>;
    let _ = send_sync::<Gradients<f64>>;
};

/// Mean squared error of a linear model `x W + b` against `y`.
fn loss(w: &Var<f64>, b: &Var<f64>, x: &Tensor<f64>, y: &Tensor<f64>) -> Var<f64> {
    Var::constant(x.clone()).matmul(w).add(b).sub(&Var::constant(y.clone())).square().mean_all()
}

#[test]
fn parameters_are_used_from_other_threads() {
    let mut rng = seeded_rng(3);
    let w = Var::parameter(Tensor::<f64>::rand_uniform(&[3, 2], -1.0, 1.0, &mut rng), "w");
    let b = Var::parameter(Tensor::<f64>::rand_uniform(&[2], -1.0, 1.0, &mut rng), "b");
    let batches: Vec<(Tensor<f64>, Tensor<f64>)> = (0..4)
        .map(|_| {
            (Tensor::rand_uniform(&[5, 3], -1.0, 1.0, &mut rng), Tensor::rand_uniform(&[5, 2], -1.0, 1.0, &mut rng))
        })
        .collect();

    // Each thread computes the gradients of its own batch; the main thread
    // meanwhile has recording off, which must not affect the others.
    let _off = sinapse_autograd::NoGradGuard::new();
    let from_threads: Vec<(Vec<f64>, Vec<f64>)> = std::thread::scope(|s| {
        let handles: Vec<_> = batches
            .iter()
            .map(|(x, y)| {
                let (w, b) = (&w, &b);
                s.spawn(move || {
                    assert!(is_grad_enabled(), "recording is per thread");
                    let grads: Gradients<f64> = loss(w, b, x, y).backward();
                    (grads.get(w).unwrap().to_vec(), grads.get(b).unwrap().to_vec())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    drop(_off);
    assert!(no_grad(|| !is_grad_enabled()) && is_grad_enabled());

    for ((x, y), (gw, gb)) in batches.iter().zip(&from_threads) {
        let grads = loss(&w, &b, x, y).backward();
        assert_eq!(&grads.get(&w).unwrap().to_vec(), gw);
        assert_eq!(&grads.get(&b).unwrap().to_vec(), gb);
    }
    // Different batches give different gradients (the threads did not all
    // compute the same thing).
    assert_ne!(from_threads[0].0, from_threads[1].0);
}
