//! Strategies and helpers shared by the autograd tests.
//!
//! - Shapes: every dimension is 1..=4 (size-1 dimensions come up often, so
//!   broadcasting and squeezing edge cases are exercised), 0-d included.
//! - Layouts: a test tensor is plain row-major, or built in another dimension
//!   order and permuted into place, or narrowed out of a bigger tensor, or a
//!   stride-0 broadcast of a size-1 dimension. The analytic pass of
//!   `gradcheck` sees that layout, so strided code paths are checked too.
//! - Values: each operator draws its inputs away from the points where it is
//!   not differentiable (kinks of `relu`/`abs` at 0, ties of `max`/`maximum`,
//!   `ln`/`sqrt`/`powf` of non-positive numbers, division by near zero), since
//!   a central difference straddling a kink measures the average of two
//!   one-sided slopes, not the derivative.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use sinapse_autograd::{gradcheck, gradgradcheck, profile, GradcheckOptions, Var};
use sinapse_tensor::Tensor;

/// Largest size of one dimension in generated shapes.
pub const MAX_SIZE: usize = 4;

/// A proptest configuration running `cases` cases.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// A shape of `min_dims..=max_dims` dimensions, each of size `1..=MAX_SIZE`.
pub fn shape(min_dims: usize, max_dims: usize) -> impl Strategy<Value = Vec<usize>> + Clone {
    prop::collection::vec(1..=MAX_SIZE, min_dims..=max_dims)
}

/// Which values a generated tensor holds.
#[derive(Clone, Copy, Debug)]
pub enum Values {
    /// Uniform in `[-2, 2)`: for functions smooth everywhere.
    Smooth,
    /// Uniform in `[0.2, 2)`: for `ln`, `sqrt`, `powf`.
    Positive,
    /// `|x|` in `[0.2, 2)` with a random sign: for `relu`, `abs`, divisors.
    AwayFromZero,
    /// All elements distinct, at least 0.25 apart and at least 0.125 from 0
    /// (a shuffled ladder): for `max` and max pooling, which must not see
    /// ties, also after a ReLU.
    Distinct,
    /// `offset + k/2` for integers `k` in `-4..=4`. Two tensors with offsets
    /// 0 and 0.25 never hold equal elements (every difference is at least
    /// 0.25), for `maximum`/`minimum`.
    Lattice(f64),
}

/// How a test tensor sits in its buffer.
#[derive(Clone, Debug)]
pub enum Arrangement {
    /// Plain row-major.
    Contiguous,
    /// Built with its dimensions in another order, then permuted into place:
    /// dimension `i` of the result is dimension `perm[i]` of the buffer.
    Permuted(Vec<usize>),
    /// Cut out of a tensor with `before + after` extra entries along `dim`.
    Narrowed { dim: usize, before: usize, after: usize },
    /// A size-1 dimension `dim` broadcast (stride 0) to its full size.
    Expanded { dim: usize },
}

/// A random arrangement for a tensor of `shape`. `Expanded` repeats values,
/// so it is left out when `distinct` values are required.
pub fn arrangement(shape: &[usize], distinct: bool) -> BoxedStrategy<Arrangement> {
    let nd = shape.len();
    if nd == 0 {
        return Just(Arrangement::Contiguous).boxed();
    }
    let perm = Just((0..nd).collect::<Vec<_>>()).prop_shuffle().prop_map(Arrangement::Permuted);
    let narrow =
        (0..nd, 0..3usize, 0..3usize).prop_map(|(dim, before, after)| Arrangement::Narrowed { dim, before, after });
    let wide: Vec<usize> = (0..nd).filter(|&d| shape[d] > 1).collect();
    if distinct || wide.is_empty() {
        return prop_oneof![Just(Arrangement::Contiguous), perm, narrow].boxed();
    }
    let expand = prop::sample::select(wide).prop_map(|dim| Arrangement::Expanded { dim });
    prop_oneof![Just(Arrangement::Contiguous), perm, narrow, expand].boxed()
}

