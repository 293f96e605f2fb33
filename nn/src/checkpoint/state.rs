//! Moving a module's parameters to and from named tensors and files.

use super::{Checkpoint, CheckpointError, StateMismatch};
use crate::Module;
use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;
use std::path::Path;

/// Helpers available on every [`Module`]: checkpoints and weight names.
pub trait ModuleExt<T: Element>: Module<T> {
    /// The parameters' and buffers' current values by name (PyTorch's
    /// `state_dict`).
    fn state_dict(&self) -> BTreeMap<String, Tensor<T>>;

    /// Replaces every parameter and buffer with the tensor of the same name.
    ///
    /// Strict: the names must match exactly, the shapes must agree and
    /// every value must be finite. Otherwise nothing is changed and the
    /// error lists every missing key, unexpected key and shape mismatch (or
    /// names the first NaN or infinity).
    fn load_state_dict(&mut self, tensors: &BTreeMap<String, Tensor<T>>) -> Result<(), CheckpointError>;

    /// Saves the parameters alone to a safetensors file (atomically), under
    /// their PyTorch names: loadable by `model.load_state_dict(load_file(path))`.
    fn save_parameters(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError>;

    /// Loads parameters saved by [`save_parameters`](Self::save_parameters)
    /// (or by PyTorch's `safetensors.torch.save_file(model.state_dict())`).
    fn load_parameters(&mut self, path: impl AsRef<Path>) -> Result<(), CheckpointError>;

    /// The names of [`weights`](Module::weights), for an optimizer's
    /// parameter group.
    fn weight_names(&self) -> Vec<String> {
        self.weights().into_iter().map(|(name, _)| name).collect()
    }
}

impl<T: Element, M: Module<T> + ?Sized> ModuleExt<T> for M {
    fn state_dict(&self) -> BTreeMap<String, Tensor<T>> {
        let params = self.parameters().into_iter().map(|(name, p)| (name, p.value().clone()));
        params.chain(self.buffers().into_iter().map(|(name, b)| (name, b.get()))).collect()
    }

    fn load_state_dict(&mut self, tensors: &BTreeMap<String, Tensor<T>>) -> Result<(), CheckpointError> {
        // Every name the module expects, parameters then buffers, with its shape.
        let expected: Vec<(String, Vec<usize>)> = self
            .parameters()
            .into_iter()
            .map(|(name, p)| (name, p.shape().to_vec()))
            .chain(self.buffers().into_iter().map(|(name, b)| (name, b.get().shape().to_vec())))
            .collect();
        let mut mismatch = StateMismatch::default();
        for (name, shape) in &expected {
            match tensors.get(name) {
                None => mismatch.missing.push(name.clone()),
                Some(t) if t.shape() != &shape[..] => {
                    mismatch.shape_mismatches.push((name.clone(), shape.clone(), t.shape().to_vec()))
                }
                Some(_) => {}
            }
        }
        let known: std::collections::HashSet<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
        mismatch.unexpected = tensors.keys().filter(|k| !known.contains(k.as_str())).cloned().collect();
        if !mismatch.is_empty() {
            return Err(CheckpointError::StateMismatch(mismatch));
        }
        for (name, _) in &expected {
            check_finite(name, &tensors[name.as_str()])?;
        }
        for (name, p) in self.parameters_mut() {
            p.set_value(tensors[name.as_str()].clone());
        }
        for (name, b) in self.buffers() {
            b.set(tensors[name.as_str()].clone());
        }
        Ok(())
    }

    fn save_parameters(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        Checkpoint::from_tensors(self.state_dict()).save(path)
    }

    fn load_parameters(&mut self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let ckpt = Checkpoint::<T>::load(&path)?;
        self.load_state_dict(&ckpt.tensors).map_err(|e| e.in_file(path.as_ref()))
    }
}

/// Refuses a tensor that holds NaN or an infinity, naming the first one.
pub fn check_finite<T: Element>(name: &str, t: &Tensor<T>) -> Result<(), CheckpointError> {
    if t.all_finite() {
        return Ok(());
    }
    let values = t.to_vec();
    let index = values.iter().position(|v| !v.is_finite()).expect("a tensor that is not all finite has such a value");
    Err(CheckpointError::NonFinite { name: name.to_string(), index, value: values[index].to_f64().unwrap_or(f64::NAN) })
}
