//! Recycling of large tensor buffers between training steps.
//!
//! A training step allocates the same buffers every time: the activations
//! of each layer, their gradients, the column buffers of the convolutions.
//! Handing them back to the system allocator and asking again a few
//! microseconds later is expensive for large blocks: glibc serves blocks
//! above its `mmap` threshold (128 KiB at first) with fresh pages and gives
//! the top of its heap back to the kernel once more than a threshold is
//! free, so the next step pays a page fault and a zero fill for every 4 KiB
//! it writes. On the course's CNN (batch 128) that was a quarter of the
//! step's time, and setting `MALLOC_TRIM_THRESHOLD_` made it vanish; this
//! module does the same job inside the framework, for every allocator.
//!
//! When a tensor's buffer of at least [`MIN_RECYCLED_BYTES`] is dropped, it
//! is parked here, keyed by element type and length; the next request for a
//! buffer of exactly that length takes it back. Training repeats its shapes,
//! so nearly every large request after the first step is served from here.
//! The cache holds at most [`cache_limit`] bytes (see [`set_cache_limit`]);
//! when full, the lengths that were requested least recently are freed
//! first, so the sizes of a finished phase (the last partial batch, an
//! evaluation with another batch size) do not stay parked for good. A
//! request that finds nothing parked also frees idle buffers until they
//! and the new allocation fit in the limit, so that at a change of phase
//! the old phase's buffers go as the new ones arrive. Idle buffers never
//! exceed the limit, but they come on top of the live ones: a training loop
//! that knows when its phase changes should call [`release_cached`] there
//! (`Model::fit` does, when the batch size changes and after each epoch's
//! training pass).
//!
//! A recycled buffer holds whatever its last user wrote: the crate's
//! kernels either write every element before reading it or ask for a
//! zero-filled buffer. Nothing here is `unsafe`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Buffers smaller than this are left to the system allocator, whose
/// free lists already serve small blocks without a system call.
pub const MIN_RECYCLED_BYTES: usize = 64 << 10;

/// Default of [`cache_limit`]: 64 MiB. The course's CNN at batch 128 takes
/// as many minor page faults per step with this limit as with 96 MiB (the
/// step's recycled buffers fit), and its 3-epoch run peaks at 142 MB
/// resident instead of 153 MB.
pub const DEFAULT_CACHE_LIMIT: usize = 64 << 20;

/// Buffers kept per length: a step rarely frees more than a handful of
/// buffers of one shape, and a source that only gives (a data loader
/// building each batch with its own `Vec`) must not fill the cache alone.
const KEPT_PER_LENGTH: usize = 8;

static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_CACHE_LIMIT);
static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// Element type and length of a parked buffer.
type Key = (TypeId, usize);

/// Parked buffers of one key. A shelf exists only while it holds buffers,
/// so the bookkeeping never outgrows what is parked, however many shapes a
/// long-running process sees.
struct Shelf {
    /// `Vec<T>`s whose length and capacity are the key's length.
    buffers: Vec<Box<dyn Any + Send>>,
    /// Bytes of one buffer.
    bytes: usize,
    /// Value of [`Cache::clock`] when a buffer was last taken from this
    /// shelf, or when it was put up: a length that is parked but never asked
    /// for (a data loader's batches) ages and goes first.
    last_request: u64,
}

/// The parked buffers and their bookkeeping.
#[derive(Default)]
struct Cache {
    shelves: HashMap<Key, Shelf>,
    /// Bytes of all parked buffers.
    bytes: usize,
    /// Counts requests and new shelves; orders the shelves by recency.
    clock: u64,
}

