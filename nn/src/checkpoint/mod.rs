//! Checkpoints in the safetensors format, written atomically.
//!
//! A [`Checkpoint`] is a set of named tensors plus string metadata. Model
//! parameters keep their PyTorch names and layouts (`0.weight` is
//! `[out, in]`, row-major, little-endian `F32`/`F64`), so a file saved here
//! loads in PyTorch with `safetensors.torch.load_file` and
//! `model.load_state_dict`, and the other way round. A training loop can
//! store its optimizer state, epoch and generator state in the same file.

mod atomic;
mod error;
mod format;
mod state;

pub use atomic::atomic_write;
pub use error::{CheckpointError, StateMismatch};
pub use state::{check_finite, ModuleExt};

use sinapse_tensor::{Element, Tensor};
use std::collections::BTreeMap;
use std::path::Path;

/// Named tensors and string metadata, saved to and loaded from one
/// safetensors file.
///
/// ```
/// use sinapse_nn::{Checkpoint, Linear, ModuleExt};
/// use sinapse_tensor::{seeded_rng, Tensor};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("run.safetensors");
/// let model = Linear::<f32>::new(3, 2, &mut seeded_rng(0));
/// let mut ckpt = Checkpoint::new();
/// ckpt.insert_prefixed("model.", model.state_dict());
/// ckpt.metadata.insert("epoch".into(), "7".into());
/// ckpt.save(&path).unwrap();
///
/// let back = Checkpoint::<f32>::load(&path).unwrap();
/// assert_eq!(back.metadata["epoch"], "7");
/// assert_eq!(back.prefixed("model.")["weight"].to_vec(), model.weight().value().to_vec());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Checkpoint<T: Element> {
    /// Tensors by name.
    pub tensors: BTreeMap<String, Tensor<T>>,
    /// Free-form string metadata (the file's `__metadata__`).
    pub metadata: BTreeMap<String, String>,
}

impl<T: Element> Checkpoint<T> {
    /// An empty checkpoint.
    pub fn new() -> Self {
        Checkpoint { tensors: BTreeMap::new(), metadata: BTreeMap::new() }
    }

    /// A checkpoint holding `tensors` and no metadata.
    pub fn from_tensors(tensors: BTreeMap<String, Tensor<T>>) -> Self {
        Checkpoint { tensors, metadata: BTreeMap::new() }
    }

    /// Adds each `(name, tensor)` under `prefix + name` (e.g. `"optimizer."`).
    pub fn insert_prefixed(&mut self, prefix: &str, tensors: impl IntoIterator<Item = (String, Tensor<T>)>) {
        for (name, t) in tensors {
            self.tensors.insert(format!("{prefix}{name}"), t);
        }
    }

    /// The tensors whose names start with `prefix`, with the prefix removed
    /// (tensors are cheap handles: nothing is copied).
    pub fn prefixed(&self, prefix: &str) -> BTreeMap<String, Tensor<T>> {
        self.tensors
            .iter()
            .filter_map(|(name, t)| name.strip_prefix(prefix).map(|rest| (rest.to_string(), t.clone())))
            .collect()
    }

    /// The file image: 8-byte header length, JSON header, data.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CheckpointError> {
        format::to_bytes(&self.tensors, &self.metadata)
    }

    /// Parses a file image, checking every size against the bytes present
    /// (see the [module docs](self)). Every tensor must be stored as `T`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let (tensors, metadata) = format::from_bytes(bytes)?;
        Ok(Checkpoint { tensors, metadata })
    }

    /// Writes the checkpoint to `path` atomically: into a temporary file in
    /// the same directory, flushed to disk, then renamed over `path`. A crash
    /// at any point leaves either the previous file or the new one, never a
    /// mix.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        let bytes = self.to_bytes()?;
        atomic_write(path, |file| std::io::Write::write_all(file, &bytes))
            .map_err(|source| CheckpointError::Io { path: path.to_path_buf(), source })
    }

    /// Reads the checkpoint at `path` (one read of the whole file); an
    /// error names the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io { path: path.to_path_buf(), source })?;
        Self::from_bytes(&bytes).map_err(|e| e.in_file(path))
    }
}
