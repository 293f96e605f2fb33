//! Tensor kernels: matmul (ours against a direct matrixmultiply call on the
//! same buffers), a broadcast add and a reduction.
//!
//! Threads: `Tensor::matmul` splits large products over rayon's pool
//! (`RAYON_NUM_THREADS`); the direct call is single-threaded (matrixmultiply's
//! own threading feature is off). Run twice to compare one and two threads:
//!
//! ```text
//! RAYON_NUM_THREADS=1 cargo bench -p sinapse-benches --bench tensor_ops
//! RAYON_NUM_THREADS=2 cargo bench -p sinapse-benches --bench tensor_ops
//! ```
//!
//! The matmul groups report throughput in "elements" that are FLOPs
//! (`2 n^3` per product), so criterion's `Gelem/s` reads as GFLOP/s.

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sinapse_tensor::{seeded_rng, Tensor};

fn matmul(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul_f32");
    group.sample_size(20);
    let mut rng = seeded_rng(0);
    for n in [64usize, 128, 256, 512, 1024] {
        let a = Tensor::<f32>::rand_normal(&[n, n], 0.0, 1.0, &mut rng);
        let b = Tensor::<f32>::rand_normal(&[n, n], 0.0, 1.0, &mut rng);
        group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
        group.bench_with_input(BenchmarkId::new("sinapse", n), &n, |bench, _| {
            bench.iter(|| black_box(a.matmul(&b)));
        });
        group.bench_with_input(BenchmarkId::new("sinapse_transposed_rhs", n), &n, |bench, _| {
            let bt = b.t();
            bench.iter(|| black_box(a.matmul(&bt)));
        });
        let (sa, sb) = (a.as_slice().unwrap().to_vec(), b.as_slice().unwrap().to_vec());
        group.bench_with_input(BenchmarkId::new("matrixmultiply_direct", n), &n, |bench, _| {
            bench.iter(|| {
                let mut out = vec![0.0f32; n * n];
                sinapse_benches::sgemm_direct(n, &sa, &sb, &mut out);
                black_box(out)
            });
        });
    }
    group.finish();
}

fn elementwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("elementwise_f32");
    let mut rng = seeded_rng(1);
    for (rows, cols) in [(128usize, 128usize), (1024, 1024)] {
        let a = Tensor::<f32>::rand_normal(&[rows, cols], 0.0, 1.0, &mut rng);
        let bias = Tensor::<f32>::rand_normal(&[cols], 0.0, 1.0, &mut rng);
        group.throughput(Throughput::Elements((rows * cols) as u64));
        let id = format!("{rows}x{cols}");
        group
            .bench_function(BenchmarkId::new("broadcast_add_row", &id), |bench| bench.iter(|| black_box(a.add(&bias))));
        group.bench_function(BenchmarkId::new("add_transposed", &id), |bench| {
            let at = a.t();
            bench.iter(|| black_box(a.add(&at)))
        });
        group.bench_function(BenchmarkId::new("relu", &id), |bench| bench.iter(|| black_box(a.relu())));
        group.bench_function(BenchmarkId::new("sum_axis0", &id), |bench| bench.iter(|| black_box(a.sum(0, false))));
        group.bench_function(BenchmarkId::new("sum_axis1", &id), |bench| bench.iter(|| black_box(a.sum(1, false))));
        group.bench_function(BenchmarkId::new("softmax_rows", &id), |bench| bench.iter(|| black_box(a.softmax(1))));
    }
    group.finish();
}

criterion_group!(benches, matmul, elementwise);
criterion_main!(benches);
