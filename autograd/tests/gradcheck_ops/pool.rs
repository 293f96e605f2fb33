//! Max, min and average pooling.

use crate::common::{check_op, config, tensor, Values};
use proptest::prelude::*;
use sinapse_tensor::{AvgPoolPadding, Pool2dParams, Tensor};
use std::sync::Arc;

type Window = ((usize, usize), (usize, usize), (usize, usize));

/// Random N, C in 1..=2, window 1..=3, stride 1..=2, padding at most half
/// the window (per axis), an input the window fits, and `kind` values.
fn pool_case(kind: Values) -> impl Strategy<Value = (Tensor<f64>, Window)> {
    let axis =
        (1..=3usize, 1..=2usize, 0..=2usize).prop_flat_map(|(k, s, extra)| (Just(k), Just(s), 0..=k / 2, Just(extra)));
    (1..=2usize, 1..=2usize, axis.clone(), axis).prop_flat_map(move |(n, c, (kh, sh, ph, eh), (kw, sw, pw, ew))| {
        let h = kh.saturating_sub(2 * ph).max(1) + eh;
        let w = kw.saturating_sub(2 * pw).max(1) + ew;
        (tensor(vec![n, c, h, w], kind), Just(((kh, kw), (sh, sw), (ph, pw))))
    })
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(32))]

    /// All input values distinct: no ties inside a window.
    #[test]
    fn max_pool2d((x, (k, s, p)) in pool_case(Values::Distinct)) {
        check_op("max_pool2d", |v| v[0].max_pool2d(k, s, p), &[x])?;
    }

    /// All input values distinct: no ties inside a window.
    #[test]
    fn min_pool2d((x, (k, s, p)) in pool_case(Values::Distinct)) {
        check_op("min_pool2d", |v| v[0].min_pool2d(k, s, p), &[x])?;
    }

    /// Distinct values, none 0: no ties among the positive ones, none on
    /// the ReLU's kink (negative ones become ties at 0, whose gradient is 0
    /// whichever is chosen).
    #[test]
    fn relu_max_pool2d((x, (k, s, p)) in pool_case(Values::Distinct)) {
        check_op("relu_max_pool2d", |v| v[0].relu_max_pool2d(k, s, p), &[x])?;
    }

    #[test]
    fn avg_pool2d((x, (k, s, p)) in pool_case(Values::Smooth)) {
        check_op("avg_pool2d", |v| v[0].avg_pool2d(k, s, p), &[x])?;
    }

    /// Both divisors; with padding left out, border windows divide by
    /// fewer elements than inner ones.
    #[test]
    fn avg_pool2d_with((x, (k, s, p)) in pool_case(Values::Smooth), excluded in any::<bool>()) {
        let padding = if excluded { AvgPoolPadding::Excluded } else { AvgPoolPadding::Counted };
        check_op("avg_pool2d_with", |v| v[0].avg_pool2d_with(Pool2dParams::new(k, s, p), padding), &[x])?;
    }

    /// `g` scattered to the maxima of a pooled input: linear in `g`.
    #[test]
    fn max_pool2d_backward((x, (k, s, p), g) in pool_case(Values::Distinct).prop_flat_map(|(x, w)| {
        let shape = pooled_shape(&x, w);
        (Just(x), Just(w), tensor(shape, Values::Smooth))
    })) {
        let indices = Arc::new(x.max_pool2d(k, s, p).1);
        check_op("max_pool2d_backward", |v| v[0].max_pool2d_backward(&indices), &[g])?;
    }

    /// An input-shaped tensor read at the maxima of another: linear.
    #[test]
    fn max_pool2d_gather((x, (k, s, p), h) in pool_case(Values::Distinct).prop_flat_map(|(x, w)| {
        let shape = x.shape().to_vec();
        (Just(x), Just(w), tensor(shape, Values::Smooth))
    })) {
        let indices = Arc::new(x.max_pool2d(k, s, p).1);
        check_op("max_pool2d_gather", |v| v[0].max_pool2d_gather(&indices), &[h])?;
    }

    /// Both divisors, spreading `g` back over an input of the pooled shape.
    #[test]
    fn avg_pool2d_backward((x, (k, s, p), g) in pool_case(Values::Smooth).prop_flat_map(|(x, w)| {
        let shape = pooled_shape(&x, w);
        (Just(x), Just(w), tensor(shape, Values::Smooth))
    }), excluded in any::<bool>()) {
        let padding = if excluded { AvgPoolPadding::Excluded } else { AvgPoolPadding::Counted };
        let shape = x.shape().to_vec();
        let params = Pool2dParams::new(k, s, p);
        check_op("avg_pool2d_backward", |v| v[0].avg_pool2d_backward(&shape, params, padding), &[g])?;
    }
}

/// The output shape of pooling `x` with `window`.
fn pooled_shape(x: &Tensor<f64>, (k, s, p): Window) -> Vec<usize> {
    x.avg_pool2d(k, s, p).shape().to_vec()
}
