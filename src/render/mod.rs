//! Stage 4, render: the catalog graph -> the files of the site, in memory.
//!
//! Input: the [`Portal`], the [`Config`] and the [`Theme`]. Output: a [`Site`], a sorted map from
//! output path to bytes: the home page, the catalog table, one page per entity at
//! `catalog/<namespace>/<kind>/<name>/index.html`, the orphans page, `api/catalog.json` and the
//! hashed assets. Pages render in parallel; the result is the same for the same input.

pub mod assets;
pub mod catalog_table;
pub mod deploy;
pub mod diagram;
pub mod diagrams;
pub mod docs_pages;
pub mod export;
pub mod graph;
pub mod my_team;
pub mod org_views;
pub mod pages;
pub mod paginate;
pub mod problems;
pub mod related;
pub mod scoreboard;
pub mod scorecards;
pub mod tabs;
pub mod template;
pub mod template_form;
pub mod theme;
pub mod trend;
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
use views::{AssetsView, SiteView, ViewBuilder};

/// A file's bytes.
pub type Content = std::sync::Arc<[u8]>;

/// The built site: output path (relative, `/`-separated) -> content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    /// Shared contents: keeping the previous site while serving the next costs no copying.
    pub files: BTreeMap<String, Content>,
    /// Problems found while rendering (a docs asset that cannot be read or published): the
    /// file is left out, the rest is published.
    pub diagnostics: Vec<Diagnostic>,
}

impl Site {
    /// Number of HTML pages.
    pub fn page_count(&self) -> usize {
        self.files.keys().filter(|p| p.ends_with(".html")).count()
    }
}

/// Where rendered files go as they are made: the build's temporary output directory
/// ([`crate::write::Staging`]), memory for `serve` ([`MemorySink`]), or nowhere for `check`
/// ([`NullSink`]). A page is handed over as soon as it is rendered, so a build never holds the
/// whole site. Paths are relative to the site root with `/` separators; each path comes once.
pub trait Sink: Sync {
    /// Takes one file. An `Err` stops the render (the output cannot be written); a file that
    /// cannot exist (a name too long) is left out with a diagnostic the sink keeps.
    fn put(&self, path: String, content: Content) -> Result<(), Box<Diagnostic>>;

    /// Whether the sink already holds the page at `path` rendered from inputs with `key` (an
    /// earlier build's output, [`crate::write::update`]): then it keeps it and the page is not
    /// rendered.
    fn keep(&self, _path: &str, _key: &crate::cache::Key) -> bool {
        false
    }

    /// [`Sink::put`] for a page, with the key of its inputs when it was computed.
    fn put_page(&self, path: String, _key: Option<crate::cache::Key>, content: Content) -> Result<(), Box<Diagnostic>> {
        self.put(path, content)
    }

    /// Whether the sink uses page keys ([`Sink::keep`]); else they are computed only for a cache.
    fn wants_keys(&self) -> bool {
        false
    }
}

/// Keeps every file, for the preview server and tests.
#[derive(Default)]
pub struct MemorySink(std::sync::Mutex<BTreeMap<String, Content>>);

impl Sink for MemorySink {
    fn put(&self, path: String, content: Content) -> Result<(), Box<Diagnostic>> {
        self.0.lock().expect("sink lock").insert(path, content);
        Ok(())
    }
}

impl MemorySink {
    pub fn into_files(self) -> BTreeMap<String, Content> {
        self.0.into_inner().expect("sink lock")
    }
}

/// Keeps only what `check` needs to know: the paths, to check them against the file system's
/// limits, and the number of pages.
#[derive(Default)]
pub struct NullSink(std::sync::Mutex<Vec<String>>);

impl Sink for NullSink {
    fn put(&self, path: String, _: Content) -> Result<(), Box<Diagnostic>> {
        self.0.lock().expect("sink lock").push(path);
        Ok(())
    }
}

