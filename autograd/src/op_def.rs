//! [`OpDef`]: what the library knows about one differentiable operator,
//! besides its code.
//!
//! An operator is a `Var` method whose body hands [`Var::from_op`] three
//! things: its descriptor, its forward computation and its backward rule.
//! The descriptor, a `static` written just above the method, carries the
//! operator's name, its formulas as the documentation shows them, and how
//! the [profiler](crate::profiler) estimates its cost. Each family file of
//! `src/ops` declares its descriptors inside [`operators!`], which also
//! lists them for the [registry](crate::ops::operators): the profiler, the
//! table of operators in `docs/operators.md` and the test that every
//! operator has first- and second-order finite-difference checks all read
//! from there, so no list of names is kept by hand.
//!
//! An operator defined outside this crate writes its own `static OpDef` the
//! same way (see [`Var::from_op`]); the profiler then counts its FLOPs too.

use std::ops::{Add, AddAssign};

/// The descriptor of one differentiable operator.
///
/// ```
/// use sinapse_autograd::{Cost, OpDef};
///
/// /// `x^3`, for a profile that counts it as element-wise work.
/// pub static CUBE: OpDef = OpDef {
///     name: "cube",
///     forward: "x^3",
///     backward: "dx = 3 g x^2",
///     cost: Cost::Elementwise,
/// };
/// assert_eq!(CUBE.estimate(&[&[2, 3]], &[2, 3], 8).flops, 6);
/// ```
#[derive(Debug)]
pub struct OpDef {
    /// The name the profiler, graph pictures and error messages show
    /// (`"matmul"`, `"relu"`); unique among the registered operators.
    pub name: &'static str,
    /// The forward formula, in the notation of the docs (`"e^x"`).
    pub forward: &'static str,
    /// The backward rule: each input's gradient from the output gradient
    /// `g`, the inputs and the output `z` (`"dx = g z"`).
    pub backward: &'static str,
    /// How the profiler estimates the operator's arithmetic.
    pub cost: Cost,
}

/// How many floating-point operations one call of an operator does,
/// estimated from shapes (estimates, not hardware counters: an `exp` counts
/// as one operation although it costs more).
#[derive(Clone, Copy, Debug)]
pub enum Cost {
    /// A strided view (`reshape`, `transpose`, `broadcast_to`): no
    /// arithmetic and no data moved.
    View,
    /// Copies data without arithmetic (`pad_dim`): zero FLOPs, its bytes.
    Copy,
    /// One operation per output element (`add`, `relu`, `sigmoid`).
    Elementwise,
    /// One operation per element of the first input (sums, softmax,
    /// pooling, cross-entropy).
    Reduction,
    /// A formula of the operator's own, from the input shapes and the
    /// output shape (`matmul`: `2 m k n`).
    Formula(fn(inputs: &[&[usize]], output: &[usize]) -> u64),
}

/// Floating-point operations and bytes of one or more operator calls.
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

/// The number of elements of a shape.
pub(crate) fn numel(shape: &[usize]) -> u64 {
    shape.iter().product::<usize>() as u64
}

impl OpDef {
    /// The estimated cost of one call with these input and output shapes,
    /// for elements of `element_size` bytes.
    ///
    /// Bytes are `(sum of input sizes + output size) * element_size`: each
    /// operand read once and the result written once, the least traffic the
    /// operator can have (a matmul that re-reads blocks moves more); a view
    /// moves none.
    pub fn estimate(&self, inputs: &[&[usize]], output: &[usize], element_size: usize) -> OpCost {
        let out = numel(output);
        let first = inputs.first().map(|s| numel(s)).unwrap_or(0);
        let flops = match self.cost {
            Cost::View => return OpCost::default(),
            Cost::Copy => 0,
            Cost::Elementwise => out,
            Cost::Reduction => first,
            Cost::Formula(f) => f(inputs, output),
        };
        let elements: u64 = inputs.iter().map(|s| numel(s)).sum::<u64>() + out;
        OpCost { flops, bytes: elements * element_size as u64 }
    }

    /// The class of [`cost`](Self::cost) as the operator table shows it.
    pub fn cost_class(&self) -> &'static str {
        match self.cost {
            Cost::View => "view",
            Cost::Copy => "copy",
            Cost::Elementwise => "element-wise",
            Cost::Reduction => "reduction",
            Cost::Formula(_) => "formula",
        }
    }
}

/// Declares a family's operator descriptors and lists them in the family's
/// `OPERATORS`, which [`ops::operators`](crate::ops::operators) reads.
///
/// The body is ordinary `static` items; the macro only adds the list, so a
/// descriptor cannot be declared in a family file without being registered.
macro_rules! operators {
    ($( $(#[$attr:meta])* pub static $id:ident: OpDef = $def:expr; )*) => {
        $( $(#[$attr])* pub static $id: $crate::OpDef = $def; )*

        /// This family's operators, in the order of the file.
        pub(crate) static OPERATORS: &[&$crate::OpDef] = &[$(&$id),*];
    };
}
pub(crate) use operators;

#[cfg(test)]
mod tests {
    use super::*;

    static ADD: OpDef = OpDef { name: "add", forward: "", backward: "", cost: Cost::Elementwise };
    static SUM: OpDef = OpDef { name: "sum", forward: "", backward: "", cost: Cost::Reduction };
    static T: OpDef = OpDef { name: "transpose", forward: "", backward: "", cost: Cost::View };
    static PAD: OpDef = OpDef { name: "pad", forward: "", backward: "", cost: Cost::Copy };

    #[test]
    fn classes_count_output_or_first_input_elements() {
        assert_eq!(ADD.estimate(&[&[10, 3], &[3]], &[10, 3], 4), OpCost { flops: 30, bytes: (30 + 3 + 30) * 4 });
        assert_eq!(SUM.estimate(&[&[10, 3]], &[3], 8).flops, 30);
        assert_eq!(T.estimate(&[&[3, 4]], &[4, 3], 4), OpCost::default());
        assert_eq!(PAD.estimate(&[&[2]], &[5], 4), OpCost { flops: 0, bytes: 28 });
    }
}
