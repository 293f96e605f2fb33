//! The reference convolution kernels beside the fast one, at the shapes of
//! the course's CNN (batch 128): conv 1->32 3x3 on 28x28 and conv 32->64 3x3
//! on 13x13. Forward alone, by the fast kernel, by the nested loops and by
//! im2col plus the three-loop product; and forward + both gradients by the
//! fast kernel and by the loops (what `SINAPSE_KERNELS=reference` trains
//! with). The ratio of the two is the price of the readable code.

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use sinapse_tensor::kernels::reference::conv2d_im2col;
use sinapse_tensor::kernels::Conv2dShape;
use sinapse_tensor::{seeded_rng, set_kernel_choice, Conv2dParams, KernelChoice, Tensor};

struct ConvCase {
    name: &'static str,
    input: [usize; 4],
    weight: [usize; 4],
}

const CASES: [ConvCase; 2] = [
    ConvCase { name: "conv1_b128_1to32_28x28", input: [128, 1, 28, 28], weight: [32, 1, 3, 3] },
    ConvCase { name: "conv2_b128_32to64_13x13", input: [128, 32, 13, 13], weight: [64, 32, 3, 3] },
];

fn reference_vs_fast(c: &mut Criterion) {
    let mut group = c.benchmark_group("conv2d_reference_vs_fast_f32");
    // The reference loops take up to seconds per call: ten samples of the
    // same few iterations each, not criterion's growing counts.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    let mut rng = seeded_rng(2);
    let p = Conv2dParams::valid();
    for case in &CASES {
        let x = Tensor::<f32>::rand_normal(&case.input, 0.0, 1.0, &mut rng);
        let w = Tensor::<f32>::rand_normal(&case.weight, 0.0, 0.1, &mut rng);
        let b = Tensor::<f32>::zeros(&[case.weight[0]]);
        let shape = Conv2dShape::new(case.input, case.weight, p);
        let flops = 2 * shape.output_shape().iter().product::<usize>() as u64 * shape.col_rows() as u64;
        let dy = Tensor::<f32>::rand_normal(&shape.output_shape(), 0.0, 1.0, &mut rng);
        group.throughput(Throughput::Elements(flops));
        for (label, choice) in [("fast", KernelChoice::Fast), ("reference_loops", KernelChoice::Reference)] {
            group.bench_function(format!("{}/forward/{label}", case.name), |bench| {
                set_kernel_choice(choice);
                bench.iter(|| black_box(x.conv2d(&w, Some(&b), p)))
            });
        }
        let (xs, ws, bs) = (x.to_vec(), w.to_vec(), b.to_vec());
        group.bench_function(format!("{}/forward/reference_im2col", case.name), |bench| {
            bench.iter(|| black_box(conv2d_im2col::conv2d_forward(&shape, &xs, &ws, Some(&bs))))
        });
        group.throughput(Throughput::Elements(3 * flops));
        for (label, choice) in [("fast", KernelChoice::Fast), ("reference_loops", KernelChoice::Reference)] {
            group.bench_function(format!("{}/forward_backward/{label}", case.name), |bench| {
                set_kernel_choice(choice);
                bench.iter(|| {
                    let y = x.conv2d(&w, Some(&b), p);
                    let dx = dy.conv2d_grad_input(&w, x.shape(), p);
                    let dw = dy.conv2d_grad_weight(&x, w.shape(), p);
                    black_box((y, dx, dw, dy.conv2d_grad_bias()))
                })
            });
        }
    }
    set_kernel_choice(KernelChoice::Fast);
    group.finish();
}

criterion_group!(benches, reference_vs_fast);
criterion_main!(benches);
