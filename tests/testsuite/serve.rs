//! `portico serve`: after any sequence of edits the served site equals a clean build byte for
//! byte (property test over generated edit sequences), the robustness cases (deleting, renaming,
//! creating files and directories, editor save patterns, bursts, invalid YAML mid-edit), and the
//! HTTP server itself (content types, 404, path traversal, live reload only in serve).

use std::collections::BTreeMap;
use std::path::Path;

use portico::config::{Config, Overrides};
use portico::pipeline::{self, StageLog, Verbosity};
use portico::serve::engine::{Engine, Outcome};
use proptest::prelude::*;

use crate::support::{Fixture, component, group};

fn serve_overrides() -> Overrides {
    Overrides { base_url: Some("/".into()), ..Overrides::default() }
}

/// A clean in-memory build, as `portico build` would write it (or `None` when it writes nothing).
fn clean_build(root: &Path) -> Option<BTreeMap<String, portico::render::Content>> {
    let config = Config::load(root, &serve_overrides()).ok()?;
    let built = pipeline::build(&config, &StageLog::new(Verbosity::Quiet)).ok()?;
    // `build` publishes everything valid; it fails only when nothing is left.
    (!built.checked.portal.entities.is_empty()).then_some(built.site.files)
}

fn docs_component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n  providesApis: [{name}-api]\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: {owner}\n  definition:\n    $text: ./openapi.yaml\n"
    )
}

fn monorepo() -> Fixture {
    let org = format!(
        "{}---\n{}---\n{}",
        group("team-a"),
        group("team-b"),
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ann\nspec:\n  memberOf: [team-a]\n"
    );
    let mut f = Fixture::empty()
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./org.yaml]\n",
        )
        .file("org.yaml", &org);
    for (name, owner) in [("alpha", "team-a"), ("beta", "team-b"), ("gamma", "team-a")] {
        f = f
            .file(&format!("svc/{name}/catalog-info.yaml"), &docs_component(name, owner))
            .file(&format!("svc/{name}/openapi.yaml"), "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
            .file(&format!("svc/{name}/mkdocs.yml"), &format!("site_name: {name}\n"))
            .file(
                &format!("svc/{name}/docs/index.md"),
                &format!("# {name}\n\nSee [setup](setup.md#install) and [beta](../../beta/docs/index.md).\n"),
            )
            .file(
                &format!("svc/{name}/docs/setup.md"),
                "# Setup\n\n## Install\n\nRun it.\n\n--8<-- \"docs/snippet.txt\"\n",
            )
            .file(&format!("svc/{name}/docs/snippet.txt"), "Shared text.\n");
    }
    f
}

/// One edit a user (or git) makes.
#[derive(Clone, Debug)]
enum Edit {
    AppendToPage { svc: usize, page: usize, text: String },
    RetitlePage { svc: usize },
    ChangeOwner { svc: usize, owner: usize },
    EditSnippet { svc: usize, text: String },
    EditDefinition { svc: usize },
    AddPage { svc: usize, n: usize },
    DeletePage { svc: usize },
    RenamePage { svc: usize },
    AddComponent { n: usize },
    DeleteComponent { svc: usize },
    BreakYaml { svc: usize },
    FixYaml { svc: usize },
    AddNav { svc: usize },
    EditorSave { svc: usize },
    RenameGroup,
}

