//! Assembles the site folder: the WebAssembly engine with its JavaScript
//! bindings, the page, the MNIST files and the benchmark page.
//!
//! ```text
//! site/
//!   index.html, main.js, worker.js, ...   playground/www/
//!   pkg/sinapse_playground_wasm{.js,_bg.wasm}
//!   data/mnist/*.gz                        datasets/data/mnist/
//!   bench/                                 playground/bench/
//!   vendor/                                files of bench/vendor.txt, from node_modules
//! ```
//!
//! Everything the page loads is in this one folder, so it runs offline and
//! from any static file server.

use crate::error::PlaygroundError;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The engine's crate.
const ENGINE: &str = "sinapse-playground-wasm";
/// The target the page's engine is compiled for.
const TARGET: &str = "wasm32-unknown-unknown";
/// A file that marks a folder as a site this program made (and may empty).
const MARKER: &str = ".sinapse-playground-site";
/// The MNIST files the page fetches.
const MNIST_FILES: [&str; 4] = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
];

/// Where things are.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The repository (the Cargo workspace).
    pub workspace: PathBuf,
    /// Cargo's target folder for the engine (kept apart from the native
    /// one, so the two builds never wait on each other's lock).
    pub target: PathBuf,
    /// The folder that is assembled and served.
    pub site: PathBuf,
}

impl Layout {
    /// The layout of this checkout: the site in `target/playground/site`
    /// (under `CARGO_TARGET_DIR` when set).
    pub fn of_this_checkout(site: Option<PathBuf>) -> Layout {
        let workspace: PathBuf =
            Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("playground/ is in the workspace").into();
        let target_root = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => workspace_relative(&workspace, PathBuf::from(dir)),
            None => workspace.join("target"),
        };
        let playground = target_root.join("playground");
        Layout { site: site.unwrap_or_else(|| playground.join("site")), target: playground.join("cargo"), workspace }
    }

    fn playground(&self) -> PathBuf {
        self.workspace.join("playground")
    }
}

fn workspace_relative(workspace: &Path, dir: PathBuf) -> PathBuf {
    if dir.is_absolute() {
        dir
    } else {
        workspace.join(dir)
    }
}

/// Builds the engine and assembles the site; returns the size in bytes of
/// the `.wasm` module.
pub fn build(layout: &Layout) -> Result<u64, PlaygroundError> {
    let wasm = compile_engine(layout)?;
    prepare_site_folder(&layout.site)?;
    let pkg = layout.site.join("pkg");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .web(true)
        .and_then(|b| {
            // Without this the generated loader has no default path to the
            // module, and `init()` with no argument fails.
            b.omit_default_module_path(false).typescript(false).generate(&pkg)
        })
        .map_err(|e| PlaygroundError::Bindgen { wasm: wasm.clone(), reason: format!("{e:#}") })?;
    copy_tree(&layout.playground().join("www"), &layout.site)?;
    copy_tree(&layout.playground().join("bench"), &layout.site.join("bench"))?;
    let mnist = layout.workspace.join("datasets/data/mnist");
    for name in MNIST_FILES {
        copy_file(&mnist.join(name), &layout.site.join("data/mnist").join(name))?;
    }
    copy_vendor(layout)?;
    let module = pkg.join("sinapse_playground_wasm_bg.wasm");
    Ok(fs::metadata(&module).map_err(|e| PlaygroundError::io(&module, "read", e))?.len())
}

/// `cargo build --release --target wasm32-unknown-unknown -p sinapse-playground-wasm`
/// with 128-bit SIMD; returns the module's path.
fn compile_engine(layout: &Layout) -> Result<PathBuf, PlaygroundError> {
    ensure_target()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&layout.workspace)
        .args(["build", "--release", "--target", TARGET, "-p", ENGINE])
        .env("CARGO_TARGET_DIR", &layout.target)
        // The engine's kernels are written to vectorize; simd128 lets them.
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "-C target-feature=+simd128");
    run(&mut command)?;
    Ok(layout.target.join(TARGET).join("release").join("sinapse_playground_wasm.wasm"))
}

/// Adds the WebAssembly target with rustup when the toolchain lacks it.
fn ensure_target() -> Result<(), PlaygroundError> {
    let installed = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.exists());
    if installed {
        return Ok(());
    }
    eprintln!("the Rust toolchain lacks {TARGET}; adding it with rustup");
    run(Command::new("rustup").args(["target", "add", TARGET]))
}

fn run(command: &mut Command) -> Result<(), PlaygroundError> {
    let line = format!("{command:?}");
    let status =
        command.status().map_err(|e| PlaygroundError::Command { command: line.clone(), reason: e.to_string() })?;
    if status.success() {
        Ok(())
    } else {
        Err(PlaygroundError::Command { command: line, reason: status.to_string() })
    }
}

/// Empties the site folder, which must be absent, empty or one this program
/// made: a folder of the user's is never emptied.
fn prepare_site_folder(site: &Path) -> Result<(), PlaygroundError> {
    if site.exists() {
        let mut entries = fs::read_dir(site).map_err(|e| PlaygroundError::io(site, "read", e))?;
        let empty = entries.next().is_none();
        if !empty && !site.join(MARKER).is_file() {
            return Err(PlaygroundError::ForeignSite(site.into()));
        }
        fs::remove_dir_all(site).map_err(|e| PlaygroundError::io(site, "empty", e))?;
    }
    fs::create_dir_all(site).map_err(|e| PlaygroundError::io(site, "create", e))?;
    let marker = site.join(MARKER);
    fs::write(&marker, "made by sinapse-playground; emptied on each build\n")
        .map_err(|e| PlaygroundError::io(&marker, "write", e))
}

/// Copies `from` (a folder; nothing when it does not exist) into `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<(), PlaygroundError> {
    if !from.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(from).map_err(|e| PlaygroundError::io(from, "read", e))? {
        let entry = entry.map_err(|e| PlaygroundError::io(from, "read", e))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy_file(&path, &target)?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), PlaygroundError> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(|e| PlaygroundError::io(parent, "create", e))?;
    }
    fs::copy(from, to).map_err(|e| PlaygroundError::io(from, "copy", e))?;
    Ok(())
}

/// Copies the npm files the benchmark page needs (listed in
/// `bench/vendor.txt`) when `npm ci` has been run in `playground/`.
fn copy_vendor(layout: &Layout) -> Result<(), PlaygroundError> {
    let node_modules = layout.playground().join("node_modules");
    let list = layout.playground().join("bench/vendor.txt");
    if !node_modules.is_dir() || !list.is_file() {
        return Ok(());
    }
    let text = fs::read_to_string(&list).map_err(|e| PlaygroundError::io(&list, "read", e))?;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        copy_file(&node_modules.join(line), &layout.site.join("vendor").join(line))?;
    }
    Ok(())
}
