//! Loss functions on variables.
//!
//! Each takes the model output as a [`Var`] and the targets as a plain
//! [`Tensor`] (or class indices), and returns a 0-d variable to call
//! `backward` on. [`Reduction`] picks the mean (the usual choice, which
//! makes the learning rate independent of the batch size) or the sum.

use sinapse_autograd::Var;
use sinapse_tensor::{Element, Tensor};

/// How per-example losses are combined into one number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// The average (over all elements for `mse` and the binary
    /// cross-entropies, over the batch for `half_squared_error` and the
    /// categorical ones).
    #[default]
    Mean,
    /// The sum.
    Sum,
}

/// Clamp for probabilities fed to a logarithm (Keras's `epsilon`).
const PROB_EPS: f64 = 1e-7;

#[track_caller]
fn check_same_shape<T: Element>(op: &str, output: &Var<T>, target: &Tensor<T>) {
    assert!(
        output.shape() == target.shape(),
        "{op}: output of shape {:?} and target of shape {:?} must have the same shape",
        output.shape(),
        target.shape()
    );
}

#[track_caller]
fn reduce<T: Element>(per_element: Var<T>, reduction: Reduction) -> Var<T> {
    match reduction {
        Reduction::Mean => per_element.mean_all(),
        Reduction::Sum => per_element.sum_all(),
    }
}

/// Mean squared error: `L = (1/n) sum_i (y_hat_i - y_i)^2` over all `n`
/// elements (or the sum with [`Reduction::Sum`]).
///
/// The course writes the error as `E = 1/2 ||y - y_hat||^2`; `mse` is
/// `(2/n) E`, so both have the same minimiser and their gradients differ
/// only by that factor: `dL/dy_hat = (2/n)(y_hat - y)` versus
/// `dE/dy_hat = y_hat - y`. (With the sum, `L = 2E`.) The course's form,
/// averaged over the batch, is [`half_squared_error`].
///
/// `output` and `target` have the same shape.
#[track_caller]
pub fn mse<T: Element>(output: &Var<T>, target: &Tensor<T>, reduction: Reduction) -> Var<T> {
    check_same_shape("mse", output, target);
    reduce(output.sub(&Var::constant(target.clone())).square(), reduction)
}

/// The course's squared error: `E = (1/B) sum_b 1/2 ||y_b - y_hat_b||^2`,
/// half the squared distance of each example's output to its target, summed
/// over its `K` components (classes), then averaged over the `B` examples
/// ([`Reduction::Mean`]) or summed over them ([`Reduction::Sum`]).
///
/// `output` and `target` have the same shape, `[B, K]` (or `[B]` for one
/// output per example; `[]` is one example). Gradient:
/// `dE/dy_hat_b = (y_hat_b - y_b) / B`, the course's `y_hat - y` per example.
///
/// Against [`mse`], the mean over all `B K` elements: `mse = (2/K) E`. The
/// minimiser is the same, but every gradient of `mse` is `2/K` times that of
/// `E`, so the same steps need the learning rate scaled by `K/2`, and an L2
/// term `lambda/2 ||W||^2` on top means a different `lambda` for each:
/// `lambda_mse = (2/K) lambda_E` gives the same minimiser (and, with the
/// learning rate scaled by `K/2`, the same path). For one output (`K = 1`)
/// `mse = 2E` and `lambda_mse = 2 lambda_E`.
///
/// ```
/// use sinapse_autograd::Var;
/// use sinapse_nn::loss::{half_squared_error, mse};
/// use sinapse_nn::Reduction;
/// use sinapse_tensor::Tensor;
/// // Two examples, K = 2: errors (1, -2) and (0.5, 0).
/// let y_hat = Var::new(Tensor::from_vec(vec![2.0, 0.0, 1.5, 3.0], &[2, 2]).unwrap());
/// let y = Tensor::from_vec(vec![1.0, 2.0, 1.0, 3.0], &[2, 2]).unwrap();
/// let e = half_squared_error(&y_hat, &y, Reduction::Mean);
/// assert_eq!(e.item(), (0.5 * 5.0 + 0.5 * 0.25) / 2.0);
/// // mse = (2/K) E, here with K = 2.
/// assert_eq!(mse(&y_hat, &y, Reduction::Mean).item(), 2.0 / 2.0 * e.item());
/// ```
#[track_caller]
pub fn half_squared_error<T: Element>(output: &Var<T>, target: &Tensor<T>, reduction: Reduction) -> Var<T> {
    check_same_shape("half_squared_error", output, target);
    let total = output.sub(&Var::constant(target.clone())).square().sum_all();
    // The batch is the first axis; a 0-d output is one example.
    let batch = output.shape().first().copied().unwrap_or(1);
    let half = T::from_f64_lossy(0.5);
    match reduction {
        Reduction::Mean => {
            total.mul_scalar(half / T::from_usize(batch.max(1)).expect("batch size fits the float type"))
        }
        Reduction::Sum => total.mul_scalar(half),
    }
}

