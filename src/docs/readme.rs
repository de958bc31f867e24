//! The README tab: for an entity without TechDocs, the README beside its descriptor, rendered
//! by the docs pipeline (snippets, admonitions, highlighting, the sanitiser), shown as the
//! entity's `readme/` tab.
//!
//! Input: the inventory, the configuration and the entities. Output: per entity, the README's
//! rendered page as a [`Panel`] (tab id `readme`, one trusted HTML block), with the problems
//! found while rendering it. Kinds that describe code get one (Component, API, Resource,
//! System, Domain, Template); Groups, Users and Locations do not (a README at the root would
//! otherwise show on every team defined there). A link to another file of the repository goes to
//! its `source_url` page, else to its page on GitHub or GitLab when the checkout's `origin` is
//! there; otherwise relative links and images are kept as written. Unsafe URLs are refused as
//! in docs.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::markdown::{self, Resolved};
use super::mkdocs::Extensions;
use super::{preprocess, sanitize};
use crate::catalog::{Entity, EntityRef};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::discover::Inventory;
use crate::plugins::Panel;
use crate::plugins::blocks::BlockView;

/// File names looked for, in order.
const NAMES: [&str; 4] = ["README.md", "readme.md", "Readme.md", "README.markdown"];

/// Kinds whose entities get a README tab.
const KINDS: [&str; 6] = ["component", "api", "resource", "system", "domain", "template"];

/// The README tabs of `entities` that have no docs (`has_docs`).
pub fn load(
    config: &Config,
    inventory: &Inventory,
    entities: &[Arc<Entity>],
    has_docs: &dyn Fn(&EntityRef) -> bool,
) -> (BTreeMap<EntityRef, Panel>, Vec<Diagnostic>) {
    let found: Vec<(EntityRef, String)> = entities
        .iter()
        .filter(|e| KINDS.contains(&e.kind.to_lowercase().as_str()) && !has_docs(&e.entity_ref))
        .filter_map(|e| {
            let file = NAMES
                .iter()
                .map(|n| if e.dir.is_empty() { (*n).to_owned() } else { format!("{}/{n}", e.dir) })
                .find(|f| inventory.files.binary_search(f).is_ok())?;
            Some((e.entity_ref.clone(), file))
        })
        .collect();
    // Entities sharing a descriptor share its README: rendered once.
    let mut files: Vec<String> = found.iter().map(|(_, f)| f.clone()).collect();
    files.sort();
    files.dedup();
    let rendered: BTreeMap<String, (Option<BlockView>, Vec<Diagnostic>)> = files
        .into_par_iter()
        .map(|f| {
            let r = render(config, &f);
            (f, r)
        })
        .collect();
    let mut tabs = BTreeMap::new();
    let mut diags = Vec::new();
    for (_, d) in rendered.values() {
        diags.extend(d.iter().cloned());
    }
    for (r, file) in found {
        if let (Some(block), _) = &rendered[&file] {
            tabs.insert(
                r,
                Panel {
                    plugin: String::new(),
                    id: "readme".into(),
                    title: "README".into(),
                    blocks: vec![block.clone()],
                },
            );
        }
    }
    (tabs, diags)
}

/// `file` (root-relative) rendered; `None` when it is empty or unreadable.
fn render(config: &Config, file: &str) -> (Option<BlockView>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text = match crate::input::read_to_string(&config.root.join(file), config.limits.file) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::warning("unreadable-file", format!("cannot read the README: {e}")).at(file, None));
            return (None, diags);
        }
    };
    if text.trim().is_empty() {
        return (None, diags);
    }
    let dir = crate::paths::parent_dir(file).to_owned();
    let bases = [dir.clone()];
    let scope = preprocess::SnippetScope {
        root: &config.root,
        bases: &bases,
        boundary: &dir,
        page: file,
        limit: config.limits.file,
    };
    let pre = preprocess::preprocess(&text, &scope);
    for (pos, code, message) in &pre.problems {
        diags.push(Diagnostic::warning(code, message.clone()).at(file, Some(*pos)));
    }
    let resolve = |dest: &str, _image: bool| -> Resolved<()> {
        if let Err(scheme) = crate::urls::check(dest) {
            let problem = Some(crate::urls::refused("the link", dest, &scheme));
            return Resolved { href: dest.to_owned(), anchor: None, problem };
        }
        let relative = !dest.starts_with('#') && !dest.starts_with('/') && crate::urls::scheme(dest).is_none();
        let path = dest.split(['#', '?']).next().unwrap_or(dest);
        let href = match crate::paths::resolve_lexically(&dir, path) {
            // A file of the repository: its page on the forge.
            Ok(rel) if relative && !rel.is_empty() => match &config.source_url {
                Some(t) => t.replace("{path}", &super::links::encode_path(&rel)),
                None => config.repository.file_url(&rel).unwrap_or_else(|| dest.to_owned()),
            },
            _ => dest.to_owned(),
        };
        Resolved { href, anchor: None, problem: None }
    };
    let rendered = markdown::render(&pre, Extensions::default(), &resolve);
    for pr in &rendered.problems {
        diags.push(Diagnostic::new(pr.severity, pr.code, pr.message.clone()).at(file, Some(pr.pos)));
    }
    let html =
        if pre.raw_html && !config.docs_allow_raw_html { sanitize::clean(&rendered.html) } else { rendered.html };
    (Some(BlockView { kind: "markdown".into(), html, ..BlockView::default() }), diags)
}
