//! Tensor-level convolution: the course's examples and formula, the
//! cross-correlation/convolution relation, shape errors, non-contiguous
//! operands and reproducibility of the parallel backward pass.

use sinapse_tensor::{seeded_rng, Conv1dParams, Conv2dParams, Tensor};

fn tensor(data: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), shape).unwrap()
}

fn random(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::rand_uniform(shape, -1.0, 1.0, &mut seeded_rng(seed))
}

#[track_caller]
fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "[{i}]: got {g}, want {w}");
    }
}

#[test]
fn valid_shrinks_and_same_keeps_a_4x4_input_with_a_3x3_kernel() {
    let x = Tensor::<f32>::from_fn(&[1, 1, 4, 4], |i| (i[2] * 4 + i[3]) as f32);
    let w = Tensor::<f32>::ones(&[1, 1, 3, 3]);
    let valid = x.conv2d(&w, None, Conv2dParams::valid());
    assert_eq!(valid.shape(), &[1, 1, 2, 2]);
    // Each output sums a 3x3 block of 0..16: the top-left block sums to 45.
    assert_eq!(valid.to_vec(), vec![45.0, 54.0, 81.0, 90.0]);
    let same = x.conv2d(&w, None, Conv2dParams::same(3, 3));
    assert_eq!(same.shape(), &[1, 1, 4, 4]);
    // The corner sees only the 2x2 block 0, 1, 4, 5; the rest is padding.
    assert_eq!(same.to_vec()[0], 10.0);
    // The inner 2x2 of "same" is the "valid" result.
    let s = same.to_vec();
    assert_eq!(vec![s[5], s[6], s[9], s[10]], valid.to_vec());
}

#[test]
fn same_with_an_even_kernel_is_one_smaller() {
    let x = Tensor::<f64>::ones(&[1, 1, 6, 5]);
    let w = Tensor::<f64>::ones(&[1, 1, 2, 4]);
    assert_eq!(Conv2dParams::same(2, 4).padding, (0, 1));
    assert_eq!(x.conv2d(&w, None, Conv2dParams::same(2, 4)).shape(), &[1, 1, 5, 4]);
    assert_eq!(Conv1dParams::same(4).output_len(10, 4), 9);
}

/// The course's convolution `s_i = sum_k x_(i-k) w_k`, over every `i` where
/// some term is non-zero (the "full" convolution of two finite sequences).
fn course_convolution(x: &[f64], w: &[f64]) -> Vec<f64> {
    let mut s = vec![0.0; x.len() + w.len() - 1];
    for (i, s_i) in s.iter_mut().enumerate() {
        for (k, w_k) in w.iter().enumerate() {
            if let Some(x_ik) = i.checked_sub(k).and_then(|j| x.get(j)) {
                *s_i += x_ik * w_k;
            }
        }
    }
    s
}

#[test]
fn conv1d_with_a_reversed_kernel_is_the_course_convolution() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let w = [1.0, 2.0, 3.0];
    let reversed: Vec<f64> = w.iter().rev().copied().collect();
    // Padding K - 1 lets the window slide fully on and off the signal.
    let full = Conv1dParams::valid().with_padding(w.len() - 1);
    let y = tensor(&x, &[1, 1, 5]).conv1d(&tensor(&reversed, &[1, 1, 3]), None, full);
    assert_eq!(y.to_vec(), course_convolution(&x, &w));
    assert_eq!(y.to_vec(), vec![1.0, 4.0, 10.0, 16.0, 22.0, 22.0, 15.0]);

    // Without the reversal it is the cross-correlation sum_k x_(i+k) w_k:
    // another result whenever the kernel is not symmetric.
    let corr = tensor(&x, &[1, 1, 5]).conv1d(&tensor(&w, &[1, 1, 3]), None, Conv1dParams::valid());
    assert_eq!(corr.to_vec(), vec![14.0, 20.0, 26.0]);
    assert_ne!(corr.to_vec(), course_convolution(&x, &w)[2..5].to_vec());
    // The "valid" part of the course convolution is the reversed kernel's cross-correlation.
    let valid = tensor(&x, &[1, 1, 5]).conv1d(&tensor(&reversed, &[1, 1, 3]), None, Conv1dParams::valid());
    assert_eq!(valid.to_vec(), course_convolution(&x, &w)[2..5].to_vec());
}

