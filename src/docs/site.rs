//! Locating and planning TechDocs sites: which entity's `techdocs-ref` names which directory,
//! its mkdocs.yml, the Markdown pages and other files of its docs directory (and of `!include`d
//! sub-sites), the navigation and the output URL prefix. Input: the entities, the [`Inventory`]
//! and the [`Config`]; output: one [`Plan`] per site, before any page is rendered.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::TECHDOCS_REF;
use super::mkdocs::{self, Include, MkdocsConfig, NavItem};
use crate::catalog::{Entity, EntityRef};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::discover::Inventory;
use crate::paths;

/// A site before its pages are rendered.
#[derive(Debug)]
pub(super) struct Plan {
    /// The entity whose URL the site has (the first by reference of those naming its directory).
    pub(super) entity: EntityRef,
    /// The other entities whose `techdocs-ref` names the same directory.
    pub(super) shared_with: Vec<EntityRef>,
    pub(super) site_name: String,
    pub(super) project_dir: String,
    pub(super) url_base: String,
    /// URL of the home page (relative to the base path): index.md, else the first page.
    pub(super) home: String,
    pub(super) mkdocs: MkdocsConfig,
    /// (src, root-relative file), sorted by src.
    pub(super) pages: Vec<(String, String)>,
    pub(super) nav: Vec<NavItem>,
    pub(super) assets: Vec<(String, String)>,
    /// Directories pages may read snippets from: (project dir, docs dir) per (sub-)site.
    pub(super) snippet_dirs: Vec<(String, String)>,
}