impl Cache {
    /// A parked buffer of `len` elements of `T`, if any.
    fn unpark<T: Send + 'static>(&mut self, len: usize) -> Option<Vec<T>> {
        self.clock += 1;
        let key = (TypeId::of::<T>(), len);
        let shelf = self.shelves.get_mut(&key)?;
        shelf.last_request = self.clock;
        let parked = shelf.buffers.pop().expect("shelves are never empty");
        self.bytes -= shelf.bytes;
        if shelf.buffers.is_empty() {
            self.shelves.remove(&key);
        }
        parked.downcast::<Vec<T>>().ok().map(|v| *v)
    }

    /// Parks `buffer` (length and capacity `len`, `bytes` bytes) under `limit`,
    /// moving the buffers it displaces, or itself, into `freed`.
    fn park<T: Send + 'static>(&mut self, buffer: Vec<T>, limit: usize, freed: &mut Vec<Box<dyn Any + Send>>) {
        let len = buffer.capacity();
        let bytes = len * std::mem::size_of::<T>();
        let key = (TypeId::of::<T>(), len);
        let full = self.shelves.get(&key).is_some_and(|s| s.buffers.len() >= KEPT_PER_LENGTH);
        if full || bytes > limit || !self.make_room(bytes, limit, freed) {
            freed.push(Box::new(buffer));
            return;
        }
        let shelf = self.shelves.entry(key).or_insert_with(|| {
            self.clock += 1;
            Shelf { buffers: Vec::new(), bytes, last_request: self.clock }
        });
        shelf.buffers.push(Box::new(buffer));
        self.bytes += bytes;
    }

    /// Frees buffers, least recently requested lengths first, until
    /// `needed` more bytes fit under `limit`; false when they cannot.
    /// The freed buffers go to `freed`, to be dropped once the lock is
    /// released.
    fn make_room(&mut self, needed: usize, limit: usize, freed: &mut Vec<Box<dyn Any + Send>>) -> bool {
        while self.bytes + needed > limit {
            let oldest = self.shelves.iter().min_by_key(|(_, s)| s.last_request).map(|(k, _)| *k);
            let Some(key) = oldest else { return false };
            let shelf = self.shelves.get_mut(&key).expect("found above");
            freed.extend(shelf.buffers.pop());
            self.bytes -= shelf.bytes;
            if shelf.buffers.is_empty() {
                self.shelves.remove(&key);
            }
        }
        true
    }
}

fn lock() -> MutexGuard<'static, Option<Cache>> {
    // Every mutation of the cache completes before anything that can
    // panic, so a lock poisoned by a panicking thread is still consistent.
    CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn is_recycled<T>(len: usize) -> bool {
    len.saturating_mul(std::mem::size_of::<T>()) >= MIN_RECYCLED_BYTES
}

/// An empty vector with room for `len` elements: a parked buffer of that
/// length when there is one, otherwise a new allocation.
pub(crate) fn take<T: Send + 'static>(len: usize) -> Vec<T> {
    let mut v = take_parked(len);
    // A parked buffer still holds the values of the tensor it came from.
    v.clear();
    v
}

/// `len` elements for a kernel that writes every one of them before
/// anything reads them: a parked buffer *with the values of the tensor it
/// came from*, or `len` copies of `fresh` when none is parked.
///
/// This saves the fill of a new buffer: for a convolution's output
/// that pass alone moves as many bytes as the kernel's own writes. A kernel
/// that leaves an element unwritten would return stale numbers, which is
/// why `tests/recycling.rs` parks NaN-filled buffers of every length before
/// running each kernel that uses this.
pub fn overwritable<T: Copy + Send + 'static>(len: usize, fresh: T) -> Vec<T> {
    let mut v = take_parked(len);
    if v.len() != len {
        v.clear();
        v.resize(len, fresh);
    }
    v
}

/// A parked buffer of capacity `len` (holding `len` initialized values) if
/// there is one, otherwise an empty vector with that capacity.
fn take_parked<T: Send + 'static>(len: usize) -> Vec<T> {
    if is_recycled::<T>(len) {
        let mut freed = Vec::new();
        let parked = {
            let mut guard = lock();
            let cache = guard.get_or_insert_with(Cache::default);
            let parked = cache.unpark(len);
            if parked.is_none() {
                // A length not seen lately: the model changed phase (the last
                // partial batch, an evaluation). Free the idle buffers of the
                // old phase first, so that they and the new allocations
                // together stay within the limit instead of raising the peak.
                cache.make_room(len * std::mem::size_of::<T>(), cache_limit(), &mut freed);
            }
            parked
        };
        drop(freed);
        if let Some(v) = parked {
            return v;
        }
    }
    Vec::with_capacity(len)
}

