//! A static file server for the site folder, on 127.0.0.1 only.
//!
//! It answers `GET` and `HEAD` for files inside the folder and nothing else:
//! paths are decoded, `..` and hidden names are refused, and the resolved
//! file must still lie inside the folder. Each connection carries one
//! request and is closed after the answer (`Connection: close`). tiny_http
//! was tried first and left some of the page's requests unanswered on
//! kept-alive connections (3 of 8 page loads in Chromium); without
//! keep-alive a loopback server for a dozen files is this one file.

use crate::error::PlaygroundError;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The longest request head read; browsers send a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;

/// Serves `site` on `127.0.0.1:port` (0 picks a free port) until the
/// process ends. Prints `serving the playground at http://127.0.0.1:PORT/`
/// once listening.
pub fn serve(site: &Path, port: u16) -> Result<(), PlaygroundError> {
    let address = format!("127.0.0.1:{port}");
    let listen_error = |e: std::io::Error| PlaygroundError::Listen { address: address.clone(), reason: e.to_string() };
    let listener = TcpListener::bind(&address).map_err(listen_error)?;
    let port = listener.local_addr().map_err(listen_error)?.port();
    let root = Arc::new(site.canonicalize().map_err(|e| PlaygroundError::io(site, "open", e))?);
    println!("serving the playground at http://127.0.0.1:{port}/");
    // One thread per connection, so a slow reader never holds up the page's
    // other requests.
    for stream in listener.incoming().flatten() {
        let root = root.clone();
        std::thread::spawn(move || answer(&root, stream));
    }
    Ok(())
}

/// Reads one request from `stream` and answers it.
fn answer(root: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(head) = read_head(&mut stream)? else {
        return respond(&mut stream, "431 Request Header Fields Too Large", "text/plain", b"", true);
    };
    let mut words = head.split(' ');
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"", true);
    }
    let send_body = method == "GET";
    match resolve(root, target).map(|path| (std::fs::read(&path), path)) {
        Some((Ok(body), path)) => respond(&mut stream, "200 OK", mime_type(&path), &body, send_body),
        _ => respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", send_body),
    }
}

/// The request line, once the whole head has arrived; `None` when the head
/// is longer than [`MAX_HEAD`].
fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.len() > MAX_HEAD {
            return Ok(None);
        }
    }
    let line = head.split(|&b| b == b'\r' || b == b'\n').next().unwrap_or(&[]);
    Ok(Some(String::from_utf8_lossy(line).into_owned()))
}

fn respond(stream: &mut TcpStream, status: &str, mime: &str, body: &[u8], send_body: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if send_body {
        stream.write_all(body)?;
    }
    stream.flush()
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
