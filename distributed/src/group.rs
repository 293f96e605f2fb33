//! [`MpiGroup`]: the processes started by `mpirun`, as the
//! [`Parallel`] group that `fit` trains with.

use super::error::DistributedError;
use super::segments::{sum_in_rank_order, Segments};
use mpi::datatype::{Partition, PartitionMut};
use mpi::environment::Universe;
use mpi::request::{LocalScope, Request};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::{CommunicatorCollectives, Equivalence, Root};
use sinapse_tensor::Element;
use sinapse_train::{Parallel, ParallelError};
use std::time::{Duration, Instant};

/// Polls that only yield the processor before the wait starts sleeping:
/// a sum of the CNN's gradients over shared memory completes within them,
/// and a rank that waits longer (for a slower peer) then sleeps instead of
/// taking a core from an oversubscribed peer.
const SPIN_POLLS: u32 = 2_000;
/// Sleep between polls once the spinning is over.
const POLL_SLEEP: Duration = Duration::from_micros(100);

/// Every process of an MPI job (`MPI_COMM_WORLD`), as the [`Parallel`]
/// group of a data-parallel [`Model`](sinapse_train::Model).
///
/// Every collective waits at most [`timeout`](Self::timeout); past it the
/// operation returns [`DistributedError::Timeout`], the group is broken
/// (later operations return [`DistributedError::Broken`]), and the process
/// should exit: dropping a broken group skips `MPI_Finalize`, which would
/// wait for the missing peer, and the non-zero exit makes `mpirun` end the
/// other ranks.
pub struct MpiGroup {
    /// `None` once dropped on purpose without finalising.
    universe: Option<Universe>,
    world: SimpleCommunicator,
    rank: usize,
    ranks: usize,
    local_ranks: usize,
    host: String,
    timeout: Duration,
    broken: bool,
}

/// The memory an in-flight collective reads and writes. It is never freed
/// while MPI may still touch it: when an operation times out, the whole
/// struct is leaked.
struct InFlight<T> {
    send: Vec<T>,
    recv: Vec<T>,
    send_counts: Vec<i32>,
    send_displs: Vec<i32>,
    recv_counts: Vec<i32>,
    recv_displs: Vec<i32>,
}

