//! Hooks run by `fit` at the end of every epoch: early stopping and
//! checkpoints.

use super::error::FitError;
use super::history::EpochRecord;
use super::model::Model;
use sinapse_nn::ModuleExt;
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Whether training goes on after a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Train the next epoch.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// Code run by [`Model::fit_source`] around the epochs (Keras's callbacks).
///
/// `on_epoch_end` runs after the epoch's record (training and validation
/// measurements) was appended to the model's history.
pub trait Callback<T: Element> {
    /// Before the first epoch of a `fit` call.
    fn on_train_begin(&mut self, _model: &mut Model<T>) -> Result<(), FitError> {
        Ok(())
    }

    /// After each epoch; return [`Control::Stop`] to end training.
    fn on_epoch_end(&mut self, record: &EpochRecord, model: &mut Model<T>) -> Result<Control, FitError>;

    /// After the last epoch (also after an early stop).
    fn on_train_end(&mut self, _model: &mut Model<T>) -> Result<(), FitError> {
        Ok(())
    }
}

/// Whether a monitored quantity improves by going down or up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorMode {
    /// Lower is better (losses).
    Min,
    /// Higher is better (accuracy).
    Max,
}

impl MonitorMode {
    /// Keras's `"auto"`: [`Max`](Self::Max) for names containing `acc`,
    /// [`Min`](Self::Min) otherwise.
    pub fn auto(monitor: &str) -> Self {
        if monitor.contains("acc") {
            MonitorMode::Max
        } else {
            MonitorMode::Min
        }
    }
}

/// Stops training when a monitored quantity has not improved for
/// `patience` epochs in a row (at least one): improvement means `value < best - min_delta` (mode
/// `Min`) or `value > best + min_delta` (mode `Max`). With
/// `restore_best_weights` the model ends with the parameters of its best
/// epoch.
///
/// ```
/// use sinapse_train::{EarlyStopping, MonitorMode};
/// let stop = EarlyStopping::<f32>::new("val_loss").patience(3).restore_best_weights(true);
/// assert_eq!(stop.mode(), MonitorMode::Min);
/// ```
#[derive(Clone, Debug)]
pub struct EarlyStopping<T: Element> {
    monitor: String,
    mode: MonitorMode,
    patience: usize,
    min_delta: f64,
    restore_best: bool,
    best: Option<f64>,
    best_epoch: Option<usize>,
    wait: usize,
    stopped_epoch: Option<usize>,
    best_weights: Option<BTreeMap<String, Tensor<T>>>,
}

impl<T: Element> EarlyStopping<T> {
    /// Monitors `monitor` (e.g. `"val_loss"`, `"val_accuracy"`, `"loss"`),
    /// with the mode chosen by [`MonitorMode::auto`], patience 0, no
    /// minimum delta and no restoring.
    pub fn new(monitor: impl Into<String>) -> Self {
        let monitor = monitor.into();
        EarlyStopping {
            mode: MonitorMode::auto(&monitor),
            monitor,
            patience: 0,
            min_delta: 0.0,
            restore_best: false,
            best: None,
            best_epoch: None,
            wait: 0,
            stopped_epoch: None,
            best_weights: None,
        }
    }

    /// Epochs without improvement tolerated before stopping.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Smallest change that counts as an improvement.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.abs();
        self
    }

    /// Overrides the automatic mode.
    pub fn with_mode(mut self, mode: MonitorMode) -> Self {
        self.mode = mode;
        self
    }

    /// Ends training with the best epoch's parameters.
    pub fn restore_best_weights(mut self, yes: bool) -> Self {
        self.restore_best = yes;
        self
    }

    /// The mode in use.
    pub fn mode(&self) -> MonitorMode {
        self.mode
    }

    /// The best value seen.
    pub fn best(&self) -> Option<f64> {
        self.best
    }

    /// The epoch (from 1) of the best value.
    pub fn best_epoch(&self) -> Option<usize> {
        self.best_epoch
    }

    /// The epoch (from 1) after which training was stopped, if it was.
    pub fn stopped_epoch(&self) -> Option<usize> {
        self.stopped_epoch
    }

    fn improved(&self, value: f64) -> bool {
        match (self.best, self.mode) {
            (None, _) => !value.is_nan(),
            (Some(best), MonitorMode::Min) => value < best - self.min_delta,
            (Some(best), MonitorMode::Max) => value > best + self.min_delta,
        }
    }
}

impl<T: Element> Callback<T> for EarlyStopping<T> {
    fn on_train_begin(&mut self, _model: &mut Model<T>) -> Result<(), FitError> {
        self.best = None;
        self.best_epoch = None;
        self.wait = 0;
        self.stopped_epoch = None;
        self.best_weights = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, record: &EpochRecord, model: &mut Model<T>) -> Result<Control, FitError> {
        let value = record.get(&self.monitor).ok_or_else(|| FitError::UnknownMonitor {
            callback: "EarlyStopping",
            monitor: self.monitor.clone(),
            available: record.names().join(", "),
        })?;
        if self.improved(value) {
            self.best = Some(value);
            self.best_epoch = Some(record.epoch);
            self.wait = 0;
            if self.restore_best {
                self.best_weights = Some(model.module().state_dict());
            }
            return Ok(Control::Continue);
        }
        self.wait += 1;
        // Keras's rule: `patience` epochs in a row without improvement stop
        // the run (patience 0 stops at the first one).
        if self.wait >= self.patience {
            self.stopped_epoch = Some(record.epoch);
            return Ok(Control::Stop);
        }
        Ok(Control::Continue)
    }

    fn on_train_end(&mut self, model: &mut Model<T>) -> Result<(), FitError> {
        if let Some(weights) = self.best_weights.take() {
            // The names and shapes come from this very model.
            model.module_mut().load_state_dict(&weights).expect("the best weights were taken from this model");
        }
        Ok(())
    }
}

/// Saves the whole training state (parameters, optimizer state, history,
/// seed) at the end of every epoch into `dir/training_state.safetensors`,
/// atomically, so a run killed at any moment can be continued from its last
/// finished epoch with [`Model::load_training_state`]. Optionally keeps one
/// file per epoch as well (`epoch-0001.safetensors`, ...). In a
/// data-parallel run only the writer (rank 0) saves.
#[derive(Clone, Debug)]
pub struct ModelCheckpoint {
    dir: PathBuf,
    keep_each_epoch: bool,
    saved: Vec<PathBuf>,
}

impl ModelCheckpoint {
    /// Checkpoints into the folder `dir` (created if needed).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ModelCheckpoint { dir: dir.into(), keep_each_epoch: false, saved: Vec::new() }
    }

    /// Also writes `epoch-NNNN.safetensors` for every epoch.
    pub fn keep_each_epoch(mut self, yes: bool) -> Self {
        self.keep_each_epoch = yes;
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every file written so far, in order.
    pub fn saved(&self) -> &[PathBuf] {
        &self.saved
    }
}

impl<T: Element> Callback<T> for ModelCheckpoint {
    fn on_epoch_end(&mut self, record: &EpochRecord, model: &mut Model<T>) -> Result<Control, FitError> {
        // In a data-parallel run every rank holds the same state: rank 0 saves it.
        if !model.is_writer() {
            return Ok(Control::Continue);
        }
        self.saved.push(model.save_training_state(&self.dir)?);
        if self.keep_each_epoch {
            let path = self.dir.join(format!("epoch-{:04}.safetensors", record.epoch));
            model.save_training_state_file(&path)?;
            self.saved.push(path);
        }
        Ok(Control::Continue)
    }
}
