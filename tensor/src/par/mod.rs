//! The data-parallel primitives the kernels use: rayon's with the `parallel`
//! feature, otherwise same-named sequential stand-ins.
//!
//! Kernels are written once against this module (`par_chunks_mut`, `join`,
//! ...). The stand-ins visit the same chunks in the same order and run both
//! halves of a `join` one after the other, so the split of the work, and so
//! every bit of every result, does not depend on the feature. The kernels
//! already cut their work in ranges that depend on sizes only (or, where
//! the thread count enters, on results that do not depend on the split),
//! so one thread computes exactly what many do.

#[cfg(feature = "parallel")]
pub(crate) use rayon::{current_num_threads, join, prelude, scope};

#[cfg(not(feature = "parallel"))]
mod sequential;
#[cfg(not(feature = "parallel"))]
pub(crate) use sequential::{current_num_threads, join, prelude, scope};
