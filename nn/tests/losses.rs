//! Loss values against hand computations, and their gradients against
//! finite differences.

use approx::assert_relative_eq;
use sinapse_autograd::{gradcheck, Var};
use sinapse_nn::loss::*;
use sinapse_nn::{Loss, Reduction};
use sinapse_tensor::{seeded_rng, Tensor};

fn t(data: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::from_vec(data.to_vec(), shape).unwrap()
}

#[test]
fn mse_by_hand_and_its_relation_to_the_course_error() {
    // y_hat - y = [1, -2, 0.5, 0]: squares 1 + 4 + 0.25 + 0 = 5.25.
    let y_hat = Var::new(t(&[2.0, 0.0, 1.5, 3.0], &[2, 2]));
    let y = t(&[1.0, 2.0, 1.0, 3.0], &[2, 2]);
    assert_relative_eq!(mse(&y_hat, &y, Reduction::Mean).item(), 5.25 / 4.0);
    assert_relative_eq!(mse(&y_hat, &y, Reduction::Sum).item(), 5.25);
    // Course: E = 1/2 ||y - y_hat||^2, dE/dy_hat = y_hat - y; mse's gradient is (2/n) of that.
    let g = mse(&y_hat, &y, Reduction::Mean).backward();
    let expected: Vec<f64> = [1.0, -2.0, 0.5, 0.0].iter().map(|d| 2.0 / 4.0 * d).collect();
    assert_eq!(g.get(&y_hat).unwrap().to_vec(), expected);
}

#[test]
fn cross_entropy_by_hand() {
    // Row 0: logits [0, ln 3] -> softmax [1/4, 3/4], class 1: -ln(3/4).
    // Row 1: logits [0, 0]    -> softmax [1/2, 1/2], class 0: -ln(1/2).
    let z = Var::new(t(&[0.0, 3f64.ln(), 0.0, 0.0], &[2, 2]));
    let expected = (-(0.75f64).ln() - 0.5f64.ln()) / 2.0;
    let l = cross_entropy(&z, &[1, 0], Reduction::Mean);
    assert_relative_eq!(l.item(), expected, epsilon = 1e-15);
    assert_relative_eq!(cross_entropy(&z, &[1, 0], Reduction::Sum).item(), 2.0 * expected, epsilon = 1e-15);
    let probs = cross_entropy_with_probs(&z, &one_hot(&[1, 0], 2), Reduction::Mean);
    assert_relative_eq!(probs.item(), expected, epsilon = 1e-15);
    // Gradient: (softmax - onehot) / B.
    let g = l.backward();
    let dz = g.get(&z).unwrap().to_vec();
    let want = [0.25 / 2.0, -0.25 / 2.0, -0.5 / 2.0, 0.5 / 2.0];
    for (a, b) in dz.iter().zip(want) {
        assert_relative_eq!(*a, b, epsilon = 1e-15);
    }
    // nll of log_softmax is the same loss.
    let n = nll(&z.log_softmax(1), &[1, 0], Reduction::Mean);
    assert_relative_eq!(n.item(), expected, epsilon = 1e-15);
}

#[test]
fn binary_cross_entropy_by_hand_and_stable_forms() {
    // p = [0.8, 0.4], y = [1, 0]: -(ln 0.8 + ln 0.6) / 2.
    let p = Var::new(t(&[0.8, 0.4], &[2]));
    let y = t(&[1.0, 0.0], &[2]);
    let expected = -(0.8f64.ln() + 0.6f64.ln()) / 2.0;
    assert_relative_eq!(binary_cross_entropy(&p, &y, Reduction::Mean).item(), expected, epsilon = 1e-15);

    // Saturated probabilities stay finite thanks to the 1e-7 clamp: -ln(1e-7) ~ 16.1.
    let sat = Var::new(t(&[0.0, 1.0], &[2]));
    let l = binary_cross_entropy(&sat, &y, Reduction::Sum);
    assert_relative_eq!(l.item(), -2.0 * 1e-7f64.ln(), epsilon = 1e-9);
    assert!(l.backward().get(&sat).unwrap().all_finite());

    // With logits: equal to bce(sigmoid(z)) for moderate z, finite for huge |z|.
    let z = Var::new(t(&[-3.0, -0.5, 0.0, 2.0], &[4]));
    let yz = t(&[0.0, 1.0, 1.0, 0.3], &[4]);
    let direct = binary_cross_entropy(&z.sigmoid(), &yz, Reduction::Mean).item();
    let stable = binary_cross_entropy_with_logits(&z, &yz, Reduction::Mean);
    assert_relative_eq!(stable.item(), direct, epsilon = 1e-12);
    // d/dz = (sigmoid(z) - y) / n, also at z = 0 where |z| has a kink.
    let dz = stable.backward().get(&z).unwrap().to_vec();
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    for (i, (&zi, &yi)) in [-3.0, -0.5, 0.0, 2.0].iter().zip(&[0.0, 1.0, 1.0, 0.3]).enumerate() {
        assert_relative_eq!(dz[i], (sig(zi) - yi) / 4.0, epsilon = 1e-15);
    }
    let big = Var::new(t(&[100.0, -100.0], &[2]));
    let lb = binary_cross_entropy_with_logits(&big, &t(&[0.0, 1.0], &[2]), Reduction::Sum);
    assert_relative_eq!(lb.item(), 200.0, epsilon = 1e-9);
}