/// The one-hot encoding of class indices: `[B, num_classes]` with
/// `t[b, classes[b]] = 1` and 0 elsewhere.
///
/// Classes are numbered from 0, so `classes[b]` is in `0..num_classes`:
/// the course numbers them `1..K`, and its class `k` is index `k - 1` here
/// (MNIST's digits are their own indices, 0 to 9). The datasets crate's
/// `one_hot` builds the same rows as a plain `Vec<f32>`, with the same check.
///
/// ```
/// use sinapse_nn::loss::one_hot;
/// let t = one_hot::<f32>(&[3, 0], 4);
/// assert_eq!(t.to_vec(), [0., 0., 0., 1., 1., 0., 0., 0.]);
/// ```
///
/// # Panics
/// When a class index is not below `num_classes`; the message names the
/// function, the label, its index and `num_classes`.
#[track_caller]
pub fn one_hot<T: Element>(classes: &[usize], num_classes: usize) -> Tensor<T> {
    if let Some((b, &c)) = classes.iter().enumerate().find(|&(_, &c)| c >= num_classes) {
        panic!("one_hot: label {c} at index {b} is not below the {num_classes} classes (classes are numbered from 0)");
    }
    Tensor::from_fn(&[classes.len(), num_classes], |i| if classes[i[0]] == i[1] { T::one() } else { T::zero() })
}

#[track_caller]
fn check_logits_2d<T: Element>(op: &str, logits: &Var<T>, batch: usize) {
    assert!(
        logits.shape().len() == 2 && logits.shape()[0] == batch,
        "{op}: output of shape {:?} must be [batch, classes] with batch = {batch} (the number of targets)",
        logits.shape()
    );
}

fn batch_scale<T: Element>(loss_mean: Var<T>, batch: usize, reduction: Reduction) -> Var<T> {
    match reduction {
        Reduction::Mean => loss_mean,
        Reduction::Sum => loss_mean.mul_scalar(T::from_usize(batch).expect("batch size fits the float type")),
    }
}

/// Softmax cross-entropy from logits with class-index targets:
/// `L = -(1/B) sum_b log softmax(z_b)[c_b]`.
///
/// `logits` `[B, C]`, `classes` `B` indices below `C`. Computed in one
/// stable step (no explicit softmax, no `log 0`); the gradient is
/// `(softmax(z) - onehot(c)) / B`.
#[track_caller]
pub fn cross_entropy<T: Element>(logits: &Var<T>, classes: &[usize], reduction: Reduction) -> Var<T> {
    check_logits_2d("cross_entropy", logits, classes.len());
    let targets = one_hot(classes, logits.shape()[1]);
    batch_scale(logits.cross_entropy_with_logits(&targets), classes.len(), reduction)
}

/// Softmax cross-entropy from logits with one-hot or probability targets:
/// `L = -(1/B) sum_b sum_c t_bc log softmax(z_b)_c`.
///
/// `logits` and `targets` are `[B, C]`; each target row sums to 1.
#[track_caller]
pub fn cross_entropy_with_probs<T: Element>(logits: &Var<T>, targets: &Tensor<T>, reduction: Reduction) -> Var<T> {
    check_same_shape("cross_entropy_with_probs", logits, targets);
    check_logits_2d("cross_entropy_with_probs", logits, targets.shape().first().copied().unwrap_or(0));
    batch_scale(logits.cross_entropy_with_logits(targets), targets.shape()[0], reduction)
}

/// Negative log-likelihood from log-probabilities:
/// `L = -(1/B) sum_b log_probs[b, c_b]`.
///
/// `log_probs` `[B, C]` (e.g. from `log_softmax`), `classes` `B` indices.
#[track_caller]
pub fn nll<T: Element>(log_probs: &Var<T>, classes: &[usize], reduction: Reduction) -> Var<T> {
    check_logits_2d("nll", log_probs, classes.len());
    let picked = log_probs.mul(&Var::constant(one_hot(classes, log_probs.shape()[1]))).sum_all().neg();
    match reduction {
        Reduction::Mean => picked.mul_scalar(T::one() / T::from_usize(classes.len().max(1)).expect("fits")),
        Reduction::Sum => picked,
    }
}

