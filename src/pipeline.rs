//! The pipeline: the one place that knows the order of the stages.
//!
//! `discover -> parse -> resolve -> render + index -> write`, each a module with a typed value between
//! them. Every stage logs one line with its counts and time; on a terminal a spinner shows the
//! running stage (plain lines only in CI or when stderr is not a terminal). Stages never stop at
//! the first problem: diagnostics are collected and returned with the result.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::cache::BuildCache;
use crate::cache::disk::{IndexRecord, Previous};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::discover::{Inventory, discover};
use crate::render::{Content, Rendered, Sink, Site, render_into, theme::Theme};
use crate::resolve::Portal;
use crate::search::SearchIndex;

/// How much the pipeline says on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
}

/// Logs stage lines to stderr, with a spinner while a stage runs on a terminal.
pub struct StageLog {
    verbosity: Verbosity,
    spinner: Option<ProgressBar>,
}

impl StageLog {
    pub fn new(verbosity: Verbosity) -> Self {
        let interactive = verbosity == Verbosity::Normal
            && std::env::var_os("CI").is_none()
            && std::io::IsTerminal::is_terminal(&std::io::stderr());
        let spinner = interactive.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("static template"));
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        StageLog { verbosity, spinner }
    }

    pub(crate) fn start(&self, stage: &str) -> Instant {
        if let Some(s) = &self.spinner {
            s.set_message(format!("{stage}..."));
        }
        Instant::now()
    }

    pub(crate) fn done(&self, stage: &str, started: Instant, summary: String) {
        self.done_in(stage, started.elapsed(), summary);
    }

    /// A stage line for a stage that took `took` (stages that ran side by side).
    fn done_in(&self, stage: &str, took: Duration, summary: String) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let mut line = format!("{stage:>9}  {summary} ({})", format_duration(took));
        if let Some(memory) = memory_note() {
            line.push_str(&memory);
        }
        match &self.spinner {
            Some(s) => s.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(s) = &self.spinner {
            s.finish_and_clear();
        }
    }
}

impl Drop for StageLog {
    fn drop(&mut self) {
        self.finish();
    }
}

/// With `PORTICO_TRACE=1`, the process's resident memory now and at its peak so far (Linux),
/// for the scale benchmark: ` [rss 812 MB, peak 1204 MB]`.
fn memory_note() -> Option<String> {
    std::env::var_os("PORTICO_TRACE")?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    };
    Some(format!(" [rss {} MB, peak {} MB]", field("VmRSS:")? / 1024, field("VmHWM:")? / 1024))
}

fn format_duration(d: Duration) -> String {
    if d.as_secs() >= 1 { format!("{:.2} s", d.as_secs_f64()) } else { format!("{} ms", d.as_millis()) }
}

/// What `check` produces: the graph and the problems found.
pub struct Checked {
    pub inventory: Inventory,
    pub portal: Portal,
    pub diagnostics: Diagnostics,
}

/// What `build` produces: the checked graph, the rendered site (search files included) and the
/// search index.
pub struct Built {
    pub checked: Checked,
    pub site: Site,
    pub search: SearchIndex,
}

/// Runs `discover -> parse -> resolve`. `Err` only for problems that stop everything (the root
/// cannot be read).
pub fn check(config: &Config, log: &StageLog) -> Result<Checked, Box<Diagnostic>> {
    check_cached(config, log, None, None)
}