const SVCS: [&str; 3] = ["alpha", "beta", "gamma"];

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let svc = 0..3usize;
    prop_oneof![
        (svc.clone(), 0..2usize, "[a-z ]{1,12}").prop_map(|(svc, page, text)| Edit::AppendToPage { svc, page, text }),
        svc.clone().prop_map(|svc| Edit::RetitlePage { svc }),
        (svc.clone(), 0..3usize).prop_map(|(svc, owner)| Edit::ChangeOwner { svc, owner }),
        (svc.clone(), "[a-z]{1,8}").prop_map(|(svc, text)| Edit::EditSnippet { svc, text }),
        svc.clone().prop_map(|svc| Edit::EditDefinition { svc }),
        (svc.clone(), 0..3usize).prop_map(|(svc, n)| Edit::AddPage { svc, n }),
        svc.clone().prop_map(|svc| Edit::DeletePage { svc }),
        svc.clone().prop_map(|svc| Edit::RenamePage { svc }),
        (0..3usize).prop_map(|n| Edit::AddComponent { n }),
        svc.clone().prop_map(|svc| Edit::DeleteComponent { svc }),
        svc.clone().prop_map(|svc| Edit::BreakYaml { svc }),
        svc.clone().prop_map(|svc| Edit::FixYaml { svc }),
        svc.clone().prop_map(|svc| Edit::AddNav { svc }),
        svc.clone().prop_map(|svc| Edit::EditorSave { svc }),
        Just(Edit::RenameGroup),
    ]
}

/// Applies an edit; returns the paths it touched (as the watcher would report them).
fn apply(root: &Path, edit: &Edit) -> Vec<String> {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        rel.to_owned()
    };
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap_or_default();
    let dir = |svc: &usize| format!("svc/{}", SVCS[*svc]);
    match edit {
        Edit::AppendToPage { svc, page, text } => {
            let rel = format!("{}/docs/{}", dir(svc), ["index.md", "setup.md"][*page]);
            let old = read(&rel);
            if old.is_empty() {
                return vec![];
            }
            vec![write(&rel, &format!("{old}\n{text}\n"))]
        }
        Edit::RetitlePage { svc } => {
            let rel = format!("{}/docs/setup.md", dir(svc));
            let old = read(&rel);
            if old.is_empty() {
                return vec![];
            }
            vec![write(&rel, &old.replacen("# Setup", "# Setting up", 1).replacen("# Setting up up", "# Setup", 1))]
        }
        Edit::ChangeOwner { svc, owner } => {
            let rel = format!("{}/catalog-info.yaml", dir(svc));
            let old = read(&rel);
            if old.is_empty() {
                return vec![];
            }
            let new = ["team-a", "team-b", "ann"][*owner];
            let re = regex::Regex::new(r"owner: [a-z-]+").unwrap();
            vec![write(&rel, &re.replace_all(&old, format!("owner: {new}").as_str()))]
        }
        Edit::EditSnippet { svc, text } => vec![write(&format!("{}/docs/snippet.txt", dir(svc)), &format!("{text}\n"))],
        Edit::EditDefinition { svc } => {
            let rel = format!("{}/openapi.yaml", dir(svc));
            let old = read(&rel);
            vec![write(&rel, &format!("{old}# edited\n"))]
        }
        Edit::AddPage { svc, n } => {
            vec![write(&format!("{}/docs/new-{n}.md", dir(svc)), &format!("# New {n}\n\n[home](index.md)\n"))]
        }
        Edit::DeletePage { svc } => {
            let rel = format!("{}/docs/setup.md", dir(svc));
            let _ = std::fs::remove_file(root.join(&rel));
            vec![rel]
        }
        Edit::RenamePage { svc } => {
            let from = format!("{}/docs/setup.md", dir(svc));
            let to = format!("{}/docs/install.md", dir(svc));
            if std::fs::rename(root.join(&from), root.join(&to)).is_err() {
                return vec![];
            }
            vec![from, to]
        }
        Edit::AddComponent { n } => {
            vec![write(&format!("extra/c{n}/catalog-info.yaml"), &component(&format!("extra-{n}"), "team-b"))]
        }
        Edit::DeleteComponent { svc } => {
            let d = dir(svc);
            let _ = std::fs::remove_dir_all(root.join(&d));
            vec![format!("{d}/catalog-info.yaml"), format!("{d}/docs/index.md"), format!("{d}/mkdocs.yml")]
        }
        Edit::BreakYaml { svc } => {
            let rel = format!("{}/catalog-info.yaml", dir(svc));
            let old = read(&rel);
            if old.is_empty() {
                return vec![];
            }
            vec![write(&rel, &format!("{old}oops: [\n"))]
        }
        Edit::FixYaml { svc } => {
            let rel = format!("{}/catalog-info.yaml", dir(svc));
            let old = read(&rel);
            vec![write(&rel, &old.replace("oops: [\n", ""))]
        }
        Edit::AddNav { svc } => {
            vec![write(
                &format!("{}/mkdocs.yml", dir(svc)),
                &format!("site_name: {}\nnav:\n  - Home: index.md\n", SVCS[*svc]),
            )]
        }
        Edit::EditorSave { svc } => {
            // Write to a temporary file, then rename over the original (vim, JetBrains).
            let rel = format!("{}/docs/index.md", dir(svc));
            let old = read(&rel);
            if old.is_empty() {
                return vec![];
            }
            let tmp = format!("{}/docs/.index.md.swp", dir(svc));
            write(&tmp, &format!("{old}\nSaved.\n"));
            std::fs::rename(root.join(&tmp), root.join(&rel)).unwrap();
            vec![tmp, rel]
        }
        Edit::RenameGroup => {
            let old = read("org.yaml");
            vec![write("org.yaml", &old.replace("team-b", "team-bee").replace("team-bee-bee", "team-b"))]
        }
    }
}

