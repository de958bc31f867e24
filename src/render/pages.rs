//! The portal's index pages: home, catalog table (and its JSON for client-side filtering), teams,
//! APIs, templates, docs, orphans and the 404 page.
//!
//! Input: the [`Portal`] and the entity rows. Output: (path, context) pairs for the templates.
//! Every list is sorted, so the pages are deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use super::views::{CatalogRow, EntityLink, ViewBuilder};
use crate::catalog::EntityRef;
use crate::catalog::kinds::HAS_PART;
use crate::resolve::Portal;

#[derive(Serialize)]
pub struct KindCount {
    pub kind: String,
    pub count: usize,
}

/// Entry points of the home page with their sizes.
#[derive(Serialize)]
pub struct HomeView {
    pub kinds: Vec<KindCount>,
    pub teams: usize,
    pub apis: usize,
    pub docs: usize,
    pub templates: usize,
    pub orphans: usize,
    /// Errors and warnings listed on the problems page.
    pub problems: usize,
    /// Entities left out because of an error.
    pub left_out: usize,
}

pub fn home(portal: &Portal) -> HomeView {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in portal.entities.values() {
        *counts.entry(e.kind.as_str()).or_default() += 1;
    }
    let count = |k: &str| counts.get(k).copied().unwrap_or(0);
    HomeView {
        teams: count("Group"),
        apis: count("API"),
        docs: portal.docs.sites.len(),
        templates: count("Template"),
        orphans: portal.ownership.orphans.len(),
        problems: portal.problems.len(),
        left_out: portal.rejected.len(),
        kinds: counts.into_iter().map(|(k, c)| KindCount { kind: k.to_owned(), count: c }).collect(),
    }
}

/// The catalog table's data as compact JSON: column names once, then one array per entity.
pub fn catalog_json(rows: &[CatalogRow]) -> Vec<u8> {
    let link = |l: &Option<EntityLink>| match l {
        Some(l) => serde_json::json!([l.label, l.url, l.entity_ref]),
        None => serde_json::Value::Null,
    };
    let data: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
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
                r.description
            ])
        })
        .collect();
    let doc = serde_json::json!({
        "columns": ["ref", "kind", "namespace", "name", "url", "type", "owner", "system", "lifecycle", "tags", "description"],
        "rows": data,
    });
    serde_json::to_vec(&doc).expect("JSON values serialise")
}

/// A group in the team tree, in tree order (a parent before its children).
#[derive(Serialize)]
pub struct TeamNode {
    pub group: EntityLink,
    pub group_type: String,
    pub members: usize,
    pub owned: usize,
    /// 0 for groups without a parent in the catalog.
    pub depth: usize,
}

/// Every group once, in the order of the group tree (see [`crate::resolve::Ownership::tree`]).
pub fn teams(portal: &Portal, builder: &ViewBuilder) -> Vec<TeamNode> {
    portal
        .ownership
        .tree
        .iter()
        .map(|(g, depth)| {
            let ownership = portal.ownership.groups.get(g);
            TeamNode {
                group: builder.link(g),
                group_type: portal.entities.get(g).and_then(|e| e.spec_str("type")).unwrap_or_default().to_owned(),
                members: ownership.map_or(0, |o| o.members.len()),
                owned: ownership.map_or(0, |o| o.owned.len()),
                depth: *depth,
            }
        })
        .collect()
}

/// A row of the APIs page.
#[derive(Serialize)]
pub struct ApiRow {
    pub api: CatalogRow,
    pub providers: Vec<EntityLink>,
    pub consumers: Vec<EntityLink>,
}

pub fn apis(portal: &Portal, builder: &ViewBuilder) -> Vec<ApiRow> {
    portal
        .entities
        .values()
        .filter(|e| e.kind == "API")
        .map(|e| ApiRow {
            api: builder.row(e),
            providers: portal.targets(&e.entity_ref, "apiProvidedBy").map(|r| builder.link(r)).collect(),
            consumers: portal.targets(&e.entity_ref, "apiConsumedBy").map(|r| builder.link(r)).collect(),
        })
        .collect()
}

/// A card of the templates gallery.
#[derive(Serialize)]
pub struct TemplateCard {
    pub template: CatalogRow,
    pub title: String,
}

pub fn templates(portal: &Portal, builder: &ViewBuilder) -> Vec<TemplateCard> {
    portal
        .entities
        .values()
        .filter(|e| e.kind == "Template")
        .map(|e| TemplateCard { template: builder.row(e), title: e.display_name().to_owned() })
        .collect()
}

/// A docs site in the docs index.
#[derive(Serialize)]
pub struct DocsCard {
    pub entity: EntityLink,
    /// Other entities documented by this site.
    pub also: Vec<EntityLink>,
    pub name: String,
    pub url: String,
    pub pages: usize,
}

pub fn docs(portal: &Portal, builder: &ViewBuilder) -> Vec<DocsCard> {
    let mut cards: Vec<DocsCard> = portal
        .docs
        .sites
        .iter()
        .map(|s| DocsCard {
            entity: builder.link(&s.entity),
            also: s.shared_with.iter().map(|r| builder.link(r)).collect(),
            name: s.site_name.clone(),
            url: s.home.clone(),
            pages: s.pages.len(),
        })
        .collect();
    cards.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.url.cmp(&b.url)));
    cards
}

/// Systems' parts, for system pages: (components, APIs, resources, other).
pub fn system_parts(portal: &Portal, system: &EntityRef) -> Vec<EntityRef> {
    portal.targets(system, HAS_PART).cloned().collect()
}
