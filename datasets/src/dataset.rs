//! Validated images and labels, served as zero-copy byte views.

use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};
use crate::idx::{IdxError, IdxFile};
use crate::kind::{DatasetKind, Split};
use crate::provenance::Provenance;
use crate::source::Place;
use crate::storage::Bytes;

/// An IDX images file: `len()` pictures of `rows x cols` u8 pixels (0 =
/// background, 255 = ink for MNIST), stored row-major.
#[derive(Debug)]
pub struct IdxImages {
    bytes: Bytes,
    path: PathBuf,
    offset: usize,
    count: usize,
    rows: usize,
    cols: usize,
}

impl IdxImages {
    /// Wraps validated bytes: an IDX file of rank 3 with non-empty pictures.
    pub(crate) fn from_storage(bytes: Bytes, path: PathBuf) -> Result<IdxImages> {
        let (header_len, (count, rows, cols)) = {
            let file = IdxFile::parse(bytes.as_slice()).map_err(|e| DatasetError::idx(&path, e))?;
            let shape = file.as_images().map_err(|e| DatasetError::idx(&path, e))?;
            (file.header().header_len(), shape)
        };
        Ok(IdxImages { bytes, path, offset: header_len, count, rows, cols })
    }

    /// Parses an in-memory IDX images file (e.g. from a test or a network
    /// buffer). Nothing is copied beyond taking ownership of `bytes`.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<IdxImages, IdxError> {
        let file = IdxFile::parse(&bytes)?;
        let (count, rows, cols) = file.as_images()?;
        let offset = file.header().header_len();
        Ok(IdxImages { bytes: Bytes::Owned(bytes), path: PathBuf::from("<memory>"), offset, count, rows, cols })
    }

    /// Number of pictures.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no pictures.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Pixel rows per picture (28 for MNIST).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Pixel columns per picture (28 for MNIST).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Pixels per picture, `rows * cols` (784 for MNIST): the length of a
    /// flattened picture.
    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }

    /// Picture `i` as `rows * cols` bytes, row-major: pixel (r, c) is at
    /// `r * cols + c`. A view into the mapped file, no copy.
    ///
    /// # Panics
    /// If `i >= len()`, like slice indexing; see [`IdxImages::get`].
    pub fn image(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or_else(|| panic!("image index {i} out of range for {} images", self.count))
    }

    /// Picture `i`, or `None` when out of range.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        if i >= self.count {
            return None;
        }
        let n = self.pixels();
        let start = self.offset + i * n;
        self.bytes.as_slice().get(start..start + n)
    }

    /// All pixels of all pictures, `len() * pixels()` bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes.as_slice()[self.offset..]
    }

    /// The file the pictures came from (`<memory>` for [`IdxImages::from_bytes`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the pixels are served from a memory map rather than a buffer.
    pub fn is_mapped(&self) -> bool {
        self.bytes.is_mapped()
    }
}

/// An IDX labels file: one class index (u8) per picture.
#[derive(Debug)]
pub struct IdxLabels {
    bytes: Bytes,
    path: PathBuf,
    offset: usize,
    count: usize,
}

impl IdxLabels {
    /// Wraps validated bytes: an IDX file of rank 1, every value < `classes`.
    pub(crate) fn from_storage(bytes: Bytes, path: PathBuf, classes: usize) -> Result<IdxLabels> {
        let (offset, count) = {
            let file = IdxFile::parse(bytes.as_slice()).map_err(|e| DatasetError::idx(&path, e))?;
            let count = file.as_labels(classes).map_err(|e| DatasetError::idx(&path, e))?;
            (file.header().header_len(), count)
        };
        Ok(IdxLabels { bytes, path, offset, count })
    }

    /// Parses an in-memory IDX labels file whose values must be < `classes`.
    pub fn from_bytes(bytes: Vec<u8>, classes: usize) -> Result<IdxLabels, IdxError> {
        let file = IdxFile::parse(&bytes)?;
        let count = file.as_labels(classes)?;
        let offset = file.header().header_len();
        Ok(IdxLabels { bytes: Bytes::Owned(bytes), path: PathBuf::from("<memory>"), offset, count })
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Label `i`, a class index.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.as_slice()[i]
    }

    /// All labels.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes.as_slice()[self.offset..]
    }

    /// How many labels each class has, index = class.
    pub fn histogram(&self, classes: usize) -> Vec<usize> {
        let mut counts = vec![0; classes];
        for &l in self.as_slice() {
            if let Some(c) = counts.get_mut(l as usize) {
                *c += 1;
            }
        }
        counts
    }

    /// The file the labels came from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Images with their labels: one split of a data set.
#[derive(Debug)]
pub struct Dataset {
    images: IdxImages,
    labels: IdxLabels,
    classes: usize,
    kind: Option<DatasetKind>,
    split: Option<Split>,
    provenance: Option<Provenance>,
}

impl Dataset {
    /// Pairs images with labels of `classes` classes; they must agree on the
    /// count, and every label must be below `classes`.
    pub fn new(images: IdxImages, labels: IdxLabels, classes: usize) -> Result<Dataset> {
        if let Some(index) = labels.as_slice().iter().position(|&l| l as usize >= classes) {
            return Err(DatasetError::idx(
                &labels.path,
                IdxError::LabelOutOfRange { index, label: labels.label(index), classes },
            ));
        }
        if images.len() != labels.len() {
            return Err(DatasetError::CountMismatch {
                images: images.path.clone(),
                n_images: images.len(),
                labels: labels.path.clone(),
                n_labels: labels.len(),
            });
        }
        Ok(Dataset { images, labels, classes, kind: None, split: None, provenance: None })
    }

    /// Records which known data set, split and files this came from.
    pub(crate) fn with_origin(mut self, kind: DatasetKind, split: Split, provenance: Provenance) -> Dataset {
        self.kind = Some(kind);
        self.split = Some(split);
        self.provenance = Some(provenance);
        self
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Picture `i` as raw bytes (784 for MNIST, row-major 28x28), zero-copy.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        self.images.image(i)
    }

    /// Label of example `i`, a class index in `0..classes()`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels.label(i)
    }

    /// The pictures.
    pub fn images(&self) -> &IdxImages {
        &self.images
    }

    /// The labels.
    pub fn labels(&self) -> &IdxLabels {
        &self.labels
    }

    /// Number of classes (10 for MNIST and Fashion-MNIST): the width of a
    /// one-hot label.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Which known data set this is, if loaded as one.
    pub fn kind(&self) -> Option<DatasetKind> {
        self.kind
    }

    /// Which split this is, if loaded as a known data set.
    pub fn split(&self) -> Option<Split> {
        self.split
    }

    /// Where the files were found, if loaded through a [`crate::DataSource`].
    pub fn origin(&self) -> Option<&Place> {
        self.provenance.as_ref().map(|p| &p.place)
    }

    /// The files this was read from and whether they were verified, if
    /// loaded through a [`crate::DataSource`].
    pub fn provenance(&self) -> Option<&Provenance> {
        self.provenance.as_ref()
    }
}
