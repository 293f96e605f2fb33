//! Kernels on plain slices: convolution, pooling and the gemm front end.
//! They know nothing of [`Tensor`](crate::Tensor); the tensor methods check
//! shapes, make inputs contiguous and call them.
//!
//! Two sets compute the same functions. The **reference** kernels
//! ([`reference`](mod@reference), public) are the formulas written as loops, for reading
//! and as the tests' oracle. The **specialised** kernels (private to this
//! crate) are what the tensor methods run by default; each file below says
//! which trick it adds. [`set_kernel_choice`] or `SINAPSE_KERNELS=reference`
//! makes the tensor methods run the reference loops instead.
//!
//! | file | kind | what it computes |
//! |---|---|---|
//! | `reference/matmul.rs` | reference | `C = A B` as three loops, and its backward |
//! | `reference/conv2d_loops.rs` | reference | convolution and its three gradients as nested loops |
//! | `reference/conv2d_im2col.rs` | reference | the same as im2col plus one plain matrix product |
//! | `reference/max_pool.rs`, `min_pool.rs`, `avg_pool.rs` | reference | pooling as loops, forward and backward |
//! | `conv_params.rs`, `conv_shape.rs`, `pool_shape.rs` | shared | the sizes both sets take, checked once |
//! | `choice.rs` | shared | which set the tensor methods run |
//! | `gemm.rs` | specialised | matrix products through matrixmultiply, split over threads |
//! | `narrow_gemm.rs` | specialised | products with at most 16 rows or columns as dot products read in place |
//! | `im2col.rs` | specialised | patches unfolded in runs and fixed blocks, straight into the product's panels |
//! | `conv2d.rs` | specialised | im2col + gemm over groups of images, threads, bias in the copy-out |
//! | `conv1d.rs` | specialised | the 2-D kernels on height-1 inputs |
//! | `few_taps.rs` | specialised | layers with at most 16 taps (the first layer): one multiply-add per tap, no gemm |
//! | `conv_relu_pool.rs` | specialised | convolution + ReLU + max pooling in one pass, only the windows pooling reads |
//! | `phase_pool.rs` | specialised | the first layer's planes made in phase order, pooled as contiguous vectors |
//! | `max_pool.rs`, `avg_pool.rs` | specialised | pooling over whole planes, branch-free 2x2, threads; min pooling as `-max(-x)` |
//! | `pooled_conv_grad.rs`, `few_taps_pooled.rs` | specialised | a max-pooled convolution's gradients from the pooled gradient (a quarter of the work for 2x2) |
//! | `instruction_sets.rs` | specialised | each vector kernel compiled for the baseline, AVX2 and AVX-512, the widest chosen at run time |
//! | `parallel.rs`, `scratch.rs` | specialised | work split over threads; reused scratch buffers |

pub(crate) mod gemm;

pub(crate) mod avg_pool;
mod choice;
pub(crate) mod conv1d;
pub(crate) mod conv2d;
mod conv_params;
pub(crate) mod conv_relu_pool;
mod conv_shape;
mod few_taps;
mod few_taps_pooled;
pub(crate) mod im2col;
pub mod instruction_sets;
pub(crate) mod max_pool;
mod narrow_gemm;
mod parallel;
mod phase_pool;
mod pool_shape;
pub(crate) mod pooled_conv_grad;
pub mod reference;
mod scratch;

pub(crate) use choice::use_reference;
pub use choice::{kernel_choice, set_kernel_choice, KernelChoice};
pub use conv_params::{Conv1dParams, Conv2dParams};
pub use conv_shape::{Conv1dShape, Conv2dShape};
pub use pool_shape::{AvgPoolPadding, Pool2dParams, Pool2dShape};
