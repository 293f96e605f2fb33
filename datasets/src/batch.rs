//! Serving a dataset as batches of tensors, shuffled per epoch from a seed.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sinapse_tensor::Tensor;

use crate::convert::{gather_pixels, one_hot};
use crate::error::{DatasetError, Result};
use crate::subset::Subset;

/// The shape of the images tensor of a batch of `B` pictures of `H x W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageLayout {
    /// `[B, H*W]` (`[B, 784]` for MNIST): each picture flattened row after
    /// row, `x[W r + c] = p[r][c] / 255`. What a fully connected network takes.
    #[default]
    Flat,
    /// `[B, 1, H, W]` (`[B, 1, 28, 28]`): batch, channel, height, width.
    /// What a convolutional network takes. Same values in the same order.
    Nchw,
}

/// How to cut a dataset into batches.
///
/// `batch_size: 1` is stochastic gradient descent, `batch_size: B` minibatch
/// and `batch_size: data.len()` full batch (see [`BatchConfig::full`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchConfig {
    /// Examples per batch (at least 1).
    pub batch_size: usize,
    /// `Some(seed)`: a new permutation every epoch, reproducible from the
    /// seed (epoch `e` uses ChaCha8 seeded with `seed`, stream `e`).
    /// `None`: dataset order every epoch.
    pub shuffle_seed: Option<u64>,
    /// Whether to skip a last batch smaller than `batch_size`.
    pub drop_last: bool,
    /// The images tensor's shape.
    pub layout: ImageLayout,
}

impl BatchConfig {
    /// Batches of `batch_size` in dataset order, last partial batch kept,
    /// flat images.
    pub fn new(batch_size: usize) -> BatchConfig {
        BatchConfig { batch_size, shuffle_seed: None, drop_last: false, layout: ImageLayout::Flat }
    }

    /// One batch holding all `len` examples (full-batch gradient descent).
    pub fn full(len: usize) -> BatchConfig {
        BatchConfig::new(len.max(1))
    }

    /// Shuffles every epoch from `seed`.
    pub fn shuffled(self, seed: u64) -> BatchConfig {
        BatchConfig { shuffle_seed: Some(seed), ..self }
    }

    /// Sets `drop_last`.
    pub fn drop_last(self, drop_last: bool) -> BatchConfig {
        BatchConfig { drop_last, ..self }
    }

    /// Sets the images layout.
    pub fn layout(self, layout: ImageLayout) -> BatchConfig {
        BatchConfig { layout, ..self }
    }
}

/// One batch: `B` examples as tensors.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Pixels scaled to `[0, 1]` (`p / 255`), `[B, 784]` or `[B, 1, 28, 28]`.
    pub images: Tensor<f32>,
    /// Class index of each example, in `0..10`.
    pub labels: Vec<usize>,
    /// `[B, 10]`: row `i` is 1.0 at column `labels[i]`, 0.0 elsewhere.
    pub one_hot: Tensor<f32>,
    /// Index of each example in the underlying dataset (for showing the
    /// pictures or tracing mistakes back).
    pub indices: Vec<usize>,
}

