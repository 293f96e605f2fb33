//! Helpers shared by the course's examples: plotting to PNG.

pub mod plots;
