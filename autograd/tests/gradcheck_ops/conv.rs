//! Convolutions: `conv2d` (with and without bias), its two gradient
//! operations (public, and themselves differentiable), and `conv1d`.

use crate::common::{check_op, config, shape, tensor, Values};
use proptest::prelude::*;
use sinapse_tensor::{Conv1dParams, Conv2dParams, MaxPoolIndices, Pool2dParams, Tensor};
use std::sync::Arc;

/// One random 2-D convolution: input `[N, C, H, W]`, weight `[O, C, KH, KW]`.
#[derive(Clone, Debug)]
struct Geometry {
    input: Vec<usize>,
    weight: Vec<usize>,
    params: Conv2dParams,
}

impl Geometry {
    fn output(&self) -> Vec<usize> {
        let (oh, ow) = self.params.output_size((self.input[2], self.input[3]), (self.weight[2], self.weight[3]));
        vec![self.input[0], self.weight[0], oh, ow]
    }
}

/// The smallest input length a kernel of `k` taps fits: the dilated kernel
/// `d (k - 1) + 1` must not exceed the padded input `len + 2 p`.
fn min_len(k: usize, padding: usize, dilation: usize) -> usize {
    (dilation * (k - 1) + 1).saturating_sub(2 * padding).max(1)
}

/// Random N, C, O in 1..=2, kernel 1..=3, stride 1..=2, padding 0..=1,
/// dilation 1..=2 (per axis), and an input that the kernel fits.
fn geometry() -> impl Strategy<Value = Geometry> {
    geometry_with_channels(1..=2)
}

