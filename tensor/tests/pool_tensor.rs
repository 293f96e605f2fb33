//! Tensor-level pooling: the course's max-pooling example, gradients,
//! the padding rule of average pooling, non-contiguous inputs, shape
//! errors, and the fused ReLU + max pooling.

use proptest::prelude::*;
use sinapse_tensor::{seeded_rng, Tensor};

fn course_input() -> Tensor<f32> {
    #[rustfmt::skip]
    let x = vec![
        12.0, 20.0, 30.0, 0.0,
        8.0, 12.0, 2.0, 0.0,
        34.0, 70.0, 37.0, 4.0,
        112.0, 100.0, 25.0, 12.0,
    ];
    Tensor::from_vec(x, &[1, 1, 4, 4]).unwrap()
}

#[test]
fn course_example_2x2_max_pooling() {
    let (y, indices) = course_input().max_pool2d((2, 2), (2, 2), (0, 0));
    assert_eq!(y.shape(), &[1, 1, 2, 2]);
    assert_eq!(y.to_vec(), vec![20.0, 30.0, 112.0, 37.0]);
    // Flat positions in the 4x4 plane: (0,1), (0,2), (3,0), (2,2).
    assert_eq!(indices.as_slice(), &[1, 2, 12, 10]);
    assert_eq!(indices.input_shape(), [1, 1, 4, 4]);
    assert_eq!(indices.output_shape(), [1, 1, 2, 2]);
}

#[test]
fn max_pool_gradient_goes_to_the_maxima_only() {
    let (_, indices) = course_input().max_pool2d((2, 2), (2, 2), (0, 0));
    let dy = Tensor::<f32>::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[1, 1, 2, 2]).unwrap();
    let dx = dy.max_pool2d_backward(&indices);
    assert_eq!(dx.shape(), &[1, 1, 4, 4]);
    #[rustfmt::skip]
    let want = vec![
        0.0, 1.0, 2.0, 0.0,
        0.0, 0.0, 0.0, 0.0,
        0.0, 0.0, 4.0, 0.0,
        3.0, 0.0, 0.0, 0.0,
    ];
    assert_eq!(dx.to_vec(), want);
}

#[test]
fn overlapping_windows_add_their_gradients() {
    // 3x3 windows, stride 1, on a 3x4 plane whose maximum 9 is in every window.
    let x = Tensor::<f64>::from_vec(vec![0., 1., 2., 3., 4., 9., 5., 6., 7., 8., 1., 2.], &[1, 1, 3, 4]).unwrap();
    let (y, indices) = x.max_pool2d((3, 3), (1, 1), (0, 0));
    assert_eq!(y.to_vec(), vec![9.0, 9.0]);
    let dx = Tensor::<f64>::ones(&[1, 1, 1, 2]).max_pool2d_backward(&indices);
    assert_eq!(dx.to_vec()[5], 2.0);
    assert_eq!(dx.to_vec().iter().sum::<f64>(), 2.0);
}

#[test]
fn avg_pool_of_the_course_input() {
    let y = course_input().avg_pool2d((2, 2), (2, 2), (0, 0));
    assert_eq!(y.to_vec(), vec![13.0, 8.0, 79.0, 19.5]);
    let dx = Tensor::<f32>::ones(&[1, 1, 2, 2]).avg_pool2d_backward(&[1, 1, 4, 4], (2, 2), (2, 2), (0, 0));
    assert_eq!(dx.to_vec(), vec![0.25; 16]);
}

#[test]
fn avg_pool_divides_by_the_full_window_at_the_border() {
    // 3x3 windows, stride 1, padding 1 on a 2x2 plane of ones: each window
    // holds all 4 ones and 5 padded zeros, so 4/9.
    let y = Tensor::<f64>::ones(&[1, 1, 2, 2]).avg_pool2d((3, 3), (1, 1), (1, 1));
    assert_eq!(y.shape(), &[1, 1, 2, 2]);
    assert!(y.to_vec().iter().all(|&v| (v - 4.0 / 9.0).abs() < 1e-15));
    // The gradient is the transpose: every input is in 4 windows of weight 1/9.
    let dx = Tensor::<f64>::ones(&[1, 1, 2, 2]).avg_pool2d_backward(&[1, 1, 2, 2], (3, 3), (1, 1), (1, 1));
    assert!(dx.to_vec().iter().all(|&v| (v - 4.0 / 9.0).abs() < 1e-15));
}