impl NullSink {
    pub fn into_paths(self) -> Vec<String> {
        self.0.into_inner().expect("sink lock")
    }
}

/// What a render produced besides its files.
#[derive(Debug, Default)]
pub struct Rendered {
    /// HTML pages handed to the sink.
    pub pages: usize,
    /// Files handed to the sink.
    pub files: usize,
    /// Problems found while rendering (a docs asset that cannot be read or published): the file
    /// is left out, the rest is published.
    pub diagnostics: Vec<Diagnostic>,
}

/// Counts what goes through a sink, and the HTML paths (for the sitemap).
struct Counting<'a> {
    inner: &'a dyn Sink,
    files: std::sync::atomic::AtomicUsize,
    html: std::sync::Mutex<Vec<String>>,
}

impl Counting<'_> {
    fn count(&self, path: &str) {
        self.files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if path.ends_with(".html") {
            self.html.lock().expect("sink lock").push(path.to_owned());
        }
    }
}

impl Sink for Counting<'_> {
    fn put(&self, path: String, content: Content) -> Result<(), Box<Diagnostic>> {
        self.count(&path);
        self.inner.put(path, content)
    }

    fn keep(&self, path: &str, key: &crate::cache::Key) -> bool {
        let kept = self.inner.keep(path, key);
        if kept {
            self.count(path);
        }
        kept
    }

    fn put_page(&self, path: String, key: Option<crate::cache::Key>, content: Content) -> Result<(), Box<Diagnostic>> {
        self.count(&path);
        self.inner.put_page(path, key, content)
    }

    fn wants_keys(&self) -> bool {
        self.inner.wants_keys()
    }
}

/// Reuses pages rendered by an earlier build (the preview server's) whose inputs are the same:
/// a page's key hashes the theme's templates, the template name, the site view and the page's
/// own view (serialised as JSON), which is everything a template can read. Without a cache it
/// only renders.
pub struct PageCache<'a> {
    cache: Option<&'a crate::cache::BuildCache>,
    /// Hash of the theme and the site view, shared by every page.
    base: crate::cache::Key,
    /// Whether keys are computed: for a cache or a sink that keeps pages.
    keyed: bool,
}

impl<'a> PageCache<'a> {
    fn new(cache: Option<&'a crate::cache::BuildCache>, theme: &Theme, site: &SiteView, out: &dyn Sink) -> Self {
        let mut h = blake3::Hasher::new();
        h.update(theme.key.as_bytes());
        let _ = serde_json::to_writer(&mut h, site);
        PageCache { cache, base: h.finalize(), keyed: cache.is_some() || out.wants_keys() }
    }

    /// Puts into `out` the page at `path` rendered by `render` from `template` and `views`: the
    /// one `out` holds or the cached one when their inputs are the same.
    fn put(
        &self,
        out: &dyn Sink,
        path: String,
        template: &str,
        views: &impl Serialize,
        render: impl FnOnce() -> Result<Vec<u8>, Box<Diagnostic>>,
    ) -> Result<(), Box<Diagnostic>> {
        if !self.keyed {
            return out.put_page(path, None, render()?.into());
        }
        let key = self.key(template, views);
        if out.keep(&path, &key) {
            return Ok(());
        }
        let Some(cache) = self.cache else { return out.put_page(path, Some(key), render()?.into()) };
        let hit = cache.pages.lock().expect("cache lock").get(&path).filter(|(k, _)| *k == key).map(|(_, c)| c.clone());
        let content = match hit {
            Some(content) => content,
            None => {
                let content = Content::from(render()?);
                cache.pages.lock().expect("cache lock").insert(path.clone(), (key, content.clone()));
                content
            }
        };
        out.put_page(path, Some(key), content)
    }

