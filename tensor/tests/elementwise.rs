//! Element-wise operations and broadcasting equal explicit expansion.

mod strategies;

use proptest::prelude::*;
use sinapse_tensor::Tensor;
use strategies::*;

/// A scalar reference function for a unary tensor op.
type ScalarFn = fn(f64) -> f64;

fn check_binary<F: Fn(&Tensor<f64>, &Tensor<f64>) -> Tensor<f64>>(
    a: &Tensor<f64>,
    b: &Tensor<f64>,
    op: F,
    reference: impl Fn(f64, f64) -> f64,
) -> Result<(), TestCaseError> {
    let c = op(a, b);
    for idx in indices(c.shape()) {
        let x = a.get(&broadcast_index(&idx, a.shape()));
        let y = b.get(&broadcast_index(&idx, b.shape()));
        let (got, want) = (c.get(&idx), reference(x, y));
        prop_assert!(got == want || (got.is_nan() && want.is_nan()), "at {:?}: {} vs {}", idx, got, want);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn broadcasting_binary_ops_equal_explicit_expansion(
        (sa, sb) in broadcast_pair(4, 4),
        arr_seed in any::<u64>(),
        vals in prop::collection::vec(-3.0f64..3.0, 1..80),
    ) {
        let arrs = [Arrangement::Contiguous, Arrangement::Permuted((0..sa.len()).rev().collect()),
            Arrangement::Narrowed { dim: 0, before: 1, after: 2 }];
        let pick = |s: &Vec<usize>, k: u64| {
            let arr = &arrs[(k % 3) as usize];
            let arr = match arr {
                Arrangement::Permuted(_) => Arrangement::Permuted((0..s.len()).rev().collect()),
                Arrangement::Narrowed { .. } if s.is_empty() => Arrangement::Contiguous,
                other => other.clone(),
            };
            arrange::<f64>(s, &arr, &vals)
        };
        let a = pick(&sa, arr_seed);
        let b = pick(&sb, arr_seed / 3);
        check_binary(&a, &b, |x, y| x + y, |x, y| x + y)?;
        check_binary(&a, &b, |x, y| x - y, |x, y| x - y)?;
        check_binary(&a, &b, |x, y| x * y, |x, y| x * y)?;
        check_binary(&a, &b, |x, y| x / y, |x, y| x / y)?;
        check_binary(&a, &b, |x, y| x.maximum(y), f64::max)?;
        check_binary(&a, &b, |x, y| x.minimum(y), f64::min)?;
        check_binary(&a, &b, |x, y| x.gt(y), |x, y| (x > y) as u8 as f64)?;
        check_binary(&a, &b, |x, y| x.le(y), |x, y| (x <= y) as u8 as f64)?;
    }

    #[test]
    fn unary_ops_match_scalar_functions(t in any_tensor::<f64>()) {
        let cases: Vec<(Tensor<f64>, ScalarFn)> = vec![
            (t.neg(), |x| -x),
            (t.exp(), f64::exp),
            (t.abs(), f64::abs),
            (t.tanh(), f64::tanh),
            (t.relu(), |x| x.max(0.0)),
            (t.sigmoid(), |x| 1.0 / (1.0 + (-x).exp())),
            (t.softplus(), |x| (1.0 + x.exp()).ln()),
            (t.leaky_relu(0.1), |x| if x > 0.0 { x } else { 0.1 * x }),
            (t.elu(1.5), |x| if x > 0.0 { x } else { 1.5 * (x.exp() - 1.0) }),
            (t.silu(), |x| x / (1.0 + (-x).exp())),
            (t.abs().sqrt(), |x| x.abs().sqrt()),
            (t.abs().ln(), |x| x.abs().ln()),
            (t.abs().powf(1.5), |x| x.abs().powf(1.5)),
            (t.clamp(-0.5, 0.5), |x| x.clamp(-0.5, 0.5)),
        ];
        let src = t.to_vec();
        for (out, f) in cases {
            prop_assert_eq!(out.shape(), t.shape());
            for (got, &x) in out.to_vec().iter().zip(&src) {
                prop_assert!((got - f(x)).abs() <= 1e-12 * (1.0 + f(x).abs()));
            }
        }
    }

    #[test]
    fn f32_matches_f64(t in any_tensor::<f64>()) {
        let t32: Tensor<f32> = t.cast();
        let a = (&t32 * 2.0f32).sigmoid().to_vec();
        let b = (&t * 2.0).sigmoid().to_vec();
        for (x, y) in a.iter().zip(&b) {
            prop_assert!((*x as f64 - y).abs() < 1e-6);
        }
    }
}

#[test]
fn softplus_is_stable_for_large_inputs() {
    let t = Tensor::<f64>::from_vec(vec![-800.0, -40.0, 0.0, 40.0, 800.0], &[5]).unwrap();
    let y = t.softplus().to_vec();
    // ln(1 + e^x) formed directly gives 0 at -40 (the small term lost) and
    // infinity at 800.
    assert_eq!(y[0], 0.0);
    assert!((y[1] - (-40f64).exp()).abs() < 1e-30, "{}", y[1]);
    assert_eq!(y[2], 2f64.ln());
    assert_eq!(y[3], 40.0 + (-40f64).exp().ln_1p());
    assert_eq!(y[4], 800.0);
}

#[test]
fn sigmoid_is_stable_for_large_inputs() {
    let t = Tensor::<f32>::from_vec(vec![-1e4, -100.0, 0.0, 100.0, 1e4], &[5]).unwrap();
    let s = t.sigmoid().to_vec();
    assert!(s.iter().all(|x| x.is_finite()));
    assert_eq!(s[0], 0.0);
    assert_eq!(s[2], 0.5);
    assert_eq!(s[4], 1.0);
}

#[test]
fn scalar_ops_and_large_parallel_inputs() {
    let n = 100_000;
    let a = Tensor::<f32>::from_fn(&[n], |i| i[0] as f32);
    let b = &(&a * 2.0f32) + 1.0f32;
    let v = b.to_vec();
    assert!(v.iter().enumerate().all(|(i, &x)| x == 2.0 * i as f32 + 1.0));
    // a large transposed operand goes through the strided path in parallel
    let m = Tensor::<f64>::from_fn(&[300, 400], |i| (i[0] * 1000 + i[1]) as f64);
    let mt = m.t().add(&Tensor::zeros(&[400, 300]));
    for i in [0usize, 17, 399] {
        for j in [0usize, 5, 299] {
            assert_eq!(mt.get(&[i, j]), m.get(&[j, i]));
        }
    }
}

#[test]
fn contiguous_views_with_an_offset_read_their_own_elements() {
    // Rows 3.. of a [400, 300] tensor: contiguous, starting 900 elements in,
    // large enough to be split over threads.
    let m = Tensor::<f32>::from_fn(&[400, 300], |i| (i[0] * 300 + i[1]) as f32);
    let tail = m.narrow(0, 3, 397);
    assert!(tail.is_contiguous());
    let doubled = tail.map(|x| 2.0 * x).to_vec();
    assert!(doubled.iter().enumerate().all(|(i, &x)| x == 2.0 * (900 + i) as f32));
    let diff = tail.sub(&m.narrow(0, 0, 397)).to_vec();
    assert!(diff.iter().all(|&x| x == 900.0));
}

#[test]
#[should_panic(expected = "add: shapes [2, 3] and [4] cannot be broadcast together")]
fn incompatible_shapes_panic_with_op_and_shapes() {
    let _ = Tensor::<f32>::zeros(&[2, 3]).add(&Tensor::zeros(&[4]));
}

/// Values from the definitions, computed independently (Python's
/// `math.erf`, 17 significant digits).
#[test]
fn gelu_and_the_normal_distribution_function_at_known_points() {
    let t = Tensor::<f64>::from_vec(vec![-1.0, 0.0, 1.0, 2.0], &[4]).unwrap();
    let phi = [0.15865525393145707, 0.5, 0.8413447460685429, 0.9772498680518208];
    for (got, want) in t.normal_cdf().to_vec().iter().zip(phi) {
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    }
    let gelu = [-0.15865525393145707, 0.0, 0.8413447460685429, 1.9544997361036416];
    for (got, want) in t.gelu().to_vec().iter().zip(gelu) {
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    }
    // The tanh approximation stays within 1e-3 of the exact GELU here.
    for (a, e) in t.gelu_tanh().to_vec().iter().zip(gelu) {
        assert!((a - e).abs() < 1e-3, "{a} vs {e}");
    }
    let t32 = Tensor::<f32>::from_vec(vec![-1.0, 1.0], &[2]).unwrap();
    assert!((t32.gelu().to_vec()[1] - 0.841_344_7).abs() < 1e-6);
}
