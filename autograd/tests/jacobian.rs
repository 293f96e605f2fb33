//! `jacobian` and `hessian` against matrices computed by hand (the course's
//! table of derivatives, a linear map, the softmax) and, in f64, against
//! central finite differences at random points.

use proptest::prelude::*;
use sinapse_autograd::{hessian, jacobian, Var};
use sinapse_autograd::{Cost, OpDef};
use sinapse_tensor::{seeded_rng, Tensor};

/// The descriptor of `sin`.
static SIN: OpDef = OpDef { name: "sin", forward: "sin x", backward: "dx = g cos x", cost: Cost::Elementwise };
/// The descriptor of `cos`.
static COS: OpDef = OpDef { name: "cos", forward: "cos x", backward: "dx = -g sin x", cost: Cost::Elementwise };

fn close(actual: &Tensor<f64>, expected: &[f64], tol: f64) {
    let a = actual.to_vec();
    assert_eq!(a.len(), expected.len(), "{a:?} vs {expected:?}");
    for (k, (x, e)) in a.iter().zip(expected).enumerate() {
        assert!((x - e).abs() <= tol * (1.0 + e.abs()), "element {k}: {x} vs {e} (all: {a:?} vs {expected:?})");
    }
}

/// `sin`, defined from outside the crate as the course's table needs it: its
/// derivative `cos` is defined the same way, so both can be differentiated
/// again (`sin'' = -sin`).
fn sin(x: &Var<f64>) -> Var<f64> {
    Var::from_op(&SIN, &[x], || x.value().map(f64::sin), |_, g, inputs| vec![Some(g.mul(&cos(&inputs[0])))])
}

fn cos(x: &Var<f64>) -> Var<f64> {
    Var::from_op(&COS, &[x], || x.value().map(f64::cos), |_, g, inputs| vec![Some(g.mul(&sin(&inputs[0])).neg())])
}

/// `f(x, y) = x^2 y + sin y`: gradient `(2xy, x^2 + cos y)`, Hessian
/// `[[2y, 2x], [2x, -sin y]]`.
fn course_f(v: &Var<f64>) -> Var<f64> {
    let (x, y) = (v.select(0, 0), v.select(0, 1));
    x.square().mul(&y).add(&sin(&y))
}

fn point(x: f64, y: f64) -> Tensor<f64> {
    Tensor::from_vec(vec![x, y], &[2]).unwrap()
}

