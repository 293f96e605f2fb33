//! Helpers shared by the course's examples: plotting to PNG.

pub mod charts;
pub mod cli;
pub mod console;
pub mod custom_op;
pub mod diagnostics;
pub mod error;
pub mod filters;
pub mod flags;
pub mod gd_modes;
pub mod invariance;
pub mod mnist;
pub mod models;
pub mod overfitting;
pub mod plots;
pub mod predict;
pub mod report;
pub mod train;
