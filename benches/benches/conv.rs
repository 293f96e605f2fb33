//! Convolution and pooling at the shapes of the course's CNN (batch 128):
//! conv 1->32 3x3 on 28x28, conv 32->64 3x3 on 13x13, 2x2 max and average
//! pooling, the ReLU + max pooling pair fused and unfused, and the whole
//! convolution + ReLU + max pooling block fused and unfused; forward alone
//! and forward + backward (all gradients); the block's backward from the
//! pooled gradient and through the scatter.

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sinapse_tensor::{seeded_rng, Conv2dParams, Pool2dParams, Tensor};

struct ConvCase {
    name: &'static str,
    input: [usize; 4],
    weight: [usize; 4],
}

const CASES: [ConvCase; 2] = [
    ConvCase { name: "conv1_b128_1to32_28x28", input: [128, 1, 28, 28], weight: [32, 1, 3, 3] },
    ConvCase { name: "conv2_b128_32to64_13x13", input: [128, 32, 13, 13], weight: [64, 32, 3, 3] },
];

fn conv(c: &mut Criterion) {
    let mut group = c.benchmark_group("conv2d_f32");
    group.sample_size(20);
    let mut rng = seeded_rng(2);
    let p = Conv2dParams::valid();
    for case in &CASES {
        let x = Tensor::<f32>::rand_normal(&case.input, 0.0, 1.0, &mut rng);
        let w = Tensor::<f32>::rand_normal(&case.weight, 0.0, 0.1, &mut rng);
        let b = Tensor::<f32>::zeros(&[case.weight[0]]);
        let y = x.conv2d(&w, Some(&b), p);
        let flops = 2 * y.numel() as u64 * (case.weight[1] * case.weight[2] * case.weight[3]) as u64;
        group.throughput(Throughput::Elements(flops));
        group.bench_function(format!("{}/forward", case.name), |bench| {
            bench.iter(|| black_box(x.conv2d(&w, Some(&b), p)))
        });
        // The CNN's `Conv2d, ReLU, MaxPool2d` block: one operation, and the
        // convolution then the fused ReLU + pooling, for the ratio.
        let pool = Pool2dParams::square(2);
        group.bench_function(format!("{}/relu_max_pool_fused", case.name), |bench| {
            bench.iter(|| black_box(x.conv2d_relu_max_pool2d(&w, Some(&b), p, pool)))
        });
        group.bench_function(format!("{}/relu_max_pool_after", case.name), |bench| {
            bench.iter(|| black_box(x.conv2d(&w, Some(&b), p).relu_max_pool2d((2, 2), (2, 2), (0, 0))))
        });
        // The block's backward: every gradient from the pooled gradient
        // (what `Var::conv2d_relu_max_pool2d` runs), and the scatter then the
        // dense gradients, for the ratio.
        let (pooled, idx) = x.conv2d_relu_max_pool2d(&w, Some(&b), p, pool);
        let g = Tensor::<f32>::rand_normal(pooled.shape(), 0.0, 1.0, &mut rng);
        group.bench_function(format!("{}/relu_max_pool_backward_pooled", case.name), |bench| {
            bench.iter(|| {
                let dx = g.conv2d_grad_input_pooled(&idx, &w, x.shape(), p);
                let dw = g.conv2d_grad_weight_pooled(&idx, &x, w.shape(), p);
                black_box((dx, dw, g.conv2d_grad_bias()))
            })
        });
        group.bench_function(format!("{}/relu_max_pool_backward_scatter", case.name), |bench| {
            bench.iter(|| {
                let dz = g.max_pool2d_backward(&idx);
                let dx = dz.conv2d_grad_input(&w, x.shape(), p);
                let dw = dz.conv2d_grad_weight(&x, w.shape(), p);
                black_box((dx, dw, dz.conv2d_grad_bias()))
            })
        });
        let dy = Tensor::<f32>::rand_normal(y.shape(), 0.0, 1.0, &mut rng);
        group.throughput(Throughput::Elements(3 * flops));
        group.bench_function(format!("{}/forward_backward", case.name), |bench| {
            bench.iter(|| {
                let y = x.conv2d(&w, Some(&b), p);
                let dx = dy.conv2d_grad_input(&w, x.shape(), p);
                let dw = dy.conv2d_grad_weight(&x, w.shape(), p);
                let db = dy.conv2d_grad_bias();
                black_box((y, dx, dw, db))
            })
        });
    }
    group.finish();
}

fn pool(c: &mut Criterion) {
    let mut group = c.benchmark_group("pool2d_f32");
    let mut rng = seeded_rng(3);
    for (name, shape) in [("b128_32x26x26", [128usize, 32, 26, 26]), ("b128_64x11x11", [128, 64, 11, 11])] {
        let x = Tensor::<f32>::rand_normal(&shape, 0.0, 1.0, &mut rng);
        group.throughput(Throughput::Elements(x.numel() as u64));
        group.bench_function(format!("max_{name}/forward"), |bench| {
            bench.iter(|| black_box(x.max_pool2d((2, 2), (2, 2), (0, 0))))
        });
        group.bench_function(format!("max_{name}/forward_backward"), |bench| {
            bench.iter(|| {
                let (y, idx) = x.max_pool2d((2, 2), (2, 2), (0, 0));
                black_box(y.max_pool2d_backward(&idx))
            })
        });
        // A CNN's `ReLU, MaxPool2d`: fused, and as two passes for the ratio.
        group.bench_function(format!("relu_max_{name}/forward"), |bench| {
            bench.iter(|| black_box(x.relu_max_pool2d((2, 2), (2, 2), (0, 0))))
        });
        group.bench_function(format!("relu_then_max_{name}/forward"), |bench| {
            bench.iter(|| black_box(x.relu().max_pool2d((2, 2), (2, 2), (0, 0))))
        });
        group.bench_function(format!("avg_{name}/forward_backward"), |bench| {
            bench.iter(|| {
                let y = x.avg_pool2d((2, 2), (2, 2), (0, 0));
                black_box(y.avg_pool2d_backward(x.shape(), (2, 2), (2, 2), (0, 0)))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, conv, pool);
criterion_main!(benches);
