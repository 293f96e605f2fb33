//! Index-based views of a [`Dataset`]: train/validation splits without
//! copying a single pixel.

use std::ops::Range;
use std::sync::Arc;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::dataset::Dataset;
use crate::error::{DatasetError, Result};

/// Some examples of a dataset, by index. Cheap to clone: a contiguous range
/// or a shared list of indices, plus a reference to the dataset.
#[derive(Debug, Clone)]
pub struct Subset<'a> {
    dataset: &'a Dataset,
    indices: Indices,
}

#[derive(Debug, Clone)]
enum Indices {
    Range(Range<usize>),
    List(Arc<[usize]>),
}

impl<'a> Subset<'a> {
    /// The examples of `dataset` at `indices` (in that order; repeats are
    /// allowed). Fails if an index is out of range.
    pub fn from_indices(dataset: &'a Dataset, indices: Vec<usize>) -> Result<Subset<'a>> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= dataset.len()) {
            return Err(DatasetError::Config(format!("index {bad} out of range for a dataset of {}", dataset.len())));
        }
        Ok(Subset { dataset, indices: Indices::List(indices.into()) })
    }

    /// The examples of `dataset` in `range`. Fails if it reaches past the end.
    pub fn from_range(dataset: &'a Dataset, range: Range<usize>) -> Result<Subset<'a>> {
        if range.start > range.end || range.end > dataset.len() {
            return Err(DatasetError::Config(format!(
                "range {range:?} out of bounds for a dataset of {}",
                dataset.len()
            )));
        }
        Ok(Subset { dataset, indices: Indices::Range(range) })
    }

    /// Number of examples in the view.
    pub fn len(&self) -> usize {
        match &self.indices {
            Indices::Range(r) => r.len(),
            Indices::List(l) => l.len(),
        }
    }

    /// Whether the view is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The dataset index of the view's `k`-th example.
    ///
    /// # Panics
    /// If `k >= len()`.
    pub fn index(&self, k: usize) -> usize {
        match &self.indices {
            Indices::Range(r) => {
                assert!(k < r.len(), "position {k} out of range for {}", r.len());
                r.start + k
            }
            Indices::List(l) => l[k],
        }
    }

    /// All dataset indices, in view order.
    pub fn indices(&self) -> Vec<usize> {
        (0..self.len()).map(|k| self.index(k)).collect()
    }

    /// Picture of the `k`-th example, zero-copy.
    pub fn image(&self, k: usize) -> &'a [u8] {
        self.dataset.image(self.index(k))
    }

    /// Label of the `k`-th example.
    pub fn label(&self, k: usize) -> u8 {
        self.dataset.label(self.index(k))
    }

    /// The underlying dataset.
    pub fn dataset(&self) -> &'a Dataset {
        self.dataset
    }
}

impl<'a> From<&'a Dataset> for Subset<'a> {
    fn from(dataset: &'a Dataset) -> Subset<'a> {
        Subset { dataset, indices: Indices::Range(0..dataset.len()) }
    }
}

impl Dataset {
    /// The whole dataset as a view.
    pub fn all(&self) -> Subset<'_> {
        Subset::from(self)
    }

    /// Splits off the last `n_valid` examples for validation: returns
    /// (first `len - n_valid`, last `n_valid`). The usual MNIST split is
    /// `split_last(10_000)`: 50,000 to train, 10,000 to validate.
    pub fn split_last(&self, n_valid: usize) -> Result<(Subset<'_>, Subset<'_>)> {
        let cut = self
            .len()
            .checked_sub(n_valid)
            .ok_or_else(|| DatasetError::Config(format!("cannot hold out {n_valid} examples from {}", self.len())))?;
        Ok((Subset::from_range(self, 0..cut)?, Subset::from_range(self, cut..self.len())?))
    }

    /// Splits at random: `n_valid` examples chosen by a permutation seeded
    /// with `seed` (ChaCha8, so the same seed gives the same split on every
    /// machine) go to validation, the rest to training. Both views list their
    /// indices in increasing order.
    pub fn split_seeded(&self, n_valid: usize, seed: u64) -> Result<(Subset<'_>, Subset<'_>)> {
        if n_valid > self.len() {
            return Err(DatasetError::Config(format!("cannot hold out {n_valid} examples from {}", self.len())));
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let mut valid = order.split_off(self.len() - n_valid);
        let mut train = order;
        train.sort_unstable();
        valid.sort_unstable();
        Ok((Subset::from_indices(self, train)?, Subset::from_indices(self, valid)?))
    }
}
