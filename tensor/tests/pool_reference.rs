//! The fast pooling kernels against the reference loops
//! (`kernels::reference`), on random shapes, in f32 and f64. Max and min
//! pooling choose and scatter exactly as the loops do, so values, positions
//! and gradients are compared bit for bit; average pooling sums in another
//! order and is compared within a relative 1e-5 (f32) or 1e-12 (f64), for
//! both divisors.

mod fast_kernels;

use fast_kernels::{
    avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward, min_pool2d_forward,
};
use proptest::prelude::*;
use sinapse_tensor::kernels::reference;
use sinapse_tensor::kernels::{Pool2dParams, Pool2dShape};
use sinapse_tensor::{AvgPoolPadding, Element};

#[derive(Clone, Debug)]
struct Problem {
    input: [usize; 4],
    params: Pool2dParams,
    x: Vec<f64>,
    dy: Vec<f64>,
}

/// Window, stride, padding (at most half the window) and an input size the
/// window fits into.
fn axis() -> impl Strategy<Value = (usize, usize, usize, usize)> {
    (1usize..=4, 1usize..=3, 0usize..=2, 0usize..=5).prop_map(|(k, s, p, extra)| {
        let p = p.min(k / 2);
        (k, s, p, k.saturating_sub(2 * p).max(1) + extra)
    })
}

fn problem() -> impl Strategy<Value = Problem> {
    // Small integers make ties common, which pins down the tie rule.
    let value = prop_oneof![(-3i32..=3).prop_map(f64::from), -1.0f64..1.0];
    (1usize..=2, 1usize..=3, axis(), axis()).prop_flat_map(move |(n, c, (kh, sh, ph, h), (kw, sw, pw, w))| {
        let params = Pool2dParams::new((kh, kw), (sh, sw), (ph, pw));
        let s = Pool2dShape::new("test", [n, c, h, w], params);
        let out_len: usize = s.output_shape().iter().product();
        (
            Just([n, c, h, w]),
            Just(params),
            prop::collection::vec(value.clone(), n * c * h * w),
            prop::collection::vec(-1.0f64..1.0, out_len),
        )
            .prop_map(|(input, params, x, dy)| Problem { input, params, x, dy })
    })
}

fn cast<T: Element>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&a| T::from_f64_lossy(a)).collect()
}

fn rounded<T: Element>(v: &[f64]) -> Vec<f64> {
    v.iter().map(|&a| T::from_f64_lossy(a).to_f64_lossless()).collect()
}

#[track_caller]
fn assert_close<T: Element>(what: &str, got: &[T], want: &[f64]) {
    let tol = if T::DTYPE == "f32" { 1e-5 } else { 1e-12 };
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let g = g.to_f64_lossless();
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: got {g}, want {w}");
    }
}

fn bits<T: Element>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64_lossless().to_bits()).collect()
}

/// Max and min pooling, forward and backward, bit for bit the loops'.
fn check_max_pool<T: Element>(p: &Problem) {
    let s = Pool2dShape::new("max_pool2d", p.input, p.params);
    let (x, dy) = (cast::<T>(&p.x), cast::<T>(&p.dy));
    let (want_y, want_arg) = reference::max_pool::max_pool2d_forward(&s, &x);
    let (y, arg) = max_pool2d_forward(&s, &x);
    assert_eq!(bits(&y), bits(&want_y), "max y of {x:?}");
    assert_eq!(arg, want_arg, "max argmax of {x:?}");
    let want_dx = reference::max_pool::max_pool2d_backward(&s, &dy, &arg);
    assert_eq!(bits(&max_pool2d_backward(&s, &dy, &arg)), bits(&want_dx), "max dx");

    let (want_y, want_arg) = reference::min_pool::min_pool2d_forward(&s, &x);
    let (y, arg) = min_pool2d_forward(&s, &x);
    assert_eq!(bits(&y), bits(&want_y), "min y of {x:?}");
    assert_eq!(arg, want_arg, "min argmin of {x:?}");
}

