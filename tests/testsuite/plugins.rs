//! Issue 13: command plugins (protocol 1) and entity pages as tabs. A real external plugin (the
//! Python script `tests/fixtures/plugins/ci_plugin.py`) runs through build, check and serve:
//! its tab appears only on the entities it gave one, its diagnostics reach `check --format
//! json`, a changed input runs it again in `serve`, and a crash, a hang, invalid JSON, a response
//! breaking the protocol and an unsupported protocol each give a diagnostic naming the plugin,
//! with the rest of the portal built as usual.

use std::path::Path;

use portico::config::{Config, Overrides};
use portico::serve::engine::{Engine, Outcome};

use crate::support::{Fixture, group};

const PLUGIN: &str = include_str!("../fixtures/plugins/ci_plugin.py");

fn component(name: &str, pipeline: Option<&str>) -> String {
    let annotation = pipeline.map_or(String::new(), |p| format!("  annotations:\n    ci.example.com/pipeline: {p}\n"));
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{annotation}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// A monorepo with three services, two of them with a pipeline (one without recorded runs), and
/// the plugin configured with `args` after the script.
fn fixture(args: &str, extra: &str) -> Fixture {
    Fixture::empty()
        .file("catalog-info.yaml", &group("team-a"))
        .file("tools/ci_plugin.py", PLUGIN)
        .file(
            "portico.yaml",
            &format!(
                "title: Plugins\nplugins:\n  - id: ci-runs\n    command: [python3, tools/ci_plugin.py{args}]\n    config: {{server: 'https://ci.example.com'}}\n    timeout: 5\n{extra}"
            ),
        )
        .file("svc/a/catalog-info.yaml", &component("svc-a", Some("svc-a-main")))
        .file("svc/b/catalog-info.yaml", &component("svc-b", None))
        .file("svc/c/catalog-info.yaml", &component("svc-c", Some("svc-c-main")))
        .file(
            "ci/svc-a-main.json",
            r#"[{"id": 12, "branch": "main", "result": "passed"}, {"id": 11, "branch": "main", "result": "failed"}]"#,
        )
}

/// [`fixture`] with the plugin writing a line to the returned log file each time it runs.
fn counted_fixture() -> (Fixture, std::path::PathBuf) {
    let f = fixture("", "");
    let log = f.path().join("runs.log");
    let yaml = f.read("portico.yaml").replace(
        "config: {server: 'https://ci.example.com'}",
        &format!("config: {{server: 'https://ci.example.com', log: '{}'}}", log.display()),
    );
    std::fs::write(f.path().join("portico.yaml"), yaml).unwrap();
    (f, log)
}

fn exists(f: &Fixture, rel: &str) -> bool {
    f.path().join(rel).exists()
}

#[test]
fn a_plugin_tab_appears_only_on_the_entities_it_was_given_for() {
    let f = fixture("", "");
    let run = f.build(&[]);
    run.assert_code(0);
    assert!(run.stderr.contains("[plugin:ci-runs] 4 entities"), "the plugin's stderr, prefixed:\n{}", run.stderr);
    let tab = f.read("public/catalog/default/component/svc-a/ci/index.html");
    assert!(tab.contains("aria-current=\"page\">CI/CD</a>"), "the tab bar marks the tab:\n{tab}");
    assert!(tab.contains("<td>12</td><td>main</td><td>passed</td>"), "the table block:\n{tab}");
    assert!(tab.contains("href=\"https://ci.example.com/svc-a-main\""), "the status link");
    assert!(tab.contains("<strong>svc-a-main</strong>") && !tab.contains("<script>alert"), "markdown, sanitised");
    let overview = f.read("public/catalog/default/component/svc-a/index.html");
    assert!(overview.contains("href=\"/catalog/default/component/svc-a/ci/\">CI/CD</a>"), "the Overview links the tab");
    assert!(
        overview.contains("data-plugin=\"ci-runs\"") && overview.contains("runs</span>"),
        "the card on the Overview"
    );
    // No runs for svc-c, no pipeline for svc-b: no tab, no link, no tab bar.
    for name in ["svc-b", "svc-c"] {
        assert!(!exists(&f, &format!("public/catalog/default/component/{name}/ci/index.html")), "{name} has no tab");
        let page = f.read(&format!("public/catalog/default/component/{name}/index.html"));
        assert!(!page.contains("class=\"tabs\""), "{name} has no tab bar");
    }
    let facts: serde_json::Value = serde_json::from_str(&f.read("public/api/facts.json")).unwrap();
    assert_eq!(facts["component:default/svc-a"]["ci-runs"], serde_json::json!({"green": true, "runs": 2}));
    assert_eq!(facts.as_object().unwrap().len(), 1);
    // Plugin text is searchable.
    let search = f.run(&["search", ".", "flamingodeploy"]);
    assert!(search.stdout.contains("catalog/default/component/svc-a/ci/"), "{}", search.stdout);
}

#[test]
fn plugin_diagnostics_reach_check_and_two_builds_are_identical() {
    let f = fixture("", "");
    let diags = f.diagnostics();
    let warning = diags.iter().find(|d| d["code"] == "ci-no-runs").expect("the plugin's warning");
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["file"], "svc/c/catalog-info.yaml", "pointed at the entity's descriptor");
    assert!(warning["message"].as_str().unwrap().contains("ci-runs: no runs recorded for pipeline svc-c-main"));
    f.build(&["--no-cache"]).assert_code(0);
    let first = std::fs::read(f.path().join("public/catalog/default/component/svc-a/ci/index.html")).unwrap();
    std::fs::remove_dir_all(f.path().join("public")).unwrap();
    f.build(&["--no-cache"]).assert_code(0);
    assert_eq!(first, std::fs::read(f.path().join("public/catalog/default/component/svc-a/ci/index.html")).unwrap());
}

