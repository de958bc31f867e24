//! Stage 4, render: the catalog graph -> the files of the site, in memory.
//!
//! Input: the [`Portal`], the [`Config`] and the [`Theme`]. Output: a [`Site`], a sorted map from
//! output path to bytes: the home page, the catalog table, one page per entity at
//! `catalog/<namespace>/<kind>/<name>/index.html`, the orphans page, `api/catalog.json` and the
//! hashed assets. Pages render in parallel; the result is the same for the same input.

pub mod docs_pages;
pub mod export;
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
use views::{AssetsView, EntityLink, EntityView, SiteView, ViewBuilder};

/// The built site: output path (relative, `/`-separated) -> content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Site {
    /// Number of HTML pages.
    pub fn page_count(&self) -> usize {
        self.files.keys().filter(|p| p.ends_with(".html")).count()
    }
}

#[derive(Serialize)]
struct KindCount {
    kind: String,
    count: usize,
}

#[derive(Serialize)]
struct KindGroup {
    kind: String,
    entities: Vec<EntityView>,
}

#[derive(Serialize)]
struct OrphanView {
    entity: EntityLink,
    owner: Option<String>,
}

/// Renders every page of the portal.
pub fn render(config: &Config, portal: &Portal, theme: &Theme) -> Result<Site, Box<Diagnostic>> {
    let site_view = SiteView {
        title: config.title.clone(),
        base_path: config.base_path.clone(),
        entity_count: portal.entities.len(),
        assets: AssetsView {
            style: theme.style.path.clone(),
            highlight: theme.highlight.path.clone(),
            mermaid: theme.mermaid.path.clone(),
        },
    };
    let site = Value::from(Serde(&site_view));
    let builder = ViewBuilder { portal, config };
    let render_page = |template: &str, ctx: minijinja::Value| -> Result<Vec<u8>, Box<Diagnostic>> {
        theme
            .env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map(String::into_bytes)
            .map_err(|e| Box::new(template_error(template, &e)))
    };

    let views: Vec<EntityView> =
        portal.entities.values().collect::<Vec<_>>().par_iter().map(|e| builder.entity(e)).collect();
    let pages: Vec<(String, Vec<u8>)> = views
        .par_iter()
        .map(|view| {
            let html = render_page(
                "entity.html",
                minijinja::context! { site => site.clone(), entity => Value::from(Serde(view)) },
            )?;
            Ok((format!("{}index.html", view.url), html))
        })
        .collect::<Result<_, Box<Diagnostic>>>()?;

    let mut files: BTreeMap<String, Vec<u8>> = pages.into_iter().collect();

    let mut by_kind: BTreeMap<String, Vec<EntityView>> = BTreeMap::new();
    for v in views {
        by_kind.entry(v.kind.clone()).or_default().push(v);
    }
    let kinds: Vec<KindCount> = by_kind.iter().map(|(k, v)| KindCount { kind: k.clone(), count: v.len() }).collect();
    let orphans: Vec<OrphanView> = portal
        .ownership
        .orphans
        .iter()
        .map(|o| OrphanView { entity: builder.link(&o.entity), owner: o.owner.clone() })
        .collect();
    files.insert(
        "index.html".into(),
        render_page(
            "home.html",
            minijinja::context! { site => site.clone(), kinds => Value::from(Serde(&kinds)), orphan_count => orphans.len() },
        )?,
    );
    let groups: Vec<KindGroup> = by_kind.into_iter().map(|(kind, entities)| KindGroup { kind, entities }).collect();
    files.insert(
        "catalog/index.html".into(),
        render_page(
            "catalog.html",
            minijinja::context! { site => site.clone(), groups => Value::from(Serde(&groups)) },
        )?,
    );
    files.insert(
        "orphans/index.html".into(),
        render_page(
            "orphans.html",
            minijinja::context! { site => site.clone(), orphans => Value::from(Serde(&orphans)) },
        )?,
    );
    let docs_render = |site_view: &docs_pages::DocSiteView, page: &docs_pages::DocPageView| {
        render_page(
            "docs.html",
            minijinja::context! { site => site.clone(), docsite => Value::from(Serde(site_view)), page => Value::from(Serde(page)) },
        )
    };
    files.extend(docs_pages::pages(config, &portal.docs, &builder, &docs_render)?);
    let assets: Vec<(String, Vec<u8>)> = portal
        .docs
        .sites
        .par_iter()
        .flat_map_iter(|s| s.assets.iter())
        .map(|(file, out)| {
            std::fs::read(config.root.join(file)).map(|bytes| (out.clone(), bytes)).map_err(|e| {
                Box::new(Diagnostic::error("unreadable-file", format!("cannot read docs asset: {e}")).at(file, None))
            })
        })
        .collect::<Result<_, _>>()?;
    files.extend(assets);
    files.insert("api/catalog.json".into(), export::catalog_json(portal));
    files.insert(theme.style.path.clone(), theme.style.content.clone());
    files.insert(theme.highlight.path.clone(), theme.highlight.content.clone());
    if portal.docs.sites.iter().any(|s| s.pages.iter().any(|p| p.mermaid)) {
        files.insert(theme.mermaid.path.clone(), theme.mermaid.content.clone());
    }
    Ok(Site { files })
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