/// [`geometry`] with `C` input channels drawn from `channels`.
fn geometry_with_channels(channels: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Geometry> {
    let axis = (1..=3usize, 1..=2usize, 0..=1usize, 1..=2usize, 0..=2usize);
    (1..=2usize, channels, 1..=2usize, axis.clone(), axis).prop_map(
        |(n, c, o, (kh, sh, ph, dh, eh), (kw, sw, pw, dw, ew))| {
            let h = min_len(kh, ph, dh) + eh;
            let w = min_len(kw, pw, dw) + ew;
            Geometry {
                input: vec![n, c, h, w],
                weight: vec![o, c, kh, kw],
                params: Conv2dParams::new((sh, sw), (ph, pw), (dh, dw)),
            }
        },
    )
}

/// A geometry with random input, weight and bias tensors.
fn conv2d_case() -> impl Strategy<Value = (Geometry, Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    tensors_for(geometry())
}

/// Random input, weight and bias tensors for each geometry of `geometries`.
fn tensors_for(
    geometries: impl Strategy<Value = Geometry>,
) -> impl Strategy<Value = (Geometry, Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    geometries.prop_flat_map(|g| {
        let (x, w, b) = (g.input.clone(), g.weight.clone(), vec![g.weight[0]]);
        (Just(g), tensor(x, Values::Smooth), tensor(w, Values::Smooth), tensor(b, Values::Smooth))
    })
}

/// A convolution followed by ReLU and max pooling: a geometry with
/// `channels` input channels (1 or 2: mostly at most 16 taps, the one-pass
/// forward and the few-taps gradients; 8: the channels-last gradients),
/// then a pooling window of 1 or 2 with stride 1 or 2 over its output.
///
/// The input and weight hold no repeated values (no broadcast arrangement):
/// a repeat makes equal convolution outputs, a tie inside a pooling window
/// where the function has a kink and a central difference reads half of
/// one side's slope.
fn conv_pool_case(
    channels: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = (Geometry, Pool2dParams, Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    let no_repeats = |t: &Tensor<f64>| {
        let mut v = t.to_vec();
        v.sort_by(f64::total_cmp);
        v.windows(2).all(|p| p[0] != p[1])
    };
    let case = tensors_for(geometry_with_channels(channels))
        .prop_filter("repeated values", move |(_, x, w, _)| no_repeats(x) && no_repeats(w));
    (case, 1..=2usize, 1..=2usize, 1..=2usize, 1..=2usize).prop_map(|((g, x, w, b), kh, kw, sh, sw)| {
        let out = g.output();
        let pool = Pool2dParams::new((kh.min(out[2]), kw.min(out[3])), (sh, sw), (0, 0));
        (g, pool, x, w, b)
    })
}

/// A geometry, the positions of a max pooling of its output (from a
/// random convolution-output-shaped tensor of distinct values), a pooled
/// gradient, and the convolution's weight (`with_weight`) or input.
fn pooled_case(with_weight: bool) -> impl Strategy<Value = (Geometry, Arc<MaxPoolIndices>, Tensor<f64>, Tensor<f64>)> {
    (geometry(), 1..=2usize, 1..=2usize, 1..=2usize, 1..=2usize).prop_flat_map(move |(g, kh, kw, sh, sw)| {
        let out = g.output();
        let pool = Pool2dParams::new((kh.min(out[2]), kw.min(out[3])), (sh, sw), (0, 0));
        let other = if with_weight { g.weight.clone() } else { g.input.clone() };
        (Just(g), Just(pool), tensor(out, Values::Distinct), tensor(other, Values::Smooth)).prop_flat_map(
            |(g, pool, z, other)| {
                let (pooled, indices) = z.max_pool2d(pool.kernel, pool.stride, pool.padding);
                let indices = Arc::new(indices);
                (Just(g), Just(indices), tensor(pooled.shape().to_vec(), Values::Smooth), Just(other))
            },
        )
    })
}

/// Random 1-D geometry `[N, C, L]`, `[O, C, K]`, and its tensors.
fn conv1d_case() -> impl Strategy<Value = (Conv1dParams, Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    (1..=2usize, 1..=2usize, 1..=2usize, 1..=3usize, 1..=2usize, 0..=1usize, 1..=2usize, 0..=2usize).prop_flat_map(
        |(n, c, o, k, s, p, d, e)| {
            let len = min_len(k, p, d) + e;
            (
                Just(Conv1dParams::new(s, p, d)),
                tensor(vec![n, c, len], Values::Smooth),
                tensor(vec![o, c, k], Values::Smooth),
                tensor(vec![o], Values::Smooth),
            )
        },
    )
}

op_checks! {
    list CHECKED;
    #![proptest_config(config(32))]

    #[test]
    fn conv2d((g, x, w, b) in conv2d_case(), with_bias in any::<bool>()) {
        let p = g.params;
        if with_bias {
            check_op("conv2d", |v| v[0].conv2d(&v[1], Some(&v[2]), p), &[x, w, b])?;
        } else {
            check_op("conv2d", |v| v[0].conv2d(&v[1], None, p), &[x, w])?;
        }
    }

    /// `dy -> dx` for a fixed weight, and `w -> dx` for a fixed `dy`.
    #[test]
    fn conv2d_grad_input((g, dy, w) in geometry().prop_flat_map(|g| {
        let (dy, w) = (g.output(), g.weight.clone());
        (Just(g), tensor(dy, Values::Smooth), tensor(w, Values::Smooth))
    })) {
        let (p, shape) = (g.params, g.input.clone());
        check_op("conv2d_grad_input", |v| v[0].conv2d_grad_input(&v[1], &shape, p), &[dy, w])?;
    }

    #[test]
    fn conv2d_grad_weight((g, dy, x) in geometry().prop_flat_map(|g| {
        let (dy, x) = (g.output(), g.input.clone());
        (Just(g), tensor(dy, Values::Smooth), tensor(x, Values::Smooth))
    })) {
        let (p, shape) = (g.params, g.weight.clone());
        check_op("conv2d_grad_weight", |v| v[0].conv2d_grad_weight(&v[1], &shape, p), &[dy, x])?;
    }

    /// `db[o] = sum of dy over (n, i, j)`, for any 4-D `dy`.
    #[test]
    fn conv2d_grad_bias(dy in shape(4, 4).prop_flat_map(|s| tensor(s, Values::Smooth))) {
        check_op("conv2d_grad_bias", |v| v[0].conv2d_grad_bias(), &[dy])?;
    }

    /// The pooled gradient `g` and the convolution's input `x`, with the
    /// positions of a max pooling of some convolution output held fixed: the
    /// map is bilinear, with no kink to avoid.
    #[test]
    fn conv2d_grad_weight_pooled((g, indices, dy, x) in pooled_case(false)) {
        let (p, shape) = (g.params, g.weight.clone());
        check_op("conv2d_grad_weight_pooled", |v| v[0].conv2d_grad_weight_pooled(&indices, &v[1], &shape, p), &[dy, x])?;
    }

    /// The pooled gradient and the weight, positions fixed as above.
    #[test]
    fn conv2d_grad_input_pooled((g, indices, dy, w) in pooled_case(true)) {
        let (p, shape) = (g.params, g.input.clone());
        check_op("conv2d_grad_input_pooled", |v| v[0].conv2d_grad_input_pooled(&indices, &v[1], &shape, p), &[dy, w])?;
    }

    #[test]
    fn conv1d((p, x, w, b) in conv1d_case(), with_bias in any::<bool>()) {
        if with_bias {
            check_op("conv1d", |v| v[0].conv1d(&v[1], Some(&v[2]), p), &[x, w, b])?;
        } else {
            check_op("conv1d", |v| v[0].conv1d(&v[1], None, p), &[x, w])?;
        }
    }
}

op_checks! {
    list CHECKED_FIXED_SEED;
    // A fixed seed: a finite difference across a tie inside a pooling window
    // or across the ReLU's kink would be a false failure, and the convolution's
    // outputs cannot be made distinct by construction; these cases are known
    // to stay clear of both, run after run.
    #![proptest_config(ProptestConfig {
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261203),
        ..config(32)
    })]

    #[test]
    fn conv2d_relu_max_pool2d((g, pool, x, w, b) in conv_pool_case(1..=2), with_bias in any::<bool>()) {
        let p = g.params;
        if with_bias {
            check_op("conv2d_relu_max_pool2d", |v| v[0].conv2d_relu_max_pool2d(&v[1], Some(&v[2]), p, pool), &[x, w, b])?;
        } else {
            check_op("conv2d_relu_max_pool2d", |v| v[0].conv2d_relu_max_pool2d(&v[1], None, p, pool), &[x, w])?;
        }
    }

    /// Eight input channels: 72 taps in runs of 24 (or 8 with dilation),
    /// the channels-last weight and input gradients of the backward pass.
    #[test]
    fn conv2d_relu_max_pool2d_many_channels((g, pool, x, w, b) in conv_pool_case(8..=8)) {
        let p = g.params;
        check_op("conv2d_relu_max_pool2d", |v| v[0].conv2d_relu_max_pool2d(&v[1], Some(&v[2]), p, pool), &[x, w, b])?;
    }
}
