//! What can stop the playground from being built or served, each with what
//! to do about it.

use std::io;
use std::path::PathBuf;
use thiserror::Error;

/// A failure to build or serve the playground.
#[derive(Debug, Error)]
pub enum PlaygroundError {
    /// A file or folder could not be read or written.
    #[error("{path}: cannot {action}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done ("copy", "create", ...).
        action: &'static str,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// A program the build runs could not be started or failed.
    #[error("`{command}` failed: {reason}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status or why it did not start.
        reason: String,
    },
    /// wasm-bindgen could not generate the JavaScript bindings.
    #[error("wasm-bindgen on {wasm}: {reason}")]
    Bindgen {
        /// The module it read.
        wasm: PathBuf,
        /// Its message.
        reason: String,
    },
    /// The site folder exists, holds files, and was not made by this program:
    /// it is left alone rather than emptied.
    #[error(
        "{0} is not empty and was not made by sinapse-playground (no .sinapse-playground-site file in it); \
         choose another --site folder"
    )]
    ForeignSite(PathBuf),
    /// `--no-build` was given but the site folder has no page.
    #[error("{0} holds no built playground (index.html is missing); run without --no-build first")]
    NotBuilt(PathBuf),
    /// The address could not be listened on.
    #[error("cannot listen on {address}: {reason}")]
    Listen {
        /// The address.
        address: String,
        /// Why.
        reason: String,
    },
}

impl PlaygroundError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> PlaygroundError {
        PlaygroundError::Io { path: path.into(), action, source }
    }
}
