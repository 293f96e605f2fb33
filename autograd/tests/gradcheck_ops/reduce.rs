//! Sums, means and maxima over axes.

use crate::common::{any_tensor, axis, check_op, config, Values};
use proptest::prelude::*;
use sinapse_tensor::Tensor;

/// A tensor and a subset of its axes (each written as `d` or `d - ndim`).
fn tensor_and_axes(kind: Values) -> impl Strategy<Value = (Tensor<f64>, Vec<isize>)> {
    any_tensor(0, 4, kind).prop_flat_map(|x| {
        let nd = x.ndim();
        let picks = prop::collection::vec((any::<bool>(), any::<bool>()), nd);
        (Just(x), picks).prop_map(move |(x, picks)| {
            let axes = picks
                .iter()
                .enumerate()
                .filter(|(_, &(take, _))| take)
                .map(|(d, &(_, neg))| if neg { d as isize - nd as isize } else { d as isize })
                .collect();
            (x, axes)
        })
    })
}

/// A tensor of at least one dimension and one of its axes.
fn tensor_and_axis(kind: Values) -> impl Strategy<Value = (Tensor<f64>, isize)> {
    any_tensor(1, 4, kind).prop_flat_map(|x| {
        let nd = x.ndim();
        (Just(x), axis(nd))
    })
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(48))]

    #[test]
    fn sum_axes((x, axes) in tensor_and_axes(Values::Smooth), keepdim in any::<bool>()) {
        check_op("sum_axes", |v| v[0].sum_axes(&axes, keepdim), &[x])?;
    }

    #[test]
    fn sum((x, axis) in tensor_and_axis(Values::Smooth), keepdim in any::<bool>()) {
        check_op("sum", |v| v[0].sum(axis, keepdim), &[x])?;
    }

    #[test]
    fn sum_all(x in any_tensor(0, 4, Values::Smooth)) {
        check_op("sum_all", |v| v[0].sum_all(), &[x])?;
    }

    #[test]
    fn mean_axes((x, axes) in tensor_and_axes(Values::Smooth), keepdim in any::<bool>()) {
        check_op("mean_axes", |v| v[0].mean_axes(&axes, keepdim), &[x])?;
    }

    #[test]
    fn mean((x, axis) in tensor_and_axis(Values::Smooth), keepdim in any::<bool>()) {
        check_op("mean", |v| v[0].mean(axis, keepdim), &[x])?;
    }

    #[test]
    fn mean_all(x in any_tensor(0, 4, Values::Smooth)) {
        check_op("mean_all", |v| v[0].mean_all(), &[x])?;
    }

    /// Distinct values: the maximum of each group is unique.
    #[test]
    fn max((x, axis) in tensor_and_axis(Values::Distinct), keepdim in any::<bool>()) {
        check_op("max", |v| v[0].max(axis, keepdim), &[x])?;
    }
}
