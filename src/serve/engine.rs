//! The rebuild engine of `serve`: the portal in memory, rebuilt after changes.
//!
//! Input: the paths that changed (relative to the root). Output: the new site, or the
//! diagnostics that keep the last good site in place. Every rebuild runs the clean build's code
//! path with content-keyed caches ([`BuildCache`]), so unchanged catalog files and docs pages are
//! not parsed or rendered again. When only the content of existing docs pages or docs assets
//! changed, only those sites' pages are rendered again and every other file is kept: nothing else
//! depends on them. Invariant: after any sequence of changes, the site equals a clean build.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::cache::BuildCache;
use crate::config::{Config, Overrides};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::{self, StageLog, Verbosity};
use crate::render::{Site, theme::Theme};
use crate::resolve::Portal;
use crate::search::SearchIndex;

/// What a rebuild did.
pub enum Outcome {
    /// A new site is served.
    Built { site: Arc<Site>, warnings: Diagnostics, pages: usize, docs_only: bool },
    /// The build failed: the previous site stays, these are shown.
    Failed(Vec<Diagnostic>),
}

pub struct Engine {
    root: std::path::PathBuf,
    overrides: Overrides,
    config: Config,
    theme: Theme,
    cache: BuildCache,
    /// Shared with the indexer thread, which reads its documents at a low priority.
    portal: Option<Arc<Portal>>,
    /// The inventory of the last good build, for docs-only rebuilds that skip the catalog stages.
    inventory: Option<crate::discover::Inventory>,
    site: Option<Arc<Site>>,
    /// The search index of `portal`, once [`Engine::reindex`] ran after the last rebuild.
    search: Option<Arc<SearchIndex>>,
    /// Whether the last rebuild failed: the served site is then older than the files, and only
    /// a full rebuild may replace it.
    last_failed: bool,
}