impl MpiGroup {
    /// Initialises MPI (`MPI_Init`, one thread calling MPI) and returns the
    /// job's group. Outside `mpirun`, the group is this process alone.
    ///
    /// # Errors
    /// [`DistributedError::AlreadyInitialized`] for a second group in one process.
    pub fn init(timeout: Duration) -> Result<MpiGroup, DistributedError> {
        let universe = mpi::initialize().ok_or(DistributedError::AlreadyInitialized)?;
        let world = universe.world();
        let rank = world.rank() as usize;
        let ranks = world.size() as usize;
        let local_ranks = world.split_shared(world.rank()).size() as usize;
        let host = mpi::environment::processor_name().unwrap_or_else(|_| "?".into());
        Ok(MpiGroup { universe: Some(universe), world, rank, ranks, local_ranks, host, timeout, broken: false })
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The number of processes.
    pub fn ranks(&self) -> usize {
        self.ranks
    }

    /// The number of ranks on this machine (they share its cores: give each
    /// `cores / local_ranks` threads).
    pub fn local_ranks(&self) -> usize {
        self.local_ranks
    }

    /// The machine's name, as MPI reports it.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The longest any collective waits for the other ranks.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets [`timeout`](Self::timeout).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Replaces `buffer` on every rank by the sum of every rank's `buffer`,
    /// added in rank order (see the crate's documentation for the
    /// reduce-scatter and all-gather that do it).
    ///
    /// # Errors
    /// [`DistributedError::Timeout`] when the other ranks do not take part
    /// within the timeout; [`DistributedError::Broken`] after an earlier failure.
    pub fn sum_in_rank_order<T: Element + Equivalence>(&mut self, buffer: &mut [T]) -> Result<(), DistributedError> {
        self.usable()?;
        if self.ranks == 1 {
            return Ok(());
        }
        let segments = Segments::new(buffer.len(), self.ranks);
        let mine = segments.len(self.rank);
        // Reduce-scatter: segment s of every rank goes to rank s.
        let mut scatter = InFlight {
            send: buffer.to_vec(),
            recv: vec![T::zero(); mine * self.ranks],
            send_counts: segments.counts.clone(),
            send_displs: segments.displs.clone(),
            recv_counts: vec![mine as i32; self.ranks],
            recv_displs: (0..self.ranks).map(|r| (r * mine) as i32).collect(),
        };
        let world = &self.world;
        let done = {
            let f = &mut scatter;
            let send = Partition::new(&f.send[..], &f.send_counts[..], &f.send_displs[..]);
            let mut recv = PartitionMut::new(&mut f.recv[..], &f.recv_counts[..], &f.recv_displs[..]);
            mpi::request::scope(|scope| {
                let request = world.immediate_all_to_all_varcount_into(scope, &send, &mut recv);
                self.finish(request, "sum of gradients (reduce-scatter)")
            })
        };
        self.keep_if_failed(done, scatter).map(|scatter| {
            let mut summed = vec![T::zero(); mine];
            sum_in_rank_order(&scatter.recv, &mut summed);
            summed
        })
        .and_then(|summed| {
            // All-gather: every rank receives every summed segment.
            let mut gather = InFlight {
                send: summed,
                recv: vec![T::zero(); buffer.len()],
                send_counts: Vec::new(),
                send_displs: Vec::new(),
                recv_counts: segments.counts.clone(),
                recv_displs: segments.displs.clone(),
            };
            let done = {
                let f = &mut gather;
                let mut recv = PartitionMut::new(&mut f.recv[..], &f.recv_counts[..], &f.recv_displs[..]);
                let send = &f.send[..];
                mpi::request::scope(|scope| {
                    let request = world.immediate_all_gather_varcount_into(scope, send, &mut recv);
                    self.finish(request, "sum of gradients (all-gather)")
                })
            };
            self.keep_if_failed(done, gather)
        })
        .map(|gather| buffer.copy_from_slice(&gather.recv))
        .inspect_err(|_| self.broken = true)
    }

    /// Replaces `buffer` on every rank by rank 0's.
    ///
    /// # Errors
    /// As [`sum_in_rank_order`](Self::sum_in_rank_order).
    pub fn broadcast<T: Element + Equivalence>(&mut self, buffer: &mut [T]) -> Result<(), DistributedError> {
        self.usable()?;
        if self.ranks == 1 {
            return Ok(());
        }
        let mut flight = InFlight {
            send: Vec::new(),
            recv: buffer.to_vec(),
            send_counts: Vec::new(),
            send_displs: Vec::new(),
            recv_counts: Vec::new(),
            recv_displs: Vec::new(),
        };
        let root = self.world.process_at_rank(0);
        let done = mpi::request::scope(|scope| {
            let request = root.immediate_broadcast_into(scope, &mut flight.recv[..]);
            self.finish(request, "broadcast from rank 0")
        });
        self.keep_if_failed(done, flight)
            .map(|flight| buffer.copy_from_slice(&flight.recv))
            .inspect_err(|_| self.broken = true)
    }

    /// Waits for `request`, polling, until it completes or the timeout
    /// passes.
    fn finish<'a, D: ?Sized>(
        &self,
        mut request: Request<'a, D, &LocalScope<'a>>,
        operation: &'static str,
    ) -> Result<(), DistributedError> {
        let began = Instant::now();
        let mut polls = 0u32;
        loop {
            match request.test() {
                Ok(_) => return Ok(()),
                Err(pending) => request = pending,
            }
            if began.elapsed() > self.timeout {
                // SAFETY: the raw request is never completed nor used again,
                // and every buffer it reads or writes (an `InFlight`) is
                // leaked by the caller on this error, so MPI can never touch
                // freed memory. Detaching it keeps the scope from aborting
                // the process, so the caller gets an error it can report.
                let _ = unsafe { request.into_raw() };
                return Err(DistributedError::Timeout {
                    operation,
                    rank: self.rank,
                    ranks: self.ranks,
                    host: self.host.clone(),
                    timeout: self.timeout,
                });
            }
            polls = polls.saturating_add(1);
            if polls < SPIN_POLLS {
                std::thread::yield_now();
            } else {
                std::thread::sleep(POLL_SLEEP);
            }
        }
    }

    /// The buffers back when the operation completed; leaked when it did
    /// not (MPI may still write into them).
    fn keep_if_failed<T>(&self, done: Result<(), DistributedError>, flight: InFlight<T>) -> Result<InFlight<T>, DistributedError> {
        match done {
            Ok(()) => Ok(flight),
            Err(e) => {
                std::mem::forget(flight);
                Err(e)
            }
        }
    }

    fn usable(&self) -> Result<(), DistributedError> {
        if self.broken {
            Err(DistributedError::Broken)
        } else {
            Ok(())
        }
    }
}

impl Drop for MpiGroup {
    fn drop(&mut self) {
        if self.broken {
            // MPI_Finalize would wait for the peer that is gone.
            std::mem::forget(self.universe.take());
        }
    }
}

impl<T: Element + Equivalence> Parallel<T> for MpiGroup {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.ranks
    }

    fn sum(&mut self, buffer: &mut [T]) -> Result<(), ParallelError> {
        Ok(self.sum_in_rank_order(buffer)?)
    }

    fn broadcast(&mut self, buffer: &mut [T]) -> Result<(), ParallelError> {
        Ok(MpiGroup::broadcast(self, buffer)?)
    }
}
