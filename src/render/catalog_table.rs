//! The catalog table (`catalog/`): static pages of rows, and the data `portico.js` filters,
//! sorts and pages through, loaded in shards.
//!
//! Input: every entity's [`CatalogRow`], in reference order (so grouped by kind). Output:
//! - `catalog/index.html`, `catalog/page/2/index.html`, ...: [`PAGE_SIZE`] rows each, with
//!   links between the pages and to the page where each kind starts: the catalog reads without
//!   JavaScript, and no page grows with the catalog;
//! - `catalog/entities.<hash>.json`, the manifest: the facets (every kind, type, owner, system,
//!   lifecycle, tag and namespace with its count, and each kind's types and lifecycles), the list
//!   of shards and the groups file of "my team" ([`super::my_team`]);
//! - `catalog/entities-<n>.<hash>.json`, the shards: at most [`SHARD_ROWS`] rows of one kind each,
//!   in reference order, so a kind filter loads only that kind's shards and the first page of a
//!   kind needs only its first shard, which holds just that page ([`PAGE_SIZE`] rows);
//! - `catalog/entities-locator.<hash>.json`: which shards hold each owner's and each system's
//!   rows, read only by an owner or system filter, which then loads only those shards.
//!
//! Every file name carries a hash of its content (cache forever); the output is deterministic.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::paginate::{self, Pager};
use super::views::{CatalogRow, EntityLink};
use super::{Content, Renderer};
use crate::diagnostics::Diagnostic;

/// Rows of a static catalog page, and of a page of the table with JavaScript.
pub const PAGE_SIZE: usize = 100;
/// Rows of a data shard: about 150 KB of JSON (25 KB gzipped) on the generated monorepos.
pub const SHARD_ROWS: usize = 500;
/// Version of the manifest's shape, for themes that replace `portico.js`.
const FORMAT: u32 = 1;

/// Where a kind starts in the static pages.
#[derive(Clone, Debug, Serialize)]
pub struct KindStart {
    pub kind: String,
    pub count: usize,
    /// The page that shows the kind's first row, relative to the base path.
    pub url: String,
}

/// The context of `catalog.html`.
#[derive(Serialize)]
struct CatalogPage<'a> {
    /// This page's rows.
    rows: &'a [CatalogRow],
    pager: Pager,
    /// The manifest, relative to the base path.
    data_url: &'a str,
    kinds: &'a [KindStart],
}

/// The catalog pages, the manifest and the shards.
pub fn files(renderer: &Renderer, rows: Vec<CatalogRow>, groups_url: &str) -> Result<(), Box<Diagnostic>> {
    let (manifest_path, files) = data(&rows, groups_url);
    for (path, content) in files {
        renderer.put(path, content)?;
    }
    let kinds = kind_starts(&rows);
    let pages = paginate::paginate("catalog/", rows, PAGE_SIZE);
    pages.par_iter().try_for_each(|(pager, rows)| {
        let view = CatalogPage { rows, pager: pager.clone(), data_url: &manifest_path, kinds: &kinds };
        renderer.page(paginate::path_of(&pager.url), "catalog.html", &view)
    })
}

/// For each kind (as written), its size and the static page of its first row.
fn kind_starts(rows: &[CatalogRow]) -> Vec<KindStart> {
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        kinds.entry(r.kind.as_str()).or_insert((i, 0)).1 += 1;
    }
    let mut out: Vec<KindStart> = kinds
        .into_iter()
        .map(|(kind, (first, count))| KindStart {
            kind: kind.to_owned(),
            count,
            url: paginate::page_url("catalog/", paginate::page_of(first, PAGE_SIZE)),
        })
        .collect();
    out.sort_by(|a, b| a.kind.to_lowercase().cmp(&b.kind.to_lowercase()).then(a.kind.cmp(&b.kind)));
    out
}

