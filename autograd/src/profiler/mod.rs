//! The op profiler: where the time of a training step goes, per operation.
//!
//! Inside a profiling scope ([`Profiler::start`] or [`profile`]) every
//! operation run on this thread is counted under its name (`matmul`,
//! `conv2d`, `relu`, ...), with its forward and backward calls, their time,
//! and an estimate of the floating-point operations and bytes they moved
//! (from each operator's [`OpDef`], see
//! [`OpDef::estimate`]). The [`ProfileReport`] prints as a table sorted
//! by time, with each operation's share of the scope's wall time, GFLOP/s
//! and GB/s.
//!
//! ```
//! use sinapse_autograd::{profile, Var};
//! use sinapse_tensor::Tensor;
//!
//! let w = Var::parameter(Tensor::<f32>::ones(&[64, 64]), "w");
//! let x = Var::constant(Tensor::ones(&[32, 64]));
//! let (_, report) = profile(|| x.matmul(&w).relu().sum_all().backward());
//! let matmul = report.op("matmul").unwrap();
//! assert_eq!((matmul.forward.calls, matmul.backward.calls), (1, 1));
//! println!("{report}");
//! ```
//!
//! # What is measured
//! - **Forward time** is the wall time of computing an operation's value:
//!   [`Var::from_op`](crate::Var::from_op) runs the forward computation it
//!   is given, so every operator, this crate's or yours, is timed.
//! - **Backward time** is the wall time of each node's backward rule. A rule
//!   is written with operations; those are not counted as forward calls of
//!   their own: their time is inside the rule's and their FLOPs and bytes
//!   are added to the rule's. Adding up the gradients that reach a variable
//!   from several uses is listed as [`ACCUMULATE_GRAD`].
//! - **Everything else** in the scope (your code, data preparation, the
//!   optimizer, the backward pass's topological sort and gradient map) is
//!   the `(outside ops)` line: wall time minus the operations' time.
//! - Forward calls are counted with recording on or off (`no_grad`).
//! - Only operations run on the thread that started the scope are seen.
//!   Times are wall times, so a kernel that spreads its work over several
//!   cores is timed as a whole.
//!
//! When no scope is open, the cost is one thread-local flag read per
//! operation and per backward rule.

mod report;

pub use report::{OpStats, PhaseStats, ProfileReport};

use crate::clock::Instant;
use crate::op_def::{OpCost, OpDef};
use crate::var::Var;
use sinapse_tensor::{Element, Tensor};
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::time::Duration;

/// The name under which the profiler lists the sums of gradients that reach
/// a variable from several of its uses during a backward pass.
pub const ACCUMULATE_GRAD: &str = "accumulate_grad";

thread_local! {
    /// Read on every operation: kept apart from the state so that the check
    /// is a single `Cell` load.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static STATE: RefCell<State> = const { RefCell::new(State::new()) };
}

/// Which half of an operation's life an event belongs to.
#[derive(Clone, Copy)]
enum Phase {
    Forward,
    Backward,
}

/// One open scope's tallies.
struct Recorder {
    id: u64,
    started: Instant,
    ops: Vec<OpStats>,
}

impl Recorder {
    fn add(&mut self, op: &'static str, phase: Phase, time: Duration, cost: OpCost) {
        let index = match self.ops.iter().position(|s| s.op == op) {
            Some(i) => i,
            None => {
                self.ops.push(OpStats::new(op));
                self.ops.len() - 1
            }
        };
        let stats = &mut self.ops[index];
        let phase = match phase {
            Phase::Forward => &mut stats.forward,
            Phase::Backward => &mut stats.backward,
        };
        phase.add(time, cost);
    }

    fn report(&self) -> ProfileReport {
        ProfileReport::new(self.started.elapsed(), self.ops.clone())
    }
}

struct State {
    next_id: u64,
    /// Nested scopes all see every event (an outer scope includes the inner).
    recorders: Vec<Recorder>,
    /// Timed regions in progress (a forward computation or a backward rule),
    /// innermost last. Operations run inside one add their cost to it
    /// instead of being counted as calls of their own.
    regions: Vec<OpCost>,
}

impl State {
    const fn new() -> Self {
        State { next_id: 0, recorders: Vec::new(), regions: Vec::new() }
    }

    /// Adds an event to every scope, or to the enclosing region if any.
    fn event(&mut self, op: &'static str, phase: Phase, time: Duration, cost: OpCost) {
        if let Some(region) = self.regions.last_mut() {
            *region += cost;
            return;
        }
        for recorder in &mut self.recorders {
            recorder.add(op, phase, time, cost);
        }
    }
}

/// True when a profiling scope is open on this thread.
#[inline]
pub fn is_profiling() -> bool {
    ACTIVE.with(Cell::get)
}

