//! Where data files are looked for, in a documented order.
//!
//! For a data set `kind`, [`DataSource::places`] lists, first to last:
//!
//! 1. the explicit directory ([`DataSource::dir`]), which holds the files
//!    themselves;
//! 2. `$SINAPSE_DATA/<kind>/` (`<kind>` is `mnist` or `fashion-mnist`);
//! 3. the copy shipped in this repository, `datasets/data/mnist/` (MNIST only;
//!    found through the crate's manifest directory at compile time);
//! 4. the user's cache, `<cache>/<kind>/` (see [`crate::default_cache_dir`]),
//!    where downloads and decompressed copies go;
//! 5. the system location `/usr/share/datasets/<kind>/`, where Debian's
//!    `dataset-fashion-mnist` package installs Fashion-MNIST.
//!
//! The first place that holds both files of the wanted split wins. Each file
//! may be raw (`train-images-idx3-ubyte`, memory-mapped in place) or gzipped
//! (`train-images-idx3-ubyte.gz`, decompressed once into the cache); raw is
//! preferred when both exist.

use std::path::{Path, PathBuf};

use crate::cache::default_cache_dir;
use crate::error::Searched;
use crate::kind::{DatasetKind, FileRole, Split};

/// The environment variable naming a data root that holds `mnist/` and
/// `fashion-mnist/`.
pub const DATA_ENV: &str = "SINAPSE_DATA";

/// The system-wide root where Debian installs data set packages.
pub const SYSTEM_DATA_DIR: &str = "/usr/share/datasets";

/// The places to search, and the cache to decompress into. Build it with
/// [`DataSource::standard`] (reads the environment) or [`DataSource::dir`],
/// then adjust with the `with_*` methods; every field can be set to `None`
/// to skip that place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSource {
    /// 1. A directory that holds the files directly.
    pub explicit: Option<PathBuf>,
    /// 2. A data root with one subdirectory per kind (from `SINAPSE_DATA`).
    pub env_root: Option<PathBuf>,
    /// 3. The repository's data root (`datasets/data`).
    pub repo_root: Option<PathBuf>,
    /// 4. The cache root: searched, and written to when decompressing.
    pub cache_root: Option<PathBuf>,
    /// 5. The system data root (`/usr/share/datasets`).
    pub system_root: Option<PathBuf>,
}

/// Which rung of the search order a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// The explicit directory.
    Explicit,
    /// Under `$SINAPSE_DATA`.
    Env,
    /// The repository's copy.
    Repository,
    /// The user's cache.
    Cache,
    /// The system location.
    System,
}

/// A directory to search and why it is on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Which rung of the order.
    pub kind: PlaceKind,
    /// The directory that should hold the files.
    pub dir: PathBuf,
}

/// How a file was found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// An uncompressed IDX file.
    Raw(PathBuf),
    /// A gzipped IDX file.
    Gzip(PathBuf),
}

impl Found {
    /// The path of the file.
    pub fn path(&self) -> &Path {
        match self {
            Found::Raw(p) | Found::Gzip(p) => p,
        }
    }
}

impl DataSource {
    /// All five places from the environment: `SINAPSE_DATA`, the
    /// repository copy, the cache directory and `/usr/share/datasets`.
    pub fn standard() -> DataSource {
        DataSource {
            explicit: None,
            env_root: std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()).map(PathBuf::from),
            repo_root: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("data")),
            cache_root: default_cache_dir(),
            system_root: Some(PathBuf::from(SYSTEM_DATA_DIR)),
        }
    }

    /// [`DataSource::standard`] with `dir`, which holds the files
    /// themselves, searched first.
    pub fn dir(dir: impl Into<PathBuf>) -> DataSource {
        DataSource { explicit: Some(dir.into()), ..DataSource::standard() }
    }

    /// Only `dir` is searched (no environment, repository, cache or system
    /// place) and gzipped files are decompressed in memory. Useful for tests
    /// and for data that must come from one place.
    pub fn only(dir: impl Into<PathBuf>) -> DataSource {
        DataSource { explicit: Some(dir.into()), ..DataSource::default() }
    }

    /// Replaces the cache root (searched, and where decompressed files go).
    pub fn with_cache(mut self, cache_root: Option<PathBuf>) -> DataSource {
        self.cache_root = cache_root;
        self
    }

    /// The directories to search for `kind`, in order.
    pub fn places(&self, kind: DatasetKind) -> Vec<Place> {
        self.rungs(kind).into_iter().filter_map(|(kind, dir)| dir.map(|dir| Place { kind, dir })).collect()
    }

    /// Every rung of the order, with its directory when it has one.
    fn rungs(&self, kind: DatasetKind) -> [(PlaceKind, Option<PathBuf>); 5] {
        let sub = |root: &Option<PathBuf>| root.as_ref().map(|r| r.join(kind.dir_name()));
        let repo = match kind {
            // Only MNIST is shipped in the repository.
            DatasetKind::Mnist => sub(&self.repo_root),
            DatasetKind::FashionMnist => None,
        };
        [
            (PlaceKind::Explicit, self.explicit.clone()),
            (PlaceKind::Env, sub(&self.env_root)),
            (PlaceKind::Repository, repo),
            (PlaceKind::Cache, sub(&self.cache_root)),
            (PlaceKind::System, sub(&self.system_root)),
        ]
    }

    /// Finds the images and labels files of one split: the first place that
    /// has both. On failure, returns one line per place saying what it
    /// lacked, ready for [`crate::DatasetError::NotFound`].
    pub fn locate(&self, kind: DatasetKind, split: Split) -> Result<(Place, Found, Found), Searched> {
        let mut searched = Searched::default();
        let images = kind.file(split, FileRole::Images).name;
        let labels = kind.file(split, FileRole::Labels).name;
        for (rung, dir) in self.rungs(kind) {
            let Some(dir) = dir else {
                // Say why an expected rung was skipped; the explicit
                // directory, the repository and the system place need no note.
                match rung {
                    PlaceKind::Env => {
                        searched.0.push((format!("${DATA_ENV} (Env)"), "not set (or not searched)".into()))
                    }
                    PlaceKind::Cache => searched.0.push((
                        "cache (Cache)".into(),
                        "no cache directory (SINAPSE_CACHE, XDG_CACHE_HOME and HOME unset, or not searched)".into(),
                    )),
                    _ => {}
                }
                continue;
            };
            let label = format!("{} ({rung:?})", dir.display());
            if !dir.is_dir() {
                searched.0.push((label, "no such directory".into()));
                continue;
            }
            match (find_file(&dir, images), find_file(&dir, labels)) {
                (Some(i), Some(l)) => return Ok((Place { kind: rung, dir }, i, l)),
                (i, l) => {
                    let missing: Vec<&str> = [(i.is_none(), images), (l.is_none(), labels)]
                        .into_iter()
                        .filter_map(|(miss, name)| miss.then_some(name))
                        .collect();
                    searched.0.push((label, format!("no {} (raw or .gz)", missing.join(" nor "))));
                }
            }
        }
        Err(searched)
    }
}

/// `dir/name` if it is a file, else `dir/name.gz` if that is.
fn find_file(dir: &Path, name: &str) -> Option<Found> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Some(Found::Raw(raw));
    }
    let gz = dir.join(format!("{name}.gz"));
    gz.is_file().then_some(Found::Gzip(gz))
}
