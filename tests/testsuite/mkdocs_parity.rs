//! Parity with MkDocs + mkdocs-techdocs-core: page URLs, navigation order and titles, and every
//! heading id, compared with what the real tools produced for the same input
//! (`tests/fixtures/mkdocs-reference/*.json`, written by `benches/mkdocs-reference.py`).

use std::path::Path;

use crate::support::{Fixture, backstage_examples, fixtures_dir};

#[derive(Debug, PartialEq, Eq)]
struct NavEntry {
    title: String,
    url: String,
}

fn reference(name: &str) -> serde_json::Value {
    let path = fixtures_dir().join("mkdocs-reference").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn flatten_reference(nav: &serde_json::Value, out: &mut Vec<NavEntry>) {
    for item in nav.as_array().unwrap() {
        match item["kind"].as_str().unwrap() {
            "page" => out.push(NavEntry {
                title: item["title"].as_str().unwrap().to_owned(),
                url: item["url"].as_str().unwrap().to_owned(),
            }),
            "section" => flatten_reference(&item["children"], out),
            _ => {}
        }
    }
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

/// The pages of our navigation, in order, from the full tree on the site's home page.
fn our_nav(home_html: &str, base: &str) -> Vec<NavEntry> {
    let start = home_html.find("<nav class=\"docs-nav\"").expect("docs nav");
    let nav = &home_html[start..start + home_html[start..].find("</nav>").unwrap()];
    let site_link = nav.find("</p>").unwrap();
    let re = regex::Regex::new(r#"<a href="([^"]*)"[^>]*>([^<]*)</a>"#).unwrap();
    re.captures_iter(&nav[site_link..])
        .filter_map(|c| {
            let href = c[1].strip_prefix(base)?.to_owned();
            Some(NavEntry { title: unescape(&c[2]), url: href })
        })
        .collect()
}

fn heading_ids(page_html: &str) -> Vec<String> {
    let start = page_html.find("<div class=\"md\">").expect("md region");
    let re = regex::Regex::new(r#"<h[1-6] id="([^"]+)""#).unwrap();
    re.captures_iter(&page_html[start..]).map(|c| unescape(&c[1])).collect()
}

/// Compares one built site (`public/<base>`) with its reference; returns the differences.
fn compare(f: &Fixture, name: &str, base: &str) -> Vec<String> {
    let reference = reference(name);
    let mut problems = Vec::new();
    let mut want_nav = Vec::new();
    flatten_reference(&reference["nav"], &mut want_nav);
    let home = f.read(&format!("public/{base}index.html"));
    let got_nav = our_nav(&home, &format!("/{base}"));
    // Section links point at their first page; keep page entries only, as MkDocs' nav does.
    let mut got_pages: Vec<NavEntry> = Vec::new();
    for e in got_nav {
        if got_pages.last().is_some_and(|l: &NavEntry| l.url == e.url) {
            got_pages.pop();
        }
        got_pages.push(e);
    }
    if got_pages != want_nav {
        problems.push(format!("{name}: nav differs\n  ours:   {got_pages:?}\n  mkdocs: {want_nav:?}"));
    }
    for page in reference["pages"].as_array().unwrap() {
        let url = page["url"].as_str().unwrap();
        let out = format!("public/{base}{url}index.html");
        if !f.path().join(&out).exists() {
            problems.push(format!("{name}: no page at {out}"));
            continue;
        }
        let html = f.read(&out);
        let want: Vec<String> =
            page["headings"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_owned()).collect();
        let got = heading_ids(&html);
        if got != want {
            problems.push(format!("{name} {url}: heading ids differ\n  ours:   {got:?}\n  mkdocs: {want:?}"));
        }
        let title = page["title"].as_str().unwrap();
        if !html.contains(&format!("<title>{} · ", title.replace('&', "&amp;"))) {
            problems.push(format!("{name} {url}: title is not {title:?}"));
        }
    }
    problems
}

#[test]
fn backstage_demo_docs_match_mkdocs() {
    let f = Fixture::copy_of(&backstage_examples().join("demo"));
    f.build(&[]).assert_code(0);
    let problems = compare(&f, "backstage-demo", "docs/default/component/backstage-demo/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn create_app_example_docs_match_mkdocs() {
    let f = Fixture::copy_of(&backstage_examples().join("create-app/templates/next-app/examples/example-docs")).file(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: example-docs\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec: {type: documentation, lifecycle: experimental, owner: guests}\n",
    );
    f.build(&[]).assert_code(0);
    let problems = compare(&f, "create-app-example-docs", "docs/default/component/example-docs/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn content_example_docs_match_mkdocs() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    f.build(&[]).assert_code(0);
    let mut problems = Vec::new();
    for name in ["order-service", "payment-gateway", "route-planner", "tracking-service", "warehouse-scanner"] {
        problems.extend(compare(&f, name, &format!("docs/default/component/{name}/")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn synthetic_monorepo_docs_match_mkdocs() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("gen");
    crate::support::generate_monorepo(&generated, &["--components", "1000"]);
    // The 20 services the reference was made from, on their own.
    let mut f = Fixture::empty();
    for i in 0..20 {
        f = f.file(&format!("services/svc-{i}/.keep"), "");
        let from = generated.join(format!("services/svc-{i}"));
        copy(&from, &f.path().join(format!("services/svc-{i}")));
    }
    let run = f.build(&[]);
    // Owners and cross-service links point outside these 20 services: warnings only.
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut problems = Vec::new();
    for i in 0..20 {
        problems.extend(compare(&f, &format!("gen1000-svc-{i}"), &format!("docs/default/component/svc-{i}/")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
