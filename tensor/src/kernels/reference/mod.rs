//! The reference kernels: each idea written as the loops of its formula,
//! to be read in one sitting, with its backward next to it.
//!
//! | file | what |
//! |---|---|
//! | `matmul.rs` | `C = A B` as three loops, and its backward `dA = dC B^T`, `dB = A^T dC` |
//! | `conv2d_loops.rs` | convolution as nested loops over outputs and taps; input, weight and bias gradients |
//! | `conv2d_im2col.rs` | the same convolution as im2col plus one plain matrix product (what the fast kernel does, without the speed) |
//! | `max_pool.rs`, `min_pool.rs` | the largest or smallest value of each window and where it was; the scatter back |
//! | `avg_pool.rs` | the mean of each window, padding counted in the divisor or left out |
//! | `pool_window.rs` | which input elements a pooling window covers |
//!
//! They take the same sizes ([`Conv2dShape`](super::Conv2dShape),
//! [`Pool2dShape`](super::Pool2dShape)) and slices as the fast kernels and
//! are the tests' oracle for them. With `SINAPSE_KERNELS=reference` (or
//! [`set_kernel_choice`](super::set_kernel_choice)) the tensor methods run
//! these loops instead, so any example trains on them.

pub mod avg_pool;
pub mod conv2d_im2col;
pub mod conv2d_loops;
pub mod matmul;
pub mod max_pool;
pub mod min_pool;
pub mod pool_window;
