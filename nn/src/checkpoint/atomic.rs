//! Replacing a file so that a crash never leaves it half-written.

use std::fs::File;
use std::io;
use std::path::Path;

/// Writes a file atomically: `write` fills a temporary file created in the
/// same directory as `path`, which is then flushed to disk (`fsync`) and
/// renamed over `path` (an atomic replacement on POSIX file systems); the
/// directory is synced too, so the rename itself survives a power cut.
///
/// If `write`, the flush or the rename fails, the temporary file is removed
/// and `path` keeps its previous content. The new file gets permissions
/// `0o644` on Unix.
pub fn atomic_write(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let stem = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new().prefix(&format!(".{stem}.")).suffix(".tmp").tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    {
        // Persist the directory entry; some file systems refuse to sync a
        // directory, which does not undo the (already complete) rename.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
