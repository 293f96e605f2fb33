//! Metrics reported beside the loss, as Keras's `compile(metrics=[...])`.

use sinapse_tensor::{Element, Tensor};

/// A quantity measured on every batch and averaged over the examples of an
/// epoch (or of an evaluation), reported under [`Metric::name`] (and
/// `val_<name>` on validation data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// The fraction of examples whose predicted class is the target class:
    /// `acc = (1/N) sum_n [argmax_c y_hat[n, c] = c_n]`.
    ///
    /// The target class `c_n` is read from a one-hot (or probability) row
    /// `[N, C]` by its argmax, or taken directly from class indices `[N]`.
    /// With a single output column (`[N, 1]`, binary classification) the
    /// prediction is `y_hat > 0.5` for probabilities, `y_hat > 0` for logits
    /// (see [`Metric::correct`]), and the target is `y > 0.5`.
    Accuracy,
}

impl Metric {
    /// The name used in logs, [`History`](crate::History) and monitors:
    /// `"accuracy"`.
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
        }
    }

    /// The metric's sum over one batch (the number of correct predictions
    /// for [`Metric::Accuracy`]); divided by the number of examples it gives
    /// the average. `logits` says whether a single output column holds
    /// logits (threshold 0) rather than probabilities (threshold 0.5).
    ///
    /// # Panics
    /// When `output` is not `[B, C]`, or the target is neither `[B]` nor
    /// `[B, C]`.
    #[track_caller]
    pub fn correct<T: Element>(&self, output: &Tensor<T>, target: &Tensor<T>, logits: bool) -> f64 {
        match self {
            Metric::Accuracy => accuracy_count(output, target, logits) as f64,
        }
    }
}

/// Class index of each row: argmax for `[B, C]`, the value for `[B]`.
#[track_caller]
fn target_classes<T: Element>(target: &Tensor<T>, batch: usize, classes: usize) -> Vec<usize> {
    match target.shape() {
        [b] if *b == batch => target
            .to_vec()
            .into_iter()
            .map(|c| {
                assert!(c >= T::zero() && c.fract() == T::zero(), "accuracy: class index {c} is not an integer >= 0");
                c.to_usize().expect("non-negative integer")
            })
            .collect(),
        [b, c] if *b == batch && *c == classes => target.argmax(1),
        other => panic!("accuracy: targets of shape {other:?} do not fit outputs [{batch}, {classes}]: use [batch] class indices or [batch, {classes}] one-hot rows"),
    }
}

#[track_caller]
fn accuracy_count<T: Element>(output: &Tensor<T>, target: &Tensor<T>, logits: bool) -> usize {
    let [batch, classes] = *output.shape() else {
        panic!("accuracy: outputs must be [batch, classes], got {:?}", output.shape());
    };
    if classes == 1 {
        let threshold = if logits { T::zero() } else { T::from_f64_lossy(0.5) };
        let half = T::from_f64_lossy(0.5);
        assert_eq!(target.numel(), batch, "accuracy: {batch} binary outputs but targets of shape {:?}", target.shape());
        return output.to_vec().iter().zip(target.to_vec()).filter(|&(&o, t)| (o > threshold) == (t > half)).count();
    }
    let predicted = output.argmax(1);
    let truth = target_classes(target, batch, classes);
    predicted.iter().zip(&truth).filter(|(p, t)| p == t).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32], shape: &[usize]) -> Tensor<f32> {
        Tensor::from_vec(v.to_vec(), shape).unwrap()
    }

    #[test]
    fn accuracy_reads_one_hot_and_index_targets_alike() {
        let out = t(&[0.1, 0.9, 0.8, 0.2, 0.3, 0.7], &[3, 2]); // predicts 1, 0, 1
        let one_hot = t(&[0.0, 1.0, 0.0, 1.0, 0.0, 1.0], &[3, 2]); // classes 1, 1, 1
        let index = t(&[1.0, 1.0, 1.0], &[3]);
        assert_eq!(Metric::Accuracy.correct(&out, &one_hot, false), 2.0);
        assert_eq!(Metric::Accuracy.correct(&out, &index, false), 2.0);
    }

    #[test]
    fn binary_accuracy_thresholds_by_output_kind() {
        let out = t(&[0.4, 0.6, -0.2], &[3, 1]);
        let y = t(&[1.0, 1.0, 0.0], &[3, 1]);
        assert_eq!(Metric::Accuracy.correct(&out, &y, false), 2.0); // 0.4 -> 0 wrong, 0.6 -> 1, -0.2 -> 0
        assert_eq!(Metric::Accuracy.correct(&out, &y, true), 3.0); // 0.4 > 0 -> 1
    }

    #[test]
    #[should_panic(expected = "do not fit outputs")]
    fn mismatched_targets_are_named() {
        Metric::Accuracy.correct(&t(&[0.0; 6], &[3, 2]), &t(&[0.0; 9], &[3, 3]), false);
    }
}
