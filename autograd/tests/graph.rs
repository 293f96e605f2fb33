//! The recorded graph: what backward frees, how shared inputs accumulate,
//! and the switches around it (`no_grad`, `detach`, retained intermediates,
//! explicit output gradients).

use sinapse_autograd::{is_grad_enabled, no_grad, BackwardOptions, NoGradGuard, Var};
use sinapse_autograd::{Cost, OpDef};
use sinapse_tensor::Tensor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

/// The descriptor of `tagged`.
static TAGGED: OpDef = OpDef { name: "tagged", forward: "x", backward: "dx = g (recorded)", cost: Cost::View };
/// The descriptor of `probe`.
static PROBE: OpDef = OpDef { name: "probe", forward: "x", backward: "dx = g (recorded)", cost: Cost::View };

fn vector(v: &[f64]) -> Tensor<f64> {
    Tensor::from_vec(v.to_vec(), &[v.len()]).unwrap()
}

/// The identity, whose backward closure owns `sentinel`: the sentinel lives
/// exactly as long as this node of the graph.
fn tagged(x: &Var<f64>, sentinel: Arc<()>) -> Var<f64> {
    Var::from_op(
        &TAGGED,
        &[x],
        || x.value().clone(),
        move |_, g, _| {
            let _owned = &sentinel;
            vec![Some(g.clone())]
        },
    )
}

/// The identity, whose backward records how many strong handles `watched`
/// has at the moment it runs.
fn probe(x: &Var<f64>, watched: Weak<()>, seen: Arc<AtomicUsize>) -> Var<f64> {
    Var::from_op(
        &PROBE,
        &[x],
        || x.value().clone(),
        move |_, g, _| {
            seen.store(watched.strong_count(), Ordering::SeqCst);
            vec![Some(g.clone())]
        },
    )
}

#[test]
fn backward_frees_the_graph() {
    let sentinel = Arc::new(());
    let x = Var::new(vector(&[1.0, -2.0]));
    let loss = tagged(&x.exp(), sentinel.clone()).square().sum_all();
    assert_eq!(Arc::strong_count(&sentinel), 2, "the graph holds the sentinel");
    let grads = loss.backward();
    assert_eq!(Arc::strong_count(&sentinel), 1, "backward consumed the loss and freed the graph");
    assert!(grads.get(&x).is_some());
}

#[test]
fn nodes_are_freed_during_backward_as_soon_as_they_have_run() {
    // x -> probe -> tagged -> square -> sum: `tagged` runs its backward before
    // `probe`, and must already be gone when `probe`'s backward runs.
    let sentinel = Arc::new(());
    let seen = Arc::new(AtomicUsize::new(usize::MAX));
    let x = Var::new(vector(&[0.5, 1.5, -1.0]));
    let low = probe(&x, Arc::downgrade(&sentinel), seen.clone());
    let loss = tagged(&low, sentinel.clone()).square().sum_all();
    drop(low);
    loss.backward();
    assert_eq!(seen.load(Ordering::SeqCst), 1, "only the test's own handle was left when probe's backward ran");
}

#[test]
fn a_kept_handle_keeps_its_part_of_the_graph() {
    let sentinel = Arc::new(());
    let x = Var::new(vector(&[1.0]));
    let kept = tagged(&x, sentinel.clone());
    kept.square().sum_all().backward();
    assert_eq!(Arc::strong_count(&sentinel), 2, "`kept` still refers to its node");
    drop(kept);
    assert_eq!(Arc::strong_count(&sentinel), 1);
}

#[test]
fn diamond_graph_accumulates_every_path() {
    // c = e^x * x^2 + x: x reaches c along three paths.
    let xs = [-1.5, 0.0, 0.7, 2.0];
    let x = Var::new(vector(&xs));
    let c = x.exp().mul(&x.square()).add(&x);
    let grads = c.sum_all().backward();
    let got = grads.get(&x).unwrap().to_vec();
    for (g, &x) in got.iter().zip(&xs) {
        let expected = x.exp() * x * x + x.exp() * 2.0 * x + 1.0;
        assert!((g - expected).abs() < 1e-12, "at {x}: {g} vs {expected}");
    }
}

#[test]
fn the_same_leaf_used_twice_in_one_op() {
    let x = Var::new(vector(&[-3.0, 0.5, 4.0]));
    assert_eq!(x.mul(&x).sum_all().backward().get(&x).unwrap().to_vec(), vec![-6.0, 1.0, 8.0]);
    assert_eq!(x.add(&x).sum_all().backward().get(&x).unwrap().to_vec(), vec![2.0, 2.0, 2.0]);
    assert_eq!(x.sub(&x).sum_all().backward().get(&x).unwrap().to_vec(), vec![0.0, 0.0, 0.0]);
}

