//! A new operator written outside the framework: swish, `s(x) = x * sigmoid(x)`
//! (Ramachandran et al., 2017), with its derivative next to it, checked by
//! finite differences and then used as an activation layer.
//!
//! The library has swish built in as [`Var::silu`] (and the layer
//! `Activation::SiLU`); this file is the lesson of writing an operator
//! yourself, and a test checks that both agree.

use sinapse_autograd::{gradcheck, Cost, GradcheckError, GradcheckOptions, OpDef, Var};
use sinapse_nn::Module;
use sinapse_tensor::{Element, Tensor};

/// Swish's descriptor: its name in profiles and graph pictures, its formulas,
/// and how the profiler counts its arithmetic (one operation per element).
pub static SWISH: OpDef =
    OpDef { name: "swish", forward: "x s(x)", backward: "dx = g s(x) (1 + x (1 - s(x)))", cost: Cost::Elementwise };

/// `swish(x) = x * sigma(x)`, element-wise, where `sigma(x) = 1 / (1 + e^-x)`.
///
/// Derivative: `swish'(x) = sigma(x) + x sigma(x) (1 - sigma(x))
/// = sigma(x) (1 + x (1 - sigma(x)))`. The backward rule is written with
/// differentiable operations on [`Var`], so second derivatives work too.
pub fn swish<T: Element>(x: &Var<T>) -> Var<T> {
    let forward = || x.value().map(|v| v * sigmoid(v));
    Var::from_op(&SWISH, &[x], forward, |_out, g, inputs| {
        let x = &inputs[0];
        let s = x.sigmoid();
        // sigma (1 + x (1 - sigma))
        let slope = s.mul(&x.mul(&s.rsub_scalar(T::one())).add_scalar(T::one()));
        vec![Some(g.mul(&slope))]
    })
}

fn sigmoid<T: Element>(v: T) -> T {
    T::one() / (T::one() + (-v).exp())
}

/// Swish as a layer, for `Sequential::add(Swish)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Swish;

impl<T: Element> Module<T> for Swish {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        swish(x)
    }

    fn describe(&self) -> String {
        "Swish (x * sigmoid(x))".into()
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        input.to_vec()
    }
}

/// Checks swish's gradient against central finite differences in `f64` at
/// `n` points spread over `[-6, 6]` (and exactly 0). Returns the largest
/// absolute difference between analytic and numeric slopes.
pub fn check_swish(n: usize) -> Result<f64, GradcheckError> {
    let n = n.max(2);
    let points: Vec<f64> = (0..n).map(|i| -6.0 + 12.0 * i as f64 / (n - 1) as f64).chain([0.0]).collect();
    let x = Tensor::from_vec(points.clone(), &[points.len()]).expect("a vector");
    gradcheck(|v| swish(&v[0]), std::slice::from_ref(&x), &GradcheckOptions::default())?;
    // The same comparison, reported as one number.
    let xv = Var::new(x.clone());
    let grads = swish(&xv).sum_all().backward();
    let analytic = grads.get(&xv).expect("x requires a gradient").to_vec();
    let eps = 1e-6;
    let f = |t: f64| t * sigmoid(t);
    Ok(points
        .iter()
        .zip(analytic)
        .map(|(&t, a)| (a - (f(t + eps) - f(t - eps)) / (2.0 * eps)).abs())
        .fold(0.0, f64::max))
}
