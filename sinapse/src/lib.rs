//! # sinapse
//!
//! A deep-learning framework written from scratch in Rust: strided tensors,
//! reverse-mode automatic differentiation, layers, optimizers, a Keras-like
//! training loop and the MNIST data sets. This crate is the one to depend on:
//! it re-exports the six crates that make up the framework, each under a
//! short name, and gathers what a training program needs in [`prelude`].
//!
//! | module | crate | what it holds |
//! |---|---|---|
//! | [`tensor`] | `sinapse-tensor` | strided tensors, views, broadcasting, matmul and convolution kernels |
//! | [`autograd`] | `sinapse-autograd` | the computation graph, `Var`, gradients, `gradcheck`, the profiler |
//! | [`nn`] | `sinapse-nn` | layers, activations, losses, initializers, checkpoints |
//! | [`optim`] | `sinapse-optim` | SGD, Adam, RMSprop, Adagrad, parameter groups, schedules, clipping |
//! | [`train`] | `sinapse-train` | `Model` with `compile`, `fit`, `evaluate`, callbacks, history, resumption |
//! | [`datasets`] | `sinapse-datasets` | memory-mapped MNIST and Fashion-MNIST, batches |
//!
//! The course's multilayer perceptron on MNIST, the whole program
//! (`cargo run --release -p sinapse --example quickstart`):
//!
//! ```no_run
#![doc = include_str!("../examples/quickstart.rs")]
//! ```

#![forbid(unsafe_code)]

pub use sinapse_autograd as autograd;
pub use sinapse_datasets as datasets;
pub use sinapse_nn as nn;
pub use sinapse_optim as optim;
pub use sinapse_tensor as tensor;
pub use sinapse_train as train;

/// The names a training program uses, for `use sinapse::prelude::*`.
///
/// Layers, activations, losses and `Var` come from
/// [`sinapse_nn::prelude`]; the tensor, the optimizers, the training loop
/// and the data sets are added here. Names that two crates define in
/// different senses are left out so that the glob never clashes: the
/// prelude's `one_hot` is [`nn::loss::one_hot`] (a tensor of labels), and
/// [`datasets::one_hot`] (a flat `Vec`) stays under its module, as do
/// [`datasets::Result`] and the other crates' error types.
pub mod prelude {
    pub use sinapse_nn::prelude::*;

    pub use sinapse_tensor::{seeded_rng, Element, SeededRng, Tensor};

    pub use sinapse_optim::{Adagrad, Adam, LrSchedule, Momentum, Optimizer, ParamGroup, RmsProp, Sgd, WeightDecay};

    pub use sinapse_train::{
        BatchSource, Callback, EarlyStopping, Evaluation, FitConfig, FitError, History, Metric, MnistSource, Model,
        ModelCheckpoint, StepModule, TensorData,
    };

    pub use sinapse_datasets::{
        Batch, BatchConfig, Batches, DataSource, Dataset, DatasetError, DatasetKind, FashionMnist, ImageLayout, Mnist,
        Split, Subset,
    };
}
