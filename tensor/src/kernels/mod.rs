//! Low-level kernels on plain slices: the gemm front end, convolution and
//! pooling. They know nothing of [`Tensor`](crate::Tensor); the tensor
//! methods check shapes, make inputs contiguous and call them.

pub mod gemm;

pub mod avg_pool;
pub mod conv1d;
pub mod conv2d;
pub mod conv_params;
pub mod conv_relu_pool;
pub mod conv_shape;
mod few_taps;
mod few_taps_pooled;
pub mod im2col;
pub mod instruction_sets;
pub mod max_pool;
mod narrow_gemm;
mod parallel;
mod phase_pool;
pub mod pool_shape;
pub mod pooled_conv_grad;
mod scratch;

pub use conv_params::{Conv1dParams, Conv2dParams};
pub use conv_shape::{Conv1dShape, Conv2dShape};
pub use pool_shape::{Pool2dParams, Pool2dShape};