/// The shape of the buffer an arrangement views.
fn buffer_shape(shape: &[usize], arr: &Arrangement) -> Vec<usize> {
    match arr {
        Arrangement::Contiguous => shape.to_vec(),
        Arrangement::Permuted(perm) => {
            let mut base = vec![0; shape.len()];
            for (i, &p) in perm.iter().enumerate() {
                base[p] = shape[i];
            }
            base
        }
        Arrangement::Narrowed { dim, before, after } => {
            let mut big = shape.to_vec();
            big[*dim] += before + after;
            big
        }
        Arrangement::Expanded { dim } => {
            let mut small = shape.to_vec();
            small[*dim] = 1;
            small
        }
    }
}

/// A tensor of exactly `shape`, viewing a buffer filled with `data` (one
/// value per buffer element) through `arr`.
pub fn arrange(shape: &[usize], arr: &Arrangement, data: Vec<f64>) -> Tensor<f64> {
    let base = Tensor::from_vec(data, &buffer_shape(shape, arr)).expect("one value per buffer element");
    let t = match arr {
        Arrangement::Contiguous => base,
        Arrangement::Permuted(perm) => base.permute(perm),
        Arrangement::Narrowed { dim, before, .. } => base.narrow(*dim as isize, *before, shape[*dim]),
        Arrangement::Expanded { .. } => base.broadcast_to(shape),
    };
    assert_eq!(t.shape(), shape, "arrange produced the wrong shape");
    t
}

/// `n` values of the given kind.
pub fn values(kind: Values, n: usize) -> BoxedStrategy<Vec<f64>> {
    match kind {
        Values::Smooth => prop::collection::vec(-2.0..2.0f64, n).boxed(),
        Values::Positive => prop::collection::vec(0.2..2.0f64, n).boxed(),
        Values::AwayFromZero => prop::collection::vec((0.2..2.0f64, any::<bool>()), n)
            .prop_map(|v| v.into_iter().map(|(m, neg)| if neg { -m } else { m }).collect())
            .boxed(),
        Values::Distinct => Just((0..n).collect::<Vec<usize>>())
            .prop_shuffle()
            // Odd multiples of 1/8, centred on 0: never 0 itself, so a ReLU
            // applied first never sits on its kink.
            .prop_map(move |ks| ks.into_iter().map(|k| 0.25 * k as f64 - 0.25 * (n / 2) as f64 + 0.125).collect())
            .boxed(),
        Values::Lattice(offset) => prop::collection::vec(-4i32..=4, n)
            .prop_map(move |ks| ks.into_iter().map(|k| offset + 0.5 * f64::from(k)).collect())
            .boxed(),
    }
}

/// A tensor of `shape` holding `kind` values, in a random arrangement.
pub fn tensor(shape: Vec<usize>, kind: Values) -> BoxedStrategy<Tensor<f64>> {
    let distinct = matches!(kind, Values::Distinct);
    arrangement(&shape, distinct)
        .prop_flat_map(move |arr| {
            let n: usize = buffer_shape(&shape, &arr).iter().product();
            let shape = shape.clone();
            values(kind, n).prop_map(move |data| arrange(&shape, &arr, data))
        })
        .boxed()
}

/// A tensor of random shape (`min_dims..=max_dims` dimensions).
pub fn any_tensor(min_dims: usize, max_dims: usize, kind: Values) -> BoxedStrategy<Tensor<f64>> {
    shape(min_dims, max_dims).prop_flat_map(move |s| tensor(s, kind)).boxed()
}

/// Two shapes that broadcast together: each drops some leading dimensions
/// of a common shape and sets some of the rest to 1.
pub fn broadcast_shapes(max_dims: usize) -> BoxedStrategy<(Vec<usize>, Vec<usize>)> {
    shape(0, max_dims)
        .prop_flat_map(|out| {
            let nd = out.len();
            let side = (0..=nd, prop::collection::vec(any::<bool>(), nd));
            (Just(out), side.clone(), side)
        })
        .prop_map(|(out, a, b)| (reduce_shape(&out, a), reduce_shape(&out, b)))
        .boxed()
}