/// Average pooling with both divisors, within the tolerance.
fn check_avg_pool<T: Element>(p: &Problem) {
    let s = Pool2dShape::new("avg_pool2d", p.input, p.params);
    let (x, dy) = (rounded::<T>(&p.x), rounded::<T>(&p.dy));
    for padding in [AvgPoolPadding::Counted, AvgPoolPadding::Excluded] {
        let want_y = reference::avg_pool::avg_pool2d_forward(&s, &x, padding);
        let want_dx = reference::avg_pool::avg_pool2d_backward(&s, &dy, padding);
        assert_close("avg y", &avg_pool2d_forward(&s, &cast::<T>(&p.x), padding), &want_y);
        assert_close("avg dx", &avg_pool2d_backward(&s, &cast::<T>(&p.dy), padding), &want_dx);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn max_and_min_pool_match_the_reference_loops(p in problem()) {
        check_max_pool::<f64>(&p);
        check_max_pool::<f32>(&p);
    }

    #[test]
    fn avg_pool_matches_the_reference_loops(p in problem()) {
        check_avg_pool::<f64>(&p);
        check_avg_pool::<f32>(&p);
    }
}

/// The course's 2x2 window, stride 2, no padding (a path of its own in the
/// kernel), on values full of ties, signed zeros, infinities and NaNs.
fn problem_2x2() -> impl Strategy<Value = (Problem, Vec<f64>)> {
    let special = prop_oneof![
        Just(0.0f64),
        Just(-0.0),
        Just(1.0),
        Just(-1.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::NAN),
        -2.0f64..2.0,
    ];
    (1usize..=2, 1usize..=3, 2usize..=9, 2usize..=9).prop_flat_map(move |(n, c, h, w)| {
        let params = Pool2dParams::square(2);
        let len = n * c * h * w;
        let out_len = n * c * (h / 2) * (w / 2);
        (prop::collection::vec(special.clone(), len), prop::collection::vec(-1.0f64..1.0, out_len)).prop_map(
            move |(x, dy)| {
                let p = Problem { input: [n, c, h, w], params, x: vec![0.0; len], dy };
                (p, x)
            },
        )
    })
}

/// The scan's rules, NaN included (a larger value or a NaN replaces the
/// one kept, so ties keep the first and the last NaN wins), are the
/// reference loops' rules: positions equal, values bit for bit (-0 stays -0).
fn check_max_pool_2x2<T: Element>(p: &Problem, x: &[f64]) {
    check_max_pool::<T>(&Problem { x: x.to_vec(), ..p.clone() });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn max_pool_2x2_keeps_the_scan_rules_on_ties_zeros_and_nans((p, x) in problem_2x2()) {
        check_max_pool_2x2::<f64>(&p, &x);
        check_max_pool_2x2::<f32>(&p, &x);
    }

    #[test]
    fn max_pool_2x2_matches_the_reference_loops_on_finite_values((p, x) in problem_2x2()) {
        let x: Vec<f64> = x.iter().map(|v| if v.is_finite() { *v } else { 0.5 }).collect();
        let p = Problem { x, ..p };
        check_max_pool::<f64>(&p);
        check_max_pool::<f32>(&p);
    }
}

#[test]
fn large_inputs_take_the_parallel_path_and_still_match() {
    let (n, c, h, w) = (4, 16, 33, 30);
    let params = Pool2dParams::new((3, 3), (2, 2), (1, 1));
    let s = Pool2dShape::new("test", [n, c, h, w], params);
    let out_len: usize = s.output_shape().iter().product();
    let x: Vec<f64> = (0..n * c * h * w).map(|i| ((i * 7919) % 1000) as f64 / 100.0 - 5.0).collect();
    let dy: Vec<f64> = (0..out_len).map(|i| ((i * 104_729) % 997) as f64 / 500.0 - 1.0).collect();
    let p = Problem { input: [n, c, h, w], params, x, dy };
    check_max_pool::<f64>(&p);
    check_max_pool::<f32>(&p);
    check_avg_pool::<f64>(&p);
    check_avg_pool::<f32>(&p);
    // The same input through the 2x2 path, also split over threads.
    let params = Pool2dParams::square(2);
    let s = Pool2dShape::new("test", [n, c, h, w], params);
    let dy = vec![1.0; s.output_shape().iter().product()];
    let p = Problem { params, dy, ..p };
    check_max_pool::<f64>(&p);
    check_max_pool::<f32>(&p);
}

#[test]
fn max_pool_never_selects_padding_even_below_zero() {
    // All inputs negative: a zero-valued padding would win; -inf padding must not.
    let s = Pool2dShape::new("max_pool2d", [1, 1, 2, 2], Pool2dParams::new((2, 2), (1, 1), (1, 1)));
    let (y, arg) = max_pool2d_forward(&s, &[-4.0f32, -3.0, -2.0, -1.0]);
    assert_eq!(y, vec![-4.0, -3.0, -3.0, -2.0, -1.0, -1.0, -2.0, -1.0, -1.0]);
    assert_eq!(arg, vec![0, 1, 1, 2, 3, 3, 2, 3, 3]);
    // A window of -inf values still points inside the input.
    let (y, arg) = max_pool2d_forward(&s, &[f64::NEG_INFINITY; 4]);
    assert!(y.iter().all(|v| *v == f64::NEG_INFINITY));
    assert!(arg.iter().all(|&i| i < 4));
}

#[test]
fn max_pool_propagates_nan() {
    let s = Pool2dShape::new("max_pool2d", [1, 1, 2, 2], Pool2dParams::square(2));
    let (y, arg) = max_pool2d_forward(&s, &[1.0f32, f32::NAN, 3.0, 2.0]);
    assert!(y[0].is_nan());
    assert_eq!(arg, vec![1]);
}

#[test]
fn avg_pool_counts_padding_in_the_divisor_or_leaves_it_out() {
    // 2x2 windows, stride 2, one zero of padding on each side of a 2x2 input:
    // each window holds one real value and three padded zeros.
    let s = Pool2dShape::new("avg_pool2d", [1, 1, 2, 2], Pool2dParams::new((2, 2), (2, 2), (1, 1)));
    let (x, ones) = ([4.0f64, 8.0, 12.0, 16.0], [1.0f64; 4]);
    for (padding, y, dx) in [(AvgPoolPadding::Counted, [1.0, 2.0, 3.0, 4.0], 0.25), (AvgPoolPadding::Excluded, x, 1.0)]
    {
        assert_eq!(avg_pool2d_forward(&s, &x, padding), y, "{padding:?}");
        assert_eq!(avg_pool2d_backward(&s, &ones, padding), vec![dx; 4], "{padding:?}");
        assert_eq!(reference::avg_pool::avg_pool2d_forward(&s, &x, padding), y, "{padding:?}");
        assert_eq!(reference::avg_pool::avg_pool2d_backward(&s, &ones, padding), vec![dx; 4], "{padding:?}");
    }
    // A 3x3 window, stride 1, padding 1 over a 2x3 input: the corner windows
    // cover 4 elements, the middle ones 6.
    let s = Pool2dShape::new("avg_pool2d", [1, 1, 2, 3], Pool2dParams::new((3, 3), (1, 1), (1, 1)));
    let y = avg_pool2d_forward(&s, &[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], AvgPoolPadding::Excluded);
    assert_eq!(y, vec![3.0, 3.5, 4.0, 3.0, 3.5, 4.0]);
}

#[test]
fn min_pool_takes_the_smallest_never_the_padding() {
    // All inputs positive: a zero-valued padding would win; it must not.
    let s = Pool2dShape::new("min_pool2d", [1, 1, 2, 2], Pool2dParams::new((2, 2), (1, 1), (1, 1)));
    let (y, arg) = min_pool2d_forward(&s, &[4.0f32, 3.0, 2.0, 1.0]);
    assert_eq!(y, vec![4.0, 3.0, 3.0, 2.0, 1.0, 1.0, 2.0, 1.0, 1.0]);
    assert_eq!(arg, vec![0, 1, 1, 2, 3, 3, 2, 3, 3]);
    assert_eq!(reference::min_pool::min_pool2d_forward(&s, &[4.0f32, 3.0, 2.0, 1.0]), (y, arg));
}

#[test]
#[should_panic(expected = "max_pool2d: padding 2x0 is more than half the window 3x3")]
fn padding_over_half_the_window_is_rejected() {
    Pool2dShape::new("max_pool2d", [1, 1, 5, 5], Pool2dParams::new((3, 3), (1, 1), (2, 0)));
}

#[test]
#[should_panic(expected = "avg_pool2d: window 3x3 does not fit input [1, 2, 2, 5] padded by 0x0")]
fn window_larger_than_input_is_rejected() {
    Pool2dShape::new("avg_pool2d", [1, 2, 2, 5], Pool2dParams::square(3));
}

/// Indices for a backward pass: usually the forward's own (each inside its
/// window), sometimes any position of the plane (the kernel must then still
/// scatter, not assume its windows).
fn backward_problem() -> impl Strategy<Value = (Problem, Vec<u32>)> {
    let grad = prop_oneof![Just(0.0f64), Just(-0.0), Just(f64::INFINITY), Just(f64::NAN), -2.0f64..2.0];
    // Half of the cases tile the plane (stride = window, no padding; the
    // one-pass path), with a remainder of rows and columns no window covers.
    let tiled = (1usize..=2, 1usize..=3, 1usize..=3, 1usize..=3, 1usize..=4, 1usize..=4, 0usize..3, 0usize..3)
        .prop_flat_map(|(n, c, kh, kw, oh, ow, rh, rw)| {
            let (h, w) = (kh * oh + rh % kh, kw * ow + rw % kw);
            let params = Pool2dParams::new((kh, kw), (kh, kw), (0, 0));
            let x = prop::collection::vec(-1.0f64..1.0, n * c * h * w);
            x.prop_map(move |x| Problem { input: [n, c, h, w], params, x, dy: Vec::new() })
        });
    (prop_oneof![problem(), tiled], any::<bool>()).prop_flat_map(move |(p, anywhere)| {
        let s = Pool2dShape::new("test", p.input, p.params);
        let (plane_len, out_len) = (s.in_plane_len() as u32, s.output_shape().iter().product::<usize>());
        let (_, own) = max_pool2d_forward(&s, &p.x);
        let arg = if anywhere { prop::collection::vec(0..plane_len, out_len).boxed() } else { Just(own).boxed() };
        (Just(p), prop::collection::vec(grad.clone(), out_len), arg).prop_map(|(p, dy, arg)| (Problem { dy, ..p }, arg))
    })
}

fn check_backward_bits<T: Element>(p: &Problem, arg: &[u32]) {
    let s = Pool2dShape::new("max_pool2d", p.input, p.params);
    let dy = cast::<T>(&p.dy);
    let got = max_pool2d_backward(&s, &dy, arg);
    let want = reference::max_pool::max_pool2d_backward(&s, &dy, arg);
    assert_eq!(bits(&got), bits(&want), "dy {:?} arg {arg:?} params {:?}", p.dy, p.params);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Non-overlapping windows are written in one pass, overlapping ones
    /// scattered; both must give the scatter's bits: `0 + (-0)` is `+0`, a
    /// NaN or infinity lands where the index says, and an index outside its
    /// window is honoured.
    #[test]
    fn max_pool_backward_is_the_scatter_bit_for_bit((p, arg) in backward_problem()) {
        check_backward_bits::<f64>(&p, &arg);
        check_backward_bits::<f32>(&p, &arg);
    }
}
