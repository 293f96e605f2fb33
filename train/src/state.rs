//! The whole state of a training run in one safetensors file: parameters,
//! optimizer buffers, epoch counter, seed and history.

use super::error::TrainingStateError;
use super::history::History;
use super::model::Model;
use sinapse_nn::checkpoint::check_finite;
use sinapse_nn::{Checkpoint, ModuleExt};
use sinapse_optim::OptimizerState;
use sinapse_tensor::Element;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name of the training state inside its folder.
pub const TRAINING_STATE_FILE: &str = "training_state.safetensors";

/// Value of the `format` metadata entry.
const FORMAT: &str = "sinapse-training-state/1";
const MODEL: &str = "model.";
const OPTIMIZER: &str = "optimizer.";
/// Prefix of the run's description entries in the metadata.
const RUN: &str = "run.";

impl<T: Element> Model<T> {
    /// Writes the training state into `dir/training_state.safetensors`
    /// (creating `dir`), atomically: see
    /// [`save_training_state_file`](Self::save_training_state_file).
    /// Returns the file's path.
    pub fn save_training_state(&self, dir: impl AsRef<Path>) -> Result<PathBuf, TrainingStateError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|source| TrainingStateError::CreateDir { path: dir.to_path_buf(), source })?;
        let path = dir.join(TRAINING_STATE_FILE);
        self.save_training_state_file(&path)?;
        Ok(path)
    }

    /// Writes the training state to the file `path`, atomically (a crash
    /// leaves the previous file or the new one): the parameters as
    /// `model.<name>` (PyTorch names), the optimizer's buffers as
    /// `optimizer.<name>`, and metadata `format`, `epoch` (epochs done),
    /// `seed`, `base_lr`, `loss`, `history` (JSON), the optimizer's step
    /// count and learning rate, and the run's description
    /// ([`set_run_info`](Self::set_run_info)) as `run.<key>`.
    pub fn save_training_state_file(&self, path: impl AsRef<Path>) -> Result<(), TrainingStateError> {
        let mut ckpt = Checkpoint::new();
        ckpt.insert_prefixed(MODEL, self.module().state_dict());
        let meta = &mut ckpt.metadata;
        meta.insert("format".into(), FORMAT.into());
        meta.insert("epoch".into(), self.history.len().to_string());
        meta.insert("history".into(), serde_json::to_string(&self.history).expect("a history always serialises"));
        if let Some(seed) = self.seed {
            meta.insert("seed".into(), seed.to_string());
        }
        for (key, value) in self.run.entries() {
            meta.insert(format!("{RUN}{key}"), value.clone());
        }
        if let Some(c) = &self.compiled {
            meta.insert("loss".into(), format!("{:?}", c.loss));
            meta.insert("base_lr".into(), format!("{:?}", c.base_lr));
            c.optimizer.state_dict().save_to(&mut ckpt.tensors, &mut ckpt.metadata, OPTIMIZER);
        }
        ckpt.save(path.as_ref())?;
        Ok(())
    }

    /// Restores a state saved by [`save_training_state`](Self::save_training_state):
    /// `path` is its folder or the file itself. Parameters, history, epoch
    /// counter and seed are restored; the optimizer state too when the model
    /// is compiled (compile first, with the same optimizer settings, to
    /// continue training). A following `fit` with the same seed continues
    /// from the saved epoch exactly.
    ///
    /// When this model describes its run ([`set_run_info`](Self::set_run_info)),
    /// the saved description must match it, except for the entries allowed
    /// to change ([`allow_run_change`](Self::allow_run_change)): otherwise
    /// [`TrainingStateError::RunMismatch`] lists every difference. Parameters
    /// and optimizer buffers must be finite.
    ///
    /// Nothing is changed when the file does not fit the model.
    pub fn load_training_state(&mut self, path: impl AsRef<Path>) -> Result<(), TrainingStateError> {
        let path = path.as_ref();
        let path = if path.is_dir() { path.join(TRAINING_STATE_FILE) } else { path.to_path_buf() };
        let ckpt = Checkpoint::<T>::load(&path)?;
        let saved_run: BTreeMap<String, String> =
            ckpt.metadata.iter().filter_map(|(k, v)| k.strip_prefix(RUN).map(|k| (k.to_string(), v.clone()))).collect();
        let differences = self.run.differences(&saved_run);
        if !differences.is_empty() {
            return Err(TrainingStateError::RunMismatch { path, differences });
        }
        let bad = |problem: String| TrainingStateError::Metadata { path: path.clone(), problem };
        let meta = |key: &str| ckpt.metadata.get(key).ok_or_else(|| bad(format!("no '{key}' entry")));
        let format = meta("format")?;
        if format != FORMAT {
            return Err(bad(format!("format '{format}', expected '{FORMAT}'")));
        }
        let history = History::from_json(meta("history")?).map_err(|e| bad(format!("history: {e}")))?;
        let epoch: usize = meta("epoch")?.parse().map_err(|e| bad(format!("epoch: {e}")))?;
        if epoch != history.len() {
            return Err(bad(format!("epoch {epoch} but a history of {} epochs", history.len())));
        }
        let seed = match ckpt.metadata.get("seed") {
            Some(s) => Some(s.parse::<u64>().map_err(|e| bad(format!("seed: {e}")))?),
            None => None,
        };
        let optimizer = match &self.compiled {
            Some(_) if ckpt.metadata.contains_key(&format!("{OPTIMIZER}step")) => Some(
                OptimizerState::load_from(&ckpt.tensors, &ckpt.metadata, OPTIMIZER)
                    .map_err(|source| TrainingStateError::Optimizer { path: path.clone(), source })?,
            ),
            Some(_) => return Err(bad("the file holds no optimizer state, but the model is compiled".into())),
            None => None,
        };
        let base_lr = match ckpt.metadata.get("base_lr") {
            Some(s) => Some(s.parse::<f64>().map_err(|e| bad(format!("base_lr: {e}")))?),
            None => None,
        };
        if let Some(state) = &optimizer {
            for (name, t) in &state.tensors {
                check_finite(&format!("{OPTIMIZER}{name}"), t).map_err(|e| e.in_file(&path))?;
            }
        }
        // Check the parameters before touching anything.
        let params = ckpt.prefixed(MODEL);
        let mut previous = self.module().state_dict();
        self.module_mut().load_state_dict(&params).map_err(|e| e.in_file(&path))?;
        if let (Some(state), Some(c)) = (optimizer, self.compiled.as_mut()) {
            if let Err(source) = c.optimizer.load_state_dict(&state) {
                // Put the parameters back: the load is all or nothing.
                self.module_mut().load_state_dict(&std::mem::take(&mut previous)).expect("the model's own state");
                return Err(TrainingStateError::Optimizer { path, source });
            }
            if let Some(lr) = base_lr {
                c.base_lr = lr;
            }
        }
        self.history = history;
        self.seed = seed;
        self.restored = true;
        Ok(())
    }
}
