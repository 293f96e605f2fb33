//! The settings of one call to `fit`.

use sinapse_optim::{GdMode, LrSchedule};

/// How to train: epochs, the gradient-descent regime, shuffling, output.
///
/// `FitConfig::new(5).batch_size(64)` is Keras's `fit(epochs=5,
/// batch_size=64)`; every setting has a builder method.
///
/// ```
/// use sinapse_optim::GdMode;
/// use sinapse_train::FitConfig;
/// let config = FitConfig::new(3).batch_size(128).seed(7).verbose(0);
/// assert_eq!(config.mode, GdMode::Minibatch(128));
/// let full_batch = FitConfig::new(10).mode(GdMode::Batch).max_chunk(2_000);
/// # let _ = full_batch;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FitConfig {
    /// The epoch to stop at (as Keras's `epochs`): training runs epochs
    /// `initial_epoch + 1 ..= epochs`.
    pub epochs: usize,
    /// Examples per update: batch, stochastic or minibatch gradient descent.
    pub mode: GdMode,
    /// Largest number of examples forwarded at once. An update over more
    /// examples (full-batch mode, or a minibatch above this size) is computed
    /// chunk by chunk with [`accumulate_gradients`](sinapse_optim::accumulate_gradients),
    /// which bounds memory without changing the gradient.
    pub max_chunk: usize,
    /// Reshuffle the training examples every epoch (epoch `e`'s order comes
    /// from ChaCha8 seeded with `seed`, stream `e`).
    pub shuffle: bool,
    /// Seed of the per-epoch shuffles and of the dropout masks (each
    /// module is [`reseed`](sinapse_nn::Module::reseed)ed at the start of
    /// every epoch from `seed` and the epoch), so a run is reproducible and
    /// resumable at any epoch boundary.
    pub seed: u64,
    /// Skip a last batch smaller than the batch size.
    pub drop_last: bool,
    /// 0: silent; 1: a progress bar per epoch on a terminal, one plain line
    /// per epoch otherwise (logs stay readable).
    pub verbose: u8,
    /// Epochs already done (as Keras's `initial_epoch`); `None` continues
    /// from the model's own count (0 for a new model, `k` after
    /// [`load_training_state`](crate::Model::load_training_state) of epoch `k`).
    pub initial_epoch: Option<usize>,
    /// Examples per forward pass when measuring validation data; `None`
    /// (the default) uses the training minibatch size, as Keras's
    /// `validation_batch_size` does, kept within `32..=max_chunk` so that
    /// stochastic and full-batch runs evaluate in reasonable pieces. A
    /// larger piece is not faster per example, and its activations set the
    /// process's peak memory (a CNN at 1000 images needs ~150 MB more than
    /// at 128). See [`FitConfig::validation_batch`].
    pub eval_batch_size: Option<usize>,
    /// Learning rate per epoch, from the rate given to the optimizer at
    /// `compile`: `lr(e) = schedule.learning_rate(base_lr, e)`.
    pub schedule: LrSchedule,
}

impl FitConfig {
    /// `epochs` epochs of minibatches of 32 (Keras's default), shuffled with
    /// seed 0, progress shown.
    pub fn new(epochs: usize) -> Self {
        FitConfig {
            epochs,
            mode: GdMode::Minibatch(32),
            max_chunk: 1024,
            shuffle: true,
            seed: 0,
            drop_last: false,
            verbose: 1,
            initial_epoch: None,
            eval_batch_size: None,
            schedule: LrSchedule::Constant,
        }
    }

    /// Minibatches of `b` examples (`GdMode::Minibatch(b)`).
    pub fn batch_size(self, b: usize) -> Self {
        self.mode(GdMode::Minibatch(b))
    }

    /// Sets the gradient-descent regime.
    pub fn mode(mut self, mode: GdMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets [`max_chunk`](Self::max_chunk).
    pub fn max_chunk(mut self, max_chunk: usize) -> Self {
        self.max_chunk = max_chunk;
        self
    }

    /// Sets [`shuffle`](Self::shuffle).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Sets [`seed`](Self::seed).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets [`drop_last`](Self::drop_last).
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// Sets [`verbose`](Self::verbose).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }

    /// Sets [`initial_epoch`](Self::initial_epoch).
    pub fn initial_epoch(mut self, epoch: usize) -> Self {
        self.initial_epoch = Some(epoch);
        self
    }

    /// Sets [`eval_batch_size`](Self::eval_batch_size).
    pub fn eval_batch_size(mut self, b: usize) -> Self {
        self.eval_batch_size = Some(b);
        self
    }

    /// Examples per forward pass over validation data: [`eval_batch_size`](Self::eval_batch_size)
    /// when set (at least 1), otherwise the training minibatch size within
    /// `32..=max_chunk`.
    pub fn validation_batch(&self) -> usize {
        let training = match self.mode {
            GdMode::Minibatch(b) => b,
            GdMode::Stochastic => 1,
            GdMode::Batch => self.max_chunk,
        };
        self.eval_batch_size.unwrap_or(training.clamp(32, self.max_chunk.max(32))).max(1)
    }

    /// Sets [`schedule`](Self::schedule).
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }
}

/// The seed of epoch `epoch`'s dropout masks: SplitMix64's finaliser over
/// `seed` and the epoch, so neighbouring epochs get unrelated streams.
pub(crate) fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut z = seed ^ (epoch as u64).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_runs_at_the_training_batch_size_within_bounds() {
        assert_eq!(FitConfig::new(1).batch_size(128).validation_batch(), 128);
        assert_eq!(FitConfig::new(1).batch_size(4).validation_batch(), 32);
        assert_eq!(FitConfig::new(1).mode(GdMode::Stochastic).validation_batch(), 32);
        assert_eq!(FitConfig::new(1).mode(GdMode::Batch).max_chunk(500).validation_batch(), 500);
        assert_eq!(FitConfig::new(1).batch_size(5000).max_chunk(1024).validation_batch(), 1024);
        assert_eq!(FitConfig::new(1).batch_size(64).eval_batch_size(1000).validation_batch(), 1000);
        assert_eq!(FitConfig::new(1).eval_batch_size(0).validation_batch(), 1);
    }
}
