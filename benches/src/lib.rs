//! Shared helpers for the benchmarks.

use sinapse_autograd::Var;
use sinapse_datasets::{Batch, BatchConfig, Batches, DataSource, DatasetError, ImageLayout, Mnist, Split};
use sinapse_examples::models::Arch;
use sinapse_examples::practice::Recipe;
use sinapse_nn::{Loss, Module};
use sinapse_optim::{Momentum, Sgd};
use sinapse_tensor::Tensor;
use sinapse_train::StepModule;

/// Number of operations in [`op_chain`].
pub const CHAIN_OPS: usize = 100;

/// [`CHAIN_OPS`] operations on a tiny tensor, cycling through add_scalar,
/// mul_scalar, tanh and mul: on such inputs the arithmetic is negligible, so
/// timing the chain measures the per-operation bookkeeping of the graph.
pub fn op_chain(x: &Var<f32>) -> Var<f32> {
    let mut y = x.clone();
    for i in 0..CHAIN_OPS {
        y = match i % 4 {
            0 => y.add_scalar(0.1),
            1 => y.mul_scalar(0.9),
            2 => y.tanh(),
            _ => y.mul(x),
        };
    }
    y
}

/// `out <- a b` for `n x n` row-major `f32` matrices by a direct call of
/// matrixmultiply's `sgemm` (one thread: its own threading feature is off
/// in this workspace): the reference that `Tensor::matmul` is measured
/// against.
///
/// # Panics
/// If a slice does not hold `n * n` elements.
pub fn sgemm_direct(n: usize, a: &[f32], b: &[f32], out: &mut [f32]) {
    assert!(
        a.len() == n * n && b.len() == n * n && out.len() == n * n,
        "sgemm_direct: {n}x{n} matrices need {} elements each",
        n * n
    );
    let stride = n as isize;
    // SAFETY: the three slices hold n*n elements each (checked above), read
    // row-major with row stride n and column stride 1, so every address is in
    // bounds; `out` is a unique borrow, so it aliases neither input.
    unsafe {
        matrixmultiply::sgemm(
            n,
            n,
            n,
            1.0,
            a.as_ptr(),
            stride,
            1,
            b.as_ptr(),
            stride,
            1,
            0.0,
            out.as_mut_ptr(),
            stride,
            1,
        );
    }
}

/// The first shuffled (seed 0) training batch of MNIST in `layout`: its
/// images, labels and one-hot labels.
///
/// # Errors
/// When MNIST cannot be found or read.
pub fn first_batch(batch: usize, layout: ImageLayout) -> Result<Batch, DatasetError> {
    let train = Mnist::load(Split::Train, &DataSource::standard())?;
    let batches = Batches::new(&train, BatchConfig::new(batch).shuffled(0).layout(layout))?;
    Ok(batches.epoch(0).next().expect("a non-empty training set has a first batch"))
}

/// One example's training step, ready to repeat: the recipe's network
/// (weights from seed 0), its SGD optimizer (with momentum 0.9 for the CNN,
/// as `examples/cnn.rs` compiles it), its loss, and the first MNIST batch of
/// the recipe's size. The criterion bench and `step_profile` time
/// exactly this.
pub struct TrainingStep {
    model: Box<dyn Module<f32>>,
    optimizer: Sgd<f32>,
    loss: Loss,
    images: Tensor<f32>,
    one_hot: Tensor<f32>,
}

impl TrainingStep {
    /// The step of `recipe`.
    ///
    /// # Errors
    /// When MNIST cannot be found or read.
    pub fn new(recipe: &Recipe) -> Result<TrainingStep, DatasetError> {
        let Batch { images, one_hot, .. } = first_batch(recipe.defaults.batch_size, recipe.arch.layout())?;
        Ok(TrainingStep {
            model: recipe.arch.build(0),
            optimizer: Sgd::new(recipe.defaults.lr).momentum(match recipe.arch {
                Arch::Cnn => Momentum::Classic(0.9),
                _ => Momentum::None,
            }),
            loss: recipe.arch.loss(),
            images,
            one_hot,
        })
    }

    /// Forward, loss, backward and the SGD update, on the same batch each time.
    pub fn run(&mut self) {
        let out = self.model.forward(&Var::constant(self.images.clone()));
        let grads = self.loss.compute(&out, &self.one_hot).backward();
        self.optimizer.step(self.model.as_mut(), &grads);
    }
}
