//! Entity pages as tabs, and the pages plugins add.
//!
//! An entity page is its Overview (`catalog/<ns>/<kind>/<name>/`) plus further tabs, each at
//! its own URL (`…/<name>/<tab>/`): an API's Definition (its rendered reference; links to the
//! Overview's old `#op-…` anchors are sent on by the theme's script), the TechDocs site (a link
//! to `docs/…`, where it has always been), the README of an entity without TechDocs and every
//! tab a plugin gave the entity. A tab with nothing to show does not exist, so
//! it is neither rendered nor linked; the tab bar shows only when there is more than the
//! Overview. Which tabs an entity shows, in which order, is `tabs:` in portico.yaml by `Kind/type`,
//! then `Kind`, then `"*"`; the default is `[overview, definition, docs, "*"]`, `"*"` standing for every
//! plugin tab not listed, in plugin order. The Overview is always there (first when not listed).
//!
//! Plugin pages are at `plugins/<plugin>/<path>/`, plugin assets at `plugins/<plugin>/<path>`.

use serde::Serialize;

use super::Renderer;
use super::views::{ViewBuilder, entity_path};
use crate::catalog::Entity;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::plugins::{Panel, PluginPage};
use crate::resolve::Portal;

/// A tab of an entity page, as the tab bar links it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TabLink {
    pub id: String,
    pub title: String,
    /// Relative to the base path.
    pub url: String,
}

/// Tab ids in order for `entity`: the most specific `tabs:` entry of portico.yaml.
fn composition<'c>(config: &'c Config, entity: &Entity) -> Option<&'c [String]> {
    let kind = entity.kind.to_lowercase();
    let with_type = entity.spec_str("type").map(|t| format!("{kind}/{}", t.to_lowercase()));
    let find = |selector: &str| config.tabs.iter().find(|(s, _)| s == selector).map(|(_, ids)| ids.as_slice());
    with_type.as_deref().and_then(find).or_else(|| find(&kind)).or_else(|| find("*"))
}

const DEFAULT_TABS: [&str; 4] = ["overview", "definition", "docs", "*"];

/// The tab ids `entity` shows, in order (`"*"`: the tabs not listed).
fn order<'c>(config: &'c Config, entity: &Entity) -> Vec<&'c str> {
    match composition(config, entity) {
        Some(ids) => ids.iter().map(String::as_str).collect(),
        None => DEFAULT_TABS.to_vec(),
    }
}

fn overview_link(base: &str) -> TabLink {
    TabLink { id: "overview".into(), title: "Overview".into(), url: base.to_owned() }
}

/// The tabs of `entity`, in order (only the Overview when it has no other).
pub fn entity_tabs(config: &Config, portal: &Portal, entity: &Entity, docs_url: Option<&str>) -> Vec<TabLink> {
    let base = entity_path(entity);
    let plugin_tabs: &[Panel] = portal.plugins.tabs.get(&entity.entity_ref).map_or(&[], Vec::as_slice);
    let has_definition = portal.apis.contains_key(&entity.entity_ref);
    let has_scorecards = portal.scorecards.has_tab(&entity.entity_ref);
    let order = order(config, entity);
    let available = |id: &str| -> Option<TabLink> {
        match id {
            "overview" => Some(overview_link(&base)),
            "definition" => has_definition.then(|| definition_link(&base)),
            "docs" => docs_url.map(|u| TabLink { id: id.into(), title: "Docs".into(), url: u.to_owned() }),
            "scorecards" => has_scorecards.then(|| scorecards_link(&base)),
            _ => plugin_tabs.iter().find(|t| t.id == id).map(|t| plugin_link(&base, t)),
        }
    };
    let mut tabs: Vec<TabLink> = Vec::new();
    for id in &order {
        if *id == "*" {
            for t in plugin_tabs.iter().filter(|t| !order.contains(&t.id.as_str())) {
                tabs.push(plugin_link(&base, t));
            }
            // Scorecards stand with the plugin tabs, after them, unless listed.
            if has_scorecards && !order.contains(&"scorecards") {
                tabs.push(scorecards_link(&base));
            }
        } else if let Some(tab) = available(id)
            && !tabs.iter().any(|t| t.id == tab.id)
        {
            tabs.push(tab);
        }
    }
    if !tabs.iter().any(|t| t.id == "overview") {
        tabs.insert(0, overview_link(&base));
    }
    // An API's definition has no other page: it is always a tab, after the Overview if not listed.
    if has_definition && !tabs.iter().any(|t| t.id == "definition") {
        let at = tabs.iter().position(|t| t.id == "overview").map_or(0, |i| i + 1);
        tabs.insert(at, definition_link(&base));
    }
    if tabs.len() == 1 { Vec::new() } else { tabs }
}

