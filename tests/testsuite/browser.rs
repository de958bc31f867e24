//! The built portal in a real browser: headless Chromium (Debian's `chromium`) driven by
//! playwright-core from `tests/browser/portal.mjs`. The site is served by a small static server
//! that, like GitHub Pages, answers misses with the site's `404.html` and status 404.
//!
//! Needs `node`, `/usr/bin/chromium` (or `PORTICO_CHROMIUM`) and `npm ci --prefix tests/browser`
//! — `.ci/run` installs all three. Without them these tests fail and say what is missing;
//! `PORTICO_SKIP_BROWSER_TESTS=1` skips them explicitly.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Fixture;

/// Serves `dir` on a free loopback port; returns the port. Files under `mount` (e.g. `/portal/`).
pub fn serve(dir: PathBuf, mount: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").split(['?', '#']).next().unwrap().to_owned();
                let (status, file) = resolve(&dir, mount, &path);
                let body = std::fs::read(&file).unwrap_or_default();
                let ctype = match file.extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("css") => "text/css",
                    Some("js") => "text/javascript",
                    Some("json") => "application/json",
                    Some("svg") => "image/svg+xml",
                    Some("png") => "image/png",
                    _ => "application/octet-stream",
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

fn resolve(dir: &Path, mount: &str, path: &str) -> (&'static str, PathBuf) {
    let not_found = (("404 Not Found"), dir.join("404.html"));
    let Some(rel) = path.strip_prefix(mount) else { return not_found };
    let rel = rel.replace("%20", " ");
    if rel.split('/').any(|p| p == "..") {
        return not_found;
    }
    let mut file = dir.join(&rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    if file.is_file() { ("200 OK", file) } else { not_found }
}

fn browser_ready() -> Result<(), String> {
    let chromium = std::env::var("PORTICO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} not found: apt-get install chromium (or set PORTICO_CHROMIUM)"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Err("node not found".into());
    }
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/playwright-core");
    if !modules.exists() {
        return Err("playwright-core not installed: npm ci --prefix tests/browser".into());
    }
    Ok(())
}

/// Runs scenarios of portal.mjs against `url`; panics with its output on failure.
fn run_scenarios(url: &str, scenarios: &[&str]) {
    run_scenarios_with(url, scenarios, &[]);
}

/// [`run_scenarios`] with environment variables for portal.mjs.
fn run_scenarios_with(url: &str, scenarios: &[&str], env: &[(&str, &Path)]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/portal.mjs");
    let mut node = Command::new("node");
    node.envs(env.iter().copied());
    let out = node.arg(script).arg(url).args(scenarios).output().expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser scenarios failed at {url}:\n{stdout}\n{stderr}");
    assert_eq!(stdout.lines().filter(|l| l.starts_with("ok ")).count(), scenarios.len(), "{stdout}");
}

pub fn skip() -> bool {
    if std::env::var_os("PORTICO_SKIP_BROWSER_TESTS").is_some() {
        eprintln!("browser tests skipped (PORTICO_SKIP_BROWSER_TESTS)");
        return true;
    }
    if let Err(why) = browser_ready() {
        panic!("browser tests need a browser: {why}. `.ci/run` installs it; PORTICO_SKIP_BROWSER_TESTS=1 skips them.");
    }
    false
}

const SCENARIOS: &[&str] = &[
    "catalog-filters",
    "theme-toggle",
    "owner-navigation",
    "not-found",
    "assets-load",
    "docs-features",
    "search-box",
    "search-page",
    "entity-tabs",
    "template-form",
    "relation-tables-and-mobile",
    "catalog-kinds",
    "my-team",
    "group-page",
    "catalog-graph",
];

#[test]
fn portal_works_in_a_real_browser() {
    if skip() {
        return;
    }
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    f.build(&[]).assert_code(0);
    let port = serve(f.path().join("public"), "/");
    // Screenshots of every page type at 1400 and 420 px, kept for CI to publish (README:
    // Development).
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let url = format!("http://127.0.0.1:{port}/");
    run_scenarios_with(&url, &[SCENARIOS, &["page-types"]].concat(), &[("PORTICO_SCREENSHOTS", &shots)]);
    let saved = std::fs::read_dir(&shots).map(|d| d.count()).unwrap_or(0);
    assert!(saved >= 36, "{saved} screenshots in {}", shots.display());
}

/// A catalog of 1,510 entities: 300 APIs, 1,200 components owned by ten teams in turn, the teams.
fn paged_catalog() -> Fixture {
    let mut yaml = String::new();
    for i in 0..300 {
        yaml.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{i:03}\nspec:\n  type: grpc\n  lifecycle: production\n  owner: team-{}\n  definition: x\n",
            i % 10
        ));
    }
    for i in 0..1200 {
        yaml.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{i:04}\n  description: Service number {i}\n  tags: [t{}]\nspec:\n  type: service\n  lifecycle: production\n  owner: team-{}\n",
            i % 3,
            i % 10
        ));
    }
    for t in 0..10 {
        yaml.push_str(&format!("---\n{}", crate::support::group(&format!("team-{t}"))));
    }
    Fixture::empty().file("catalog-info.yaml", &yaml)
}

/// Issue 18: the catalog table loads its data in shards, only those a view needs.
#[test]
fn issue_18_catalog_pages_filters_and_sorts_over_data_shards() {
    if skip() {
        return;
    }
    let f = paged_catalog();
    f.build(&[]).assert_code(0);
    let port = serve(f.path().join("public"), "/");
    run_scenarios(&format!("http://127.0.0.1:{port}/"), &["catalog-shards"]);
}

#[test]
fn portal_works_under_a_base_path() {
    if skip() {
        return;
    }
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    f.build(&["--base-url", "https://acme.github.io/portal/"]).assert_code(0);
    let port = serve(f.path().join("public"), "/portal/");
    run_scenarios(&format!("http://127.0.0.1:{port}/portal/"), SCENARIOS);
}
