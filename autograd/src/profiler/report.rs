//! The profiler's results and the table they print as.

use crate::op_def::OpCost;
use std::fmt;
use std::time::Duration;

/// Calls, time and estimated cost of one operation kind in one direction
/// (forward or backward).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PhaseStats {
    /// Number of calls.
    pub calls: u64,
    /// Total wall time of the calls.
    pub time: Duration,
    /// Estimated floating-point operations, all calls
    /// ([`OpDef::estimate`](crate::OpDef::estimate)).
    pub flops: u64,
    /// Estimated bytes read and written, all calls.
    pub bytes: u64,
}

impl PhaseStats {
    pub(super) fn add(&mut self, time: Duration, cost: OpCost) {
        self.calls += 1;
        self.time += time;
        self.flops += cost.flops;
        self.bytes += cost.bytes;
    }
}

/// Everything the profiler saw of one operation kind.
#[derive(Clone, Debug, PartialEq)]
pub struct OpStats {
    /// The operation's name, as [`Var::op_name`](crate::Var::op_name) reports it.
    pub op: &'static str,
    /// Calls that computed a value.
    pub forward: PhaseStats,
    /// Runs of the operation's backward rule.
    pub backward: PhaseStats,
}

impl OpStats {
    pub(super) fn new(op: &'static str) -> Self {
        OpStats { op, forward: PhaseStats::default(), backward: PhaseStats::default() }
    }

    /// Forward plus backward time.
    pub fn time(&self) -> Duration {
        self.forward.time + self.backward.time
    }

    /// Estimated GFLOP/s: `flops / time / 1e9`, forward and backward
    /// together (`None` without time or FLOPs).
    pub fn gflops_per_second(&self) -> Option<f64> {
        rate(self.forward.flops + self.backward.flops, self.time())
    }

    /// Estimated GB/s: `bytes / time / 1e9`, like
    /// [`gflops_per_second`](Self::gflops_per_second).
    pub fn gigabytes_per_second(&self) -> Option<f64> {
        rate(self.forward.bytes + self.backward.bytes, self.time())
    }
}

fn rate(amount: u64, time: Duration) -> Option<f64> {
    (amount > 0 && !time.is_zero()).then(|| amount as f64 / time.as_secs_f64() / 1e9)
}

/// What a profiling scope saw: per-operation statistics, slowest first, and
/// the scope's wall time. Prints as a table (`{report}`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileReport {
    /// Wall time from the scope's start to the report.
    pub wall: Duration,
    /// One entry per operation kind, sorted by [`OpStats::time`], largest
    /// first (ties by name).
    pub ops: Vec<OpStats>,
}

impl ProfileReport {
    pub(super) fn new(wall: Duration, mut ops: Vec<OpStats>) -> Self {
        ops.sort_by(|a, b| b.time().cmp(&a.time()).then(a.op.cmp(b.op)));
        ProfileReport { wall, ops }
    }

    pub(super) fn empty() -> Self {
        ProfileReport { wall: Duration::ZERO, ops: Vec::new() }
    }

    /// The statistics of the operation named `op`, if it ran.
    pub fn op(&self, op: &str) -> Option<&OpStats> {
        self.ops.iter().find(|s| s.op == op)
    }

    /// Time spent inside operations, forward and backward.
    pub fn op_time(&self) -> Duration {
        self.ops.iter().map(OpStats::time).sum()
    }

    /// Total estimated FLOPs, forward and backward.
    pub fn total_flops(&self) -> u64 {
        self.ops.iter().map(|s| s.forward.flops + s.backward.flops).sum()
    }

    /// True when no operation was seen.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// `part` as a percentage of the wall time.
    fn share(&self, part: Duration) -> f64 {
        if self.wall.is_zero() {
            0.0
        } else {
            100.0 * part.as_secs_f64() / self.wall.as_secs_f64()
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn phase_ms(p: &PhaseStats) -> String {
    if p.calls == 0 {
        "-".into()
    } else {
        ms(p.time)
    }
}

fn opt_rate(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into())
}

impl fmt::Display for ProfileReport {
    /// The table: one row per operation (slowest first), then the time
    /// outside operations and the wall time. `share` is of the wall time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.ops.iter().map(|s| s.op.len()).max().unwrap_or(0).max("(outside ops)".len());
        writeln!(
            f,
            "{:<width$} {:>9} {:>10} {:>9} {:>10} {:>10} {:>6} {:>8} {:>7}",
            "op", "fwd calls", "fwd ms", "bwd calls", "bwd ms", "total ms", "share", "GFLOP/s", "GB/s"
        )?;
        for s in &self.ops {
            writeln!(
                f,
                "{:<width$} {:>9} {:>10} {:>9} {:>10} {:>10} {:>5.1}% {:>8} {:>7}",
                s.op,
                s.forward.calls,
                phase_ms(&s.forward),
                s.backward.calls,
                phase_ms(&s.backward),
                ms(s.time()),
                self.share(s.time()),
                opt_rate(s.gflops_per_second()),
                opt_rate(s.gigabytes_per_second()),
            )?;
        }
        let outside = self.wall.saturating_sub(self.op_time());
        writeln!(
            f,
            "{:<width$} {:>9} {:>10} {:>9} {:>10} {:>10} {:>5.1}%",
            "(outside ops)",
            "",
            "",
            "",
            "",
            ms(outside),
            self.share(outside)
        )?;
        write!(
            f,
            "{:<width$} {:>9} {:>10} {:>9} {:>10} {:>10} {:>5.1}%",
            "wall time",
            "",
            "",
            "",
            "",
            ms(self.wall),
            100.0
        )
    }
}
