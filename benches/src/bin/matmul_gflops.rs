//! Single-precision matrix product speed, for the side-by-side comparison
//! with NumPy/OpenBLAS in `benches/compare/matmul.py`.
//!
//! For each size `n` given on the command line, times `C = A B` on `n x n`
//! matrices two ways, alternating: through `Tensor::matmul` (which splits
//! large products over the rayon pool, `RAYON_NUM_THREADS` threads) and by a
//! direct call of matrixmultiply's `sgemm` on the same buffers (one thread:
//! its own threading feature is off). Prints one JSON line per way and size
//! with the median GFLOP/s (`2 n^3` floating-point operations per product).
//!
//!     RAYON_NUM_THREADS=2 cargo run --release -p sinapse-benches --bin matmul_gflops -- 512 1024 2048

use sinapse_benches::sgemm_direct;
use sinapse_tensor::{seeded_rng, Tensor};
use std::hint::black_box;
use std::time::Instant;

/// Seconds of measurement per way and size (after one warm-up product).
const BUDGET_SECONDS: f64 = 2.0;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    if sizes.is_empty() {
        eprintln!("usage: matmul_gflops N [N ...]   (threads: RAYON_NUM_THREADS)");
        std::process::exit(2);
    }
    let threads = rayon::current_num_threads();
    let mut rng = seeded_rng(0);
    for n in sizes {
        let a = Tensor::<f32>::rand_uniform(&[n, n], -1.0, 1.0, &mut rng);
        let b = Tensor::<f32>::rand_uniform(&[n, n], -1.0, 1.0, &mut rng);
        let (sa, sb) = (a.to_vec(), b.to_vec());
        let mut out = vec![0.0f32; n * n];
        let flop = 2.0 * (n as f64).powi(3);
        let (mut ours, mut direct) = (Vec::new(), Vec::new());
        black_box(a.matmul(&b));
        sgemm_direct(n, &sa, &sb, &mut out);
        let began = Instant::now();
        while began.elapsed().as_secs_f64() < 2.0 * BUDGET_SECONDS || ours.len() < 3 {
            let t = Instant::now();
            black_box(a.matmul(&b));
            ours.push(flop / t.elapsed().as_secs_f64() / 1e9);
            let t = Instant::now();
            sgemm_direct(n, &sa, &sb, &mut out);
            black_box(&out);
            direct.push(flop / t.elapsed().as_secs_f64() / 1e9);
        }
        for (way, runs, way_threads) in [("sinapse", ours, threads), ("matrixmultiply_direct", direct, 1)] {
            println!(
                "{{\"impl\": \"{way}\", \"n\": {n}, \"threads\": {way_threads}, \"runs\": {}, \"gflops\": {:.2}}}",
                runs.len(),
                median(runs)
            );
        }
    }
}
