//! # sinapse-datasets
//!
//! MNIST and Fashion-MNIST for sinapse: found on disk without set-up,
//! checked against pinned checksums, memory-mapped, and served as batches of
//! [`sinapse_tensor::Tensor<f32>`].
//!
//! ```no_run
//! use sinapse_datasets::{BatchConfig, Batches, DataSource, ImageLayout, Mnist, Split};
//!
//! let train = Mnist::load(Split::Train, &DataSource::standard())?;
//! assert_eq!(train.len(), 60_000);
//! let (train, valid) = train.split_last(10_000)?;
//! let batches = Batches::new(train, BatchConfig {
//!     batch_size: 64,
//!     shuffle_seed: Some(42),
//!     drop_last: false,
//!     layout: ImageLayout::Flat,
//! })?;
//! for epoch in 0..3 {
//!     for batch in batches.epoch(epoch) {
//!         // batch.images: [64, 784] in [0, 1]; batch.one_hot: [64, 10]
//!         let _ = (&batch.images, &batch.labels, &batch.one_hot);
//!     }
//! }
//! # let _ = valid;
//! # Ok::<(), sinapse_datasets::DatasetError>(())
//! ```
//!
//! ## Where the data comes from
//!
//! MNIST is shipped in this repository (`datasets/data/mnist/`, gzipped) so
//! that everything works offline. Fashion-MNIST comes from Debian's
//! `dataset-fashion-mnist` package. The search order (explicit directory,
//! `SINAPSE_DATA`, repository copy, cache, `/usr/share/datasets`) is
//! described in [`DataSource`]; a directory named explicitly is the only
//! place searched. Gzipped files are decompressed once into the cache
//! directory ([`default_cache_dir`]), under the SHA-256 of the compressed
//! bytes, and memory-mapped from there. [`Dataset::provenance`] says which
//! files a split was read from.
//!
//! ## From bytes to numbers
//!
//! A picture is `28 x 28` bytes `p[r][c]` in `0..=255`. The network sees
//! `x = p / 255` (exactly `p as f32 / 255.0`), so `x` is in `[0, 1]`.
//! Flattening reads the rows one after the other: `x[28 r + c] = p[r][c] / 255`,
//! a vector of 784. A label `y` in `0..10` becomes the one-hot vector
//! `e_y` with `e_y[k] = 1` if `k = y` and `0` otherwise.

#![warn(missing_docs)]

mod batch;
mod cache;
mod convert;
mod dataset;
#[cfg(feature = "download")]
pub mod download;
mod error;
mod font;
mod grid;
mod gunzip;
pub mod idx;
mod kind;
mod load;
mod provenance;
mod source;
mod storage;
mod subset;

pub use batch::{Batch, BatchConfig, Batches, Epoch, ImageLayout};
pub use cache::{cache_dir_from, default_cache_dir, CACHE_ENV};
pub use convert::{one_hot, pixels_to_f32, PIXEL_SCALE};
pub use dataset::{Dataset, IdxImages, IdxLabels};
pub use error::{DatasetError, Result, Searched};
pub use grid::{save_grid, GridTile};
pub use gunzip::decompress_idx;
pub use idx::{IdxError, IdxFile, IdxHeader};
pub use kind::{DatasetKind, FileRole, KnownFile, Split, KNOWN_FILES};
pub use load::{FashionMnist, Mnist};
pub use provenance::Provenance;
pub use source::{DataSource, Found, Place, PlaceKind, DATA_ENV, SYSTEM_DATA_DIR};
pub use subset::Subset;
