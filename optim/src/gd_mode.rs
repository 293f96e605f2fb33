//! The course's three regimes of gradient descent, and gradient
//! accumulation over chunks.
//!
//! - **Batch**: one update per epoch, from the gradient over the whole
//!   training set. The course accumulates `Delta W = sum_p dE_p/dW` example by
//!   example and applies it at the end; here the set is cut into chunks of
//!   bounded size whose gradients are summed, so memory stays bounded.
//! - **Stochastic**: one update per example.
//! - **Minibatch(B)**: one update per `B` examples.

use sinapse_autograd::{Gradients, Var};
use sinapse_tensor::Element;
use std::ops::Range;

/// How many examples each update sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GdMode {
    /// The whole training set per update (one update per epoch).
    Batch,
    /// One example per update.
    Stochastic,
    /// `B` examples per update.
    Minibatch(usize),
}

/// One parameter update of an epoch: which examples it uses, and the chunks
/// they are processed in (forward and backward run chunk by chunk, and the
/// gradients are accumulated before the update).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// Positions (in the epoch's, possibly shuffled, order) used by this update.
    pub examples: Range<usize>,
    /// `examples` cut into consecutive pieces of at most `max_chunk`.
    pub chunks: Vec<Range<usize>>,
}

impl GdMode {
    /// Examples per update for a training set of `n` examples.
    ///
    /// # Panics
    /// For `Minibatch(0)`.
    #[track_caller]
    pub fn batch_size(&self, n: usize) -> usize {
        match *self {
            GdMode::Batch => n,
            GdMode::Stochastic => 1,
            GdMode::Minibatch(b) => {
                assert!(b > 0, "GdMode::Minibatch: the batch size must be at least 1");
                b
            }
        }
    }

    /// Updates per epoch over `n` examples: `ceil(n / B)`, or `floor(n / B)`
    /// when `drop_last` discards a final partial batch. (1,000 examples:
    /// batch 1, stochastic 1,000, minibatch 64 gives 16, or 15 with `drop_last`.)
    pub fn updates_per_epoch(&self, n: usize, drop_last: bool) -> usize {
        if n == 0 {
            return 0;
        }
        let b = self.batch_size(n);
        if drop_last {
            n / b
        } else {
            n.div_ceil(b)
        }
    }

    /// The updates of one epoch over `n` examples, each cut into chunks of at
    /// most `max_chunk` examples (the memory bound: one chunk's activations
    /// are alive at a time).
    ///
    /// # Panics
    /// When `max_chunk` is 0 (or for `Minibatch(0)`).
    #[track_caller]
    pub fn plan_epoch(&self, n: usize, drop_last: bool, max_chunk: usize) -> Vec<Update> {
        assert!(max_chunk > 0, "GdMode::plan_epoch: max_chunk must be at least 1");
        let b = self.batch_size(n).max(1);
        (0..self.updates_per_epoch(n, drop_last))
            .map(|u| {
                let examples = u * b..((u + 1) * b).min(n);
                let chunks =
                    examples.clone().step_by(max_chunk).map(|s| s..(s + max_chunk).min(examples.end)).collect();
                Update { examples, chunks }
            })
            .collect()
    }
}

/// Accumulates the gradient of a mean loss over several chunks, so that one
/// update on a large batch needs the memory of one chunk only.
///
/// `chunk_loss(range)` must return the **mean** loss over the examples in
/// `range`. With `N` the total number of examples, each chunk's loss is
/// weighted by `len / N` before its backward pass and the gradients are
/// summed ([`Gradients::accumulate`]):
/// `dL/dW = sum_c (n_c / N) dL_c/dW`, the gradient of the mean over all `N`
/// examples (up to rounding). Returns that mean loss and the gradients.
///
/// # Panics
/// When `chunks` holds no examples.
#[track_caller]
pub fn accumulate_gradients<T: Element>(
    chunks: &[Range<usize>],
    mut chunk_loss: impl FnMut(Range<usize>) -> Var<T>,
) -> (T, Gradients<T>) {
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    assert!(total > 0, "accumulate_gradients: the chunks {chunks:?} hold no examples");
    let mut grads = Gradients::new();
    let mut loss = T::zero();
    for chunk in chunks.iter().filter(|c| !c.is_empty()) {
        let weight = T::from_usize(chunk.len()).expect("fits") / T::from_usize(total).expect("fits");
        let l = chunk_loss(chunk.clone());
        loss += weight * l.item();
        // Scaling the scalar loss scales every gradient of this chunk, at
        // the cost of one multiplication.
        grads.accumulate(l.mul_scalar(weight).backward());
    }
    (loss, grads)
}
