//! What can go wrong between the processes of a distributed run.

use std::time::Duration;
use thiserror::Error;

/// A failure of the process group. Each message says what to do.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DistributedError {
    /// MPI was initialised already in this process (a second group).
    #[error("MPI is already initialised in this process: create one MpiGroup per process")]
    AlreadyInitialized,
    /// A collective operation did not complete in time: a peer died, hung,
    /// or is far slower than the others.
    #[error(
        "rank {rank} of {ranks} ({host}): the other ranks did not finish '{operation}' within {} s; a peer process \
         died or hung (its own output or mpirun's says which). Raise the timeout if a rank is merely slow (e.g. \
         loading data from a slow disk)",
        timeout.as_secs_f64()
    )]
    Timeout {
        /// The operation that timed out.
        operation: &'static str,
        /// This process's rank.
        rank: usize,
        /// The number of ranks.
        ranks: usize,
        /// This process's host name.
        host: String,
        /// The timeout.
        timeout: Duration,
    },
    /// An earlier operation failed; MPI cannot be used again in this
    /// process.
    #[error("an earlier operation of this process group failed; the group cannot be used again: exit and restart the run with --resume")]
    Broken,
}
