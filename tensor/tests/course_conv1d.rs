//! The course's centred 1-D convolution `(x * w)[i] = sum_{k=-n}^{n} x[i - k] w[k]`:
//! against the sum written out by hand, its index convention and flip, and
//! against `conv1d` (cross-correlation) with the kernel reversed and "same"
//! padding on random, strided inputs.

use proptest::prelude::*;
use sinapse_tensor::{Conv1dParams, Tensor};

fn v(data: &[f64]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), &[data.len()]).unwrap()
}

#[test]
fn convolution_course_formula_written_out_by_hand() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    // n = 1: positions 0, 1, 2 hold w[-1], w[0], w[1].
    let (wm1, w0, wp1) = (1.0, 2.0, 3.0);
    let y = v(&x).course_conv1d(&v(&[wm1, w0, wp1])).to_vec();
    // y[i] = x[i + 1] w[-1] + x[i] w[0] + x[i - 1] w[1], zeros outside.
    let expected = [
        x[1] * wm1 + x[0] * w0,
        x[2] * wm1 + x[1] * w0 + x[0] * wp1,
        x[3] * wm1 + x[2] * w0 + x[1] * wp1,
        x[4] * wm1 + x[3] * w0 + x[2] * wp1,
        x[4] * w0 + x[3] * wp1,
    ];
    assert_eq!(y, expected);
    assert_eq!(y, [4.0, 10.0, 16.0, 22.0, 22.0]);

    // n = 2 on a length-4 signal: every term of y[1] and y[2] written out.
    let x = [2.0, -1.0, 0.5, 3.0];
    let w = [0.5, -2.0, 1.0, 4.0, -1.0]; // w[-2], w[-1], w[0], w[1], w[2]
    let y = v(&x).course_conv1d(&v(&w)).to_vec();
    assert_eq!(y[1], x[3] * w[0] + x[2] * w[1] + x[1] * w[2] + x[0] * w[3]);
    assert_eq!(y[2], x[3] * w[1] + x[2] * w[2] + x[1] * w[3] + x[0] * w[4]);
    assert_eq!(y[0], x[2] * w[0] + x[1] * w[1] + x[0] * w[2]);
    assert_eq!(y[3], x[3] * w[2] + x[2] * w[3] + x[1] * w[4]);
}

#[test]
fn convolution_course_index_convention_and_flip() {
    let x = v(&[1.0, 2.0, 3.0, 4.0]);
    // The only weight at k = +1 reads x[i - 1]: the signal is delayed.
    assert_eq!(x.course_conv1d(&v(&[0.0, 0.0, 1.0])).to_vec(), [0.0, 1.0, 2.0, 3.0]);
    // At k = -1 it reads x[i + 1]: the signal is advanced.
    assert_eq!(x.course_conv1d(&v(&[1.0, 0.0, 0.0])).to_vec(), [2.0, 3.0, 4.0, 0.0]);
    // The difference kernel w = (1/2, 0, -1/2) gives the slope (x[i+1] - x[i-1]) / 2;
    // cross-correlation with the same numbers gives its negative.
    let ramp = v(&[0.0, 1.0, 2.0, 3.0, 4.0]);
    let w = [0.5, 0.0, -0.5];
    assert_eq!(ramp.course_conv1d(&v(&w)).to_vec()[1..4], [1.0, 1.0, 1.0]);
    let xcorr = ramp.reshape(&[1, 1, 5]).conv1d(
        &Tensor::from_vec(w.to_vec(), &[1, 1, 3]).unwrap(),
        None,
        Conv1dParams::same(3),
    );
    assert_eq!(xcorr.to_vec()[1..4], [-1.0, -1.0, -1.0]);
    // n = 0: a single weight scales the signal.
    assert_eq!(x.course_conv1d(&v(&[3.0])).to_vec(), [3.0, 6.0, 9.0, 12.0]);
}

#[test]
#[should_panic(expected = "course_conv1d: signal of shape [4] must be [L] and kernel of shape [2] must be [2n + 1]")]
fn an_even_kernel_has_no_centre() {
    v(&[1.0, 2.0, 3.0, 4.0]).course_conv1d(&v(&[1.0, 1.0]));
}

/// A 1-D tensor of `len` values: contiguous, or a column of a `[len, 3]`
/// buffer (stride 3), or narrowed out of a longer vector (offset > 0).
fn signal(len: usize) -> impl Strategy<Value = Tensor<f64>> {
    (prop::collection::vec(-2.0f64..2.0, len * 3 + 2), 0..3usize).prop_map(move |(data, layout)| match layout {
        0 => Tensor::from_vec(data[..len].to_vec(), &[len]).unwrap(),
        1 => Tensor::from_vec(data[..len * 3].to_vec(), &[len, 3]).unwrap().select(1, 2),
        _ => Tensor::from_vec(data, &[len * 3 + 2]).unwrap().narrow(0, 2, len),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn convolution_course_is_conv1d_with_the_kernel_reversed_and_same_padding(
        (x, w) in (1..20usize, 0..4usize).prop_flat_map(|(len, n)| (signal(len), signal(2 * n + 1)))
    ) {
        let len = x.numel();
        let taps = w.numel();
        let reversed: Vec<f64> = w.to_vec().into_iter().rev().collect();
        let expected = x
            .contiguous()
            .reshape(&[1, 1, len])
            .conv1d(&Tensor::from_vec(reversed, &[1, 1, taps]).unwrap(), None, Conv1dParams::same(taps));
        let y = x.course_conv1d(&w);
        prop_assert_eq!(y.shape(), &[len]);
        for (i, (a, b)) in y.to_vec().iter().zip(expected.to_vec()).enumerate() {
            prop_assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "y[{}] = {} vs conv1d {}", i, a, b);
        }
        // And the formula itself, term by term.
        let (xs, ws, n) = (x.to_vec(), w.to_vec(), (taps / 2) as isize);
        for i in 0..len as isize {
            let direct: f64 = (-n..=n)
                .filter(|k| (0..len as isize).contains(&(i - k)))
                .map(|k| xs[(i - k) as usize] * ws[(k + n) as usize])
                .sum();
            prop_assert!((y.to_vec()[i as usize] - direct).abs() <= 1e-12 * (1.0 + direct.abs()));
        }
    }
}