#[test]
fn derivatives_course_table_first_and_second_derivatives_of_common_functions() {
    // (f, f', f'') at t, each checked as a 1x1 Jacobian and a 1x1 Hessian.
    type Row = (&'static str, fn(&Var<f64>) -> Var<f64>, fn(f64) -> f64, fn(f64) -> f64);
    let table: [Row; 8] = [
        ("t^3", |t| t.powf(3.0), |t| 3.0 * t * t, |t| 6.0 * t),
        ("t^-1", |t| t.powf(-1.0), |t| -1.0 / (t * t), |t| 2.0 / (t * t * t)),
        ("sqrt t", |t| t.sqrt(), |t| 0.5 / t.sqrt(), |t| -0.25 / (t * t.sqrt())),
        ("e^t", |t| t.exp(), f64::exp, f64::exp),
        ("ln t", |t| t.ln(), |t| 1.0 / t, |t| -1.0 / (t * t)),
        ("sin t", sin, f64::cos, |t| -t.sin()),
        ("sigmoid t", |t| t.sigmoid(), |t| s(t) * (1.0 - s(t)), |t| s(t) * (1.0 - s(t)) * (1.0 - 2.0 * s(t))),
        ("tanh t", |t| t.tanh(), |t| 1.0 - t.tanh().powi(2), |t| -2.0 * t.tanh() * (1.0 - t.tanh().powi(2))),
    ];
    fn s(t: f64) -> f64 {
        1.0 / (1.0 + (-t).exp())
    }
    for (name, f, d1, d2) in table {
        for t in [0.3, 1.0, 2.5] {
            let x = Tensor::from_vec(vec![t], &[1]).unwrap();
            let j = jacobian(f, &x);
            let h = hessian(|v| f(v).sum_all(), &x);
            assert_eq!((j.shape(), h.shape()), (&[1, 1][..], &[1, 1][..]), "{name}");
            close(&j, &[d1(t)], 1e-14);
            close(&h, &[d2(t)], 1e-14);
        }
    }
}

#[test]
fn jacobian_and_hessian_of_x2y_plus_sin_y_by_hand() {
    for (x, y) in [(1.0, 2.0), (-0.5, 0.25), (3.0, -1.5)] {
        let p = point(x, y);
        close(&jacobian(course_f, &p), &[2.0 * x * y, x * x + y.cos()], 1e-15);
        let h = hessian(course_f, &p);
        assert_eq!(h.shape(), &[2, 2]);
        close(&h, &[2.0 * y, 2.0 * x, 2.0 * x, -y.sin()], 1e-15);
    }
}

#[test]
fn jacobian_of_a_linear_map_is_its_matrix_and_its_hessian_is_zero() {
    let mut rng = seeded_rng(1);
    let a = Tensor::<f64>::rand_uniform(&[4, 3], -2.0, 2.0, &mut rng);
    let x = Tensor::<f64>::rand_uniform(&[3], -1.0, 1.0, &mut rng);
    let j = jacobian(|v| Var::constant(a.clone()).matmul(v), &x);
    assert_eq!(j.shape(), &[4, 3]);
    assert_eq!(j.to_vec(), a.to_vec());
    // A transposed (non-contiguous) matrix: the Jacobian of A^T y is A^T.
    let y = Tensor::<f64>::rand_uniform(&[4], -1.0, 1.0, &mut rng);
    assert_eq!(jacobian(|v| Var::constant(a.t()).matmul(v), &y).to_vec(), a.t().contiguous().to_vec());
    // b^T A x is linear in x: no second derivative.
    let b = Var::constant(Tensor::<f64>::rand_uniform(&[4], -1.0, 1.0, &mut rng));
    let h = hessian(|v| Var::constant(a.clone()).matmul(v).mul(&b).sum_all(), &x);
    assert_eq!(h.to_vec(), vec![0.0; 9]);
    // An output that does not depend on x has a zero Jacobian.
    let j0 = jacobian(|_| Var::constant(Tensor::<f64>::ones(&[2])), &x);
    assert_eq!((j0.shape(), j0.to_vec()), (&[2, 3][..], vec![0.0; 6]));
}

#[test]
fn softmax_jacobian_is_diag_s_minus_s_s_transposed() {
    let z = Tensor::from_vec(vec![0.5, -1.0, 2.0, 0.0], &[4]).unwrap();
    let s = z.softmax(0).to_vec();
    let expected: Vec<f64> = (0..16)
        .map(|k| {
            let (i, j) = (k / 4, k % 4);
            (if i == j { s[i] } else { 0.0 }) - s[i] * s[j]
        })
        .collect();
    close(&jacobian(|v| v.softmax(0), &z), &expected, 1e-15);
}

#[test]
fn inputs_and_outputs_of_any_shape_are_flattened_row_major() {
    // f(X) = X^T for X of shape [2, 3]: y[i, j] = x[j, i], a permutation matrix.
    let x = Tensor::from_fn(&[2, 3], |i| (i[0] * 3 + i[1]) as f64);
    let j = jacobian(|v| v.t(), &x);
    assert_eq!(j.shape(), &[6, 6]);
    for out in 0..6 {
        let (r, c) = (out / 2, out % 2); // y is [3, 2]
        let row: Vec<f64> = (0..6).map(|inp| if inp == c * 3 + r { 1.0 } else { 0.0 }).collect();
        assert_eq!(j.to_vec()[out * 6..(out + 1) * 6], row, "row {out}");
    }
}

#[test]
#[should_panic(expected = "hessian: f must return one element, got shape [2] for an input of shape [2]")]
fn hessian_of_a_vector_function_is_refused() {
    hessian(|v| v.square(), &point(1.0, 2.0));
}

/// A smooth `f: R^n -> R^m`, `y = tanh(A x) (x_0 + 2) + 0.1 (A x)^2`
/// element-wise: every output depends on every input, nonlinearly.
fn smooth(a: &Tensor<f64>) -> impl Fn(&Var<f64>) -> Var<f64> + '_ {
    move |x| {
        let ax = Var::constant(a.clone()).matmul(x);
        ax.tanh().mul(&x.select(0, 0).add_scalar(2.0)).add(&ax.square().mul_scalar(0.1))
    }
}

