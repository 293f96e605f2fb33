//! The course's calculus examples: first and second derivatives by
//! backpropagation (the second through `create_graph`), critical points,
//! gradient descent, and a Hessian built row by row.

use sinapse_autograd::{BackwardOptions, Var};
use sinapse_tensor::Tensor;

const POINTS: [f64; 7] = [-3.0, -1.0, 0.0, 0.5, 2.0, 5.0, 7.25];

/// `(f(t), f'(t), f''(t))`: the first derivative from a backward pass that
/// records itself, the second from a backward pass through that record.
fn derivatives(f: impl Fn(&Var<f64>) -> Var<f64>, t: f64) -> (f64, f64, f64) {
    let t = Var::new(Tensor::scalar(t));
    let y = f(&t);
    let value = y.item();
    let opts = BackwardOptions { create_graph: true, ..Default::default() };
    let first = y.backward_with_options(Tensor::scalar(1.0), &opts).get_var(&t).expect("f depends on t").clone();
    let d1 = first.item();
    // A derivative that no longer depends on t has no graph: f'' = 0.
    let d2 = first.backward().get(&t).map_or(0.0, |g| g.item());
    (value, d1, d2)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

/// f(t) = (t - 5)^2: f'(t) = 2(t - 5), f''(t) = 2 > 0, minimum at t* = 5.
fn bowl(t: &Var<f64>) -> Var<f64> {
    (t - 5.0).powf(2.0)
}

#[test]
fn bowl_has_derivative_2_t_minus_5_and_second_derivative_2() {
    for t in POINTS {
        let (f, d1, d2) = derivatives(bowl, t);
        assert!(close(f, (t - 5.0) * (t - 5.0)), "f({t}) = {f}");
        assert!(close(d1, 2.0 * (t - 5.0)), "f'({t}) = {d1}");
        assert!(close(d2, 2.0), "f''({t}) = {d2}");
    }
    let (_, d1, d2) = derivatives(bowl, 5.0);
    assert_eq!(d1, 0.0, "t* = 5 is a critical point");
    assert!(d2 > 0.0, "and a minimum");
}

#[test]
fn gradient_descent_on_the_bowl_converges_to_5() {
    // t <- t - lr f'(t) = t - 0.2 (t - 5): the error shrinks by 0.8 per step.
    let mut t = Var::parameter(Tensor::<f64>::scalar(0.0), "t");
    let lr = 0.1;
    let mut path = vec![t.item()];
    for _ in 0..150 {
        let grads = bowl(&t).backward();
        let g = grads.get(&t).expect("t reached").clone();
        t.update(|v| *v = v.sub(&g.mul_scalar(lr)));
        path.push(t.item());
    }
    assert!((t.item() - 5.0).abs() < 1e-12, "ended at {}", t.item());
    // Each step moves toward 5 without overshooting.
    assert!(path.windows(2).all(|w| w[0] < w[1] && w[1] <= 5.0), "path {:?}", &path[..5]);
}

/// f(t) = 1 - t^2: f'(t) = -2t, f''(t) = -2 < 0, maximum at t* = 0.
#[test]
fn cap_has_derivative_minus_2t_and_second_derivative_minus_2() {
    let cap = |t: &Var<f64>| t.square().rsub_scalar(1.0);
    for t in POINTS {
        let (f, d1, d2) = derivatives(cap, t);
        assert!(close(f, 1.0 - t * t), "f({t}) = {f}");
        assert!(close(d1, -2.0 * t), "f'({t}) = {d1}");
        assert!(close(d2, -2.0), "f''({t}) = {d2}");
    }
    let (_, d1, d2) = derivatives(cap, 0.0);
    assert_eq!(d1, 0.0, "t* = 0 is a critical point");
    assert!(d2 < 0.0, "and a maximum");
}

/// f(t) = t^3: f'(t) = 3t^2, f''(t) = 6t; at t* = 0 both vanish and f keeps
/// increasing through it: a saddle (inflection) point, not an extremum.
#[test]
fn cube_has_derivative_3t2_and_second_derivative_6t_with_a_saddle_at_0() {
    let cube = |t: &Var<f64>| t.powf(3.0);
    for t in POINTS {
        let (f, d1, d2) = derivatives(cube, t);
        assert!(close(f, t * t * t), "f({t}) = {f}");
        assert!(close(d1, 3.0 * t * t), "f'({t}) = {d1}");
        assert!(close(d2, 6.0 * t), "f''({t}) = {d2}");
    }
    let (f0, d1, d2) = derivatives(cube, 0.0);
    assert_eq!((d1, d2), (0.0, 0.0));
    let (left, _, _) = derivatives(cube, -0.1);
    let (right, _, _) = derivatives(cube, 0.1);
    assert!(left < f0 && f0 < right, "no extremum at 0");
}

/// f(x) = x1^2 + x2^2: the gradient (2 x1, 2 x2) and the Hessian 2 I, one row
/// per backward pass through the recorded gradient.
#[test]
fn paraboloid_gradient_and_hessian() {
    for (x1, x2) in [(0.0, 0.0), (1.5, -2.0), (-3.0, 0.25)] {
        let x = Var::new(Tensor::from_vec(vec![x1, x2], &[2]).unwrap());
        let f = x.square().sum_all();
        let opts = BackwardOptions { create_graph: true, ..Default::default() };
        let grad = f.backward_with_options(Tensor::scalar(1.0), &opts).get_var(&x).unwrap().clone();
        assert_eq!(grad.value().to_vec(), vec![2.0 * x1, 2.0 * x2]);
        let hessian: Vec<Vec<f64>> =
            (0..2).map(|i| grad.select(0, i).backward().get(&x).expect("row reached").to_vec()).collect();
        assert_eq!(hessian, vec![vec![2.0, 0.0], vec![0.0, 2.0]]);
    }
}
