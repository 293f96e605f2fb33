//! The data sets this crate knows: their file names, sizes, pinned checksums
//! and class names.

use std::fmt;

/// A known data set. Both use the same IDX files: 28x28 u8 pictures and u8
/// labels in 0..10, 60,000 for training and 10,000 for testing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    /// Handwritten digits (LeCun, Cortes, Burges). Shipped in this repository.
    Mnist,
    /// Zalando's pictures of clothes. From Debian's `dataset-fashion-mnist`
    /// package (installed in `/usr/share/datasets/fashion-mnist/`).
    FashionMnist,
}

/// Which half of a data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// The 60,000 training examples.
    Train,
    /// The 10,000 test examples.
    Test,
}

/// Whether a file holds the pictures or the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileRole {
    /// `*-images-idx3-ubyte`: `[n, 28, 28]` u8.
    Images,
    /// `*-labels-idx1-ubyte`: `[n]` u8.
    Labels,
}

/// One file of a known data set with everything needed to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownFile {
    /// The data set.
    pub kind: DatasetKind,
    /// The split.
    pub split: Split,
    /// Images or labels.
    pub role: FileRole,
    /// File name of the raw IDX file; the gzipped one adds `.gz`.
    pub name: &'static str,
    /// Length of the raw (decompressed) file in bytes.
    pub len: u64,
    /// SHA-256 of the raw (decompressed) file, hex. Compressed files are not
    /// pinned because mirrors re-compress them.
    pub sha256: &'static str,
}

impl KnownFile {
    /// A human name for messages, e.g. "MNIST train images".
    pub fn describe(&self) -> String {
        let role = match self.role {
            FileRole::Images => "images",
            FileRole::Labels => "labels",
        };
        format!("{} {} {}", self.kind, self.split, role)
    }
}

const N_TRAIN: u64 = 60_000;
const N_TEST: u64 = 10_000;
const PIXELS: u64 = 28 * 28;

const fn known(kind: DatasetKind, split: Split, role: FileRole, name: &'static str, sha256: &'static str) -> KnownFile {
    let n = match split {
        Split::Train => N_TRAIN,
        Split::Test => N_TEST,
    };
    let len = match role {
        FileRole::Images => 16 + n * PIXELS,
        FileRole::Labels => 8 + n,
    };
    KnownFile { kind, split, role, name, len, sha256 }
}

use DatasetKind::{FashionMnist, Mnist};
use FileRole::{Images, Labels};
use Split::{Test, Train};

/// Every pinned file. The hashes are those in `data/mnist/README.md`.
pub const KNOWN_FILES: [KnownFile; 8] = [
    known(
        Mnist,
        Train,
        Images,
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    known(
        Mnist,
        Train,
        Labels,
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    known(
        Mnist,
        Test,
        Images,
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    known(
        Mnist,
        Test,
        Labels,
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
    known(
        FashionMnist,
        Train,
        Images,
        "train-images-idx3-ubyte",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    known(
        FashionMnist,
        Train,
        Labels,
        "train-labels-idx1-ubyte",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    known(
        FashionMnist,
        Test,
        Images,
        "t10k-images-idx3-ubyte",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    known(
        FashionMnist,
        Test,
        Labels,
        "t10k-labels-idx1-ubyte",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
];

impl DatasetKind {
    /// Number of classes (10 for both).
    pub const CLASSES: usize = 10;

    /// The directory name used under every search root, e.g. `mnist`.
    pub fn dir_name(self) -> &'static str {
        match self {
            Mnist => "mnist",
            FashionMnist => "fashion-mnist",
        }
    }

    /// The pinned description of one file.
    pub fn file(self, split: Split, role: FileRole) -> &'static KnownFile {
        KNOWN_FILES
            .iter()
            .find(|f| f.kind == self && f.split == split && f.role == role)
            .expect("KNOWN_FILES covers every kind, split and role")
    }

    /// The names of the classes, index = label.
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            Mnist => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            FashionMnist => [
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ],
        }
    }

    /// Base URLs of public mirrors serving `<name>.gz`, tried in order by the
    /// downloader.
    pub fn mirrors(self) -> &'static [&'static str] {
        match self {
            Mnist => &[
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                "https://storage.googleapis.com/cvdf-datasets/mnist/",
                "http://yann.lecun.com/exdb/mnist/",
            ],
            FashionMnist => &[
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
            ],
        }
    }

    /// How to obtain the files when none of the searched places has them.
    pub fn how_to_get(self) -> &'static str {
        match self {
            Mnist => {
                "MNIST ships with the repository in datasets/data/mnist/ (restore it with \
                      `git checkout -- datasets/data`), or point SINAPSE_DATA at a directory \
                      holding mnist/ with the four IDX files (raw or .gz)"
            }
            FashionMnist => {
                "install Debian's package with `apt-get install dataset-fashion-mnist` \
                             (files land in /usr/share/datasets/fashion-mnist/), or point \
                             SINAPSE_DATA at a directory holding fashion-mnist/ with the four IDX \
                             files (raw or .gz)"
            }
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mnist => "MNIST",
            FashionMnist => "Fashion-MNIST",
        })
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Train => "train",
            Test => "test",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_pinned_once() {
        for kind in [Mnist, FashionMnist] {
            for split in [Train, Test] {
                for role in [Images, Labels] {
                    let f = kind.file(split, role);
                    assert_eq!(f.sha256.len(), 64);
                }
            }
        }
        assert_eq!(Mnist.file(Train, Images).len, 47_040_016);
        assert_eq!(Mnist.file(Test, Labels).len, 10_008);
        assert_eq!(FashionMnist.file(Test, Labels).describe(), "Fashion-MNIST test labels");
    }
}
