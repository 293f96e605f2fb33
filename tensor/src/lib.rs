//! # sinapse-tensor
//!
//! Strided n-dimensional arrays, written to be read.
//!
//! A [`Tensor`] is a shared, reference-counted buffer plus a [`Layout`]
//! (shape, strides, offset). Views such as `transpose`, `narrow`, `permute` or
//! `broadcast_to` only compute a new layout over the same buffer; the one named
//! place that copies is [`Tensor::contiguous`]. Element-wise operations
//! broadcast like NumPy, reductions take an axis and `keepdim`, and `matmul`
//! hands the operands' own strides to matrixmultiply, so a transposed operand
//! costs no copy.
//!
//! ```
//! use sinapse_tensor::Tensor;
//! let a = Tensor::<f32>::from_vec(vec![1., 2., 3., 4., 5., 6.], &[2, 3]).unwrap();
//! let b = Tensor::<f32>::from_vec(vec![10., 20., 30.], &[3]).unwrap();
//! let c = &a + &b; // b is broadcast over the rows of a
//! assert_eq!(c.to_vec(), vec![11., 22., 33., 14., 25., 36.]);
//! assert_eq!(a.t().shape(), &[3, 2]); // a view: no data moved
//! ```

mod batch_norm;
mod buffer;
mod concat;
mod conv;
mod course_conv1d;
mod display;
mod element;
mod elementwise;
mod error;
mod inplace;
pub mod kernels;
mod layout;
mod matmul;
pub mod memory;
mod ops;
mod par;
mod pool;
mod pooled_conv;
mod random;
mod reduce;
mod rows;
mod softmax;
mod strided;
mod tensor;
mod views;

pub use batch_norm::BatchStats;
pub use element::Element;
pub use elementwise::{GELU_TANH_CUBIC, GELU_TANH_SCALE};
pub use error::TensorError;
pub use kernels::{
    kernel_choice, set_kernel_choice, AvgPoolPadding, Conv1dParams, Conv2dParams, KernelChoice, Pool2dParams,
};
pub use layout::Layout;
pub use pool::MaxPoolIndices;
pub use random::{seeded_rng, SeededRng};
pub use rows::RowIndices;
pub use tensor::Tensor;
