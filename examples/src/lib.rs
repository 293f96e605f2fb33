//! Helpers shared by the course's examples: plotting to PNG.

pub mod plots;
pub mod overfitting;
pub mod filters;
pub mod invariance;
