//! MNIST from the four gzipped IDX files the page fetches: decompressed,
//! checked against the SHA-256s the datasets crate pins, and kept as bytes.
//!
//! The images stay `u8` (47 MB for the training set, a quarter of what
//! `f32` would take in the page's memory); a batch becomes `x = p / 255` only
//! when it is used, as the course divides by 255.

use sha2::{Digest, Sha256};
use sinapse_datasets::{decompress_idx, DatasetError, DatasetKind, FileRole, IdxError, IdxFile, KnownFile, Split};
use thiserror::Error;

/// Pixels per image: 28 x 28.
pub const PIXELS: usize = 28 * 28;
/// The ten digits.
pub const CLASSES: usize = 10;

/// A data file the page sent that cannot be used.
#[derive(Debug, Error)]
pub enum DataError {
    /// Not gzip, or not an IDX file inside.
    #[error("{file}: {source}")]
    Unreadable {
        /// Which file, e.g. "MNIST train images".
        file: String,
        /// What is wrong.
        #[source]
        source: DatasetError,
    },
    /// A valid file, but not the one MNIST publishes.
    #[error("{file}: SHA-256 {actual} differs from MNIST's {expected}: the file is corrupt or another data set")]
    Checksum {
        /// Which file.
        file: String,
        /// The pinned hash.
        expected: &'static str,
        /// The hash of what arrived.
        actual: String,
    },
    /// The IDX header does not describe 28x28 images or labels 0..9.
    #[error("{file}: {source}")]
    Shape {
        /// Which file.
        file: String,
        /// What is wrong.
        #[source]
        source: IdxError,
    },
}

/// One split of MNIST: `count` images of 784 bytes and their labels.
#[derive(Clone, Debug)]
pub struct Digits {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl Digits {
    /// Decompresses and checks a split's images and labels files.
    pub fn from_gz(split: Split, images_gz: &[u8], labels_gz: &[u8]) -> Result<Digits, DataError> {
        let images = checked(DatasetKind::Mnist.file(split, FileRole::Images), images_gz)?;
        let labels = checked(DatasetKind::Mnist.file(split, FileRole::Labels), labels_gz)?;
        // The checksums pin both files, so the shapes below are MNIST's; they
        // are read from the headers all the same rather than assumed.
        let image_file = DatasetKind::Mnist.file(split, FileRole::Images);
        let label_file = DatasetKind::Mnist.file(split, FileRole::Labels);
        let idx_images = parse(&images, image_file)?;
        let idx_labels = parse(&labels, label_file)?;
        let (n, rows, cols) = idx_images.as_images().map_err(|source| shape(image_file, source))?;
        debug_assert_eq!(rows * cols, PIXELS, "pinned MNIST images are 28x28");
        let n_labels = idx_labels.as_labels(CLASSES).map_err(|source| shape(label_file, source))?;
        debug_assert_eq!(n, n_labels, "pinned MNIST files agree on the count");
        Ok(Digits { pixels: idx_images.data().to_vec(), labels: idx_labels.data().to_vec() })
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i` as `p / 255`, 784 values in `[0, 1]`.
    pub fn image(&self, i: usize) -> Vec<f32> {
        self.pixels[i * PIXELS..(i + 1) * PIXELS].iter().map(|&p| f32::from(p) / 255.0).collect()
    }

    /// The label of image `i`.
    pub fn label(&self, i: usize) -> usize {
        usize::from(self.labels[i])
    }

    /// The images at `indices`, one after the other, as `p / 255`.
    pub fn gather_pixels(&self, indices: &[usize]) -> Vec<f32> {
        let mut out = Vec::with_capacity(indices.len() * PIXELS);
        for &i in indices {
            out.extend(self.pixels[i * PIXELS..(i + 1) * PIXELS].iter().map(|&p| f32::from(p) / 255.0));
        }
        out
    }

    /// The labels at `indices` as one-hot rows: `3 -> [0, 0, 0, 1, 0, ...]`.
    pub fn gather_one_hot(&self, indices: &[usize]) -> Vec<f32> {
        let mut out = vec![0.0; indices.len() * CLASSES];
        for (row, &i) in indices.iter().enumerate() {
            out[row * CLASSES + self.label(i)] = 1.0;
        }
        out
    }
}

fn parse<'a>(bytes: &'a [u8], known: &KnownFile) -> Result<IdxFile<'a>, DataError> {
    IdxFile::parse(bytes).map_err(|source| shape(known, source))
}

fn shape(known: &KnownFile, source: IdxError) -> DataError {
    DataError::Shape { file: known.describe(), source }
}

/// The decompressed bytes of `gz`, which must be the file `known`.
fn checked(known: &KnownFile, gz: &[u8]) -> Result<Vec<u8>, DataError> {
    let raw = decompress_idx(gz).map_err(|source| DataError::Unreadable { file: known.describe(), source })?;
    let actual: String = Sha256::digest(&raw).iter().map(|b| format!("{b:02x}")).collect();
    if actual != known.sha256 {
        return Err(DataError::Checksum { file: known.describe(), expected: known.sha256, actual });
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn mnist_file(name: &str) -> Vec<u8> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/data/mnist");
        std::fs::read(dir.join(name)).expect("the repository ships MNIST")
    }

    #[test]
    fn the_shipped_test_split_loads_and_matches_its_labels() {
        let test = Digits::from_gz(
            Split::Test,
            &mnist_file("t10k-images-idx3-ubyte.gz"),
            &mnist_file("t10k-labels-idx1-ubyte.gz"),
        )
        .unwrap();
        assert_eq!(test.len(), 10_000);
        // MNIST's first test image is a 7.
        assert_eq!(test.label(0), 7);
        let x = test.image(0);
        assert_eq!(x.len(), PIXELS);
        assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)) && x.contains(&1.0));
        assert_eq!(test.gather_pixels(&[0]), x);
        assert_eq!(test.gather_one_hot(&[0])[7], 1.0);
    }

    #[test]
    fn swapped_files_and_corrupt_bytes_are_refused_with_the_file_named() {
        let images = mnist_file("t10k-images-idx3-ubyte.gz");
        let labels = mnist_file("t10k-labels-idx1-ubyte.gz");
        // The test files offered as the training split: valid IDX, wrong data.
        let err = Digits::from_gz(Split::Train, &images, &labels).unwrap_err();
        assert!(matches!(err, DataError::Checksum { .. }), "{err}");
        assert!(err.to_string().contains("MNIST train images"), "{err}");
        // Labels where the images should be.
        let err = Digits::from_gz(Split::Test, &labels, &labels).unwrap_err();
        assert!(matches!(err, DataError::Checksum { .. }), "{err}");
        // A truncated download.
        let err = Digits::from_gz(Split::Test, &images[..images.len() / 2], &labels).unwrap_err();
        assert!(matches!(err, DataError::Unreadable { .. }), "{err}");
        // Not gzip at all (an HTML error page, say).
        let err = Digits::from_gz(Split::Test, b"<html>404</html>", &labels).unwrap_err();
        assert!(matches!(err, DataError::Unreadable { .. }), "{err}");
    }
}
