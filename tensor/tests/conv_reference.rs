//! The fast convolution kernels (im2col + gemm, few taps, threads) against
//! the reference nested loops (`kernels::reference::conv2d_loops`), on
//! random shapes, in f32 and f64: forward and every gradient. The loops run
//! in f64 on the inputs rounded to the tested type; the fast kernels sum in
//! another order (and in f32 with f32 rounding), so they agree within a
//! relative tolerance of 1e-4 in f32 and 1e-11 in f64.

mod fast_kernels;

use fast_kernels::{conv1d_forward, conv1d_grad_bias, conv1d_grad_input, conv1d_grad_weight};
use fast_kernels::{conv2d_forward, conv2d_grad_bias, conv2d_grad_input, conv2d_grad_weight};
use proptest::prelude::*;
use sinapse_tensor::kernels::reference::conv2d_loops;
use sinapse_tensor::kernels::{Conv1dParams, Conv1dShape, Conv2dParams, Conv2dShape};
use sinapse_tensor::Element;

/// One random 2-D convolution problem; values are kept in f64 and rounded to
/// the element type before use, so the reference sees the same inputs.
#[derive(Clone, Debug)]
struct Problem {
    input: [usize; 4],
    weight: [usize; 4],
    params: Conv2dParams,
    x: Vec<f64>,
    w: Vec<f64>,
    b: Vec<f64>,
    dy: Vec<f64>,
}

/// Sizes along one axis: kernel, stride, padding, dilation and an input that
/// the dilated kernel fits into (possibly only thanks to the padding).
fn axis() -> impl Strategy<Value = (usize, usize, usize, usize, usize)> {
    (1usize..=4, 1usize..=3, 0usize..=2, 1usize..=3, 0usize..=4).prop_map(|(k, s, p, d, extra)| {
        let span = d * (k - 1) + 1;
        let input = span.saturating_sub(2 * p).max(1) + extra;
        (k, s, p, d, input)
    })
}

fn values(len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1.0f64..1.0, len)
}

fn problem() -> impl Strategy<Value = Problem> {
    (1usize..=3, 1usize..=3, 1usize..=4, axis(), axis())
        .prop_flat_map(|(n, c, o, (kh, sh, ph, dh, h), (kw, sw, pw, dw, w))| {
            let params = Conv2dParams::new((sh, sw), (ph, pw), (dh, dw));
            let shape = Conv2dShape::new([n, c, h, w], [o, c, kh, kw], params);
            let out_len: usize = shape.output_shape().iter().product();
            (Just(shape), values(n * c * h * w), values(o * c * kh * kw), values(o), values(out_len))
        })
        .prop_map(|(s, x, w, b, dy)| Problem {
            input: s.input_shape(),
            weight: s.weight_shape(),
            params: s.params,
            x,
            w,
            b,
            dy,
        })
}

struct Reference {
    y: Vec<f64>,
    dx: Vec<f64>,
    dw: Vec<f64>,
    db: Vec<f64>,
}

/// The reference loops and their gradients, in f64, on inputs rounded to `T`.
fn reference<T: Element>(p: &Problem, with_bias: bool) -> Reference {
    let round = |v: &[f64]| -> Vec<f64> { v.iter().map(|&a| T::from_f64_lossy(a).to_f64_lossless()).collect() };
    let (x, w, b, dy) = (round(&p.x), round(&p.w), round(&p.b), round(&p.dy));
    let s = Conv2dShape::new(p.input, p.weight, p.params);
    Reference {
        y: conv2d_loops::conv2d_forward(&s, &x, &w, with_bias.then_some(b.as_slice())),
        dx: conv2d_loops::conv2d_grad_input(&s, &dy, &w),
        dw: conv2d_loops::conv2d_grad_weight(&s, &dy, &x),
        db: conv2d_loops::conv2d_grad_bias(&dy, s.output_shape()),
    }
}

fn cast<T: Element>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&a| T::from_f64_lossy(a)).collect()
}

/// Tolerance relative to the magnitude: f32 sums of up to a few hundred
/// terms keep about 5 significant digits.
#[track_caller]
fn assert_close<T: Element>(what: &str, got: &[T], want: &[f64]) {
    let tol = if T::DTYPE == "f32" { 1e-4 } else { 1e-11 };
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let g = g.to_f64_lossless();
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: got {g}, want {w}");
    }
}

