//! Everything that can stop an example, as one message that says what to do.

use std::path::PathBuf;
use thiserror::Error;

/// A failure of an example run: bad flags, missing data, unreadable
/// images, failed writes. `main` prints it as `error: <message>`.
#[derive(Debug, Error)]
pub enum ExampleError {
    /// A flag value that cannot work.
    #[error("{0}")]
    Usage(String),
    /// The data set could not be found or read.
    #[error(transparent)]
    Dataset(#[from] sinapse_datasets::DatasetError),
    /// Training stopped (non-finite loss, failed checkpoint...).
    #[error(transparent)]
    Fit(#[from] sinapse_train::FitError),
    /// A model file could not be written, read or applied.
    #[error(transparent)]
    Checkpoint(#[from] sinapse_nn::CheckpointError),
    /// A plot could not be drawn.
    #[error(transparent)]
    Plot(#[from] crate::plots::PlotError),
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Standard output could not be written (a full disk or a closed pipe).
    #[error("could not write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// The output folder could not be created.
    #[error("cannot create the output folder {path}: {source}")]
    OutDir {
        /// The folder (`--out`).
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A saved model that cannot be used.
    #[error("{path}: {problem}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// An input picture that cannot be classified.
    #[error("{path}: {problem}")]
    Image {
        /// The picture.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
}

impl ExampleError {
    /// An [`ExampleError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ExampleError::Io { path: path.into(), source }
    }
}
