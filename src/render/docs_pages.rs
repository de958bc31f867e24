//! TechDocs pages in the portal theme.
//!
//! Input: the rendered [`Docs`] and the catalog. Output: one HTML file per page at
//! `docs/<ns>/<kind>/<name>/<url>index.html` and the sites' assets. Navigation is bounded per
//! page: the path to the current page is expanded, other sections show their title only, and
//! long levels show a window around the current page, so a page's size does not grow with the
//! site (MkDocs inlines the whole nav into every page: O(pages²) output). The site's home page
//! carries the full contents tree.

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::docs::mkdocs::NavItem;
use crate::docs::{DocPage, DocSite, Docs};
use crate::render::views::{EntityLink, ViewBuilder};

/// Items shown per navigation level around the current page before eliding.
const NAV_WINDOW: usize = 25;
/// Sections nested deeper than this are shown by their title only (a page hundreds of folders
/// deep still renders, and its navigation stays small).
const NAV_DEPTH: usize = 12;

#[derive(Clone, Debug, Serialize)]
pub struct NavNode {
    pub title: String,
    /// Path relative to `site.base_path` for pages, absolute URL for external links.
    pub url: Option<String>,
    pub external: bool,
    pub active: bool,
    /// Whether `children` are shown.
    pub expanded: bool,
    pub children: Vec<NavNode>,
    /// Items left out of this level around the window ("…").
    pub elided_before: usize,
    pub elided_after: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct TocEntry {
    pub id: String,
    pub text: String,
    pub level: u8,
}

#[derive(Clone, Debug, Serialize)]
pub struct PageLink {
    pub title: String,
    pub url: String,
}

/// A docs page, as `docs.html` sees it.
#[derive(Clone, Debug, Serialize)]
pub struct DocPageView {
    pub title: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Sanitised body HTML.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub prev: Option<PageLink>,
    pub next: Option<PageLink>,
    pub edit_url: Option<String>,
    pub source_url: Option<String>,
    pub mermaid: bool,
    /// Page path relative to `site.base_path`.
    pub url: String,
    pub is_home: bool,
    /// The body has no `<h1>`: the theme shows `title` as the page's heading (Material for
    /// MkDocs, TechDocs' theme, does the same).
    pub show_title: bool,
    /// With the `git-history` plugin: the last change of the page's file (UTC datetime, date).
    pub updated: Option<(String, String)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DocSiteView {
    pub name: String,
    /// Site home, relative to `site.base_path`.
    pub url: String,
    pub entity: EntityLink,
    /// Other entities documented by this site (their `techdocs-ref` names the same directory):
    /// the first [`super::pages::ROW_LINKS_SHOWN`], and how many there are.
    pub also: Vec<EntityLink>,
    pub also_count: usize,
    pub owner: Option<EntityLink>,
    pub lifecycle: Option<String>,
    pub nav: Vec<NavNode>,
}

fn page_title<'a>(site: &'a DocSite, src: &str) -> Option<&'a DocPage> {
    site.page_index(src).map(|i| &*site.pages[i])
}

fn contains_page(item: &NavItem, src: &str) -> bool {
    match item {
        NavItem::Page { src: s, .. } => s == src,
        NavItem::Section { children, .. } => children.iter().any(|c| contains_page(c, src)),
        NavItem::Link { .. } => false,
    }
}

fn first_page(items: &[NavItem]) -> Option<&str> {
    items.iter().find_map(|i| match i {
        NavItem::Page { src, .. } => Some(src.as_str()),
        NavItem::Section { children, .. } => first_page(children),
        NavItem::Link { .. } => None,
    })
}

/// The navigation as seen from `current` (`None`: everything expanded, for the contents tree).
fn nav_nodes(site: &DocSite, items: &[NavItem], current: Option<&str>, depth: usize) -> (Vec<NavNode>, usize, usize) {
    let nodes: Vec<NavNode> = items
        .iter()
        .map(|item| match item {
            NavItem::Page { title, src } => {
                let page = page_title(site, src);
                NavNode {
                    title: title.clone().or_else(|| page.map(|p| p.title.clone())).unwrap_or_else(|| src.clone()),
                    url: page.map(|p| format!("{}{}", site.url_base, crate::docs::encode_path(&p.url))),
                    external: false,
                    active: current == Some(src.as_str()),
                    expanded: false,
                    children: Vec::new(),
                    elided_before: 0,
                    elided_after: 0,
                }
            }
            NavItem::Link { title, url } => NavNode {
                title: title.clone(),
                url: Some(url.clone()),
                external: true,
                active: false,
                expanded: false,
                children: Vec::new(),
                elided_before: 0,
                elided_after: 0,
            },
            NavItem::Section { title, children } => {
                let expanded = depth < NAV_DEPTH && current.is_none_or(|c| contains_page(item, c));
                let (kids, before, after) =
                    if expanded { nav_nodes(site, children, current, depth + 1) } else { (Vec::new(), 0, 0) };
                let url = first_page(children)
                    .and_then(|s| page_title(site, s))
                    .map(|p| format!("{}{}", site.url_base, crate::docs::encode_path(&p.url)));
                NavNode {
                    title: title.clone(),
                    url,
                    external: false,
                    active: false,
                    expanded,
                    children: kids,
                    elided_before: before,
                    elided_after: after,
                }
            }
        })
        .collect();
    let Some(cur) = current else { return (nodes, 0, 0) };
    if nodes.len() <= NAV_WINDOW {
        return (nodes, 0, 0);
    }
    let at = items.iter().position(|i| contains_page(i, cur)).unwrap_or(0);
    let start = at.saturating_sub(NAV_WINDOW / 2).min(nodes.len() - NAV_WINDOW);
    let end = start + NAV_WINDOW;
    let after = nodes.len() - end;
    (nodes.into_iter().skip(start).take(NAV_WINDOW).collect(), start, after)
}