    fn key(&self, template: &str, views: &impl Serialize) -> crate::cache::Key {
        let mut h = blake3::Hasher::new();
        h.update(self.base.as_bytes());
        h.update(template.as_bytes());
        h.update(b"\0");
        // MessagePack with field names (unambiguous when fields are skipped; faster than JSON),
        // buffered: the encoder writes in tiny pieces, which blake3 hashes slowly one by one.
        {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut h);
            let _ = rmp_serde::encode::write_named(&mut w, views);
            let _ = std::io::Write::flush(&mut w);
        }
        h.finalize()
    }
}

/// Renders theme templates through the page cache: what the modules that produce pages
/// ([`pages`], [`catalog_table`], [`problems`], [`related`]) are given.
pub struct Renderer<'a> {
    theme: &'a Theme,
    site: Value,
    cached: &'a PageCache<'a>,
    out: &'a dyn Sink,
}

impl Renderer<'_> {
    /// Writes the page at `path`: `template` with `site` and the fields of `views` (a struct or
    /// map), reused from the cache when `views` did not change.
    pub fn page(&self, path: String, template: &str, views: &impl Serialize) -> Result<(), Box<Diagnostic>> {
        self.cached.put(self.out, path, template, views, || {
            let ctx = minijinja::context! { site => self.site.clone(), ..Value::from(Serde(views)) };
            self.theme
                .env
                .get_template(template)
                .and_then(|t| t.render(ctx))
                .map(String::into_bytes)
                .map_err(|e| Box::new(template_error(template, &e)))
        })
    }

    /// Writes a file that is not a page (the catalog's data).
    pub fn put(&self, path: String, content: Content) -> Result<(), Box<Diagnostic>> {
        self.out.put(path, content)
    }
}

/// Renders every page of the portal into memory.
pub fn render(config: &Config, portal: &Portal, theme: &Theme) -> Result<Site, Box<Diagnostic>> {
    render_cached(config, portal, theme, None)
}

/// [`render`], reusing the pages of `cache` whose inputs did not change (for `serve`).
pub fn render_cached(
    config: &Config,
    portal: &Portal,
    theme: &Theme,
    cache: Option<&crate::cache::BuildCache>,
) -> Result<Site, Box<Diagnostic>> {
    let sink = MemorySink::default();
    let rendered = render_into(config, portal, theme, cache, &sink)?;
    Ok(Site { files: sink.into_files(), diagnostics: rendered.diagnostics })
}