/// Central differences of `g` (a vector function of `x`, flattened) in
/// every coordinate: an `[m, n]` matrix.
fn numeric_jacobian(g: &dyn Fn(&Var<f64>) -> Var<f64>, x: &Tensor<f64>) -> Vec<f64> {
    let eps = 1e-6;
    let base = x.to_vec();
    let n = base.len();
    let eval = |k: usize, d: f64| {
        let mut v = base.clone();
        v[k] += d;
        g(&Var::constant(Tensor::from_vec(v, x.shape()).unwrap())).value().to_vec()
    };
    let columns: Vec<Vec<f64>> =
        (0..n).map(|k| eval(k, eps).iter().zip(eval(k, -eps)).map(|(p, m)| (p - m) / (2.0 * eps)).collect()).collect();
    let m = columns.first().map_or(0, Vec::len);
    (0..m * n).map(|idx| columns[idx % n][idx / n]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn jacobian_matches_finite_differences(n in 1..5usize, m in 1..5usize, seed in any::<u64>(), transposed in any::<bool>()) {
        let mut rng = seeded_rng(seed);
        let a = if transposed {
            Tensor::<f64>::rand_uniform(&[n, m], -1.0, 1.0, &mut rng).t()
        } else {
            Tensor::<f64>::rand_uniform(&[m, n], -1.0, 1.0, &mut rng)
        };
        let x = Tensor::<f64>::rand_uniform(&[n], -1.0, 1.0, &mut rng);
        let f = smooth(&a);
        let j = jacobian(&f, &x);
        prop_assert_eq!(j.shape(), &[m, n]);
        for (k, (x, e)) in j.to_vec().iter().zip(numeric_jacobian(&f, &x)).enumerate() {
            prop_assert!((x - e).abs() <= 1e-7 * (1.0 + e.abs()), "J element {}: {} vs {}", k, x, e);
        }
    }

    #[test]
    fn hessian_matches_finite_differences_of_the_gradient(n in 1..5usize, m in 1..4usize, seed in any::<u64>()) {
        let mut rng = seeded_rng(seed);
        let a = Tensor::<f64>::rand_uniform(&[m, n], -1.0, 1.0, &mut rng);
        let x = Tensor::<f64>::rand_uniform(&[n], -1.0, 1.0, &mut rng);
        let f = smooth(&a);
        let h = hessian(|v| f(v).sum_all(), &x);
        // The finite differences of the gradient, itself from `jacobian`.
        let grad = |v: &Var<f64>| Var::constant(jacobian(|u| f(u).sum_all(), v.value()).reshape(&[n]));
        let numeric = numeric_jacobian(&grad, &x);
        let hv = h.to_vec();
        for (k, (x, e)) in hv.iter().zip(&numeric).enumerate() {
            prop_assert!((x - e).abs() <= 1e-7 * (1.0 + e.abs()), "H element {}: {} vs {}", k, x, e);
        }
        // Symmetric, as second derivatives of a smooth function are.
        for i in 0..n {
            for j in 0..n {
                prop_assert!((hv[i * n + j] - hv[j * n + i]).abs() <= 1e-12 * (1.0 + hv[i * n + j].abs()));
            }
        }
        prop_assert!(hv.iter().any(|v| v.abs() > 1e-3), "a non-trivial Hessian: {:?}", hv);
    }
}
