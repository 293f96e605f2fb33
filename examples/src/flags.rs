//! The checks every example applies to its numeric flags, written once: each
//! is a clap value parser (so a bad value is refused with clap's message,
//! naming the flag, before anything runs) built on a plain check that
//! [`CommonArgs::validate`](crate::cli::CommonArgs::validate) reuses for
//! arguments built in code.

/// Most worker threads `--threads` accepts: far more than any machine this
/// runs on has cores, few enough that creating them cannot exhaust memory.
pub const MAX_THREADS: usize = 256;

/// A learning rate must be a positive finite number that stays positive
/// and finite in `f32`, the precision the networks train in (`1e-50`
/// would silently become 0 there, `1e39` infinity).
pub fn check_learning_rate(lr: f64) -> Result<(), String> {
    if !(lr.is_finite() && lr > 0.0) {
        return Err(format!("must be a positive number, got {lr}"));
    }
    let single = lr as f32;
    if single == 0.0 {
        return Err(format!("{lr} rounds to 0 in f32, the precision the networks train in; use at least 1e-38"));
    }
    if !single.is_finite() {
        return Err(format!("{lr} overflows f32, the precision the networks train in"));
    }
    Ok(())
}

/// A count of things (epochs, examples, steps) must be at least 1.
pub fn check_count(n: usize) -> Result<(), String> {
    if n == 0 {
        return Err("must be at least 1".into());
    }
    Ok(())
}

/// `--threads`: 0 (one per core) up to [`MAX_THREADS`].
pub fn check_threads(n: usize) -> Result<(), String> {
    if n > MAX_THREADS {
        let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1);
        return Err(format!("{n} is more than {MAX_THREADS}; this machine has {cores} cores (0 means one per core)"));
    }
    Ok(())
}

/// A finite number that is not negative (a noise level, an L2 strength).
pub fn check_non_negative(x: f64) -> Result<(), String> {
    if !(x.is_finite() && x >= 0.0) {
        return Err(format!("must be a finite number of at least 0, got {x}"));
    }
    Ok(())
}

/// A momentum coefficient: finite, in `[0, 1)`.
pub fn check_momentum(m: f64) -> Result<(), String> {
    if !(m.is_finite() && (0.0..1.0).contains(&m)) {
        return Err(format!("must be in [0, 1), got {m}"));
    }
    Ok(())
}

/// A duration in seconds: positive and finite.
pub fn check_seconds(s: f64) -> Result<(), String> {
    if !(s.is_finite() && s > 0.0) {
        return Err(format!("must be a positive number of seconds, got {s}"));
    }
    Ok(())
}

fn parse_with<T>(s: &str, check: fn(T) -> Result<(), String>) -> Result<T, String>
where
    T: std::str::FromStr + Copy,
    T::Err: std::fmt::Display,
{
    let value: T = s.trim().parse().map_err(|e| format!("'{s}' is not a number ({e})"))?;
    check(value)?;
    Ok(value)
}

/// Value parser for learning rates ([`check_learning_rate`]).
pub fn learning_rate(s: &str) -> Result<f64, String> {
    parse_with(s, check_learning_rate)
}

/// Value parser for counts ([`check_count`]).
pub fn count(s: &str) -> Result<usize, String> {
    parse_with(s, check_count)
}

/// Value parser for `--threads` ([`check_threads`]).
pub fn threads(s: &str) -> Result<usize, String> {
    parse_with(s, check_threads)
}

/// Value parser for non-negative numbers ([`check_non_negative`]).
pub fn non_negative(s: &str) -> Result<f64, String> {
    parse_with(s, check_non_negative)
}

/// Value parser for momentum coefficients ([`check_momentum`]).
pub fn momentum(s: &str) -> Result<f64, String> {
    parse_with(s, check_momentum)
}

/// Value parser for durations ([`check_seconds`]).
pub fn seconds(s: &str) -> Result<f64, String> {
    parse_with(s, check_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_rates_that_f32_cannot_hold_are_refused() {
        assert_eq!(learning_rate("0.1"), Ok(0.1));
        assert!(learning_rate("1e-50").unwrap_err().contains("rounds to 0 in f32"));
        assert!(learning_rate("1e39").unwrap_err().contains("overflows f32"));
        for bad in ["nan", "inf", "-0.1", "0"] {
            assert!(learning_rate(bad).unwrap_err().contains("positive number"), "{bad}");
        }
        assert!(learning_rate("fast").unwrap_err().contains("'fast' is not a number"));
    }

    #[test]
    fn counts_threads_and_ranges() {
        assert_eq!(count("3"), Ok(3));
        assert_eq!(count("0"), Err("must be at least 1".into()));
        assert_eq!(threads("0"), Ok(0));
        assert_eq!(threads("256"), Ok(256));
        assert!(threads("100000").unwrap_err().contains("more than 256"));
        assert!(non_negative("-1").is_err() && non_negative("nan").is_err() && non_negative("0") == Ok(0.0));
        assert!(momentum("1").is_err() && momentum("0.9") == Ok(0.9));
        assert!(seconds("0").is_err() && seconds("inf").is_err() && seconds("2.5") == Ok(2.5));
    }
}
