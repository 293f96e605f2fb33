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
//!
//! An explicit directory is a promise about where the data comes from: when
//! one is set it is the only place searched, so a folder that lacks a file,
//! or holds something other than a regular file under a data file's name,
//! is an error naming that folder and file, never a quiet fall back to
//! another copy. Only without one does the search go down the order above.

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

    /// The files of `dir` and nothing else: `dir` holds the files
    /// themselves, and no other place is searched (gzipped files are still
    /// decompressed into the standard cache, keyed by their content).
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

    /// The directories to search for `kind`, in order: the explicit
    /// directory alone when there is one, else the other four rungs.
    pub fn places(&self, kind: DatasetKind) -> Vec<Place> {
        self.rungs(kind).into_iter().filter_map(|(kind, dir)| dir.map(|dir| Place { kind, dir })).collect()
    }

    /// Every rung of the order, with its directory when it has one. An
    /// explicit directory is the only rung.
    fn rungs(&self, kind: DatasetKind) -> Vec<(PlaceKind, Option<PathBuf>)> {
        if let Some(dir) = &self.explicit {
            return vec![(PlaceKind::Explicit, Some(dir.clone()))];
        }
        let sub = |root: &Option<PathBuf>| root.as_ref().map(|r| r.join(kind.dir_name()));
        let repo = match kind {
            // Only MNIST is shipped in the repository.
            DatasetKind::Mnist => sub(&self.repo_root),
            DatasetKind::FashionMnist => None,
        };
        vec![
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
                (Ok(Some(i)), Ok(Some(l))) => return Ok((Place { kind: rung, dir }, i, l)),
                (i, l) => {
                    let mut problems: Vec<String> = [&i, &l].into_iter().filter_map(|r| r.clone().err()).collect();
                    let missing: Vec<&str> = [(&i, images), (&l, labels)]
                        .into_iter()
                        .filter_map(|(found, name)| matches!(found, Ok(None)).then_some(name))
                        .collect();
                    if !missing.is_empty() {
                        problems.insert(0, format!("no {} (raw or .gz)", missing.join(" nor ")));
                    }
                    searched.0.push((label, problems.join("; ")));
                }
            }
        }
        Err(searched)
    }
}

/// `dir/name` if it is a file, else `dir/name.gz` if that is; `None` when
/// neither exists. Something else under either name (a folder, a FIFO, a
/// device) is an error saying what it is: it is never opened, since reading
/// a FIFO would wait for a writer that may never come.
fn find_file(dir: &Path, name: &str) -> Result<Option<Found>, String> {
    let raw = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    for (path, found) in [(&raw, Found::Raw(raw.clone())), (&gz, Found::Gzip(gz.clone()))] {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => return Ok(Some(found)),
            Ok(meta) => return Err(format!("{} is {}, not a regular file", path.display(), file_type_name(&meta))),
            Err(_) => {}
        }
    }
    Ok(None)
}

/// What a non-regular file is, in words.
fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    "something else"
}
