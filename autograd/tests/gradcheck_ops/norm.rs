//! Batch normalization.

use crate::common::{assert_close, check_op, config, tensor, Values};
use proptest::prelude::*;
use sinapse_autograd::ops::norm::batch_norm_backward_both;
use sinapse_tensor::Tensor;

/// `[N, C, ...]` of rank 2 to 4 with at least two values per channel, and
/// a per-channel weight and bias (each present or not).
fn batch_norm_case() -> impl Strategy<Value = (Tensor<f64>, Option<Tensor<f64>>, Option<Tensor<f64>>)> {
    (1..=3usize, 1..=3usize, prop::collection::vec(1..=3usize, 0..=2), any::<bool>(), any::<bool>())
        .prop_filter("two values per channel", |(n, _, rest, _, _)| n * rest.iter().product::<usize>() >= 2)
        .prop_flat_map(|(n, c, rest, has_w, has_b)| {
            let shape: Vec<usize> = [n, c].into_iter().chain(rest).collect();
            let per_channel = move |on: bool| {
                if on {
                    tensor(vec![c], Values::Smooth).prop_map(Some).boxed()
                } else {
                    Just(None).boxed()
                }
            };
            (tensor(shape, Values::Smooth), per_channel(has_w), per_channel(has_b))
        })
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(32))]

    /// First order runs the fused backward kernel; second order, the rule
    /// written with `Var` operations. eps = 0.5 keeps `1 / sqrt(var + eps)`
    /// bounded when a channel's few values nearly agree, so the finite
    /// differences stay accurate.
    #[test]
    fn batch_norm((x, w, b) in batch_norm_case()) {
        let inputs: Vec<Tensor<f64>> = [Some(x), w.clone(), b.clone()].into_iter().flatten().collect();
        let (has_w, has_b) = (w.is_some(), b.is_some());
        check_op("batch_norm", |v| {
            let w = has_w.then(|| &v[1]);
            let b = has_b.then(|| &v[1 + usize::from(has_w)]);
            v[0].batch_norm(w, b, 0.5).0
        }, &inputs)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The fused backward kernel and the rule written with `Var` operations
    /// give the same gradients.
    #[test]
    fn batch_norm_backward_paths_agree(
        ((x, w, _), g_seed) in batch_norm_case().prop_flat_map(|case| (Just(case), any::<u64>()))
    ) {
        let g = Tensor::<f64>::rand_uniform(x.shape(), -1.0, 1.0, &mut sinapse_tensor::seeded_rng(g_seed));
        let [fused, composite] = batch_norm_backward_both(&g, &x, w.as_ref(), 1e-3);
        assert_close(&fused.0, &composite.0, 1e-12);
        assert_close(&fused.1, &composite.1, 1e-12);
        assert_close(&fused.2, &composite.2, 1e-12);
    }
}