impl Batch {
    /// Number of examples `B`.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

impl Subset<'_> {
    /// Converts the examples at view positions `positions` into one
    /// [`Batch`]. `subset.batch(&(0..subset.len()).collect::<Vec<_>>(), layout)`
    /// is the whole view, e.g. a test set for evaluation.
    ///
    /// # Panics
    /// If a position is `>= len()`.
    pub fn batch(&self, positions: &[usize], layout: ImageLayout) -> Batch {
        let images = self.dataset().images();
        let (rows, cols) = (images.rows(), images.cols());
        let pixels = rows * cols;
        let b = positions.len();
        let indices: Vec<usize> = positions.iter().map(|&k| self.index(k)).collect();
        // Every value is written by the gather: the last batch's buffer,
        // parked when its tensor was dropped, serves without a zero fill
        // (a fresh 200 KB block costs a page fault per 4 KB).
        let mut data = sinapse_tensor::memory::overwritable(b * pixels, 0.0f32);
        let dataset = self.dataset();
        gather_pixels(b, pixels, |k| dataset.image(indices[k]), &mut data);
        let shape: &[usize] = match layout {
            ImageLayout::Flat => &[b, pixels],
            ImageLayout::Nchw => &[b, 1, rows, cols],
        };
        let classes = dataset.classes();
        let labels: Vec<usize> = indices.iter().map(|&i| dataset.label(i) as usize).collect();
        Batch {
            images: Tensor::from_vec(data, shape).expect("buffer sized from the shape"),
            one_hot: Tensor::from_vec(one_hot(&labels, classes), &[b, classes]).expect("buffer sized from the shape"),
            labels,
            indices,
        }
    }

    /// The whole view as one batch.
    pub fn batch_all(&self, layout: ImageLayout) -> Batch {
        let all: Vec<usize> = (0..self.len()).collect();
        self.batch(&all, layout)
    }
}

/// A dataset (or a view of one) cut into batches; call [`Batches::epoch`]
/// once per epoch.
#[derive(Debug, Clone)]
pub struct Batches<'a> {
    data: Subset<'a>,
    config: BatchConfig,
}

impl<'a> Batches<'a> {
    /// Batches of `data` (a `&Dataset` or a [`Subset`]). Fails if
    /// `batch_size` is 0.
    pub fn new(data: impl Into<Subset<'a>>, config: BatchConfig) -> Result<Batches<'a>> {
        if config.batch_size == 0 {
            return Err(DatasetError::Config("batch_size must be at least 1".into()));
        }
        Ok(Batches { data: data.into(), config })
    }

    /// The configuration.
    pub fn config(&self) -> &BatchConfig {
        &self.config
    }

    /// The examples being served.
    pub fn data(&self) -> &Subset<'a> {
        &self.data
    }

    /// Batches per epoch: `ceil(n / B)`, or `floor(n / B)` with `drop_last`.
    pub fn len(&self) -> usize {
        let (n, b) = (self.data.len(), self.config.batch_size);
        if self.config.drop_last {
            n / b
        } else {
            n.div_ceil(b)
        }
    }

    /// Whether an epoch yields no batch.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The order in which epoch `epoch` visits the view's positions: a
    /// permutation of `0..data().len()`, the identity without a seed.
    pub fn order(&self, epoch: u64) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.data.len()).collect();
        if let Some(seed) = self.config.shuffle_seed {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            // One independent stream per epoch: epochs differ, and epoch e
            // can be replayed without replaying epochs 0..e.
            rng.set_stream(epoch);
            order.shuffle(&mut rng);
        }
        order
    }

    /// The batches of epoch `epoch` (0-based).
    pub fn epoch(&self, epoch: u64) -> Epoch<'_> {
        Epoch {
            data: &self.data,
            layout: self.config.layout,
            batch_size: self.config.batch_size,
            order: self.order(epoch),
            next: 0,
            remaining: self.len(),
        }
    }
}

impl<'s> IntoIterator for &'s Batches<'_> {
    type Item = Batch;
    type IntoIter = Epoch<'s>;

    /// Epoch 0.
    fn into_iter(self) -> Epoch<'s> {
        self.epoch(0)
    }
}

/// The batches of one epoch, converted one at a time as they are asked for.
#[derive(Debug, Clone)]
pub struct Epoch<'s> {
    data: &'s Subset<'s>,
    layout: ImageLayout,
    batch_size: usize,
    order: Vec<usize>,
    next: usize,
    remaining: usize,
}

impl Iterator for Epoch<'_> {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let end = (self.next + self.batch_size).min(self.order.len());
        let batch = self.data.batch(&self.order[self.next..end], self.layout);
        self.next = end;
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Epoch<'_> {}
