//! TechDocs: every entity's MkDocs docs, rendered into the portal.
//!
//! Input: the validated entities (their `backstage.io/techdocs-ref` annotations), the
//! [`Inventory`] and the [`Config`]. Output: [`Docs`]: one [`DocSite`] per entity with
//! `techdocs-ref: dir:...`, its pages rendered to HTML (sanitised unless `docs.allow_raw_html`),
//! navigation, and the assets to copy; plus links for `techdocs-entity` annotations. Pages live
//! at `docs/<namespace>/<kind>/<name>/<page url>` (lower-case triplet, as TechDocs).
//!
//! Stages: [`load`] (part of `parse`): locate sites, plan pages and URLs, render every page in
//! parallel with a link resolver that knows every page of every site; [`check_anchors`] (part
//! of `resolve`): `#anchor`s checked against the target page's ids once all pages are known.

mod blocks;
mod inline;
pub(crate) mod links;
pub mod markdown;
pub mod mkdocs;
mod page;
pub mod preprocess;
pub mod readme;
pub mod sanitize;
mod site;
pub mod slug;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{Entity, EntityRef};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::discover::Inventory;
use links::LinkContext;
pub use links::encode_path;
use markdown::Heading;
use mkdocs::{MkdocsConfig, NavItem};
use page::{link_context_key, render_page, render_page_cached};
use site::Plan;

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";
pub const TECHDOCS_ENTITY: &str = "backstage.io/techdocs-entity";
pub const TECHDOCS_ENTITY_PATH: &str = "backstage.io/techdocs-entity-path";

/// A page of a docs site.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DocPage {
    /// Path relative to the site's docs (sub-site pages carry their alias: `api/index.md`).
    pub src: String,
    /// Root-relative path of the Markdown file.
    pub file: String,
    /// URL relative to the site's base, e.g. `guide/setup/`.
    pub url: String,
    pub title: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Sanitised body HTML, compressed: every page stays in memory until the site is written
    /// (45,000 pages at 10,000 components); see [`crate::packed`] for how much that saves, and
    /// [`DocPage::html`].
    body: crate::packed::Packed,
    /// Whether the body has an `<h1>` (else the theme shows the title as one).
    pub has_h1: bool,
    /// Hash of `html`: rendered pages are cached by it rather than by the HTML itself.
    pub html_key: crate::cache::Key,
    pub headings: Vec<Heading>,
    pub ids: BTreeSet<String>,
    pub mermaid: bool,
    anchors: Vec<markdown::AnchorUse<PageKey>>,
}

impl DocPage {
    /// The sanitised body HTML.
    pub fn html(&self) -> String {
        self.body.text()
    }
}

/// A rendered TechDocs site.
#[derive(Clone, Debug)]
pub struct DocSite {
    /// The entity whose URL the site has: of the entities whose `techdocs-ref` names this
    /// directory, the first by reference.
    pub entity: EntityRef,
    /// The other entities documented by this site (same directory).
    pub shared_with: Vec<EntityRef>,
    pub site_name: String,
    /// Root-relative directory of mkdocs.yml.
    pub project_dir: String,
    /// Output path prefix, `docs/<ns>/<kind>/<name>/`.
    pub url_base: String,
    /// URL of the home page, relative to the base path: `url_base` for a site with an
    /// index.md (or README.md), else its first page.
    pub home: String,
    /// Shared: a rebuild that keeps a page keeps it without copying.
    pub pages: Vec<Arc<DocPage>>,
    pub nav: Vec<NavItem>,
    /// Root-relative files copied beside the pages: (source file, output path).
    pub assets: Vec<(String, String)>,
    pub mkdocs: MkdocsConfig,
}

impl DocSite {
    pub fn page_index(&self, src: &str) -> Option<usize> {
        self.pages.binary_search_by(|p| p.src.as_str().cmp(src)).ok()
    }

    /// Output file of a page: `<url_base><url>index.html` (or the `.html` file itself).
    pub fn output_path(&self, page: &DocPage) -> String {
        if page.url.is_empty() || page.url.ends_with('/') {
            format!("{}{}index.html", self.url_base, page.url)
        } else {
            format!("{}{}", self.url_base, page.url)
        }
    }
}

/// Every docs site, and where entities' Docs links go.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    pub sites: Vec<DocSite>,
    /// Entity -> its docs URL (relative to the base path): its own site, or another entity's
    /// through `backstage.io/techdocs-entity`.
    pub entity_docs: BTreeMap<EntityRef, String>,
    /// The plans the sites were rendered from, for [`reload_pages`].
    plans: Arc<Vec<Plan>>,
}

impl Docs {
    pub fn page_count(&self) -> usize {
        self.sites.iter().map(|s| s.pages.len()).sum()
    }