fn check_conv2d<T: Element>(p: &Problem, with_bias: bool) {
    let s = Conv2dShape::new(p.input, p.weight, p.params);
    let r = reference::<T>(p, with_bias);
    let (x, w, b, dy) = (cast::<T>(&p.x), cast::<T>(&p.w), cast::<T>(&p.b), cast::<T>(&p.dy));
    let bias = with_bias.then_some(b.as_slice());
    assert_close("y", &conv2d_forward(&s, &x, &w, bias), &r.y);
    assert_close("dx", &conv2d_grad_input(&s, &dy, &w), &r.dx);
    assert_close("dw", &conv2d_grad_weight(&s, &dy, &x), &r.dw);
    assert_close("db", &conv2d_grad_bias(&s, &dy), &r.db);
}

/// A 1-D problem is the 2-D one with height 1; the 1-D kernels must agree
/// with the 2-D reference on it.
fn check_conv1d<T: Element>(p: &Problem) {
    let [n, c, _, l] = p.input;
    let [o, _, _, k] = p.weight;
    let params = Conv1dParams::new(p.params.stride.1, p.params.padding.1, p.params.dilation.1);
    let flat = Problem { input: [n, c, 1, l], weight: [o, c, 1, k], params: params.as_2d(), ..p.clone() };
    let s = Conv1dShape::new([n, c, l], [o, c, k], params);
    let r = reference::<T>(&flat, true);
    let (x, w, b, dy) = (cast::<T>(&p.x), cast::<T>(&p.w), cast::<T>(&p.b), cast::<T>(&p.dy));
    assert_close("conv1d y", &conv1d_forward(&s, &x, &w, Some(&b)), &r.y);
    assert_close("conv1d dx", &conv1d_grad_input(&s, &dy, &w), &r.dx);
    assert_close("conv1d dw", &conv1d_grad_weight(&s, &dy, &x), &r.dw);
    assert_close("conv1d db", &conv1d_grad_bias(&s, &dy), &r.db);
}

