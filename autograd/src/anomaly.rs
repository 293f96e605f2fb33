//! Anomaly mode: stop at the first operation that produces NaN or infinity.
//!
//! Off by default and then costs one thread-local read per operation. When
//! on ([`detect_anomaly`] or [`AnomalyGuard`]), every forward value and
//! every gradient is checked; the first non-finite one panics with the
//! operation's name, the place in the user's code that called it, and the
//! shapes and value ranges of its inputs.

use crate::var::{GradFn, Var};
use sinapse_tensor::{Element, Tensor};
use std::cell::Cell;
use std::panic::Location;

thread_local! {
    static ANOMALY: Cell<bool> = const { Cell::new(false) };
}

/// True when anomaly checks run on this thread.
pub fn is_anomaly_enabled() -> bool {
    ANOMALY.with(|a| a.get())
}

/// Turns anomaly checks on until dropped.
#[must_use = "anomaly checks are only on while the guard lives"]
pub struct AnomalyGuard {
    previous: bool,
}

impl AnomalyGuard {
    /// Turns anomaly checks on for this thread.
    pub fn new() -> Self {
        AnomalyGuard { previous: ANOMALY.with(|a| a.replace(true)) }
    }
}

impl Default for AnomalyGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for AnomalyGuard {
    fn drop(&mut self) {
        ANOMALY.with(|a| a.set(self.previous));
    }
}

/// Runs `f` with anomaly checks on.
pub fn detect_anomaly<R>(f: impl FnOnce() -> R) -> R {
    let _g = AnomalyGuard::new();
    f()
}

fn describe<T: Element>(t: &Tensor<T>) -> String {
    if t.numel() == 0 {
        return format!("{:?} (empty)", t.shape());
    }
    format!("{:?} in [{}, {}]", t.shape(), t.min_all(), t.max_all())
}

fn describe_inputs<T: Element>(inputs: &[Var<T>]) -> String {
    inputs.iter().map(|v| describe(v.value())).collect::<Vec<_>>().join(", ")
}

pub(crate) fn check_forward<T: Element>(op: &str, location: &Location<'_>, value: &Tensor<T>, inputs: &[Var<T>]) {
    if is_anomaly_enabled() && !value.all_finite() {
        panic!("anomaly: {op} (called at {location}) produced a non-finite value; inputs: {}", describe_inputs(inputs));
    }
}

pub(crate) fn run_backward<T: Element>(grad_fn: &GradFn<T>, out: &Var<T>, g: &Var<T>) -> Vec<Option<Var<T>>> {
    let grads = (grad_fn.backward)(out, g);
    if is_anomaly_enabled() {
        for (i, ig) in grads.iter().enumerate() {
            if let Some(ig) = ig {
                if !ig.value().all_finite() {
                    panic!(
                        "anomaly: the gradient of {} (called at {}) for input {i} is not finite: {}; inputs: {}",
                        grad_fn.def.name,
                        grad_fn.location,
                        describe(ig.value()),
                        describe_inputs(&grad_fn.inputs)
                    );
                }
            }
        }
    }
    grads
}
