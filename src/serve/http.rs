//! The preview server's HTTP side: the in-memory site on loopback, with live reload.
//!
//! Input: the current site (swapped atomically after each rebuild) and a channel of events.
//! Output: HTTP responses. Paths are resolved inside the site only (`..`, backslashes and NUL are
//! refused); a miss gets the site's `404.html` with status 404; a directory without its trailing
//! slash is redirected. HTML responses get the live-reload script (never written by `build`).
//! `/__portico/events` streams Server-Sent Events: `reload` after a good build, `report` with the
//! diagnostics of a failed one (shown as an overlay; the last good site keeps being served).
//! `/__portico/search?q=` answers queries from the served site's index, as `portico search`.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::render::Site;
use crate::search::{QueryOptions, SearchIndex};

/// What the browser is told.
#[derive(Clone, Debug)]
pub enum Notice {
    Reload,
    /// JSON list of diagnostics of a failed build.
    Report(String),
}

#[derive(Clone)]
pub struct Shared {
    pub site: Arc<RwLock<Arc<Site>>>,
    /// The search index of the served site (none until the first index is built).
    pub search: Arc<RwLock<Option<Arc<SearchIndex>>>>,
    pub notices: broadcast::Sender<Notice>,
    /// The diagnostics of the current failure, sent to browsers that connect meanwhile.
    pub failure: Arc<RwLock<Option<String>>>,
}

const LIVE_JS: &str = include_str!("live.js");
const SNIPPET: &str = "<script src=\"/__portico/live.js\"></script>";

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/__portico/events", get(events))
        .route("/__portico/live.js", get(live_js))
        .route("/__portico/search", get(search))
        .fallback(get(file))
        .with_state(shared)
}

async fn live_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], LIVE_JS)
}

