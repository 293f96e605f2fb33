//! The course's single-layer perceptron with a sigmoid and squared error:
//! `v = W x + b`, `y_hat = s(v)`, `L = 1/2 ||y - y_hat||^2`. Its gradients in
//! closed form are `dL/dW = delta x^T` and `dL/db = delta` with
//! `delta = (y_hat - y) * s(v) * (1 - s(v))`; autograd must agree.

mod common;

use common::config;
use proptest::prelude::*;
use sinapse_autograd::Var;
use sinapse_tensor::Tensor;

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// `(dL/dW, dL/db)` by the course's formulas, written out element by element
/// for a batch (`x`: `[B, n]`, `y`: `[B, m]`, `w`: `[m, n]`, `b`: `[m]`), with
/// `L` summed over the batch: `dL/dW = sum_k delta_k x_k^T`, `dL/db = sum_k delta_k`.
fn closed_form(x: &Tensor<f64>, y: &Tensor<f64>, w: &Tensor<f64>, b: &Tensor<f64>) -> (Tensor<f64>, Tensor<f64>) {
    let (batch, n, m) = (x.shape()[0], x.shape()[1], w.shape()[0]);
    let mut dw = Tensor::zeros(&[m, n]);
    let mut db = Tensor::zeros(&[m]);
    for k in 0..batch {
        for i in 0..m {
            let v = (0..n).map(|j| w.get(&[i, j]) * x.get(&[k, j])).sum::<f64>() + b.get(&[i]);
            let y_hat = sigmoid(v);
            let delta = (y_hat - y.get(&[k, i])) * sigmoid(v) * (1.0 - sigmoid(v));
            for j in 0..n {
                dw.data_mut()[i * n + j] += delta * x.get(&[k, j]);
            }
            db.data_mut()[i] += delta;
        }
    }
    (dw, db)
}

fn assert_close(actual: &Tensor<f64>, expected: &Tensor<f64>) -> Result<(), TestCaseError> {
    prop_assert_eq!(actual.shape(), expected.shape());
    for (a, e) in actual.to_vec().into_iter().zip(expected.to_vec()) {
        prop_assert!((a - e).abs() <= 1e-12 * (1.0 + e.abs()), "autograd {} vs closed form {}", a, e);
    }
    Ok(())
}

fn matrix(rows: usize, cols: usize, lo: f64, hi: f64) -> impl Strategy<Value = Tensor<f64>> {
    prop::collection::vec(lo..hi, rows * cols).prop_map(move |v| Tensor::from_vec(v, &[rows, cols]).unwrap())
}

/// Sizes `(B, n, m)` and tensors `x [B, n]`, `y [B, m]` (targets in (0, 1)),
/// `W [m, n]`, `b [1, m]`.
#[allow(clippy::type_complexity)]
fn case() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    (1..=4usize, 1..=4usize, 1..=4usize).prop_flat_map(|(bs, n, m)| {
        (matrix(bs, n, -2.0, 2.0), matrix(bs, m, 0.0, 1.0), matrix(m, n, -1.5, 1.5), matrix(1, m, -1.0, 1.0))
    })
}

proptest! {
    #![proptest_config(config(32))]

    /// One sample: `x` is a vector and `W x` a matrix-vector product.
    #[test]
    fn single_sample_gradients_match_the_closed_form((x, y, w, b) in case()) {
        let (x1, y1, b1) = (x.select(0, 0), y.select(0, 0), b.reshape(&[b.numel()]));
        let (wv, bv) = (Var::new(w.clone()), Var::new(b1.clone()));
        let y_hat = wv.matmul(&Var::constant(x1.clone())).add(&bv).sigmoid();
        let loss = Var::constant(y1.clone()).sub(&y_hat).square().sum_all().mul_scalar(0.5);
        let grads = loss.backward();
        let (dw, db) = closed_form(&x1.unsqueeze(0), &y1.unsqueeze(0), &w, &b1);
        assert_close(grads.get(&wv).unwrap(), &dw)?;
        assert_close(grads.get(&bv).unwrap(), &db)?;
    }

    /// A batch: `V = X W^T + b`, `L = 1/2 sum_k ||y_k - y_hat_k||^2`.
    #[test]
    fn batch_gradients_match_the_closed_form((x, y, w, b) in case()) {
        let b1 = b.reshape(&[b.numel()]);
        let (wv, bv) = (Var::new(w.clone()), Var::new(b1.clone()));
        let y_hat = Var::constant(x.clone()).matmul(&wv.t()).add(&bv).sigmoid();
        let loss = Var::constant(y.clone()).sub(&y_hat).square().sum_all().mul_scalar(0.5);
        let grads = loss.backward();
        let (dw, db) = closed_form(&x, &y, &w, &b1);
        assert_close(grads.get(&wv).unwrap(), &dw)?;
        assert_close(grads.get(&bv).unwrap(), &db)?;
    }
}