/// Runs edits through the engine and checks every good state against a clean build.
fn check_sequence(edits: &[Edit]) -> Result<(), TestCaseError> {
    let f = monorepo();
    let mut engine = Engine::new(f.path(), serve_overrides()).expect("engine starts");
    let Outcome::Built { site, .. } = engine.rebuild(&[]) else { panic!("first build fails") };
    let first = clean_build(f.path());
    prop_assert_eq!(Some(&site.files), first.as_ref());
    for (step, edit) in edits.iter().enumerate() {
        let changed = apply(f.path(), edit);
        let clean = clean_build(f.path());
        match engine.rebuild(&changed) {
            Outcome::Built { site, .. } => {
                let clean = clean
                    .ok_or_else(|| TestCaseError::fail(format!("step {step} {edit:?}: serve built, build failed")))?;
                if site.files != clean {
                    let differ: Vec<&String> = clean
                        .keys()
                        .chain(site.files.keys())
                        .filter(|k| site.files.get(*k) != clean.get(*k))
                        .take(5)
                        .collect();
                    return Err(TestCaseError::fail(format!("step {step} {edit:?}: files differ: {differ:?}")));
                }
            }
            Outcome::Failed(_) => {
                prop_assert!(clean.is_none(), "step {} {:?}: serve failed, build succeeded", step, edit)
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, .. ProptestConfig::default() })]
    #[test]
    fn served_site_equals_a_clean_build_after_any_edit_sequence(edits in prop::collection::vec(edit_strategy(), 1..8)) {
        check_sequence(&edits)?;
    }
}

#[test]
fn robustness_renames_deletes_bursts_and_invalid_yaml_mid_edit() {
    let seq = [
        Edit::EditorSave { svc: 0 },
        Edit::RenamePage { svc: 1 },
        Edit::DeletePage { svc: 2 },
        Edit::AddPage { svc: 2, n: 1 },
        Edit::BreakYaml { svc: 0 },
        Edit::ChangeOwner { svc: 1, owner: 2 },
        Edit::FixYaml { svc: 0 },
        Edit::DeleteComponent { svc: 1 },
        Edit::AddComponent { n: 2 },
        Edit::RenameGroup,
    ];
    check_sequence(&seq).unwrap();
}

#[test]
fn a_burst_of_500_changed_files_is_one_correct_rebuild() {
    let mut f = monorepo();
    for i in 0..100 {
        f = f.file(&format!("bulk/c{i}/catalog-info.yaml"), &component(&format!("bulk-{i}"), "team-a"));
    }
    let mut engine = Engine::new(f.path(), serve_overrides()).unwrap();
    assert!(matches!(engine.rebuild(&[]), Outcome::Built { .. }));
    // A `git checkout` of another branch: 500 files change at once (owners flip, docs grow).
    let mut changed = Vec::new();
    for i in 0..100 {
        let rel = format!("bulk/c{i}/catalog-info.yaml");
        std::fs::write(f.path().join(&rel), component(&format!("bulk-{i}"), "team-b")).unwrap();
        changed.push(rel);
        for j in 0..4 {
            let rel = format!("bulk/c{i}/notes-{j}.txt");
            std::fs::write(f.path().join(&rel), "x").unwrap();
            changed.push(rel);
        }
    }
    assert_eq!(changed.len(), 500);
    let Outcome::Built { site, .. } = engine.rebuild(&changed) else { panic!("rebuild failed") };
    assert_eq!(Some(&site.files), clean_build(f.path()).as_ref());
}