fn lower_base(entity: &Entity) -> String {
    let r = &entity.entity_ref;
    format!("docs/{}/{}/{}/", r.namespace, r.kind, r.name)
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
        let text = match crate::input::read_to_string(&config.root.join(&rel), config.limits.file) {
            Ok(text) => text,
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                diags.push(Diagnostic::error("unreadable-file", format!("cannot read {rel}: {e}")).at(&rel, None));
                return None;
            }
        };
        return match mkdocs::parse_config(&text) {
            Ok(c) => {
                for (pos, message) in &c.refused {
                    diags.push(
                        Diagnostic::warning("unsafe-url", message.clone())
                            .at(&rel, Some(*pos))
                            .hint("links may be http, https, mailto, tel or relative URLs"),
                    );
                }
                Some((c, rel))
            }
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
    let files = crate::discover::files_under(&inventory.files, &docs_dir);
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
    let Ok(text) = crate::input::read_to_string(&config.root.join(&sub_file), config.limits.file) else {
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

/// The directory (root-relative) of an entity's `techdocs-ref: dir:...`, or `None` (with a
/// warning) when the annotation names no directory of the monorepo.
fn docs_dir_of(config: &Config, entity: &Entity, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let reference = entity.annotations.get(TECHDOCS_REF)?;
    let pos = entity.annotation_pos.get(TECHDOCS_REF).copied();
    let file = &entity.source.file;
    // `url:` into this repository is a directory of the checkout.
    if let Some(url) = reference.strip_prefix("url:")
        && let Some(dir) = config.repository.local_path(url.trim(), &config.root)
    {
        return Some(dir);
    }
    let Some(dir) = reference.strip_prefix("dir:") else {
        let diag = if reference.starts_with("url:") {
            Diagnostic::warning(
                "techdocs-url",
                format!("docs at `{reference}` are not built: it is not a directory of this repository, and Portico reads the checkout only"),
            )
            .hint("commit the docs next to the descriptor and use `dir:.`; URLs into this repository are recognised from `source_url` in portico.yaml or the `origin` remote")
        } else {
            Diagnostic::warning(
                "invalid-techdocs-ref",
                format!("`{TECHDOCS_REF}: {reference}` names no docs; the docs are not built"),
            )
            .hint("write `dir:<path>` (relative to this file, e.g. `dir:.`) or `url:<url>`")
        };
        diags.push(diag.at(file, pos));
        return None;
    };
    // Backstage resolves `dir:` against the descriptor's location; for a catalog registered by
    // URL (the usual case) that may leave the descriptor's folder but not the repository.
    match paths::resolve_inside(&config.root, &entity.dir, dir.trim()) {
        Ok(d) => Some(d),
        Err(_) => {
            diags.push(
                Diagnostic::warning(
                    "techdocs-ref-outside",
                    format!("`{reference}` leads outside the portal root; the docs are not built"),
                )
                .at(file, pos)
                .hint("point `dir:` at a directory of the monorepo"),
            );
            None
        }
    }
}

/// Plans the site of every entity with a `techdocs-ref`; returns the plans and each documented
/// entity's docs URL (its site's home page). Entities whose `techdocs-ref` names the same
/// directory share one site, at the URL of the first of them by reference.
pub(super) fn plan(
    config: &Config,
    inventory: &Inventory,
    entities: &[&Entity],
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Plan>, BTreeMap<EntityRef, String>) {
    let mut wanted: Vec<(&Entity, String)> =
        entities.iter().filter_map(|e| Some((*e, docs_dir_of(config, e, diags)?))).collect();
    wanted.sort_by(|a, b| a.0.entity_ref.cmp(&b.0.entity_ref));
    let mut plans: Vec<Plan> = Vec::new();
    let mut entity_docs = BTreeMap::new();
    // Directory -> its plan, or why there is none (`Some(message)`: no pages, reported per entity).
    let mut by_dir: HashMap<String, Result<usize, Option<String>>> = HashMap::new();
    for (entity, project_dir) in wanted {
        let planned = match by_dir.get(&project_dir) {
            Some(planned) => planned.clone(),
            None => {
                let planned = match plan_site(config, inventory, entity, &project_dir, diags) {
                    Ok(plan) => {
                        plans.push(plan);
                        Ok(plans.len() - 1)
                    }
                    Err(reason) => Err(reason),
                };
                by_dir.insert(project_dir, planned.clone());
                planned
            }
        };
        match planned {
            Ok(i) => {
                if plans[i].entity != entity.entity_ref {
                    plans[i].shared_with.push(entity.entity_ref.clone());
                }
                entity_docs.insert(entity.entity_ref.clone(), plans[i].home.clone());
            }
            Err(Some(message)) => diags.push(
                Diagnostic::warning("docs-empty", message)
                    .at(&entity.source.file, entity.annotation_pos.get(TECHDOCS_REF).copied()),
            ),
            Err(None) => {}
        }
    }
    (plans, entity_docs)
}

/// Plans the site in `project_dir` for `entity` (its owner). `Err(Some(message))`: the docs
/// directory has no pages; `Err(None)`: a problem already reported.
fn plan_site(
    config: &Config,
    inventory: &Inventory,
    entity: &Entity,
    project_dir: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<Plan, Option<String>> {
    let project_dir = project_dir.to_owned();
    let (mk, mkdocs_file) = match read_mkdocs(config, &project_dir, diags) {
        Some(found) => found,
        None => (MkdocsConfig::default(), format!("{project_dir}/mkdocs.yml")),
    };
    let Some((_, mut pages, mut assets)) = site_files(config, inventory, &project_dir, &mk, "", &mkdocs_file, diags)
    else {
        return Err(None);
    };
    let mut snippet_dirs =
        vec![(project_dir.clone(), paths::resolve_lexically(&project_dir, &mk.docs_dir).unwrap_or_default())];
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
    if pages.is_empty() {
        let docs_dir = paths::resolve_lexically(&project_dir, &mk.docs_dir).unwrap_or_default();
        return Err(Some(format!("`{docs_dir}` has no Markdown pages; the docs are not built")));
    }
    pages.sort();
    pages.dedup_by(|a, b| a.0 == b.0);
    let url_base = lower_base(entity);
    // The home page: index.md (or README.md), else the first page of the navigation.
    let mut order = Vec::new();
    mkdocs::flatten(&nav, &mut order);
    let home_src = ["index.md", "README.md"]
        .into_iter()
        .find(|i| pages.iter().any(|(s, _)| s == i))
        .or_else(|| order.first().copied())
        .unwrap_or(&pages[0].0);
    let home = format!("{url_base}{}", super::encode_path(&mkdocs::page_url(home_src, mk.use_directory_urls)));
    Ok(Plan {
        entity: entity.entity_ref.clone(),
        shared_with: Vec::new(),
        site_name: mk.site_name.clone().unwrap_or_else(|| entity.display_name().to_owned()),
        project_dir,
        url_base,
        home,
        mkdocs: mk,
        pages,
        nav,
        assets,
        snippet_dirs,
    })
}
