//! The cache directory and the one way files are written into it: a
//! temporary file in the same directory, synced, then renamed over the final
//! name. Readers therefore see either no file or a complete, verified one;
//! never half a file, even if the process dies mid-write.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{DatasetError, Result};

/// The environment variable that overrides the cache directory.
pub const CACHE_ENV: &str = "SINAPSE_CACHE";

/// The cache directory from the process environment: `$SINAPSE_CACHE`, else
/// `$XDG_CACHE_HOME/sinapse`, else `$HOME/.cache/sinapse`; `None` when none of
/// these is set.
pub fn default_cache_dir() -> Option<PathBuf> {
    cache_dir_from(|name| std::env::var_os(name))
}

/// [`default_cache_dir`] with the environment supplied by `get`, so the rule
/// can be tested without touching the process environment. Empty values
/// count as unset.
pub fn cache_dir_from(get: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let get = |name: &str| get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    get(CACHE_ENV)
        .or_else(|| get("XDG_CACHE_HOME").map(|d| d.join("sinapse")))
        .or_else(|| get("HOME").map(|d| d.join(".cache").join("sinapse")))
}

/// Writes `dest` atomically: `fill` writes into a temporary file next to it,
/// which is synced and renamed to `dest` only if `fill` succeeds. On any
/// error the temporary file is removed and `dest` is left untouched.
pub(crate) fn write_atomic<T>(dest: &Path, fill: impl FnOnce(&mut fs::File) -> Result<T>) -> Result<T> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| DatasetError::io(dir, "create directory", e))?;
    // Same directory as `dest`, so the rename cannot cross file systems.
    let mut tmp = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(dir)
        .map_err(|e| DatasetError::io(dir, "create a temporary file in", e))?;
    // Dropping `tmp` on the error paths below deletes the temporary file.
    let value = fill(tmp.as_file_mut())?;
    tmp.as_file_mut()
        .flush()
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| DatasetError::io(tmp.path(), "write", e))?;
    tmp.persist(dest).map_err(|e| DatasetError::io(dest, "rename into place", e.error))?;
    Ok(value)
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lower-case hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_follows_the_documented_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
        };
        let all = env(&[("SINAPSE_CACHE", "/c"), ("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(cache_dir_from(all), Some(PathBuf::from("/c")));
        let xdg = env(&[("SINAPSE_CACHE", ""), ("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(cache_dir_from(xdg), Some(PathBuf::from("/x/sinapse")));
        let home = env(&[("HOME", "/h")]);
        assert_eq!(cache_dir_from(home), Some(PathBuf::from("/h/.cache/sinapse")));
        assert_eq!(cache_dir_from(env(&[])), None);
    }

    #[test]
    fn failed_atomic_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub").join("file");
        let r: Result<()> = write_atomic(&dest, |f| {
            f.write_all(b"half").unwrap();
            Err(DatasetError::Config("stop".into()))
        });
        assert!(r.is_err());
        assert!(!dest.exists());
        assert_eq!(fs::read_dir(dest.parent().unwrap()).unwrap().count(), 0);
        write_atomic(&dest, |f| f.write_all(b"whole").map_err(|e| DatasetError::io(&dest, "write", e))).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"whole");
    }

    #[test]
    fn hex_digest() {
        assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