#[test]
fn non_contiguous_inputs_give_the_same_results() {
    let stored = Tensor::<f64>::rand_uniform(&[2, 9, 7, 3], -1.0, 1.0, &mut seeded_rng(5));
    let x = stored.permute(&[0, 3, 1, 2]); // [2, 3, 9, 7], not contiguous
    assert!(!x.is_contiguous());
    let xc = x.contiguous();
    let (y, idx) = x.max_pool2d((3, 2), (2, 2), (1, 1));
    let (yc, idxc) = xc.max_pool2d((3, 2), (2, 2), (1, 1));
    assert_eq!((y.to_vec(), &idx), (yc.to_vec(), &idxc));
    let s = y.shape();
    // Stored with the first two axes swapped: the view is not contiguous.
    let dy = Tensor::<f64>::rand_uniform(&[s[1], s[0], s[2], s[3]], -1.0, 1.0, &mut seeded_rng(6)).transpose(0, 1);
    assert!(!dy.is_contiguous());
    assert_eq!(dy.max_pool2d_backward(&idx).to_vec(), dy.contiguous().max_pool2d_backward(&idx).to_vec());
    assert_eq!(x.avg_pool2d((2, 2), (1, 2), (0, 1)).to_vec(), xc.avg_pool2d((2, 2), (1, 2), (0, 1)).to_vec());
    let g = dy.avg_pool2d_backward(x.shape(), (3, 2), (2, 2), (1, 1));
    assert_eq!(g.to_vec(), dy.contiguous().avg_pool2d_backward(x.shape(), (3, 2), (2, 2), (1, 1)).to_vec());
}

#[test]
#[should_panic(expected = "max_pool2d: input must be 4-D [N, C, H, W], got shape [4, 4]")]
fn max_pool_rejects_a_2d_input() {
    Tensor::<f32>::zeros(&[4, 4]).max_pool2d((2, 2), (2, 2), (0, 0));
}

#[test]
#[should_panic(expected = "max_pool2d: window 5x5 does not fit input [1, 1, 4, 4] padded by 0x0")]
fn max_pool_window_larger_than_the_input_is_rejected() {
    Tensor::<f32>::zeros(&[1, 1, 4, 4]).max_pool2d((5, 5), (1, 1), (0, 0));
}

#[test]
#[should_panic(expected = "max_pool2d_backward: grad_out [1, 1, 3, 3] is not the pooled output shape [1, 1, 2, 2]")]
fn max_pool_gradient_of_the_wrong_shape_is_rejected() {
    let (_, idx) = course_input().max_pool2d((2, 2), (2, 2), (0, 0));
    Tensor::<f32>::zeros(&[1, 1, 3, 3]).max_pool2d_backward(&idx);
}

#[test]
#[should_panic(expected = "avg_pool2d: stride 0x1 must be at least 1")]
fn avg_pool_zero_stride_is_rejected() {
    Tensor::<f32>::zeros(&[1, 1, 4, 4]).avg_pool2d((2, 2), (0, 1), (0, 0));
}

#[test]
#[should_panic(expected = "avg_pool2d_backward: grad_out [1, 1, 2, 2] is not the pooled output shape [1, 1, 3, 3]")]
fn avg_pool_gradient_of_the_wrong_shape_is_rejected() {
    Tensor::<f32>::zeros(&[1, 1, 2, 2]).avg_pool2d_backward(&[1, 1, 4, 4], (2, 2), (1, 1), (0, 0));
}

#[test]
fn gather_is_the_adjoint_of_the_max_pool_scatter() {
    let x = Tensor::<f64>::rand_uniform(&[2, 3, 7, 6], -1.0, 1.0, &mut seeded_rng(9));
    let (y, idx) = x.max_pool2d((3, 2), (2, 2), (1, 1));
    // Gathering the input at its maxima gives the pooled output back.
    assert_eq!(x.max_pool2d_gather(&idx).to_vec(), y.to_vec());
    // <scatter(g), u> = <g, gather(u)> for any g (output-shaped) and u (input-shaped).
    let g = Tensor::<f64>::rand_uniform(y.shape(), -1.0, 1.0, &mut seeded_rng(10));
    let u = Tensor::<f64>::rand_uniform(x.shape(), -1.0, 1.0, &mut seeded_rng(11));
    let dot = |a: &Tensor<f64>, b: &Tensor<f64>| a.to_vec().iter().zip(b.to_vec()).map(|(p, q)| p * q).sum::<f64>();
    let (lhs, rhs) = (dot(&g.max_pool2d_backward(&idx), &u), dot(&g, &u.max_pool2d_gather(&idx)));
    assert!((lhs - rhs).abs() < 1e-12, "{lhs} vs {rhs}");
}

