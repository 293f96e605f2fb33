//! The downloader against a small HTTP server on 127.0.0.1 serving the
//! shipped MNIST test split: a good payload, a corrupt one, dead mirrors.
#![cfg(feature = "download")]

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sinapse_datasets::download::Downloader;
use sinapse_datasets::{DataSource, DatasetError, DatasetKind, FileRole, Mnist, Split};

/// Serves `files` (path -> body; anything else is a 404) for a bounded
/// number of connections. Returns the base URL and a request counter.
fn serve(files: HashMap<String, Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = answer(stream, &files);
        }
    });
    (base, hits)
}

fn answer(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, body) = match files.get(&path) {
        Some(body) => ("200 OK", body.as_slice()),
        None => ("404 Not Found", &b"no such file"[..]),
    };
    write!(stream, "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())?;
    stream.write_all(body)?;
    stream.flush()
}

/// A URL where nothing listens: a port that was free a moment ago.
fn dead_mirror() -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/")
}

fn shipped(name: &str) -> Vec<u8> {
    std::fs::read(common::repo_mnist().join(format!("{name}.gz"))).unwrap()
}

fn downloader(mirrors: Vec<String>, cache: &Path) -> Downloader {
    Downloader {
        mirrors,
        progress: false,
        env_proxy: false,
        timeout: Duration::from_secs(30),
        ..Downloader::new(DatasetKind::Mnist, cache)
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn good_payload_after_dead_mirrors_lands_in_the_cache() {
    let files = HashMap::from([
        ("/m/t10k-labels-idx1-ubyte.gz".to_string(), shipped("t10k-labels-idx1-ubyte")),
        ("/m/t10k-images-idx3-ubyte.gz".to_string(), shipped("t10k-images-idx3-ubyte")),
    ]);
    let (base, hits) = serve(files);
    let (missing, _) = serve(HashMap::new());
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(vec![dead_mirror(), missing, format!("{base}m")], cache.path());

    let labels = DatasetKind::Mnist.file(Split::Test, FileRole::Labels);
    let path = d.fetch(labels).unwrap();
    assert_eq!(path, cache.path().join("mnist/t10k-labels-idx1-ubyte"));
    assert_eq!(std::fs::read(&path).unwrap(), common::raw_mnist("t10k-labels-idx1-ubyte"));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Already there and verified: no second request.
    d.fetch(labels).unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1);

    // The whole split, then loaded through the normal search (cache place).
    let empty = tempfile::tempdir().unwrap();
    let src = DataSource::only(empty.path());
    assert!(matches!(Mnist::load(Split::Test, &src), Err(DatasetError::NotFound { .. })));
    let test = DatasetKind::Mnist.load_or_download(Split::Test, &src, &d).unwrap();
    assert_eq!(test.len(), 10_000);
    assert_eq!(test.label(0), 7);
    assert!(test.images().is_mapped());
    assert_eq!(test.provenance().unwrap().place.kind, sinapse_datasets::PlaceKind::Cache);
    assert!(files_under(cache.path()).iter().all(|p| !p.to_string_lossy().contains(".partial")));
}

#[test]
fn corrupt_payloads_are_rejected_and_leave_nothing() {
    let mut raw = common::raw_mnist("t10k-labels-idx1-ubyte");
    raw[500] = (raw[500] + 1) % 10; // still a valid labels file
    let files = HashMap::from([
        ("/bad/t10k-labels-idx1-ubyte.gz".to_string(), common::gzip(&raw)),
        ("/junk/t10k-labels-idx1-ubyte.gz".to_string(), b"<html>not gzip</html>".to_vec()),
        ("/short/t10k-labels-idx1-ubyte.gz".to_string(), common::gzip(&raw[..5000])),
    ]);
    let (base, _) = serve(files);
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(vec![format!("{base}bad/"), format!("{base}junk/"), format!("{base}short/")], cache.path());
    let e = d.fetch(DatasetKind::Mnist.file(Split::Test, FileRole::Labels)).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("could not download MNIST test labels:\n"), "{msg}");
    assert!(msg.contains(&format!("  - {base}bad/t10k-labels-idx1-ubyte.gz: ")), "{msg}");
    assert!(
        msg.contains("SHA-256 mismatch: expected ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        "{msg}"
    );
    assert!(msg.contains(&format!("  - {base}junk/t10k-labels-idx1-ubyte.gz: corrupt gzip data")), "{msg}");
    assert!(msg.contains("truncated: dimensions [10000] need 10008 bytes in all, the file has 5000"), "{msg}");
    assert_eq!(files_under(cache.path()), Vec::<PathBuf>::new());
}

#[test]
fn all_mirrors_dead() {
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(vec![dead_mirror(), dead_mirror()], cache.path());
    let e = d.fetch(DatasetKind::Mnist.file(Split::Test, FileRole::Images)).unwrap_err();
    assert_eq!(e.to_string().matches("t10k-images-idx3-ubyte.gz: ").count(), 2, "{e}");
    assert_eq!(files_under(cache.path()), Vec::<PathBuf>::new());
}
