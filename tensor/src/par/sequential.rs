//! Sequential stand-ins for the few rayon items the kernels use, for builds
//! without threads (the `parallel` feature off, e.g. wasm32-unknown-unknown).
//!
//! Each `par_*` method returns the matching standard iterator, whose `zip`,
//! `enumerate`, `map`, `for_each` and `collect` have the same names and, for
//! the indexed iterators used here, the same order as rayon's.

use std::marker::PhantomData;

/// The traits that put `par_chunks`, `par_chunks_mut`, `par_chunks_exact`
/// and `into_par_iter` in scope, as `rayon::prelude` does.
pub(crate) mod prelude {
    pub(crate) use super::{IntoParallelIterator, ParallelSlice, ParallelSliceMut};
}

/// One thread: the calling one.
pub(crate) fn current_num_threads() -> usize {
    1
}

/// Runs `a` then `b` on the calling thread.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB,
{
    let ra = a();
    (ra, b())
}

/// A scope whose spawned tasks run at once, on the calling thread.
pub(crate) struct Scope<'scope> {
    /// Ties the scope to its lifetime, as rayon's does.
    marker: PhantomData<&'scope ()>,
}

impl<'scope> Scope<'scope> {
    /// Runs `task` now, to completion.
    pub(crate) fn spawn<F: FnOnce(&Scope<'scope>) + 'scope>(&self, task: F) {
        task(self);
    }
}

/// Runs `op` with a [`Scope`]; every task it spawns has finished on return.
pub(crate) fn scope<'scope, R>(op: impl FnOnce(&Scope<'scope>) -> R) -> R {
    op(&Scope { marker: PhantomData })
}

/// `par_chunks` and `par_chunks_exact` on slices: the standard chunk iterators.
pub(crate) trait ParallelSlice<T> {
    /// As [`slice::chunks`].
    fn par_chunks(&self, size: usize) -> std::slice::Chunks<'_, T>;
    /// As [`slice::chunks_exact`].
    fn par_chunks_exact(&self, size: usize) -> std::slice::ChunksExact<'_, T>;
}

impl<T> ParallelSlice<T> for [T] {
    fn par_chunks(&self, size: usize) -> std::slice::Chunks<'_, T> {
        self.chunks(size)
    }

    fn par_chunks_exact(&self, size: usize) -> std::slice::ChunksExact<'_, T> {
        self.chunks_exact(size)
    }
}

/// `par_chunks_mut` on slices: the standard mutable chunk iterator.
pub(crate) trait ParallelSliceMut<T> {
    /// As [`slice::chunks_mut`].
    fn par_chunks_mut(&mut self, size: usize) -> std::slice::ChunksMut<'_, T>;
}

impl<T> ParallelSliceMut<T> for [T] {
    fn par_chunks_mut(&mut self, size: usize) -> std::slice::ChunksMut<'_, T> {
        self.chunks_mut(size)
    }
}

/// `into_par_iter` on anything iterable (ranges, here): its own iterator.
pub(crate) trait IntoParallelIterator: IntoIterator + Sized {
    /// As [`IntoIterator::into_iter`].
    fn into_par_iter(self) -> Self::IntoIter {
        self.into_iter()
    }
}

impl<I: IntoIterator> IntoParallelIterator for I {}

#[cfg(test)]
mod tests {
    use super::prelude::*;
    use super::*;

    #[test]
    fn chunks_come_in_slice_order() {
        let xs = [1, 2, 3, 4, 5];
        let sums: Vec<i32> = xs.par_chunks(2).map(|c| c.iter().sum()).collect();
        assert_eq!(sums, [3, 7, 5]);
        let exact: Vec<i32> = xs.par_chunks_exact(2).map(|c| c[0]).collect();
        assert_eq!(exact, [1, 3]);
        let squares: Vec<usize> = (0..4).into_par_iter().map(|i| i * i).collect();
        assert_eq!(squares, [0, 1, 4, 9]);
    }

    #[test]
    fn join_and_scope_run_every_task() {
        assert_eq!(join(|| 1, || 2), (1, 2));
        let mut out = [0; 3];
        scope(|s| {
            for (i, x) in out.iter_mut().enumerate() {
                s.spawn(move |_| *x = i + 1);
            }
        });
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(current_num_threads(), 1);
    }
}
