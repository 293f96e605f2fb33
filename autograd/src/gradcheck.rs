//! Checking analytic gradients against finite differences.
//!
//! [`gradcheck`] is what users run on their own operators: it compares every
//! element of the gradient that backpropagation computes with the central
//! difference `(f(x + eps) - f(x - eps)) / (2 eps)`, in `f64`, and on failure
//! reports which input, which element, and both values.
//! [`gradgradcheck`] does the same for second derivatives.

use crate::backward::BackwardOptions;
use crate::grad_mode::no_grad;
use crate::Var;
use sinapse_tensor::{seeded_rng, Tensor};
use std::fmt;

/// Tolerances and settings for [`gradcheck`].
#[derive(Clone, Debug)]
pub struct GradcheckOptions {
    /// Finite-difference step.
    pub eps: f64,
    /// Absolute tolerance: pass when `|analytic - numeric| <= atol + rtol * |numeric|`.
    pub atol: f64,
    /// Relative tolerance (see `atol`).
    pub rtol: f64,
    /// Seed of the random output weights that turn a tensor-valued function
    /// into the scalar `L = sum(f(x) * r)`.
    pub seed: u64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions { eps: 1e-6, atol: 1e-6, rtol: 1e-4, seed: 0 }
    }
}

/// A gradient that disagrees with finite differences.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckError {
    /// Which input (position in the `inputs` slice).
    pub input: usize,
    /// Which element of that input (multi-index).
    pub index: Vec<usize>,
    /// The gradient from backpropagation.
    pub analytic: f64,
    /// The central finite difference.
    pub numeric: f64,
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradient mismatch for input {} at {:?}: analytic {:.9e}, numeric {:.9e} (difference {:.3e})",
            self.input,
            self.index,
            self.analytic,
            self.numeric,
            (self.analytic - self.numeric).abs()
        )
    }
}

impl std::error::Error for GradcheckError {}

fn multi_index(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = flat % shape[d];
        flat /= shape[d];
    }
    idx
}

/// Checks the gradients of `f` at `inputs` against central differences.
///
/// `f` may return any shape; it is reduced to `L = sum(f(x) * r)` with fixed
/// random weights `r`, so every output element is checked. Inputs keep their
/// layout for the analytic pass (pass permuted or narrowed views to test
/// strided code paths).
pub fn gradcheck<F>(f: F, inputs: &[Tensor<f64>], options: &GradcheckOptions) -> Result<(), GradcheckError>
where
    F: Fn(&[Var<f64>]) -> Var<f64>,
{
    let vars: Vec<Var<f64>> = inputs.iter().map(|t| Var::new(t.clone())).collect();
    let out = f(&vars);
    let mut rng = seeded_rng(options.seed);
    let r = Tensor::<f64>::rand_uniform(out.shape(), 0.5, 1.5, &mut rng);
    let loss = |out: &Var<f64>| out.value().mul(&r).sum_all();
    let projected = out.mul(&Var::constant(r.clone())).sum_all();
    let grads = projected.backward();

    for (i, x) in inputs.iter().enumerate() {
        let analytic = grads.get(&vars[i]).map(|g| g.to_vec()).unwrap_or_else(|| vec![0.0; x.numel()]);
        let base = x.to_vec();
        for (j, &a) in analytic.iter().enumerate() {
            let eval = |delta: f64| {
                let mut data = base.clone();
                data[j] += delta;
                let xs: Vec<Var<f64>> = inputs
                    .iter()
                    .enumerate()
                    .map(|(k, t)| {
                        if k == i {
                            Var::constant(Tensor::from_vec(data.clone(), x.shape()).expect("same shape"))
                        } else {
                            Var::constant(t.clone())
                        }
                    })
                    .collect();
                no_grad(|| loss(&f(&xs)))
            };
            let numeric = (eval(options.eps) - eval(-options.eps)) / (2.0 * options.eps);
            let ok = (a - numeric).abs() <= options.atol + options.rtol * numeric.abs();
            if !ok || a.is_nan() != numeric.is_nan() {
                return Err(GradcheckError { input: i, index: multi_index(j, x.shape()), analytic: a, numeric });
            }
        }
    }
    Ok(())
}

/// Checks second derivatives: runs [`gradcheck`] on the function
/// `x -> sum_i <dL/dx_i, v_i>` (a Hessian-vector product), whose gradient
/// backpropagation can only compute if every backward rule of `f` is
/// itself differentiable (`create_graph`).
pub fn gradgradcheck<F>(f: F, inputs: &[Tensor<f64>], options: &GradcheckOptions) -> Result<(), GradcheckError>
where
    F: Fn(&[Var<f64>]) -> Var<f64>,
{
    let mut rng = seeded_rng(options.seed.wrapping_add(1));
    let probe = {
        let out = no_grad(|| f(&inputs.iter().map(|t| Var::constant(t.clone())).collect::<Vec<_>>()));
        Tensor::<f64>::rand_uniform(out.shape(), 0.5, 1.5, &mut rng)
    };
    let directions: Vec<Tensor<f64>> =
        inputs.iter().map(|t| Tensor::<f64>::rand_uniform(t.shape(), -1.0, 1.0, &mut rng)).collect();
    let hvp = |xs: &[Var<f64>]| {
        let l = f(xs).mul(&Var::constant(probe.clone())).sum_all();
        let opts = BackwardOptions { create_graph: true, ..Default::default() };
        let grads = l.backward_with_options(Tensor::scalar(1.0), &opts);
        let mut total = Var::constant(Tensor::scalar(0.0));
        for (x, v) in xs.iter().zip(&directions) {
            if let Some(g) = grads.get_var(x) {
                total = total.add(&g.mul(&Var::constant(v.clone())).sum_all());
            }
        }
        total
    };
    // The finite differences of `hvp` need its value when inputs are
    // constants: re-run with inputs that require grad so `backward` reaches them.
    let wrapped = |xs: &[Var<f64>]| {
        if xs.iter().any(|x| x.requires_grad()) {
            hvp(xs)
        } else {
            let fresh: Vec<Var<f64>> = xs.iter().map(|x| Var::new(x.value().clone())).collect();
            crate::grad_mode::with_grad_mode(true, || hvp(&fresh)).detach()
        }
    };
    gradcheck(wrapped, inputs, options)
}
