//! The data set a run chose with `--dataset` and `--data-dir`, its limits,
//! and the record of where its files came from. Batches are served by
//! [`MnistSource`].

use crate::cli::{CommonArgs, DatasetChoice};
use crate::error::ExampleError;
use serde::{Deserialize, Serialize};
use sinapse_datasets::{DataSource, Dataset, DatasetKind, Provenance, Split, Subset};
pub use sinapse_train::MnistSource;
use std::path::PathBuf;

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
    /// Loads both splits from `--data-dir` (then the only place searched)
    /// or the standard places (see [`DataSource`]).
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

    /// Where each split was read from, for `metrics.json`.
    pub fn sources(&self) -> DataSources {
        DataSources { train: SplitSource::of(&self.train), test: SplitSource::of(&self.test) }
    }

    /// The line a run prints about its data: `data: mnist from DIR (the
    /// repository's copy), train and test files SHA-256 verified` when both
    /// splits come from one place, else each split's [`Provenance`].
    pub fn describe_sources(&self) -> String {
        let name = self.choice.name();
        match (self.train.provenance(), self.test.provenance()) {
            (Some(train), Some(test)) if train.place == test.place && train.verified == test.verified => {
                let checked = if train.verified { "SHA-256 verified" } else { "not verified" };
                let place = &train.place;
                format!(
                    "data: {name} from {} ({}), train and test files {checked}",
                    place.dir.display(),
                    place.kind.describe()
                )
            }
            (train, test) => {
                let line =
                    |p: Option<&Provenance>| p.map(Provenance::to_string).unwrap_or_else(|| "unknown files".into());
                format!("data: {name} train from {}; test from {}", line(train), line(test))
            }
        }
    }
}

/// The files one split was read from, as recorded in `metrics.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitSource {
    /// The folder that held the files.
    pub dir: PathBuf,
    /// Which place of the search order it was ("the folder given", "the repository's copy", ...).
    pub place: String,
    /// The images file read.
    pub images: PathBuf,
    /// The labels file read.
    pub labels: PathBuf,
    /// Whether both files matched the pinned SHA-256.
    pub verified: bool,
}

impl SplitSource {
    fn of(data: &Dataset) -> SplitSource {
        let p = data.provenance().expect("the examples load known data sets, which record their files");
        SplitSource {
            dir: p.place.dir.clone(),
            place: p.place.kind.describe().into(),
            images: p.images.clone(),
            labels: p.labels.clone(),
            verified: p.verified,
        }
    }
}

/// Where the training and test images came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSources {
    /// The training split.
    pub train: SplitSource,
    /// The test split.
    pub test: SplitSource,
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
