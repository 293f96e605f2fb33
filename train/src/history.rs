//! What a training run records: one [`EpochRecord`] per epoch.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The measurements of one epoch, as Keras's `logs` dictionary, plus timing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// The epoch's number, counted from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's examples (each batch's mean loss,
    /// measured before its update, weighted by its size).
    pub loss: f64,
    /// Training metrics by name (e.g. `"accuracy"`), over the same examples.
    pub metrics: BTreeMap<String, f64>,
    /// Loss on the validation data at the end of the epoch, if any was given.
    pub val_loss: Option<f64>,
    /// Validation metrics by name (without the `val_` prefix).
    pub val_metrics: BTreeMap<String, f64>,
    /// Wall-clock seconds of the training part of the epoch (shuffle, batch
    /// gathering, forward, backward, updates; validation excluded).
    pub seconds: f64,
    /// Training examples processed per second: `examples / seconds`.
    pub images_per_second: f64,
    /// Training examples seen in the epoch.
    pub examples: usize,
    /// Parameter updates made in the epoch.
    pub updates: usize,
    /// The learning rate used during the epoch.
    pub learning_rate: f64,
    /// Wall-clock seconds of the validation pass (0 without validation data).
    pub val_seconds: f64,
}

impl EpochRecord {
    /// A logged quantity by its Keras name: `"loss"`, `"val_loss"`, a metric
    /// (`"accuracy"`), a validation metric (`"val_accuracy"`), `"seconds"`,
    /// `"images_per_second"` or `"learning_rate"`.
    pub fn get(&self, name: &str) -> Option<f64> {
        match name {
            "loss" => Some(self.loss),
            "val_loss" => self.val_loss,
            "seconds" => Some(self.seconds),
            "images_per_second" => Some(self.images_per_second),
            "learning_rate" => Some(self.learning_rate),
            _ => match name.strip_prefix("val_") {
                Some(metric) => self.val_metrics.get(metric).copied(),
                None => self.metrics.get(name).copied(),
            },
        }
    }

    /// The names [`get`](Self::get) answers for this record.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec!["loss".to_string()];
        names.extend(self.metrics.keys().cloned());
        if self.val_loss.is_some() {
            names.push("val_loss".into());
        }
        names.extend(self.val_metrics.keys().map(|k| format!("val_{k}")));
        names.extend(["seconds", "images_per_second", "learning_rate"].map(String::from));
        names
    }
}

/// Every epoch of a model's training, in order (Keras's `History`).
/// Serialises to JSON as `{"epochs": [{"epoch": 1, "loss": ..., ...}, ...]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per completed epoch.
    pub epochs: Vec<EpochRecord>,
}

impl History {
    /// Number of recorded epochs.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// True before the first epoch.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }

    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// One quantity across epochs (see [`EpochRecord::get`] for the names),
    /// e.g. `history.series("val_accuracy")`; `None` when an epoch lacks it.
    pub fn series(&self, name: &str) -> Option<Vec<f64>> {
        self.epochs.iter().map(|e| e.get(name)).collect()
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a history always serialises")
    }

    /// Parses [`to_json`](Self::to_json)'s output; every number comes back
    /// bit for bit (serde_json's exact float parsing is enabled).
    pub fn from_json(text: &str) -> Result<History, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The result of [`Model::evaluate`](crate::Model::evaluate): mean loss and
/// metrics over a whole data set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Mean loss over the examples.
    pub loss: f64,
    /// Metrics by name.
    pub metrics: BTreeMap<String, f64>,
    /// Number of examples evaluated.
    pub examples: usize,
}

impl Evaluation {
    /// The accuracy, if it was among the compiled metrics.
    pub fn accuracy(&self) -> Option<f64> {
        self.metrics.get("accuracy").copied()
    }
}
