//! A monotonic clock that also runs where there is none.
//!
//! `std::time::Instant::now` panics on `wasm32-unknown-unknown`: that target
//! has no clock without JavaScript glue. The profiler and the training loop
//! time their work with this [`Instant`] instead, which wraps the standard
//! one everywhere else and, on that target, reads zero: timings come out
//! as zero durations and the rest of the work is unaffected.

use std::time::Duration;

/// True when this build has no clock to read (see the module docs).
const NO_CLOCK: bool = cfg!(all(target_arch = "wasm32", target_os = "unknown"));

/// A point in time, as [`std::time::Instant`], or a placeholder where the
/// target has no clock (every duration between two of them is then zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant {
    /// `None` only on a target without a clock.
    inner: Option<std::time::Instant>,
}

impl Instant {
    /// The current time (a placeholder on a target without a clock).
    pub fn now() -> Instant {
        Instant { inner: (!NO_CLOCK).then(std::time::Instant::now) }
    }

    /// The time since `earlier`, zero if `earlier` is later or either has
    /// no reading.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        match (self.inner, earlier.inner) {
            (Some(now), Some(then)) => now.saturating_duration_since(then),
            _ => Duration::ZERO,
        }
    }

    /// The time since this instant was taken.
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }
}

impl std::ops::Sub for Instant {
    type Output = Duration;

    /// As [`Instant::duration_since`].
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_moves_forward_where_there_is_a_clock() {
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        let later = Instant::now();
        if NO_CLOCK {
            assert_eq!(later - start, Duration::ZERO);
        } else {
            assert!(later - start >= Duration::from_millis(2));
            assert!(start.elapsed() >= later - start);
        }
        assert_eq!(start - later, Duration::ZERO);
    }
}
