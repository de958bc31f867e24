//! The portal's index pages: home, catalog table (see [`super::catalog_table`]), teams, APIs,
//! templates, docs, orphans and problems (see [`super::problems`]).
//!
//! Input: the [`Portal`] and its entities. Output: the rendered pages. Long lists are paginated
//! ([`super::paginate`]: `apis/`, `apis/page/2/`, ...) so no page grows with the catalog; every
//! list is sorted, so the pages are deterministic.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::Renderer;
use super::paginate::{self, Pager};
use super::views::{CatalogRow, EntityLink, ViewBuilder};
use crate::catalog::kinds::{API_CONSUMED_BY, API_PROVIDED_BY, HAS_PART};
use crate::catalog::{Entity, EntityRef};
use crate::diagnostics::Diagnostic;
use crate::resolve::Portal;

/// Rows of a page of the APIs table.
pub const APIS_PER_PAGE: usize = 100;
/// Cards of a page of the templates gallery.
pub const TEMPLATES_PER_PAGE: usize = 60;
/// Rows of a page of the docs index.
pub const DOCS_PER_PAGE: usize = 200;
/// Groups of a page of the team tree, entities of a page of the orphans list (short rows).
pub const TEAMS_PER_PAGE: usize = 500;
/// Ancestors repeated at the top of a page of the team tree (nearest first).
pub const CONTINUED_SHOWN: usize = 10;
pub const ORPHANS_PER_PAGE: usize = 500;
/// Providers and consumers shown in an API's row (the API's page lists them all).
pub const ROW_LINKS_SHOWN: usize = 10;

/// A paginated list page: the list under its template name, and the pager.
#[derive(Serialize)]
struct ListPage<'a, T: Serialize> {
    #[serde(flatten)]
    list: BTreeMap<&'a str, &'a [T]>,
    pager: &'a Pager,
}

/// Renders `items` on pages of `per_page` at `base` (`apis/`, `apis/page/2/`, ...) with
/// `template`, which sees the page's items as `name` and the [`Pager`] as `pager`.
fn list_pages<T: Serialize + Send + Sync>(
    renderer: &Renderer,
    template: &str,
    name: &str,
    base: &str,
    items: Vec<T>,
    per_page: usize,
) -> Result<(), Box<Diagnostic>> {
    paginate::paginate(base, items, per_page)
        .par_iter()
        .map(|(pager, items)| {
            let view = ListPage { list: BTreeMap::from([(name, items.as_slice())]), pager };
            renderer.page(paginate::path_of(&pager.url), template, &view)
        })
        .collect()
}

/// Every index page: home, catalog, teams, APIs, templates, docs, orphans, problems.
pub fn index_pages(renderer: &Renderer, builder: &ViewBuilder, entities: &[&Entity]) -> Result<(), Box<Diagnostic>> {
    let portal = builder.portal;
    let rows: Vec<CatalogRow> = entities.par_iter().map(|e| builder.row(e)).collect();
    let (groups_url, groups) = super::my_team::groups_file(builder);
    renderer.put(groups_url.clone(), groups)?;
    super::catalog_table::files(renderer, rows, &groups_url)?;
    #[derive(Serialize)]
    struct Home {
        home: HomeView,
    }
    let home = HomeView { groups_url, ..home(portal) };
    renderer.page("index.html".into(), "home.html", &Home { home })?;
    list_pages(renderer, "teams.html", "teams", "teams/", teams(portal, builder), TEAMS_PER_PAGE)?;
    list_pages(renderer, "apis.html", "apis", "apis/", apis(portal, builder), APIS_PER_PAGE)?;
    list_pages(renderer, "templates.html", "templates", "templates/", templates(portal, builder), TEMPLATES_PER_PAGE)?;
    list_pages(renderer, "docs-index.html", "sites", "docs/", docs(portal, builder), DOCS_PER_PAGE)?;
    list_pages(renderer, "orphans.html", "orphans", "orphans/", orphans(builder), ORPHANS_PER_PAGE)?;
    super::problems::pages(renderer, builder)
}