fn file_urls(config: &Config, site: &DocSite, page: &DocPage) -> (Option<String>, Option<String>) {
    let edit = config.edit_url.as_ref().map(|t| t.replace("{path}", &page.file)).or_else(|| {
        let repo = site.mkdocs.repo_url.as_deref()?.trim_end_matches('/');
        let edit_uri = site.mkdocs.edit_uri.as_deref()?;
        let rel = page.file.strip_prefix(&format!("{}/", site.project_dir)).unwrap_or(&page.file);
        let docs_rel = rel.strip_prefix(&format!("{}/", site.mkdocs.docs_dir)).unwrap_or(rel);
        Some(format!("{repo}/{}/{docs_rel}", edit_uri.trim_matches('/')))
    });
    let source = config.source_url.as_ref().map(|t| t.replace("{path}", &page.file));
    (edit, source)
}

/// Source-location based links when portico.yaml has no templates: `backstage.io/source-location`
/// (`url:<dir url>`) plus the page's path below the entity's directory; GitHub/GitLab `tree`
/// URLs also give an edit link.
fn source_location_urls(entity: &crate::catalog::Entity, page: &DocPage) -> (Option<String>, Option<String>) {
    // Only a location the URL policy allows (an unsafe one was reported at validation).
    let Some(loc) = entity
        .annotations
        .get("backstage.io/source-location")
        .and_then(|l| crate::urls::annotation_url("backstage.io/source-location", l))
        .filter(|l| crate::urls::is_web(l))
    else {
        return (None, None);
    };
    let rel = page.file.strip_prefix(&format!("{}/", entity.dir)).unwrap_or(&page.file);
    let base = if loc.ends_with('/') { loc.to_owned() } else { format!("{loc}/") };
    let view = format!("{base}{rel}");
    let edit = view.contains("/tree/").then(|| view.replacen("/tree/", "/edit/", 1));
    (edit, Some(view))
}

/// Renders one docs page through the theme into the output: (output path, site view, page view
/// without its `html`, the page, whose `html` and `html_key` complete the view).
pub type RenderDocPage<'a> =
    dyn Fn(String, &DocSiteView, &DocPageView, &DocPage) -> Result<(), Box<crate::diagnostics::Diagnostic>> + Sync + 'a;

/// Renders every docs page (or those of the sites in `only`) with `render`.
pub fn pages(
    config: &Config,
    docs: &Docs,
    only: Option<&std::collections::BTreeSet<usize>>,
    builder: &ViewBuilder,
    render: &RenderDocPage,
) -> Result<(), Box<crate::diagnostics::Diagnostic>> {
    let jobs: Vec<(&DocSite, usize)> = docs
        .sites
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o.contains(i)))
        .flat_map(|(_, s)| (0..s.pages.len()).map(move |i| (s, i)))
        .collect();
    jobs.par_iter()
        .map(|&(site, i)| {
            let page = &site.pages[i];
            let entity = builder.portal.entities.get(&site.entity);
            let mut order = Vec::new();
            crate::docs::mkdocs::flatten(&site.nav, &mut order);
            let pos = order.iter().position(|s| *s == page.src);
            let link = |src: Option<&&str>| {
                src.and_then(|s| page_title(site, s)).map(|p| PageLink {
                    title: p.title.clone(),
                    url: format!("{}{}", site.url_base, crate::docs::encode_path(&p.url)),
                })
            };
            let (prev, next) = match pos {
                Some(p) => (link(p.checked_sub(1).and_then(|q| order.get(q))), link(order.get(p + 1))),
                None => (None, None),
            };
            let page_url = format!("{}{}", site.url_base, crate::docs::encode_path(&page.url));
            let is_home = page_url == site.home;
            let (nav, _, _) = nav_nodes(site, &site.nav, if is_home { None } else { Some(&page.src) }, 0);
            let (mut edit_url, mut source_url) = file_urls(config, site, page);
            if let Some(e) = entity {
                let (e_edit, e_view) = source_location_urls(e, page);
                edit_url = edit_url.or(e_edit);
                source_url = source_url.or(e_view);
            }
            let site_view = DocSiteView {
                name: site.site_name.clone(),
                url: site.home.clone(),
                entity: builder.link(&site.entity),
                also: site.shared_with.iter().take(super::pages::ROW_LINKS_SHOWN).map(|r| builder.link(r)).collect(),
                also_count: site.shared_with.len(),
                owner: entity.and_then(|e| builder.owner_link(e)),
                lifecycle: entity.and_then(|e| e.spec_str("lifecycle").map(str::to_owned)),
                nav,
            };
            let view = DocPageView {
                title: page.title.clone(),
                description: page.description.clone(),
                tags: page.tags.clone(),
                html: String::new(),
                toc: page
                    .headings
                    .iter()
                    .filter(|h| (2..=3).contains(&h.level))
                    .map(|h| TocEntry { id: h.id.clone(), text: h.text.clone(), level: h.level })
                    .collect(),
                prev,
                next,
                edit_url,
                source_url,
                mermaid: page.mermaid,
                url: page_url,
                is_home,
                show_title: !page.has_h1,
                updated: builder.portal.plugins.docs_updated.get(&page.file).cloned(),
            };
            render(site.output_path(page), &site_view, &view, page)
        })
        .collect()
}
