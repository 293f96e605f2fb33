//! Shared helpers for the benchmarks.

use sinapse_autograd::Var;

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