#[test]
fn loss_enum_dispatches() {
    let z = Var::constant(t(&[0.3, -1.0, 2.0, 0.1, 0.0, 0.5], &[2, 3]));
    let classes = t(&[2.0, 0.0], &[2]);
    let a = Loss::SparseCategoricalCrossEntropy.compute(&z, &classes).item();
    let b = Loss::CategoricalCrossEntropy.compute(&z, &one_hot(&[2, 0], 3)).item();
    assert_relative_eq!(a, b, epsilon = 1e-15);
    assert_relative_eq!(Loss::NegativeLogLikelihood.compute(&z.log_softmax(1), &classes).item(), a, epsilon = 1e-15);
    let y = t(&[0.0; 6], &[2, 3]);
    assert_relative_eq!(Loss::MeanSquaredError.compute(&z, &y).item(), mse(&z, &y, Reduction::Mean).item());
}

#[test]
#[should_panic(expected = "loss: class-index target 1.5 is not a non-negative integer")]
fn fractional_class_index_is_refused() {
    let z = Var::constant(t(&[0.0; 4], &[2, 2]));
    Loss::SparseCategoricalCrossEntropy.compute(&z, &t(&[1.5, 0.0], &[2]));
}

#[test]
#[should_panic(expected = "one_hot: label 3 at index 1 is not below the 3 classes (classes are numbered from 0)")]
fn class_out_of_range_is_refused() {
    cross_entropy(&Var::constant(t(&[0.0; 6], &[2, 3])), &[0, 3], Reduction::Mean);
}

#[test]
fn gradients_match_finite_differences() {
    let mut rng = seeded_rng(11);
    let z = Tensor::<f64>::rand_uniform(&[3, 4], -2.0, 2.0, &mut rng);
    let p = Tensor::<f64>::rand_uniform(&[3, 4], 0.05, 0.95, &mut rng);
    let y = Tensor::<f64>::rand_uniform(&[3, 4], 0.0, 1.0, &mut rng);
    let opts = Default::default();
    for r in [Reduction::Mean, Reduction::Sum] {
        gradcheck(|v| mse(&v[0], &y, r), std::slice::from_ref(&z), &opts).unwrap();
        gradcheck(|v| cross_entropy(&v[0], &[0, 3, 1], r), std::slice::from_ref(&z), &opts).unwrap();
        gradcheck(|v| cross_entropy_with_probs(&v[0], &p.softmax(1), r), std::slice::from_ref(&z), &opts).unwrap();
        gradcheck(|v| nll(&v[0].log_softmax(1), &[2, 2, 0], r), std::slice::from_ref(&z), &opts).unwrap();
        gradcheck(|v| binary_cross_entropy(&v[0], &y, r), std::slice::from_ref(&p), &opts).unwrap();
        gradcheck(|v| binary_cross_entropy_with_logits(&v[0], &y, r), std::slice::from_ref(&z), &opts).unwrap();
    }
}

/// The course numbers classes 1..K, Sinapse 0..K-1: the course's class K
/// is out of range, with a message naming the function, the label, its
/// index and K.
#[test]
fn one_hot_labels_course_classes_are_numbered_from_zero() {
    let rows = one_hot::<f64>(&[0, 9], 10).to_vec();
    assert_eq!(rows[0], 1.0, "class 0 is the first column");
    assert_eq!(rows[10 + 9], 1.0, "class 9 is the last of 10");
    assert_eq!(rows.iter().sum::<f64>(), 2.0);
    let err = std::panic::catch_unwind(|| one_hot::<f64>(&[3, 10, 1], 10)).unwrap_err();
    let message = err.downcast_ref::<String>().expect("a formatted message");
    assert_eq!(message, "one_hot: label 10 at index 1 is not below the 10 classes (classes are numbered from 0)");
}
