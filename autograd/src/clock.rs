//! A monotonic clock that also runs where there is none.
//!
//! `std::time::Instant::now` panics on `wasm32-unknown-unknown`: that target
//! has no clock without JavaScript glue. The profiler and the training loop
//! time their work with this [`Instant`] instead, which wraps the standard
//! one everywhere else. On that target it reads the host's clock when the
//! host has installed one with [`set_host_clock`] (a web page passes
//! `performance.now()`), and otherwise reads zero: timings then come out as
//! zero durations and the rest of the work is unaffected.

use std::sync::OnceLock;
use std::time::Duration;

/// True when this build has no clock to read (see the module docs).
const NO_CLOCK: bool = cfg!(all(target_arch = "wasm32", target_os = "unknown"));

/// Milliseconds from the host, on a target without a clock of its own.
static HOST_CLOCK: OnceLock<fn() -> f64> = OnceLock::new();

/// Installs the host's monotonic clock, in milliseconds (as JavaScript's
/// `performance.now()`), for targets without one. Returns `false`, and
/// changes nothing, when a clock was already installed. Elsewhere the
/// standard clock is always used and this has no effect.
pub fn set_host_clock(now_ms: fn() -> f64) -> bool {
    HOST_CLOCK.set(now_ms).is_ok()
}

/// What an [`Instant`] holds.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Reading {
    /// The standard clock.
    Std(std::time::Instant),
    /// The host's clock, in milliseconds.
    HostMillis(f64),
    /// No clock.
    Nothing,
}

/// A point in time, as [`std::time::Instant`], or a placeholder where the
/// target has no clock (every duration between two of them is then zero).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Instant {
    reading: Reading,
}

impl Instant {
    /// The current time (a placeholder on a target without a clock).
    pub fn now() -> Instant {
        let reading = if !NO_CLOCK {
            Reading::Std(std::time::Instant::now())
        } else if let Some(now_ms) = HOST_CLOCK.get() {
            Reading::HostMillis(now_ms())
        } else {
            Reading::Nothing
        };
        Instant { reading }
    }

    /// The time since `earlier`, zero if `earlier` is later or either has
    /// no reading.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        match (self.reading, earlier.reading) {
            (Reading::Std(now), Reading::Std(then)) => now.saturating_duration_since(then),
            (Reading::HostMillis(now), Reading::HostMillis(then)) => {
                Duration::try_from_secs_f64((now - then) / 1000.0).unwrap_or(Duration::ZERO)
            }
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

    #[test]
    fn host_readings_are_milliseconds_and_never_go_backwards() {
        let at = |ms| Instant { reading: Reading::HostMillis(ms) };
        assert_eq!(at(1500.25) - at(1000.0), Duration::from_micros(500_250));
        assert_eq!(at(1000.0) - at(1500.0), Duration::ZERO);
        assert_eq!(at(f64::NAN) - at(1.0), Duration::ZERO);
        let nothing = Instant { reading: Reading::Nothing };
        assert_eq!(at(5.0) - nothing, Duration::ZERO);
    }
}