/// One row as `portico.js` reads it: `[ref, kind, namespace, name, url, type, owner, system,
/// lifecycle, tags, description, more]`, owner and system as `[label, url, ref]` or null;
/// `more` is null, or the columns of some kinds only (see [`CatalogRow`]): `{email, groups,
/// parent, members, domain}`, each only when set.
fn row_json(r: &CatalogRow) -> serde_json::Value {
    let json = |l: &EntityLink| serde_json::json!([l.label, l.url, l.entity_ref]);
    let link = |l: &Option<EntityLink>| l.as_ref().map_or(serde_json::Value::Null, json);
    let mut more = serde_json::Map::new();
    if !r.email.is_empty() {
        more.insert("email".into(), r.email.clone().into());
    }
    if !r.groups.is_empty() {
        more.insert("groups".into(), r.groups.iter().map(json).collect());
    }
    if let Some(p) = &r.parent {
        more.insert("parent".into(), json(p));
    }
    if r.kind.eq_ignore_ascii_case("group") {
        more.insert("members".into(), r.members.into());
    }
    if let Some(d) = &r.domain {
        more.insert("domain".into(), json(d));
    }
    serde_json::json!([
        r.entity_ref,
        r.kind,
        r.namespace,
        r.display_name,
        r.url,
        r.spec_type,
        link(&r.owner),
        link(&r.system),
        r.lifecycle,
        r.tags,
        r.description,
        if more.is_empty() { serde_json::Value::Null } else { more.into() }
    ])
}

fn hashed(stem: &str, bytes: &[u8]) -> String {
    format!("{stem}.{}.json", &blake3::hash(bytes).to_hex()[..8])
}

/// A facet's values: `[value, label, count]`, sorted by label (case-insensitive), then value;
/// and the shards that hold each value, in order (see [`data`]).
fn facet<'a>(
    values: impl Iterator<Item = (&'a str, &'a str, usize)>,
) -> (Vec<(&'a str, &'a str, usize)>, BTreeMap<&'a str, Vec<usize>>) {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut shards: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (value, label, shard) in values {
        if !value.is_empty() {
            *counts.entry((value, label)).or_default() += 1;
            let list = shards.entry(value).or_default();
            if list.last() != Some(&shard) {
                list.push(shard);
            }
        }
    }
    let mut out: Vec<(&str, &str, usize)> = counts.into_iter().map(|((v, l), n)| (v, l, n)).collect();
    out.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then_with(|| a.0.cmp(b.0)));
    (out, shards)
}

