//! Builds the playground and serves it on localhost.
//!
//! ```text
//! cargo run --release -p sinapse-playground -- [--port 8000] [--site DIR] [--no-build]
//! ```
//!
//! Compiles the engine (`playground/wasm`) to WebAssembly, generates its
//! JavaScript bindings with wasm-bindgen, assembles the site folder (see
//! [`site`]) and serves it on `http://127.0.0.1:PORT/`.

mod error;
mod serve;
mod site;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// The command line.
#[derive(Debug, Parser)]
#[command(about = "Builds the Sinapse playground (WebAssembly + page) and serves it on 127.0.0.1")]
struct Args {
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// The folder to assemble and serve (default: target/playground/site).
    #[arg(long)]
    site: Option<PathBuf>,
    /// Serve the site folder as it is, without building.
    #[arg(long)]
    no_build: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let layout = site::Layout::of_this_checkout(args.site);
    let result = (|| {
        if args.no_build {
            if !layout.site.join("index.html").is_file() {
                return Err(error::PlaygroundError::NotBuilt(layout.site.clone()));
            }
        } else {
            let bytes = site::build(&layout)?;
            eprintln!("built {} ({:.1} MB of WebAssembly)", layout.site.display(), bytes as f64 / 1e6);
        }
        serve::serve(&layout.site, args.port)
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
