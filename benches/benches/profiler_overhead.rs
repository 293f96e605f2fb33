//! What the op profiler costs, off and on.
//!
//! The same 100-operation chain as `autograd_overhead` (add_scalar,
//! mul_scalar, tanh, mul on a `[1]` tensor, so the time is bookkeeping, the
//! worst case for any per-operation overhead), run
//!
//! - `off`: with the profiler compiled in but no scope open, which costs one
//!   thread-local flag read per operation and per backward rule; compare
//!   with `autograd_overhead` on a build without the profiler for the
//!   price of "compiled in";
//! - `on`: inside a [`Profiler`] scope, which times every operation and
//!   backward rule and tallies it per operation name.
//!
//! Throughput is in operations, so criterion's `time / 100` is the cost of
//! one operation.
//!
//! ```text
//! cargo bench -p sinapse-benches --bench profiler_overhead -- --warm-up-time 1 --measurement-time 3
//! ```

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sinapse_autograd::{Profiler, Var};
use sinapse_tensor::Tensor;

use sinapse_benches::{op_chain as chain, CHAIN_OPS as OPS};

fn profiler_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("profiler_chain_100_ops");
    group.throughput(Throughput::Elements(OPS as u64));
    let x = Var::parameter(Tensor::<f32>::full(&[1], 0.5), "x");
    for profiling in [false, true] {
        let label = if profiling { "on" } else { "off" };
        // The scope stays open across criterion's iterations: its tallies
        // are a handful of per-name counters that do not grow.
        let scope = profiling.then(Profiler::start);
        group.bench_with_input(BenchmarkId::new("recorded_forward", label), &profiling, |b, _| {
            b.iter(|| black_box(chain(&x)));
        });
        group.bench_with_input(BenchmarkId::new("forward_backward", label), &profiling, |b, _| {
            b.iter(|| black_box(chain(&x).sum_all().backward()));
        });
        if let Some(scope) = scope {
            let report = scope.finish();
            assert!(report.op("tanh").is_some_and(|s| s.forward.calls > 0 && s.backward.calls > 0));
        }
    }
    group.finish();
}

criterion_group!(benches, profiler_overhead);
criterion_main!(benches);
