//! A 100,000-node graph must neither overflow the stack in `backward` nor
//! when it is dropped, on a thread with the default 2 MiB stack (the main
//! test thread may have more, so each test spawns its own).

use sinapse_autograd::Var;
use sinapse_tensor::Tensor;

const NODES: usize = 100_000;
const STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a fresh thread with a 2 MiB stack and returns its result.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new().stack_size(STACK).spawn(f).expect("spawn").join().expect("thread panicked")
}

/// `x -> ((x + 0.5) * 1) + 0.5 ...`: `NODES` recorded operations on a [4] tensor.
fn long_chain(x: &Var<f64>) -> Var<f64> {
    let mut y = x.clone();
    for i in 0..NODES {
        y = if i % 2 == 0 { y.add_scalar(0.5) } else { y.mul_scalar(1.0) };
    }
    y
}

#[test]
fn backward_through_a_100k_node_chain() {
    let grad = on_small_stack(|| {
        let x = Var::new(Tensor::<f64>::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4]).unwrap());
        let y = long_chain(&x);
        assert_eq!(y.value().to_vec(), vec![25_001.0, 25_002.0, 25_003.0, 25_004.0]);
        let grads = y.sum_all().backward();
        grads.get(&x).expect("x reached").to_vec()
    });
    assert_eq!(grad, vec![1.0; 4]);
}

#[test]
fn backward_consuming_a_100k_node_chain() {
    let grad = on_small_stack(|| {
        let x = Var::new(Tensor::<f64>::scalar(2.0));
        // No handle to the chain survives: backward frees it node by node.
        let grads = long_chain(&x).square().backward();
        grads.get(&x).expect("x reached").item()
    });
    // d/dx (x + 25000)^2 = 2 (x + 25000)
    assert_eq!(grad, 50_004.0);
}

#[test]
fn dropping_a_100k_node_chain_without_backward() {
    let (value, x_alone) = on_small_stack(|| {
        let x = Var::new(Tensor::<f64>::scalar(0.0));
        let y = long_chain(&x);
        let value = y.item();
        drop(y);
        // Every node is gone: the leaf is referenced by nothing but `x`.
        (value, x.inputs().is_empty() && x.is_leaf())
    });
    assert_eq!(value, 25_000.0);
    assert!(x_alone);
}
