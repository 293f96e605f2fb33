//! Reductions equal naive loops; sum_to_shape is the adjoint of broadcast_to.

mod strategies;

use proptest::prelude::*;
use sinapse_tensor::Tensor;
use strategies::*;

/// Naive reduction over `axes` (keepdim) by visiting every index.
fn naive(t: &Tensor<f64>, axes: &[usize], init: f64, fold: impl Fn(f64, f64) -> f64) -> Tensor<f64> {
    let out_shape: Vec<usize> =
        t.shape().iter().enumerate().map(|(d, &n)| if axes.contains(&d) { 1 } else { n }).collect();
    let mut acc = Tensor::full(&out_shape, init).to_vec();
    let strides: Vec<usize> = (0..out_shape.len()).map(|d| out_shape[d + 1..].iter().product()).collect();
    for idx in indices(t.shape()) {
        let pos: usize = idx.iter().enumerate().map(|(d, &i)| if axes.contains(&d) { 0 } else { i * strides[d] }).sum();
        acc[pos] = fold(acc[pos], t.get(&idx));
    }
    Tensor::from_vec(acc, &out_shape).unwrap()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-9 * (1.0 + y.abs()) || (x == y))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn axis_reductions_equal_naive_loops(t in shape(4, 4).prop_filter("ndim>=1", |s| !s.is_empty()).prop_flat_map(tensor_of::<f64>),
        mask in prop::collection::vec(any::<bool>(), 4)) {
        let axes: Vec<usize> = (0..t.ndim()).filter(|&d| mask[d]).collect();
        let iaxes: Vec<isize> = axes.iter().map(|&a| a as isize).collect();
        let s = t.sum_axes(&iaxes, true);
        prop_assert!(close(&s.to_vec(), &naive(&t, &axes, 0.0, |a, x| a + x).to_vec()));
        let count: usize = axes.iter().map(|&d| t.shape()[d]).product();
        if count > 0 {
            let m = t.mean_axes(&iaxes, true);
            let want: Vec<f64> = naive(&t, &axes, 0.0, |a, x| a + x).to_vec().iter().map(|x| x / count as f64).collect();
            prop_assert!(close(&m.to_vec(), &want));
        }
        // keepdim = false drops exactly the reduced axes
        let dropped = t.sum_axes(&iaxes, false);
        prop_assert_eq!(dropped.ndim(), t.ndim() - axes.len());
        prop_assert_eq!(dropped.to_vec(), s.to_vec());
        let ax = axes.first().copied().unwrap_or(0);
        let mx = t.max(ax as isize, true);
        prop_assert!(close(&mx.to_vec(), &naive(&t, &[ax], f64::NEG_INFINITY, f64::max).to_vec()));
        let mn = t.min(ax as isize, false);
        prop_assert!(close(&mn.to_vec(), &naive(&t, &[ax], f64::INFINITY, f64::min).to_vec()));
    }

    #[test]
    fn argmax_picks_the_maximum(t in nonempty_shape(3, 5).prop_flat_map(tensor_of::<f64>), ax in 0usize..3) {
        let ax = ax % t.ndim();
        let idx = t.argmax(ax as isize);
        let mx = t.max(ax as isize, false).to_vec();
        let perm: Vec<usize> = (0..t.ndim()).filter(|&a| a != ax).chain([ax]).collect();
        let moved = t.permute(&perm).contiguous();
        let n = t.shape()[ax];
        for (r, (&i, &m)) in idx.iter().zip(&mx).enumerate() {
            prop_assert_eq!(moved.to_vec()[r * n + i], m);
        }
    }

    #[test]
    fn full_reductions(t in any_tensor::<f64>()) {
        let v = t.to_vec();
        let s: f64 = v.iter().sum();
        prop_assert!((t.sum_all() - s).abs() < 1e-9);
        prop_assert_eq!(t.max_all(), v.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    }

    /// <broadcast(x), g> == <x, sum_to_shape(g)> for every x and g.
    #[test]
    fn sum_to_shape_is_adjoint_of_broadcast((small, full) in broadcast_pair(4, 4).prop_filter("small broadcasts to full", |(a, b)| {
            let lead = b.len().saturating_sub(a.len());
            a.len() <= b.len() && a.iter().enumerate().all(|(d, &n)| n == 1 || n == b[lead + d])
        }),
        xv in prop::collection::vec(-1.0f64..1.0, 1..64), gv in prop::collection::vec(-1.0f64..1.0, 1..64)) {
        let x = arrange::<f64>(&small, &Arrangement::Contiguous, &xv);
        let g = arrange::<f64>(&full, &Arrangement::Contiguous, &gv);
        let lhs = x.broadcast_to(&full).mul(&g).sum_all();
        let reduced = g.sum_to_shape(&small);
        prop_assert_eq!(reduced.shape(), &small[..]);
        let rhs = x.mul(&reduced).sum_all();
        prop_assert!((lhs - rhs).abs() < 1e-9);
    }

    /// Contiguous tensors take row and column fast paths (reducing trailing
    /// or leading axes, softmax along the last axis); the same values seen
    /// through a non-contiguous view take the general strided path. Both
    /// fold each group in the same order, so the bits agree (every NaN
    /// counted as one value), infinities included.
    #[test]
    fn fast_paths_give_the_same_bits_as_the_strided_path(
        dims in prop::collection::vec(1usize..=5, 2..=4),
        values in prop::collection::vec(prop_oneof![
            8 => -3.0f64..3.0,
            1 => Just(f64::NAN),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(f64::INFINITY),
        ], 625),
        prefix_len in 0usize..=4,
    ) {
        let n: usize = dims.iter().product();
        let t = Tensor::from_vec(values[..n].to_vec(), &dims).unwrap();
        let rev: Vec<usize> = (0..dims.len()).rev().collect();
        let view = t.permute(&rev).contiguous().permute(&rev);
        prop_assume!(!view.is_contiguous());
        // Any NaN counts as the same value: its sign and payload depend on
        // which operand the hardware propagates, which the compiler may swap.
        let bits = |x: &Tensor<f64>| {
            x.to_vec().iter().map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() }).collect::<Vec<_>>()
        };
        let k = prefix_len.min(dims.len());
        let leading: Vec<isize> = (0..k as isize).collect();
        let trailing: Vec<isize> = (k as isize..dims.len() as isize).collect();
        for axes in [&leading, &trailing] {
            prop_assert_eq!(bits(&t.sum_axes(axes, true)), bits(&view.sum_axes(axes, true)));
            prop_assert_eq!(bits(&t.mean_axes(axes, false)), bits(&view.mean_axes(axes, false)));
        }
        for ax in [0isize, -1] {
            prop_assert_eq!(bits(&t.max(ax, true)), bits(&view.max(ax, true)));
            prop_assert_eq!(bits(&t.min(ax, false)), bits(&view.min(ax, false)));
        }
        prop_assert_eq!(bits(&t.softmax(-1)), bits(&view.softmax(-1)));
        prop_assert_eq!(bits(&t.log_softmax(-1)), bits(&view.log_softmax(-1)));
    }

    #[test]
    fn softmax_rows_sum_to_one_and_log_softmax_agrees(t in nonempty_shape(3, 5).prop_flat_map(tensor_of::<f64>)) {
        let s = t.softmax(-1);
        for v in s.sum(-1, false).to_vec() {
            prop_assert!((v - 1.0).abs() < 1e-12);
        }
        let ls = t.log_softmax(-1);
        prop_assert!(close(&ls.exp().to_vec(), &s.to_vec()));
    }
}

#[test]
fn softmax_is_stable_for_huge_logits() {
    let t = Tensor::<f32>::from_vec(vec![1e4, 0.0, -1e4, 1e4], &[2, 2]).unwrap();
    let s = t.softmax(1);
    assert!(s.all_finite());
    assert_eq!(s.to_vec(), vec![1.0, 0.0, 0.0, 1.0]);
    let ls = t.log_softmax(1);
    assert!(ls.all_finite());
    assert_eq!(ls.to_vec()[0], 0.0);
    assert_eq!(ls.to_vec()[1], -1e4);
    assert_eq!(t.logsumexp(1, false).to_vec(), vec![1e4, 1e4]);
}

#[test]
fn sum_over_batch_axis_is_deterministic_and_parallel() {
    let t = Tensor::<f32>::from_fn(&[512, 300], |i| ((i[0] * 7 + i[1] * 13) % 17) as f32 * 0.1);
    let a = t.sum(0, false);
    let b = t.sum(0, false);
    assert_eq!(a.to_vec(), b.to_vec());
    assert_eq!(t.sum_all(), t.sum_all());
}
