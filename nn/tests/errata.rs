//! Where Sinapse reads the course text differently (the guide's "Errata"
//! section): each slip's corrected formula, checked on the code.

use sinapse_autograd::{hessian, Var};
use sinapse_nn::loss::{cross_entropy, cross_entropy_with_probs, one_hot};
use sinapse_nn::{Init, Linear, Module, Reduction, Sequential, Sigmoid};
use sinapse_tensor::{seeded_rng, Tensor};

/// Example 2: `f(t) = 1 - t^2` has its critical point at `t* = 0`
/// (`f'(0) = 0`), and its Hessian there is `[[-2]]`, negative definite: a
/// maximum, not a minimum.
#[test]
fn errata_course_example_2_critical_point_is_a_maximum_not_a_minimum() {
    let f = |t: &Var<f64>| t.square().rsub_scalar(1.0).sum_all();
    let at = |t: f64| Tensor::from_vec(vec![t], &[1]).unwrap();
    let gradient = sinapse_autograd::jacobian(f, &at(0.0));
    assert_eq!(gradient.to_vec(), [0.0], "t* = 0 is a critical point");
    let h = hessian(f, &at(0.0));
    assert_eq!(h.to_vec(), [-2.0]);
    // Around it f is lower on both sides.
    let value = |t: f64| 1.0 - t * t;
    assert!(value(-0.1) < value(0.0) && value(0.1) < value(0.0));
}

/// A dense layer from `n` inputs to `m` outputs has `m (n + 1)` parameters
/// (an `m x n` weight and `m` biases), not `n (m + 1)`: 7,850 for 784 -> 10.
#[test]
fn errata_course_dense_layer_has_m_times_n_plus_1_parameters() {
    let mut rng = seeded_rng(0);
    for (n, m) in [(784, 10), (10, 784), (3, 5)] {
        let layer = Linear::<f32>::new(n, m, &mut rng);
        assert_eq!(layer.num_parameters(), m * (n + 1), "{n} -> {m}");
    }
    assert_eq!(Linear::<f32>::new(784, 10, &mut rng).num_parameters(), 7_850);
    assert_ne!(7_850, 784 * (10 + 1), "the other count, 8,624, is the layer 10 -> 784");
}

/// The perceptron's output is `y_hat = phi(v)` with `v = W x + b`: the bias
/// goes inside the activation, not `phi(W x) + b`.
#[test]
fn errata_course_perceptron_output_is_phi_of_wx_plus_b() {
    let mut rng = seeded_rng(1);
    // Non-zero biases, or the two readings would agree.
    let layer = Linear::<f64>::builder(4, 3).bias_init(Init::Uniform { limit: 1.0 }).build(&mut rng);
    let params = layer.parameters();
    let (w, b) = (params[0].1.value().clone(), params[1].1.value().clone());
    let x = Tensor::<f64>::rand_uniform(&[2, 4], 0.0, 1.0, &mut rng);
    let net = Sequential::new().add(layer).add(Sigmoid);
    let y_hat = net.forward(&Var::constant(x.clone())).value().to_vec();
    let v = x.matmul(&w.t()).add(&b);
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let inside: Vec<f64> = v.to_vec().into_iter().map(sigmoid).collect();
    let outside: Vec<f64> = x.matmul(&w.t()).map(sigmoid).add(&b).to_vec();
    for (k, (y, e)) in y_hat.iter().zip(&inside).enumerate() {
        assert!((y - e).abs() < 1e-15, "output {k}: {y} vs phi(Wx + b) = {e}");
    }
    assert!(y_hat.iter().zip(&outside).any(|(y, o)| (y - o).abs() > 1e-3), "phi(Wx) + b is another model");
}

/// The cross-entropy is `L = -sum_k y_k log y_hat_k`, one minus sign: for a
/// one-hot `y` it is `-log y_hat_true`, positive, and zero only for a sure
/// right answer.
#[test]
fn errata_course_cross_entropy_has_one_minus_sign() {
    // Logits whose softmax is (0.1, 0.7, 0.2).
    let probs = [0.1f64, 0.7, 0.2];
    let z = Var::constant(Tensor::from_vec(probs.iter().map(|p| p.ln()).collect(), &[1, 3]).unwrap());
    for (true_class, p) in probs.iter().enumerate() {
        let l = cross_entropy(&z, &[true_class], Reduction::Mean).item();
        let expected = -p.ln();
        assert!((l - expected).abs() < 1e-15, "class {true_class}: {l} vs -log {p}");
        assert!(l > 0.0);
        let with_probs = cross_entropy_with_probs(&z, &one_hot(&[true_class], 3), Reduction::Mean).item();
        assert!((with_probs - expected).abs() < 1e-15);
    }
}

/// The minibatch gradient is the mean of the per-example gradients over
/// the `B` examples of the batch: `(1/B) sum_{b in batch}`, not `1/N` with
/// `N` the size of the training set.
#[test]
fn errata_course_minibatch_gradient_divides_by_batch_size_b_not_n() {
    let (n_train, batch) = (64, 8);
    let mut rng = seeded_rng(2);
    let x = Tensor::<f64>::rand_uniform(&[n_train, 5], -1.0, 1.0, &mut rng);
    let classes: Vec<usize> = (0..n_train).map(|i| (i * 7) % 3).collect();
    let layer = Linear::<f64>::new(5, 3, &mut rng);
    let w = layer.parameters()[0].1.clone();
    let grad = |rows: std::ops::Range<usize>, reduction| {
        let xb = Var::constant(x.narrow(0, rows.start, rows.len()));
        cross_entropy(&layer.forward(&xb), &classes[rows], reduction).backward().get(&w).unwrap().clone()
    };
    // The first minibatch: examples 0..8.
    let minibatch = grad(0..batch, Reduction::Mean);
    let per_example_sum =
        (0..batch).fold(Tensor::zeros(&[3, 5]), |acc: Tensor<f64>, i| acc.add(&grad(i..i + 1, Reduction::Sum)));
    let mean_over_b = per_example_sum.mul_scalar(1.0 / batch as f64);
    for (a, e) in minibatch.to_vec().iter().zip(mean_over_b.to_vec()) {
        assert!((a - e).abs() < 1e-15, "{a} vs {e}");
    }
    let over_n = per_example_sum.mul_scalar(1.0 / n_train as f64);
    let ratio = minibatch.abs().max_all() / over_n.abs().max_all();
    assert!((ratio - (n_train / batch) as f64).abs() < 1e-9, "1/N would shrink the step {ratio} times");
}
