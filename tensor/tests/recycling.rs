//! Recycled buffers never leak into results.
//!
//! Large buffers are reused between operations (see `sinapse_tensor::memory`)
//! with whatever their last user wrote in them. Every kernel must therefore
//! write each output element (or start from zeros) before reading it. Here,
//! each operation runs once on a clean cache, then again after every
//! buffer of the lengths it uses was filled with NaN and parked: the two
//! results must be bit-for-bit equal.

use sinapse_tensor::{memory, seeded_rng, Conv2dParams, Tensor};

/// Every output of the operations below, flattened into one list.
fn run_all(x: &Tensor<f32>, w: &Tensor<f32>, b: &Tensor<f32>, m: &Tensor<f32>) -> Vec<Tensor<f32>> {
    let params = Conv2dParams::valid().with_padding((1, 1));
    let y = x.conv2d(w, Some(b), params);
    let (pooled, indices) = y.max_pool2d((2, 2), (2, 2), (0, 0));
    let dy = y.map(|v| v.sin());
    let stats = y.batch_stats();
    vec![
        y.clone(),
        pooled.clone(),
        pooled.max_pool2d_backward(&indices),
        y.avg_pool2d((2, 2), (2, 2), (1, 1)),
        dy.conv2d_grad_input(w, x.shape(), params),
        dy.conv2d_grad_weight(x, w.shape(), params),
        dy.conv2d_grad_bias(),
        m.matmul(&m.t()),
        m.t().contiguous(),
        &y * &dy,
        &y + b.reshape(&[1, 8, 1, 1]),
        Tensor::cat(&[&y, &dy], 1),
        y.sum(0, false),
        Tensor::zeros(y.shape()),
        // Without a bias: one image per product, written by a gemm with beta = 0.
        x.conv2d(w, None, params),
        // 8x8 outputs: many images per product, written by the reorder.
        x.reshape(&[256, 3, 10, 10]).conv2d(w, Some(b), Conv2dParams::valid()),
        // One input channel, 9 taps: the direct few-taps sums, with and without bias.
        x.reshape(&[48, 1, 40, 40]).conv2d(&w.narrow(1, 0, 1).contiguous(), Some(b), params),
        x.reshape(&[48, 1, 40, 40]).conv2d(&w.narrow(1, 0, 1).contiguous(), None, Conv2dParams::valid()),
        // Batch normalization's rows, forward and backward.
        y.batch_norm(&stats.mean, &stats.var, Some(b), Some(b), 1e-5),
        dy.batch_norm_backward(&y, &stats, Some(b), 1e-5).0,
    ]
}

#[test]
fn results_do_not_depend_on_what_recycled_buffers_held() {
    let mut rng = seeded_rng(7);
    // Large enough that every buffer involved is recycled.
    let x = Tensor::<f32>::rand_uniform(&[16, 3, 40, 40], -1.0, 1.0, &mut rng);
    let w = Tensor::<f32>::rand_uniform(&[8, 3, 3, 3], -1.0, 1.0, &mut rng);
    let b = Tensor::<f32>::rand_uniform(&[8], -1.0, 1.0, &mut rng);
    let m = Tensor::<f32>::rand_uniform(&[200, 300], -1.0, 1.0, &mut rng);

    memory::release_cached();
    let clean = run_all(&x, &w, &b, &m);
    // Park NaN-filled buffers of every length the operations asked for.
    let poison: Vec<Tensor<f32>> = clean.iter().map(|t| Tensor::full(t.shape(), f32::NAN)).collect();
    drop(poison);
    assert!(memory::cached_bytes() > 0, "nothing was parked: the test would prove nothing");
    let again = run_all(&x, &w, &b, &m);
    for (k, (c, a)) in clean.iter().zip(&again).enumerate() {
        let bits = |t: &Tensor<f32>| t.to_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(c.shape(), a.shape(), "output {k}");
        assert!(bits(c) == bits(a), "output {k} ({:?}) changed after recycling poisoned buffers", c.shape());
        assert!(a.to_vec().iter().all(|v| v.is_finite()), "output {k} holds a NaN");
    }
}
