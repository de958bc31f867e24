//! Stage 4, render: the catalog graph -> the files of the site, in memory.
//!
//! Input: the [`Portal`], the [`Config`] and the [`Theme`]. Output: a [`Site`], a sorted map from
//! output path to bytes: the home page, the catalog table, one page per entity at
//! `catalog/<namespace>/<kind>/<name>/index.html`, the orphans page, `api/catalog.json` and the
//! hashed assets. Pages render in parallel; the result is the same for the same input.

pub mod deploy;
pub mod diagram;
pub mod diagrams;
pub mod docs_pages;
pub mod export;
pub mod pages;
pub mod template;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;

use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::resolve::Portal;
use theme::Theme;
use views::{AssetsView, EntityLink, SiteView, ViewBuilder};

/// A file's bytes.
pub type Content = std::sync::Arc<[u8]>;

/// The built site: output path (relative, `/`-separated) -> content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    /// Shared contents: keeping the previous site while serving the next costs no copying.
    pub files: BTreeMap<String, Content>,
}

impl Site {
    /// Number of HTML pages.
    pub fn page_count(&self) -> usize {
        self.files.keys().filter(|p| p.ends_with(".html")).count()
    }
}

#[derive(Serialize)]
struct OrphanView {
    entity: EntityLink,
    owner: Option<String>,
}

/// Renders every page of the portal.
pub fn render(config: &Config, portal: &Portal, theme: &Theme) -> Result<Site, Box<Diagnostic>> {
    let site = Value::from(Serde(&site_view(config, portal, theme)));
    let builder = ViewBuilder { portal, config };
    let render_page = |template: &str, ctx: minijinja::Value| -> Result<Vec<u8>, Box<Diagnostic>> {
        theme
            .env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map(String::into_bytes)
            .map_err(|e| Box::new(template_error(template, &e)))
    };
    let page = |template: &str, name: &str, value: Value| -> Result<Vec<u8>, Box<Diagnostic>> {
        let ctx: BTreeMap<&str, Value> = BTreeMap::from([("site", site.clone()), (name, value)]);
        render_page(template, Value::from(ctx))
    };

    let entities: Vec<&crate::catalog::Entity> = portal.entities.values().collect();
    let pages: Vec<(String, Vec<u8>)> = entities
        .par_iter()
        .map(|e| {
            let mut view = builder.entity(e);
            view.diagram = diagrams::entity_diagram(portal, config, &e.entity_ref);
            if e.kind == "System" {
                view.system_diagram = diagrams::system(portal, config, &e.entity_ref);
            }
            let html = page("entity.html", "entity", Value::from(Serde(&view)))?;
            Ok((format!("{}index.html", view.url), html))
        })
        .collect::<Result<_, Box<Diagnostic>>>()?;
    let mut files: BTreeMap<String, Content> = pages.into_iter().map(|(k, v)| (k, Content::from(v))).collect();
    // Raw API definitions, for download beside the rendered reference.
    for (r, api) in &portal.apis {
        if let (Some(e), Some(def)) =
            (portal.entities.get(r), portal.entities.get(r).and_then(|e| e.spec_str("definition")))
        {
            let path = format!("{}definition.{}", views::entity_path(e), views::raw_extension(api.raw_language));
            files.insert(path, Content::from(def.as_bytes()));
        }
    }

    let rows: Vec<views::CatalogRow> = entities.par_iter().map(|e| builder.row(e)).collect();
    let data = pages::catalog_json(&rows);
    let data_path = format!("catalog/entities.{}.json", &blake3::hash(&data).to_hex()[..8]);
    files.insert(
        "catalog/index.html".into(),
        render_page(
            "catalog.html",
            minijinja::context! { site => site.clone(), rows => Value::from(Serde(&rows)), data_url => data_path.clone() },
        )?.into(),
    );
    files.insert(data_path, data.into());
    files.insert("index.html".into(), page("home.html", "home", Value::from(Serde(&pages::home(portal))))?.into());
    files.insert(
        "teams/index.html".into(),
        page("teams.html", "teams", Value::from(Serde(&pages::teams(portal, &builder))))?.into(),
    );
    files.insert(
        "apis/index.html".into(),
        page("apis.html", "apis", Value::from(Serde(&pages::apis(portal, &builder))))?.into(),
    );
    files.insert(
        "templates/index.html".into(),
        page("templates.html", "templates", Value::from(Serde(&pages::templates(portal, &builder))))?.into(),
    );
    files.insert(
        "docs/index.html".into(),
        page("docs-index.html", "sites", Value::from(Serde(&pages::docs(portal, &builder))))?.into(),
    );
    let orphans: Vec<OrphanView> = portal
        .ownership
        .orphans
        .iter()
        .map(|o| OrphanView { entity: builder.link(&o.entity), owner: o.owner.clone() })
        .collect();
    files.insert("orphans/index.html".into(), page("orphans.html", "orphans", Value::from(Serde(&orphans)))?.into());
    files.insert("404.html".into(), render_page("404.html", minijinja::context! { site => site.clone() })?.into());

    files.extend(docs_files(config, portal, theme, None)?.into_iter().map(|(k, v)| (k, Content::from(v))));

    let html_pages: Vec<&str> = files.keys().filter(|p| p.ends_with(".html")).map(String::as_str).collect();
    let sitemap = deploy::sitemap(config, html_pages.into_iter());
    files.insert("sitemap.xml".into(), sitemap.into());
    files.insert("robots.txt".into(), deploy::robots(config).into());
    files.insert(".nojekyll".into(), Content::from(Vec::new()));
    files.insert("api/catalog.json".into(), export::catalog_json(portal).into());
    files.insert(
        "search/index.html".into(),
        render_page("search.html", minijinja::context! { site => site.clone() })?.into(),
    );
    for asset in [&theme.style, &theme.script, &theme.search, &theme.highlight] {
        files.insert(asset.path.clone(), Content::from(asset.content.as_slice()));
    }
    for asset in &theme.extra {
        files.insert(asset.path.clone(), Content::from(asset.content.as_slice()));
    }
    if portal.docs.sites.iter().any(|s| s.pages.iter().any(|p| p.mermaid)) {
        files.insert(theme.mermaid.path.clone(), Content::from(theme.mermaid.content.as_slice()));
    }
    Ok(Site { files })
}

