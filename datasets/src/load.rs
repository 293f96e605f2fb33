//! Loading files into [`Dataset`]s: find them, decompress once into the cache
//! if gzipped, map them, check them against the pinned SHA-256.
//!
//! The cache is keyed by content: the decompressed copy of a `.gz` file lives
//! under the SHA-256 of the compressed bytes read on this run, so the file
//! the user pointed at is always read, and a damaged or replaced `.gz` can
//! never be answered by a copy of another one with the same name.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use crate::cache::{hex, sha256, write_atomic};
use crate::dataset::{Dataset, IdxImages, IdxLabels};
use crate::error::{DatasetError, Result};
use crate::gunzip::gunzip_idx;
use crate::idx::{IdxError, IdxFile, IdxHeader, MAX_DIMS};
use crate::kind::{DatasetKind, FileRole, KnownFile, Split};
use crate::provenance::Provenance;
use crate::source::{DataSource, Found};
use crate::storage::{map_file, Bytes};

/// The folder, inside a data set's cache folder, that holds decompressed
/// copies, one subfolder per SHA-256 of a compressed file.
const GUNZIPPED_DIR: &str = "gunzipped";

/// MNIST, the handwritten digits: `Mnist::load(Split::Train, &DataSource::standard())`.
#[derive(Debug, Clone, Copy)]
pub struct Mnist;

impl Mnist {
    /// Loads one split of MNIST; see [`DatasetKind::load`].
    pub fn load(split: Split, source: &DataSource) -> Result<Dataset> {
        DatasetKind::Mnist.load(split, source)
    }
}

/// Fashion-MNIST, Zalando's clothes: same format and sizes as MNIST.
#[derive(Debug, Clone, Copy)]
pub struct FashionMnist;

impl FashionMnist {
    /// Loads one split of Fashion-MNIST; see [`DatasetKind::load`].
    pub fn load(split: Split, source: &DataSource) -> Result<Dataset> {
        DatasetKind::FashionMnist.load(split, source)
    }
}

impl DatasetKind {
    /// Loads one split: finds the files in the order of [`DataSource`]
    /// (raw files are mapped in place, gzipped ones are decompressed once into
    /// the cache and mapped from there, or held in memory when there is no
    /// usable cache), checks magic, type, shape and length, that both files
    /// count the same examples, and the SHA-256 against the pinned one.
    /// Every failure names the file. The dataset's
    /// [`provenance`](Dataset::provenance) says which files were read.
    pub fn load(self, split: Split, source: &DataSource) -> Result<Dataset> {
        let images_file = self.file(split, FileRole::Images);
        let labels_file = self.file(split, FileRole::Labels);
        let (place, images, labels) = source.locate(self, split).map_err(|searched| DatasetError::NotFound {
            what: format!("{self} {split} split ({} and {}, raw or .gz)", images_file.name, labels_file.name),
            searched,
            hint: format!("To get it: {}.", self.how_to_get()),
        })?;
        check_counts(&images, &labels)?;
        let cache = source.cache_root.as_deref();
        let provenance = Provenance {
            place,
            images: images.path().to_path_buf(),
            labels: labels.path().to_path_buf(),
            verified: true,
        };
        let (bytes, path) = open_known(&images, images_file, cache)?;
        let images = IdxImages::from_storage(bytes, path)?;
        let (bytes, path) = open_known(&labels, labels_file, cache)?;
        let labels = IdxLabels::from_storage(bytes, path, DatasetKind::CLASSES)?;
        Ok(Dataset::new(images, labels, DatasetKind::CLASSES)?.with_origin(self, split, provenance))
    }
}

/// Reports images and labels files that disagree on the number of examples
/// before their checksums are compared, so the message says what is wrong
/// rather than only that the bytes differ. Headers that cannot be read are
/// left to the full checks that follow.
fn check_counts(images: &Found, labels: &Found) -> Result<()> {
    match (first_dim(images), first_dim(labels)) {
        (Some(n_images), Some(n_labels)) if n_images != n_labels => Err(DatasetError::CountMismatch {
            images: images.path().to_path_buf(),
            n_images,
            labels: labels.path().to_path_buf(),
            n_labels,
        }),
        _ => Ok(()),
    }
}

/// The number of examples an IDX file's header announces (its first
/// dimension), reading only the header; `None` if it cannot be read, or if a
/// raw file's length disagrees with it (then the structural check that
/// follows reports the truncation, the more basic fault).
fn first_dim(found: &Found) -> Option<usize> {
    let file = File::open(found.path()).ok()?;
    let file_len = file.metadata().ok()?.len();
    let mut head = Vec::with_capacity(4 + 4 * MAX_DIMS);
    let limit = (4 + 4 * MAX_DIMS) as u64;
    match found {
        Found::Raw(_) => file.take(limit).read_to_end(&mut head).ok()?,
        Found::Gzip(_) => MultiGzDecoder::new(BufReader::new(file)).take(limit).read_to_end(&mut head).ok()?,
    };
    let header = IdxHeader::parse_prefix(&head).ok()?;
    if matches!(found, Found::Raw(_)) && header.check_len(file_len).is_err() {
        return None;
    }
    header.dims().first().copied()
}

