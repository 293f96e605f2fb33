//! Errors for tensor construction from outside data.

use thiserror::Error;

/// What went wrong when building a tensor from user-supplied data.
///
/// Shape mistakes *inside* an operation are programmer errors and panic with
/// a message naming the operation and the shapes; this type is for data that
/// comes from outside (files, vectors built at run time).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TensorError {
    /// The number of elements does not match the product of the shape.
    #[error("{len} elements cannot fill shape {shape:?}, which needs {expected}")]
    LengthMismatch {
        /// Number of elements supplied.
        len: usize,
        /// The requested shape.
        shape: Vec<usize>,
        /// The product of the shape.
        expected: usize,
    },
    /// The product of the shape overflows `usize`.
    #[error("shape {shape:?} has more elements than fit in memory")]
    TooLarge {
        /// The requested shape.
        shape: Vec<usize>,
    },
    /// A value meant as a row index is negative, fractional or not finite.
    #[error("value {value} at position {position} is not a row index (a whole number from 0)")]
    NotAnIndex {
        /// Its position in row-major order.
        position: usize,
        /// The value, as written.
        value: String,
    },
}
