//! The page in a real browser: builds the site, serves it, and runs
//! `browser.mjs` (Playwright driving Debian's Chromium, headless) against it.
//!
//! Needs Node.js, `/usr/bin/chromium` (or `SINAPSE_CHROMIUM`) and
//! `npm ci --prefix playground`. Without them the test says what is missing
//! and passes, unless `SINAPSE_REQUIRE_BROWSER=1` (as in CI), where it fails.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Kills the server however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn missing_tools(playground: &Path) -> Vec<String> {
    let chromium = std::env::var("SINAPSE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).is_file() {
        missing.push(format!("{chromium} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().map_or(true, |o| !o.status.success()) {
        missing.push("node (apt-get install nodejs)".into());
    }
    if !playground.join("node_modules/playwright-core").is_dir() {
        missing.push("playwright-core (npm ci --prefix playground)".into());
    }
    missing
}

#[test]
fn the_page_trains_the_mlp_and_reads_a_drawn_digit_in_chromium() {
    let playground = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let missing = missing_tools(&playground);
    if !missing.is_empty() {
        let message = format!("the browser test needs {}", missing.join(", "));
        assert!(std::env::var("SINAPSE_REQUIRE_BROWSER").as_deref() != Ok("1"), "{message}");
        eprintln!("skipped: {message}");
        return;
    }
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let site = scratch.join("playground-site");
    let artefacts = scratch.join("playground-artefacts");
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_sinapse-playground"))
            .args(["--port", "0", "--site"])
            .arg(&site)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the playground binary starts"),
    );
    // The first line on stdout comes once the site is built and listening.
    let stdout = server.0.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints its address");
    let url = line
        .trim()
        .strip_prefix("serving the playground at ")
        .unwrap_or_else(|| panic!("the server did not start (it printed {line:?})"))
        .to_string();
    let status = Command::new("node")
        .arg(playground.join("tests/browser.mjs"))
        .arg(&url)
        .arg(&artefacts)
        .status()
        .expect("node starts");
    assert!(status.success(), "the browser test failed ({status}); artefacts in {}", artefacts.display());
    eprintln!("screenshot: {}", artefacts.join("screenshot.png").display());
}