#[test]
#[should_panic(expected = "max_pool2d_gather: tensor [1, 1, 2, 2] is not the pooled input shape [1, 1, 4, 4]")]
fn gather_from_the_wrong_shape_is_rejected() {
    let (_, idx) = course_input().max_pool2d((2, 2), (2, 2), (0, 0));
    Tensor::<f32>::zeros(&[1, 1, 2, 2]).max_pool2d_gather(&idx);
}

/// Values that stress the fused ReLU + max pooling: ties, signed zeros, NaN,
/// infinities and negatives (which the ReLU turns into ties at 0).
fn tricky_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        (-3i32..=3).prop_map(f64::from),
        -2.0..2.0f64,
    ]
}

/// A pooling problem: input `[N, C, H, W]`, its values, and a window that
/// fits (padding at most half the window); a quarter of the cases are the
/// course's 2x2 window with stride 2, which has its own kernel.
#[allow(clippy::type_complexity)]
fn pool_problem() -> impl Strategy<Value = ([usize; 4], Vec<f64>, (usize, usize), (usize, usize), (usize, usize))> {
    let window = prop_oneof![
        1 => Just(((2, 2), (2, 2), (0, 0))),
        3 => ((1usize..=3, 1usize..=3), (1usize..=3, 1usize..=3)).prop_flat_map(|(k, s)| {
            (Just(k), Just(s), (0..=k.0 / 2, 0..=k.1 / 2))
        }),
    ];
    (1usize..=2, 1usize..=3, 3usize..=7, 3usize..=7, window).prop_flat_map(|(n, c, h, w, (k, s, p))| {
        let values = proptest::collection::vec(tricky_value(), n * c * h * w);
        (Just([n, c, h, w]), values, Just(k), Just(s), Just(p))
    })
}

fn bits(t: &Tensor<f64>) -> Vec<u64> {
    t.to_vec().iter().map(|v| v.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `relu_max_pool2d` is `relu` then `max_pool2d`, bit for bit and position
    /// for position, also on a non-contiguous view; its gradient rule (scatter
    /// of `dy * [y > 0]`) equals the ReLU mask applied after the scatter.
    #[test]
    fn relu_max_pool_is_relu_then_max_pool((dims, values, k, s, p) in pool_problem()) {
        let x = Tensor::<f64>::from_vec(values, &dims).unwrap();
        let (want, want_idx) = x.relu().max_pool2d(k, s, p);
        let (got, got_idx) = x.relu_max_pool2d(k, s, p);
        prop_assert_eq!(bits(&got), bits(&want));
        prop_assert_eq!(&got_idx, &want_idx);

        // The same data stored with N and C swapped, seen through a transpose.
        let swapped = x.transpose(0, 1).contiguous().transpose(0, 1);
        prop_assert!(!swapped.is_contiguous() || dims[0] == 1 || dims[1] == 1);
        let (view_y, view_idx) = swapped.relu_max_pool2d(k, s, p);
        prop_assert_eq!(bits(&view_y), bits(&want));
        prop_assert_eq!(&view_idx, &want_idx);

        let dy = Tensor::<f64>::rand_uniform(got.shape(), -1.0, 1.0, &mut seeded_rng(dims.iter().sum::<usize>() as u64));
        let unfused = dy.max_pool2d_backward(&want_idx).zip_map(&x.relu(), "mask", |g, z| if z > 0.0 { g } else { 0.0 });
        let fused = dy.zip_map(&got, "mask", |g, y| if y > 0.0 { g } else { 0.0 }).max_pool2d_backward(&got_idx);
        prop_assert_eq!(bits(&fused), bits(&unfused));
    }
}

#[test]
#[should_panic(expected = "relu_max_pool2d: window 5x5 does not fit input [1, 1, 4, 4] padded by 0x0")]
fn relu_max_pool_names_itself_in_shape_errors() {
    Tensor::<f32>::zeros(&[1, 1, 4, 4]).relu_max_pool2d((5, 5), (1, 1), (0, 0));
}