/// Drops the plugin tabs that `tabs:` in portico.yaml does not show (run once, after the
/// plugins: the pages, the tab bars and search then agree).
pub fn retain_shown(config: &Config, portal: &mut Portal) {
    let mut tabs = std::mem::take(&mut portal.plugins.tabs);
    tabs.retain(|r, panels| {
        let Some(entity) = portal.entities.get(r) else { return false };
        let order = order(config, entity);
        panels.retain(|p| order.contains(&"*") || order.contains(&p.id.as_str()));
        !panels.is_empty()
    });
    portal.plugins.tabs = tabs;
}

/// An API's Definition tab.
fn definition_link(base: &str) -> TabLink {
    TabLink { id: "definition".into(), title: "Definition".into(), url: format!("{base}definition/") }
}

/// The Scorecards tab of an entity a card applies to.
fn scorecards_link(base: &str) -> TabLink {
    TabLink { id: "scorecards".into(), title: "Scorecards".into(), url: format!("{base}scorecards/") }
}

fn plugin_link(base: &str, tab: &Panel) -> TabLink {
    TabLink { id: tab.id.clone(), title: tab.title.clone(), url: format!("{base}{}/", tab.id) }
}

/// What a plugin tab's page shows: the entity's header, the tab bar and the tab.
#[derive(Serialize)]
struct TabPage<'a> {
    entity: TabEntity<'a>,
    tabs: &'a [TabLink],
    tab: &'a Panel,
}

/// The part of an entity the header of a tab shows.
#[derive(Serialize)]
pub(super) struct TabEntity<'a> {
    #[serde(rename = "ref")]
    entity_ref: String,
    kind: &'a str,
    name: &'a str,
    display_name: &'a str,
    description: Option<&'a str>,
    spec_type: Option<&'a str>,
    url: String,
}

impl<'a> TabEntity<'a> {
    pub(super) fn of(e: &'a Entity) -> TabEntity<'a> {
        TabEntity {
            entity_ref: e.entity_ref.to_string(),
            kind: &e.kind,
            name: &e.name,
            display_name: e.display_name(),
            description: e.description.as_deref(),
            spec_type: e.spec_str("type"),
            url: entity_path(e),
        }
    }
}

/// Writes every plugin tab of every entity (those composition shows).
pub fn entity_tab_pages(
    renderer: &Renderer,
    builder: &ViewBuilder,
    entities: &[&Entity],
) -> Result<(), Box<Diagnostic>> {
    use rayon::prelude::*;
    let portal = builder.portal;
    entities
        .par_iter()
        .filter(|e| portal.plugins.tabs.contains_key(&e.entity_ref))
        .map(|e| {
            let tabs =
                entity_tabs(builder.config, portal, e, portal.docs.entity_docs.get(&e.entity_ref).map(String::as_str));
            let panels = &portal.plugins.tabs[&e.entity_ref];
            for link in tabs.iter().filter(|t| t.id != "overview" && t.id != "docs") {
                let Some(tab) = panels.iter().find(|p| p.id == link.id) else { continue };
                renderer.page(
                    format!("{}index.html", link.url),
                    "entity-tab.html",
                    &TabPage { entity: TabEntity::of(e), tabs: &tabs, tab },
                )?;
            }
            Ok(())
        })
        .collect()
}

/// Writes the pages and assets of plugins, and `api/facts.json`.
pub fn plugin_pages(renderer: &Renderer, portal: &Portal) -> Result<(), Box<Diagnostic>> {
    #[derive(Serialize)]
    struct Page<'a> {
        page: &'a PluginPage,
    }
    for page in &portal.plugins.pages {
        renderer.page(format!("{}index.html", page.url()), "plugin-page.html", &Page { page })?;
    }
    for (path, content) in &portal.plugins.assets {
        renderer.put(path.clone(), super::Content::from(content.as_slice()))?;
    }
    renderer.put("api/facts.json".into(), portal.plugins.facts_json().into())
}