#[test]
fn conv1d_matches_the_course_formula_on_random_signals() {
    for (len, k, seed) in [(1, 1, 1), (7, 3, 2), (16, 5, 3), (9, 9, 4), (30, 4, 5)] {
        let x = random(&[1, 1, len], seed);
        let w = random(&[1, 1, k], seed + 100);
        let w_rev: Vec<f64> = w.to_vec().into_iter().rev().collect();
        let y = x.conv1d(&tensor(&w_rev, &[1, 1, k]), None, Conv1dParams::valid().with_padding(k - 1));
        assert_close(&y.to_vec(), &course_convolution(&x.to_vec(), &w.to_vec()));
    }
}

#[test]
fn conv2d_with_a_kernel_flipped_on_both_axes_is_the_mathematical_convolution() {
    let (h, w, kh, kw) = (5, 6, 3, 2);
    let x = random(&[1, 1, h, w], 7);
    let k = random(&[1, 1, kh, kw], 8);
    let (xv, kv) = (x.to_vec(), k.to_vec());
    let flipped: Vec<f64> = kv.iter().rev().copied().collect(); // reverses rows and columns
    let params = Conv2dParams::valid().with_padding((kh - 1, kw - 1));
    let y = x.conv2d(&tensor(&flipped, &[1, 1, kh, kw]), None, params);
    // s[i, j] = sum_{a, b} x[i - a, j - b] k[a, b]
    let (oh, ow) = (h + kh - 1, w + kw - 1);
    let mut want = vec![0.0; oh * ow];
    for i in 0..oh {
        for j in 0..ow {
            for a in 0..kh {
                for b in 0..kw {
                    if let (Some(r), Some(c)) = (i.checked_sub(a), j.checked_sub(b)) {
                        if r < h && c < w {
                            want[i * ow + j] += xv[r * w + c] * kv[a * kw + b];
                        }
                    }
                }
            }
        }
    }
    assert_eq!(y.shape(), &[1, 1, oh, ow]);
    assert_close(&y.to_vec(), &want);
}

#[test]
fn bias_is_added_to_every_position_of_its_channel() {
    let x = Tensor::<f64>::zeros(&[2, 3, 4, 4]);
    let w = random(&[2, 3, 3, 3], 1);
    let b = tensor(&[0.5, -2.0], &[2]);
    let y = x.conv2d(&w, Some(&b), Conv2dParams::same(3, 3));
    let v = y.to_vec();
    assert!(v.chunks(16).enumerate().all(|(i, plane)| plane.iter().all(|&e| e == [0.5, -2.0][i % 2])));
    assert_eq!(y.conv2d_grad_bias().to_vec(), vec![0.5 * 32.0, -2.0 * 32.0]);
}

#[test]
fn non_contiguous_operands_give_the_same_results() {
    let params = Conv2dParams::new((2, 1), (1, 2), (1, 2));
    // Stored as [N, H, W, C] and viewed as [N, C, H, W].
    let x_nhwc = random(&[2, 7, 8, 3], 1);
    let x = x_nhwc.permute(&[0, 3, 1, 2]);
    assert!(!x.is_contiguous());
    let w = random(&[4, 3, 3, 3], 2).transpose(2, 3); // [4, 3, 3, 3], columns swapped with rows
    let b = random(&[4], 3);
    let (xc, wc) = (x.contiguous(), w.contiguous());
    let y = x.conv2d(&w, Some(&b), params);
    assert_eq!(y.to_vec(), xc.conv2d(&wc, Some(&b), params).to_vec());
    let dy = random(y.shape(), 4).transpose(2, 3).contiguous().transpose(2, 3);
    let dyc = dy.contiguous();
    assert_eq!(
        dy.conv2d_grad_input(&w, x.shape(), params).to_vec(),
        dyc.conv2d_grad_input(&wc, x.shape(), params).to_vec()
    );
    assert_eq!(
        dy.conv2d_grad_weight(&x, w.shape(), params).to_vec(),
        dyc.conv2d_grad_weight(&xc, w.shape(), params).to_vec()
    );
    assert_eq!(dy.conv2d_grad_bias().to_vec(), dyc.conv2d_grad_bias().to_vec());
}

#[test]
fn conv1d_agrees_with_conv2d_on_height_one() {
    let p1 = Conv1dParams::new(2, 1, 2);
    let x = random(&[3, 2, 11], 1);
    let w = random(&[4, 2, 3], 2);
    let b = random(&[4], 3);
    let y = x.conv1d(&w, Some(&b), p1);
    let y2 = x.reshape(&[3, 2, 1, 11]).conv2d(&w.reshape(&[4, 2, 1, 3]), Some(&b), p1.as_2d());
    assert_eq!(y.shape(), &[3, 4, 5]);
    assert_eq!(y.to_vec(), y2.to_vec());
    let dy = random(y.shape(), 4);
    let dy2 = dy.reshape(&[3, 4, 1, 5]);
    assert_eq!(
        dy.conv1d_grad_input(&w, x.shape(), p1).to_vec(),
        dy2.conv2d_grad_input(&w.reshape(&[4, 2, 1, 3]), &[3, 2, 1, 11], p1.as_2d()).to_vec()
    );
    assert_eq!(
        dy.conv1d_grad_weight(&x, w.shape(), p1).to_vec(),
        dy2.conv2d_grad_weight(&x.reshape(&[3, 2, 1, 11]), &[4, 2, 1, 3], p1.as_2d()).to_vec()
    );
    assert_eq!(dy.conv1d_grad_bias().to_vec(), dy2.conv2d_grad_bias().to_vec());
}

