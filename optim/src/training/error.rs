//! What can stop training early, or keep a training state from loading.

use crate::OptimizerStateError;
use sinapse_nn::CheckpointError;
use std::path::PathBuf;
use thiserror::Error;

/// A training run that could not go on. Each message says what to change.
#[derive(Debug, Error)]
pub enum FitError {
    /// The loss of a batch was NaN or infinite; the parameters were not
    /// updated with it.
    #[error(
        "the training loss became {value} at epoch {epoch}, step {step}: training stopped before that update. \
         Lower the learning rate (it is {learning_rate}), check that the inputs are scaled to [0, 1] and hold no \
         NaN, and check that the targets fit the loss (one-hot rows or class indices)"
    )]
    NonFiniteLoss {
        /// Epoch number, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
        /// The loss that was not finite.
        value: f64,
        /// The learning rate in use.
        learning_rate: f64,
    },
    /// A callback monitors a quantity that the logs do not have.
    #[error("{callback} monitors '{monitor}', which this run does not log; available: {available}")]
    UnknownMonitor {
        /// The callback's name.
        callback: &'static str,
        /// The monitored name.
        monitor: String,
        /// The names the logs have, comma-separated.
        available: String,
    },
    /// Saving a checkpoint failed.
    #[error("saving the training state failed: {0}")]
    Checkpoint(#[from] TrainingStateError),
    /// The training data holds no example (or too few for one full batch
    /// with `drop_last`).
    #[error("the training data yields no batch ({examples} examples, batch size {batch_size}, drop_last {drop_last})")]
    NoBatches {
        /// Examples in the data.
        examples: usize,
        /// Examples per update.
        batch_size: usize,
        /// Whether partial batches are skipped.
        drop_last: bool,
    },
    /// A resumed run was given another seed than the one it started with,
    /// so its shuffles would not continue the original run.
    #[error(
        "the training state was saved by a run with seed {saved}, but fit was called with seed {given}; use \
         FitConfig::seed({saved}) to continue that run exactly"
    )]
    SeedMismatch {
        /// Seed recorded in the training state.
        saved: u64,
        /// Seed of this call.
        given: u64,
    },
}

/// A training state that could not be written or read.
#[derive(Debug, Error)]
pub enum TrainingStateError {
    /// Reading, writing or matching the checkpoint failed.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The optimizer's saved state does not fit the compiled optimizer.
    #[error("{path}: {source}")]
    Optimizer {
        /// The checkpoint file.
        path: PathBuf,
        /// What did not fit.
        #[source]
        source: OptimizerStateError,
    },
    /// The folder could not be created.
    #[error("cannot create the folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A metadata entry is missing or malformed.
    #[error("{path} is not a training state of this format: {problem}")]
    Metadata {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}
