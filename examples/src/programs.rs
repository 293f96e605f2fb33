//! The examples' programs, the files `examples/perceptron.rs`, `mlp.rs`,
//! `cnn.rs`, `fashion_cnn.rs`, `custom_op.rs`, `filters.rs`, `gd_modes.rs`,
//! `init_and_activations.rs`, `overfitting.rs`, `pooling_invariance.rs` and
//! `predict.rs` themselves,
//! compiled into the library too so that the tests run them in the same
//! process and check what they return.
//!
//! Each file's `main` runs only in its own binary, hence `dead_code`.

#[allow(dead_code)]
#[path = "../perceptron.rs"]
pub mod perceptron;

#[allow(dead_code)]
#[path = "../mlp.rs"]
pub mod mlp;

#[allow(dead_code)]
#[path = "../cnn.rs"]
pub mod cnn;

#[allow(dead_code)]
#[path = "../fashion_cnn.rs"]
pub mod fashion_cnn;

#[allow(dead_code)]
#[path = "../custom_op.rs"]
pub mod custom_op;

#[allow(dead_code)]
#[path = "../filters.rs"]
pub mod filters;

#[allow(dead_code)]
#[path = "../gd_modes.rs"]
pub mod gd_modes;

#[allow(dead_code)]
#[path = "../predict.rs"]
pub mod predict;

#[allow(dead_code)]
#[path = "../overfitting.rs"]
pub mod overfitting;

#[allow(dead_code)]
#[path = "../init_and_activations.rs"]
pub mod init_and_activations;

#[allow(dead_code)]
#[path = "../pooling_invariance.rs"]
pub mod pooling_invariance;
