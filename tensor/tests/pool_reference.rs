//! The pooling kernels against direct loops written here, on random shapes,
//! in f32 and f64: forward values, max positions and both backward passes.

use proptest::prelude::*;
use sinapse_tensor::kernels::avg_pool::{avg_pool2d_backward, avg_pool2d_forward};
use sinapse_tensor::kernels::max_pool::{max_pool2d_backward, max_pool2d_forward};
use sinapse_tensor::kernels::{Pool2dParams, Pool2dShape};
use sinapse_tensor::Element;

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

/// Calls `f(plane, out_index, in_indices)` for every output, with the flat
/// (whole-tensor) indices of the real input elements of its window in
/// row-major window order.
fn for_each_window(p: &Problem, mut f: impl FnMut(usize, usize, &[usize])) {
    let [n, c, h, w] = p.input;
    let Pool2dParams { kernel: (kh, kw), stride: (sh, sw), padding: (ph, pw) } = p.params;
    let (oh, ow) = ((h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
    let mut window = Vec::new();
    for plane in 0..n * c {
        for y in 0..oh {
            for x in 0..ow {
                window.clear();
                for i in 0..kh {
                    for j in 0..kw {
                        let ih = (y * sh + i) as isize - ph as isize;
                        let iw = (x * sw + j) as isize - pw as isize;
                        if (0..h as isize).contains(&ih) && (0..w as isize).contains(&iw) {
                            window.push(plane * h * w + ih as usize * w + iw as usize);
                        }
                    }
                }
                f(plane, (plane * oh + y) * ow + x, &window);
            }
        }
    }
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

fn check_max_pool<T: Element>(p: &Problem) {
    let s = Pool2dShape::new("max_pool2d", p.input, p.params);
    let (x, dy) = (rounded::<T>(&p.x), rounded::<T>(&p.dy));
    let plane_len = p.input[2] * p.input[3];
    let mut want_y = vec![0.0; dy.len()];
    let mut want_arg = vec![0u32; dy.len()];
    let mut want_dx = vec![0.0; x.len()];
    for_each_window(p, |plane, o, window| {
        // The first strict maximum in window order.
        let mut best = window[0];
        for &i in &window[1..] {
            if x[i] > x[best] {
                best = i;
            }
        }
        want_y[o] = x[best];
        want_arg[o] = (best - plane * plane_len) as u32;
        want_dx[best] += dy[o];
    });
    let (y, arg) = max_pool2d_forward(&s, &cast::<T>(&p.x));
    assert_close("max y", &y, &want_y);
    assert_eq!(arg, want_arg, "max argmax");
    assert_close("max dx", &max_pool2d_backward(&s, &cast::<T>(&p.dy), &arg), &want_dx);
}

fn check_avg_pool<T: Element>(p: &Problem) {
    let s = Pool2dShape::new("avg_pool2d", p.input, p.params);
    let (x, dy) = (rounded::<T>(&p.x), rounded::<T>(&p.dy));
    // Padding counts in the divisor: always the full window size.
    let area = (p.params.kernel.0 * p.params.kernel.1) as f64;
    let mut want_y = vec![0.0; dy.len()];
    let mut want_dx = vec![0.0; x.len()];
    for_each_window(p, |_, o, window| {
        want_y[o] = window.iter().map(|&i| x[i]).sum::<f64>() / area;
        for &i in window {
            want_dx[i] += dy[o] / area;
        }
    });
    assert_close("avg y", &avg_pool2d_forward(&s, &cast::<T>(&p.x)), &want_y);
    assert_close("avg dx", &avg_pool2d_backward(&s, &cast::<T>(&p.dy)), &want_dx);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn max_pool_matches_direct_loops(p in problem()) {
        check_max_pool::<f64>(&p);
        check_max_pool::<f32>(&p);
    }

    #[test]
    fn avg_pool_matches_direct_loops(p in problem()) {
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

/// The sequential scan's rules, NaN included: a larger value or a NaN
/// replaces the running maximum, so ties keep the first and the last NaN wins.
fn check_max_pool_2x2<T: Element>(p: &Problem, x: &[f64]) {
    let s = Pool2dShape::new("max_pool2d", p.input, p.params);
    let xt = cast::<T>(x);
    let plane_len = p.input[2] * p.input[3];
    let mut want_arg = vec![0u32; p.dy.len()];
    for_each_window(p, |plane, o, window| {
        let mut best = window[0];
        for &i in &window[1..] {
            if xt[i] > xt[best] || xt[i].is_nan() {
                best = i;
            }
        }
        want_arg[o] = (best - plane * plane_len) as u32;
    });
    let (y, arg) = max_pool2d_forward(&s, &xt);
    assert_eq!(arg, want_arg, "argmax of {x:?}");
    for (o, (&v, &at)) in y.iter().zip(&arg).enumerate() {
        let picked = xt[o / (s.out_plane_len()) * plane_len + at as usize];
        // Bit for bit: the value at the recorded position (so -0 stays -0).
        assert!(
            v.to_f64_lossless().to_bits() == picked.to_f64_lossless().to_bits(),
            "y[{o}] = {v} but x at its argmax is {picked}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn max_pool_2x2_keeps_the_scan_rules_on_ties_zeros_and_nans((p, x) in problem_2x2()) {
        check_max_pool_2x2::<f64>(&p, &x);
        check_max_pool_2x2::<f32>(&p, &x);
    }

    #[test]
    fn max_pool_2x2_matches_direct_loops((p, x) in problem_2x2()) {
        // The finite values only: the reference loop has no NaN rule.
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
fn avg_pool_counts_padding_in_the_divisor() {
    // 2x2 windows, stride 2, one zero of padding on each side of a 2x2 input:
    // each window holds one real value and three padded zeros, divided by 4.
    let s = Pool2dShape::new("avg_pool2d", [1, 1, 2, 2], Pool2dParams::new((2, 2), (2, 2), (1, 1)));
    assert_eq!(avg_pool2d_forward(&s, &[4.0f64, 8.0, 12.0, 16.0]), vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(avg_pool2d_backward(&s, &[1.0f64, 1.0, 1.0, 1.0]), vec![0.25; 4]);
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

/// `dx[plane, at] += dy` from a zero-filled `dx`: the definition, in `T`.
fn scatter<T: Element>(s: &Pool2dShape, dy: &[T], arg: &[u32]) -> Vec<T> {
    let mut dx = vec![T::zero(); s.input_shape().iter().product()];
    for (o, (&g, &at)) in dy.iter().zip(arg).enumerate() {
        let plane = o / s.out_plane_len();
        dx[plane * s.in_plane_len() + at as usize] += g;
    }
    dx
}

fn check_backward_bits<T: Element>(p: &Problem, arg: &[u32]) {
    let s = Pool2dShape::new("max_pool2d", p.input, p.params);
    let dy = cast::<T>(&p.dy);
    let bits = |v: &[T]| v.iter().map(|x| x.to_f64_lossless().to_bits()).collect::<Vec<_>>();
    let got = max_pool2d_backward(&s, &dy, arg);
    assert_eq!(bits(&got), bits(&scatter(&s, &dy, arg)), "dy {:?} arg {arg:?} params {:?}", p.dy, p.params);
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