/// A 1-D problem: height 1 throughout, values for those sizes.
fn problem_1d() -> impl Strategy<Value = Problem> {
    (1usize..=3, 1usize..=3, 1usize..=4, axis()).prop_flat_map(|(n, c, o, (k, st, pad, dil, l))| {
        let params = Conv1dParams::new(st, pad, dil);
        let s = Conv1dShape::new([n, c, l], [o, c, k], params);
        let out_len: usize = s.output_shape().iter().product();
        (values(n * c * l), values(o * c * k), values(o), values(out_len)).prop_map(move |(x, w, b, dy)| Problem {
            input: [n, c, 1, l],
            weight: [o, c, 1, k],
            params: params.as_2d(),
            x,
            w,
            b,
            dy,
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn conv2d_f64_matches_direct_loops(p in problem(), with_bias in any::<bool>()) {
        check_conv2d::<f64>(&p, with_bias);
    }

    #[test]
    fn conv2d_f32_matches_direct_loops(p in problem(), with_bias in any::<bool>()) {
        check_conv2d::<f32>(&p, with_bias);
    }

    #[test]
    fn output_size_counts_the_windows_that_fit((k, s, p, d, len) in axis()) {
        // Window o covers padded positions o*s .. o*s + span - 1; count those that end inside.
        let span = d * (k - 1) + 1;
        let fitting = (0..).take_while(|o| o * s + span <= len + 2 * p).count();
        let params = Conv2dParams::new((s, 1), (p, 0), (d, 1));
        prop_assert_eq!(params.output_size((len, 1), (k, 1)), (fitting, 1));
        prop_assert_eq!(Conv1dParams::new(s, p, d).output_len(len, k), fitting);
    }

    #[test]
    fn conv1d_matches_direct_loops(p in problem_1d()) {
        check_conv1d::<f64>(&p);
        check_conv1d::<f32>(&p);
    }
}

/// A deterministic pseudo-random problem (large ones would make proptest
/// slow to shrink, and need no shrinking).
fn fixed_problem(input: [usize; 4], weight: [usize; 4], params: Conv2dParams) -> Problem {
    let s = Conv2dShape::new(input, weight, params);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut vals = |len: usize| (0..len).map(|_| next()).collect::<Vec<f64>>();
    Problem {
        input,
        weight,
        params,
        x: vals(input.iter().product()),
        w: vals(weight.iter().product()),
        b: vals(weight[0]),
        dy: vals(s.output_shape().iter().product()),
    }
}

#[test]
fn pointwise_kernels_skip_im2col_and_still_match() {
    // 1x1, stride 1, no padding: the image is used as the column matrix.
    let p = fixed_problem([3, 5, 4, 6], [7, 5, 1, 1], Conv2dParams::valid());
    assert!(Conv2dShape::new(p.input, p.weight, p.params).is_pointwise());
    check_conv2d::<f64>(&p, true);
    check_conv2d::<f32>(&p, false);
    // 1x1 with a stride or padding goes through im2col.
    let strided = fixed_problem([2, 3, 5, 5], [4, 3, 1, 1], Conv2dParams::valid().with_stride((2, 2)));
    check_conv2d::<f64>(&strided, true);
    let padded = fixed_problem([2, 3, 5, 5], [4, 3, 1, 1], Conv2dParams::valid().with_padding((1, 0)));
    check_conv2d::<f64>(&padded, true);
}

#[test]
fn large_problems_take_the_parallel_path_and_still_match() {
    // 8 images of 8*3*3 x 14*14 columns and 8 filters: over the serial threshold.
    let p = fixed_problem([8, 8, 16, 16], [8, 8, 3, 3], Conv2dParams::valid());
    check_conv2d::<f64>(&p, true);
    check_conv2d::<f32>(&p, true);
    let p = fixed_problem([9, 4, 20, 17], [6, 4, 3, 2], Conv2dParams::new((2, 1), (1, 1), (2, 1)));
    check_conv2d::<f64>(&p, true);
    let p = fixed_problem([16, 32, 8, 8], [16, 32, 1, 1], Conv2dParams::valid());
    check_conv2d::<f64>(&p, false);
}

#[test]
fn grouped_products_with_a_short_last_group_still_match() {
    // 64 output positions per image: 16 images share one product. 40 images
    // split over threads make groups of 16, 16 and 8 in the forward pass and
    // the input gradient, and parts of 5 images in the weight gradient.
    let p = fixed_problem([40, 8, 10, 10], [8, 8, 3, 3], Conv2dParams::valid());
    check_conv2d::<f64>(&p, true);
    check_conv2d::<f32>(&p, true);
    // Padding and stride inside a group: each image's block starts where the
    // previous one ends, with its own zeros.
    let p = fixed_problem([7, 2, 5, 6], [3, 2, 3, 3], Conv2dParams::new((2, 1), (1, 2), (1, 1)));
    check_conv2d::<f64>(&p, false);
    // A single image per product (large images) on the same path.
    let p = fixed_problem([3, 1, 40, 40], [4, 1, 3, 3], Conv2dParams::valid());
    check_conv2d::<f64>(&p, true);
}

#[test]
fn empty_batch_or_no_filters_give_empty_or_zero_results() {
    let s = Conv2dShape::new([0, 2, 4, 4], [3, 2, 3, 3], Conv2dParams::valid());
    let w = vec![1.0f32; 3 * 2 * 9];
    assert!(conv2d_forward(&s, &[], &w, None).is_empty());
    assert!(conv2d_grad_input(&s, &[], &w).is_empty());
    assert_eq!(conv2d_grad_weight::<f32>(&s, &[], &[]), vec![0.0; w.len()]);
    assert_eq!(conv2d_grad_bias::<f32>(&s, &[]), vec![0.0; 3]);
    let s = Conv2dShape::new([2, 2, 4, 4], [0, 2, 3, 3], Conv2dParams::valid());
    let x = vec![1.0f64; 2 * 2 * 16];
    assert!(conv2d_forward(&s, &x, &[], None).is_empty());
    assert_eq!(conv2d_grad_input::<f64>(&s, &[], &[]), vec![0.0; x.len()]);
    assert!(conv2d_grad_weight(&s, &[], &x).is_empty());
}

/// A "valid" convolution with unit strides and dilation (the course's):
/// im2col copies whole input runs for it, in fixed-size blocks.
fn valid_unit_stride_problem() -> impl Strategy<Value = Problem> {
    (1usize..=5, 1usize..=3, 1usize..=4, 1usize..=4, 1usize..=4, 0usize..=8, 0usize..=36)
        .prop_flat_map(|(n, c, o, kh, kw, extra_h, extra_w)| {
            let shape = Conv2dShape::new([n, c, kh + extra_h, kw + extra_w], [o, c, kh, kw], Conv2dParams::valid());
            let out_len: usize = shape.output_shape().iter().product();
            let x_len = shape.input_shape().iter().product();
            (Just(shape), values(x_len), values(o * c * kh * kw), values(o), values(out_len))
        })
        .prop_map(|(s, x, w, b, dy)| Problem {
            input: s.input_shape(),
            weight: s.weight_shape(),
            params: s.params,
            x,
            w,
            b,
            dy,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_unit_stride_conv2d_matches_direct_loops(p in valid_unit_stride_problem()) {
        check_conv2d::<f64>(&p, true);
        check_conv2d::<f32>(&p, false);
    }
}
