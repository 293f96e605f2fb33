//! The op profiler counts calls per operation and direction, times them,
//! estimates their FLOPs, and sees nothing when no scope is open.

use sinapse_autograd::profiler::{is_profiling, ACCUMULATE_GRAD};
use sinapse_autograd::{no_grad, profile, Cost, OpDef, Profiler, Var};
use sinapse_tensor::{seeded_rng, Tensor};

fn rand(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::rand_uniform(shape, -1.0, 1.0, &mut seeded_rng(seed))
}

/// `sum(((x W1) W2) W3)` with x `[4, 5]` constant and three weights.
fn three_matmuls() -> (Var<f64>, [Var<f64>; 3]) {
    let x = Var::constant(rand(&[4, 5], 1));
    let w = [
        Var::parameter(rand(&[5, 6], 2), "w1"),
        Var::parameter(rand(&[6, 7], 3), "w2"),
        Var::parameter(rand(&[7, 3], 4), "w3"),
    ];
    (x.matmul(&w[0]).matmul(&w[1]).matmul(&w[2]).sum_all(), w)
}

#[test]
fn counts_three_matmuls_forward_and_backward_with_their_flops() {
    let ((), report) = profile(|| {
        let (loss, w) = three_matmuls();
        let grads = loss.backward();
        assert_eq!(grads.get(&w[0]).unwrap().shape(), &[5, 6]);
    });
    let matmul = report.op("matmul").expect("matmul was seen");
    assert_eq!((matmul.forward.calls, matmul.backward.calls), (3, 3));
    assert!(!matmul.forward.time.is_zero() && !matmul.backward.time.is_zero(), "{matmul:?}");
    // Forward: 2mkn for [4,5]x[5,6], [4,6]x[6,7], [4,7]x[7,3].
    assert_eq!(matmul.forward.flops, 2 * (4 * 5 * 6 + 4 * 6 * 7 + 4 * 7 * 3));
    // Backward: x is a constant, so the first rule computes dW1 = x^T G only;
    // the other two compute both G W^T and A^T G.
    assert_eq!(matmul.backward.flops, 2 * (5 * 4 * 6) + 2 * 2 * (4 * 6 * 7) + 2 * 2 * (4 * 7 * 3));
    // Bytes: each forward operand read once, result written once (f64).
    assert_eq!(matmul.forward.bytes, 8 * ((20 + 30 + 24) + (24 + 42 + 28) + (28 + 21 + 12)));

    let sum = report.op("sum").expect("sum was seen");
    assert_eq!((sum.forward.calls, sum.backward.calls), (1, 1));
    // The transposes and broadcasts inside the backward rules belong to the
    // rules: they are not forward calls of their own.
    assert!(report.op("transpose").is_none() && report.op("broadcast_to").is_none(), "{report}");
    assert!(report.op_time() <= report.wall);
    assert_eq!(report.ops[0].op, "matmul", "the slowest op comes first:\n{report}");
}

#[test]
fn gradients_from_several_uses_are_accumulated_under_their_own_name() {
    let w = Var::parameter(rand(&[3], 5), "w");
    let ((), report) = profile(|| {
        // w is used twice by mul: its two gradients are added once.
        let _ = w.mul(&w).sum_all().backward();
    });
    let acc = report.op(ACCUMULATE_GRAD).expect("accumulation was seen");
    assert_eq!((acc.forward.calls, acc.backward.calls), (0, 1));
    assert_eq!(acc.backward.flops, 3, "one add per element");
    assert!(report.op("add").is_none(), "the add belongs to the accumulation:\n{report}");
}

#[test]
fn records_nothing_when_off() {
    assert!(!is_profiling());
    let (loss, _) = three_matmuls();
    let _ = loss.backward();
    // A scope opened afterwards has seen none of it.
    let scope = Profiler::start();
    assert!(is_profiling());
    let report = scope.finish();
    assert!(!is_profiling());
    assert!(report.is_empty(), "{report}");
    assert_eq!(report.total_flops(), 0);
}

#[test]
fn other_threads_are_not_seen() {
    let w = Var::parameter(rand(&[4, 4], 6), "w");
    let scope = Profiler::start();
    let w2 = w.clone();
    std::thread::spawn(move || {
        assert!(!is_profiling(), "scopes are per thread");
        let _ = w2.matmul(&w2).sum_all().backward();
    })
    .join()
    .unwrap();
    let _ = w.exp();
    let report = scope.finish();
    assert!(report.op("matmul").is_none(), "{report}");
    assert_eq!(report.op("exp").unwrap().forward.calls, 1);
}

