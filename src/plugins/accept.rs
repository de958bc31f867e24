//! Checking what a plugin answered and adding it to the [`Contributions`]: entities that are in
//! the catalog, ids and paths that are safe, blocks prepared for the theme, the plugin's own
//! diagnostics mapped to Portico's (pointed at a file, or at the entity's descriptor). What does
//! not pass is left out with a warning naming the plugin.

use super::protocol::{Contribution, DiagnosticLevel, Response};
use super::{Contributions, Panel, PluginPage, PluginSpec, SearchDoc, blocks, valid_id};
use crate::catalog::EntityRef;
use crate::diagnostics::{Diagnostic, Pos, Severity};
use crate::resolve::Portal;

/// The entity `written` names in `portal` (`x` is `component:default/x`).
fn entity_of(portal: &Portal, written: &str) -> Option<EntityRef> {
    let r = EntityRef::parse(written, Some("component"), crate::catalog::entity_ref::DEFAULT_NAMESPACE).ok()?;
    portal.entities.contains_key(&r).then_some(r)
}

/// Whether `path` is a safe relative path of lower-case segments (`""` allowed when `empty`).
fn valid_path(path: &str, empty: bool, file: bool) -> bool {
    if path.is_empty() {
        return empty;
    }
    path.len() <= 200
        && path.split('/').all(|s| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b) || (file && b == b'.'))
                && (file || s.bytes().all(|b| !b.is_ascii_uppercase()))
        })
}

/// Checks `response` of `spec` and adds it to `out`.
pub(super) fn accept(
    spec: &PluginSpec,
    response: Response,
    portal: &Portal,
    out: &mut Contributions,
    diags: &mut Vec<Diagnostic>,
) {
    let id = &spec.id;
    let mut dropped: Vec<String> = Vec::new();
    let mut left_out = |what: String| dropped.push(what);
    for d in response.diagnostics {
        let severity = match d.level {
            DiagnosticLevel::Error => Severity::Error,
            DiagnosticLevel::Warning => Severity::Warning,
            DiagnosticLevel::Info => Severity::Info,
        };
        let code = if valid_id(&d.code) { crate::cache::disk::intern(d.code) } else { "plugin-diagnostic" };
        let mut diag = Diagnostic::new(severity, code, format!("{id}: {}", d.message));
        let entity = d.entity.as_deref().and_then(|e| entity_of(portal, e)).and_then(|r| portal.entities.get(&r));
        if let Some(file) = d.file.as_deref().and_then(|f| crate::paths::resolve_lexically("", f).ok()) {
            let pos = d.line.map(|line| Pos::new(line, d.column.unwrap_or(1)));
            diag = diag.at(&file, pos);
        } else if let Some(e) = entity {
            diag = diag.at(&e.source.file, None);
        }
        diags.push(diag);
    }
    for fact in response.facts {
        match entity_of(portal, &fact.entity) {
            Some(r) => {
                out.facts.entry(r.to_string()).or_default().entry(id.clone()).or_default().extend(fact.values);
            }
            None => left_out(format!("facts of `{}`, which is not in the catalog", fact.entity)),
        }
    }
    let mut tabs: Vec<(EntityRef, Panel)> = Vec::new();
    let mut cards: Vec<(EntityRef, Panel)> = Vec::new();
    for contribution in response.contributions {
        match contribution {
            Contribution::EntityTab { entity, id: tab, title, blocks: b } => {
                if let Some(panel) = panel(portal, id, "tab", &entity, tab, title, &b, &mut left_out) {
                    tabs.push(panel);
                }
            }
            Contribution::EntityCard { entity, id: card, title, blocks: b } => {
                if let Some(panel) = panel(portal, id, "card", &entity, card, title, &b, &mut left_out) {
                    cards.push(panel);
                }
            }
            Contribution::Page { path, title, blocks: b } => {
                if !valid_path(&path, true, false) {
                    left_out(format!("page `{path}` (a path is lower-case segments separated by `/`)"));
                    continue;
                }
                out.pages.push(PluginPage {
                    plugin: id.clone(),
                    path,
                    title,
                    blocks: b.iter().map(blocks::prepare).collect(),
                });
            }
            Contribution::Asset { path, text, base64 } => {
                let content = match (text, base64) {
                    (Some(t), None) => t.into_bytes(),
                    (None, Some(b)) => match base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b) {
                        Ok(bytes) => bytes,
                        Err(e) => {
                            left_out(format!("asset `{path}` (invalid base64: {e})"));
                            continue;
                        }
                    },
                    _ => {
                        left_out(format!("asset `{path}` (give `text` or `base64`)"));
                        continue;
                    }
                };
                if !valid_path(&path, false, true) {
                    left_out(format!("asset `{path}` (a path is relative, without `..`)"));
                    continue;
                }
                out.assets.push((format!("plugins/{id}/{path}"), content));
            }
            Contribution::SearchDoc { title, url, text, entity } => {
                if !crate::urls::is_safe(&url) {
                    left_out(format!("search document `{title}` (its URL `{url}` is not allowed)"));
                    continue;
                }
                let entity = entity.as_deref().and_then(|e| entity_of(portal, e));
                out.search_docs.push(SearchDoc { plugin: id.clone(), title, url, text, entity });
            }
        }
    }
    for what in dropped {
        diags.push(
            Diagnostic::warning("plugin-contribution", format!("plugin `{id}`: {what}: left out"))
                .hint("see the plugin protocol in the README"),
        );
    }
    for (what, panels, into) in [("tab", tabs, &mut out.tabs), ("card", cards, &mut out.cards)] {
        for (r, panel) in panels {
            let list = into.entry(r.clone()).or_default();
            let reserved = what == "tab" && super::RESERVED_TABS.contains(&panel.id.as_str());
            if reserved || list.iter().any(|t| t.id == panel.id) {
                diags.push(Diagnostic::warning(
                    "plugin-contribution",
                    format!(
                        "plugin `{id}`: {what} `{}` of `{r}` is taken (by Portico or another plugin): left out",
                        panel.id
                    ),
                ));
                continue;
            }
            list.push(panel);
        }
    }
}

/// A tab or card for the entity `entity` names, when it is in the catalog and `id` is valid.
#[allow(clippy::too_many_arguments)]
fn panel(
    portal: &Portal,
    plugin: &str,
    what: &str,
    entity: &str,
    id: String,
    title: String,
    b: &[super::protocol::Block],
    left_out: &mut dyn FnMut(String),
) -> Option<(EntityRef, Panel)> {
    let Some(r) = entity_of(portal, entity) else {
        left_out(format!("{what} `{id}` of `{entity}`, which is not in the catalog"));
        return None;
    };
    if !valid_id(&id) {
        left_out(format!("{what} `{id}` of `{entity}` (an id is lower-case letters, digits and `-`)"));
        return None;
    }
    Some((r, Panel { plugin: plugin.to_owned(), id, title, blocks: b.iter().map(blocks::prepare).collect() }))
}
