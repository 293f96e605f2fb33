//! Fetching missing files from public mirrors (cargo feature `download`).
//!
//! Each file is requested as `<mirror><name>.gz` from the mirrors in turn.
//! The body is decompressed as it arrives, straight into a temporary file in
//! the cache; the SHA-256 of the decompressed bytes must equal the pinned one
//! before the file is renamed into place as `<cache>/<kind>/<name>`. A mirror
//! that fails (no answer, an HTTP error, a corrupt or wrong payload) is
//! skipped for the next; a failed attempt leaves nothing in the cache.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cache::{hex, write_atomic};
use crate::dataset::Dataset;
use crate::error::{DatasetError, Result, Searched};
use crate::gunzip::gunzip_idx;
use crate::kind::{DatasetKind, FileRole, KnownFile, Split};
use crate::load::is_valid_copy;
use crate::source::DataSource;

/// The largest compressed body accepted (the biggest real one, Fashion-MNIST
/// training images, is 26 MB).
const MAX_BODY: u64 = 256 << 20;

/// Downloads known files into a cache directory.
#[derive(Debug, Clone)]
pub struct Downloader {
    /// Base URLs tried in order; `<name>.gz` is appended (a `/` is inserted
    /// if missing).
    pub mirrors: Vec<String>,
    /// The cache root; files land in `<cache_root>/<kind>/<name>`.
    pub cache_root: PathBuf,
    /// Show a progress bar on standard error (drawn only on a terminal).
    pub progress: bool,
    /// Give up on one mirror after this long.
    pub timeout: Duration,
    /// Honour `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` from the environment.
    pub env_proxy: bool,
}

impl Downloader {
    /// A downloader for `kind` using its public mirrors
    /// ([`DatasetKind::mirrors`]), with a progress bar.
    pub fn new(kind: DatasetKind, cache_root: impl Into<PathBuf>) -> Downloader {
        Downloader {
            mirrors: kind.mirrors().iter().map(|m| m.to_string()).collect(),
            cache_root: cache_root.into(),
            progress: true,
            timeout: Duration::from_secs(300),
            env_proxy: true,
        }
    }

    /// Where `file` is stored once downloaded.
    pub fn target(&self, file: &KnownFile) -> PathBuf {
        self.cache_root.join(file.kind.dir_name()).join(file.name)
    }

    /// Downloads `file` unless the cache already has it; returns its path.
    pub fn fetch(&self, file: &KnownFile) -> Result<PathBuf> {
        let target = self.target(file);
        if is_valid_copy(&target, file) {
            return Ok(target);
        }
        let mut attempts = Searched::default();
        for mirror in &self.mirrors {
            let sep = if mirror.ends_with('/') { "" } else { "/" };
            let url = format!("{mirror}{sep}{}.gz", file.name);
            match self.fetch_from(&url, file, &target) {
                Ok(()) => return Ok(target),
                Err(reason) => attempts.0.push((url, reason)),
            }
        }
        Err(DatasetError::Download { file: file.describe(), attempts })
    }

    /// Downloads both files of one split.
    pub fn fetch_split(&self, kind: DatasetKind, split: Split) -> Result<()> {
        for role in [FileRole::Images, FileRole::Labels] {
            self.fetch(kind.file(split, role))?;
        }
        Ok(())
    }

    /// One attempt; the error is a one-line reason for the report.
    fn fetch_from(&self, url: &str, file: &KnownFile, target: &std::path::Path) -> Result<(), String> {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(Duration::from_secs(20)));
        if !self.env_proxy {
            config = config.proxy(None);
        }
        let agent: ureq::Agent = config.build().into();
        let response = agent.get(url).call().map_err(|e| e.to_string())?;
        let body = response.into_body();
        let bar = self.progress_bar(body.content_length(), file);
        let reader = bar.wrap_read(body.into_with_config().limit(MAX_BODY).reader());
        let result = self.store(url, reader, file, target);
        bar.finish_and_clear();
        result.map_err(|e| match e {
            // The URL is already on the report line: keep just the reason.
            DatasetError::Idx { source, .. } => source.to_string(),
            DatasetError::Gzip { source, .. } => format!("corrupt gzip data: {source}"),
            other => other.to_string(),
        })
    }

    /// Decompresses `reader` into a temporary file next to `target` and
    /// renames it into place only if the pinned SHA-256 matches.
    fn store(&self, url: &str, reader: impl Read, file: &KnownFile, target: &std::path::Path) -> Result<()> {
        write_atomic(target, |out| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
            let decoded = gunzip_idx(std::path::Path::new(url), reader, &mut out, Some(file.len))?;
            let actual = hex(&decoded.sha256);
            if actual != file.sha256 {
                return Err(DatasetError::ChecksumMismatch {
                    path: url.into(),
                    what: file.describe(),
                    expected: file.sha256.into(),
                    actual,
                });
            }
            out.into_inner().map_err(|e| DatasetError::io(target, "write", e.into_error()))?;
            Ok(())
        })
    }

    fn progress_bar(&self, len: Option<u64>, file: &KnownFile) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len.unwrap_or(0));
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(file.describe());
        bar
    }
}

impl DatasetKind {
    /// [`DatasetKind::load`], and if no place has the files, downloads them
    /// with `downloader` (e.g. [`Downloader::new`] on the source's cache
    /// root) and loads them from its cache, the one place then searched (the
    /// dataset's [`provenance`](Dataset::provenance) says so).
    pub fn load_or_download(self, split: Split, source: &DataSource, downloader: &Downloader) -> Result<Dataset> {
        match self.load(split, source) {
            Err(DatasetError::NotFound { .. }) => {
                downloader.fetch_split(self, split)?;
                let cache = DataSource::default().with_cache(Some(downloader.cache_root.clone()));
                self.load(split, &cache)
            }
            other => other,
        }
    }
}