/// An open timed region; closed by [`Region::close`], or popped on unwind
/// so that a panicking operation does not leave the state inconsistent.
struct Region {
    closed: bool,
}

impl Region {
    fn open() -> Region {
        STATE.with_borrow_mut(|s| s.regions.push(OpCost::default()));
        Region { closed: false }
    }

    /// The cost of the operations that ran inside the region.
    fn close(mut self) -> OpCost {
        self.closed = true;
        STATE.with_borrow_mut(|s| s.regions.pop()).unwrap_or_default()
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        if !self.closed {
            STATE.with_borrow_mut(|s| s.regions.pop());
        }
    }
}

fn input_shapes<'a, T: Element>(inputs: &[&'a Var<T>]) -> Vec<&'a [usize]> {
    inputs.iter().map(|v| v.shape()).collect()
}

/// Runs an operator's forward computation and, when a scope is open, times
/// it and counts it under `def`'s name with `def`'s cost estimate
/// ([`Var::from_op`]). `value` picks the output tensor out of what
/// `forward` returns.
///
/// Operators that `forward` itself runs (a custom operator built from
/// others) count as part of this one.
#[inline]
pub(crate) fn time_forward<T: Element, R>(
    def: &'static OpDef,
    inputs: &[&Var<T>],
    forward: impl FnOnce() -> R,
    value: impl Fn(&R) -> &Tensor<T>,
) -> R {
    if !is_profiling() {
        return forward();
    }
    let region = Region::open();
    let start = Instant::now();
    let result = forward();
    let elapsed = start.elapsed();
    let output = value(&result);
    let cost = def.estimate(&input_shapes(inputs), output.shape(), std::mem::size_of::<T>()) + region.close();
    STATE.with_borrow_mut(|s| s.event(def.name, Phase::Forward, elapsed, cost));
    result
}

/// Runs the backward rule `rule` of an `op` node, timing it when a scope is
/// open.
pub(crate) fn time_backward<R>(op: &'static str, rule: impl FnOnce() -> R) -> R {
    if !is_profiling() {
        return rule();
    }
    let region = Region::open();
    let start = Instant::now();
    let result = rule();
    let elapsed = start.elapsed();
    let cost = region.close();
    STATE.with_borrow_mut(|s| s.event(op, Phase::Backward, elapsed, cost));
    result
}

/// A profiling scope on this thread, open until dropped or
/// [`finish`](Profiler::finish)ed.
///
/// `let _p = Profiler::start();` prints the report to standard error when
/// `_p` goes out of scope; `finish` returns it instead. Scopes nest: an
/// outer scope's report includes what inner scopes saw. A `Profiler` stays
/// on the thread that started it (it is not `Send`).
#[must_use = "the scope closes when the Profiler is dropped"]
pub struct Profiler {
    id: u64,
    finished: bool,
    /// The tallies live in this thread's storage.
    _not_send: PhantomData<*const ()>,
}

impl Profiler {
    /// Opens a scope: from now on, operations on this thread are counted.
    pub fn start() -> Profiler {
        let id = STATE.with_borrow_mut(|s| {
            s.next_id += 1;
            let id = s.next_id;
            s.recorders.push(Recorder { id, started: Instant::now(), ops: Vec::new() });
            id
        });
        ACTIVE.with(|a| a.set(true));
        Profiler { id, finished: false, _not_send: PhantomData }
    }

    /// What the scope has seen so far; it stays open.
    pub fn report(&self) -> ProfileReport {
        STATE.with_borrow(|s| {
            s.recorders.iter().find(|r| r.id == self.id).map(Recorder::report).unwrap_or_else(ProfileReport::empty)
        })
    }

    /// Closes the scope and returns its report.
    pub fn finish(mut self) -> ProfileReport {
        self.finished = true;
        self.close().map(|r| r.report()).unwrap_or_else(ProfileReport::empty)
    }

    fn close(&self) -> Option<Recorder> {
        STATE.with_borrow_mut(|s| {
            let recorder = s.recorders.iter().position(|r| r.id == self.id).map(|i| s.recorders.remove(i));
            ACTIVE.with(|a| a.set(!s.recorders.is_empty()));
            recorder
        })
    }
}

impl Drop for Profiler {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some(recorder) = self.close() {
            eprintln!("{}", recorder.report());
        }
    }
}

/// Runs `f` inside a profiling scope and returns its result with the report:
/// `let (loss, report) = profile(|| train_step(&model, &batch));`.
pub fn profile<R>(f: impl FnOnce() -> R) -> (R, ProfileReport) {
    let scope = Profiler::start();
    let result = f();
    (result, scope.finish())
}
