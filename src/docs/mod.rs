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

pub mod markdown;
pub mod mkdocs;
pub mod preprocess;
pub mod sanitize;
pub mod slug;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{Entity, EntityRef};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Pos, Severity};
use crate::discover::Inventory;
use crate::paths;
use markdown::{Heading, Resolved};
use mkdocs::{Include, MkdocsConfig, NavItem};

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";
pub const TECHDOCS_ENTITY: &str = "backstage.io/techdocs-entity";
pub const TECHDOCS_ENTITY_PATH: &str = "backstage.io/techdocs-entity-path";

/// A page of a docs site.
#[derive(Clone, Debug)]
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
    /// Sanitised body HTML.
    pub html: String,
    /// Hash of `html`: rendered pages are cached by it rather than by the HTML itself.
    pub html_key: crate::cache::Key,
    pub headings: Vec<Heading>,
    pub ids: BTreeSet<String>,
    pub mermaid: bool,
    anchors: Vec<markdown::AnchorUse<PageKey>>,
}

/// A rendered TechDocs site.
#[derive(Clone, Debug)]
pub struct DocSite {
    pub entity: EntityRef,
    pub site_name: String,
    /// Root-relative directory of mkdocs.yml.
    pub project_dir: String,
    /// Output path prefix, `docs/<ns>/<kind>/<name>/`.
    pub url_base: String,
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

/// A site before its pages are rendered.
#[derive(Debug)]
struct Plan {
    entity: EntityRef,
    site_name: String,
    project_dir: String,
    url_base: String,
    mkdocs: MkdocsConfig,
    /// (src, root-relative file), sorted by src.
    pages: Vec<(String, String)>,
    nav: Vec<NavItem>,
    assets: Vec<(String, String)>,
    /// Directories pages may read snippets from: (project dir, docs dir) per (sub-)site.
    snippet_dirs: Vec<(String, String)>,
}

fn lower_base(entity: &Entity) -> String {
    let r = &entity.entity_ref;
    format!("docs/{}/{}/{}/", r.namespace, r.kind, r.name)
}

/// Files of the inventory under `dir/` (root-relative), in order.
fn files_under<'a>(inventory: &'a Inventory, dir: &str) -> &'a [String] {
    if dir.is_empty() {
        return &inventory.files;
    }
    let prefix = format!("{dir}/");
    let start = inventory.files.partition_point(|f| f.as_str() < prefix.as_str());
    let end = start + inventory.files[start..].partition_point(|f| f.starts_with(&prefix));
    &inventory.files[start..end]
}

fn is_markdown(path: &str) -> bool {
    path.ends_with(".md") || path.ends_with(".markdown")
}

/// Reads mkdocs.yml (or mkdocs.yaml) in `dir`; `None` when there is none.
fn read_mkdocs(config: &Config, dir: &str, diags: &mut Vec<Diagnostic>) -> Option<(MkdocsConfig, String)> {
    for name in ["mkdocs.yml", "mkdocs.yaml"] {
        let rel = if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
        if paths::check_no_symlink_escape(&config.root, &rel).is_err() {
            diags.push(
                Diagnostic::error(
                    "docs-outside-root",
                    format!("{rel} leads outside the portal root through a symbolic link; it is not read"),
                )
                .at(&rel, None),
            );
            return None;
        }
        let Ok(text) = std::fs::read_to_string(config.root.join(&rel)) else { continue };
        return match mkdocs::parse_config(&text) {
            Ok(c) => Some((c, rel)),
            Err((pos, message)) => {
                diags.push(Diagnostic::error("invalid-mkdocs", format!("invalid mkdocs.yml: {message}")).at(&rel, pos));
                Some((MkdocsConfig::default(), rel))
            }
        };
    }
    None
}

/// A (sub-)site's docs directory, its pages `(src, file)` and assets `(file, src)`.
type SiteFiles = (String, Vec<(String, String)>, Vec<(String, String)>);

