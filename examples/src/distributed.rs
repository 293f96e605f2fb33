//! `--distributed`: joining the processes `mpirun` started, so that `fit`
//! trains data-parallel over them (see `sinapse-distributed`). Built only
//! with the `distributed` feature, which needs Open MPI; without it the flag
//! is refused with a message that says how to build it.

use crate::cli::CommonArgs;
use crate::error::ExampleError;
use sinapse_train::Parallel;

/// The process group of a distributed run, and what the example needs to
/// know about it before handing it to the model.
pub struct Ranks {
    /// The group, until [`Practice::fit`](crate::practice::Practice::fit)
    /// gives it to the model.
    pub group: Box<dyn Parallel<f32>>,
    /// This process's rank.
    pub rank: usize,
    /// The number of processes.
    pub ranks: usize,
    /// How many of them share this machine.
    pub local_ranks: usize,
    /// This machine's name.
    pub host: String,
}

/// Joins the MPI job when `--distributed` is given (`None` otherwise).
///
/// # Errors
/// When the examples were built without the `distributed` feature, or MPI
/// cannot start.
pub fn join(args: &CommonArgs) -> Result<Option<Ranks>, ExampleError> {
    if !args.distributed {
        return Ok(None);
    }
    join_mpi(args).map(Some)
}

#[cfg(feature = "distributed")]
fn join_mpi(args: &CommonArgs) -> Result<Ranks, ExampleError> {
    let timeout = std::time::Duration::from_secs_f64(args.peer_timeout);
    let group =
        sinapse_distributed::MpiGroup::init(timeout).map_err(|e| ExampleError::Usage(format!("--distributed: {e}")))?;
    Ok(Ranks {
        rank: group.rank(),
        ranks: group.ranks(),
        local_ranks: group.local_ranks(),
        host: group.host().to_string(),
        group: Box::new(group),
    })
}

#[cfg(not(feature = "distributed"))]
fn join_mpi(_args: &CommonArgs) -> Result<Ranks, ExampleError> {
    Err(ExampleError::Usage(
        "--distributed: these examples were built without MPI; install Open MPI (apt-get install openmpi-bin \
         libopenmpi-dev libclang-dev) and build them with `cargo build --release --examples --features \
         distributed`"
            .into(),
    ))
}

/// Worker threads per rank for `--threads 0`: the machine's cores shared
/// among the ranks on it, at least one.
pub fn threads_per_rank(local_ranks: usize) -> usize {
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1);
    (cores / local_ranks.max(1)).max(1)
}
