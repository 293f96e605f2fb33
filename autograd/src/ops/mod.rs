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
pub mod pool;
pub mod pooled_conv;
pub mod reduce;
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
    ("conv", conv::OPERATORS),
    ("pool", pool::OPERATORS),
    ("pooled_conv", pooled_conv::OPERATORS),
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

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = operators().map(|(_, d)| d.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "two descriptors share a name");
    }
}
