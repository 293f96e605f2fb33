//! The strategies must really produce what the checks rely on: awkward
//! layouts, size-1 and 0-d shapes, broadcastable pairs, and values away from
//! kinks and ties. Sampled with a fixed-seed runner.

use crate::common::{any_tensor, broadcast_pair, Values};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use sinapse_tensor::Tensor;

const SAMPLES: usize = 300;

fn sample<S: Strategy>(strategy: &S) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..SAMPLES).map(|_| strategy.new_tree(&mut runner).expect("value").current()).collect()
}

#[test]
fn tensors_come_in_awkward_layouts_and_shapes() {
    let xs = sample(&any_tensor(0, 4, Values::Smooth));
    let count = |p: &dyn Fn(&Tensor<f64>) -> bool| xs.iter().filter(|x| p(x)).count();
    assert!(count(&|x| x.ndim() == 0) > 5, "0-d tensors");
    assert!(count(&|x| x.shape().contains(&1) && x.ndim() > 1) > 30, "size-1 dimensions");
    assert!(count(&|x| !x.is_contiguous()) > 60, "non-contiguous views");
    assert!(count(&|x| x.offset() > 0) > 10, "views starting inside their buffer (narrowed)");
    assert!(count(&|x| x.shape().iter().zip(x.strides()).any(|(&n, &s)| n > 1 && s == 0)) > 10, "stride-0 views");
    assert!(xs.iter().all(|x| x.shape().iter().all(|&n| (1..=4).contains(&n))));
}

#[test]
fn values_keep_away_from_kinks_and_ties() {
    let all = |kind: Values| sample(&any_tensor(0, 3, kind)).into_iter().flat_map(|x| x.to_vec()).collect::<Vec<_>>();
    assert!(all(Values::Positive).iter().all(|&v| (0.2..2.0).contains(&v)));
    assert!(all(Values::AwayFromZero).iter().all(|&v| (0.2..2.0).contains(&v.abs())));
    let signs = all(Values::AwayFromZero);
    assert!(signs.iter().any(|&v| v < 0.0) && signs.iter().any(|&v| v > 0.0));
    for x in sample(&any_tensor(1, 4, Values::Distinct)) {
        let mut v = x.to_vec();
        v.sort_by(f64::total_cmp);
        assert!(v.windows(2).all(|w| w[1] - w[0] >= 0.25 - 1e-12), "distinct values {v:?}");
        assert!(v.iter().all(|x| x.abs() >= 0.125), "distinct values away from 0 {v:?}");
    }
    for (a, b) in sample(&broadcast_pair(Values::Lattice(0.25), Values::Lattice(0.0))) {
        let (a, b) = (a.broadcast_to(&shape_of(&a, &b)), b.broadcast_to(&shape_of(&a, &b)));
        assert!(a.to_vec().iter().zip(b.to_vec()).all(|(x, y)| (x - y).abs() >= 0.25 - 1e-12));
    }
}

/// The broadcast shape of two tensors.
fn shape_of(a: &Tensor<f64>, b: &Tensor<f64>) -> Vec<usize> {
    a.add(b).shape().to_vec()
}

#[test]
fn broadcast_pairs_broadcast_and_differ_in_shape() {
    let pairs = sample(&broadcast_pair(Values::Smooth, Values::Smooth));
    let differ = pairs.iter().filter(|(a, b)| a.shape() != b.shape()).count();
    let ranks = pairs.iter().filter(|(a, b)| a.ndim() != b.ndim()).count();
    assert!(differ > 100, "only {differ} pairs of different shapes");
    assert!(ranks > 50, "only {ranks} pairs of different ranks");
    for (a, b) in &pairs {
        let out = shape_of(a, b);
        assert_eq!(a.broadcast_to(&out).shape(), b.broadcast_to(&out).shape());
    }
}