/// The docs pages and assets of every site, or of the sites in `only`.
pub fn docs_files(
    config: &Config,
    portal: &Portal,
    theme: &Theme,
    only: Option<&std::collections::BTreeSet<usize>>,
) -> Result<Vec<(String, Vec<u8>)>, Box<Diagnostic>> {
    let site = Value::from(Serde(&site_view(config, portal, theme)));
    let builder = ViewBuilder { portal, config };
    let docs_render = |site_view: &docs_pages::DocSiteView, page: &docs_pages::DocPageView| {
        theme
            .env
            .get_template("docs.html")
            .and_then(|t| {
                t.render(minijinja::context! { site => site.clone(), docsite => Value::from(Serde(site_view)), page => Value::from(Serde(page)) })
            })
            .map(String::into_bytes)
            .map_err(|e| Box::new(template_error("docs.html", &e)))
    };
    let mut files = docs_pages::pages(config, &portal.docs, only, &builder, &docs_render)?;
    let assets: Vec<(String, Vec<u8>)> = portal
        .docs
        .sites
        .par_iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o.contains(i)))
        .flat_map_iter(|(_, s)| s.assets.iter())
        .map(|(file, out)| {
            std::fs::read(config.root.join(file)).map(|bytes| (out.clone(), bytes)).map_err(|e| {
                Box::new(Diagnostic::error("unreadable-file", format!("cannot read docs asset: {e}")).at(file, None))
            })
        })
        .collect::<Result<_, _>>()?;
    files.extend(assets);
    Ok(files)
}

fn site_view(config: &Config, portal: &Portal, theme: &Theme) -> SiteView {
    SiteView {
        title: config.title.clone(),
        base_path: config.base_path.clone(),
        entity_count: portal.entities.len(),
        assets: AssetsView {
            style: theme.style.path.clone(),
            script: theme.script.path.clone(),
            search: theme.search.path.clone(),
            highlight: theme.highlight.path.clone(),
            mermaid: theme.mermaid.path.clone(),
        },
    }
}

fn template_error(template: &str, e: &minijinja::Error) -> Diagnostic {
    let mut message = format!("template {template} failed: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    Diagnostic::error("template-error", message)
}