#[test]
fn forward_calls_count_without_recording_too() {
    let w = Var::parameter(rand(&[4, 4], 7), "w");
    let (y, report) = profile(|| no_grad(|| w.matmul(&w).relu()));
    assert!(!y.requires_grad());
    assert_eq!(report.op("matmul").unwrap().forward.calls, 1);
    assert_eq!(report.op("relu").unwrap().forward.calls, 1);
    assert_eq!(report.op("relu").unwrap().forward.flops, 16);
}

/// An operator defined outside the crate, with its own descriptor.
static SOFTPLUS: OpDef =
    OpDef { name: "softplus", forward: "ln(1 + e^x)", backward: "dx = g s(x)", cost: Cost::Elementwise };

/// softplus(x) = ln(1 + e^x).
fn softplus(x: &Var<f64>) -> Var<f64> {
    let forward = || x.value().map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
    Var::from_op(&SOFTPLUS, &[x], forward, |_, g, inputs| vec![Some(g * &inputs[0].sigmoid())])
}

#[test]
fn operators_defined_outside_the_crate_are_timed_and_costed() {
    let x = Var::new(rand(&[5], 8));
    let ((), report) = profile(|| {
        let _ = softplus(&x).sum_all().backward();
    });
    let sp = report.op("softplus").unwrap();
    assert_eq!((sp.forward.calls, sp.forward.flops, sp.forward.bytes), (1, 5, 8 * (5 + 5)));
    assert!(!sp.forward.time.is_zero());
    // Its backward rule is timed like any other; sigmoid and mul ran inside it.
    assert_eq!(sp.backward.calls, 1);
    assert!(!sp.backward.time.is_zero());
    assert_eq!(sp.backward.flops, 5 + 5, "sigmoid and mul, one FLOP per element each");
    assert!(report.op("sigmoid").is_none());
    assert!(sp.gflops_per_second().is_some());
}

#[test]
fn scopes_nest_and_the_outer_one_sees_everything() {
    let w = Var::parameter(rand(&[3, 3], 9), "w");
    let outer = Profiler::start();
    let _ = w.exp();
    let inner = Profiler::start();
    let _ = w.tanh();
    let inner_report = inner.finish();
    assert!(is_profiling(), "the outer scope is still open");
    let so_far = outer.report();
    assert_eq!((so_far.op("exp").unwrap().forward.calls, so_far.op("tanh").unwrap().forward.calls), (1, 1));
    let _ = w.exp();
    let outer_report = outer.finish();
    assert!(!is_profiling());
    assert!(inner_report.op("exp").is_none());
    assert_eq!(inner_report.op("tanh").unwrap().forward.calls, 1);
    assert_eq!(outer_report.op("exp").unwrap().forward.calls, 2);
    assert_eq!(outer_report.op("tanh").unwrap().forward.calls, 1);
}

#[test]
fn the_table_lists_ops_shares_and_rates() {
    let ((), report) = profile(|| {
        let (loss, _) = three_matmuls();
        let _ = loss.backward();
    });
    let table = report.to_string();
    let header = table.lines().next().unwrap();
    for column in ["op", "fwd calls", "fwd ms", "bwd calls", "bwd ms", "total ms", "share", "GFLOP/s", "GB/s"] {
        assert!(header.contains(column), "{header}");
    }
    let row = table.lines().find(|l| l.starts_with("matmul")).unwrap();
    let fields: Vec<&str> = row.split_whitespace().collect();
    assert_eq!((fields[1], fields[3]), ("3", "3"), "{row}");
    let share: f64 = fields[6].trim_end_matches('%').parse().unwrap();
    assert!((0.0..=100.0).contains(&share), "{row}");
    // The printed rate depends on the machine's speed (a slow or loaded one
    // prints 0.00): check that it is a number, and that a rate exists
    // behind it, not its size.
    let gflops: f64 = fields[7].parse().unwrap_or_else(|_| panic!("no GFLOP/s figure in {row}"));
    assert!(gflops >= 0.0, "{row}");
    assert!(report.op("matmul").unwrap().gflops_per_second().is_some(), "{row}");
    assert!(table.contains("(outside ops)") && table.lines().last().unwrap().starts_with("wall time"), "{table}");
}

#[test]
fn a_panicking_op_leaves_the_profiler_usable() {
    let a = Var::parameter(rand(&[2, 3], 10), "a");
    let b = Var::parameter(rand(&[4, 5], 11), "b");
    let scope = Profiler::start();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.matmul(&b)));
    assert!(caught.is_err(), "[2, 3] x [4, 5] is a shape error");
    let _ = a.exp();
    let report = scope.finish();
    assert_eq!(report.op("exp").unwrap().forward.calls, 1, "the failed region did not swallow later ops");
    assert!(!is_profiling());
}