/// The manifest's path and the data files (manifest and shards).
pub fn data<'a>(rows: &'a [CatalogRow], groups_url: &str) -> (String, Vec<(String, Content)>) {
    let mut files = Vec::new();
    let mut shards = Vec::new();
    // Shards never mix kinds (compared as in references: case-insensitively). A kind's first
    // page of rows is a shard of its own, so a kind's tab (the catalog opens on Components)
    // loads [`PAGE_SIZE`] rows, not [`SHARD_ROWS`]; the rest are spread evenly over as few shards
    // as the limit allows (501 rows: 251 and 250, not 500 and 1).
    let mut start = 0;
    let mut bounds = Vec::new();
    while start < rows.len() {
        let kind = rows[start].kind.to_lowercase();
        let run = rows[start..].iter().take_while(|r| r.kind.to_lowercase() == kind).count();
        let head = run.min(PAGE_SIZE);
        bounds.push((start, start + head));
        let (rest_start, rest) = (start + head, run - head);
        let parts = rest.div_ceil(SHARD_ROWS);
        for i in 0..parts {
            bounds.push((rest_start + rest * i / parts, rest_start + rest * (i + 1) / parts));
        }
        start += run;
    }
    for &(start, end) in &bounds {
        let part = &rows[start..end];
        let body = serde_json::json!({ "rows": part.iter().map(row_json).collect::<Vec<_>>() });
        let bytes = serde_json::to_vec(&body).expect("JSON values serialise");
        let path = hashed(&format!("catalog/entities-{}", shards.len()), &bytes);
        let mut kinds: Vec<&str> = part.iter().map(|r| r.kind.as_str()).collect();
        kinds.dedup();
        kinds.sort_unstable();
        kinds.dedup();
        let mut namespaces: Vec<&str> = part.iter().map(|r| r.namespace.as_str()).collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        shards.push(serde_json::json!({ "url": path, "rows": part.len(), "kinds": kinds, "namespaces": namespaces }));
        files.push((path, Content::from(bytes)));
    }
    // Rows in shard order, with their shard.
    let rows_in: Vec<(&CatalogRow, usize)> = bounds
        .iter()
        .enumerate()
        .flat_map(|(i, (start, end))| rows[*start..*end].iter().map(move |r| (r, i)))
        .collect();
    let same = |(r, i): &(&'a CatalogRow, usize), pick: fn(&'a CatalogRow) -> &'a str| (pick(r), pick(r), *i);
    let link = |(r, i): &(&'a CatalogRow, usize), pick: fn(&'a CatalogRow) -> &'a Option<EntityLink>| {
        pick(r).as_ref().map_or(("", "", *i), |l| (l.entity_ref.as_str(), l.label.as_str(), *i))
    };
    let (owner, owner_shards) = facet(rows_in.iter().map(|x| link(x, |r| &r.owner)));
    let (system, system_shards) = facet(rows_in.iter().map(|x| link(x, |r| &r.system)));
    // Owners and systems have few rows each, spread thinly: the locator says which shards hold
    // them, so an owner filter loads those shards only. It is a file of its own (155 KB on the
    // 10,000-component benchmark) that only such a filter fetches.
    let locator = serde_json::to_vec(&serde_json::json!({ "owner": owner_shards, "system": system_shards }))
        .expect("JSON values serialise");
    let locator_path = hashed("catalog/entities-locator", &locator);
    files.push((locator_path.clone(), Content::from(locator)));
    let facets = serde_json::json!({
        "kind": facet(rows_in.iter().map(|x| same(x, |r| &r.kind))).0,
        "type": facet(rows_in.iter().map(|x| same(x, |r| &r.spec_type))).0,
        "owner": owner,
        "system": system,
        "lifecycle": facet(rows_in.iter().map(|x| same(x, |r| &r.lifecycle))).0,
        "tag": facet(rows_in.iter().flat_map(|(r, i)| r.tags.iter().map(move |t| (t.as_str(), t.as_str(), *i)))).0,
        "namespace": facet(rows_in.iter().map(|x| same(x, |r| &r.namespace))).0,
    });
    // The type and lifecycle facets of each kind, for the filters of a kind's tab (small: a
    // kind has a few types and lifecycles).
    let mut by_kind: BTreeMap<&str, Vec<&(&CatalogRow, usize)>> = BTreeMap::new();
    for x in &rows_in {
        by_kind.entry(x.0.kind.as_str()).or_default().push(x);
    }
    let kind_facets: serde_json::Map<String, serde_json::Value> = by_kind
        .into_iter()
        .map(|(kind, list)| {
            let facets = serde_json::json!({
                "type": facet(list.iter().map(|x| same(x, |r| &r.spec_type))).0,
                "lifecycle": facet(list.iter().map(|x| same(x, |r| &r.lifecycle))).0,
            });
            (kind.to_owned(), facets)
        })
        .collect();
    let manifest = serde_json::json!({
        "format": FORMAT,
        "total": rows.len(),
        "page_size": PAGE_SIZE,
        "columns": ["ref", "kind", "namespace", "name", "url", "type", "owner", "system", "lifecycle", "tags", "description", "more"],
        "shards": shards,
        "locator": locator_path,
        "facets": facets,
        "kind_facets": kind_facets,
        "groups": groups_url,
    });
    let bytes = serde_json::to_vec(&manifest).expect("JSON values serialise");
    let path = hashed("catalog/entities", &bytes);
    files.push((path.clone(), Content::from(bytes)));
    (path, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, name: &str, owner: Option<&str>) -> CatalogRow {
        let link = |r: &str| EntityLink {
            entity_ref: format!("group:default/{r}"),
            kind: "Group".into(),
            label: r.to_uppercase(),
            url: Some(format!("catalog/default/group/{r}/")),
        };
        CatalogRow {
            entity_ref: format!("{}:default/{name}", kind.to_lowercase()),
            kind: kind.into(),
            namespace: "default".into(),
            name: name.into(),
            display_name: name.into(),
            url: format!("catalog/default/{}/{name}/", kind.to_lowercase()),
            spec_type: "service".into(),
            owner: owner.map(link),
            system: None,
            lifecycle: "production".into(),
            tags: vec!["go".into()],
            description: String::new(),
            email: String::new(),
            groups: Vec::new(),
            parent: None,
            members: 0,
            domain: None,
        }
    }

    fn json(files: &[(String, Content)], path: &str) -> serde_json::Value {
        let (_, bytes) = files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("no {path}"));
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn shards_hold_one_kind_each_at_most_shard_rows_and_every_row_once() {
        let mut rows: Vec<CatalogRow> =
            (0..SHARD_ROWS + 3).map(|i| row("API", &format!("a{i:05}"), Some("t"))).collect();
        rows.extend((0..2).map(|i| row("Component", &format!("c{i}"), None)));
        let (manifest_path, files) = data(&rows, "catalog/groups.json");
        let manifest = json(&files, &manifest_path);
        let shards = manifest["shards"].as_array().unwrap();
        let sizes: Vec<(u64, &str)> =
            shards.iter().map(|s| (s["rows"].as_u64().unwrap(), s["kinds"][0].as_str().unwrap())).collect();
        // The first page of each kind alone; the rest evenly.
        let rest = (SHARD_ROWS + 3 - PAGE_SIZE) as u64;
        assert_eq!(sizes, [(PAGE_SIZE as u64, "API"), (rest, "API"), (2, "Component")]);
        let mut refs = Vec::new();
        for s in shards {
            let url = s["url"].as_str().unwrap();
            assert!(url.starts_with("catalog/entities-") && url.ends_with(".json"), "{url}");
            refs.extend(
                json(&files, url)["rows"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap().to_owned()),
            );
        }
        assert_eq!(refs, rows.iter().map(|r| r.entity_ref.clone()).collect::<Vec<_>>());
        assert_eq!(manifest["total"], rows.len());
        assert_eq!(
            manifest["facets"]["kind"],
            serde_json::json!([["API", "API", SHARD_ROWS + 3], ["Component", "Component", 2]])
        );
        assert_eq!(manifest["facets"]["owner"], serde_json::json!([["group:default/t", "T", SHARD_ROWS + 3]]));
        // The locator says which shards hold an owner's rows.
        let locator = json(&files, manifest["locator"].as_str().unwrap());
        assert_eq!(locator["owner"], serde_json::json!({ "group:default/t": [0, 1] }));
        // Names change with content, not otherwise.
        assert_eq!(data(&rows, "catalog/groups.json").0, manifest_path);
        rows[0].description = "changed".into();
        assert_ne!(data(&rows, "catalog/groups.json").0, manifest_path);
    }

    #[test]
    fn rows_carry_the_columns_of_their_kind_only() {
        let mut user = row("User", "ann", None);
        user.email = "ann@example.com".into();
        user.groups = vec![EntityLink {
            entity_ref: "group:default/t".into(),
            kind: "Group".into(),
            label: "T".into(),
            url: Some("catalog/default/group/t/".into()),
        }];
        assert_eq!(
            row_json(&user)[11],
            serde_json::json!({"email": "ann@example.com", "groups": [["T", "catalog/default/group/t/", "group:default/t"]]})
        );
        let mut group = row("Group", "t", None);
        group.members = 3;
        assert_eq!(row_json(&group)[11], serde_json::json!({"members": 3}));
        assert_eq!(row_json(&row("Component", "c", None))[11], serde_json::Value::Null);
        // Each kind's type and lifecycle values, for its tab's filters.
        let rows = [row("API", "a", None), row("Component", "c", None)];
        let (path, files) = data(&rows, "catalog/groups.json");
        let manifest = json(&files, &path);
        assert_eq!(manifest["kind_facets"]["API"]["type"], serde_json::json!([["service", "service", 1]]));
        assert_eq!(manifest["groups"], "catalog/groups.json");
    }

    #[test]
    fn each_kind_links_to_the_page_of_its_first_row() {
        let mut rows: Vec<CatalogRow> = (0..PAGE_SIZE + 5).map(|i| row("API", &format!("a{i:05}"), None)).collect();
        rows.extend((0..PAGE_SIZE * 2).map(|i| row("Component", &format!("c{i:05}"), None)));
        rows.push(row("User", "u", None));
        let kinds: Vec<(String, usize, String)> =
            kind_starts(&rows).into_iter().map(|k| (k.kind, k.count, k.url)).collect();
        assert_eq!(
            kinds,
            [
                ("API".to_owned(), PAGE_SIZE + 5, "catalog/".to_owned()),
                ("Component".to_owned(), PAGE_SIZE * 2, "catalog/page/2/".to_owned()),
                ("User".to_owned(), 1, "catalog/page/4/".to_owned()),
            ]
        );
    }
}
