//! What can stop training early, or keep a training state from loading.

use super::run_info::RunDifference;
use sinapse_nn::CheckpointError;
use sinapse_optim::OptimizerStateError;
use std::path::PathBuf;
use thiserror::Error;

/// A training run that could not go on. Each message says what to change.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FitError {
    /// The loss of a batch was NaN or infinite; the parameters were not
    /// updated with it. The message's advice follows `cause`.
    #[error(
        "the training loss became {value} at epoch {epoch}, step {step}: training stopped before that update. {cause}"
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
        /// What was found not finite, and so what to do.
        cause: NonFiniteCause,
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
    /// The progress line could not be written (standard output full or
    /// closed); the epoch it reports was trained and handed to the callbacks.
    #[error("could not write the training progress to standard output: {0}")]
    Output(#[source] std::io::Error),
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
    /// Data-parallel training could not go on: a peer process died, hung
    /// past the timeout, or the transport failed (the source says which).
    #[error("distributed training stopped: {0}")]
    Distributed(#[source] crate::parallel::ParallelError),
    /// Another rank of a data-parallel run failed at the end of an epoch
    /// (its own message says why); this rank stopped with it.
    #[error("another process of the distributed run failed (its output says why); this one stopped with it")]
    PeerFailed,
    /// Some ranks of a data-parallel run do not start from rank 0's
    /// parameters and buffers, or see another number of examples or batch
    /// size.
    #[error(
        "{ranks} of the {of} ranks start from other parameters or data than rank 0: give every rank the same \
         flags, the same data and the same checkpoint (a shared --out folder, or a copy on every node)"
    )]
    RanksDiffer {
        /// How many ranks differ from rank 0.
        ranks: usize,
        /// The number of ranks.
        of: usize,
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

/// Why a loss was not finite, found by looking at the step's inputs: the
/// advice given depends on it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NonFiniteCause {
    /// A parameter held NaN or an infinity before the step.
    Parameter {
        /// The parameter's name.
        name: String,
    },
    /// The batch's inputs hold NaN or an infinity.
    Inputs,
    /// The batch's targets hold NaN or an infinity.
    Targets,
    /// Parameters, inputs and targets were finite: the step itself
    /// overflowed, which a learning rate too large for the data does.
    Divergence {
        /// The learning rate in use.
        learning_rate: f64,
    },
}

impl std::fmt::Display for NonFiniteCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NonFiniteCause::Parameter { name } => write!(
                f,
                "Parameter '{name}' already held NaN or an infinity before this step: the model was broken before \
                 it (a damaged checkpoint, or an earlier update that overflowed); start again from fresh weights"
            ),
            NonFiniteCause::Inputs => write!(f, "The batch's inputs hold NaN or an infinity: check the data"),
            NonFiniteCause::Targets => write!(
                f,
                "The batch's targets hold NaN or an infinity: check the labels (one-hot rows or class indices)"
            ),
            NonFiniteCause::Divergence { learning_rate } => write!(
                f,
                "Parameters, inputs and targets were finite, so the step diverged: lower the learning rate (it is \
                 {learning_rate}), check that the inputs are scaled to [0, 1], and that the targets fit the loss"
            ),
        }
    }
}

/// A training state that could not be written or read.
#[derive(Debug, Error)]
#[non_exhaustive]
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
    /// The saved run is not the run resuming it (another network, data
    /// set, input shape or recipe); nothing was changed.
    #[error("{path} was saved by a different run: {}", differences.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("; "))]
    RunMismatch {
        /// The checkpoint file.
        path: PathBuf,
        /// Every entry that differs and may not.
        differences: Vec<RunDifference>,
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