/// Renders every page of the portal into `out`, as each is made.
pub fn render_into(
    config: &Config,
    portal: &Portal,
    theme: &Theme,
    cache: Option<&crate::cache::BuildCache>,
    out: &dyn Sink,
) -> Result<Rendered, Box<Diagnostic>> {
    let out = &Counting { inner: out, files: Default::default(), html: Default::default() };
    let site_data = site_view(config, portal, theme);
    let cached = PageCache::new(cache, theme, &site_data, out);
    let site = Value::from(Serde(&site_data));
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

    let entities: Vec<&crate::catalog::Entity> = portal.entities.values().map(|e| &**e).collect();
    let any_graph = std::sync::atomic::AtomicBool::new(false);
    entities
        .par_iter()
        .map(|e| {
            let mut view = builder.entity(e);
            let diagram = diagrams::entity_input(portal, config, &e.entity_ref);
            let neighbourhood = graph::neighbourhood(portal, config, &e.entity_ref);
            if neighbourhood.beyond_one_hop() {
                view.graph_url = Some(graph::url(e));
                any_graph.store(true, std::sync::atomic::Ordering::Relaxed);
                let path = format!("{}graph/index.html", view.url);
                let key = (&neighbourhood, tabs::TabEntity::of(e));
                cached.put(out, path, "entity-graph.html", &key, || {
                    page("entity-graph.html", "page", Value::from(Serde(&graph::page(e, &neighbourhood))))
                })?;
            }
            let system = if e.kind == "System" { diagrams::system_input(portal, config, &e.entity_ref) } else { None };
            let path = format!("{}index.html", view.url);
            // Diagrams are drawn only when the page is rendered: their inputs are in the key.
            if view.api.is_some() {
                let definition = format!("{}definition/index.html", view.url);
                cached.put(out, definition, "entity-definition.html", &view, || {
                    page("entity-definition.html", "entity", Value::from(Serde(&view)))
                })?;
            }
            cached.put(out, path, "entity.html", &(&view, &diagram, &system), || {
                let mut view = view.clone();
                view.diagram = diagram.as_ref().map(|d| d.draw()).unwrap_or_default();
                view.system_diagram = system.as_ref().map(|d| d.draw()).unwrap_or_default();
                page("entity.html", "entity", Value::from(Serde(&view)))
            })
        })
        .collect::<Result<(), Box<Diagnostic>>>()?;
    // Raw API definitions, for download beside the rendered reference (the same text, shared).
    let mut definitions: std::collections::HashMap<&str, Content> = std::collections::HashMap::new();
    for (r, api) in &portal.apis {
        if let (Some(e), Some(def)) =
            (portal.entities.get(r), portal.entities.get(r).and_then(|e| e.spec_str("definition")))
        {
            let path = format!("{}definition.{}", views::entity_path(e), views::raw_extension(api.raw_language));
            out.put(path, definitions.entry(def).or_insert_with(|| Content::from(def.as_bytes())).clone())?;
        }
    }

    let renderer = Renderer { theme, site: site.clone(), cached: &cached, out };
    pages::index_pages(&renderer, &builder, &entities)?;
    related::pages(&renderer, &builder, &entities)?;
    org_views::aggregated_pages(&renderer, &builder)?;
    tabs::entity_tab_pages(&renderer, &builder, &entities)?;
    tabs::plugin_pages(&renderer, portal)?;
    scorecards::pages(&renderer, &builder, &entities)?;
    out.put("api/problems.json".into(), problems::json(&builder).into())?;
    out.put("404.html".into(), render_page("404.html", minijinja::context! { site => site.clone() })?.into())?;

    let diagnostics = docs_files_cached(config, portal, theme, None, cache, out)?;

    out.put("robots.txt".into(), deploy::robots(config).into())?;
    out.put("favicon.svg".into(), Content::from(&include_bytes!("../../themes/default/assets/favicon.svg")[..]))?;
    out.put(".nojekyll".into(), Content::from(Vec::new()))?;
    out.put("api/catalog.json".into(), export::catalog_json(portal).into())?;
    out.put(
        "search/index.html".into(),
        render_page("search.html", minijinja::context! { site => site.clone() })?.into(),
    )?;
    // The template form's script, only where there is a template page.
    if portal.entities.values().any(|e| e.kind == "Template") {
        out.put(theme.scaffold.path.clone(), Content::from(theme.scaffold.content.as_slice()))?;
    }
    // The graph page's script, only where there is a graph page.
    if any_graph.load(std::sync::atomic::Ordering::Relaxed) {
        out.put(theme.graph.path.clone(), Content::from(theme.graph.content.as_slice()))?;
    }
    for asset in [&theme.style, &theme.script, &theme.search, &theme.search_page, &theme.highlight] {
        out.put(asset.path.clone(), Content::from(asset.content.as_slice()))?;
    }
    for asset in &theme.extra {
        out.put(asset.path.clone(), Content::from(asset.content.as_slice()))?;
    }
    if portal.docs.sites.iter().any(|s| s.pages.iter().any(|p| p.mermaid)) {
        out.put(theme.mermaid.path.clone(), Content::from(theme.mermaid.content.as_slice()))?;
    }
    // Pages arrive in any order (in parallel): the sitemap lists them sorted.
    let mut html = std::mem::take(&mut *out.html.lock().expect("sink lock"));
    html.sort_unstable();
    for (path, xml) in deploy::sitemaps(config, html.iter().map(String::as_str)) {
        out.put(path, xml.into())?;
    }
    Ok(Rendered { pages: html.len(), files: out.files.load(std::sync::atomic::Ordering::Relaxed), diagnostics })
}

