//! The preview server's connections: who may talk to it and for how long.
//!
//! Input: a bound listener, the router and a [`Policy`]. Output: HTTP/1.1 connections served
//! until shutdown. Every connection has a header timeout, which also bounds an idle keep-alive
//! connection (hyper starts it whenever it waits for the next request), so a client that never
//! finishes its headers cannot hold a connection open. A request whose `Host` is not a loopback
//! name or address, the bound address or a name allowed with `--allow-host` is refused with 403:
//! a web page that rebinds its own domain name to 127.0.0.1 (DNS rebinding) cannot read the
//! preview. Streams (live reload) are not limited: they are written to, not waited on.

use std::net::IpAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;

/// How long a client may take to send a request's headers, and to start the next one on an
/// idle connection. `PORTICO_SERVE_HEADER_TIMEOUT_MS` overrides it (for tests).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Which `Host` headers are answered.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The address the server listens on.
    pub bind: IpAddr,
    /// Further host names (`--allow-host`); `*` allows any.
    pub allowed: Vec<String>,
}

impl Policy {
    /// Whether a request with this `Host` header (absent for HTTP/1.0) may be answered.
    pub fn allows(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return true };
        let name = host_name(host).to_ascii_lowercase();
        let name = name.trim_end_matches('.');
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            // An address cannot be rebound; any of this machine's will do when listening on all.
            return ip.is_loopback() || ip == self.bind || self.bind.is_unspecified();
        }
        self.allowed.iter().any(|a| a == "*" || a.trim_end_matches('.').eq_ignore_ascii_case(name))
    }
}

/// The name or address of a `Host` header, without its port and IPv6 brackets.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Refuses requests whose `Host` the policy does not allow.
pub async fn check_host(State(policy): State<Policy>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).map(|h| h.to_str().unwrap_or("\u{fffd}"));
    if policy.allows(host) {
        return next.run(request).await;
    }
    let host = host.unwrap_or_default();
    let message = format!(
        "portico serve answers requests for localhost and its own address only, not for Host: {host}.\n\
         To preview under this name, start it with --allow-host {}\n",
        host_name(host)
    );
    let mut r = Response::new(Body::from(message));
    *r.status_mut() = StatusCode::FORBIDDEN;
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/plain; charset=utf-8"));
    r.into_response()
}

fn header_timeout() -> Duration {
    std::env::var("PORTICO_SERVE_HEADER_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(HEADER_TIMEOUT)
}

/// Serves `app` on `listener` until `shutdown` completes; open connections end with the runtime.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let timeout = header_timeout();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait, then accept again.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(timeout)
                .serve_connection(TokioIo::new(stream), service);
            // A connection that ends in an error (a timeout, a reset) concerns only its client.
            let _ = connection.await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let local = Policy { bind: "127.0.0.1".parse().unwrap(), allowed: vec![] };
        for ok in [
            None,
            Some("localhost"),
            Some("localhost:4000"),
            Some("LOCALHOST.:4000"),
            Some("portal.localhost:4000"),
            Some("127.0.0.1:4000"),
            Some("127.0.0.2"),
            Some("[::1]:4000"),
        ] {
            assert!(local.allows(ok), "{ok:?}");
        }
        for refused in [
            Some("evil.example"),
            Some("evil.example:4000"),
            Some("localhost.evil.example"),
            Some("192.168.1.5:4000"),
            Some("127.0.0.1.nip.io"),
            Some(""),
        ] {
            assert!(!local.allows(refused), "{refused:?}");
        }
        let lan = Policy { bind: "0.0.0.0".parse().unwrap(), allowed: vec!["devbox.internal".into()] };
        assert!(lan.allows(Some("192.168.1.5:4000")), "any address when listening on all");
        assert!(lan.allows(Some("DevBox.Internal:4000")));
        assert!(!lan.allows(Some("evil.example")));
        let bound = Policy { bind: "10.0.0.7".parse().unwrap(), allowed: vec![] };
        assert!(bound.allows(Some("10.0.0.7:4000")) && !bound.allows(Some("10.0.0.8:4000")));
        let any = Policy { bind: "127.0.0.1".parse().unwrap(), allowed: vec!["*".into()] };
        assert!(any.allows(Some("evil.example")));
    }
}
