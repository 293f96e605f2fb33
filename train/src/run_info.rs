//! What a run is (network, data set, input shape, recipe), recorded in its
//! training state so that resuming it with something else is refused with a
//! message naming both sides, instead of mixing two runs in one history.

use super::model::Model;
use sinapse_tensor::Element;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The description of a run: `key = value` pairs saved with the training
/// state, and the keys that may change when the run is resumed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunInfo {
    entries: BTreeMap<String, String>,
    may_change: BTreeSet<String>,
}

/// One entry that differs between a saved run and the run resuming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunDifference {
    /// The entry, e.g. `dataset`.
    pub key: String,
    /// Its value in the saved run (`None`: not recorded there).
    pub saved: Option<String>,
    /// Its value in this run (`None`: not set here).
    pub current: Option<String>,
}

impl fmt::Display for RunDifference {
    /// `dataset: saved mnist, this run fashion`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not recorded)".into());
        write!(f, "{}: saved {}, this run {}", self.key, side(&self.saved), side(&self.current))
    }
}

impl RunInfo {
    /// The entries, sorted by key.
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.entries
    }

    /// The entries that differ from `saved` and are not allowed to; empty
    /// when this run describes nothing (nothing to check).
    pub fn differences(&self, saved: &BTreeMap<String, String>) -> Vec<RunDifference> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        let keys: BTreeSet<&String> = self.entries.keys().chain(saved.keys()).collect();
        keys.into_iter()
            .filter(|k| !self.may_change.contains(*k))
            .filter_map(|k| {
                let (saved, current) = (saved.get(k), self.entries.get(k));
                (saved != current).then(|| RunDifference {
                    key: k.clone(),
                    saved: saved.cloned(),
                    current: current.cloned(),
                })
            })
            .collect()
    }
}

impl<T: Element> Model<T> {
    /// Records `key = value` in the run's description (saved with the
    /// training state; compared by [`load_training_state`](Self::load_training_state)).
    /// Describe what makes two runs the same run: the network, the data set,
    /// the input shape, the loss and the optimizer's settings.
    pub fn set_run_info(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.run.entries.insert(key.into(), value.into());
    }

    /// Lets entry `key` differ when a saved run is resumed (a change that
    /// makes sense mid-run, such as a new learning rate).
    pub fn allow_run_change(&mut self, key: impl Into<String>) {
        self.run.may_change.insert(key.into());
    }

    /// The run's description.
    pub fn run_info(&self) -> &RunInfo {
        &self.run
    }
}