    /// Whether the file `path` (root-relative) may be read by these docs: it lies in a docs
    /// directory, is a site's mkdocs file, or is a snippet a cached page included. A file for
    /// which this is false can change without changing the docs (with the same inventory and
    /// entities: see [`inputs_key`]).
    pub fn may_read(&self, path: &str, cache: &crate::cache::BuildCache) -> bool {
        let in_dir = |dir: &str, path: &str| dir.is_empty() || path.starts_with(&format!("{dir}/"));
        let site_file = self.plans.iter().flat_map(|p| &p.snippet_dirs).any(|(project, docs_dir)| {
            in_dir(docs_dir, path) || {
                let name = path.rsplit('/').next().unwrap_or(path);
                let parent = &path[..path.len() - name.len()].trim_end_matches('/');
                name.starts_with("mkdocs.") && parent == project
            }
        });
        site_file || cache.docs.lock().expect("cache lock").values().any(|e| e.snippets.iter().any(|(f, _)| f == path))
    }
}

/// Hash of what the docs depend on besides file contents: every file's path, and per entity its
/// reference, directory, display name and TechDocs annotations.
pub fn inputs_key(inventory: &Inventory, entities: &[std::sync::Arc<Entity>]) -> crate::cache::Key {
    let mut h = crate::cache::KeyHasher::default();
    for f in &inventory.files {
        h.add(f.as_bytes());
    }
    for e in entities {
        h.add(e.entity_ref.to_string().as_bytes());
        h.add(e.dir.as_bytes());
        h.add(e.display_name().as_bytes());
        for (k, v) in e.annotations.iter().filter(|(k, _)| k.contains("techdocs")) {
            h.add(k.as_bytes());
            h.add(v.as_bytes());
        }
    }
    h.finish()
}

/// (site index, page index).
pub type PageKey = (usize, usize);

/// Locates every entity's docs and renders them. Problems go to `diags`.
pub fn load(
    config: &Config,
    inventory: &Inventory,
    entities: &[std::sync::Arc<Entity>],
    diags: &mut Vec<Diagnostic>,
) -> Docs {
    load_cached(config, inventory, entities, None, diags)
}

/// [`load`], reusing pages whose inputs are unchanged from `cache` (for `serve`).
pub fn load_cached(
    config: &Config,
    inventory: &Inventory,
    entities: &[std::sync::Arc<Entity>],
    cache: Option<&crate::cache::BuildCache>,
    diags: &mut Vec<Diagnostic>,
) -> Docs {
    // Duplicate entities are left out by `resolve` (the first wins); so are their docs.
    let mut seen = BTreeSet::new();
    let entities: Vec<&Entity> = entities.iter().map(|e| &**e).filter(|e| seen.insert(&e.entity_ref)).collect();
    let (plans, mut entity_docs) = site::plan(config, inventory, &entities, diags);
    let jobs: Vec<PageKey> =
        plans.iter().enumerate().flat_map(|(s, plan)| (0..plan.pages.len()).map(move |p| (s, p))).collect();
    let ctx = LinkContext::new(config, inventory, &plans);
    let link_key = cache.map(|_| link_context_key(config, inventory, &plans));
    let rendered: Vec<(PageKey, Arc<DocPage>, Vec<Diagnostic>)> = jobs
        .par_iter()
        .map(|&key| {
            let (page, d) = match (cache, link_key) {
                (Some(cache), Some(link_key)) => render_page_cached(&ctx, key, cache, link_key),
                _ => {
                    let (page, d, _) = render_page(&ctx, key);
                    (Arc::new(page), d)
                }
            };
            (key, page, d)
        })
        .collect();

    let mut sites: Vec<DocSite> = plans
        .iter()
        .map(|p| DocSite {
            entity: p.entity.clone(),
            shared_with: p.shared_with.clone(),
            site_name: p.site_name.clone(),
            project_dir: p.project_dir.clone(),
            url_base: p.url_base.clone(),
            home: p.home.clone(),
            pages: Vec::with_capacity(p.pages.len()),
            nav: p.nav.clone(),
            assets: p.assets.iter().map(|(file, src)| (file.clone(), format!("{}{src}", p.url_base))).collect(),
            mkdocs: p.mkdocs.clone(),
        })
        .collect();
    for ((s, _), page, d) in rendered {
        sites[s].pages.push(page);
        diags.extend(d);
    }
    let plans = Arc::new(plans);

    // `techdocs-entity`: show another entity's docs.
    for entity in entities {
        let Some(target) = entity.annotations.get(TECHDOCS_ENTITY) else { continue };
        let pos = entity.annotation_pos.get(TECHDOCS_ENTITY).copied();
        match EntityRef::parse(target, None, &entity.namespace) {
            Ok(r) => match sites.iter().find(|s| s.entity == r || s.shared_with.contains(&r)) {
                Some(site) => {
                    let path = entity.annotations.get(TECHDOCS_ENTITY_PATH).map(String::as_str);
                    let url = match path.map(|p| site_path(site, p)) {
                        Some(Some(url)) => url,
                        Some(None) => {
                            diags.push(
                                Diagnostic::warning(
                                    "techdocs-entity-path-missing",
                                    format!(
                                        "`{TECHDOCS_ENTITY_PATH}: {}` is no page of the docs of {r}; the Docs link goes to their home page",
                                        path.unwrap_or_default()
                                    ),
                                )
                                .at(&entity.source.file, entity.annotation_pos.get(TECHDOCS_ENTITY_PATH).copied()),
                            );
                            site.home.clone()
                        }
                        None => site.home.clone(),
                    };
                    entity_docs.insert(entity.entity_ref.clone(), url);
                }
                None => diags.push(
                    Diagnostic::warning(
                        "techdocs-entity-missing",
                        format!("`{TECHDOCS_ENTITY}` names {r}, which has no docs"),
                    )
                    .at(&entity.source.file, pos),
                ),
            },
            Err(e) => diags.push(
                Diagnostic::error("invalid-ref", format!("`{TECHDOCS_ENTITY}`: {e}")).at(&entity.source.file, pos),
            ),
        }
    }
    Docs { sites, entity_docs, plans }
}

