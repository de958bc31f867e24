//! Search from the outside: `portico search` (text, JSON, batches, filters, exit codes), the
//! files `portico build` writes under `search/`, and parity of the browser client run on those
//! files (tests/search/parity.mjs in Node) with `portico search` for every query of
//! tests/search/queries.txt.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::{Fixture, backstage_examples};

fn content_example() -> Fixture {
    Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"))
}

fn backstage() -> Fixture {
    Fixture::copy_of(&backstage_examples().join("backstage/packages/catalog-model/examples"))
        .file("portico.yaml", "catalog:\n  locations: [all.yaml, acme-corp.yaml]\n")
}

/// The queries of tests/search/queries.txt by section (`[content-example]`, `[backstage]`).
fn queries() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/queries.txt")).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        match line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            Some(name) => section = name.to_owned(),
            None => out.entry(section.clone()).or_default().push(line.to_owned()),
        }
    }
    out
}

/// `portico search . --queries FILE --format json`: query -> (kind, title, url) of the top 10.
fn cli_top10(f: &Fixture, list: &[String]) -> Vec<(String, Vec<(String, String, String)>)> {
    let file = f.path().join("queries.txt");
    std::fs::write(&file, list.join("\n")).unwrap();
    let run = f.run(&["search", ".", "--queries", "queries.txt", "--format", "json", "--limit", "10"]);
    assert!(run.code == 0, "{run:?}");
    run.stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let hits = v["hits"].as_array().unwrap().iter().map(|h| triple(h, "")).collect();
            (v["query"].as_str().unwrap().to_owned(), hits)
        })
        .collect()
}

fn triple(h: &serde_json::Value, url_prefix: &str) -> (String, String, String) {
    let s = |k: &str| h[k].as_str().unwrap_or_default().to_owned();
    (s("kind"), s("title"), format!("{url_prefix}{}", s("url")))
}

#[test]
fn browser_client_on_built_files_ranks_exactly_like_portico_search() {
    if std::env::var_os("PORTICO_SKIP_BROWSER_TESTS").is_some() {
        return;
    }
    let all = queries();
    let mut compared = 0;
    for (section, f) in [("content-example", content_example()), ("backstage", backstage())] {
        let list = &all[section];
        f.build(&[]).assert_code(0);
        let cli = cli_top10(&f, list);
        assert_eq!(cli.len(), list.len());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/parity.mjs");
        let out = Command::new("node")
            .arg(script)
            .arg(f.path().join("public"))
            .arg("search/manifest.bin")
            .arg(f.path().join("queries.txt"))
            .arg("10")
            .output()
            .expect("node runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let browser: Vec<(String, Vec<(String, String, String)>)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|line| {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let hits = v["hits"].as_array().unwrap().iter().map(|h| triple(h, "/")).collect();
                (v["q"].as_str().unwrap().to_owned(), hits)
            })
            .collect();
        assert_eq!(browser.len(), cli.len(), "{section}");
        for ((q, expected), (bq, got)) in cli.iter().zip(&browser) {
            assert_eq!(q, bq);
            assert_eq!(got, expected, "{section}: {q:?} ranks differently in the browser");
            compared += 1;
        }
        // Some queries find something, nonsense finds nothing.
        assert!(cli.iter().filter(|(_, hits)| !hits.is_empty()).count() > list.len() / 2, "{section}");
    }
    assert!(compared >= 40, "{compared} queries compared");
}

#[test]
fn search_prints_results_filters_and_exits_1_when_nothing_matches() {
    let f = content_example();
    let run = f.run(&["search", ".", "payment gateway"]);
    run.assert_code(0);
    let first = run.stdout.lines().next().unwrap();
    assert!(first.contains("Component") && first.contains("Payment Gateway"), "{}", run.stdout);
    assert!(first.ends_with("/catalog/default/component/payment-gateway/"), "{first}");

    let run = f.run(&["search", ".", "owner:team-payments kind:api", "--format", "json", "--limit", "50"]);
    run.assert_code(0);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["kind"] == "API" && h["owner"] == "team-payments"), "{hits:?}");

    let run = f.run(&["search", ".", "tracking", "--format", "json", "--limit", "3"]);
    assert_eq!(serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).unwrap().len(), 3);

    let run = f.run(&["search", ".", "xyzzyqwv"]);
    run.assert_code(1);
    assert_eq!(run.stdout, "");

    // Links carry the configured base path.
    let f = f.file("portico.yaml", "base_url: https://acme.github.io/portal/\n");
    let run = f.run(&["search", ".", "payment-gateway", "--format", "json"]);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(hits[0]["url"], "/portal/catalog/default/component/payment-gateway/");
}

#[test]
fn build_writes_a_search_box_on_every_page_and_hashed_search_files() {
    let f = content_example();
    f.build(&[]).assert_code(0);
    let public = f.path().join("public");
    let home = f.read("public/index.html");
    assert!(home.contains(r#"data-manifest="/search/manifest.bin""#), "search box missing");
    let script =
        home.split(r#"<script src="/assets/search."#).nth(1).expect("search script").split('"').next().unwrap();
    assert!(public.join(format!("assets/search.{script}")).is_file());
    let files: Vec<String> = std::fs::read_dir(public.join("search"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.contains(&"manifest.bin".to_owned()) && files.contains(&"index.html".to_owned()), "{files:?}");
    for name in files.iter().filter(|n| *n != "manifest.bin" && *n != "index.html") {
        let hash = name.split('.').nth(1).unwrap_or_default();
        assert!(hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{name} is not content-hashed");
    }
    // Two builds write the same search files.
    let before: Vec<_> = files.iter().map(|n| std::fs::read(public.join("search").join(n)).unwrap()).collect();
    f.build(&[]).assert_code(0);
    let after: Vec<_> = files.iter().map(|n| std::fs::read(public.join("search").join(n)).unwrap()).collect();
    assert!(before == after, "search files differ between two builds");
}
