//! # sinapse-train
//!
//! A Keras-like way to train: [`Model`] wraps a network,
//! [`compile`](Model::compile) fixes optimizer, loss and metrics,
//! [`fit`](Model::fit) trains and returns a [`History`],
//! [`evaluate`](Model::evaluate) and [`predict`](Model::predict) measure and
//! apply it.
//!
//! | Keras | Sinapse |
//! |---|---|
//! | `Model(inputs, outputs)` | `Model::functional(&inputs, &outputs)` (`sinapse_nn::functional`) |
//! | `Sequential([...])` | `Model::new(sequential)` |
//! | `model.compile(optimizer, loss, metrics)` | `model.compile(Sgd::new(0.1), Loss::CategoricalCrossEntropy, &[Metric::Accuracy])` |
//! | `model.fit(x, y, batch_size=64, epochs=5)` | `model.fit(&x, &y, &FitConfig::new(5).batch_size(64))` |
//! | `validation_data=(xv, yv)` | `model.fit_validated((&x, &y), (&xv, &yv), &config)` |
//! | `callbacks=[EarlyStopping(...)]` | `model.fit_source(&train, Some(&valid), &config, &mut [&mut stop])` |
//! | `model.evaluate(x, y)` / `model.predict(x)` | `model.evaluate(&x, &y, 1000)` / `model.predict(&x, 1000)` |
//! | `model.summary()` | `println!("{}", model.summary(&[1, 784]))` |
//!
//! Data comes as tensors or through the [`BatchSource`] trait, which hands
//! out one batch at a time (a memory-mapped image set need not be copied
//! whole into floats). The regime of gradient descent is a [`GdMode`](sinapse_optim::GdMode):
//! a full-batch update is accumulated chunk by chunk, so memory stays
//! bounded. Runs are deterministic from [`FitConfig::seed`], and
//! [`Model::save_training_state`] / [`Model::load_training_state`] continue
//! a run from any finished epoch exactly ([`ModelCheckpoint`] does it every
//! epoch).

#![warn(missing_docs)]

mod callbacks;
mod config;
mod data;
mod error;
mod fit;
mod history;
mod metric;
mod mnist;
mod model;
mod parallel;
mod parallel_step;
mod progress;
mod progress_bar;
mod run_info;
mod state;
mod step;

pub use callbacks::{Callback, Control, EarlyStopping, ModelCheckpoint, MonitorMode};
pub use config::FitConfig;
pub use data::{BatchSource, TensorData};
pub use error::{FitError, NonFiniteCause, TrainingStateError};
pub use fit::epoch_order;
pub use history::{EpochRecord, Evaluation, History};
pub use metric::Metric;
pub use mnist::MnistSource;
pub use model::Model;
pub use parallel::{shard, Parallel, ParallelError};
pub use run_info::{RunDifference, RunInfo};
pub use state::TRAINING_STATE_FILE;
pub use step::StepModule;