/// The docs pages and assets of every site, or of the sites in `only`, reusing the pages of
/// `cache` whose inputs did not change (see [`PageCache`]).
pub fn docs_files_cached(
    config: &Config,
    portal: &Portal,
    theme: &Theme,
    only: Option<&std::collections::BTreeSet<usize>>,
    cache: Option<&crate::cache::BuildCache>,
    out: &dyn Sink,
) -> Result<Vec<Diagnostic>, Box<Diagnostic>> {
    let site_data = site_view(config, portal, theme);
    let cached = PageCache::new(cache, theme, &site_data, out);
    let site = Value::from(Serde(&site_data));
    let builder = ViewBuilder { portal, config };
    let docs_render = |path: String,
                       site_view: &docs_pages::DocSiteView,
                       view: &docs_pages::DocPageView,
                       page: &crate::docs::DocPage| {
        // The body is in the key as its hash: hashing its JSON would cost more than the page.
        cached.put(out, path, "docs.html", &(site_view, view, page.html_key.to_hex().as_str()), || {
            let page = docs_pages::DocPageView { html: page.html(), ..view.clone() };
            theme
                .env
                .get_template("docs.html")
                .and_then(|t| {
                    t.render(minijinja::context! { site => site.clone(), docsite => Value::from(Serde(site_view)), page => Value::from(Serde(page)) })
                })
                .map(String::into_bytes)
                .map_err(|e| Box::new(template_error("docs.html", &e)))
        })
    };
    docs_pages::pages(config, &portal.docs, only, &builder, &docs_render)?;
    // Each asset goes to the sink as soon as it is read: a build holds a few at a time.
    let assets: Vec<Result<Option<Diagnostic>, Box<Diagnostic>>> = portal
        .docs
        .sites
        .par_iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o.contains(i)))
        .flat_map_iter(|(_, s)| s.assets.iter())
        .map(|(file, path)| {
            let bytes = match crate::input::read(&config.root.join(file), config.limits.data_file) {
                Ok(bytes) => bytes,
                Err(e) => {
                    let d = Diagnostic::error("unreadable-file", format!("cannot read docs asset: {e}")).at(file, None);
                    return Ok(Some(d));
                }
            };
            let bytes = if config.docs_allow_raw_html {
                bytes
            } else {
                match assets::publishable(file, bytes) {
                    Ok(bytes) => bytes,
                    Err(why) => {
                        let d = Diagnostic::warning("unsafe-asset", format!("docs asset left out: {why}"))
                            .at(file, None)
                            .hint("SVG and HTML files are published without scripts; `docs.allow_raw_html: true` publishes them as they are");
                        return Ok(Some(d));
                    }
                }
            };
            out.put(path.clone(), Content::from(bytes)).map(|()| None)
        })
        .collect();
    let mut diagnostics = Vec::new();
    for asset in assets {
        diagnostics.extend(asset?);
    }
    Ok(diagnostics)
}

fn site_view(config: &Config, portal: &Portal, theme: &Theme) -> SiteView {
    SiteView {
        title: config.title.clone(),
        base_path: config.base_path.clone(),
        entity_count: portal.entities.len(),
        scorecards: portal.scorecards.rules.is_some(),
        assets: AssetsView {
            style: theme.style.path.clone(),
            script: theme.script.path.clone(),
            search: theme.search.path.clone(),
            search_page: theme.search_page.path.clone(),
            scaffold: theme.scaffold.path.clone(),
            graph: theme.graph.path.clone(),
            highlight: theme.highlight.path.clone(),
            mermaid: theme.mermaid.path.clone(),
        },
        csp: match &config.csp {
            crate::config::Csp::Default => theme::csp(theme, config.docs_allow_raw_html),
            crate::config::Csp::Off => String::new(),
            crate::config::Csp::Custom(policy) => policy.clone(),
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
