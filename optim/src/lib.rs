//! # sinapse-optim
//!
//! Optimizers and training settings for [`sinapse_nn`] models.
//!
//! - [`Optimizer`]: `opt.step(&mut model, &grads)`, implemented by [`Sgd`]
//!   (with [`Momentum`] classic or Nesterov) and [`Adam`] (AdamW through
//!   [`WeightDecay::Decoupled`]); state exports for exact resumption
//!   ([`OptimizerState`]).
//! - [`WeightDecay::L2`], the course's `lambda/2 ||W||^2`, on weights only;
//!   [`l2_penalty`] is the same term on the loss side.
//! - [`LrSchedule`]: constant, step decay, cosine annealing.
//! - [`clip_grad_norm`]: clipping by global norm.
//! - [`GdMode`]: batch, stochastic and minibatch gradient descent, with
//!   [`accumulate_gradients`] for batch updates in bounded memory.
//! - [`Model`] (module [`training`]): Keras's `compile` / `fit` / `evaluate`
//!   / `predict` / `summary`, with [`History`], callbacks
//!   ([`EarlyStopping`], [`ModelCheckpoint`]), progress bars and exact
//!   resumption.
//!
//! ```
//! use sinapse_nn::prelude::*;
//! use sinapse_optim::{accumulate_gradients, Adam, GdMode, Optimizer};
//! use sinapse_tensor::{seeded_rng, Tensor};
//!
//! let mut rng = seeded_rng(1);
//! let mut model = Sequential::<f64>::new().add(Linear::new(2, 1, &mut rng));
//! let x = Tensor::<f64>::rand_uniform(&[100, 2], -1.0, 1.0, &mut rng);
//! let y = x.matmul(&Tensor::from_vec(vec![2.0, -3.0], &[2, 1]).unwrap()); // y = 2 x1 - 3 x2
//! let mut opt = Adam::new(0.05);
//! for update in GdMode::Minibatch(20).plan_epoch(100, false, 10).iter().cycle().take(500) {
//!     let (_, grads) = accumulate_gradients(&update.chunks, |r| {
//!         let xb = Var::constant(x.narrow(0, r.start, r.len()));
//!         mse(&model.forward(&xb), &y.narrow(0, r.start, r.len()), Reduction::Mean)
//!     });
//!     opt.step(&mut model, &grads);
//! }
//! let w = model.parameters()[0].1.value().to_vec();
//! assert!((w[0] - 2.0).abs() < 1e-2 && (w[1] + 3.0).abs() < 1e-2, "{w:?}");
//! ```

#![warn(missing_docs)]

mod adagrad;
mod adam;
mod clip;
mod gd_mode;
mod optimizer;
mod penalty;
mod rmsprop;
mod schedule;
mod sgd;
mod square_scaled;
pub mod training;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use clip::{clip_grad_norm, grad_norm};
pub use gd_mode::{accumulate_gradients, GdMode, Update};
pub use optimizer::{Optimizer, OptimizerState, OptimizerStateError, WeightDecay};
pub use penalty::l2_penalty;
pub use rmsprop::RmsProp;
pub use schedule::LrSchedule;
pub use sgd::{Momentum, Sgd};
pub use training::{
    epoch_order, BatchSource, Callback, Control, EarlyStopping, EpochRecord, Evaluation, FitConfig, FitError, History,
    Metric, Model, ModelCheckpoint, MonitorMode, NonFiniteCause, RunDifference, RunInfo, TensorData,
    TrainingStateError, TRAINING_STATE_FILE,
};
