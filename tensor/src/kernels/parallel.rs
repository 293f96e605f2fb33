//! When the convolution and pooling kernels go parallel, and how they split
//! their batch into chunks.
//!
//! The unit of work is an *item*: an image for convolution, an `(n, c)` plane
//! for pooling. Items are grouped into contiguous chunks; each chunk owns its
//! scratch buffers (one column matrix per chunk, not per item).

/// Below this many multiply-adds a kernel stays on the calling thread: waking
/// rayon's workers costs microseconds, more than such a problem takes.
pub(crate) const SERIAL_WORK: usize = 1 << 16;

/// At most this many partial weight gradients are summed: a constant rather
/// than the thread count, so that the order of the floating-point sums, and
/// hence every bit of the result, is the same on every machine and every run.
pub(crate) const WEIGHT_GRAD_PARTS: usize = 8;

/// The element-wise sum of partial results, added in part order (the
/// order that [`items_per_part`] fixes), into the first part's buffer.
///
/// # Panics
/// If `parts` is empty.
pub(crate) fn sum_parts_in_order<T: crate::Element>(mut parts: Vec<Vec<T>>) -> Vec<T> {
    let mut sum = parts.remove(0);
    for p in &parts {
        for (a, &b) in sum.iter_mut().zip(p) {
            *a += b;
        }
    }
    sum
}

/// True when `items` items of `work_per_item` multiply-adds each are worth
/// spreading over threads.
pub(crate) fn worth_parallel(items: usize, work_per_item: usize) -> bool {
    items > 1 && items.saturating_mul(work_per_item) >= SERIAL_WORK
}

/// Items per chunk for a kernel whose result does not depend on the split
/// (each item is computed on its own): about two chunks per thread, so a
/// worker slowed by other load does not hold up the rest. Returns `items`
/// (one chunk) when the problem is too small to split. Never 0.
pub(crate) fn items_per_chunk(items: usize, work_per_item: usize) -> usize {
    if !worth_parallel(items, work_per_item) {
        return items.max(1);
    }
    items.div_ceil(2 * crate::par::current_num_threads()).max(1)
}

/// Items per partial sum for a reduction over items (the weight gradient):
/// depends only on the sizes, never on the thread count, so the grouping of
/// the sum is fixed. At most [`WEIGHT_GRAD_PARTS`] parts. Never 0.
pub(crate) fn items_per_part(items: usize, work_per_item: usize) -> usize {
    if !worth_parallel(items, work_per_item) {
        return items.max(1);
    }
    items.div_ceil(WEIGHT_GRAD_PARTS).max(1)
}