/// An entity without a known owner, and the owner as written.
#[derive(Serialize)]
pub struct OrphanView {
    pub entity: EntityLink,
    pub owner: Option<String>,
}

pub fn orphans(builder: &ViewBuilder) -> Vec<OrphanView> {
    builder
        .portal
        .ownership
        .orphans
        .iter()
        .map(|o| OrphanView { entity: builder.link(&o.entity), owner: o.owner.clone() })
        .collect()
}

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
    /// With `git-history`: the docs sites and the APIs changed last, newest first
    /// (`{title, url, date}`).
    pub recent_docs: Vec<Recent>,
    pub recent_apis: Vec<Recent>,
    /// The groups file (see [`super::my_team`]) the team shortcuts read, relative to the base path.
    pub groups_url: String,
}

/// Something recently changed, for the home page.
#[derive(Clone, Serialize)]
pub struct Recent {
    pub title: String,
    /// Relative to the base path.
    pub url: String,
    pub date: String,
}

/// The latest change of a docs site's pages (`YYYY-MM-DD`, with `git-history`).
fn site_updated(portal: &Portal, site: &crate::docs::DocSite) -> Option<String> {
    site.pages.iter().filter_map(|p| portal.plugins.docs_updated.get(&p.file).map(|(_, d)| d)).max().cloned()
}

/// How many recent docs sites and APIs the home page lists.
const RECENT_SHOWN: usize = 6;

fn newest(mut items: Vec<Recent>) -> Vec<Recent> {
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.title.cmp(&b.title)));
    items.truncate(RECENT_SHOWN);
    items
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
        recent_docs: newest(
            portal
                .docs
                .sites
                .iter()
                .filter_map(|s| {
                    Some(Recent { title: s.site_name.clone(), url: s.home.clone(), date: site_updated(portal, s)? })
                })
                .collect(),
        ),
        recent_apis: newest(
            portal
                .entities
                .values()
                .filter(|e| e.kind == "API")
                .filter_map(|e| {
                    let facts = portal.plugins.facts.get(&e.entity_ref.to_string())?;
                    let last = facts.get("git-history")?.get("last_change")?.as_str()?;
                    Some(Recent {
                        title: e.display_name().to_owned(),
                        url: super::views::entity_path(e),
                        date: last.get(..10).unwrap_or(last).to_owned(),
                    })
                })
                .collect(),
        ),
        kinds: counts.into_iter().map(|(k, c)| KindCount { kind: k.to_owned(), count: c }).collect(),
        groups_url: String::new(),
    }
}

/// A group in the team tree, in tree order (a parent before its children).
#[derive(Clone, Serialize)]
pub struct TeamNode {
    pub group: EntityLink,
    pub group_type: String,
    pub members: usize,
    pub owned: usize,
    /// Counted with every group below it (as ownership aggregates).
    pub members_all: usize,
    pub owned_all: usize,
    /// 0 for groups without a parent in the catalog.
    pub depth: usize,
    /// Repeated at the top of a page to show where the page's first groups hang (it is listed
    /// on an earlier page).
    pub continued: bool,
}

