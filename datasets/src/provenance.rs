//! Where a loaded split came from: the place in the search order, the two
//! files read, and whether their contents matched the pinned checksums. A
//! program prints it so that nobody trains on data without knowing which.

use std::fmt;
use std::path::PathBuf;

use crate::source::{Place, PlaceKind};

/// The files one split was read from and how far they were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The place of the search order that held the files.
    pub place: Place,
    /// The images file read, as found (raw or `.gz`).
    pub images: PathBuf,
    /// The labels file read, as found (raw or `.gz`).
    pub labels: PathBuf,
    /// Whether both files' contents matched the pinned SHA-256.
    pub verified: bool,
}

impl PlaceKind {
    /// The rung in words, for messages: "the folder given", "$SINAPSE_DATA", ...
    pub fn describe(self) -> &'static str {
        match self {
            PlaceKind::Explicit => "the folder given",
            PlaceKind::Env => "$SINAPSE_DATA",
            PlaceKind::Repository => "the repository's copy",
            PlaceKind::Cache => "the cache",
            PlaceKind::System => "the system copy",
        }
    }
}

impl fmt::Display for Provenance {
    /// `DIR (the repository's copy): IMAGES, LABELS, SHA-256 verified`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        write!(
            f,
            "{} ({}): {}, {}, {}",
            self.place.dir.display(),
            self.place.kind.describe(),
            name(&self.images),
            name(&self.labels),
            if self.verified { "SHA-256 verified" } else { "not verified" }
        )
    }
}
