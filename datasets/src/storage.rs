//! Where the bytes of an IDX file live: a read-only memory map, or a buffer
//! when the file had to be decompressed without a writable cache.

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::error::{DatasetError, Result};

/// The bytes of one whole IDX file (header included).
#[derive(Debug)]
pub(crate) enum Bytes {
    /// A read-only map of a file on disk.
    Mapped(Mmap),
    /// Bytes held in memory.
    Owned(Vec<u8>),
}

impl Bytes {
    /// All the bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }

    /// Whether the bytes are a memory map (no copy was made).
    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self, Bytes::Mapped(_))
    }
}

/// Maps `path` read-only. This is the crate's only `unsafe` block.
///
/// An empty file cannot be mapped on every platform, so it is returned as an
/// empty buffer instead (the IDX parser then rejects it as truncated).
pub(crate) fn map_file(path: &Path) -> Result<Bytes> {
    let file = File::open(path).map_err(|e| DatasetError::io(path, "open", e))?;
    let len = file.metadata().map_err(|e| DatasetError::io(path, "stat", e))?.len();
    if len == 0 {
        return Ok(Bytes::Owned(Vec::new()));
    }
    // SAFETY: `Mmap::map` is unsafe because the file could be changed or
    // truncated by another process while mapped, which would change bytes
    // behind a `&[u8]` or fault on access. We map read-only, and only two
    // kinds of file: ones this crate wrote into its cache (published by an
    // atomic rename, never rewritten in place: a refresh renames a new inode
    // over the name, which leaves existing maps intact), and data files the
    // user pointed us at, which are input data nobody is expected to edit
    // during a run. The length is validated once, right after mapping, and
    // every later access is within that length; the contents are checked
    // against the pinned SHA-256 for known files. A concurrent truncation of
    // a user file remains outside what we can defend against, as with any
    // memory-mapped reader.
    let map = unsafe { Mmap::map(&file) }.map_err(|e| DatasetError::io(path, "map", e))?;
    Ok(Bytes::Mapped(map))
}
