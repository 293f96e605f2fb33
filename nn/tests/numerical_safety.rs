//! Numerical safety: losses and their gradients stay finite for logits of
//! magnitude 1e4 and for saturated sigmoids, because every softmax and
//! cross-entropy goes through log-sum-exp and the sigmoid never overflows.

use sinapse_nn::prelude::*;
use sinapse_tensor::Tensor;

fn all_finite(t: &Tensor<f32>) -> bool {
    t.to_vec().iter().all(|v| v.is_finite())
}

#[test]
fn cross_entropy_with_huge_logits_has_finite_loss_and_gradient() {
    let logits = Var::new(Tensor::<f32>::from_vec(vec![1e4, -1e4, 0.0, -1e4, 1e4, 5e3], &[2, 3]).unwrap());
    // Right class for row 0 (loss ~0), badly wrong class for row 1 (loss ~1.5e4).
    let loss = cross_entropy(&logits, &[0, 0], Reduction::Mean);
    let value = loss.item();
    assert!(value.is_finite(), "loss {value}");
    assert!((value - 1e4).abs() < 1.0, "mean of 0 and 2e4 should be ~1e4, got {value}");
    let grads = loss.backward();
    let g = grads.get(&logits).unwrap();
    assert!(all_finite(g), "{g:?}");
    // softmax - onehot, divided by the batch of 2: row 1 puts all its mass on class 1.
    let v = g.to_vec();
    assert!((v[3] + 0.5).abs() < 1e-6 && (v[4] - 0.5).abs() < 1e-6, "{v:?}");
}

#[test]
fn log_softmax_and_nll_with_huge_logits_are_finite() {
    let logits = Var::new(Tensor::<f32>::from_vec(vec![-1e4, 1e4, 3.0, 1e4], &[2, 2]).unwrap());
    let loss = nll(&logits.log_softmax(1), &[0, 1], Reduction::Sum);
    assert!(loss.item().is_finite());
    let grads = loss.backward();
    assert!(all_finite(grads.get(&logits).unwrap()));
}

#[test]
fn saturated_sigmoids_give_finite_losses_and_gradients() {
    let z = Var::new(Tensor::<f32>::from_vec(vec![-1e4, -50.0, 0.0, 50.0, 1e4], &[5, 1]).unwrap());
    let target = Tensor::<f32>::from_vec(vec![1.0, 0.0, 1.0, 1.0, 0.0], &[5, 1]).unwrap();
    // Squared error on a saturated sigmoid: the gradient vanishes but stays finite.
    let mse_loss = mse(&z.sigmoid(), &target, Reduction::Mean);
    assert!(mse_loss.item().is_finite());
    let g = mse_loss.backward();
    assert!(all_finite(g.get(&z).unwrap()));
    // Binary cross-entropy from logits: gradient s(z) - y, exactly finite.
    let bce = binary_cross_entropy_with_logits(&z, &target, Reduction::Mean);
    assert!(bce.item().is_finite(), "{}", bce.item());
    let g = bce.backward();
    let v = g.get(&z).unwrap().to_vec();
    assert!(v.iter().all(|x| x.is_finite()));
    assert!((v[0] + 0.2).abs() < 1e-6 && (v[4] - 0.2).abs() < 1e-6, "{v:?}");
    // Binary cross-entropy on probabilities clamps them away from 0 and 1.
    let bce_p = binary_cross_entropy(&z.sigmoid(), &target, Reduction::Mean);
    assert!(bce_p.item().is_finite());
    let g = bce_p.backward();
    assert!(all_finite(g.get(&z).unwrap()));
}

#[test]
fn softplus_layer_is_finite_for_huge_inputs_and_its_slope_is_the_sigmoid() {
    let x = Var::new(Tensor::<f32>::from_vec(vec![-1e4, -3.0, 0.0, 3.0, 1e4], &[5]).unwrap());
    let y = Activation::Softplus.forward(&x);
    assert_eq!(y.value().to_vec(), x.value().softplus().to_vec());
    assert!(all_finite(y.value()));
    let g = y.sum_all().backward();
    assert_eq!(g.get(&x).unwrap().to_vec(), x.value().sigmoid().to_vec());
}