/// Every group once, in the order of the group tree (see [`crate::resolve::Ownership::tree`]);
/// a group that starts a page of [`TEAMS_PER_PAGE`] below the top level is preceded by its
/// nearest [`CONTINUED_SHOWN`] ancestors, marked `continued`.
pub fn teams(portal: &Portal, builder: &ViewBuilder) -> Vec<TeamNode> {
    let node = |(g, depth): &(EntityRef, usize), continued: bool| {
        let ownership = portal.ownership.groups.get(g);
        TeamNode {
            group: builder.link(g),
            group_type: portal.entities.get(g).and_then(|e| e.spec_str("type")).unwrap_or_default().to_owned(),
            members: ownership.map_or(0, |o| o.members.len()),
            owned: ownership.map_or(0, |o| o.owned.len()),
            members_all: ownership.map_or(0, |o| o.members_aggregated.count),
            owned_all: ownership.map_or(0, |o| o.owned_aggregated.count),
            depth: *depth,
            continued,
        }
    };
    let tree = &portal.ownership.tree;
    let mut out = Vec::with_capacity(tree.len());
    for (i, entry) in tree.iter().enumerate() {
        if out.len() % TEAMS_PER_PAGE == 0 && i > 0 {
            // The ancestors of the page's first group, nearest last.
            let mut chain = Vec::new();
            let mut depth = entry.1;
            for earlier in tree[..i].iter().rev() {
                if depth == 0 {
                    break;
                }
                if earlier.1 < depth {
                    chain.push(node(earlier, true));
                    depth = earlier.1;
                }
            }
            // The nearest few: a chain thousands deep must not fill the page.
            chain.truncate(CONTINUED_SHOWN);
            out.extend(chain.into_iter().rev());
        }
        out.push(node(entry, false));
    }
    out
}

/// A row of the APIs page.
#[derive(Serialize)]
pub struct ApiRow {
    pub api: CatalogRow,
    /// The first [`ROW_LINKS_SHOWN`] providers and consumers, and how many there are.
    pub providers: Vec<EntityLink>,
    pub providers_count: usize,
    pub consumers: Vec<EntityLink>,
    pub consumers_count: usize,
}

pub fn apis(portal: &Portal, builder: &ViewBuilder) -> Vec<ApiRow> {
    let first = |r: &EntityRef, kind: &str| -> (Vec<EntityLink>, usize) {
        let links = portal.targets(r, kind).take(ROW_LINKS_SHOWN).map(|t| builder.link(t)).collect();
        (links, portal.targets(r, kind).count())
    };
    portal
        .entities
        .values()
        .filter(|e| e.kind == "API")
        .map(|e| {
            let (providers, providers_count) = first(&e.entity_ref, API_PROVIDED_BY);
            let (consumers, consumers_count) = first(&e.entity_ref, API_CONSUMED_BY);
            ApiRow { api: builder.row(e), providers, providers_count, consumers, consumers_count }
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
    /// Other entities documented by this site: the first [`ROW_LINKS_SHOWN`], and how many.
    pub also: Vec<EntityLink>,
    pub also_count: usize,
    pub name: String,
    pub url: String,
    pub pages: usize,
    /// The documented entity's kind and owner.
    pub kind: String,
    pub owner: Option<EntityLink>,
    /// The latest change of its pages (with `git-history`), `YYYY-MM-DD`.
    pub updated: Option<String>,
}

pub fn docs(portal: &Portal, builder: &ViewBuilder) -> Vec<DocsCard> {
    let mut cards: Vec<DocsCard> = portal
        .docs
        .sites
        .iter()
        .map(|s| DocsCard {
            entity: builder.link(&s.entity),
            also: s.shared_with.iter().take(ROW_LINKS_SHOWN).map(|r| builder.link(r)).collect(),
            also_count: s.shared_with.len(),
            name: s.site_name.clone(),
            url: s.home.clone(),
            pages: s.pages.len(),
            kind: portal.entities.get(&s.entity).map_or_else(|| s.entity.kind.clone(), |e| e.kind.clone()),
            owner: portal.targets(&s.entity, "ownedBy").next().map(|o| builder.link(o)),
            updated: site_updated(portal, s),
        })
        .collect();
    cards.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.url.cmp(&b.url)));
    cards
}

/// Systems' parts, for system pages: (components, APIs, resources, other).
pub fn system_parts(portal: &Portal, system: &EntityRef) -> Vec<EntityRef> {
    portal.targets(system, HAS_PART).cloned().collect()
}
