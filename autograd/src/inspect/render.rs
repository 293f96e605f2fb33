//! Turning DOT text into a picture with Graphviz's `dot` program.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The picture formats [`render_dot`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// A PNG bitmap.
    Png,
    /// An SVG drawing (zoomable; operation nodes show where they were
    /// created when hovered).
    Svg,
}

impl ImageFormat {
    /// The file extension and `dot -T` name: `png` or `svg`.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// Why a graph could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The `dot` program is not installed (or not on `PATH`).
    #[error(
        "cannot render {path}: the `{program}` program was not found; install graphviz (apt-get install graphviz)"
    )]
    DotNotFound {
        /// The program that was looked for.
        program: String,
        /// The picture that was asked for.
        path: PathBuf,
    },
    /// `dot` could not be started or fed, or the picture could not be written.
    #[error("cannot render {path}: {source}")]
    Io {
        /// The picture that was asked for.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// `dot` ran and reported an error (e.g. malformed DOT text).
    #[error("`dot` failed to render {path} ({status}): {stderr}")]
    DotFailed {
        /// The picture that was asked for.
        path: PathBuf,
        /// How `dot` exited.
        status: String,
        /// What `dot` printed on standard error.
        stderr: String,
    },
}

/// Renders DOT text (from [`Var::to_dot`](crate::Var::to_dot)) to `path` as
/// a PNG or SVG with Graphviz's `dot` program.
///
/// # Errors
/// [`RenderError::DotNotFound`] when `dot` is not installed (the message
/// says how to install it), [`RenderError::DotFailed`] when it rejects the
/// text, [`RenderError::Io`] when the file cannot be written.
pub fn render_dot(dot: &str, path: &Path, format: ImageFormat) -> Result<(), RenderError> {
    render_dot_with(OsStr::new("dot"), dot, path, format)
}

/// [`render_dot`] with another Graphviz layout program or a full path to
/// `dot` (e.g. `/opt/graphviz/bin/dot`, or `neato`).
///
/// # Errors
/// As [`render_dot`].
pub fn render_dot_with(program: &OsStr, dot: &str, path: &Path, format: ImageFormat) -> Result<(), RenderError> {
    let io_err = |source| RenderError::Io { path: path.to_path_buf(), source };
    let spawned = Command::new(program)
        .arg(format!("-T{}", format.extension()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RenderError::DotNotFound {
                program: program.to_string_lossy().into_owned(),
                path: path.to_path_buf(),
            })
        }
        Err(e) => return Err(io_err(e)),
    };
    // Feed the text from another thread: `dot` may write to its pipes
    // before it has read everything, and a full pipe would stall both sides.
    let mut stdin = child.stdin.take().expect("stdin was piped");
    let text = dot.to_owned();
    let feeder = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().map_err(io_err)?;
    let fed = feeder.join().expect("the thread feeding dot does not panic");
    if !output.status.success() {
        return Err(RenderError::DotFailed {
            path: path.to_path_buf(),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    fed.map_err(io_err)?;
    std::fs::write(path, &output.stdout).map_err(io_err)
}

/// True when the `dot` program can be run (`dot -V` succeeds).
pub fn dot_available() -> bool {
    Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