#[test]
fn no_grad_records_nothing() {
    let w = Var::parameter(vector(&[1.0, 2.0]), "w");
    assert!(is_grad_enabled());
    let y = no_grad(|| {
        assert!(!is_grad_enabled());
        w.mul(&w).exp().sum_all()
    });
    assert!(!y.requires_grad() && y.is_leaf() && y.op_name().is_none() && y.inputs().is_empty());
    assert!(y.backward().is_empty(), "nothing to differentiate");
    assert!(is_grad_enabled(), "recording resumes after no_grad");

    {
        let _outer = NoGradGuard::new();
        {
            let _inner = NoGradGuard::new();
        }
        assert!(!is_grad_enabled(), "an inner guard restores the outer setting");
        assert!(!w.square().requires_grad());
    }
    let z = w.square();
    assert!(z.requires_grad() && z.op_name() == Some("square"));
}

#[test]
fn detach_stops_gradients() {
    let x = Var::new(vector(&[2.0, -1.0]));
    let d = x.detach();
    assert!(!d.requires_grad() && d.is_leaf());
    assert_eq!(d.value().to_vec(), x.value().to_vec());
    // y = x * stop(x): dy/dx = stop(x), not 2x.
    let grads = x.mul(&d).sum_all().backward();
    assert_eq!(grads.get(&x).unwrap().to_vec(), vec![2.0, -1.0]);
    assert!(grads.get(&d).is_none());
}

#[test]
fn intermediate_gradients_on_request() {
    let x = Var::new(vector(&[0.0, 1.0]));
    let h = x.exp();
    let loss = || h.mul_scalar(3.0).sum_all();
    let plain = loss().backward();
    assert!(plain.get(&h).is_none(), "intermediates are not kept by default");
    assert!(plain.get(&x).is_some(), "leaves always are");

    let opts = BackwardOptions { retain: vec![h.id()], ..Default::default() };
    let grads = loss().backward_with_options(Tensor::scalar(1.0), &opts);
    assert_eq!(grads.get(&h).unwrap().to_vec(), vec![3.0, 3.0]);
    assert_eq!(grads.get_by_id(h.id()).unwrap().to_vec(), vec![3.0, 3.0]);
    let e = std::f64::consts::E;
    assert_eq!(grads.get(&x).unwrap().to_vec(), vec![3.0, 3.0 * e]);
}

#[test]
fn backward_with_computes_the_vector_jacobian_product() {
    // y = tanh(A x), y in R^3, x in R^4: backward_with(v) = J^T v.
    let a = Tensor::from_fn(&[3, 4], |i| 0.3 * i[0] as f64 - 0.2 * i[1] as f64 + 0.1);
    let x0 = vector(&[0.5, -1.0, 0.25, 2.0]);
    let v = vector(&[1.0, -2.0, 0.5]);
    let f = |x: &Tensor<f64>| a.matmul(x).tanh();
    let x = Var::new(x0.clone());
    let y = Var::constant(a.clone()).matmul(&x).tanh();
    assert_eq!(y.shape(), &[3]);
    let vjp = y.backward_with(v.clone()).get(&x).unwrap().to_vec();

    // J^T v with J from central differences, column by column.
    let eps = 1e-6;
    for (j, &got) in vjp.iter().enumerate() {
        let mut plus = x0.to_vec();
        let mut minus = x0.to_vec();
        plus[j] += eps;
        minus[j] -= eps;
        let column = f(&vector(&plus)).sub(&f(&vector(&minus))).mul_scalar(1.0 / (2.0 * eps));
        let expected = column.mul(&v).sum_all();
        assert!((got - expected).abs() < 1e-8, "component {j}: {got} vs {expected}");
    }

    // Element-wise: d(x^2) with seed v is 2 x v exactly.
    let x = Var::new(Tensor::from_vec(vec![1.0, -2.0, 3.0, 0.5, 0.0, -1.0], &[2, 3]).unwrap());
    let seed = Tensor::from_vec(vec![1.0, 2.0, 3.0, -1.0, 5.0, 0.5], &[2, 3]).unwrap();
    let g = x.square().backward_with(seed).get(&x).unwrap().to_vec();
    assert_eq!(g, vec![2.0, -8.0, 18.0, -1.0, 0.0, -1.0]);
}

#[test]
fn backward_of_a_non_scalar_without_a_seed_panics_with_the_shape() {
    let x = Var::new(vector(&[1.0, 2.0]));
    let y = x.square();
    let Err(err) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| y.backward())) else {
        panic!("backward of a [2] output must panic");
    };
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("[2]") && msg.contains("backward_with"), "message: {msg}");
}
