//! Scratch buffers kept per thread between kernel calls.
//!
//! A convolution needs column buffers of about a megabyte for every run of
//! images, on every call. Allocating them fresh costs a zero fill or page
//! faults each time (the allocator hands large blocks back to the system);
//! keeping a few per thread costs nothing after the first step. The
//! contents of a reused buffer are whatever the last user left, so a
//! kernel must write every element it reads (im2col, a product with
//! `beta = 0` and the reorders all do).

use std::any::Any;
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

use crate::Element;

/// Buffers a thread keeps; more are allocated when needed and dropped on
/// return once this many are kept.
const KEPT_PER_THREAD: usize = 4;

/// Largest buffer kept, in bytes: an unusually large convolution should not
/// leave hundreds of megabytes parked on every thread for the life of the
/// process.
const KEPT_MAX_BYTES: usize = 64 << 20;

thread_local! {
    /// This thread's idle buffers, of any element type (`Vec<f32>`, `Vec<f64>`).
    static IDLE: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// A scratch vector of `len` elements with unspecified (but initialized)
/// contents, taken from this thread's idle buffers and given back on drop.
pub(crate) struct Scratch<T: Element> {
    buf: Vec<T>,
    len: usize,
}

impl<T: Element> Scratch<T> {
    /// At least `len` elements; the largest idle buffer of type `T` is
    /// reused (grown if needed), so one buffer serves calls of every size.
    pub(crate) fn take(len: usize) -> Self {
        if len == 0 {
            return Scratch { buf: Vec::new(), len };
        }
        let idle = IDLE.with_borrow_mut(|idle| {
            let best = (0..idle.len())
                .filter_map(|i| idle[i].downcast_ref::<Vec<T>>().map(|v| (i, v.len())))
                .max_by_key(|&(_, n)| n)?;
            Some(idle.swap_remove(best.0))
        });
        let mut buf = idle.and_then(|b| b.downcast::<Vec<T>>().ok()).map(|b| *b).unwrap_or_default();
        if buf.len() < len {
            buf.resize(len, T::zero());
        }
        Scratch { buf, len }
    }
}

impl<T: Element> Deref for Scratch<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.buf[..self.len]
    }
}

impl<T: Element> DerefMut for Scratch<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.buf[..self.len]
    }
}

impl<T: Element> Drop for Scratch<T> {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if buf.capacity() == 0 || buf.capacity() * std::mem::size_of::<T>() > KEPT_MAX_BYTES {
            return;
        }
        // A thread being torn down has no storage left: the buffer is simply freed.
        let _ = IDLE.try_with(|idle| {
            let mut idle = idle.borrow_mut();
            if idle.len() < KEPT_PER_THREAD {
                idle.push(Box::new(buf));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Scratch;

    #[test]
    fn buffers_are_reused_and_grown() {
        let first = Scratch::<f32>::take(1000);
        let ptr = first.as_ptr();
        assert_eq!(first.len(), 1000);
        drop(first);
        // The same allocation comes back for a smaller request...
        let again = Scratch::<f32>::take(10);
        assert_eq!((again.as_ptr(), again.len()), (ptr, 10));
        // ...while it is taken, another request gets a buffer of its own...
        let other = Scratch::<f32>::take(10);
        assert_ne!(other.as_ptr(), ptr);
        // ...and another element type never shares it.
        let wide = Scratch::<f64>::take(10);
        assert_eq!(wide.len(), 10);
        drop((again, other, wide));
        assert_eq!(Scratch::<f32>::take(5000).len(), 5000);
    }

    #[test]
    fn huge_buffers_are_not_kept() {
        let huge = Scratch::<f64>::take((super::KEPT_MAX_BYTES / 8) + 1);
        drop(huge);
        // Nothing of that size was parked: a small request gets a small buffer.
        let small = Scratch::<f64>::take(4);
        assert!(small.buf.capacity() < 1024, "kept {} elements", small.buf.capacity());
    }
}