#[test]
fn parallel_backward_is_bit_identical_across_runs_and_thread_counts() {
    // 32 images: large enough to be split over threads.
    let params = Conv2dParams::same(3, 3);
    let x = Tensor::<f32>::rand_uniform(&[32, 8, 12, 12], -1.0, 1.0, &mut seeded_rng(1));
    let w = Tensor::<f32>::rand_uniform(&[16, 8, 3, 3], -1.0, 1.0, &mut seeded_rng(2));
    let dy = Tensor::<f32>::rand_uniform(&[32, 16, 12, 12], -1.0, 1.0, &mut seeded_rng(3));
    let run = || {
        let dw = dy.conv2d_grad_weight(&x, w.shape(), params).to_vec();
        let dx = dy.conv2d_grad_input(&w, x.shape(), params).to_vec();
        let db = dy.conv2d_grad_bias().to_vec();
        let y = x.conv2d(&w, None, params).to_vec();
        let bits = |v: Vec<f32>| v.into_iter().map(f32::to_bits).collect::<Vec<u32>>();
        (bits(dw), bits(dx), bits(db), bits(y))
    };
    let first = run();
    assert_eq!(first, run(), "two runs differ");
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        assert_eq!(first, pool.install(run), "{threads} threads differ from the default pool");
    }
}

#[test]
fn few_tap_weight_gradient_is_bit_identical_across_thread_counts_and_matches_f64() {
    // One input channel, 3x3: 9 taps, the direct dot-product path.
    let params = Conv2dParams::valid();
    let x = Tensor::<f32>::rand_uniform(&[40, 1, 14, 14], -1.0, 1.0, &mut seeded_rng(4));
    let dy = Tensor::<f32>::rand_uniform(&[40, 8, 12, 12], -1.0, 1.0, &mut seeded_rng(5));
    let run = || dy.conv2d_grad_weight(&x, &[8, 1, 3, 3], params).to_vec();
    let first = run();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let other = pool.install(run);
        assert!(first.iter().zip(&other).all(|(a, b)| a.to_bits() == b.to_bits()), "{threads} threads differ");
    }
    let to64 =
        |t: &Tensor<f32>| Tensor::<f64>::from_vec(t.to_vec().iter().map(|&v| v as f64).collect(), t.shape()).unwrap();
    let want = to64(&dy).conv2d_grad_weight(&to64(&x), &[8, 1, 3, 3], params).to_vec();
    for (i, (&got, &want)) in first.iter().zip(&want).enumerate() {
        assert!((got as f64 - want).abs() <= 1e-4 * (1.0 + want.abs()), "dw[{i}]: {got} vs {want}");
    }
}

#[test]
#[should_panic(expected = "conv2d: input [2, 3, 5, 5] has 3 channels but weight [4, 2, 3, 3] expects 2")]
fn channel_mismatch_names_both_shapes() {
    Tensor::<f32>::zeros(&[2, 3, 5, 5]).conv2d(&Tensor::zeros(&[4, 2, 3, 3]), None, Conv2dParams::valid());
}

#[test]
#[should_panic(expected = "conv2d: input must be 4-D [N, C, H, W], got shape [3, 5, 5]")]
fn conv2d_rejects_a_3d_input() {
    Tensor::<f32>::zeros(&[3, 5, 5]).conv2d(&Tensor::zeros(&[4, 3, 3, 3]), None, Conv2dParams::valid());
}

#[test]
#[should_panic(
    expected = "conv2d: kernel width 5 with dilation 1 spans 5, but the input width 4 padded by 0 on each side is only 4 (input [1, 1, 6, 4], weight [1, 1, 3, 5])"
)]
fn kernel_larger_than_the_input_is_rejected() {
    Tensor::<f32>::zeros(&[1, 1, 6, 4]).conv2d(&Tensor::zeros(&[1, 1, 3, 5]), None, Conv2dParams::valid());
}