/// [`check`], reusing unchanged files' results from `cache` (for `serve`). `changed` lists the
/// files changed since the cached build, when known: if the docs read none of them (and the file
/// list and entities' docs settings are the same), the last docs are reused as they are.
pub fn check_cached(
    config: &Config,
    log: &StageLog,
    cache: Option<&BuildCache>,
    changed: Option<&[String]>,
) -> Result<Checked, Box<Diagnostic>> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    if crate::plugins::built_in_enabled(&config.plugins, "git-history") {
        crate::plugins::builtin::git_history::prefetch(&config.root);
    }

    let t = log.start("discover");
    // Only existing files changed (no file created, deleted or renamed, no ignore file, which
    // is hidden and so never listed): the last walk's list stands.
    let known = |inventory: &crate::discover::Inventory| {
        changed.is_some_and(|changed| {
            !changed.is_empty()
                && changed.iter().all(|c| inventory.files.binary_search(c).is_ok() && config.root.join(c).is_file())
        })
    };
    let last = cache.and_then(|c| c.last_inventory.lock().expect("cache lock").take());
    let inventory = match last {
        Some(last) if known(&last) => last,
        _ => discover(config)?,
    };
    if let Some(cache) = cache {
        *cache.last_inventory.lock().expect("cache lock") = Some(inventory.clone());
    }
    log.done(
        "discover",
        t,
        format!("{} files, {} catalog files", inventory.files.len(), inventory.catalog_files.len()),
    );

    let problems = |diags: &[Diagnostic], from: usize| {
        diags[from..].iter().filter(|d| d.severity > crate::diagnostics::Severity::Info).count()
    };
    let t = log.start("parse");
    let mut parsed = crate::parse::parse_cached(config, &inventory, cache, &mut diags);
    let mut extra = String::new();
    if !parsed.rejected.is_empty() {
        extra.push_str(&format!(", {} left out", parsed.rejected.len()));
    }
    if parsed.skeletons > 0 {
        extra.push_str(&format!(", {} skeleton files skipped", parsed.skeletons));
    }
    if !parsed.app_config_files.is_empty() {
        extra.push_str(&format!(", locations from {}", parsed.app_config_files.join(" + ")));
    }
    log.done(
        "parse",
        t,
        format!(
            "{} entities from {} files{extra}, {} problems",
            parsed.entities.len(),
            parsed.files.len(),
            problems(&diags, 0)
        ),
    );

    // Built-in plugins need no relations: they run beside `docs` and `resolve`.
    let fallback = crate::plugins::Cache::default();
    let plugin_cache = cache.map_or(&fallback, |c| &c.plugins);
    let built_in_entities = config.plugins.iter().any(|p| p.command.is_none()).then(|| parsed.entities.clone());
    let mut portal = std::thread::scope(|scope| {
        let early = built_in_entities.map(|entities| {
            let inventory = &inventory;
            scope.spawn(move || {
                crate::plugins::run_built_ins(config, &config.plugins, inventory, &entities, config.mode, plugin_cache)
            })
        });
        let t = log.start("docs");
        let before = diags.len();
        let docs_key = cache.map(|_| crate::docs::inputs_key(&inventory, &parsed.entities));
        let reused = match (cache, changed, docs_key) {
            (Some(cache), Some(changed), Some(key)) if !changed.is_empty() => {
                let last = cache.last_docs.lock().expect("cache lock");
                match &*last {
                    Some((k, docs, d)) if *k == key && !changed.iter().any(|p| docs.may_read(p, cache)) => {
                        Some((docs.clone(), d.clone()))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        parsed.docs = match reused {
            Some((docs, d)) => {
                diags.extend(d);
                docs
            }
            None => {
                let docs = crate::docs::load_cached(config, &inventory, &parsed.entities, cache, &mut diags);
                if let (Some(cache), Some(key)) = (cache, docs_key) {
                    *cache.last_docs.lock().expect("cache lock") = Some((key, docs.clone(), diags[before..].to_vec()));
                }
                docs
            }
        };
        let pages = parsed.docs.page_count();
        let rate = match pages {
            0 => String::new(),
            n => format!(" ({:.0} pages/s)", n as f64 / t.elapsed().as_secs_f64().max(1e-6)),
        };
        log.done(
            "docs",
            t,
            format!("{} sites, {pages} pages{rate}, {} problems", parsed.docs.sites.len(), problems(&diags, before)),
        );

        let t = log.start("resolve");
        let before = diags.len();
        let no_files = parsed.files.is_empty();
        let mut portal = crate::resolve::resolve_cached(parsed, cache, &mut diags);
        // Nothing to publish (when errors were reported, they say why).
        if portal.entities.is_empty() && !diags.iter().any(|d| d.severity == crate::diagnostics::Severity::Error) {
            diags.push(empty_catalog(config, no_files));
        }
        let relations: usize = portal.relations.values().map(|r| r.len()).sum();
        log.done(
            "resolve",
            t,
            format!(
                "{} entities, {} relations, {} dangling refs, {} orphans, {} API references, {} problems",
                portal.entities.len(),
                relations,
                portal.dangling,
                portal.ownership.orphans.len(),
                portal.apis.len(),
                diags.len() - before
            ),
        );

        // README tabs of entities without TechDocs (before plugin tabs).
        let entities: Vec<std::sync::Arc<crate::catalog::Entity>> = portal.entities.values().cloned().collect();
        let (readmes, found) =
            crate::docs::readme::load(config, &inventory, &entities, &|r| portal.docs.entity_docs.contains_key(r));
        diags.extend(found);
        if !config.plugins.is_empty() {
            let t = log.start("plugins");
            let before = diags.len();
            let early = early.map(|h| h.join().expect("built-in plugins do not panic")).unwrap_or_default();
            let (contributions, found) = crate::plugins::contribute(
                config,
                &config.plugins,
                &inventory,
                &portal,
                config.mode,
                plugin_cache,
                early,
            );
            diags.extend(found);
            let count = |m: &std::collections::BTreeMap<_, Vec<_>>| m.values().map(Vec::len).sum::<usize>();
            log.done(
                "plugins",
                t,
                format!(
                    "{} plugins: {} tabs, {} cards, {} pages, facts of {} entities, {} problems",
                    config.plugins.len(),
                    count(&contributions.tabs),
                    count(&contributions.cards),
                    contributions.pages.len(),
                    contributions.facts.len(),
                    problems(&diags, before)
                ),
            );
            portal.plugins = contributions;
            if crate::plugins::built_in_enabled(&config.plugins, "git-history") {
                portal.plugins.docs_updated = docs_updated(config, &portal);
            }
        }
        for (r, readme) in readmes {
            portal.plugins.tabs.entry(r).or_default().insert(0, readme);
        }
        portal
    });
    crate::render::tabs::retain_shown(config, &mut portal);
    // Golden paths that would not run (`portico scaffold`): warnings at the template.
    diags.extend(crate::scaffold::lint::templates(&config.root, &inventory.files, &portal));
    if config.scorecards.is_some() {
        scorecards(config, &inventory, &mut portal, log, &mut diags);
    }

    let mut problems = Diagnostics::default();
    problems.extend(diags.iter().filter(|d| d.severity >= crate::diagnostics::Severity::Warning).cloned());
    portal.problems = problems.sorted();
    let mut diagnostics = Diagnostics::default();
    diagnostics.extend(diags);
    Ok(Checked { inventory, portal, diagnostics })
}

/// The `scorecards` stage: every card over the entities, then the CI gate's diagnostics.
fn scorecards(
    config: &Config,
    inventory: &Inventory,
    portal: &mut Portal,
    log: &StageLog,
    diags: &mut Vec<Diagnostic>,
) {
    let t = log.start("scorecard");
    let before = diags.len();
    let results = crate::scorecards::evaluate(config, &inventory.files, portal, diags);
    let changed = match &config.changed_since {
        None => None,
        Some(rev) => match crate::scorecards::gate::changed_since(&config.root, rev) {
            Ok(files) => Some(files),
            Err(why) => {
                diags.push(
                    Diagnostic::error("changed-since", format!("cannot tell which files changed since `{rev}`: {why}"))
                        .hint("give --changed-since a revision of this repository, e.g. origin/main; every entity is gated meanwhile"),
                );
                None
            }
        },
    };
    diags.extend(crate::scorecards::gate::diagnostics(&results, portal, changed.as_ref()));
    let rules = results.rules.as_ref().map_or(0, |r| r.cards.len());
    let entities: std::collections::BTreeSet<_> = results.cards.iter().flat_map(|c| c.keys()).collect();
    log.done(
        "scorecard",
        t,
        format!(
            "{rules} cards over {} entities, {} exemptions, {} problems",
            entities.len(),
            results.exemptions.len(),
            diags[before..].iter().filter(|d| d.severity > crate::diagnostics::Severity::Info).count()
        ),
    );
    portal.scorecards = results;
}

/// The last change of every docs page file, from git (the `git-history` plugin's "last updated").
fn docs_updated(config: &Config, portal: &Portal) -> std::collections::BTreeMap<String, (String, String)> {
    use crate::plugins::builtin::git_history;
    let Ok(times) = git_history::file_times(&config.root) else { return Default::default() };
    let files = portal.docs.sites.iter().flat_map(|s| s.pages.iter().map(|p| p.file.as_str()));
    files.filter_map(|f| times.get(f).map(|t| (f.to_owned(), git_history::utc(*t)))).collect()
}

/// The error of a portal without a single valid entity: nothing to publish.
fn empty_catalog(config: &Config, no_files: bool) -> Diagnostic {
    if no_files {
        Diagnostic::error(
            "empty-catalog",
            format!("no catalog file found under {}: the portal would be empty", config.display_root.display()),
        )
        .hint("Portico reads every `catalog-info.yaml` (`catalog.files` in portico.yaml), the `catalog.locations` of portico.yaml or, without them, of Backstage's app-config.yaml; point it at the root of your monorepo")
    } else {
        Diagnostic::error("empty-catalog", "the catalog files hold no entity: the portal would be empty")
            .hint("every file read was empty or a scaffolder skeleton")
    }
}

/// What `check` runs: everything `build` runs but the search index and the writing. The theme is
/// loaded, every page rendered (and dropped) and every output path checked, so a green `check`
/// means a green `build`.
pub fn verify(config: &Config, log: &StageLog) -> Result<Checked, Box<Diagnostic>> {
    let theme = Theme::load(config)?;
    // The build cache serves `check` too (catalog files, docs pages, API references); what the
    // last build wrote is kept as it was.
    let (cache, previous) = load_cache(config, log);
    let mut checked = check_cached(config, log, Some(&cache), None)?;
    save_cache(config, &cache, &checked, &previous);
    let t = log.start("render");
    let nowhere = crate::render::NullSink::default();
    let paths = crate::write::PathCheck::new(&config.out_dir, &nowhere);
    let rendered = render_into(config, &checked.portal, &theme, None, &paths)?;
    log.done("render", t, format!("{} pages, {} files (not written)", rendered.pages, rendered.files));
    checked.diagnostics.extend(rendered.diagnostics);
    checked.diagnostics.extend(paths.into_problems());
    Ok(checked)
}

/// Renders and indexes `checked` into `out`, side by side; the search files go to `out` too.
/// Files whose path the file system could not hold are left out with an error. The render's
/// diagnostics join `checked`'s. For a sink that records keys ([`Sink::wants_keys`], a build
/// with a cache), the index's inputs are hashed: when they are those of `last` and `out` still
/// holds its files, they are kept and no index is built (the `SearchIndex` is `None`), and the
/// new [`IndexRecord`] is returned for the cache.
#[allow(clippy::too_many_arguments)]
pub fn render_and_index(
    config: &Config,
    log: &StageLog,
    theme: &Theme,
    cache: Option<&BuildCache>,
    checked: &mut Checked,
    out: &dyn Sink,
    last: Option<&IndexRecord>,
    keep_index: bool,
) -> Result<(Rendered, Option<SearchIndex>, Option<IndexRecord>), Box<Diagnostic>> {
    let paths = crate::write::PathCheck::new(&config.out_dir, out);
    log.start("render and index");
    let ((rendered, render_took), (indexed, key, index_took)) = rayon::join(
        || {
            let t = Instant::now();
            (render_into(config, &checked.portal, theme, cache, &paths), t.elapsed())
        },
        || {
            let t = Instant::now();
            // Hashing the inputs costs time only worth spending when the key is kept.
            let key = paths.wants_keys().then(|| crate::search::inputs_key(&checked.portal));
            let kept = key
                .is_some_and(|key| last.is_some_and(|r| r.key == key && r.files.iter().all(|f| paths.keep(f, &key))));
            // The files go out as soon as they are made, and the index is dropped unless the
            // caller asked for it: the render goes on without holding it.
            let indexed = (!kept).then(|| -> Result<_, Box<Diagnostic>> {
                let search = SearchIndex::build(&checked.portal);
                let files: Vec<String> = search.export().files.iter().map(|(p, _)| p.clone()).collect();
                for (path, bytes) in &search.export().files {
                    paths.put_page(path.clone(), key, Content::from(bytes.as_slice()))?;
                }
                Ok((index_summary(&search), files, keep_index.then_some(search)))
            });
            (indexed.transpose(), key, t.elapsed())
        },
    );
    let mut rendered = rendered?;
    log.done_in("render", render_took, format!("{} pages, {} files", rendered.pages, rendered.files));
    let (summary, files, search) = match (indexed?, last) {
        (Some(indexed), _) => indexed,
        (None, Some(last)) => {
            (format!("{} (kept)", last.summary.trim_end_matches(" (kept)")), last.files.clone(), None)
        }
        (None, None) => unreachable!("an index is kept only when there was one"),
    };
    log.done_in("index", index_took, summary.clone());
    let record = key.map(|key| IndexRecord { key, files, summary });
    checked.diagnostics.extend(std::mem::take(&mut rendered.diagnostics));
    checked.diagnostics.extend(paths.into_problems());
    Ok((rendered, search, record))
}

/// Runs the whole pipeline up to the site in memory (for `serve`, tests and benchmarks; `portico
/// build` writes pages as they are made, see [`publish`]).
pub fn build(config: &Config, log: &StageLog) -> Result<Built, Box<Diagnostic>> {
    let theme = Theme::load(config)?;
    build_with(config, log, &theme, None)
}

/// [`build`] with a loaded theme and an optional cache (for `serve`).
pub fn build_with(
    config: &Config,
    log: &StageLog,
    theme: &Theme,
    cache: Option<&BuildCache>,
) -> Result<Built, Box<Diagnostic>> {
    let mut checked = check_cached(config, log, cache, None)?;
    let memory = crate::render::MemorySink::default();
    let (_, search, _) = render_and_index(config, log, theme, cache, &mut checked, &memory, None, true)?;
    let search = search.expect("without a previous index, one is built");
    Ok(Built { checked, site: Site { files: memory.into_files(), diagnostics: Vec::new() }, search })
}

/// How `portico build` ended.
pub struct Publication {
    pub diagnostics: Diagnostics,
    /// Entities left out (invalid or duplicates).
    pub left_out: usize,
    /// Whether the site was written; `false` when there was nothing to publish or `--strict`
    /// found a problem (the previous site is as it was).
    pub written: bool,
}

/// `portico build`: checks, then renders every page straight into a temporary directory beside
/// the output as it is made (the site is never whole in memory), and swaps it in. Nothing is
/// written when the portal is empty or, with `strict`, when there is any problem. The previous
/// site and leftovers of killed builds are removed by `remove` (in the background for the CLI).
pub fn publish(
    config: &Config,
    log: &StageLog,
    strict: bool,
    remove: &dyn Fn(std::path::PathBuf),
) -> Result<Publication, Box<Diagnostic>> {
    let write_error = |e: crate::write::WriteError| Box::new(Diagnostic::error("write-failed", e.to_string()));
    let ignored = |rel: &str| crate::discover::is_ignored(config, rel);
    let target = write_target(config, &ignored);
    crate::write::guard(&target).map_err(write_error)?;
    for stale in crate::write::stale_temp_dirs(&config.out_dir) {
        remove(stale);
    }
    let theme = Theme::load(config)?;
    let (cache, previous) = load_cache(config, log);
    let mut checked = check_cached(config, log, Some(&cache), None)?;
    // The pages a serve session would keep in memory are the site itself here.
    let save = |checked: &Checked, previous: &Previous| save_cache(config, &cache, checked, previous);
    let left_out = checked.portal.rejected.len();
    let has_problems = |d: &Diagnostics| d.has_errors() || d.count(crate::diagnostics::Severity::Warning) > 0;
    let refuse = |checked: Checked| Publication { diagnostics: checked.diagnostics, left_out, written: false };
    if checked.portal.entities.is_empty() || (strict && has_problems(&checked.diagnostics)) {
        save(&checked, &previous);
        return Ok(refuse(checked));
    }
    let output = crate::write::update::Output::create(&target, previous.output.clone(), config.cache_dir.is_some())
        .map_err(write_error)?;
    let (_, _, index) =
        render_and_index(config, log, &theme, None, &mut checked, &output, previous.index.as_ref(), false)?;
    if strict && has_problems(&checked.diagnostics) {
        save(&checked, &previous);
        return Ok(refuse(checked)); // the staging directory is removed as it drops
    }
    let t = log.start("write");
    let outcome = output.publish().map_err(write_error)?;
    let how =
        if outcome.updated { format!("{} changed, the others kept", outcome.written) } else { "swapped in".to_owned() };
    log.done(
        "write",
        t,
        format!(
            "{} files, {:.1} MB to {} ({how})",
            outcome.published.files,
            outcome.published.bytes as f64 / 1e6,
            config.out_dir.display()
        ),
    );
    save(&checked, &Previous { output: Some(outcome.manifest), index });
    if let Some(old) = outcome.published.old {
        remove(old);
    }
    Ok(Publication { diagnostics: checked.diagnostics, left_out, written: true })
}

/// Saves the build cache of `config` (a failure is a warning: the next build starts cold).
fn save_cache(config: &Config, cache: &BuildCache, checked: &Checked, previous: &Previous) {
    if let Some(dir) = &config.cache_dir {
        let apis: Vec<_> = checked.portal.apis.values().collect();
        if let Err(e) = crate::cache::disk::save(dir, config, cache, &checked.inventory.files, &apis, previous) {
            eprintln!("warning: the build cache could not be saved in {}: {e}", dir.display());
        }
    }
}

/// The build cache of `config` ([`crate::cache::disk`]), empty without one.
fn load_cache(config: &Config, log: &StageLog) -> (BuildCache, Previous) {
    let Some(dir) = &config.cache_dir else { return Default::default() };
    let t = log.start("cache");
    let (cache, previous) = crate::cache::disk::load(dir, config);
    // A line only when there was something to reuse.
    let summary = match &previous.output {
        None if cache.catalog.lock().expect("cache lock").is_empty() => return (cache, previous),
        _ => format!(
            "{} catalog files, {} docs pages, {} API references, {} files of the site from {}",
            cache.catalog.lock().expect("cache lock").len(),
            cache.docs.lock().expect("cache lock").len(),
            cache.apis.lock().expect("cache lock").len(),
            previous.output.as_ref().map_or(0, |m| m.files.len()),
            dir.display()
        ),
    };
    log.done("cache", t, summary);
    (cache, previous)
}

/// Whether `path` is one of the exported search files (not the search page).
pub fn is_search_file(path: &str) -> bool {
    path.starts_with("search/") && path.ends_with(".bin")
}

/// The stage line of the search index.
pub fn index_summary(search: &SearchIndex) -> String {
    let files = &search.export().files;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    format!("{} documents, {} files, {:.1} MB", search.len(), files.len(), bytes as f64 / 1e6)
}

fn write_target<'a>(config: &'a Config, ignored: &'a dyn Fn(&str) -> bool) -> crate::write::Target<'a> {
    crate::write::Target { out_dir: &config.out_dir, root: &config.root, ignored }
}
