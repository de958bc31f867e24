//! Link integrity: every internal link, stylesheet, script and image of a built site points at
//! a file of the site (and every `#anchor` on a page of the site at an id of that page).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::support::{Fixture, backstage_examples};

/// Crawls `public/` and returns the number of references checked and the broken ones as
/// `page -> target` lines. A fragment must name an `id` or an `<a name>` of the target page (browsers
/// scroll to either).
pub(crate) fn broken_links(f: &Fixture, base: &str) -> (usize, Vec<String>) {
    let root = f.path().join("public");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let existing: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let attr = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let id = regex::Regex::new(r#"\bid="([^"]+)"|<a name="([^"]+)""#).unwrap();
    let mut ids: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let pages: Vec<&String> = files.iter().filter(|f| f.ends_with(".html")).collect();
    let texts: HashMap<&str, String> =
        pages.iter().map(|p| (p.as_str(), std::fs::read_to_string(root.join(p)).unwrap())).collect();
    for (p, text) in &texts {
        ids.insert(
            p,
            id.captures_iter(text).filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_owned())).collect(),
        );
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for (page, text) in &texts {
        for c in attr.captures_iter(text) {
            let target = c[1].replace("&amp;", "&");
            if target.is_empty()
                || target.starts_with("http")
                || target.starts_with("mailto:")
                || target.starts_with("//")
            {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((p, f)) => (p.to_owned(), Some(f.to_owned())),
                None => (target.clone(), None),
            };
            let path = path.split('?').next().unwrap().to_owned();
            let file = if path.is_empty() {
                page.to_string()
            } else if let Some(rest) = path.strip_prefix(base) {
                if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.to_owned() }
            } else if path.starts_with('/') {
                broken.push(format!("{page} -> {target} (outside the base path {base})"));
                continue;
            } else {
                // Relative to the page's directory.
                let dir = Path::new(page).parent().unwrap().join(&path);
                let s = dir.to_string_lossy().replace('\\', "/");
                if s.ends_with('/') || s.is_empty() { format!("{s}index.html") } else { s }
            };
            checked += 1;
            if !existing.contains(file.as_str()) {
                broken.push(format!("{page} -> {target}"));
                continue;
            }
            if let (Some(frag), Some(page_ids)) = (fragment, ids.get(file.as_str()))
                && !frag.is_empty()
                && !page_ids.contains(&frag)
            {
                broken.push(format!("{page} -> {target} (no id {frag})"));
            }
        }
    }
    broken.sort();
    (checked, broken)
}

#[test]
fn content_example_has_no_broken_internal_links_or_missing_assets() {
    let f = Fixture::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    f.build(&[]).assert_code(0);
    let (checked, broken) = broken_links(&f, "/");
    assert!(checked > 1000, "only {checked} links checked");
    assert!(broken.is_empty(), "{} broken:\n{}", broken.len(), broken.join("\n"));
    // The same site under a sub-path (GitHub project pages).
    f.build(&["--base-url", "https://acme.github.io/portal/", "--out", "public"]).assert_code(0);
    let (_, broken) = broken_links(&f, "/portal/");
    assert!(broken.is_empty(), "{} broken under /portal/:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn backstage_examples_have_no_broken_internal_links() {
    let f = Fixture::copy_of(&backstage_examples().join("backstage/packages/catalog-model/examples"))
        .file("portico.yaml", "catalog:\n  locations: [all.yaml, acme-corp.yaml]\n");
    f.build(&[]).assert_code(0);
    let (checked, broken) = broken_links(&f, "/");
    assert!(checked > 500, "only {checked} links checked");
    assert!(broken.is_empty(), "{} broken:\n{}", broken.len(), broken.join("\n"));

    let demo = Fixture::copy_of(&backstage_examples().join("demo"))
        // The fixture keeps Markdown only; upstream has this file.
        .file("docs/examples/files/sample1.py", "print('hello')\n");
    demo.build(&[]).assert_code(0);
    let (_, broken) = broken_links(&demo, "/");
    assert!(broken.is_empty(), "{} broken:\n{}", broken.len(), broken.join("\n"));
}
