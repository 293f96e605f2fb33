//! The reference kernels against each other and against small cases worked
//! by hand: the nested-loop convolution and the im2col one give the same
//! bits for the forward pass, the weight and the bias gradients (the same
//! terms summed in the same order) and agree within a relative 1e-12 (f64)
//! or 1e-5 (f32) on the input gradient, which they sum in different orders.

use proptest::prelude::*;
use sinapse_tensor::kernels::reference::{conv2d_im2col, conv2d_loops, matmul};
use sinapse_tensor::kernels::{Conv2dParams, Conv2dShape};
use sinapse_tensor::Element;

fn bits<T: Element>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64_lossless().to_bits()).collect()
}

/// A convolution of random sizes (stride, padding and dilation included)
/// and values for its input, weight, bias and output gradient.
fn problem() -> impl Strategy<Value = (Conv2dShape, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> {
    let axis = (1usize..=3, 1usize..=3, 0usize..=2, 1usize..=2, 0usize..=4).prop_map(|(k, s, p, d, extra)| {
        let span = d * (k - 1) + 1;
        (k, s, p, d, span.saturating_sub(2 * p).max(1) + extra)
    });
    (1usize..=3, 1usize..=3, 1usize..=3, axis.clone(), axis).prop_flat_map(
        |(n, c, o, (kh, sh, ph, dh, h), (kw, sw, pw, dw, w))| {
            let s = Conv2dShape::new([n, c, h, w], [o, c, kh, kw], Conv2dParams::new((sh, sw), (ph, pw), (dh, dw)));
            let len = |d: [usize; 4]| d.iter().product::<usize>();
            let v = |len: usize| prop::collection::vec(-1.0f64..1.0, len);
            (Just(s), v(len(s.input_shape())), v(len(s.weight_shape())), v(o), v(len(s.output_shape())))
        },
    )
}

fn check<T: Element>(s: &Conv2dShape, x: &[f64], w: &[f64], b: &[f64], dy: &[f64]) {
    let cast = |v: &[f64]| v.iter().map(|&a| T::from_f64_lossy(a)).collect::<Vec<T>>();
    let (x, w, b, dy) = (cast(x), cast(w), cast(b), cast(dy));
    let loops = conv2d_loops::conv2d_forward(s, &x, &w, Some(&b));
    assert_eq!(bits(&loops), bits(&conv2d_im2col::conv2d_forward(s, &x, &w, Some(&b))), "forward");
    let loops = conv2d_loops::conv2d_grad_weight(s, &dy, &x);
    assert_eq!(bits(&loops), bits(&conv2d_im2col::conv2d_grad_weight(s, &dy, &x)), "weight gradient");
    let loops = conv2d_loops::conv2d_grad_bias(&dy, s.output_shape());
    assert_eq!(bits(&loops), bits(&conv2d_im2col::conv2d_grad_bias(s, &dy)), "bias gradient");
    let tol = if T::DTYPE == "f32" { 1e-5 } else { 1e-12 };
    let loops = conv2d_loops::conv2d_grad_input(s, &dy, &w);
    let im2col = conv2d_im2col::conv2d_grad_input(s, &dy, &w);
    for (i, (a, b)) in loops.iter().zip(&im2col).enumerate() {
        let (a, b) = (a.to_f64_lossless(), b.to_f64_lossless());
        assert!((a - b).abs() <= tol * (1.0 + a.abs()), "input gradient [{i}]: {a} vs {b}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn loops_and_im2col_agree((s, x, w, b, dy) in problem()) {
        check::<f64>(&s, &x, &w, &b, &dy);
        check::<f32>(&s, &x, &w, &b, &dy);
    }
}

#[test]
fn a_convolution_worked_by_hand() {
    // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 0], [0, -1]], b = 10:
    // y[i, j] = 10 + x[i, j] - x[i + 1, j + 1] = 10 - 4 everywhere.
    let s = Conv2dShape::new([1, 1, 3, 3], [1, 1, 2, 2], Conv2dParams::valid());
    let x: Vec<f64> = (1..=9).map(f64::from).collect();
    let w = [1.0, 0.0, 0.0, -1.0];
    assert_eq!(conv2d_loops::conv2d_forward(&s, &x, &w, Some(&[10.0])), vec![6.0; 4]);
    // dy = 1 everywhere: dw[p, q] sums the 2x2 block of x starting at (p, q).
    let dy = [1.0; 4];
    assert_eq!(conv2d_loops::conv2d_grad_weight(&s, &dy, &x), vec![12.0, 16.0, 24.0, 28.0]);
    // dx counts, with the weight's sign, the outputs that read each element.
    let dx = conv2d_loops::conv2d_grad_input(&s, &dy, &w);
    assert_eq!(dx, vec![1.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, -1.0, -1.0]);
    assert_eq!(conv2d_loops::conv2d_grad_bias(&dy, s.output_shape()), vec![4.0]);
    // With "same" padding the corner output reads four real inputs only.
    let same = Conv2dShape::new([1, 1, 3, 3], [1, 1, 3, 3], Conv2dParams::same(3, 3));
    let ones = [1.0; 9];
    let y = conv2d_im2col::conv2d_forward(&same, &x, &ones, None);
    assert_eq!(y[0], 1.0 + 2.0 + 4.0 + 5.0);
    assert_eq!(y[4], 45.0);
}

#[test]
fn matmul_and_its_backward_worked_by_hand() {
    // [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]]
    let (a, b) = ([1.0f32, 2.0, 3.0, 4.0], [5.0f32, 6.0, 7.0, 8.0]);
    assert_eq!(matmul::matmul(&a, &b, 2, 2, 2), vec![19.0, 22.0, 43.0, 50.0]);
    // dC = [[1, 0], [0, 0]]: dA = dC B^T = [[5, 7], [0, 0]], dB = A^T dC = [[1, 0], [2, 0]].
    let (da, db) = matmul::matmul_backward(&a, &b, &[1.0, 0.0, 0.0, 0.0], 2, 2, 2);
    assert_eq!(da, vec![5.0, 7.0, 0.0, 0.0]);
    assert_eq!(db, vec![1.0, 0.0, 2.0, 0.0]);
    // A 1x3 row times a 3x1 column is their dot product.
    assert_eq!(matmul::matmul(&[1.0f64, 2.0, 3.0], &[4.0, 5.0, 6.0], 1, 3, 1), vec![32.0]);
}

#[test]
#[should_panic(expected = "reference conv2d: input has 8 elements but shape [1, 1, 3, 3] needs 9")]
fn a_slice_of_the_wrong_length_names_the_kernel_and_the_shape() {
    let s = Conv2dShape::new([1, 1, 3, 3], [1, 1, 2, 2], Conv2dParams::valid());
    conv2d_loops::conv2d_forward(&s, &[0.0f32; 8], &[0.0; 4], None);
}
