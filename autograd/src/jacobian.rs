//! Whole derivative matrices from reverse mode: the Jacobian of a
//! vector function, row by row, and the Hessian of a scalar one as the
//! Jacobian of its gradient.
//!
//! One backward pass gives one row, `e_i^T dY/dX` (a vector-Jacobian
//! product with the `i`-th unit vector), so an `m x n` Jacobian costs `m`
//! passes over one recorded graph. That suits the small functions of a
//! calculus table; a network's loss needs only its gradient (`m = 1`).

use crate::backward::BackwardOptions;
use crate::var::Var;
use sinapse_tensor::{Element, Tensor};

/// The Jacobian `J[i, j] = d y_i / d x_j` of `y = f(x)`, an `[m, n]` tensor.
///
/// - `f`: the function, built from differentiable operations on its
///   argument;
/// - `x`: the point, any shape; `n = x.numel()`, elements in row-major
///   order;
/// - `m = f(x).numel()`, the output's elements in row-major order (a 0-d
///   output gives one row: the gradient).
///
/// Row `i` is one backward pass seeded with the unit vector `e_i`. An
/// output that does not depend on `x` gives a row of zeros.
///
/// ```
/// use sinapse_autograd::{jacobian, Var};
/// use sinapse_tensor::Tensor;
/// let p = Tensor::<f64>::from_vec(vec![2.0, 3.0], &[2]).unwrap();
/// // A linear map: the Jacobian of A x is A.
/// let a = Tensor::from_vec(vec![1.0, 2.0, 0.0, -1.0, 4.0, 5.0], &[3, 2]).unwrap();
/// let j = jacobian(|x| Var::constant(a.clone()).matmul(x), &p);
/// assert_eq!((j.shape(), j.to_vec()), (&[3, 2][..], a.to_vec()));
/// // Element-wise squares: diag(2 x).
/// assert_eq!(jacobian(|x| x.square(), &p).to_vec(), [4.0, 0.0, 0.0, 6.0]);
/// ```
#[track_caller]
pub fn jacobian<T: Element>(f: impl FnOnce(&Var<T>) -> Var<T>, x: &Tensor<T>) -> Tensor<T> {
    let xv = Var::new(x.clone());
    let y = f(&xv);
    rows_of("jacobian", &y, &xv)
}

/// The Hessian `H[i, j] = d^2 f / (dx_i dx_j)` of a scalar `f`, an `[n, n]`
/// tensor (`n = x.numel()`, row-major order).
///
/// - `f`: the function, returning one element (shape `[]` or `[1]`);
/// - `x`: the point, any shape.
///
/// The gradient is computed once with `create_graph`, so that it is itself
/// a recorded function of `x`; its Jacobian, row by row, is the Hessian. A
/// gradient that no longer depends on `x` (`f` linear) gives zeros.
///
/// ```
/// use sinapse_autograd::hessian;
/// use sinapse_tensor::Tensor;
/// // f(x) = x1^2 + x2^2: H = 2 I everywhere.
/// let p = Tensor::<f64>::from_vec(vec![1.5, -2.0], &[2]).unwrap();
/// let h = hessian(|x| x.square().sum_all(), &p);
/// assert_eq!(h.to_vec(), [2.0, 0.0, 0.0, 2.0]);
/// ```
///
/// # Panics
/// When `f(x)` has more than one element.
#[track_caller]
pub fn hessian<T: Element>(f: impl FnOnce(&Var<T>) -> Var<T>, x: &Tensor<T>) -> Tensor<T> {
    let xv = Var::new(x.clone());
    let y = f(&xv);
    assert_eq!(
        y.value().numel(),
        1,
        "hessian: f must return one element, got shape {:?} for an input of shape {:?}",
        y.shape(),
        x.shape()
    );
    let n = x.numel();
    let options = BackwardOptions { create_graph: true, ..Default::default() };
    let seed = Tensor::ones(y.shape());
    let gradient = y.backward_with_options(seed, &options).get_var(&xv).cloned();
    match gradient {
        Some(g) => rows_of("hessian", &g, &xv),
        None => Tensor::zeros(&[n, n]),
    }
}

/// `d y / d x` as `[y.numel(), x.numel()]`: one backward pass per element
/// of `y`, each seeded with that element's unit vector. The graph behind
/// `y` is kept alive by the borrowed handle, so every pass walks it again.
fn rows_of<T: Element>(op: &str, y: &Var<T>, x: &Var<T>) -> Tensor<T> {
    let (m, n) = (y.value().numel(), x.value().numel());
    let mut out = vec![T::zero(); m * n];
    if !y.requires_grad() {
        return Tensor::from_vec(out, &[m, n]).expect("buffer sized from the shape");
    }
    for (i, row) in out.chunks_exact_mut(n.max(1)).enumerate().take(m) {
        let seed = unit(Tensor::zeros(y.shape()), i);
        let grads = y.clone().backward_with(seed);
        if let Some(g) = grads.get(x) {
            debug_assert_eq!(g.numel(), n, "{op}: gradient of the wrong size");
            row.copy_from_slice(&g.to_vec());
        }
    }
    Tensor::from_vec(out, &[m, n]).expect("buffer sized from the shape")
}

/// `zeros` with a 1 at flat (row-major) position `i`.
fn unit<T: Element>(zeros: Tensor<T>, i: usize) -> Tensor<T> {
    let mut data = zeros.to_vec();
    data[i] = T::one();
    Tensor::from_vec(data, zeros.shape()).expect("same number of elements")
}
