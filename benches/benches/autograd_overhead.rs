//! The per-operation cost of recording and differentiating a graph.
//!
//! A chain of 100 element-wise operations on a tiny tensor (`[1]` or `[4]`)
//! does almost no arithmetic, so the time is the bookkeeping: a node per
//! operation (id, `Arc`, boxed backward closure, caller location), the
//! thread-local checks of grad and anomaly mode, and in backward the
//! topological sort, the gradient map and one backward closure per node.
//! Each group reports throughput in "elements" that are operations, so
//! criterion's `time / 100` is the cost of one operation.
//!
//! - `no_grad_forward`: tensor arithmetic only (the baseline);
//! - `recorded_forward`: the same chain recorded into a graph;
//! - `forward_backward`: recorded forward, then `backward()`.
//!
//! ```text
//! cargo bench -p sinapse-benches --bench autograd_overhead -- --warm-up-time 1 --measurement-time 3
//! ```

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sinapse_autograd::{no_grad, Var};
use sinapse_tensor::Tensor;

use sinapse_benches::{op_chain as chain, CHAIN_OPS as OPS};

fn autograd_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("autograd_chain_100_ops");
    group.throughput(Throughput::Elements(OPS as u64));
    for n in [1usize, 4] {
        let x = Var::parameter(Tensor::<f32>::full(&[n], 0.5), "x");
        group.bench_with_input(BenchmarkId::new("no_grad_forward", n), &n, |b, _| {
            b.iter(|| no_grad(|| black_box(chain(&x))));
        });
        group.bench_with_input(BenchmarkId::new("recorded_forward", n), &n, |b, _| {
            b.iter(|| black_box(chain(&x)));
        });
        group.bench_with_input(BenchmarkId::new("forward_backward", n), &n, |b, _| {
            b.iter(|| black_box(chain(&x).sum_all().backward()));
        });
    }
    group.finish();
}

criterion_group!(benches, autograd_overhead);
criterion_main!(benches);