/// A running `portico serve`, killed on drop.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(root: &Path) -> Server {
    start_server_with(root, &[], &[])
}

fn start_server_with(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["serve", ".", "--port", "0", "--poll"])
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("http://127.0.0.1:") {
                let port: String = line[i + 17..].chars().take_while(char::is_ascii_digit).collect();
                let _ = tx.send(port.parse::<u16>().unwrap());
            }
        }
    });
    let port = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("server prints its URL");
    Server { child, port }
}

/// A raw HTTP/1.1 GET: (status line, headers, body).
fn get(port: u16, path: &str) -> (String, String, Vec<u8>) {
    get_with(port, path, "")
}

/// [`get`] with extra header lines (each ending in `\r\n`).
fn get_with(port: u16, path: &str, headers: &str) -> (String, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.lines().next().unwrap().to_owned();
    (status, head, raw[split + 4..].to_vec())
}

#[test]
fn serve_answers_http_with_types_404s_no_traversal_and_reload_events() {
    use std::io::{BufRead, Write};
    let f = monorepo().file("secret.txt", "top secret");
    let server = start_server(f.path());
    let (status, head, body) = get(server.port, "/");
    assert!(status.contains("200"), "{status}");
    assert!(head.to_lowercase().contains("content-type: text/html"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("/__portico/live.js"), "reload script injected");
    let (status, head, _) = get(server.port, "/catalog/");
    assert!(status.contains("200") && head.to_lowercase().contains("text/html"));
    let (_, head, _) = get(server.port, "/robots.txt");
    assert!(head.to_lowercase().contains("content-type: text/plain"), "{head}");
    let (status, _, body) = get(server.port, "/no/such/page/");
    assert!(status.contains("404") && String::from_utf8_lossy(&body).contains("Page not found"), "{status}");
    for evil in
        ["/../secret.txt", "/%2e%2e/secret.txt", "/catalog/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/secret.txt"]
    {
        let (status, _, body) = get(server.port, evil);
        assert!(status.contains("404"), "{evil}: {status}");
        assert!(!String::from_utf8_lossy(&body).contains("top secret"), "{evil} leaked a file outside the site");
    }
    let (status, head, _) = get(server.port, "/catalog");
    assert!(status.contains("301") && head.contains("/catalog/"), "{status}");

    // The search endpoint answers from the served site's index (503 while it is first built).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let hits = loop {
        let (status, head, body) = get(server.port, "/__portico/search?q=alpha&limit=5");
        if status.contains("200") {
            assert!(head.to_lowercase().contains("application/json"), "{head}");
            break serde_json::from_slice::<Vec<serde_json::Value>>(&body).unwrap();
        }
        assert!(status.contains("503") && std::time::Instant::now() < deadline, "{status}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(hits[0]["url"], "/catalog/default/component/alpha/", "{hits:?}");
    assert!(hits.len() <= 5);
    let (_, _, body) = get(server.port, "/__portico/search?q=xyzzyqwv");
    assert_eq!(String::from_utf8_lossy(&body), "[]");
    // Byte ranges, which the search client uses to read pieces of its files.
    let (_, _, whole) = get(server.port, "/search/manifest.bin");
    let (status, head, body) = get_with(server.port, "/search/manifest.bin", "Range: bytes=2-9\r\n");
    assert!(status.contains("206"), "{status}");
    assert!(head.to_lowercase().contains(&format!("content-range: bytes 2-9/{}", whole.len())), "{head}");
    assert_eq!(body, whole[2..10]);
    let (status, _, _) = get_with(server.port, "/search/manifest.bin", &format!("Range: bytes={}-\r\n", whole.len()));
    assert!(status.contains("416"), "{status}");

    // Live reload: an edit produces a `reload` event.
    let mut events = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(events, "GET /__portico/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    events.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let mut reader = std::io::BufReader::new(events);
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 2 {
        line.clear(); // response headers
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    std::fs::write(f.path().join("svc/alpha/docs/index.md"), "# alpha\n\nChanged.\n").unwrap();
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !seen.contains("event: reload") {
        assert!(std::time::Instant::now() < deadline, "no reload event within 30 s: {seen}");
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream ended: {seen}");
        seen.push_str(&line);
    }
    let (_, _, body) = get(server.port, "/docs/default/component/alpha/");
    assert!(String::from_utf8_lossy(&body).contains("Changed."));
    // The index follows: the new word is found once it is swapped in.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, _, body) = get(server.port, "/__portico/search?q=changed");
        if String::from_utf8_lossy(&body).contains("/docs/default/component/alpha/") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the search index never saw the edit");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    // `build` output never carries the reload script.
    f.build(&[]).assert_code(0);
    let home = f.read("public/index.html");
    assert!(!home.contains("__portico"), "build output must not contain the reload snippet");
}

/// Sends `request` as it is and reads until the server closes the connection (or 10 s pass).
fn raw_exchange(port: u16, request: &str) -> (String, std::time::Duration) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let t = std::time::Instant::now();
    s.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    (String::from_utf8_lossy(&raw).into_owned(), t.elapsed())
}

#[test]
fn issue_17_serve_redirects_on_site_refuses_foreign_hosts_and_times_out_idle_clients() {
    let f = monorepo();
    let server = start_server_with(
        f.path(),
        &["--allow-host", "devbox.internal"],
        &[("PORTICO_SERVE_HEADER_TIMEOUT_MS", "500")],
    );
    // `//catalog` names the catalog: the redirect keeps one slash, never `//host/...`.
    for (path, want) in
        [("//catalog", "/catalog/"), ("//catalog?kind=API", "/catalog/?kind=API"), ("/catalog", "/catalog/")]
    {
        let (status, head, _) = get(server.port, path);
        assert!(status.contains("301"), "{path}: {status}");
        let location = head.lines().find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")));
        assert_eq!(location, Some(want), "{path}: {head}");
    }
    // DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host.
    for (host, ok) in [
        ("localhost", true),
        ("127.0.0.1:4000", true),
        ("[::1]", true),
        ("devbox.internal:4000", true),
        ("evil.example", false),
        ("evil.example:4000", false),
        ("localhost.evil.example", false),
    ] {
        let (reply, _) =
            raw_exchange(server.port, &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        let status = reply.lines().next().unwrap_or_default();
        if ok {
            assert!(status.contains("200"), "{host}: {status}");
        } else {
            assert!(status.contains("403"), "{host}: {status}");
            assert!(!reply.contains("<html"), "{host}: no page is sent");
            assert!(reply.contains("--allow-host"), "{reply}");
        }
    }
    // A client that never finishes its headers is disconnected.
    let (reply, took) = raw_exchange(server.port, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1");
    assert!(took < std::time::Duration::from_secs(5), "held for {took:?}: {reply}");
    assert!(!reply.contains("200 OK"), "{reply}");
    // So is an idle keep-alive connection after its answer.
    let (reply, took) = raw_exchange(server.port, "GET /robots.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(took < std::time::Duration::from_secs(5), "idle connection held for {took:?}");
    // The live-reload stream is written to, not waited on: it outlives the timeout.
    let (reply, took) = {
        use std::io::Read;
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_millis(1500))).unwrap();
        let t = std::time::Instant::now();
        write!(s, "GET /__portico/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut raw = vec![0; 4096];
        let mut got = Vec::new();
        while let Ok(n) = s.read(&mut raw) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&raw[..n]);
        }
        (String::from_utf8_lossy(&got).into_owned(), t.elapsed())
    };
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(took >= std::time::Duration::from_millis(1400), "the event stream was closed after {took:?}");
}
