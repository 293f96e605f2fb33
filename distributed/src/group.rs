//! [`MpiGroup`]: the processes started by `mpirun`, as the
//! [`Parallel`] group that `fit` trains with.

use super::error::DistributedError;
use super::segments::{sum_in_rank_order, Segments};
use mpi::environment::Universe;
use mpi::request::{LocalScope, Request};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::{Destination, Equivalence, Root, Source};
use sinapse_tensor::Element;
use sinapse_train::{Parallel, ParallelError};
use std::any::Any;
use std::time::{Duration, Instant};

/// How long a wait keeps polling (yielding the processor between polls)
/// before it sleeps between them. A large message moves in fragments, and
/// each needs a poll on both sides to go on (Open MPI makes progress inside
/// MPI calls only), so a sum must not sleep while its peer is ready. Past
/// this, the peer is late (loading data, writing a checkpoint), and sleeping
/// gives the core back to it if the machine is oversubscribed.
const SPIN: Duration = Duration::from_millis(200);
/// Sleep between polls once the spinning is over.
const POLL_SLEEP: Duration = Duration::from_millis(1);

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
    /// The buffers of the last exchange ([`Scratch`] of the element type
    /// last used), kept for the next one.
    scratch: Option<Box<dyn Any>>,
}

/// The memory the exchanges of a sum read and write, kept from one sum to
/// the next: fresh buffers of 256 KB and more each time made the sum 5 to
/// 20 times slower under Open MPI 4 (its large-message path pays again for
/// memory it has not seen). It is never freed while MPI may still touch
/// it: when an exchange times out, it is leaked.
struct Scratch<T> {
    /// This rank's contribution.
    send: Vec<T>,
    /// The P copies of this rank's segment, in rank order.
    recv: Vec<T>,
    /// This rank's segment, summed.
    summed: Vec<T>,
    /// Every summed segment.
    gathered: Vec<T>,
}

impl<T: Element> Scratch<T> {
    fn new() -> Self {
        Scratch { send: Vec::new(), recv: Vec::new(), summed: Vec::new(), gathered: Vec::new() }
    }
}

/// `v` holding `n` elements; its allocation is reused when large enough.
fn sized<T: Element>(v: &mut Vec<T>, n: usize) {
    v.resize(n, T::zero());
}

/// Message tags of the two phases of a sum (one phase ends on every rank
/// before the next starts, so the tags only keep the phases apart).
const SCATTER: i32 = 1;
const GATHER: i32 = 2;

