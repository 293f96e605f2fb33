//! A static file server for the site folder, on 127.0.0.1 only.
//!
//! It answers `GET` and `HEAD` for files inside the folder and nothing else:
//! paths are decoded, `..` and hidden names are refused, and the resolved
//! file must still lie inside the folder.

use crate::error::PlaygroundError;
use std::fs::File;
use std::path::{Component, Path, PathBuf};
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

/// Serves `site` on `127.0.0.1:port` (0 picks a free port) until the
/// process ends. Prints `serving the playground at http://127.0.0.1:PORT/`
/// once listening.
pub fn serve(site: &Path, port: u16) -> Result<(), PlaygroundError> {
    let address = format!("127.0.0.1:{port}");
    let server = Server::http(&address).map_err(|e| PlaygroundError::Listen { address, reason: e.to_string() })?;
    let port = server.server_addr().to_ip().map_or(port, |a| a.port());
    println!("serving the playground at http://127.0.0.1:{port}/");
    let root = std::sync::Arc::new(site.canonicalize().map_err(|e| PlaygroundError::io(site, "open", e))?);
    // One thread per request, so a slow reader never holds up the page's
    // other requests.
    for request in server.incoming_requests() {
        let root = root.clone();
        std::thread::spawn(move || answer(&root, request));
    }
    Ok(())
}

fn answer(root: &Path, request: Request) -> std::io::Result<()> {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return request.respond(Response::empty(StatusCode(405)));
    }
    let Some(path) = resolve(root, request.url()) else {
        return request.respond(Response::empty(StatusCode(404)));
    };
    let Ok(file) = File::open(&path) else {
        return request.respond(Response::empty(StatusCode(404)));
    };
    let content_type = Header::from_bytes("Content-Type", mime_type(&path)).expect("ASCII header");
    let no_cache = Header::from_bytes("Cache-Control", "no-cache").expect("ASCII header");
    // Kept-alive connections were seen to stall here (a request left
    // unanswered for good, in Chromium and in Node); a connection per
    // request costs nothing on loopback.
    let close = Header::from_bytes("Connection", "close").expect("ASCII header");
    request.respond(Response::from_file(file).with_header(content_type).with_header(no_cache).with_header(close))
}

/// The file under `root` that `url` names, if it is one.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let mut out = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(name) if !name.to_string_lossy().starts_with('.') => out.push(name),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    // A symbolic link may point elsewhere: the real path must stay inside.
    let real = out.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

/// `%XX` sequences decoded; `None` for a malformed one or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| !s.contains('\0'))
}

/// The MIME type browsers need: `application/wasm` for streaming
/// compilation, a JavaScript type for module scripts and workers.
pub fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_site_only() {
        let dir = std::env::temp_dir().join(format!("sinapse-serve-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("index.html"), "<p>").unwrap();
        std::fs::write(dir.join("pkg/a b.js"), "").unwrap();
        std::fs::write(dir.join(".sinapse-playground-site"), "").unwrap();
        let root = dir.canonicalize().unwrap();
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(&root, "/index.html?v=2"), Some(root.join("index.html")));
        assert_eq!(resolve(&root, "/pkg/a%20b.js"), Some(root.join("pkg/a b.js")));
        assert_eq!(resolve(&root, "/pkg/"), None, "a folder without index.html");
        for bad in ["/../etc/passwd", "/pkg/../../x", "/%2e%2e/x", "/.sinapse-playground-site", "/%zz", "/nope.js"] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wasm_and_modules_get_the_types_browsers_require() {
        assert_eq!(mime_type(Path::new("x_bg.wasm")), "application/wasm");
        assert!(mime_type(Path::new("worker.js")).starts_with("text/javascript"));
    }
}
