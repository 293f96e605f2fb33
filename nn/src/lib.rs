//! # sinapse-nn
//!
//! Layers, losses, initializers and checkpoints on top of
//! [`sinapse_autograd`].
//!
//! A model is a [`Module`]: `forward` maps a batch [`Var`](sinapse_autograd::Var)
//! to an output, and the module owns its parameters, listed under
//! PyTorch-style names. The course's models read as they are drawn:
//!
//! ```
//! use sinapse_nn::prelude::*;
//! use sinapse_tensor::{seeded_rng, Tensor};
//!
//! let mut rng = seeded_rng(42);
//! // Conv(1 -> 32, 3x3) - pool - Conv(32 -> 64, 3x3) - pool - Dense(1600 -> 10)
//! let cnn = Sequential::<f32>::new()
//!     .add(Conv2d::new(1, 32, 3, &mut rng))
//!     .add(ReLU)
//!     .add(MaxPool2d::new(2))
//!     .add(Conv2d::new(32, 64, 3, &mut rng))
//!     .add(ReLU)
//!     .add(MaxPool2d::new(2))
//!     .add(Flatten)
//!     .add(Linear::new(1600, 10, &mut rng));
//! assert_eq!(cnn.num_parameters(), 34_826);
//! assert_eq!(cnn.output_shape(&[8, 1, 28, 28]), vec![8, 10]);
//!
//! let x = Var::constant(Tensor::zeros(&[2, 1, 28, 28]));
//! let loss = cross_entropy(&cnn.forward(&x), &[3, 7], Reduction::Mean);
//! let grads = loss.backward();
//! assert_eq!(grads.get(cnn.parameters()[0].1).unwrap().shape(), &[32, 1, 3, 3]);
//! ```

#![warn(missing_docs)]

mod activation;
mod adaptive_pool;
mod affine;
mod batch_norm;
mod buffer;
pub mod checkpoint;
mod conv;
mod conv1d;
mod dropout;
mod embedding;
pub mod functional;
mod fusion;
mod init;
mod layer_norm;
mod linear;
pub mod loss;
mod module;
mod pool;
mod sequential;
mod summary;

pub use activation::{Activation, Flatten, ReLU, Sigmoid, Softmax, Tanh};
pub use adaptive_pool::AdaptiveAvgPool2d;
pub use batch_norm::BatchNorm;
pub use buffer::Buffer;
pub use checkpoint::{Checkpoint, CheckpointError, ModuleExt, StateMismatch};
pub use conv::{Conv2d, Conv2dBuilder, IntoPair, Padding};
pub use conv1d::Conv1d;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use init::{fans, Init};
pub use layer_norm::LayerNorm;
pub use linear::{Linear, LinearBuilder};
pub use loss::{Loss, Reduction};
pub use module::Module;
pub use pool::{AvgPool2d, MaxPool2d, MinPool2d};
pub use sequential::Sequential;
pub use summary::{Summary, SummaryRow};

/// Everything needed to build and train a model, in one `use`.
pub mod prelude {
    pub use crate::functional::{add, concatenate, Conv, Dense, Input, Layer};
    pub use crate::loss::{
        binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, cross_entropy_with_probs,
        half_squared_error, mse, nll, one_hot,
    };
    pub use crate::{
        Activation, AdaptiveAvgPool2d, AvgPool2d, BatchNorm, Checkpoint, Conv1d, Conv2d, Dropout, Embedding, Flatten,
        Init, LayerNorm, Linear, Loss, MaxPool2d, MinPool2d, Module, ModuleExt, Padding, ReLU, Reduction, Sequential,
        Sigmoid, Softmax, Tanh,
    };
    pub use sinapse_autograd::{no_grad, Gradients, Var};
}
