//! # sinapse-optim
//!
//! Optimizers for any set of named parameters: this crate knows tensors and
//! the autograd graph, not layers, so it serves a hand-written network as
//! well as one built from `sinapse-nn`.
//!
//! - [`Optimizer`]: `opt.step_params(&mut params, &grads)` over
//!   `(name, &mut Var)` pairs, implemented by [`Sgd`] (with [`Momentum`]
//!   classic or Nesterov), [`Adam`] (AdamW through
//!   [`WeightDecay::Decoupled`]), [`RmsProp`] and [`Adagrad`]; state exports
//!   as plain named maps for exact resumption ([`OptimizerState`]).
//! - [`ParamGroup`]: weight decay set per group of parameters. The course's
//!   L2, `lambda/2 ||W||^2` on the weights only, is a group of the weights
//!   with [`WeightDecay::L2`]; [`l2_penalty`] is the same term on the loss
//!   side.
//! - [`LrSchedule`]: constant, step decay, cosine annealing.
//! - [`clip_grad_norm`]: clipping a gradient set by its global norm.
//! - [`GdMode`]: batch, stochastic and minibatch gradient descent, with
//!   [`accumulate_gradients`] for batch updates in bounded memory.
//!
//! The Keras-style `Model` with `compile` and `fit` is in `sinapse-train`.
//!
//! A linear model `y = x . w` written with `Var` alone, fitted by
//! minibatch Adam:
//!
//! ```
//! use sinapse_autograd::Var;
//! use sinapse_optim::{accumulate_gradients, Adam, GdMode, Optimizer};
//! use sinapse_tensor::{seeded_rng, Tensor};
//!
//! let mut rng = seeded_rng(1);
//! let mut w = Var::parameter(Tensor::<f64>::zeros(&[2, 1]), "w");
//! let x = Tensor::<f64>::rand_uniform(&[100, 2], -1.0, 1.0, &mut rng);
//! let y = x.matmul(&Tensor::from_vec(vec![2.0, -3.0], &[2, 1]).unwrap()); // y = 2 x1 - 3 x2
//! let mut opt = Adam::new(0.05);
//! for update in GdMode::Minibatch(20).plan_epoch(100, false, 10).iter().cycle().take(500) {
//!     let (_, grads) = accumulate_gradients(&update.chunks, |r| {
//!         let (xb, yb) = (x.narrow(0, r.start, r.len()), y.narrow(0, r.start, r.len()));
//!         Var::constant(xb).matmul(&w).sub(&Var::constant(yb)).square().mean_all()
//!     });
//!     opt.step_params(&mut [("w".to_string(), &mut w)], &grads);
//! }
//! let w = w.value().to_vec();
//! assert!((w[0] - 2.0).abs() < 1e-2 && (w[1] + 3.0).abs() < 1e-2, "{w:?}");
//! ```

#![warn(missing_docs)]

mod adagrad;
mod adam;
mod clip;
mod gd_mode;
mod optimizer;
mod param_groups;
mod penalty;
mod rmsprop;
mod schedule;
mod sgd;
mod square_scaled;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use clip::{clip_grad_norm, grad_norm};
pub use gd_mode::{accumulate_gradients, GdMode, Update};
pub use optimizer::{CoreState, Optimizer, OptimizerState, OptimizerStateError, WeightDecay};
pub use param_groups::{ParamGroup, ParamGroups};
pub use penalty::l2_penalty;
pub use rmsprop::RmsProp;
pub use schedule::LrSchedule;
pub use sgd::{Momentum, Sgd};