/// `buffer` cut into consecutive pieces of `lengths`.
fn split<'b, T>(buffer: &'b mut [T], lengths: &[usize]) -> Vec<&'b mut [T]> {
    let mut pieces = Vec::with_capacity(lengths.len());
    let mut rest = buffer;
    for &n in lengths {
        let (piece, tail) = rest.split_at_mut(n);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// Segment `s` of `buffer`.
fn segment<'b, T>(buffer: &'b [T], segments: &Segments, s: usize) -> &'b [T] {
    let at = segments.displs[s] as usize;
    &buffer[at..at + segments.len(s)]
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
        Ok(MpiGroup {
            universe: Some(universe),
            world,
            rank,
            ranks,
            local_ranks,
            host,
            timeout,
            broken: false,
            scratch: None,
        })
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
        let (rank, ranks) = (self.rank, self.ranks);
        let segments = Segments::new(buffer.len(), ranks);
        let mine = segments.len(rank);
        let mut scratch = self.scratch_for::<T>();
        sized(&mut scratch.send, buffer.len());
        scratch.send.copy_from_slice(buffer);
        sized(&mut scratch.recv, mine * ranks);
        sized(&mut scratch.summed, mine);
        sized(&mut scratch.gathered, buffer.len());
        // Reduce-scatter: segment s of every rank goes to rank s, which
        // receives the P copies of its segment side by side, in rank order.
        let done = {
            let Scratch { send, recv, .. } = &mut *scratch;
            let pieces = split(recv, &vec![mine; ranks]);
            let world = &self.world;
            mpi::request::scope(|scope| {
                let mut requests = Vec::with_capacity(2 * ranks);
                for (peer, piece) in pieces.into_iter().enumerate() {
                    if peer == rank {
                        piece.copy_from_slice(segment(send, &segments, rank));
                    } else {
                        let process = world.process_at_rank(peer as i32);
                        requests.push(process.immediate_receive_into_with_tag(scope, piece, SCATTER));
                        requests.push(process.immediate_send_with_tag(scope, segment(send, &segments, peer), SCATTER));
                    }
                }
                self.finish(requests, "sum of gradients (reduce-scatter)")
            })
        };
        self.keep_if_failed(done, &mut scratch)?;
        sum_in_rank_order(&scratch.recv, &mut scratch.summed);
        // All-gather: every rank receives every summed segment.
        let done = {
            let Scratch { summed, gathered, .. } = &mut *scratch;
            let lengths: Vec<usize> = (0..ranks).map(|s| segments.len(s)).collect();
            let pieces = split(gathered, &lengths);
            let world = &self.world;
            mpi::request::scope(|scope| {
                let mut requests = Vec::with_capacity(2 * ranks);
                for (peer, piece) in pieces.into_iter().enumerate() {
                    if peer == rank {
                        piece.copy_from_slice(summed);
                    } else {
                        let process = world.process_at_rank(peer as i32);
                        requests.push(process.immediate_receive_into_with_tag(scope, piece, GATHER));
                        requests.push(process.immediate_send_with_tag(scope, &summed[..], GATHER));
                    }
                }
                self.finish(requests, "sum of gradients (all-gather)")
            })
        };
        self.keep_if_failed(done, &mut scratch)?;
        buffer.copy_from_slice(&scratch.gathered);
        self.scratch = Some(scratch);
        Ok(())
    }

    /// The kept buffers if they are of element type `T`, else new ones.
    fn scratch_for<T: Element>(&mut self) -> Box<Scratch<T>> {
        self.scratch.take().and_then(|s| s.downcast::<Scratch<T>>().ok()).unwrap_or_else(|| Box::new(Scratch::new()))
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
        let mut scratch = self.scratch_for::<T>();
        sized(&mut scratch.gathered, buffer.len());
        scratch.gathered.copy_from_slice(buffer);
        let root = self.world.process_at_rank(0);
        let done = {
            let gathered = &mut scratch.gathered[..];
            mpi::request::scope(|scope| {
                let request = root.immediate_broadcast_into(scope, gathered);
                self.finish(vec![request], "broadcast from rank 0")
            })
        };
        self.keep_if_failed(done, &mut scratch)?;
        buffer.copy_from_slice(&scratch.gathered);
        self.scratch = Some(scratch);
        Ok(())
    }

    /// Waits for every request, polling, until all complete or the
    /// timeout passes.
    fn finish<'a, D: ?Sized>(
        &self,
        requests: Vec<Request<'a, D, &LocalScope<'a>>>,
        operation: &'static str,
    ) -> Result<(), DistributedError> {
        let began = Instant::now();
        let mut pending: Vec<Request<'a, D, &LocalScope<'a>>> = requests;
        loop {
            pending = pending.into_iter().filter_map(|r| r.test().err()).collect();
            if pending.is_empty() {
                return Ok(());
            }
            if began.elapsed() > self.timeout {
                for request in pending {
                    // SAFETY: the raw request is never completed nor used
                    // again, and every buffer it reads or writes (a
                    // `Scratch`) is leaked by the caller on this error, so
                    // MPI can never touch freed memory. Detaching it keeps
                    // the scope from aborting the process, so the caller
                    // gets an error it can report.
                    let _ = unsafe { request.into_raw() };
                }
                return Err(DistributedError::Timeout {
                    operation,
                    rank: self.rank,
                    ranks: self.ranks,
                    host: self.host.clone(),
                    timeout: self.timeout,
                });
            }
            if began.elapsed() < SPIN {
                std::thread::yield_now();
            } else {
                std::thread::sleep(POLL_SLEEP);
            }
        }
    }

    /// Passes `done` on; on failure leaks `scratch` (MPI may still write
    /// into it) and marks the group broken.
    fn keep_if_failed<T: Element>(
        &mut self,
        done: Result<(), DistributedError>,
        scratch: &mut Box<Scratch<T>>,
    ) -> Result<(), DistributedError> {
        if done.is_err() {
            std::mem::forget(std::mem::replace(scratch, Box::new(Scratch::new())));
            self.broken = true;
        }
        done
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