impl Dataset {
    /// Opens any pair of IDX files (raw or gzipped, told apart by the `.gz`
    /// suffix), with labels of `classes` classes. No checksum is checked and
    /// gzipped files are decompressed in memory, since nothing identifies
    /// them for the cache; use [`DatasetKind::load`] for the known data sets.
    pub fn open(images: &Path, labels: &Path, classes: usize) -> Result<Dataset> {
        let images = IdxImages::from_storage(open_any(images)?, images.to_path_buf())?;
        let labels = IdxLabels::from_storage(open_any(labels)?, labels.to_path_buf(), classes)?;
        Dataset::new(images, labels, classes)
    }
}

/// Bytes of an unknown IDX file: mapped if raw, decompressed in memory if gz.
fn open_any(path: &Path) -> Result<Bytes> {
    if path.extension().is_some_and(|e| e == "gz") {
        let file = File::open(path).map_err(|e| DatasetError::io(path, "open", e))?;
        let mut out = Vec::new();
        gunzip_idx(path, file, &mut out, None)?;
        Ok(Bytes::Owned(out))
    } else {
        map_file(path)
    }
}

/// Bytes of a pinned file, verified, and the path they are served from.
fn open_known(found: &Found, known: &KnownFile, cache: Option<&Path>) -> Result<(Bytes, PathBuf)> {
    match found {
        Found::Raw(path) => Ok((open_raw(path, known, true)?, path.clone())),
        Found::Gzip(gz) => open_gzip(gz, known, cache),
    }
}

/// Maps a raw pinned file, checks its structure and then (if `verify`) its
/// SHA-256. Structure first, so a malformed file reports what is wrong with
/// it rather than just a hash mismatch.
fn open_raw(path: &Path, known: &KnownFile, verify: bool) -> Result<Bytes> {
    let bytes = map_file(path)?;
    check_structure(bytes.as_slice(), known).map_err(|e| DatasetError::idx(path, e))?;
    if verify {
        check_sha(path, known, &sha256(bytes.as_slice()))?;
    }
    Ok(bytes)
}

/// The IDX checks for the file's role (images or labels), which come before
/// the checksum so a wrong file is described, not just called different.
fn check_structure(bytes: &[u8], known: &KnownFile) -> Result<(), IdxError> {
    let file = IdxFile::parse(bytes)?;
    match known.role {
        FileRole::Images => file.as_images().map(drop),
        FileRole::Labels => file.as_labels(DatasetKind::CLASSES).map(drop),
    }
}

/// Whether `path` is a complete, verified copy of `known`.
#[cfg(feature = "download")]
pub(crate) fn is_valid_copy(path: &Path, known: &KnownFile) -> bool {
    path.is_file() && open_raw(path, known, true).is_ok()
}

fn check_sha(path: &Path, known: &KnownFile, actual: &[u8; 32]) -> Result<()> {
    let actual = hex(actual);
    if actual != known.sha256 {
        return Err(DatasetError::ChecksumMismatch {
            path: path.into(),
            what: known.describe(),
            expected: known.sha256.into(),
            actual,
        });
    }
    Ok(())
}

/// A gzipped pinned file: reuse the verified copy that the cache holds for
/// these compressed bytes if there is one, else decompress into the cache
/// (atomically, verified before the rename), else, with no usable cache,
/// into memory.
fn open_gzip(gz: &Path, known: &KnownFile, cache: Option<&Path>) -> Result<(Bytes, PathBuf)> {
    if let Some(root) = cache {
        let target = cached_copy(root, known, &sha256_of_file(gz)?);
        // A stale or damaged cache entry is not fatal: it is rebuilt below.
        if target.is_file() {
            if let Ok(bytes) = open_raw(&target, known, true) {
                return Ok((bytes, target));
            }
        }
        match decompress_into_cache(gz, known, &target) {
            // We just wrote and hashed it: map without hashing again.
            Ok(()) => return Ok((open_raw(&target, known, false)?, target)),
            // An unwritable cache only costs memory; fall through.
            Err(DatasetError::Io { .. }) => {}
            // The source itself is bad: report it.
            Err(e) => return Err(e),
        }
    }
    let file = File::open(gz).map_err(|e| DatasetError::io(gz, "open", e))?;
    let mut out = Vec::new();
    let decoded = gunzip_idx(gz, file, &mut out, Some(known.len))?;
    check_sha(gz, known, &decoded.sha256)?;
    Ok((Bytes::Owned(out), gz.to_path_buf()))
}

/// Where the cache keeps the decompressed copy of the gzipped `known` file
/// whose compressed bytes have SHA-256 `gz_sha256`.
fn cached_copy(root: &Path, known: &KnownFile, gz_sha256: &[u8; 32]) -> PathBuf {
    root.join(known.kind.dir_name()).join(GUNZIPPED_DIR).join(hex(gz_sha256)).join(known.name)
}

/// SHA-256 of a file's bytes, read in pieces (a large file costs no memory).
fn sha256_of_file(path: &Path) -> Result<[u8; 32]> {
    let mut file = File::open(path).map_err(|e| DatasetError::io(path, "open", e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| DatasetError::io(path, "read", e))?;
    Ok(hasher.finalize().into())
}

fn decompress_into_cache(gz: &Path, known: &KnownFile, target: &Path) -> Result<()> {
    let input = File::open(gz).map_err(|e| DatasetError::io(gz, "open", e))?;
    write_atomic(target, |file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let decoded = gunzip_idx(gz, input, &mut out, Some(known.len))?;
        check_sha(gz, known, &decoded.sha256)?;
        out.into_inner().map_err(|e| DatasetError::io(target, "write", e.into_error()))?;
        Ok(())
    })
}
