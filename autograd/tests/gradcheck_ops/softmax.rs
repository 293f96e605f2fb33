//! Softmax, log-softmax and the fused softmax cross-entropy.

use crate::common::{any_tensor, axis, check_op, config, tensor, Values, MAX_SIZE};
use proptest::prelude::*;
use sinapse_tensor::Tensor;

/// A tensor of 1 to 3 dimensions and one of its axes.
fn tensor_and_axis() -> impl Strategy<Value = (Tensor<f64>, isize)> {
    any_tensor(1, 3, Values::Smooth).prop_flat_map(|x| {
        let nd = x.ndim();
        (Just(x), axis(nd))
    })
}

/// `[B, C]` target rows summing to 1: one-hot labels, or positive weights
/// normalized per row (soft labels).
fn targets(batch: usize, classes: usize) -> impl Strategy<Value = Tensor<f64>> {
    let one_hot = prop::collection::vec(0..classes, batch)
        .prop_map(move |labels| Tensor::from_fn(&[batch, classes], |i| if labels[i[0]] == i[1] { 1.0 } else { 0.0 }));
    let soft = prop::collection::vec(0.1..1.0f64, batch * classes).prop_map(move |w| {
        Tensor::from_fn(&[batch, classes], |i| {
            let row = &w[i[0] * classes..(i[0] + 1) * classes];
            row[i[1]] / row.iter().sum::<f64>()
        })
    });
    prop_oneof![one_hot, soft]
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(48))]

    #[test]
    fn softmax((x, axis) in tensor_and_axis()) {
        check_op("softmax", |v| v[0].softmax(axis), &[x])?;
    }

    #[test]
    fn log_softmax((x, axis) in tensor_and_axis()) {
        check_op("log_softmax", |v| v[0].log_softmax(axis), &[x])?;
    }

    #[test]
    fn cross_entropy_with_logits((logits, t) in (1..=MAX_SIZE, 1..=MAX_SIZE).prop_flat_map(|(b, c)| {
        (tensor(vec![b, c], Values::Smooth), targets(b, c))
    })) {
        check_op("cross_entropy_with_logits", |v| v[0].cross_entropy_with_logits(&t), &[logits])?;
    }

    /// Targets anywhere in `[-2, 2)`: the loss is linear in them, so the
    /// check does not need them in `[0, 1]`.
    #[test]
    fn binary_cross_entropy_with_logits((z, y) in any_tensor(0, 4, Values::Smooth).prop_flat_map(|z| {
        let shape = z.shape().to_vec();
        (Just(z), tensor(shape, Values::Smooth))
    })) {
        check_op("binary_cross_entropy_with_logits", |v| v[0].binary_cross_entropy_with_logits(&y), &[z])?;
    }
}
