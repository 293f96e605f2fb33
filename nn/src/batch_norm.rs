//! Batch normalization (Ioffe and Szegedy, 2015), over channels.

use crate::affine::Affine;
use crate::{Buffer, Module};
use sinapse_autograd::{is_grad_enabled, Var};
use sinapse_tensor::{Element, Tensor};

/// Batch normalization over the channel dimension 1 (PyTorch's
/// `BatchNorm1d` on `[N, C]` or `[N, C, L]`, `BatchNorm2d` on
/// `[N, C, H, W]`):
///
/// `y = (x - mean) / sqrt(var + eps) * weight + bias`, per channel.
///
/// - **Training:** `mean` and the biased `var` are the batch's, over every
///   dimension but the channels. The gradient is the full one, through the
///   batch statistics (the layer is written with `Var` operations, so it
///   also differentiates twice). The running statistics move towards the
///   batch's: `running = (1 - momentum) running + momentum batch`, with the
///   unbiased variance `var n / (n - 1)` for `running_var`, and
///   `num_batches_tracked` counts the steps.
/// - **Evaluation** ([`set_training(false)`](Module::set_training)): the
///   running statistics are used, so an example's output does not depend on
///   the rest of its batch.
///
/// Parameters `weight` (ones) and `bias` (zeros), and buffers
/// `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked`
/// (stored as a float scalar), all named as in PyTorch, so checkpoints carry
/// them and a resumed run continues with them. Momentum 0.1 and eps `1e-5`
/// by default, as in PyTorch.
pub struct BatchNorm<T: Element> {
    affine: Affine<T>,
    running_mean: Buffer<T>,
    running_var: Buffer<T>,
    num_batches_tracked: Buffer<T>,
    channels: usize,
    /// The accepted input ranks: `[2, 3]` for 1-D, `[4]` for 2-D.
    ranks: &'static [usize],
    momentum: T,
    eps: T,
    training: bool,
}

impl<T: Element> BatchNorm<T> {
    fn with_ranks(channels: usize, ranks: &'static [usize]) -> Self {
        assert!(channels > 0, "BatchNorm: the number of channels must be non-zero");
        BatchNorm {
            affine: Affine::new(&[channels]),
            running_mean: Buffer::new(Tensor::zeros(&[channels])),
            running_var: Buffer::new(Tensor::ones(&[channels])),
            num_batches_tracked: Buffer::new(Tensor::scalar(T::zero())),
            channels,
            ranks,
            momentum: T::from_f64_lossy(0.1),
            eps: T::from_f64_lossy(1e-5),
            training: true,
        }
    }

    /// PyTorch's `BatchNorm1d(channels)`: inputs `[N, C]` or `[N, C, L]`.
    ///
    /// # Panics
    /// When `channels` is 0.
    #[track_caller]
    pub fn new_1d(channels: usize) -> Self {
        Self::with_ranks(channels, &[2, 3])
    }

    /// PyTorch's `BatchNorm2d(channels)`: inputs `[N, C, H, W]`.
    ///
    /// # Panics
    /// When `channels` is 0.
    #[track_caller]
    pub fn new_2d(channels: usize) -> Self {
        Self::with_ranks(channels, &[4])
    }

    /// The same layer with another momentum (the weight of each batch in
    /// the running statistics).
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = T::from_f64_lossy(momentum);
        self
    }

    /// The same layer with another `eps`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = T::from_f64_lossy(eps);
        self
    }

    /// The same layer without `weight` and `bias` (PyTorch's `affine=False`).
    pub fn without_affine(mut self) -> Self {
        self.affine = Affine::none();
        self
    }

    /// The running mean, `[C]`.
    pub fn running_mean(&self) -> Tensor<T> {
        self.running_mean.get()
    }

    /// The running (unbiased) variance, `[C]`.
    pub fn running_var(&self) -> Tensor<T> {
        self.running_var.get()
    }

    #[track_caller]
    fn check_input(&self, input: &[usize]) {
        assert!(
            self.ranks.contains(&input.len()) && input[1] == self.channels,
            "{}: input of shape {input:?} must have rank {:?} and {} channels in dimension 1",
            Module::<T>::describe(self),
            self.ranks,
            self.channels
        );
    }

    /// The running statistics after a training batch with these statistics
    /// (`[C]`), over `count` values per channel.
    fn track(&self, mean: &Tensor<T>, var: &Tensor<T>, count: usize) {
        let m = self.momentum;
        let keep = T::one() - m;
        let unbiased = T::from_usize(count).unwrap() / T::from_usize(count.saturating_sub(1).max(1)).unwrap();
        let running_mean = self.running_mean.get().mul_scalar(keep).add(&mean.mul_scalar(m));
        let running_var = self.running_var.get().mul_scalar(keep).add(&var.mul_scalar(m * unbiased));
        self.running_mean.set(running_mean);
        self.running_var.set(running_var);
        self.num_batches_tracked.set(self.num_batches_tracked.get().add_scalar(T::one()));
    }
}

impl<T: Element> Module<T> for BatchNorm<T> {
    fn forward(&self, x: &Var<T>) -> Var<T> {
        self.check_input(x.shape());
        let eps = self.eps.to_f64_lossless();
        let (weight, bias) = (self.affine.weight(), self.affine.bias());
        if self.training {
            let (y, stats) = x.batch_norm(weight, bias, eps);
            self.track(&stats.mean, &stats.var, stats.count);
            return y;
        }
        let (running_mean, running_var) = (self.running_mean.get(), self.running_var.get());
        if !is_grad_enabled() {
            // Prediction: one pass, the same numbers as the operations below.
            let (w, b) = (weight.map(Var::value), bias.map(Var::value));
            return Var::constant(x.value().batch_norm(&running_mean, &running_var, w, b, eps));
        }
        // Per-channel tensors broadcast as [1, C, 1, ..].
        let mut channel_shape = vec![1; x.shape().len()];
        channel_shape[1] = self.channels;
        let mean = Var::constant(running_mean.reshape(&channel_shape));
        let std = Var::constant(running_var.add_scalar(self.eps).sqrt().reshape(&channel_shape));
        self.affine.apply(x.sub(&mean).div(&std), &channel_shape)
    }

    fn describe(&self) -> String {
        let kind = if self.ranks == [4] { "BatchNorm2d" } else { "BatchNorm1d" };
        format!("{kind}({})", self.channels)
    }

    fn output_shape(&self, input: &[usize]) -> Vec<usize> {
        self.check_input(input);
        input.to_vec()
    }

    fn parameters(&self) -> Vec<(String, &Var<T>)> {
        self.affine.parameters()
    }

    fn weights(&self) -> Vec<(String, &Var<T>)> {
        Vec::new()
    }

    fn parameters_mut(&mut self) -> Vec<(String, &mut Var<T>)> {
        self.affine.parameters_mut()
    }

    fn buffers(&self) -> Vec<(String, &Buffer<T>)> {
        vec![
            ("running_mean".to_string(), &self.running_mean),
            ("running_var".to_string(), &self.running_var),
            ("num_batches_tracked".to_string(), &self.num_batches_tracked),
        ]
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}
