//! The crate's error type: every variant names the file (or the places
//! searched) and what is wrong with it.

use std::fmt;
use std::io;
use std::path::PathBuf;

use thiserror::Error;

use crate::idx::IdxError;

/// Everything that can go wrong while finding, reading or serving a data set.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The bytes of a file are not a valid IDX file of the expected shape.
    #[error("{path}: {source}")]
    Idx {
        /// The file.
        path: PathBuf,
        /// What is wrong with its contents.
        #[source]
        source: IdxError,
    },
    /// A file could not be opened, read, written or mapped.
    #[error("{path}: cannot {action}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What we were doing ("open", "map", "write", ...).
        action: &'static str,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A gzip stream is corrupt or ends early.
    #[error("{path}: corrupt gzip data: {source}")]
    Gzip {
        /// The compressed file.
        path: PathBuf,
        /// The decoder's reason.
        #[source]
        source: io::Error,
    },
    /// A known file's SHA-256 differs from the pinned one.
    #[error("{path}: SHA-256 mismatch: expected {expected}, got {actual} (the file is corrupt or not the {what})")]
    ChecksumMismatch {
        /// The file (for a gzipped source, the compressed file).
        path: PathBuf,
        /// Which data set file it should have been, e.g. "MNIST train images".
        what: String,
        /// The pinned SHA-256, hex.
        expected: String,
        /// The SHA-256 of what was read, hex.
        actual: String,
    },
    /// The images and labels files disagree on the number of examples.
    #[error("{images} holds {n_images} images but {labels} holds {n_labels} labels")]
    CountMismatch {
        /// The images file.
        images: PathBuf,
        /// Its number of images.
        n_images: usize,
        /// The labels file.
        labels: PathBuf,
        /// Its number of labels.
        n_labels: usize,
    },
    /// No searched place holds the files.
    #[error("{what} not found. Looked in:\n{searched}{hint}")]
    NotFound {
        /// The missing data, e.g. "MNIST train split (train-images-idx3-ubyte, ...)".
        what: String,
        /// Every place looked at, and why it did not do.
        searched: Searched,
        /// How to get the files.
        hint: String,
    },
    /// A batching or splitting parameter is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Writing a PNG failed.
    #[error("{path}: cannot write PNG: {source}")]
    Png {
        /// The picture being written.
        path: PathBuf,
        /// The encoder's reason.
        #[source]
        source: png::EncodingError,
    },
    /// Fetching a file from every mirror failed.
    #[cfg(feature = "download")]
    #[error("could not download {file}:\n{attempts}")]
    Download {
        /// The file wanted.
        file: String,
        /// One line per mirror: its URL and why it failed.
        attempts: Searched,
    },
}

impl DatasetError {
    /// Shorthand for an [`DatasetError::Io`] error.
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> Self {
        DatasetError::Io { path: path.into(), action, source }
    }

    /// Shorthand for an [`DatasetError::Idx`] error.
    pub(crate) fn idx(path: impl Into<PathBuf>, source: IdxError) -> Self {
        DatasetError::Idx { path: path.into(), source }
    }
}

/// A list of (place, outcome) lines, shown one per line in error messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Searched(pub Vec<(String, String)>);

impl fmt::Display for Searched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (place, outcome) in &self.0 {
            writeln!(f, "  - {place}: {outcome}")?;
        }
        Ok(())
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = DatasetError> = std::result::Result<T, E>;
