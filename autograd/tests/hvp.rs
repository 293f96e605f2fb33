//! A Hessian-vector product of a small MLP's loss, by backpropagating
//! through a recorded backward pass, against finite differences of the
//! gradient: `H v ~ (grad(theta + eps v) - grad(theta - eps v)) / (2 eps)`.

use sinapse_autograd::{BackwardOptions, Var};
use sinapse_tensor::{seeded_rng, Tensor};

const BATCH: usize = 4;
const INPUTS: usize = 3;
const HIDDEN: usize = 5;
const CLASSES: usize = 3;

/// Linear-tanh-Linear with a softmax cross-entropy:
/// `L = CE(tanh(x W1 + b1) W2 + b2, t)`; `params = [W1, b1, W2, b2]`.
fn loss(params: &[Var<f64>], x: &Tensor<f64>, t: &Tensor<f64>) -> Var<f64> {
    let hidden = Var::constant(x.clone()).matmul(&params[0]).add(&params[1]).tanh();
    hidden.matmul(&params[2]).add(&params[3]).cross_entropy_with_logits(t)
}

/// `dL/dparams` at `theta`.
fn gradient(theta: &[Tensor<f64>], x: &Tensor<f64>, t: &Tensor<f64>) -> Vec<Tensor<f64>> {
    let params: Vec<Var<f64>> = theta.iter().map(|p| Var::new(p.clone())).collect();
    let grads = loss(&params, x, t).backward();
    params.iter().map(|p| grads.get(p).expect("every parameter reached").clone()).collect()
}

#[test]
fn mlp_hessian_vector_product_matches_finite_differences_of_the_gradient() {
    let mut rng = seeded_rng(7);
    let shapes: [&[usize]; 4] = [&[INPUTS, HIDDEN], &[HIDDEN], &[HIDDEN, CLASSES], &[CLASSES]];
    let theta: Vec<Tensor<f64>> = shapes.iter().map(|s| Tensor::rand_uniform(s, -1.0, 1.0, &mut rng)).collect();
    let v: Vec<Tensor<f64>> = shapes.iter().map(|s| Tensor::rand_uniform(s, -1.0, 1.0, &mut rng)).collect();
    let x = Tensor::rand_uniform(&[BATCH, INPUTS], -2.0, 2.0, &mut rng);
    let t = Tensor::from_fn(&[BATCH, CLASSES], |i| if i[1] == (i[0] * 2) % CLASSES { 1.0 } else { 0.0 });

    // Autograd: H v = d/dtheta <dL/dtheta, v>.
    let params: Vec<Var<f64>> = theta.iter().map(|p| Var::new(p.clone())).collect();
    let opts = BackwardOptions { create_graph: true, ..Default::default() };
    let grads = loss(&params, &x, &t).backward_with_options(Tensor::scalar(1.0), &opts);
    let mut g_dot_v = Var::constant(Tensor::scalar(0.0));
    for (p, vi) in params.iter().zip(&v) {
        let g = grads.get_var(p).expect("gradient recorded");
        assert!(g.requires_grad(), "create_graph gives differentiable gradients");
        g_dot_v = g_dot_v.add(&g.mul(&Var::constant(vi.clone())).sum_all());
    }
    let hv = g_dot_v.backward();

    // Finite differences of the gradient along v.
    let eps = 1e-5;
    let shifted = |sign: f64| -> Vec<Tensor<f64>> {
        theta.iter().zip(&v).map(|(p, vi)| p.add(&vi.mul_scalar(sign * eps))).collect()
    };
    let (plus, minus) = (gradient(&shifted(1.0), &x, &t), gradient(&shifted(-1.0), &x, &t));
    let mut largest = 0.0f64;
    for (k, p) in params.iter().enumerate() {
        let numeric = plus[k].sub(&minus[k]).mul_scalar(1.0 / (2.0 * eps));
        let analytic = hv.get(p).expect("H v reaches every parameter");
        for (a, n) in analytic.to_vec().into_iter().zip(numeric.to_vec()) {
            assert!((a - n).abs() <= 1e-7 * (1.0 + n.abs()), "parameter {k}: H v {a} vs finite difference {n}");
            largest = largest.max(n.abs());
        }
    }
    assert!(largest > 1e-3, "the curvature is not trivially zero (largest |Hv| = {largest})");
}