/// A shape and a larger shape it broadcasts to: `(small, big)`.
pub fn broadcastable_to(max_dims: usize) -> BoxedStrategy<(Vec<usize>, Vec<usize>)> {
    shape(0, max_dims)
        .prop_flat_map(|out| {
            let nd = out.len();
            (Just(out), (0..=nd, prop::collection::vec(any::<bool>(), nd)))
        })
        .prop_map(|(out, side)| (reduce_shape(&out, side), out))
        .boxed()
}

/// `out` without its first `drop` dimensions and with size 1 where `ones` says.
fn reduce_shape(out: &[usize], (drop, ones): (usize, Vec<bool>)) -> Vec<usize> {
    (drop..out.len()).map(|d| if ones[d] { 1 } else { out[d] }).collect()
}

/// Two tensors that broadcast together, of the given value kinds.
pub fn broadcast_pair(a: Values, b: Values) -> BoxedStrategy<(Tensor<f64>, Tensor<f64>)> {
    broadcast_shapes(3).prop_flat_map(move |(sa, sb)| (tensor(sa, a), tensor(sb, b))).boxed()
}

/// An axis of an `ndim`-dimensional tensor, written either way (`d` or
/// `d - ndim`), since every op accepts negative axes.
pub fn axis(ndim: usize) -> BoxedStrategy<isize> {
    assert!(ndim > 0, "axis of a 0-d tensor");
    (0..ndim, any::<bool>()).prop_map(move |(d, neg)| if neg { d as isize - ndim as isize } else { d as isize }).boxed()
}

/// The shapes of a list of tensors, for failure messages.
pub fn shapes(inputs: &[Tensor<f64>]) -> Vec<Vec<usize>> {
    inputs.iter().map(|t| t.shape().to_vec()).collect()
}

/// The full check of one differentiable operator `f`, under the name
/// `name`. When `name` is a registered operator
/// ([`sinapse_autograd::ops::operator`]), `f` must run it: the profiler is
/// asked, so a check cannot name an operator it never calls. Then:
///
/// 1. `gradcheck(f)`: first derivatives against central differences;
/// 2. `gradgradcheck(f)`: second derivatives (Hessian-vector products);
/// 3. `gradgradcheck(f(x)^2)`: here the output gradient reaching `f`'s
///    backward rule depends on `x`, so this also checks that the rule is
///    differentiable in that gradient (for a linear `f`, step 2 is zero and
///    only this step exercises its recorded backward graph).
pub fn check_op<F>(name: &str, f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: Fn(&[Var<f64>]) -> Var<f64>,
{
    if let Some(def) = sinapse_autograd::ops::operator(name) {
        let vars: Vec<Var<f64>> = inputs.iter().cloned().map(Var::new).collect();
        let (_, report) = profile(|| f(&vars));
        let ran = report.op(def.name).is_some_and(|s| s.forward.calls > 0);
        prop_assert!(ran, "{}: the checked function never runs the operator `{}`", name, def.name);
    }
    let opts = GradcheckOptions::default();
    let fail = |order: &str, e: sinapse_autograd::GradcheckError| {
        TestCaseError::fail(format!("{name}: {order}: {e} (input shapes {:?})", shapes(inputs)))
    };
    gradcheck(&f, inputs, &opts).map_err(|e| fail("gradcheck", e))?;
    gradgradcheck(&f, inputs, &opts).map_err(|e| fail("gradgradcheck", e))?;
    let squared = |xs: &[Var<f64>]| f(xs).square();
    gradgradcheck(squared, inputs, &opts).map_err(|e| fail("gradgradcheck of f^2", e))?;
    Ok(())
}

/// Asserts two tensors have the same shape and elements within `tol`.
pub fn assert_close(actual: &Tensor<f64>, expected: &Tensor<f64>, tol: f64) {
    assert_eq!(actual.shape(), expected.shape(), "shapes differ");
    for (i, (a, e)) in actual.to_vec().iter().zip(expected.to_vec()).enumerate() {
        assert!((a - e).abs() <= tol * (1.0 + e.abs()), "element {i}: {a} vs expected {e}");
    }
}
