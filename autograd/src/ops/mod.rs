//! The differentiable operations. Each file holds a family of operations;
//! each operation computes its value with `sinapse-tensor` and, in the same
//! function, gives its backward rule to [`Var::from_op`](crate::Var::from_op).
//!
//! Broadcasting is undone in exactly one place: [`Var::sum_to_shape`], which
//! every broadcasting operation applies to its inputs' gradients.

mod arith;
mod broadcast;
mod conv;
mod loss;
mod matmul;
mod pool;
mod pooled_conv;
mod reduce;
mod shape;
mod softmax;
mod unary;