/// Plans one (sub-)site: its docs directory's pages and assets.
fn site_files(
    config: &Config,
    inventory: &Inventory,
    project_dir: &str,
    mk: &MkdocsConfig,
    alias: &str,
    mkdocs_file: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<SiteFiles> {
    let docs_dir = match paths::resolve_inside(&config.root, project_dir, &mk.docs_dir) {
        Ok(d) if d == project_dir || d.starts_with(&format!("{project_dir}/")) || project_dir.is_empty() => d,
        _ => {
            diags.push(
                Diagnostic::error(
                    "docs-dir-outside",
                    format!("docs_dir `{}` leaves the directory of mkdocs.yml", mk.docs_dir),
                )
                .at(mkdocs_file, None),
            );
            return None;
        }
    };
    let mut pages = Vec::new();
    let mut assets = Vec::new();
    let prefix_len = if docs_dir.is_empty() { 0 } else { docs_dir.len() + 1 };
    let files = files_under(inventory, &docs_dir);
    let has_index: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.ends_with("/index.md") || f.as_str() == format!("{docs_dir}/index.md"))
        .map(|f| paths::parent_dir(f))
        .collect();
    for f in files {
        let rel = &f[prefix_len..];
        let src = if alias.is_empty() { rel.to_owned() } else { format!("{alias}/{rel}") };
        if is_markdown(f) {
            // README.md stands for index.md only where there is no index.md (MkDocs).
            if f.ends_with("README.md") && has_index.contains(paths::parent_dir(f)) {
                continue;
            }
            pages.push((src, f.clone()));
        } else {
            assets.push((f.clone(), src));
        }
    }
    Some((docs_dir, pages, assets))
}

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
    let mut plans: Vec<Plan> = Vec::new();
    let mut entity_docs = BTreeMap::new();
    // Duplicate entities are left out by `resolve` (the first wins); so are their docs.
    let mut seen = BTreeSet::new();
    let entities: Vec<&Entity> = entities.iter().map(|e| &**e).filter(|e| seen.insert(&e.entity_ref)).collect();
    for entity in entities.iter().copied() {
        let Some(reference) = entity.annotations.get(TECHDOCS_REF) else { continue };
        let pos = entity.annotation_pos.get(TECHDOCS_REF).copied();
        let file = &entity.source.file;
        let Some(dir) = reference.strip_prefix("dir:") else {
            if reference.starts_with("url:") {
                diags.push(
                    Diagnostic::warning(
                        "techdocs-url",
                        format!("docs at `{reference}` are not built: Portico reads the monorepo only"),
                    )
                    .at(file, pos)
                    .hint("commit the docs next to the descriptor and use `dir:.`"),
                );
            } else {
                diags.push(
                    Diagnostic::error(
                        "invalid-techdocs-ref",
                        format!("`{TECHDOCS_REF}` must start with `dir:` or `url:`, found `{reference}`"),
                    )
                    .at(file, pos),
                );
            }
            continue;
        };
        // As Backstage: the directory must stay inside the descriptor's directory.
        let project_dir = match paths::resolve_inside(&config.root, &entity.dir, dir) {
            Ok(d) if entity.dir.is_empty() || d == entity.dir || d.starts_with(&format!("{}/", entity.dir)) => d,
            _ => {
                diags.push(
                    Diagnostic::error(
                        "techdocs-ref-outside",
                        format!("`{reference}` leaves the directory of the descriptor"),
                    )
                    .at(file, pos)
                    .hint("TechDocs refuses docs outside the entity's directory; move the docs or the descriptor"),
                );
                continue;
            }
        };
        let (mk, mkdocs_file) = match read_mkdocs(config, &project_dir, diags) {
            Some(found) => found,
            None => (MkdocsConfig::default(), format!("{project_dir}/mkdocs.yml")),
        };
        let Some((_, mut pages, mut assets)) =
            site_files(config, inventory, &project_dir, &mk, "", &mkdocs_file, diags)
        else {
            continue;
        };
        let mut snippet_dirs =
            vec![(project_dir.clone(), paths::resolve_lexically(&project_dir, &mk.docs_dir).unwrap_or_default())];
        if pages.is_empty() {
            diags.push(
                Diagnostic::warning("docs-empty", format!("`{reference}` has no Markdown pages in `{}`", mk.docs_dir))
                    .at(file, pos),
            );
        }
        // Navigation, loading `!include`d sub-sites as it goes.
        let nav = match &mk.nav {
            Some(nav_node) => {
                let mut problems = Vec::new();
                let mut sub_pages: Vec<(String, String)> = Vec::new();
                let mut sub_assets: Vec<(String, String)> = Vec::new();
                let main_srcs: BTreeSet<String> = pages.iter().map(|(s, _)| s.clone()).collect();
                let nav = {
                    let mut include = |inc: &Include| {
                        include_site(
                            config,
                            inventory,
                            &project_dir,
                            &mkdocs_file,
                            inc,
                            diags,
                            &mut sub_pages,
                            &mut sub_assets,
                            &mut snippet_dirs,
                        )
                    };
                    mkdocs::nav_from_config(nav_node, &|src| main_srcs.contains(src), &mut include, &mut problems)
                };
                for p in problems {
                    diags.push(Diagnostic::warning("nav-missing-page", p.message).at(&mkdocs_file, Some(p.pos)));
                }
                pages.extend(sub_pages);
                assets.extend(sub_assets);
                nav
            }
            None => mkdocs::default_nav(&pages.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>()),
        };
        pages.sort();
        pages.dedup_by(|a, b| a.0 == b.0);
        let url_base = lower_base(entity);
        entity_docs.insert(entity.entity_ref.clone(), url_base.clone());
        plans.push(Plan {
            entity: entity.entity_ref.clone(),
            site_name: mk.site_name.clone().unwrap_or_else(|| entity.display_name().to_owned()),
            project_dir,
            url_base,
            mkdocs: mk,
            pages,
            nav,
            assets,
            snippet_dirs,
        });
    }

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
            site_name: p.site_name.clone(),
            project_dir: p.project_dir.clone(),
            url_base: p.url_base.clone(),
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
            Ok(r) => match entity_docs.get(&r).cloned() {
                Some(base) => {
                    let path = entity.annotations.get(TECHDOCS_ENTITY_PATH).map_or("", |p| p.trim_start_matches('/'));
                    entity_docs.insert(entity.entity_ref.clone(), format!("{base}{path}"));
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

#[allow(clippy::too_many_arguments)]
fn include_site(
    config: &Config,
    inventory: &Inventory,
    project_dir: &str,
    mkdocs_file: &str,
    inc: &Include,
    diags: &mut Vec<Diagnostic>,
    pages: &mut Vec<(String, String)>,
    assets: &mut Vec<(String, String)>,
    snippet_dirs: &mut Vec<(String, String)>,
) -> Option<(String, Vec<NavItem>)> {
    let Ok(sub_file) = paths::resolve_inside(&config.root, project_dir, &inc.path) else {
        diags.push(
            Diagnostic::error("include-outside", format!("`!include {}` leaves the portal root", inc.path))
                .at(mkdocs_file, Some(inc.pos)),
        );
        return None;
    };
    let sub_dir = paths::parent_dir(&sub_file).to_owned();
    let Ok(text) = std::fs::read_to_string(config.root.join(&sub_file)) else {
        diags.push(
            Diagnostic::warning("include-missing", format!("`!include {}`: no such mkdocs.yml", inc.path))
                .at(mkdocs_file, Some(inc.pos)),
        );
        return None;
    };
    let mk = match mkdocs::parse_config(&text) {
        Ok(mk) => mk,
        Err((pos, message)) => {
            diags
                .push(Diagnostic::error("invalid-mkdocs", format!("invalid mkdocs.yml: {message}")).at(&sub_file, pos));
            return None;
        }
    };
    let alias = mk
        .site_name
        .clone()
        .unwrap_or_else(|| paths::parent_dir(&sub_file).rsplit('/').next().unwrap_or("sub").to_owned());
    let (docs_dir, sub_pages, sub_assets) = site_files(config, inventory, &sub_dir, &mk, &alias, &sub_file, diags)?;
    snippet_dirs.push((sub_dir.clone(), docs_dir));
    let srcs: BTreeSet<String> = sub_pages.iter().map(|(s, _)| s.clone()).collect();
    let nav = match &mk.nav {
        Some(node) => {
            let mut problems = Vec::new();
            let prefixed = |src: &str| srcs.contains(&format!("{alias}/{src}"));
            let nav = mkdocs::nav_from_config(node, &prefixed, &mut |_| None, &mut problems);
            for p in problems {
                diags.push(Diagnostic::warning("nav-missing-page", p.message).at(&sub_file, Some(p.pos)));
            }
            prefix_nav(nav, &alias)
        }
        None => mkdocs::default_nav(&srcs.iter().cloned().collect::<Vec<_>>()),
    };
    pages.extend(sub_pages);
    assets.extend(sub_assets);
    Some((alias, nav))
}

fn prefix_nav(nav: Vec<NavItem>, alias: &str) -> Vec<NavItem> {
    nav.into_iter()
        .map(|item| match item {
            NavItem::Page { title, src } => NavItem::Page { title, src: format!("{alias}/{src}") },
            NavItem::Section { title, children } => NavItem::Section { title, children: prefix_nav(children, alias) },
            link => link,
        })
        .collect()
}

struct LinkContext<'a> {
    config: &'a Config,
    inventory: &'a Inventory,
    plans: &'a [Plan],
    /// Every page of every site by file, for links across sites.
    by_file: HashMap<&'a str, PageKey>,
    /// Per site, its own pages by file: links resolve within the page's site first (two
    /// entities may document themselves from one directory).
    own_files: Vec<HashMap<&'a str, usize>>,
    asset_owner: HashMap<&'a str, (usize, &'a str)>,
}

