//! Shared helpers for the benchmarks.

use sinapse_autograd::Var;
use sinapse_datasets::{Batch, BatchConfig, Batches, DataSource, DatasetError, ImageLayout, Mnist, Split};

/// Number of operations in [`op_chain`].
pub const CHAIN_OPS: usize = 100;

/// [`CHAIN_OPS`] operations on a tiny tensor, cycling through add_scalar,
/// mul_scalar, tanh and mul: on such inputs the arithmetic is negligible, so
/// timing the chain measures the per-operation bookkeeping of the graph.
pub fn op_chain(x: &Var<f32>) -> Var<f32> {
    let mut y = x.clone();
    for i in 0..CHAIN_OPS {
        y = match i % 4 {
            0 => y.add_scalar(0.1),
            1 => y.mul_scalar(0.9),
            2 => y.tanh(),
            _ => y.mul(x),
        };
    }
    y
}

/// `out <- a b` for `n x n` row-major `f32` matrices by a direct call of
/// matrixmultiply's `sgemm` (one thread: its own threading feature is off
/// in this workspace): the reference that `Tensor::matmul` is measured
/// against.
///
/// # Panics
/// If a slice does not hold `n * n` elements.
pub fn sgemm_direct(n: usize, a: &[f32], b: &[f32], out: &mut [f32]) {
    assert!(
        a.len() == n * n && b.len() == n * n && out.len() == n * n,
        "sgemm_direct: {n}x{n} matrices need {} elements each",
        n * n
    );
    let stride = n as isize;
    // SAFETY: the three slices hold n*n elements each (checked above), read
    // row-major with row stride n and column stride 1, so every address is in
    // bounds; `out` is a unique borrow, so it aliases neither input.
    unsafe {
        matrixmultiply::sgemm(
            n,
            n,
            n,
            1.0,
            a.as_ptr(),
            stride,
            1,
            b.as_ptr(),
            stride,
            1,
            0.0,
            out.as_mut_ptr(),
            stride,
            1,
        );
    }
}

/// The first shuffled (seed 0) training batch of MNIST in `layout`: its
/// images, labels and one-hot labels.
///
/// # Errors
/// When MNIST cannot be found or read.
pub fn first_batch(batch: usize, layout: ImageLayout) -> Result<Batch, DatasetError> {
    let train = Mnist::load(Split::Train, &DataSource::standard())?;
    let batches = Batches::new(&train, BatchConfig::new(batch).shuffled(0).layout(layout))?;
    Ok(batches.epoch(0).next().expect("a non-empty training set has a first batch"))
}