/// `len` copies of `value`, in a recycled buffer when one fits.
pub(crate) fn filled<T: Copy + Send + 'static>(len: usize, value: T) -> Vec<T> {
    let mut v = take(len);
    v.resize(len, value);
    v
}

/// Parks `buffer` for a later [`take`] of its capacity, or frees it (too
/// small, more than the limit, or its length already has enough parked).
pub(crate) fn give<T: Send + 'static>(buffer: Vec<T>) {
    if !is_recycled::<T>(buffer.capacity()) {
        return;
    }
    if buffer.len() != buffer.capacity() {
        // Parked buffers keep their values for `overwritable`, so a buffer
        // whose spare capacity holds no values is not parked.
        return;
    }
    let mut freed = Vec::new();
    lock().get_or_insert_with(Cache::default).park(buffer, cache_limit(), &mut freed);
    drop(freed);
}

/// Most bytes of idle tensor buffers kept for reuse (default
/// [`DEFAULT_CACHE_LIMIT`]).
pub fn cache_limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// Sets how many bytes of idle buffers may be kept for reuse; `0` turns
/// recycling off. Buffers over the new limit are freed at once.
///
/// A larger limit helps a model whose step allocates more than the default
/// (a wide network, a large batch); a smaller one lowers the resident
/// memory of a process that trains once and then does something else.
pub fn set_cache_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
    let mut evicted = Vec::new();
    if let Some(cache) = lock().as_mut() {
        cache.make_room(0, bytes, &mut evicted);
    }
    drop(evicted);
}

/// Bytes of idle buffers kept for reuse right now.
pub fn cached_bytes() -> usize {
    lock().as_ref().map_or(0, |c| c.bytes)
}

