//! The course's squared error `E = (1/B) sum_b 1/2 ||y_b - y_hat_b||^2`:
//! its value by hand, its relation to `mse` and to the L2 strength, and its
//! first and second derivatives against finite differences on random shapes
//! and strided layouts.

use approx::assert_relative_eq;
use proptest::prelude::*;
use sinapse_autograd::{gradcheck, gradgradcheck, Var};
use sinapse_nn::loss::{half_squared_error, mse};
use sinapse_nn::{Init, Linear, Loss, Module, Reduction};
use sinapse_tensor::{seeded_rng, Tensor};

fn t(data: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), shape).unwrap()
}

/// The course item: `1/2 ||y - y_hat||^2` per example, summed over the
/// classes, then averaged over the batch (or summed with `Reduction::Sum`).
#[test]
fn squared_error_course_half_norm_per_example_averaged_over_the_batch() {
    // Example 0: y_hat - y = (1, -2, 0) -> 1/2 (1 + 4) = 2.5.
    // Example 1: y_hat - y = (0.5, 0, 3) -> 1/2 (0.25 + 9) = 4.625.
    let y_hat = Var::new(t(&[2.0, 0.0, 1.0, 1.5, 3.0, 4.0], &[2, 3]));
    let y = t(&[1.0, 2.0, 1.0, 1.0, 3.0, 1.0], &[2, 3]);
    let mean = half_squared_error(&y_hat, &y, Reduction::Mean);
    assert_eq!(mean.item(), (2.5 + 4.625) / 2.0);
    assert_eq!(half_squared_error(&y_hat, &y, Reduction::Sum).item(), 2.5 + 4.625);
    assert_eq!(Loss::HalfSquaredError.compute(&y_hat, &y).item(), mean.item());
    // dE/dy_hat = (y_hat - y) / B: the course's y_hat - y, averaged.
    let g = mean.backward();
    assert_eq!(g.get(&y_hat).unwrap().to_vec(), [0.5, -1.0, 0.0, 0.25, 0.0, 1.5]);

    // One output per example ([B]) and a single example ([]).
    let v = Var::new(t(&[3.0, -1.0], &[2]));
    assert_eq!(half_squared_error(&v, &t(&[1.0, 0.0], &[2]), Reduction::Mean).item(), (2.0 + 0.5) / 2.0);
    let s = Var::new(Tensor::scalar(4.0));
    assert_eq!(half_squared_error(&s, &Tensor::scalar(1.0), Reduction::Mean).item(), 4.5);
}

#[test]
fn mse_is_two_over_k_times_the_course_error() {
    let mut rng = seeded_rng(5);
    for (b, k) in [(1, 1), (7, 1), (3, 10), (64, 10)] {
        let y_hat = Var::new(Tensor::<f64>::rand_uniform(&[b, k], -1.0, 2.0, &mut rng));
        let y = Tensor::<f64>::rand_uniform(&[b, k], 0.0, 1.0, &mut rng);
        let e = half_squared_error(&y_hat, &y, Reduction::Mean).item();
        let m = mse(&y_hat, &y, Reduction::Mean).item();
        assert_relative_eq!(m, 2.0 / k as f64 * e, max_relative = 1e-14);
    }
}

/// The L2 strength that gives the same update under the two losses: the
/// gradient of `mse + lambda_mse/2 ||W||^2` is `2/K` times that of
/// `E + lambda_E/2 ||W||^2` exactly when `lambda_mse = (2/K) lambda_E`.
#[test]
fn l2_lambda_converts_by_two_over_k_between_mse_and_the_course_error() {
    let mut rng = seeded_rng(9);
    let (b, n, k) = (16, 5, 10);
    let layer = Linear::<f64>::builder(n, k).init(Init::GlorotUniform).build(&mut rng);
    let x = Var::constant(Tensor::rand_uniform(&[b, n], -1.0, 1.0, &mut rng));
    let y = Tensor::rand_uniform(&[b, k], 0.0, 1.0, &mut rng);
    let w = layer.parameters()[0].1.clone();
    let grad_w = |loss: Var<f64>| loss.backward().get(&w).unwrap().clone();
    let g_mse = grad_w(mse(&layer.forward(&x), &y, Reduction::Mean));
    let g_e = grad_w(half_squared_error(&layer.forward(&x), &y, Reduction::Mean));

    let lambda_e = 0.3;
    let scale = 2.0 / k as f64;
    let lambda_mse = scale * lambda_e;
    // d/dW [loss + lambda/2 ||W||^2] = dloss/dW + lambda W.
    let step_mse = g_mse.add(&w.value().mul_scalar(lambda_mse));
    let step_e = g_e.add(&w.value().mul_scalar(lambda_e));
    for (a, c) in step_mse.to_vec().into_iter().zip(step_e.mul_scalar(scale).to_vec()) {
        assert_relative_eq!(a, c, max_relative = 1e-12, epsilon = 1e-15);
    }
    // The same lambda in both is not the same regularization.
    let unconverted = g_mse.add(&w.value().mul_scalar(lambda_e));
    let gap = unconverted.sub(&step_e.mul_scalar(scale)).abs().max_all();
    assert!(gap > 1e-3, "with K = {k} an unconverted lambda weighs the penalty {} times more", 1.0 / scale);
}

#[test]
#[should_panic(expected = "half_squared_error: output of shape [2, 3] and target of shape [3, 2]")]
fn shapes_must_match() {
    half_squared_error(&Var::constant(Tensor::<f64>::zeros(&[2, 3])), &Tensor::zeros(&[3, 2]), Reduction::Mean);
}

/// `[B, K]` (or `[B]`) values as a contiguous tensor, a transposed view of
/// a `[K, B]` buffer, or a window narrowed out of a wider one.
fn strided(b: usize, k: usize, one_d: bool) -> impl Strategy<Value = Tensor<f64>> {
    (prop::collection::vec(-2.0f64..2.0, b * (k + 2)), 0..3usize).prop_map(move |(data, layout)| {
        if one_d {
            let wide = Tensor::from_vec(data[..b * 3].to_vec(), &[b, 3]).unwrap();
            return match layout {
                0 => Tensor::from_vec(data[..b].to_vec(), &[b]).unwrap(),
                _ => wide.select(1, layout),
            };
        }
        match layout {
            0 => Tensor::from_vec(data[..b * k].to_vec(), &[b, k]).unwrap(),
            1 => Tensor::from_vec(data[..b * k].to_vec(), &[k, b]).unwrap().t(),
            _ => Tensor::from_vec(data, &[b, k + 2]).unwrap().narrow(1, 1, k),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn half_squared_error_first_and_second_order(
        (y_hat, y) in (1..=5usize, 1..=5usize, any::<bool>())
            .prop_flat_map(|(b, k, one_d)| (strided(b, k, one_d), strided(b, k, one_d))),
        sum in any::<bool>(),
    ) {
        let r = if sum { Reduction::Sum } else { Reduction::Mean };
        let f = |v: &[Var<f64>]| half_squared_error(&v[0], &y, r);
        let opts = Default::default();
        gradcheck(f, std::slice::from_ref(&y_hat), &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        gradgradcheck(f, std::slice::from_ref(&y_hat), &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}
