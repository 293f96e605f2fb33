//! How much arithmetic and memory traffic an operation costs, estimated
//! from its name and shapes, so that no operation has to report it.

use std::ops::{Add, AddAssign};

/// Floating-point operations and bytes of one or more operation calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpCost {
    /// Floating-point operations (a multiply-add counts as 2).
    pub flops: u64,
    /// Bytes read and written.
    pub bytes: u64,
}

impl Add for OpCost {
    type Output = OpCost;
    fn add(self, other: OpCost) -> OpCost {
        OpCost { flops: self.flops + other.flops, bytes: self.bytes + other.bytes }
    }
}

impl AddAssign for OpCost {
    fn add_assign(&mut self, other: OpCost) {
        *self = *self + other;
    }
}

fn numel(shape: &[usize]) -> u64 {
    shape.iter().product::<usize>() as u64
}

/// Element-wise operations: one FLOP per output element.
const ELEMENTWISE: &[&str] = &[
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "add_scalar",
    "mul_scalar",
    "rsub_scalar",
    "exp",
    "ln",
    "sqrt",
    "powf",
    "square",
    "abs",
    "relu",
    "sigmoid",
    "tanh",
    "maximum",
    "minimum",
    "max_pool2d_gather",
    "avg_pool2d_backward",
];

/// Operations that read each input element once and combine it: one FLOP
/// per element of the (first) input.
const REDUCTIONS: &[&str] = &[
    "sum",
    "max",
    "sum_to_shape",
    "softmax",
    "log_softmax",
    "cross_entropy_with_logits",
    "max_pool2d",
    "min_pool2d",
    "avg_pool2d",
    "max_pool2d_backward",
    "conv2d_grad_bias",
];

/// Operations that only change the layout (a stride view): no arithmetic and
/// no data moved.
const VIEWS: &[&str] = &["reshape", "permute", "transpose", "narrow", "select", "squeeze", "unsqueeze", "broadcast_to"];

/// An estimate of an operation's cost from its name, input shapes and output
/// shape. Conventions (estimates, not hardware counters):
///
/// - `matmul` `[.., m, k] x [.., k, n]`: `2 m k n` per matrix (one multiply
///   and one add per term);
/// - `conv2d` (`x` `[N, C, H, W]`, `w` `[O, C, KH, KW]`, `y` `[N, O, OH, OW]`):
///   `2 N O OH OW C KH KW`; its adjoints `conv2d_grad_input` and
///   `conv2d_grad_weight` do the same number of multiply-adds;
/// - element-wise operations (`add`, `relu`, `sigmoid`, ...): one per output
///   element, whatever the function (an `exp` costs more in practice);
/// - reductions, softmax, cross-entropy and pooling: one per input element;
/// - views (`reshape`, `transpose`, `broadcast_to`, ...): zero FLOPs and zero
///   bytes (a reshape that has to copy is undercounted);
/// - any other name (an operator defined outside this crate): zero FLOPs,
///   bytes as below.
///
/// Bytes are `(sum of input sizes + output size) * element_size`: each
/// operand read once and the result written once, the least traffic the
/// operation can have (a matmul that re-reads blocks moves more).
pub fn estimate_cost(op: &str, inputs: &[&[usize]], output: &[usize], element_size: usize) -> OpCost {
    if VIEWS.contains(&op) {
        return OpCost::default();
    }
    let out = numel(output);
    let first = inputs.first().map(|s| numel(s)).unwrap_or(0);
    let flops = match op {
        // The shared dimension is the left operand's last one.
        "matmul" => 2 * out * inputs.first().and_then(|a| a.last()).copied().unwrap_or(0) as u64,
        // y [N, O, OH, OW] from w [O, C, KH, KW]: each output element is a
        // dot product of length C KH KW.
        "conv2d" => 2 * out * per_output_channel(inputs.get(1)),
        // dx [N, C, H, W] from dy [N, O, OH, OW] and w [O, C, KH, KW]: the
        // forward's multiply-adds, walked backwards.
        "conv2d_grad_input" => 2 * first * per_output_channel(inputs.get(1)),
        // dw [O, C, KH, KW] from dy [N, O, OH, OW] and x: again the forward's.
        "conv2d_grad_weight" => 2 * first * per_output_channel(Some(&output)),
        _ if ELEMENTWISE.contains(&op) => out,
        _ if REDUCTIONS.contains(&op) => first,
        _ => 0,
    };
    let elements: u64 = inputs.iter().map(|s| numel(s)).sum::<u64>() + out;
    OpCost { flops, bytes: elements * element_size as u64 }
}

/// `C KH KW` for a weight `[O, C, KH, KW]`: its size divided by `O`.
fn per_output_channel(weight: Option<&&[usize]>) -> u64 {
    match weight {
        Some(w) if !w.is_empty() && w[0] > 0 => numel(w) / w[0] as u64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_counts_two_m_k_n() {
        let c = estimate_cost("matmul", &[&[3, 4], &[4, 5]], &[3, 5], 4);
        assert_eq!(c.flops, 2 * 3 * 4 * 5);
        assert_eq!(c.bytes, (12 + 20 + 15) * 4);
    }

    #[test]
    fn conv_and_its_adjoints_count_the_same_multiply_adds() {
        // x [2, 3, 8, 8], w [4, 3, 3, 3], y [2, 4, 6, 6]
        let forward = 2 * (2 * 4 * 6 * 6) * (3 * 3 * 3);
        let c = estimate_cost("conv2d", &[&[2, 3, 8, 8], &[4, 3, 3, 3]], &[2, 4, 6, 6], 8);
        assert_eq!(c.flops, forward);
        let gi = estimate_cost("conv2d_grad_input", &[&[2, 4, 6, 6], &[4, 3, 3, 3]], &[2, 3, 8, 8], 8);
        assert_eq!(gi.flops, forward);
        let gw = estimate_cost("conv2d_grad_weight", &[&[2, 4, 6, 6], &[2, 3, 8, 8]], &[4, 3, 3, 3], 8);
        assert_eq!(gw.flops, forward);
    }

    #[test]
    fn views_are_free_and_unknown_ops_move_bytes_only() {
        assert_eq!(estimate_cost("transpose", &[&[3, 4]], &[4, 3], 4), OpCost::default());
        let c = estimate_cost("my_op", &[&[10]], &[10], 4);
        assert_eq!((c.flops, c.bytes), (0, 80));
        assert_eq!(estimate_cost("sum", &[&[10, 3]], &[3], 4).flops, 30);
        assert_eq!(estimate_cost("conv2d_grad_bias", &[&[2, 4, 6, 6]], &[4], 4).flops, 2 * 4 * 6 * 6);
        assert_eq!(estimate_cost("relu", &[&[10, 3]], &[10, 3], 4).flops, 30);
    }
}