#[test]
#[should_panic(expected = "conv2d: kernel height 3 with dilation 3 spans 7, but the input height 4")]
fn dilation_counts_in_the_kernel_span() {
    let params = Conv2dParams::valid().with_dilation((3, 1));
    Tensor::<f32>::zeros(&[1, 1, 4, 4]).conv2d(&Tensor::zeros(&[1, 1, 3, 3]), None, params);
}

#[test]
#[should_panic(expected = "conv2d: bias [3] does not match the 4 filters of weight [4, 3, 3, 3]")]
fn bias_of_the_wrong_length_is_rejected() {
    let x = Tensor::<f32>::zeros(&[1, 3, 5, 5]);
    x.conv2d(&Tensor::zeros(&[4, 3, 3, 3]), Some(&Tensor::zeros(&[3])), Conv2dParams::valid());
}

#[test]
#[should_panic(expected = "conv2d: stride (0) and dilation (1) along the height must be at least 1")]
fn zero_stride_is_rejected() {
    let params = Conv2dParams::valid().with_stride((0, 1));
    Tensor::<f32>::zeros(&[1, 1, 4, 4]).conv2d(&Tensor::zeros(&[1, 1, 3, 3]), None, params);
}

#[test]
#[should_panic(expected = "conv1d: input [1, 2, 8] has 2 channels but weight [3, 4, 3] expects 4")]
fn conv1d_channel_mismatch_names_its_own_shapes() {
    Tensor::<f32>::zeros(&[1, 2, 8]).conv1d(&Tensor::zeros(&[3, 4, 3]), None, Conv1dParams::valid());
}

#[test]
#[should_panic(
    expected = "conv1d: kernel length 9 with dilation 1 spans 9, but the input length 8 padded by 0 on each side is only 8 (input [1, 1, 8], weight [1, 1, 9])"
)]
fn conv1d_kernel_longer_than_the_signal_is_rejected() {
    Tensor::<f32>::zeros(&[1, 1, 8]).conv1d(&Tensor::zeros(&[1, 1, 9]), None, Conv1dParams::valid());
}

#[test]
#[should_panic(expected = "conv2d_grad_input: grad_out [1, 2, 3, 3] is not the output shape [1, 2, 2, 2]")]
fn gradient_of_the_wrong_shape_is_rejected() {
    let dy = Tensor::<f32>::zeros(&[1, 2, 3, 3]);
    dy.conv2d_grad_input(&Tensor::zeros(&[2, 1, 3, 3]), &[1, 1, 4, 4], Conv2dParams::valid());
}

#[test]
#[should_panic(expected = "conv2d: kernel height 5 with dilation 1 spans 5, but the input height 4")]
fn output_size_rejects_a_kernel_that_does_not_fit() {
    Conv2dParams::valid().output_size((4, 4), (5, 5));
}

/// Runs `f`, which must panic, and returns the file the panic is reported at.
fn panic_file(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    use std::sync::{Arc, Mutex};
    let file = Arc::new(Mutex::new(String::new()));
    let (seen, me) = (Arc::clone(&file), std::thread::current().id());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Other tests may panic on their own threads meanwhile: keep only ours.
        if std::thread::current().id() == me {
            *seen.lock().unwrap() = info.location().map(|l| l.file().to_string()).unwrap_or_default();
        }
    }));
    let result = std::panic::catch_unwind(f);
    std::panic::set_hook(previous);
    assert!(result.is_err(), "expected a panic");
    let file = file.lock().unwrap().clone();
    file
}

#[test]
fn shape_panics_are_reported_at_the_callers_line() {
    let x = Tensor::<f32>::zeros(&[1, 3, 5, 5]);
    let w = Tensor::<f32>::zeros(&[2, 2, 3, 3]);
    let here = file!();
    assert_eq!(panic_file(|| drop(x.conv2d(&w, None, Conv2dParams::valid()))), here);
    assert_eq!(panic_file(|| drop(x.conv2d(&Tensor::zeros(&[3, 3, 3]), None, Conv2dParams::valid()))), here);
    let x1 = Tensor::<f32>::zeros(&[1, 1, 4]);
    assert_eq!(panic_file(|| drop(x1.conv1d(&Tensor::zeros(&[1, 1, 5]), None, Conv1dParams::valid()))), here);
    let dy = Tensor::<f32>::zeros(&[1, 2, 3, 3]);
    assert_eq!(panic_file(|| drop(dy.conv2d_grad_weight(&x, &[2, 3, 2, 2], Conv2dParams::valid()))), here);
    assert_eq!(panic_file(|| drop(x.max_pool2d((6, 6), (1, 1), (0, 0)))), here);
    assert_eq!(panic_file(|| drop(x.avg_pool2d((2, 2), (1, 1), (2, 2)))), here);
}
