//! The differentiable operators. Each file holds a family; each operator is
//! a `Var` method that computes its value with `sinapse-tensor` and, in the
//! same function, gives its backward rule to [`Var::from_op`](crate::Var::from_op),
//! under a descriptor ([`OpDef`]) declared at the top of the file.
//!
//! Broadcasting is undone in exactly one place: [`Var::sum_to_shape`](crate::Var::sum_to_shape),
//! which every broadcasting operator applies to its inputs' gradients.
//!
//! [`operators`] is the registry: every descriptor of this crate, family by
//! family. The profiler reads each call's descriptor, and the table in
//! `docs/operators.md` and the test that every operator has first- and
//! second-order gradient checks read the registry.

use crate::OpDef;

pub mod arith;
pub mod broadcast;
pub mod conv;
pub mod loss;
pub mod matmul;
pub mod norm;
pub mod pool;
pub mod pooled_conv;
pub mod reduce;
pub mod rows;
pub mod shape;
pub mod softmax;
pub mod unary;

/// The families, each with its file's name and its descriptors. A family
/// left out here fails to compile: its `OPERATORS` would be unused.
static FAMILIES: &[(&str, &[&OpDef])] = &[
    ("arith", arith::OPERATORS),
    ("unary", unary::OPERATORS),
    ("reduce", reduce::OPERATORS),
    ("broadcast", broadcast::OPERATORS),
    ("shape", shape::OPERATORS),
    ("matmul", matmul::OPERATORS),
    ("softmax", softmax::OPERATORS),
    ("loss", loss::OPERATORS),
    ("norm", norm::OPERATORS),
    ("conv", conv::OPERATORS),
    ("pool", pool::OPERATORS),
    ("pooled_conv", pooled_conv::OPERATORS),
    ("rows", rows::OPERATORS),
];

/// Every operator this crate defines, with the family (file of `src/ops`)
/// that defines it, in the order of the files.
///
/// ```
/// let names: Vec<&str> = sinapse_autograd::ops::operators().map(|(_, def)| def.name).collect();
/// assert!(names.contains(&"matmul") && names.contains(&"conv2d_relu_max_pool2d"));
/// ```
pub fn operators() -> impl Iterator<Item = (&'static str, &'static OpDef)> {
    FAMILIES.iter().flat_map(|&(family, defs)| defs.iter().map(move |&def| (family, def)))
}

/// The registered operator named `name`.
pub fn operator(name: &str) -> Option<&'static OpDef> {
    operators().map(|(_, def)| def).find(|def| def.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpCost;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = operators().map(|(_, d)| d.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "two descriptors share a name");
    }

    #[test]
    fn matmul_counts_two_m_k_n() {
        let c = matmul::MATMUL.estimate(&[&[3, 4], &[4, 5]], &[3, 5], 4);
        assert_eq!(c.flops, 2 * 3 * 4 * 5);
        assert_eq!(c.bytes, (12 + 20 + 15) * 4);
    }

    #[test]
    fn conv_and_its_adjoints_count_the_same_multiply_adds() {
        // x [2, 3, 8, 8], w [4, 3, 3, 3], y [2, 4, 6, 6]
        let forward = 2 * (2 * 4 * 6 * 6) * (3 * 3 * 3);
        let c = conv::CONV2D.estimate(&[&[2, 3, 8, 8], &[4, 3, 3, 3]], &[2, 4, 6, 6], 8);
        assert_eq!(c.flops, forward);
        let gi = conv::CONV2D_GRAD_INPUT.estimate(&[&[2, 4, 6, 6], &[4, 3, 3, 3]], &[2, 3, 8, 8], 8);
        assert_eq!(gi.flops, forward);
        let gw = conv::CONV2D_GRAD_WEIGHT.estimate(&[&[2, 4, 6, 6], &[2, 3, 8, 8]], &[4, 3, 3, 3], 8);
        assert_eq!(gw.flops, forward);
        // The pooled gradients do the same per pooled position: a quarter for 2x2 pooling.
        let pw = pooled_conv::CONV2D_GRAD_WEIGHT_POOLED.estimate(&[&[2, 4, 3, 3], &[2, 3, 8, 8]], &[4, 3, 3, 3], 8);
        assert_eq!(pw.flops, forward / 4);
        let pi = pooled_conv::CONV2D_GRAD_INPUT_POOLED.estimate(&[&[2, 4, 3, 3], &[4, 3, 3, 3]], &[2, 3, 8, 8], 8);
        assert_eq!(pi.flops, forward / 4);
    }

    #[test]
    fn views_are_free_and_reductions_count_their_input() {
        assert_eq!(shape::TRANSPOSE.estimate(&[&[3, 4]], &[4, 3], 4), OpCost::default());
        let c = shape::PAD_DIM.estimate(&[&[10]], &[12], 4);
        assert_eq!((c.flops, c.bytes), (0, 88));
        assert_eq!(reduce::SUM.estimate(&[&[10, 3]], &[3], 4).flops, 30);
        assert_eq!(conv::CONV2D_GRAD_BIAS.estimate(&[&[2, 4, 6, 6]], &[4], 4).flops, 2 * 4 * 6 * 6);
        assert_eq!(unary::RELU.estimate(&[&[10, 3]], &[10, 3], 4).flops, 30);
    }
}
