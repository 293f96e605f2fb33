//! The hook through which `fit` trains data-parallel over several
//! processes, without this crate knowing how they talk (the MPI
//! implementation lives in `sinapse-distributed`).
//!
//! Every process (rank `r` of `P`) holds the same parameters and visits the
//! same global order of the examples. Each update's `B` examples are cut
//! into `P` consecutive shards ([`shard`]); rank `r` computes the gradient
//! of its `b_r` examples only, weighted so that the sum over ranks is the
//! gradient of the mean loss over all `B`:
//!
//! ```text
//! g_r = sum_{c in chunks of r} (n_c / B) dL_c/dW      (L_c: mean loss of chunk c)
//! g   = (((g_0 + g_1) + g_2) + ... + g_{P-1})        (always in rank order)
//!     = (1/B) sum_{i in batch} dl_i/dW
//! ```
//!
//! which is what one process computes for the whole batch (up to rounding:
//! the same sum, grouped otherwise). Because the ranks' parts are always
//! added in rank order, two runs with the same `P` give the same bits.
//! With `P = 1` the arithmetic is exactly the single-process one.

use sinapse_tensor::Element;
use std::ops::Range;

/// The error type of a [`Parallel`] implementation, carried by
/// [`FitError::Distributed`](crate::FitError::Distributed).
pub type ParallelError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A group of processes training one model together, seen from one of them.
///
/// [`Model::set_parallel`](crate::Model::set_parallel) hands one to the
/// model; [`fit_source`](crate::Model::fit_source) then trains on this
/// rank's [`shard`] of every batch, calls [`sum`](Self::sum) on the
/// gradients before each optimizer step, and lets only the
/// [`writer`](Self::is_writer) print progress and save checkpoints.
///
/// Every method is collective: every rank must call it, in the same order,
/// with buffers of the same length. An implementation must return an error,
/// not wait forever, when a peer is gone.
pub trait Parallel<T: Element> {
    /// This process's rank, `0..ranks()`.
    fn rank(&self) -> usize;

    /// The number of processes `P`.
    fn ranks(&self) -> usize;

    /// Whether this process writes checkpoints, history and reports
    /// (rank 0).
    fn is_writer(&self) -> bool {
        self.rank() == 0
    }

    /// Replaces `buffer` on every rank by the element-wise sum of every
    /// rank's `buffer`, added in rank order:
    /// `buffer[i] = ((x_0[i] + x_1[i]) + ...) + x_{P-1}[i]`, so the result
    /// is the same bits on every rank and in every run with the same `P`.
    ///
    /// # Errors
    /// When a peer does not take part (it died, or hung past the timeout).
    fn sum(&mut self, buffer: &mut [T]) -> Result<(), ParallelError>;

    /// Replaces `buffer` on every rank by rank 0's.
    ///
    /// # Errors
    /// As [`sum`](Self::sum).
    fn broadcast(&mut self, buffer: &mut [T]) -> Result<(), ParallelError>;
}

/// The positions of `batch` that rank `rank` of `ranks` computes: `P`
/// consecutive shards, the first `B mod P` of them one example longer
/// (`B = 100, P = 3`: 34, 33, 33). Their union, in rank order, is `batch`;
/// a rank gets an empty shard when `B < P`.
///
/// ```
/// use sinapse_train::shard;
/// assert_eq!(shard(0..100, 0, 3), 0..34);
/// assert_eq!(shard(0..100, 1, 3), 34..67);
/// assert_eq!(shard(0..100, 2, 3), 67..100);
/// assert_eq!(shard(10..12, 2, 3), 12..12);
/// ```
///
/// # Panics
/// When `rank >= ranks`.
#[track_caller]
pub fn shard(batch: Range<usize>, rank: usize, ranks: usize) -> Range<usize> {
    assert!(rank < ranks, "shard: rank {rank} of {ranks}");
    let n = batch.len();
    let (base, extra) = (n / ranks, n % ranks);
    let start = batch.start + rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_batch_in_rank_order() {
        for n in 0..40 {
            for p in 1..9 {
                let mut next = 5;
                for r in 0..p {
                    let s = shard(5..5 + n, r, p);
                    assert_eq!(s.start, next, "n {n} p {p} r {r}");
                    assert!(s.len() == n / p || s.len() == n / p + 1);
                    next = s.end;
                }
                assert_eq!(next, 5 + n);
            }
        }
    }
}
