//! Matrix products: 2-D, batched with broadcast batch dimensions, and with a
//! vector on either or both sides.

use crate::common::{broadcast_shapes, check_op, config, tensor, Values, MAX_SIZE};
use proptest::prelude::*;
use sinapse_tensor::Tensor;

/// The operand shapes of one matmul case.
fn with(batch: &[usize], tail: &[usize]) -> Vec<usize> {
    batch.iter().chain(tail).copied().collect()
}

/// Operand shapes: `(kind, m, k, n, (batch_a, batch_b))` where kind 0 is
/// 2-D, 1 batched, 2 vector x batch, 3 batch x vector, 4 vector x vector.
fn operand_shapes() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    let dim = 1..=MAX_SIZE;
    (0..5usize, dim.clone(), dim.clone(), dim, broadcast_shapes(2)).prop_map(|(kind, m, k, n, (ba, bb))| match kind {
        0 => (vec![m, k], vec![k, n]),
        1 => (with(&ba, &[m, k]), with(&bb, &[k, n])),
        2 => (vec![k], with(&bb, &[k, n])),
        3 => (with(&ba, &[m, k]), vec![k]),
        _ => (vec![k], vec![k]),
    })
}

fn operands() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    operand_shapes().prop_flat_map(|(sa, sb)| (tensor(sa, Values::Smooth), tensor(sb, Values::Smooth)))
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(48))]

    #[test]
    fn matmul((a, b) in operands()) {
        check_op("matmul", |v| v[0].matmul(&v[1]), &[a, b])?;
    }

    /// Column-major operands (a `Linear` layer's `W^T`), whose gradients
    /// are computed transposed: every combination of the two layouts.
    #[test]
    fn matmul_of_transposed_views(
        (a, b) in (1..=MAX_SIZE, 1..=MAX_SIZE, 1..=MAX_SIZE).prop_flat_map(|(m, k, n)| {
            (tensor(vec![k, m], Values::Smooth), tensor(vec![n, k], Values::Smooth))
        }),
        flips in (any::<bool>(), any::<bool>()),
    ) {
        let a = if flips.0 { a.t().contiguous() } else { a.t() };
        let b = if flips.1 { b.t().contiguous() } else { b.t() };
        check_op("matmul", |v| v[0].matmul(&v[1]), &[a, b])?;
    }
}
