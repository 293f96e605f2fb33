//! # sinapse-distributed
//!
//! Data-parallel training of a sinapse [`Model`](sinapse_train::Model)
//! over MPI: start the same program on `P` processes with `mpirun`, give
//! each model an [`MpiGroup`], and `fit` trains on each rank's shard of
//! every batch, sums the gradients over the ranks before every update, and
//! lets rank 0 alone write.
//!
//! ```no_run
//! use sinapse_distributed::MpiGroup;
//! use std::time::Duration;
//! # fn model() -> sinapse_train::Model<f32> { unimplemented!() }
//! let group = MpiGroup::init(Duration::from_secs(120))?;
//! let mut model = model(); // the same network and compile on every rank
//! model.set_parallel(Box::new(group));
//! // model.fit_source(...) as in one process, with the same data on every rank.
//! # Ok::<(), sinapse_distributed::DistributedError>(())
//! ```
//!
//! The sum ([`MpiGroup::sum_in_rank_order`]) is a reduce-scatter and an
//! all-gather: the buffer is cut into `P` segments ([`Segments`]), rank `s`
//! receives every rank's segment `s` and adds the copies in rank order
//! ([`sum_in_rank_order`]), and every rank then receives every summed
//! segment. Both phases are non-blocking point-to-point messages
//! (`MPI_Isend`/`MPI_Irecv`); MPI only moves bytes, so the result does not
//! depend on the algorithms the MPI library picks, and two runs with the
//! same `P` give the same bits. Each rank sends and receives `2 (P - 1)/P`
//! of the buffer, as a ring all-reduce does, with the `P - 1` messages of a
//! phase in flight at once instead of `P - 1` steps around a ring.
//!
//! Every operation waits at most the group's timeout: a peer that died or
//! hung makes the others return [`DistributedError::Timeout`] instead of
//! waiting forever.

#![warn(missing_docs)]

mod error;
mod group;
mod segments;

pub use error::DistributedError;
pub use group::MpiGroup;
pub use segments::{sum_in_rank_order, Segments};