/// Binary cross-entropy on probabilities:
/// `L = -(1/n) sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)]`.
///
/// `probs` (e.g. a sigmoid output) and `targets` (in `[0, 1]`) have the same
/// shape. `p` is clamped to `[1e-7, 1 - 1e-7]` first (as Keras does), so a
/// saturated output gives a large finite loss instead of infinity; where the
/// clamp is active the gradient is 0. Prefer
/// [`binary_cross_entropy_with_logits`] on the pre-sigmoid values.
#[track_caller]
pub fn binary_cross_entropy<T: Element>(probs: &Var<T>, targets: &Tensor<T>, reduction: Reduction) -> Var<T> {
    check_same_shape("binary_cross_entropy", probs, targets);
    let eps = T::from_f64_lossy(PROB_EPS);
    let lo = Var::constant(Tensor::scalar(eps));
    let hi = Var::constant(Tensor::scalar(T::one() - eps));
    let p = probs.maximum(&lo).minimum(&hi);
    let y = Var::constant(targets.clone());
    let not_y = Var::constant(targets.map(|t| T::one() - t));
    let log_likelihood = p.ln().mul(&y).add(&p.rsub_scalar(T::one()).ln().mul(&not_y));
    reduce(log_likelihood.neg(), reduction)
}

/// Binary cross-entropy on logits `z` (before the sigmoid), in the stable
/// form `l_i = max(z_i, 0) - z_i y_i + log(1 + e^(-|z_i|))`, equal to
/// `-[y log s(z) + (1 - y) log(1 - s(z))]` without ever forming `s(z)`
/// ([`Var::binary_cross_entropy_with_logits`], then the reduction).
/// Gradient: `dl/dz = s(z) - y`.
///
/// `logits` and `targets` have the same shape.
#[track_caller]
pub fn binary_cross_entropy_with_logits<T: Element>(
    logits: &Var<T>,
    targets: &Tensor<T>,
    reduction: Reduction,
) -> Var<T> {
    check_same_shape("binary_cross_entropy_with_logits", logits, targets);
    reduce(logits.binary_cross_entropy_with_logits(targets), reduction)
}

/// A loss chosen at run time, as Keras's `compile(loss=...)`: every variant
/// takes the model output and a target tensor, and averages (over the batch,
/// or over every element for the element-wise ones, see each function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Loss {
    /// [`mse`]; target shaped like the output.
    MeanSquaredError,
    /// [`half_squared_error`], the course's `1/2 ||y - y_hat||^2` per
    /// example averaged over the batch; target shaped like the output.
    HalfSquaredError,
    /// [`cross_entropy_with_probs`] on logits; one-hot (or any
    /// probability) target `[B, C]` (Keras's
    /// `categorical_crossentropy(from_logits=True)`, the course's
    /// cross-entropy on one-hot labels).
    CategoricalCrossEntropy,
    /// [`cross_entropy`] on logits; target `[B]` holding class indices
    /// (Keras's `sparse_categorical_crossentropy(from_logits=True)`,
    /// PyTorch's `cross_entropy`).
    SparseCategoricalCrossEntropy,
    /// [`nll`] on log-probabilities; target `[B]` holding class indices.
    NegativeLogLikelihood,
    /// [`binary_cross_entropy`] on probabilities; target shaped like the output.
    BinaryCrossEntropy,
    /// [`binary_cross_entropy_with_logits`]; target shaped like the output.
    BinaryCrossEntropyWithLogits,
}

/// Class indices stored as floats in a `[B]` tensor.
#[track_caller]
fn class_indices<T: Element>(targets: &Tensor<T>) -> Vec<usize> {
    assert!(targets.ndim() == 1, "loss: class-index targets must be [batch], got shape {:?}", targets.shape());
    targets
        .to_vec()
        .into_iter()
        .map(|c| {
            let ok = c >= T::zero() && c.fract() == T::zero();
            assert!(ok, "loss: class-index target {c} is not a non-negative integer");
            c.to_usize().expect("non-negative integer")
        })
        .collect()
}

impl Loss {
    /// The mean loss of `output` against `targets`.
    ///
    /// # Panics
    /// When the shapes do not fit the variant (see each variant).
    #[track_caller]
    pub fn compute<T: Element>(&self, output: &Var<T>, targets: &Tensor<T>) -> Var<T> {
        let r = Reduction::Mean;
        match self {
            Loss::MeanSquaredError => mse(output, targets, r),
            Loss::HalfSquaredError => half_squared_error(output, targets, r),
            Loss::CategoricalCrossEntropy => cross_entropy_with_probs(output, targets, r),
            Loss::SparseCategoricalCrossEntropy => cross_entropy(output, &class_indices(targets), r),
            Loss::NegativeLogLikelihood => nll(output, &class_indices(targets), r),
            Loss::BinaryCrossEntropy => binary_cross_entropy(output, targets, r),
            Loss::BinaryCrossEntropyWithLogits => binary_cross_entropy_with_logits(output, targets, r),
        }
    }
}