async fn events(State(shared): State<Shared>) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let initial = shared.failure.read().expect("failure lock").clone();
    let first = tokio_stream::iter(initial.map(|r| Ok(Event::default().event("report").data(r))));
    let rest = BroadcastStream::new(shared.notices.subscribe()).filter_map(|n| match n {
        Ok(Notice::Reload) => Some(Ok(Event::default().event("reload").data("{}"))),
        Ok(Notice::Report(r)) => Some(Ok(Event::default().event("report").data(r))),
        Err(_) => None,
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[derive(serde::Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// `GET /__portico/search?q=…&limit=…`: the hits of `portico search --format json`, answered by
/// the same index; 503 while the first index is being built.
async fn search(State(shared): State<Shared>, Query(params): Query<SearchParams>) -> Response {
    let index = shared.search.read().expect("search lock").clone();
    let Some(index) = index else {
        let mut r = Response::new(Body::from("{\"error\":\"the search index is being built\"}"));
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    let limit = params.limit.unwrap_or(10).min(1000);
    let q = params.q;
    let hits = tokio::task::spawn_blocking(move || index.query(&q, &QueryOptions { limit })).await.unwrap_or_default();
    let hits: Vec<_> = hits
        .into_iter()
        .map(|mut h| {
            h.meta.url = format!("/{}", h.meta.url);
            h
        })
        .collect();
    let body = serde_json::to_vec(&hits).unwrap_or_else(|_| b"[]".to_vec());
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The site path a request names, or `None` when it tries to leave the site.
pub fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8().ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn with_live_reload(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{SNIPPET}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{SNIPPET}").into_bytes(),
    }
}

fn respond(status: StatusCode, path: &str, bytes: &[u8]) -> Response {
    let body = if path.ends_with(".html") { with_live_reload(bytes) } else { bytes.to_vec() };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The one byte range a `Range` header asks of `len` bytes: `None` to send everything (no
/// header, several ranges, another unit: all allowed by RFC 9110), `Some(Err)` when it cannot be
/// satisfied. The search client reads pieces of its files this way, as from GitHub Pages or S3.
/// (Written here because the site is in memory; tower-http's range support serves files.)
fn byte_range(header: Option<&HeaderValue>, len: usize) -> Option<Result<std::ops::Range<usize>, ()>> {
    let spec = header?.to_str().ok()?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        let suffix: usize = last.parse().ok()?;
        len.saturating_sub(suffix)..len
    } else {
        let first: usize = first.parse().ok()?;
        let last = if last.is_empty() { usize::MAX } else { last.parse::<usize>().ok()? };
        if last < first {
            return None; // invalid: ignored
        }
        first..last.min(len.saturating_sub(1)).saturating_add(1)
    };
    Some(if range.start < len && !range.is_empty() { Ok(range) } else { Err(()) })
}

/// Characters left as they are in a redirect's path (RFC 3986 `pchar` without `%`).
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Where a directory asked for without its slash is: built from the normalised site path, so
/// it always starts with exactly one `/` (`//evil.example/x` would send a browser to another
/// host).
fn directory_location(path: &str, query: Option<&str>) -> String {
    let mut location = format!("/{}/", percent_encoding::utf8_percent_encode(path, PATH));
    if let Some(q) = query {
        location.push('?');
        location.push_str(q);
    }
    location
}

async fn file(State(shared): State<Shared>, uri: Uri, headers: axum::http::HeaderMap) -> Response {
    let site = shared.site.read().expect("site lock").clone();
    let not_found = || match site.files.get("404.html") {
        Some(b) => respond(StatusCode::NOT_FOUND, "404.html", b),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let Some(path) = site_path(uri.path()) else { return not_found() };
    let wants_dir = uri.path().ends_with('/') || path.is_empty();
    let key = if wants_dir {
        if path.is_empty() { "index.html".to_owned() } else { format!("{path}/index.html") }
    } else {
        path.clone()
    };
    if let Some(bytes) = site.files.get(&key) {
        if key.ends_with(".html") {
            return respond(StatusCode::OK, &key, bytes);
        }
        let mut r = match byte_range(headers.get(header::RANGE), bytes.len()) {
            None => respond(StatusCode::OK, &key, bytes),
            Some(Ok(range)) => {
                let content_range = format!("bytes {}-{}/{}", range.start, range.end - 1, bytes.len());
                let mut r = respond(StatusCode::PARTIAL_CONTENT, &key, &bytes[range]);
                if let Ok(v) = HeaderValue::from_str(&content_range) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                r
            }
            Some(Err(())) => {
                let mut r = respond(StatusCode::RANGE_NOT_SATISFIABLE, &key, b"");
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", bytes.len())) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                r
            }
        };
        r.headers_mut().insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        return r;
    }
    if !wants_dir && site.files.contains_key(&format!("{path}/index.html")) {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
        if let Ok(v) = HeaderValue::from_str(&directory_location(&path, uri.query())) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    not_found()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_follow_rfc_9110() {
        let range = |h: &str, len| byte_range(Some(&HeaderValue::from_str(h).unwrap()), len);
        assert_eq!(byte_range(None, 10), None);
        assert_eq!(range("bytes=2-5", 10), Some(Ok(2..6)));
        assert_eq!(range("bytes=2-", 10), Some(Ok(2..10)));
        assert_eq!(range("bytes=-3", 10), Some(Ok(7..10)));
        assert_eq!(range("bytes=-30", 10), Some(Ok(0..10)));
        assert_eq!(range("bytes=8-20", 10), Some(Ok(8..10)), "the last byte is clamped");
        assert_eq!(range("bytes=10-12", 10), Some(Err(())), "starts after the end");
        assert_eq!(range("bytes=-0", 10), Some(Err(())));
        assert_eq!(range("bytes=0-1,4-5", 10), None, "several ranges: the whole file");
        assert_eq!(range("items=0-1", 10), None, "another unit: the whole file");
        assert_eq!(range("bytes=5-2", 10), None, "invalid: ignored");
        assert_eq!(range("bytes=x-2", 10), None);
    }

    #[test]
    fn paths_never_leave_the_site() {
        let cases = [
            ("/", Some("")),
            ("/catalog/", Some("catalog")),
            ("/a/./b", Some("a/b")),
            ("/my%20page/", Some("my page")),
            ("/../etc/passwd", None),
            ("/a/../../x", None),
            ("/%2e%2e/x", None),
            ("/a%2f..%2f..%2fx", None),
            ("/a\\b", None),
            ("/a%5c..%5cb", None),
            ("/a%00b", None),
        ];
        for (raw, want) in cases {
            assert_eq!(site_path(raw).as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn redirects_stay_on_the_site() {
        for (raw, query, want) in [
            ("//catalog", None, "/catalog/"),
            ("//evil.example/x", None, "/evil.example/x/"),
            ("/a//b", Some("kind=API"), "/a/b/?kind=API"),
            ("/my%20page", None, "/my%20page/"),
            ("/caf%C3%A9", None, "/caf%C3%A9/"),
        ] {
            let path = site_path(raw).unwrap();
            assert_eq!(directory_location(&path, query), want, "{raw}");
        }
    }

    #[test]
    fn the_snippet_goes_before_the_body_end() {
        let out = String::from_utf8(with_live_reload(b"<html><body><p>x</p></body></html>")).unwrap();
        assert_eq!(out, format!("<html><body><p>x</p>{SNIPPET}</body></html>"));
    }
}