impl<'a> LinkContext<'a> {
    fn new(config: &'a Config, inventory: &'a Inventory, plans: &'a [Plan]) -> Self {
        let mut by_file: HashMap<&str, PageKey> = HashMap::new();
        for (s, plan) in plans.iter().enumerate() {
            for (p, (_, file)) in plan.pages.iter().enumerate() {
                by_file.entry(file.as_str()).or_insert((s, p));
            }
        }
        let asset_owner = plans
            .iter()
            .enumerate()
            .flat_map(|(s, plan)| plan.assets.iter().map(move |(file, out)| (file.as_str(), (s, out.as_str()))))
            .collect();
        let own_files = plans
            .iter()
            .map(|plan| plan.pages.iter().enumerate().map(|(p, (_, file))| (file.as_str(), p)).collect())
            .collect();
        LinkContext { config, inventory, plans, by_file, own_files, asset_owner }
    }
}

impl LinkContext<'_> {
    fn page_href(&self, (s, p): PageKey) -> String {
        let plan = &self.plans[s];
        let src = &plan.pages[p].0;
        let url = mkdocs::page_url(src, plan.mkdocs.use_directory_urls);
        format!("{}{}{}", self.config.base_path, plan.url_base, encode_path(&url))
    }

    /// Rewrites a link written in `from` (root-relative Markdown file of page `key`).
    fn resolve(&self, key: PageKey, from: &str, dest: &str) -> Resolved<PageKey> {
        let keep = |href: &str| Resolved { href: href.to_owned(), anchor: None, problem: None };
        if let Some(scheme) = scheme_of(dest) {
            if !SAFE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
                return Resolved {
                    href: String::new(),
                    anchor: None,
                    problem: Some(format!(
                        "link `{dest}` uses the `{scheme}:` scheme, which is not allowed; it was removed"
                    )),
                };
            }
            return keep(dest);
        }
        if dest.is_empty() || dest.starts_with("//") || dest.starts_with('/') {
            return keep(dest);
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            let anchor = fragment.unwrap_or_default().to_owned();
            return Resolved { href: dest.to_owned(), anchor: Some((key, anchor)), problem: None };
        }
        let decoded = percent_decode(path);
        let Ok(target) = paths::resolve_lexically(paths::parent_dir(from), &decoded) else {
            return Resolved {
                href: dest.to_owned(),
                anchor: None,
                problem: Some(format!("link `{dest}` leaves the portal root")),
            };
        };
        let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        // A page, or a directory with an index page; in this site first.
        let lookup = |file: &str| -> Option<PageKey> {
            self.own_files[key.0].get(file).map(|&p| (key.0, p)).or_else(|| self.by_file.get(file).copied())
        };
        let page =
            lookup(&target).or_else(|| ["index.md", "README.md"].iter().find_map(|i| lookup(&format!("{target}/{i}"))));
        if let Some(k) = page {
            return Resolved {
                href: format!("{}{frag}", self.page_href(k)),
                anchor: fragment.filter(|f| !f.is_empty()).map(|f| (k, f.to_owned())),
                problem: None,
            };
        }
        if let Some((s, out)) = self.asset_owner.get(target.as_str()) {
            return keep(&format!("{}{}{}{frag}", self.config.base_path, self.plans[*s].url_base, encode_path(out)));
        }
        let exists = self.inventory.files.binary_search(&target).is_ok();
        if exists {
            if let Some(template) = &self.config.source_url {
                return keep(&template.replace("{path}", &target));
            }
            return Resolved {
                href: dest.to_owned(),
                anchor: None,
                problem: Some(format!(
                    "link `{dest}` points at `{target}`, which is not part of any docs site and is not published"
                )),
            };
        }
        Resolved {
            href: dest.to_owned(),
            anchor: None,
            problem: Some(format!("link `{dest}` points at `{target}`, which does not exist")),
        }
    }
}