/// Each failure gives one diagnostic naming the plugin, and the portal is still built.
#[test]
fn a_failing_plugin_is_a_diagnostic_and_nothing_else_is_lost() {
    let cases = [
        ("crash", "plugin-failed", "plugin `ci-runs` exited with status 3"),
        ("hang", "plugin-failed", "plugin `ci-runs` did not finish within 2 s and was stopped"),
        ("invalid-json", "plugin-invalid", "plugin `ci-runs` printed a response that is not JSON"),
        ("schema", "plugin-invalid", "does not follow protocol 1 at `contributions[2]`: unknown variant `chart`"),
        (
            "protocol-2",
            "plugin-protocol",
            "plugin `ci-runs` speaks plugin protocol 2 to 3, and this Portico speaks protocol 1",
        ),
    ];
    for (behave, code, message) in cases {
        let f = fixture(&format!(", {behave}"), "");
        std::fs::write(f.path().join("portico.yaml"), f.read("portico.yaml").replace("timeout: 5", "timeout: 2"))
            .unwrap();
        let started = std::time::Instant::now();
        let run = f.build(&["--format", "json"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "{behave}: the hang was stopped");
        // Like an invalid entity: `build` publishes the rest (exit 0), `check` fails.
        assert_eq!(run.code, 0, "{behave}: the rest is published:\n{}{}", run.stdout, run.stderr);
        let diags: Vec<serde_json::Value> = run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let found = diags.iter().find(|d| d["code"] == code).unwrap_or_else(|| panic!("{behave}: {diags:?}"));
        assert!(found["message"].as_str().unwrap().contains(message), "{behave}: {}", found["message"]);
        assert_eq!(found["severity"], "error");
        // The rest of the portal is there, without the plugin's tab.
        assert!(exists(&f, "public/catalog/default/component/svc-a/index.html"), "{behave}: the portal is built");
        assert!(!exists(&f, "public/catalog/default/component/svc-a/ci/index.html"), "{behave}: no tab");
        if behave == "crash" {
            assert!(run.stderr.contains("[plugin:ci-runs] something broke"), "{}", run.stderr);
            f.check(&[]).assert_code(1);
            f.build(&["--strict"]).assert_code(1);
        }
    }
    // `on_error: warn` makes it a warning, and `--no-plugins` runs nothing.
    let f = fixture(", crash", "    on_error: warn\n");
    f.check(&[]).assert_code(0);
    let f = fixture(", crash", "");
    let run = f.build(&["--no-plugins"]);
    run.assert_code(0);
    assert!(!run.stderr.contains("[plugin:ci-runs]"), "{}", run.stderr);
}

#[test]
fn invalid_plugin_configuration_points_at_the_entry() {
    let f = Fixture::empty()
        .file("catalog-info.yaml", &group("team-a"))
        .file("portico.yaml", "plugins:\n  - id: ci-runs\n    command: [python3, x.py]\n  - id: nope\n");
    let run = f.check(&["--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    let d: serde_json::Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!((d["file"].as_str(), d["line"].as_u64()), (Some("portico.yaml"), Some(4)), "{d}");
    assert!(d["message"].as_str().unwrap().contains("plugin `nope` has no `command`"), "{d}");
}

fn site(outcome: Outcome) -> std::sync::Arc<portico::render::Site> {
    match outcome {
        Outcome::Built { site, .. } => site,
        Outcome::Failed(diags) => panic!("rebuild failed: {diags:?}"),
    }
}

/// `serve` runs the plugin again only when its inputs change, and its site equals a clean build.
#[test]
fn serve_runs_a_plugin_again_when_its_inputs_change() {
    let (f, log) = counted_fixture();
    let runs = || std::fs::read_to_string(&log).unwrap_or_default().lines().count();
    let overrides =
        Overrides { base_url: Some("/".into()), mode: Some(portico::plugins::Mode::Serve), ..Overrides::default() };
    let mut engine = Engine::new(f.path(), overrides).unwrap();
    let first = site(engine.rebuild(&[]));
    assert_eq!(runs(), 1);
    let tab = "catalog/default/component/svc-a/ci/index.html";
    assert!(String::from_utf8_lossy(&first.files[tab]).contains("<td>12</td>"));
    // An unrelated file: not run again.
    std::fs::write(f.path().join("svc/b/README.md"), "# b\n").unwrap();
    site(engine.rebuild(&["svc/b/README.md".into()]));
    assert_eq!(runs(), 1, "nothing the plugin reads changed");
    // Its input: run again, and the tab shows the new run.
    std::fs::write(
        f.path().join("ci/svc-a-main.json"),
        r#"[{"id": 13, "branch": "main", "result": "failed"}, {"id": 12, "branch": "main", "result": "passed"}]"#,
    )
    .unwrap();
    let after = site(engine.rebuild(&["ci/svc-a-main.json".into()]));
    assert_eq!(runs(), 2);
    assert!(String::from_utf8_lossy(&after.files[tab]).contains("<td>13</td>"));
    // The served site equals a clean build.
    let config = Config::load(f.path(), &Overrides { base_url: Some("/".into()), ..Overrides::default() }).unwrap();
    let clean =
        portico::pipeline::build(&config, &portico::pipeline::StageLog::new(portico::pipeline::Verbosity::Quiet))
            .unwrap()
            .site
            .files;
    for (path, content) in &clean {
        if path.ends_with(".html") && !path.starts_with("search/") {
            assert_eq!(after.files.get(path).map(|c| &c[..]), Some(&content[..]), "{path} differs from a clean build");
        }
    }
    assert!(Path::new(&log).exists());
}

/// Annotation links: URL templates of portico.yaml add links, override built-in ones or hide
/// them; values are escaped; a template without `{value}` is a configuration error.
#[test]
fn annotation_links_come_from_url_templates() {
    let annotated = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  annotations:\n    sonarqube.org/project-key: acme:payments api\n    github.com/project-slug: acme/payments\n    pagerduty.com/service-id: PX1\n    backstage.io/kubernetes-id: payments\n    sentry.io/project-slug: acme/payments\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";
    let f = Fixture::empty()
        .file("catalog-info.yaml", &format!("{}---\n{annotated}", group("team-a")))
        .file(
            "portico.yaml",
            "annotation_links:\n  sonarqube.org/project-key: \"https://sonar.example.com/dashboard?id={value}\"\n  pagerduty.com/service-id: false\n  backstage.io/kubernetes-id: {title: Cluster view, url: \"https://k8s.example.com/apps/{value}\"}\n",
        );
    f.build(&[]).assert_code(0);
    let page = f.read("public/catalog/default/component/payments/index.html");
    assert!(
        page.contains("href=\"https://sonar.example.com/dashboard?id=acme:payments%20api\""),
        "the template, escaped:\n{page}"
    );
    assert!(page.contains("SonarQube project</a>"), "the built-in title stays");
    assert!(page.contains("href=\"https://github.com/acme/payments\""), "built-in defaults stay");
    assert!(page.contains("href=\"https://sentry.io/organizations/acme/projects/payments/\""));
    assert!(page.contains("href=\"https://k8s.example.com/apps/payments\"") && page.contains("Cluster view</a>"));
    assert!(!page.contains("app.pagerduty.com"), "hidden with false");
    let bad = Fixture::empty().file("catalog-info.yaml", &group("team-a")).file(
        "portico.yaml",
        "title: x\nannotation_links:\n  sonarqube.org/project-key: \"https://sonar.example.com/\"\n",
    );
    let run = bad.check(&["--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    let d: serde_json::Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(d["line"].as_u64(), Some(3), "{d}");
    assert!(d["message"].as_str().unwrap().contains("must be an http(s) URL with `{value}`"), "{d}");
}

/// With the build cache, a second `portico build` reuses the plugin's response, and runs it
/// again when a file it declared as input changes.
#[test]
fn cached_builds_run_a_plugin_only_when_its_inputs_change() {
    let (f, log) = counted_fixture();
    let runs = || std::fs::read_to_string(&log).unwrap_or_default().lines().count();
    f.build(&[]).assert_code(0);
    assert_eq!(runs(), 1);
    f.build(&[]).assert_code(0);
    assert_eq!(runs(), 1, "the second build reuses the response");
    assert!(f.read("public/catalog/default/component/svc-a/ci/index.html").contains("<td>12</td>"));
    std::fs::write(f.path().join("ci/svc-a-main.json"), r#"[{"id": 14, "branch": "main", "result": "passed"}]"#)
        .unwrap();
    f.build(&[]).assert_code(0);
    assert_eq!(runs(), 2, "an input changed");
    assert!(f.read("public/catalog/default/component/svc-a/ci/index.html").contains("<td>14</td>"));
    f.build(&["--no-cache"]).assert_code(0);
    assert_eq!(runs(), 3, "--no-cache runs it");
}

/// Issue 13: the README beside the descriptor is a tab of entities without TechDocs, rendered by
/// the docs pipeline; entities with TechDocs get a Docs tab instead; teams get neither.
#[test]
fn entities_without_techdocs_get_a_readme_tab() {
    let with_docs = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: documented\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";
    let f = Fixture::empty()
        .file("catalog-info.yaml", &group("team-a"))
        .file("README.md", "# The monorepo\n")
        .file("portico.yaml", "source_url: https://github.com/acme/repo/blob/main/{path}\n")
        .file("svc/a/catalog-info.yaml", &component("svc-a", None))
        .file(
            "svc/a/README.md",
            "# Service A\n\nSee [the code](src/main.rs) and [bad](javascript:alert(1)).\n\n!!! warning\n    Handle with care.\n\n```python\nprint(1)\n```\n",
        )
        .file("svc/b/catalog-info.yaml", with_docs)
        .file("svc/b/README.md", "# B\n")
        .file("svc/b/mkdocs.yml", "site_name: B\n")
        .file("svc/b/docs/index.md", "# B docs\n");
    let run = f.build(&["--format", "json"]);
    run.assert_code(0);
    let readme = f.read("public/catalog/default/component/svc-a/readme/index.html");
    assert!(readme.contains("aria-current=\"page\">README</a>"), "{readme}");
    assert!(readme.contains("href=\"https://github.com/acme/repo/blob/main/svc/a/src/main.rs\""), "{readme}");
    assert!(readme.contains("class=\"admonition warning\"") && readme.contains("class=\"highlight\""), "{readme}");
    assert!(!readme.contains("javascript:alert"), "{readme}");
    assert!(run.stdout.contains("\"unsafe-url\""), "the refused link is reported: {}", run.stdout);
    let overview = f.read("public/catalog/default/component/svc-a/index.html");
    assert!(overview.contains("href=\"/catalog/default/component/svc-a/readme/\">README</a>"));
    // TechDocs: a Docs tab linking the docs site, no README tab.
    assert!(!f.path().join("public/catalog/default/component/documented/readme").exists());
    let documented = f.read("public/catalog/default/component/documented/index.html");
    assert!(documented.contains("href=\"/docs/default/component/documented/\">Docs</a>"), "{documented}");
    // The root README is not the team's.
    assert!(!f.path().join("public/catalog/default/group/team-a/readme").exists());
    let search = f.run(&["search", ".", "care"]);
    assert!(search.stdout.contains("catalog/default/component/svc-a/readme/"), "{}", search.stdout);
}

/// A plugin's pages and assets each have one path: a second one at a path is left out with a
/// warning (the site never gets two files at one path).
#[test]
fn two_contributions_at_one_path_keep_the_first() {
    let script = r#"import json, sys
if "--portico-manifest" in sys.argv:
    print(json.dumps({"name": "pages", "version": "1", "protocol": {"min": 1, "max": 1}, "phases": ["contribute"]}))
    sys.exit(0)
json.load(sys.stdin)
page = lambda title: {"type": "page", "path": "report", "title": title, "blocks": [{"type": "markdown", "text": title}]}
asset = lambda text: {"type": "asset", "path": "data.txt", "text": text}
print(json.dumps({"protocol": 1, "contributions": [page("First"), page("Second"), asset("one"), asset("two")]}))
"#;
    let f = Fixture::empty()
        .file("catalog-info.yaml", &group("team-a"))
        .file("tools/pages.py", script)
        .file("portico.yaml", "plugins:\n  - id: pages\n    command: [python3, tools/pages.py]\n");
    let run = f.build(&["--format", "json"]);
    run.assert_code(0);
    assert!(f.read("public/plugins/pages/report/index.html").contains("<h1>First</h1>"));
    assert_eq!(f.read("public/plugins/pages/data.txt"), "one");
    let warnings = run.stdout.lines().filter(|l| l.contains("are at `plugins/pages/")).count();
    assert_eq!(warnings, 2, "{}", run.stdout);
}

/// `serve` runs a built-in plugin again when the hidden file it reads changes
/// (`.github/CODEOWNERS`, which the watcher reports although it skips other hidden paths).
#[test]
fn serve_runs_codeowners_again_when_github_codeowners_changes() {
    let f = Fixture::empty()
        .file("catalog-info.yaml", &format!("{}---\n{}", group("team-a"), group("team-b")))
        .file("svc/a/catalog-info.yaml", &component("svc-a", None))
        .file("portico.yaml", "plugins:\n  - id: codeowners\n")
        .file(".github/CODEOWNERS", "/svc/a/ @acme/team-a\n");
    let overrides =
        Overrides { base_url: Some("/".into()), mode: Some(portico::plugins::Mode::Serve), ..Overrides::default() };
    let mut engine = Engine::new(f.path(), overrides).unwrap();
    let page = "catalog/default/component/svc-a/index.html";
    let first = site(engine.rebuild(&[]));
    assert!(String::from_utf8_lossy(&first.files[page]).contains(">@acme/team-a</a>"));
    std::fs::write(f.path().join(".github/CODEOWNERS"), "/svc/a/ @acme/team-b\n").unwrap();
    let after = site(engine.rebuild(&[".github/CODEOWNERS".into()]));
    let html = String::from_utf8_lossy(&after.files[page]);
    assert!(html.contains(">@acme/team-b</a>") && !html.contains(">@acme/team-a</a>"), "{html}");
}
