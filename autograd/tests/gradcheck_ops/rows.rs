//! Row lookups (embeddings) and their adjoint scatter-add.

use crate::common::{check_op, config, tensor, Values};
use proptest::prelude::*;
use sinapse_tensor::{RowIndices, Tensor};
use std::sync::Arc;

/// A table of 1..=5 rows of width 1..=3, and indices of shape `[a]` or
/// `[a, b]` drawn with repeats (so rows are read twice and some never).
fn lookup_case() -> impl Strategy<Value = (usize, usize, Arc<RowIndices>)> {
    (1..=5usize, 1..=3usize, prop::collection::vec(1..=3usize, 1..=2)).prop_flat_map(|(rows, width, shape)| {
        let count = shape.iter().product::<usize>();
        prop::collection::vec(0..rows, count)
            .prop_map(move |idx| (rows, width, Arc::new(RowIndices::new(idx, &shape).expect("one index per element"))))
    })
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(32))]

    #[test]
    fn take_rows((table, idx) in lookup_case().prop_flat_map(|(rows, width, idx)| {
        (tensor(vec![rows, width], Values::Smooth), Just(idx))
    })) {
        check_op("take_rows", |v| v[0].take_rows(&idx), &[table])?;
    }

    #[test]
    fn scatter_add_rows((g, idx, rows) in lookup_case().prop_flat_map(|(rows, width, idx)| {
        (tensor(idx.output_shape(width), Values::Smooth), Just(idx), Just(rows))
    })) {
        check_op("scatter_add_rows", |v| v[0].scatter_add_rows(&idx, rows), &[g])?;
    }
}

/// The gradient of a lookup is the count-weighted scatter: a row read twice
/// gets twice the gradient, a row never read gets zero.
#[test]
fn lookup_gradient_counts_repeats() {
    use sinapse_autograd::Var;
    let table = Var::parameter(Tensor::<f64>::from_vec((0..8).map(f64::from).collect(), &[4, 2]).unwrap(), "t");
    let idx = Arc::new(RowIndices::new(vec![3, 1, 3], &[3]).unwrap());
    let grads = table.take_rows(&idx).sum_all().backward();
    assert_eq!(grads.get(&table).unwrap().to_vec(), vec![0., 0., 1., 1., 0., 0., 2., 2.]);
}