/// The URL of the page at `path` (relative to the site, as `techdocs-entity-path` gives it,
/// with or without the trailing `/`, optionally with a `#fragment`), if the site has it.
fn site_path(site: &DocSite, path: &str) -> Option<String> {
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, format!("#{f}")),
        None => (path, String::new()),
    };
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return Some(format!("{}{fragment}", site.home));
    }
    let page = site.pages.iter().find(|p| p.url == path || p.url.strip_suffix('/') == Some(path))?;
    Some(format!("{}{}{fragment}", site.url_base, encode_path(&page.url)))
}

/// `docs` with the pages of `changed` (root-relative files) rendered again; every other page is
/// kept as it is. For edits of existing pages only (the preview server's docs path): the sites,
/// their page lists and navigation cannot have changed, so the plans of `docs` still hold. Links
/// and anchors across pages are resolved exactly as by [`load_cached`]; anchors are checked by
/// the caller ([`check_anchors`]).
pub fn reload_pages(
    config: &Config,
    inventory: &Inventory,
    docs: &Docs,
    changed: &BTreeSet<String>,
    cache: &crate::cache::BuildCache,
    diags: &mut Vec<Diagnostic>,
) -> Docs {
    let plans = &docs.plans;
    let ctx = LinkContext::new(config, inventory, plans);
    let link_key = link_context_key(config, inventory, plans);
    let mut out = docs.clone();
    let entries = cache.docs.lock().expect("cache lock");
    // A page is rendered again when it changed, includes a changed snippet, or was not cached
    // (it had a missing snippet or an unreadable file, which may be fixed now).
    let stale: Vec<PageKey> = plans
        .iter()
        .enumerate()
        .flat_map(|(s, plan)| plan.pages.iter().enumerate().map(move |(p, page)| (s, p, plan, page)))
        .filter(|(_, _, plan, (_, file))| {
            changed.contains(file)
                || match entries.get(&(plan.url_base.clone(), file.clone())) {
                    Some(hit) => hit.snippets.iter().any(|(f, _)| changed.contains(f)),
                    None => true,
                }
        })
        .map(|(s, p, _, _)| (s, p))
        .collect();
    drop(entries);
    let rendered: Vec<(PageKey, Arc<DocPage>, Vec<Diagnostic>)> = stale
        .par_iter()
        .map(|&key| {
            let (page, d) = render_page_cached(&ctx, key, cache, link_key);
            (key, page, d)
        })
        .collect();
    for ((s, p), page, d) in rendered {
        out.sites[s].pages[p] = page;
        diags.extend(d);
    }
    out
}

/// Checks every `#anchor` of every page against the ids of the page it points at.
pub fn check_anchors(docs: &Docs, diags: &mut Vec<Diagnostic>) {
    let found: Vec<Diagnostic> = docs
        .sites
        .par_iter()
        .flat_map_iter(|site| {
            site.pages.iter().flat_map(move |page| {
                page.anchors.iter().filter_map(move |a| {
                    let target = docs.sites.get(a.target.0)?.pages.get(a.target.1)?;
                    (!target.ids.contains(&a.anchor)).then(|| {
                        Diagnostic::new(
                            Severity::Warning,
                            "broken-anchor",
                            format!(
                                "link `{}`: `#{}` is not a heading or id of `{}`",
                                a.written, a.anchor, target.file
                            ),
                        )
                        .at(&page.file, Some(a.pos))
                    })
                })
            })
        })
        .collect();
    diags.extend(found);
}