impl Engine {
    /// Loads the configuration; the site is built by the first [`Engine::rebuild`].
    pub fn new(root: &std::path::Path, overrides: Overrides) -> Result<Engine, Box<Diagnostic>> {
        let config = Config::load(root, &overrides)?;
        let theme = Theme::load(&config)?;
        // The build cache of the last `build` or `check` (if any) makes the first build a warm
        // one: its catalog files, docs pages and API references are reused when unchanged.
        // `serve` only reads it.
        let cache = config.cache_dir.as_deref().map(|d| crate::cache::disk::load(d, &config).0).unwrap_or_default();
        Ok(Engine {
            root: root.to_path_buf(),
            overrides,
            config,
            theme,
            cache,
            portal: None,
            inventory: None,
            site: None,
            search: None,
            last_failed: false,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The last good site.
    pub fn site(&self) -> Option<Arc<Site>> {
        self.site.clone()
    }

    /// Rebuilds after `changed` (root-relative paths; empty for a full build), search index
    /// included: the site equals a clean build's.
    pub fn rebuild(&mut self, changed: &[String]) -> Outcome {
        match self.rebuild_pages(changed) {
            Outcome::Built { warnings, docs_only, .. } => {
                let site = self.reindex().expect("a built site");
                let pages = site.page_count();
                Outcome::Built { site, warnings, pages, docs_only }
            }
            failed => failed,
        }
    }

    /// The first half of [`Engine::rebuild`]: every page, with the search files of the previous
    /// index (a consistent, slightly older search) until [`Engine::reindex`] runs. The preview
    /// server reloads the browser between the two.
    pub fn rebuild_pages(&mut self, changed: &[String]) -> Outcome {
        let outcome = self.rebuild_inner(changed);
        self.last_failed = matches!(outcome, Outcome::Failed(_));
        if !self.last_failed {
            self.search = None;
        }
        outcome
    }

    /// The second half of [`Engine::rebuild`]: indexes the last good build and returns its site
    /// with the new search files (the same site when it is indexed already). `None` before the
    /// first good build.
    pub fn reindex(&mut self) -> Option<Arc<Site>> {
        let site = self.site.clone()?;
        if self.search.is_some() {
            return Some(site);
        }
        let search = Arc::new(SearchIndex::from_documents(self.documents()?));
        let site = with_search(&site, &search);
        self.site = Some(site.clone());
        self.search = Some(search);
        Some(site)
    }

    /// What the last good build indexes.
    pub fn documents(&self) -> Option<crate::search::Documents> {
        Some(SearchIndex::documents(self.portal.as_ref()?))
    }

    /// The portal of the last good build, for indexing on another thread.
    pub fn portal(&self) -> Option<Arc<Portal>> {
        self.portal.clone()
    }

    fn rebuild_inner(&mut self, changed: &[String]) -> Outcome {
        let config_file =
            self.config.config_file.as_ref().and_then(|p| crate::discover::relative(&self.config.root, p));
        let theme_dir = self.config.theme.as_ref().and_then(|p| crate::discover::relative(&self.config.root, p));
        let touches = |prefix: &Option<String>| {
            prefix.as_ref().is_some_and(|p| changed.iter().any(|c| c == p || c.starts_with(&format!("{p}/"))))
        };
        if touches(&config_file) || changed.iter().any(|c| c == crate::config::CONFIG_FILE) {
            // New configuration: everything may differ.
            match Config::load(&self.root, &self.overrides) {
                Ok(c) => self.config = c,
                Err(d) => return Outcome::Failed(vec![*d]),
            }
            self.cache = BuildCache::default();
            if let Err(d) = self.reload_theme_or_fail() {
                return Outcome::Failed(vec![d]);
            }
        } else if touches(&theme_dir) {
            if let Err(d) = self.reload_theme_or_fail() {
                return Outcome::Failed(vec![d]);
            }
        }
        // A plugin reading a changed file runs again: only the full rebuild runs plugins.
        if !self.cache.plugins.reads_any(changed)
            && let Some(outcome) = self.docs_only_sites(changed).and_then(|sites| self.rebuild_docs(&sites, changed))
        {
            return outcome;
        }
        // `PORTICO_TRACE=1 portico serve` prints the stage lines of every rebuild.
        let log = StageLog::new(if std::env::var_os("PORTICO_TRACE").is_some() {
            Verbosity::Normal
        } else {
            Verbosity::Quiet
        });
        let checked = match pipeline::check_cached(&self.config, &log, Some(&self.cache), Some(changed)) {
            Ok(c) => c,
            Err(d) => return Outcome::Failed(vec![*d]),
        };
        // As `build`: everything valid is published (errors are listed on the problems page);
        // only a portal with nothing in it fails.
        if checked.portal.entities.is_empty() {
            let errors =
                checked.diagnostics.sorted().into_iter().filter(|d| d.severity == crate::diagnostics::Severity::Error);
            return Outcome::Failed(errors.collect());
        }
        let portal = checked.portal;
        drop_later(self.inventory.replace(checked.inventory));
        let t = log.start("render");
        let mut site = match crate::render::render_cached(&self.config, &portal, &self.theme, Some(&self.cache)) {
            Ok(site) => site,
            Err(d) => return Outcome::Failed(vec![*d]),
        };
        log.done("render", t, format!("{} pages, {} files", site.page_count(), site.files.len()));
        let mut warnings = checked.diagnostics;
        warnings.extend(std::mem::take(&mut site.diagnostics));
        // Forget the pages that are gone.
        self.cache.pages.lock().expect("cache lock").retain(|p, _| site.files.contains_key(p));
        // The previous index's files until the next `reindex`.
        if let Some(previous) = &self.site {
            let search = previous.files.iter().filter(|(p, _)| pipeline::is_search_file(p));
            site.files.extend(search.map(|(p, c)| (p.clone(), c.clone())));
        }
        let site = Arc::new(site);
        let pages = site.page_count();
        drop_later((self.portal.replace(Arc::new(portal)), self.site.replace(site.clone())));
        Outcome::Built { site, warnings, pages, docs_only: false }
    }

    /// Only docs content changed: the catalog, its inventory, the docs plans (page lists and
    /// navigation) and every other page stay; the changed pages are rendered again
    /// ([`crate::docs::reload_pages`]), anchors checked again, and the pages of `sites` written
    /// again. `None` when there is no previous build to start from.
    fn rebuild_docs(&mut self, sites: &BTreeSet<usize>, changed: &[String]) -> Option<Outcome> {
        let inventory = self.inventory.as_ref()?;
        let previous = self.site.clone()?;
        let mut diags = Vec::new();
        // A copy only while the indexer still reads the previous portal.
        let portal = Arc::make_mut(self.portal.as_mut()?);
        let changed: BTreeSet<String> = changed.iter().cloned().collect();
        let docs = crate::docs::reload_pages(&self.config, inventory, &portal.docs, &changed, &self.cache, &mut diags);
        crate::docs::check_anchors(&docs, &mut diags);
        // The problems page lists docs problems too: while there are any, before or after this
        // edit, the full rebuild keeps it exact.
        let in_docs = |file: &Option<String>| {
            file.as_deref().is_some_and(|f| portal.docs.sites.iter().any(|s| f.starts_with(&s.project_dir)))
        };
        if !diags.is_empty() || portal.problems.iter().any(|d| in_docs(&d.file)) {
            return None;
        }
        let mut list = Diagnostics::default();
        list.extend(diags);
        portal.docs = docs;
        // The docs the next full rebuild could reuse are older now.
        *self.cache.last_docs.lock().expect("cache lock") = None;
        let mut files = previous.files.clone();
        let sink = crate::render::MemorySink::default();
        match crate::render::docs_files_cached(&self.config, portal, &self.theme, Some(sites), Some(&self.cache), &sink)
        {
            // A docs asset left out is a problem the problems page lists: rebuild fully.
            Ok(problems) if !problems.is_empty() => return None,
            Ok(_) => files.extend(sink.into_files()),
            Err(d) => return Some(Outcome::Failed(vec![*d])),
        }
        let site = Arc::new(Site { files, diagnostics: Vec::new() });
        let pages = site.page_count();
        self.site = Some(site.clone());
        Some(Outcome::Built { site, warnings: list, pages, docs_only: true })
    }

    fn reload_theme_or_fail(&mut self) -> Result<(), Diagnostic> {
        match Theme::load(&self.config) {
            Ok(t) => {
                self.theme = t;
                Ok(())
            }
            Err(d) => Err(*d),
        }
    }

    /// When every change is an edit of an existing docs page or asset (and the last build
    /// succeeded), the sites they belong to; else `None` (a full render is needed).
    fn docs_only_sites(&self, changed: &[String]) -> Option<BTreeSet<usize>> {
        let portal = self.portal.as_ref()?;
        self.site.as_ref()?;
        if changed.is_empty() || self.last_failed {
            return None;
        }
        let mut sites = BTreeSet::new();
        for path in changed {
            if !self.config.root.join(path).is_file() {
                return None; // deleted or renamed away: the page set changes
            }
            let mut found = false;
            for (i, site) in portal.docs.sites.iter().enumerate() {
                let is_page = site.pages.iter().any(|p| p.file == *path);
                let is_asset = site.assets.iter().any(|(f, _)| f == path);
                if is_page || is_asset {
                    sites.insert(i);
                    found = true;
                }
            }
            if !found {
                return None;
            }
        }
        Some(sites)
    }
}

/// Drops `value` on another thread: freeing the previous portal takes tens of milliseconds at
/// 1,000 components, which the reload need not wait for.
fn drop_later<T: Send + 'static>(value: T) {
    // Without a thread, the failed spawn drops it here.
    let _ = std::thread::Builder::new().name("portico-drop".into()).spawn(move || drop(value));
}

/// `site` with the search files of `search` instead of its own.
pub fn with_search(site: &Site, search: &SearchIndex) -> Arc<Site> {
    let mut files = site.files.clone();
    files.retain(|path, _| !pipeline::is_search_file(path));
    for (path, bytes) in &search.export().files {
        files.insert(path.clone(), crate::render::Content::from(bytes.as_slice()));
    }
    Arc::new(Site { files, diagnostics: Vec::new() })
}
