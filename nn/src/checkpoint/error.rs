//! What can go wrong when saving or loading a checkpoint.

use std::fmt;
use std::path::PathBuf;
use thiserror::Error;

/// A checkpoint that could not be written, read, or applied to a model.
///
/// Every variant names what is wrong (the file, the tensor, the sizes), so
/// the message alone says what to fix.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The file system refused (missing file, no permission, disk full...).
    #[error("checkpoint {path}: {source}")]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Fewer than the 8 bytes that hold the header length.
    #[error("not a safetensors file: it has {len} bytes, fewer than the 8-byte header length")]
    TooShort {
        /// File size in bytes.
        len: usize,
    },
    /// The header length points past the end of the file.
    #[error(
        "corrupt safetensors file: the header claims {header_len} bytes but only {available} bytes follow \
         the length prefix (truncated file, or not a safetensors file)"
    )]
    HeaderTooLarge {
        /// Header length read from the first 8 bytes.
        header_len: u64,
        /// Bytes actually present after them.
        available: usize,
    },
    /// The header is not the JSON the format prescribes.
    #[error("corrupt safetensors header: {0}")]
    InvalidHeader(String),
    /// A tensor is stored with another element type than the one requested.
    #[error("tensor '{name}' is stored as {found}, but the checkpoint is read as {expected}; load it with the matching float type")]
    DtypeMismatch {
        /// Tensor name.
        name: String,
        /// Element type in the file (safetensors spelling, e.g. `F64`).
        found: String,
        /// Element type requested (`F32` or `F64`).
        expected: &'static str,
    },
    /// A tensor's byte range reaches beyond the data section.
    #[error(
        "tensor '{name}': byte range [{start}, {end}) lies outside the {available}-byte data section (truncated file?)"
    )]
    OutOfBounds {
        /// Tensor name.
        name: String,
        /// Start offset in the data section.
        start: usize,
        /// End offset (exclusive).
        end: usize,
        /// Size of the data section present in the file.
        available: usize,
    },
    /// A tensor's shape and dtype disagree with the size of its byte range.
    #[error("tensor '{name}': shape {shape:?} of {dtype} needs {expected} bytes, but its byte range holds {found}")]
    SizeMismatch {
        /// Tensor name.
        name: String,
        /// Shape in the header.
        shape: Vec<usize>,
        /// Element type in the header.
        dtype: String,
        /// `numel(shape) * size_of(dtype)`.
        expected: usize,
        /// `end - start`.
        found: usize,
    },
    /// Two tensors claim the same bytes.
    #[error("tensors '{first}' and '{second}' overlap in the data section")]
    Overlap {
        /// The tensor starting first.
        first: String,
        /// The tensor starting inside it.
        second: String,
    },
    /// The checkpoint's tensors do not match the model's parameters.
    #[error("{0}")]
    StateMismatch(StateMismatch),
    /// The tensors could not be encoded.
    #[error("cannot encode checkpoint: {0}")]
    Encode(String),
    /// A parameter holds NaN or an infinity: a network with such a weight
    /// answers NaN for every input, so it is refused at load time.
    #[error(
        "parameter '{name}' holds {value} at element {index}: weights must be finite numbers (the file is damaged, \
         or was written by a run that diverged; retrain it)"
    )]
    NonFinite {
        /// The parameter's name.
        name: String,
        /// The first non-finite element, in row-major order.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Any other error, with the file it came from.
    #[error("{path}: {source}")]
    File {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: Box<CheckpointError>,
    },
}

impl CheckpointError {
    /// This error, naming `path` as the file it concerns (I/O errors and
    /// errors that already name a file are left as they are).
    pub fn in_file(self, path: impl Into<PathBuf>) -> CheckpointError {
        match self {
            e @ (CheckpointError::Io { .. } | CheckpointError::File { .. }) => e,
            e => CheckpointError::File { path: path.into(), source: Box::new(e) },
        }
    }
}

/// Differences between a model's parameters and a set of named tensors,
/// all listed at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateMismatch {
    /// Parameters of the model that the checkpoint lacks.
    pub missing: Vec<String>,
    /// Tensors of the checkpoint that the model has no parameter for.
    pub unexpected: Vec<String>,
    /// `(name, model shape, checkpoint shape)` where both exist but differ.
    pub shape_mismatches: Vec<(String, Vec<usize>, Vec<usize>)>,
}

impl StateMismatch {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.shape_mismatches.is_empty()
    }
}

impl fmt::Display for StateMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the checkpoint does not match the model's parameters:")?;
        if !self.missing.is_empty() {
            write!(f, " missing keys {:?};", self.missing)?;
        }
        if !self.unexpected.is_empty() {
            write!(f, " unexpected keys {:?};", self.unexpected)?;
        }
        for (name, model, file) in &self.shape_mismatches {
            write!(f, " shape mismatch for '{name}': model {model:?}, checkpoint {file:?};")?;
        }
        Ok(())
    }
}
