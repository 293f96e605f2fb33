//! MNIST and Fashion-MNIST as a [`BatchSource`]: each batch is converted
//! from the memory-mapped bytes when `fit` asks for it, so the 47 million
//! pixels of the training set are never copied into floats at once.

use crate::cli::{CommonArgs, DatasetChoice};
use crate::error::ExampleError;
use sinapse_datasets::{DataSource, Dataset, DatasetKind, ImageLayout, Split, Subset};
use sinapse_optim::BatchSource;
use sinapse_tensor::Tensor;

/// Some images of a data set served as `(x, y)` batches: `x` is `[B, 784]`
/// or `[B, 1, 28, 28]` in `[0, 1]` (`pixel / 255`), `y` the one-hot labels
/// `[B, 10]`.
#[derive(Clone, Debug)]
pub struct MnistSource<'a> {
    subset: Subset<'a>,
    layout: ImageLayout,
}

impl<'a> MnistSource<'a> {
    /// Serves `subset` with images in `layout`.
    pub fn new(subset: Subset<'a>, layout: ImageLayout) -> Self {
        MnistSource { subset, layout }
    }

    /// The examples served.
    pub fn subset(&self) -> &Subset<'a> {
        &self.subset
    }

    /// The label of example `k`.
    pub fn label(&self, k: usize) -> usize {
        self.subset.label(k) as usize
    }

    /// All labels, in order.
    pub fn labels(&self) -> Vec<usize> {
        (0..self.subset.len()).map(|k| self.label(k)).collect()
    }

    /// The image of example `k` as `28 * 28` values in `[0, 1]`.
    pub fn image(&self, k: usize) -> Vec<f32> {
        self.subset.image(k).iter().map(|&p| p as f32 / 255.0).collect()
    }
}

impl BatchSource<f32> for MnistSource<'_> {
    fn len(&self) -> usize {
        self.subset.len()
    }

    fn batch(&self, indices: &[usize]) -> (Tensor<f32>, Tensor<f32>) {
        let b = self.subset.batch(indices, self.layout);
        (b.images, b.one_hot)
    }
}

/// The train and test splits of the chosen data set.
pub struct Splits {
    /// The 60,000 training images.
    pub train: Dataset,
    /// The 10,000 test images.
    pub test: Dataset,
    /// Which data set.
    pub choice: DatasetChoice,
}

impl Splits {
    /// Loads both splits from `--data-dir` or the standard places (see
    /// [`DataSource`]).
    pub fn load(args: &CommonArgs) -> Result<Splits, ExampleError> {
        let source = match &args.data_dir {
            Some(dir) if !dir.is_dir() => {
                return Err(ExampleError::Usage(format!("--data-dir {}: no such folder", dir.display())))
            }
            Some(dir) => DataSource::dir(dir),
            None => DataSource::standard(),
        };
        let kind = kind(args.dataset);
        Ok(Splits {
            train: kind.load(Split::Train, &source)?,
            test: kind.load(Split::Test, &source)?,
            choice: args.dataset,
        })
    }

    /// The first `--train-limit` training images (all without it).
    pub fn train_subset(&self, limit: Option<usize>) -> Result<Subset<'_>, ExampleError> {
        first(&self.train, limit, "--train-limit")
    }

    /// The first `--test-limit` test images (all without it).
    pub fn test_subset(&self, limit: Option<usize>) -> Result<Subset<'_>, ExampleError> {
        first(&self.test, limit, "--test-limit")
    }

    /// The ten class names (`"0"`..`"9"` for MNIST).
    pub fn class_names(&self) -> Vec<String> {
        class_names(self.choice)
    }
}

/// The data set's kind in sinapse-datasets.
pub fn kind(choice: DatasetChoice) -> DatasetKind {
    match choice {
        DatasetChoice::Mnist => DatasetKind::Mnist,
        DatasetChoice::Fashion => DatasetKind::FashionMnist,
    }
}

/// The ten class names of a data set.
pub fn class_names(choice: DatasetChoice) -> Vec<String> {
    kind(choice).class_names().iter().map(|s| s.to_string()).collect()
}

fn first<'a>(data: &'a Dataset, limit: Option<usize>, flag: &str) -> Result<Subset<'a>, ExampleError> {
    let n = match limit {
        Some(n) if n > data.len() => {
            return Err(ExampleError::Usage(format!("{flag} {n}: the split has only {} images", data.len())))
        }
        Some(n) => n,
        None => data.len(),
    };
    Ok(Subset::from_range(data, 0..n)?)
}