/// Frees every idle buffer (the limit is unchanged): for a long-running
/// process that is done training and wants its memory back.
pub fn release_cached() {
    let cache = lock().take();
    drop(cache);
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: usize = MIN_RECYCLED_BYTES / 4 * 3; // f32 elements, over the threshold

    /// The tests of the process-wide cache run one at a time: one of them
    /// empties it.
    static PROCESS_CACHE: Mutex<()> = Mutex::new(());

    fn parked<T: 'static>(cache: &Cache, len: usize) -> usize {
        cache.shelves.get(&(TypeId::of::<T>(), len)).map_or(0, |s| s.buffers.len())
    }

    #[test]
    fn a_parked_buffer_serves_the_next_request_of_its_length_only() {
        let mut cache = Cache::default();
        let mut freed = Vec::new();
        let v = Vec::<f32>::with_capacity(BIG);
        let ptr = v.as_ptr();
        cache.park(v, usize::MAX, &mut freed);
        assert_eq!((cache.bytes, freed.len()), (BIG * 4, 0));
        assert!(cache.unpark::<f32>(BIG + 1).is_none());
        assert!(cache.unpark::<f64>(BIG).is_none());
        let back = cache.unpark::<f32>(BIG).expect("parked above");
        assert_eq!((back.as_ptr(), back.len(), back.capacity()), (ptr, 0, BIG));
        assert_eq!(cache.bytes, 0);
    }

    #[test]
    fn the_limit_frees_the_least_recently_requested_lengths_first() {
        let mut cache = Cache::default();
        let mut freed = Vec::new();
        let limit = 4 * BIG * 4;
        let park = |cache: &mut Cache, len: usize, freed: &mut Vec<_>| {
            cache.park(Vec::<f32>::with_capacity(len), limit, freed);
        };
        park(&mut cache, BIG, &mut freed);
        park(&mut cache, BIG, &mut freed);
        park(&mut cache, BIG + 1, &mut freed);
        assert_eq!(cache.bytes, (3 * BIG + 1) * 4);
        // Taking a BIG makes that length the most recently requested...
        assert!(cache.unpark::<f32>(BIG).is_some());
        park(&mut cache, BIG + 2, &mut freed);
        assert_eq!(freed.len(), 0);
        // ...so when room is needed, BIG + 1 (parked earlier, never asked
        // for since) goes, and BIG stays.
        park(&mut cache, BIG + 3, &mut freed);
        assert_eq!(freed.len(), 1);
        let counts: Vec<usize> = (0..4).map(|d| parked::<f32>(&cache, BIG + d)).collect();
        assert_eq!(counts, [1, 0, 1, 1]);
        assert_eq!(cache.bytes, (3 * BIG + 5) * 4);
        // A buffer over the whole limit is never parked.
        park(&mut cache, 4 * BIG + 1, &mut freed);
        assert_eq!((freed.len(), cache.bytes), (2, (3 * BIG + 5) * 4));
        // Emptied shelves disappear: the bookkeeping holds only what is parked.
        assert!(cache.make_room(0, 0, &mut freed));
        assert_eq!((cache.bytes, freed.len(), cache.shelves.len()), (0, 5, 0));
    }

    #[test]
    fn a_request_that_finds_nothing_frees_idle_buffers_down_to_the_limit() {
        let _one_at_a_time = PROCESS_CACHE.lock().unwrap_or_else(|p| p.into_inner());
        // A type of its own, so that tests running beside this one cannot
        // take these buffers.
        #[derive(Clone, Copy)]
        struct Stale(#[allow(dead_code)] f32);
        let stale = || parked::<Stale>(lock().get_or_insert_with(Cache::default), BIG);
        for _ in 0..3 {
            give(vec![Stale(0.0); BIG]);
        }
        assert_eq!(stale(), 3);
        // A miss as large as the limit leaves nothing idle.
        drop(take::<Stale>(cache_limit() / 4));
        assert_eq!(stale(), 0);
    }

    #[test]
    fn a_length_keeps_a_bounded_number_of_buffers() {
        let mut cache = Cache::default();
        let mut freed = Vec::new();
        for _ in 0..KEPT_PER_LENGTH + 5 {
            cache.park(Vec::<f32>::with_capacity(BIG), usize::MAX, &mut freed);
        }
        assert_eq!((parked::<f32>(&cache, BIG), freed.len()), (KEPT_PER_LENGTH, 5));
    }

    #[test]
    fn the_process_cache_recycles_buffers_and_ignores_small_ones() {
        let _one_at_a_time = PROCESS_CACHE.lock().unwrap_or_else(|p| p.into_inner());
        // A type of its own, so that tests running beside this one cannot
        // take the buffer.
        #[derive(Clone, Copy, PartialEq, Debug)]
        struct Probe(f32);
        let v = filled(BIG, Probe(1.0));
        let ptr = v.as_ptr();
        give(v);
        let again = filled(BIG, Probe(0.0));
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.iter().all(|&x| x == Probe(0.0)));
        give(vec![Probe(0.0); 16]);
        // Spare capacity holds no values: such a buffer is not parked.
        give(Vec::<Probe>::with_capacity(BIG));
        let mut guard = lock();
        assert_eq!(parked::<Probe>(guard.get_or_insert_with(Cache::default), BIG), 0);
        assert_eq!(parked::<Probe>(guard.get_or_insert_with(Cache::default), 16), 0);
    }

    #[test]
    fn overwritable_keeps_the_values_of_a_parked_buffer_and_fills_a_new_one() {
        let _one_at_a_time = PROCESS_CACHE.lock().unwrap_or_else(|p| p.into_inner());
        #[derive(Clone, Copy, PartialEq, Debug)]
        struct Probe(f32);
        let fresh = overwritable(BIG, Probe(2.0));
        assert!(fresh.len() == BIG && fresh.iter().all(|&x| x == Probe(2.0)));
        let ptr = fresh.as_ptr();
        give(fresh);
        let reused = overwritable(BIG, Probe(3.0));
        assert_eq!(reused.as_ptr(), ptr);
        assert!(reused.len() == BIG && reused.iter().all(|&x| x == Probe(2.0)));
        give(reused);
        // `take` hands the same buffer out empty.
        let empty = take::<Probe>(BIG);
        assert_eq!((empty.as_ptr(), empty.len()), (ptr, 0));
    }
}
