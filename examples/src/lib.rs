//! What the course's examples share: flags, data, reports and plots. Each
//! example file (`examples/*.rs`) holds its program; the training programs
//! are also compiled here, in [`programs`], so that the tests run the very
//! code a student reads.

// The example programs name this crate as their own files do.
extern crate self as sinapse_examples;

pub mod charts;
pub mod cli;
pub mod console;
pub mod custom_op;
pub mod diagnostics;
pub mod distributed;
pub mod error;
pub mod filters;
pub mod flags;
pub mod gd_modes;
pub mod invariance;
pub mod mnist;
pub mod models;
pub mod overfitting;
pub mod plots;
pub mod practice;
pub mod predict;
pub mod programs;
pub mod report;