/// Percent-encodes a URL path (spaces and other characters not allowed in URLs), keeping `/`.
pub fn encode_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`').add(b'#').add(b'?').add(b'{').add(b'}').add(b'%');
    utf8_percent_encode(path, PATH).to_string()
}

/// URL schemes links and images may use (the sanitiser's list).
const SAFE_SCHEMES: [&str; 5] = ["http", "https", "mailto", "tel", "ftp"];

/// The scheme of an absolute URL (`https`, `javascript`), `None` for relative references.
/// Control characters and spaces browsers ignore inside a scheme are ignored here too.
fn scheme_of(dest: &str) -> Option<String> {
    let cleaned: String = dest.chars().filter(|c| !c.is_ascii_control() && *c != ' ').collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let valid = !scheme.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_owned())
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Front matter fields TechDocs pages use.
#[derive(Default)]
struct FrontMatter {
    title: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
}

fn front_matter(text: &str, first_line: u32, file: &str, diags: &mut Vec<Diagnostic>) -> FrontMatter {
    let (mut docs, errors) = crate::yaml::parse_documents(text);
    if let Some(e) = errors.first() {
        // Positions inside the front matter are shifted to the page's own lines.
        let pos = e.pos.map(|p| Pos::new(p.line + first_line - 1, p.column));
        diags.push(
            Diagnostic::error("invalid-front-matter", format!("invalid front matter: {}", e.message)).at(file, pos),
        );
        return FrontMatter::default();
    }
    let Some(doc) = docs.pop() else { return FrontMatter::default() };
    let get = |k: &str| doc.root.get(k).and_then(crate::yaml::Node::as_str).map(str::to_owned);
    let tags = doc
        .root
        .get("tags")
        .and_then(crate::yaml::Node::as_seq)
        .map(|s| s.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    FrontMatter { title: get("title"), description: get("description"), tags }
}

/// Everything a page's rendering reads besides its own text and snippets: every site's pages,
/// assets, URLs and navigation, the inventory (links to files) and the configuration.
fn link_context_key(config: &Config, inventory: &Inventory, plans: &[Plan]) -> crate::cache::Key {
    let mut h = blake3::Hasher::new();
    for part in [
        config.base_path.as_str(),
        config.source_url.as_deref().unwrap_or(""),
        if config.docs_allow_raw_html { "1" } else { "0" },
    ] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    for f in &inventory.files {
        h.update(f.as_bytes());
        h.update(b"\n");
    }
    for p in plans {
        h.update(
            format!(
                "{}|{}|{}|{:?}|{:?}|{:?}|{:?}\n",
                p.entity, p.url_base, p.mkdocs.use_directory_urls, p.pages, p.assets, p.nav, p.snippet_dirs
            )
            .as_bytes(),
        );
    }
    h.finalize()
}

fn render_page_cached(
    ctx: &LinkContext,
    key: PageKey,
    cache: &crate::cache::BuildCache,
    link_key: crate::cache::Key,
) -> (Arc<DocPage>, Vec<Diagnostic>) {
    let plan = &ctx.plans[key.0];
    let (src, file) = &plan.pages[key.1];
    let text = std::fs::read(ctx.config.root.join(file)).unwrap_or_default();
    let page_key = crate::cache::key(&[&text, link_key.as_bytes(), src.as_bytes(), plan.url_base.as_bytes()]);
    let slot = (plan.url_base.clone(), file.clone());
    if let Some(hit) = cache.docs.lock().expect("cache lock").get(&slot) {
        let fresh = hit.key == page_key
            && hit.snippets.iter().all(|(f, k)| crate::cache::BuildCache::file_key(&ctx.config.root, f) == *k);
        if fresh {
            return (hit.page.clone(), hit.diags.clone());
        }
    }
    let (page, diags, snippets) = render_page(ctx, key);
    let page = Arc::new(page);
    // A missing snippet may appear later: such pages are not cached.
    if !diags.iter().any(|d| d.code == "snippet-missing" || d.code == "unreadable-file") {
        let snippets =
            snippets.iter().map(|f| (f.clone(), crate::cache::BuildCache::file_key(&ctx.config.root, f))).collect();
        let entry = crate::cache::DocsPage { key: page_key, snippets, page: page.clone(), diags: diags.clone() };
        cache.docs.lock().expect("cache lock").insert(slot, entry);
    }
    (page, diags)
}

fn render_page(ctx: &LinkContext, key: PageKey) -> (DocPage, Vec<Diagnostic>, Vec<String>) {
    let (s, p) = key;
    let plan = &ctx.plans[s];
    let (src, file) = &plan.pages[p];
    let mut diags = Vec::new();
    let text = match std::fs::read_to_string(ctx.config.root.join(file)) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error("unreadable-file", format!("cannot read docs page: {e}")).at(file, None));
            String::new()
        }
    };
    // Snippets resolve from the (sub-)site's project directory, as pymdownx.snippets' default
    // `base_path: .` does when MkDocs runs there (TechDocs runs it there).
    let (project, _docs_dir) = plan
        .snippet_dirs
        .iter()
        .filter(|(proj, _)| proj.is_empty() || file.starts_with(&format!("{proj}/")))
        .max_by_key(|(proj, _)| proj.len())
        .cloned()
        .unwrap_or_default();
    let bases = [project.clone()];
    let scope = preprocess::SnippetScope { root: &ctx.config.root, bases: &bases, boundary: &project };
    let pre = preprocess::preprocess(&text, &scope);
    for (pos, message) in &pre.problems {
        diags.push(Diagnostic::warning("snippet-missing", message.clone()).at(file, Some(*pos)));
    }
    let fm = match &pre.front_matter {
        Some((yaml, line)) => front_matter(yaml, *line, file, &mut diags),
        None => FrontMatter::default(),
    };
    let resolve = |dest: &str, _image: bool| ctx.resolve(key, file, dest);
    let rendered = markdown::render(&pre, &resolve);
    for pr in &rendered.problems {
        diags.push(Diagnostic::new(pr.severity, pr.code, pr.message.clone()).at(file, Some(pr.pos)));
    }
    let nav_title = nav_title(&plan.nav, src);
    let title = nav_title.or(fm.title).or(rendered.title.clone()).unwrap_or_else(|| default_title(src));
    // Portico's own output escapes all text and filters URL schemes; only pages with their
    // author's raw HTML need the (costly) sanitiser.
    let html =
        if pre.raw_html && !ctx.config.docs_allow_raw_html { sanitize::clean(&rendered.html) } else { rendered.html };
    let page = DocPage {
        src: src.clone(),
        file: file.clone(),
        url: mkdocs::page_url(src, plan.mkdocs.use_directory_urls),
        title,
        description: fm.description,
        tags: fm.tags,
        html_key: blake3::hash(html.as_bytes()),
        html,
        headings: rendered.headings,
        ids: rendered.ids,
        mermaid: rendered.mermaid,
        anchors: rendered.anchors,
    };
    (page, diags, pre.snippets)
}

fn nav_title(nav: &[NavItem], src: &str) -> Option<String> {
    nav.iter().find_map(|item| match item {
        NavItem::Page { title, src: s } if s == src => title.clone(),
        NavItem::Section { children, .. } => nav_title(children, src),
        _ => None,
    })
}

/// MkDocs' title for a page without a nav title or heading: "Home" for the top index, else
/// from the file (or directory, for an index) name.
fn default_title(src: &str) -> String {
    let file = src.rsplit('/').next().unwrap_or(src);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    if stem == "index" || stem == "README" {
        match src.rfind('/') {
            None => "Home".to_owned(),
            Some(i) => mkdocs::name_to_title(src[..i].rsplit('/').next().unwrap_or("")),
        }
    } else {
        mkdocs::name_to_title(stem)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_titles() {
        assert_eq!(default_title("index.md"), "Home");
        assert_eq!(default_title("guide/index.md"), "Guide");
        assert_eq!(default_title("run-book.md"), "Run book");
    }

    #[test]
    fn schemes() {
        assert_eq!(scheme_of("https://x").as_deref(), Some("https"));
        assert_eq!(scheme_of("mailto:a@b").as_deref(), Some("mailto"));
        assert_eq!(scheme_of("java\tscript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(scheme_of("a.md"), None);
        assert_eq!(scheme_of("a.md#x:y"), None);
    }
}
