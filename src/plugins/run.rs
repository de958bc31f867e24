//! Running the plugins: handshake, request, response, checks, cache.
//!
//! Per plugin, in parallel: `--portico-manifest` (refused unless its protocol range holds
//! [`PROTOCOL`]), then the request. The response is cached on a key of the protocol, the
//! manifest, the command, the config, the environment it is given, the request and the content
//! of the files the manifest names as `inputs`: the same key gives the same response without
//! running the plugin (a plugin must be a pure function of those). Responses are checked
//! (`accept`), turned into [`Contributions`] and sorted.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use super::protocol::{
    Contribution, DiagnosticLevel, Manifest, PROTOCOL, RequestEntity, RequestPlugin, RequestRelation, RequestRepo,
    RequestSite, RequestSource, Response,
};
use super::{Contributions, Mode, OnError, Panel, PluginPage, PluginSpec, SearchDoc, blocks, command, valid_id};
use crate::cache::{Key, KeyHasher};
use crate::catalog::EntityRef;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Pos, Severity};
use crate::discover::Inventory;
use crate::resolve::Portal;

/// Ids of the built-in plugins.
pub const BUILT_IN: &[&str] = &["codeowners", "git-history"];

/// Responses of earlier runs by plugin id, with their keys (`serve` keeps one for its life).
#[derive(Default)]
pub struct Cache {
    responses: Mutex<HashMap<String, (Key, Response)>>,
    /// Per plugin, the files it reads besides the request: its own script and its declared
    /// inputs (as globs).
    reads: Mutex<HashMap<String, (Vec<String>, Option<globset::GlobSet>)>>,
}

impl Cache {
    /// A cache holding `entries` (plugin id, key, response), as [`Cache::entries`] gave them.
    pub fn from_entries(entries: Vec<(String, Key, Response)>) -> Cache {
        let responses = entries.into_iter().map(|(id, key, response)| (id, (key, response))).collect();
        Cache { responses: Mutex::new(responses), ..Cache::default() }
    }

    /// Every response with its plugin id and key, sorted by id (for the build cache on disk).
    pub fn entries(&self) -> Vec<(String, Key, Response)> {
        let map = self.responses.lock().expect("plugin cache lock");
        let mut out: Vec<_> = map.iter().map(|(id, (k, r))| (id.clone(), *k, r.clone())).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Whether a plugin that ran reads one of `changed` (root-relative): then the rebuild must
    /// run it again (`serve` does not take its docs-only shortcut).
    pub fn reads_any(&self, changed: &[String]) -> bool {
        let reads = self.reads.lock().expect("plugin cache lock");
        reads.values().any(|(files, globs)| {
            changed.iter().any(|c| files.contains(c) || globs.as_ref().is_some_and(|g| g.is_match(c.as_str())))
        })
    }

    fn get(&self, id: &str, key: &Key) -> Option<Response> {
        let map = self.responses.lock().expect("plugin cache lock");
        map.get(id).filter(|(k, _)| k == key).map(|(_, r)| r.clone())
    }

    fn put(&self, id: &str, key: Key, response: Response) {
        self.responses.lock().expect("plugin cache lock").insert(id.to_owned(), (key, response));
    }
}

/// The request, borrowing what every plugin shares.
#[derive(Serialize)]
struct RequestRef<'a> {
    protocol: u32,
    phase: &'static str,
    mode: &'static str,
    plugin: RequestPlugin,
    repo: &'a RequestRepo,
    site: &'a RequestSite,
    /// The entities, serialised once for every plugin.
    entities: &'a serde_json::value::RawValue,
}

/// The request `spec`'s plugin reads, as JSON.
fn request(
    spec: &PluginSpec,
    mode: Mode,
    repo: &RequestRepo,
    site: &RequestSite,
    entities: &serde_json::value::RawValue,
) -> Vec<u8> {
    let request = RequestRef {
        protocol: PROTOCOL,
        phase: "contribute",
        mode: mode.name(),
        plugin: RequestPlugin { id: spec.id.clone(), config: spec.config.clone() },
        repo,
        site,
        entities,
    };
    serde_json::to_vec(&request).expect("requests serialise")
}

fn request_entities(portal: &Portal) -> Vec<RequestEntity> {
    let refs: Vec<_> = portal.entities.iter().collect();
    refs.par_iter()
        .map(|(r, e)| RequestEntity {
            entity_ref: r.to_string(),
            kind: e.kind.clone(),
            metadata: e.json.get("metadata").cloned().unwrap_or_default(),
            spec: e.json.get("spec").cloned().unwrap_or_default(),
            relations: portal
                .relations_of(r)
                .map(|rel| RequestRelation { kind: rel.kind.to_string(), target_ref: rel.target.to_string() })
                .collect(),
            source: RequestSource { file: e.source.file.clone(), dir: e.dir.clone() },
        })
        .collect()
}

/// Runs every plugin of `specs` over `portal` (in parallel) and gathers what they add.
pub fn contribute(
    config: &Config,
    specs: &[PluginSpec],
    inventory: &Inventory,
    portal: &Portal,
    mode: Mode,
    cache: &Cache,
) -> (Contributions, Vec<Diagnostic>) {
    if specs.is_empty() {
        return (Contributions::default(), Vec::new());
    }
    let entities = request_entities(portal);
    let entities_json = serde_json::value::to_raw_value(&entities).expect("entities serialise");
    let (commit, branch) = crate::repo::head(&config.root);
    let repo = RequestRepo { root: config.root.to_string_lossy().into_owned(), commit, branch };
    let site = RequestSite { base_url: config.base_url.clone() };
    let cx = Context {
        config,
        inventory,
        entities: &entities,
        entities_json: &entities_json,
        repo: &repo,
        site: &site,
        mode,
        cache,
    };
    let outcomes: Vec<(Option<Response>, Vec<Diagnostic>)> = specs
        .par_iter()
        .map(|spec| {
            let mut diags = Vec::new();
            let response = run_one(&cx, spec, &mut diags);
            (response, diags)
        })
        .collect();
    let mut out = Contributions::default();
    let mut diagnostics = Vec::new();
    for (spec, (response, diags)) in specs.iter().zip(outcomes) {
        diagnostics.extend(diags);
        if let Some(response) = response {
            accept(spec, response, portal, &mut out, &mut diagnostics);
        }
    }
    out.pages.sort_by_key(PluginPage::url);
    out.assets.sort_by(|a, b| a.0.cmp(&b.0));
    out.search_docs.sort_by(|a, b| (&a.url, &a.title).cmp(&(&b.url, &b.title)));
    (out, diagnostics)
}

/// A diagnostic about plugin `spec` (an error or a warning by its `on_error`).
fn failure(spec: &PluginSpec, code: &'static str, message: String) -> Diagnostic {
    let severity = match spec.on_error {
        OnError::Fail => Severity::Error,
        OnError::Warn => Severity::Warning,
    };
    Diagnostic::new(severity, code, format!("plugin `{}` {message}", spec.id)).hint(match spec.on_error {
        OnError::Fail => {
            "its contributions are left out; `on_error: warn` makes this a warning, `--no-plugins` skips plugins"
        }
        OnError::Warn => "its contributions are left out",
    })
}

/// What every plugin of a build is run with.
struct Context<'a> {
    config: &'a Config,
    inventory: &'a Inventory,
    entities: &'a [RequestEntity],
    entities_json: &'a serde_json::value::RawValue,
    repo: &'a RequestRepo,
    site: &'a RequestSite,
    mode: Mode,
    cache: &'a Cache,
}

fn run_one(cx: &Context, spec: &PluginSpec, diags: &mut Vec<Diagnostic>) -> Option<Response> {
    let Context { config, inventory, entities_json, repo, site, mode, cache, .. } = *cx;
    let Some(argv) = &spec.command else {
        return run_built_in(cx, spec);
    };
    let call = |args: &[&str], input: &[u8]| {
        let mut argv = argv.clone();
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        command::run(&spec.id, &argv, &config.root, &spec.env, input, spec.timeout)
    };
    // The handshake.
    let manifest = match call(&["--portico-manifest"], b"") {
        Ok(out) => out,
        Err(e) => {
            diags.push(failure(spec, "plugin-failed", format!("(manifest: `--portico-manifest`) {e}")));
            return None;
        }
    };
    let manifest: Manifest = match serde_json::from_slice::<serde_json::Value>(&manifest) {
        // The protocol range first: a plugin of a later protocol may have a manifest this
        // Portico does not understand, and deserves the message about versions.
        Ok(value) => {
            let range = value.get("protocol").and_then(|p| Some((p.get("min")?.as_u64()?, p.get("max")?.as_u64()?)));
            if let Some((min, max)) = range
                && !(min..=max).contains(&u64::from(PROTOCOL))
            {
                diags.push(
                    failure(
                        spec,
                        "plugin-protocol",
                        format!(
                            "speaks plugin protocol {}, and this Portico speaks protocol {PROTOCOL}",
                            if min == max { min.to_string() } else { format!("{min} to {max}") }
                        ),
                    )
                    .hint("use a version of the plugin made for this Portico, or a Portico made for the plugin"),
                );
                return None;
            }
            match serde_json::from_value(value) {
                Ok(m) => m,
                Err(e) => {
                    diags.push(failure(
                        spec,
                        "plugin-invalid",
                        format!("printed a manifest that does not follow the protocol: {e}"),
                    ));
                    return None;
                }
            }
        }
        Err(e) => {
            diags.push(failure(spec, "plugin-invalid", format!("printed a manifest that is not JSON: {e}")));
            return None;
        }
    };
    if !manifest.phases.iter().any(|p| p == "contribute") {
        diags.push(Diagnostic::info(
            "plugin-skipped",
            format!(
                "plugin `{}` takes no part in the `contribute` phase (its manifest lists {:?})",
                spec.id, manifest.phases
            ),
        ));
        return None;
    }
    let input = request(spec, mode, repo, site, entities_json);
    let what = serde_json::to_vec(&manifest).unwrap_or_default();
    let key = cache_key(config, spec, &what, argv, &manifest.inputs, inventory, &input, cache);
    if let Some(response) = cache.get(&spec.id, &key) {
        return Some(response);
    }
    let out = match call(&[], &input) {
        Ok(out) => out,
        Err(e) => {
            diags.push(failure(spec, "plugin-failed", e.to_string()));
            return None;
        }
    };
    let mut de = serde_json::Deserializer::from_slice(&out);
    let parsed: Result<Response, _> = serde_path_to_error::deserialize(&mut de);
    let response = match parsed.map(|r| (r, de.end())) {
        Ok((r, Ok(()))) => r,
        Ok((_, Err(e))) => {
            diags.push(failure(spec, "plugin-invalid", format!("printed a response that is not JSON: {e}")));
            return None;
        }
        Err(e) if e.inner().is_syntax() || e.inner().is_eof() => {
            diags.push(failure(spec, "plugin-invalid", format!("printed a response that is not JSON: {}", e.inner())));
            return None;
        }
        Err(e) => {
            let at = e.path().to_string();
            diags.push(failure(
                spec,
                "plugin-invalid",
                format!(
                    "printed a response that does not follow protocol {PROTOCOL}{}: {}",
                    if at == "." { String::new() } else { format!(" at `{at}`") },
                    e.inner()
                ),
            ));
            return None;
        }
    };
    if response.protocol != PROTOCOL {
        diags.push(failure(
            spec,
            "plugin-protocol",
            format!("answered with protocol {}, and this Portico speaks protocol {PROTOCOL}", response.protocol),
        ));
        return None;
    }
    cache.put(&spec.id, key, response.clone());
    Some(response)
}

/// Runs the built-in plugin `spec` names (through the same cache as command plugins).
fn run_built_in(cx: &Context, spec: &PluginSpec) -> Option<Response> {
    let Context { config, inventory, entities, entities_json, repo, site, mode, cache } = *cx;
    let built_in = super::builtin::get(&spec.id)?;
    let input = request(spec, mode, repo, site, entities_json);
    let what = format!("built-in {} {}", built_in.id, built_in.version);
    let mut inputs: Vec<String> = built_in.inputs.iter().map(|s| (*s).to_owned()).collect();
    // A file a built-in plugin is configured to read (`codeowners`' `file`) is an input too.
    if let Some(file) = spec.config.get("file").and_then(serde_json::Value::as_str) {
        inputs.push(file.to_owned());
    }
    let key = cache_key(config, spec, what.as_bytes(), &[], &inputs, inventory, &input, cache);
    if let Some(response) = cache.get(&spec.id, &key) {
        return Some(response);
    }
    let response = (built_in.run)(&super::builtin::Input {
        root: &config.root,
        config: &spec.config,
        entities,
        mode,
        commit: repo.commit.as_deref(),
    });
    cache.put(&spec.id, key, response.clone());
    Some(response)
}

/// Everything a plugin's response depends on.
#[allow(clippy::too_many_arguments)]
fn cache_key(
    config: &Config,
    spec: &PluginSpec,
    what: &[u8],
    argv: &[String],
    inputs: &[String],
    inventory: &Inventory,
    request: &[u8],
    cache: &Cache,
) -> Key {
    let mut h = KeyHasher::default();
    h.add(&PROTOCOL.to_le_bytes());
    h.add(what);
    for arg in argv {
        h.add(arg.as_bytes());
    }
    h.add(&serde_json::to_vec(&spec.config).unwrap_or_default());
    h.add(&spec.timeout.as_secs().to_le_bytes());
    for name in &spec.env {
        h.add(name.as_bytes());
        h.add(std::env::var_os(name).unwrap_or_default().as_encoded_bytes());
    }
    h.add(request);
    // The command's own files (a script given by path) and the declared inputs.
    let mut files = Vec::new();
    for arg in argv.iter().filter(|a| !a.starts_with('-')) {
        if let Ok(rel) = crate::paths::resolve_inside(&config.root, "", arg)
            && !rel.is_empty()
            && config.root.join(&rel).is_file()
        {
            files.push(rel);
        }
    }
    let globs = (!inputs.is_empty()).then(|| {
        let mut globs = globset::GlobSetBuilder::new();
        for g in inputs {
            if let Ok(glob) = globset::Glob::new(g.trim_start_matches("./")) {
                globs.add(glob);
            }
        }
        globs.build().ok()
    });
    if let Some(Some(globs)) = &globs {
        for file in inventory.files.iter().filter(|f| globs.is_match(f.as_str())) {
            h.add(file.as_bytes());
            h.add(&std::fs::read(config.root.join(file)).unwrap_or_default());
        }
    }
    // Inputs without glob characters are read as named: hidden files (`.mailmap`,
    // `.github/CODEOWNERS`) are not in the inventory.
    for literal in inputs.iter().filter(|g| !g.contains(['*', '?', '[', '{'])) {
        if let Ok(rel) = crate::paths::resolve_inside(&config.root, "", literal)
            && !rel.is_empty()
            && inventory.files.binary_search(&rel).is_err()
            && let Ok(bytes) = std::fs::read(config.root.join(&rel))
        {
            h.add(rel.as_bytes());
            h.add(&bytes);
        }
    }
    for rel in &files {
        h.add(rel.as_bytes());
        h.add(&std::fs::read(config.root.join(rel)).unwrap_or_default());
    }
    cache.reads.lock().expect("plugin cache lock").insert(spec.id.clone(), (files, globs.flatten()));
    h.finish()
}

/// The entity `written` names in `portal` (`x` is `component:default/x`).
fn entity_of(portal: &Portal, written: &str) -> Option<EntityRef> {
    let r = EntityRef::parse(written, Some("component"), crate::catalog::entity_ref::DEFAULT_NAMESPACE).ok()?;
    portal.entities.contains_key(&r).then_some(r)
}

/// Whether `path` is a safe relative path of lower-case segments (`""` allowed when `empty`).
fn valid_path(path: &str, empty: bool, file: bool) -> bool {
    if path.is_empty() {
        return empty;
    }
    path.len() <= 200
        && path.split('/').all(|s| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b) || (file && b == b'.'))
                && (file || s.bytes().all(|b| !b.is_ascii_uppercase()))
        })
}

/// Checks `response` of `spec` and adds it to `out`.
fn accept(
    spec: &PluginSpec,
    response: Response,
    portal: &Portal,
    out: &mut Contributions,
    diags: &mut Vec<Diagnostic>,
) {
    let id = &spec.id;
    let mut dropped: Vec<String> = Vec::new();
    let mut left_out = |what: String| dropped.push(what);
    for d in response.diagnostics {
        let severity = match d.level {
            DiagnosticLevel::Error => Severity::Error,
            DiagnosticLevel::Warning => Severity::Warning,
            DiagnosticLevel::Info => Severity::Info,
        };
        let code = if valid_id(&d.code) { crate::cache::disk::intern(d.code) } else { "plugin-diagnostic" };
        let mut diag = Diagnostic::new(severity, code, format!("{id}: {}", d.message));
        let entity = d.entity.as_deref().and_then(|e| entity_of(portal, e)).and_then(|r| portal.entities.get(&r));
        if let Some(file) = d.file.as_deref().and_then(|f| crate::paths::resolve_lexically("", f).ok()) {
            let pos = d.line.map(|line| Pos::new(line, d.column.unwrap_or(1)));
            diag = diag.at(&file, pos);
        } else if let Some(e) = entity {
            diag = diag.at(&e.source.file, None);
        }
        diags.push(diag);
    }
    for fact in response.facts {
        match entity_of(portal, &fact.entity) {
            Some(r) => {
                out.facts.entry(r.to_string()).or_default().entry(id.clone()).or_default().extend(fact.values);
            }
            None => left_out(format!("facts of `{}`, which is not in the catalog", fact.entity)),
        }
    }
    let mut tabs: Vec<(EntityRef, Panel)> = Vec::new();
    let mut cards: Vec<(EntityRef, Panel)> = Vec::new();
    for contribution in response.contributions {
        match contribution {
            Contribution::EntityTab { entity, id: tab, title, blocks: b } => {
                if let Some(panel) = panel(portal, id, "tab", &entity, tab, title, &b, &mut left_out) {
                    tabs.push(panel);
                }
            }
            Contribution::EntityCard { entity, id: card, title, blocks: b } => {
                if let Some(panel) = panel(portal, id, "card", &entity, card, title, &b, &mut left_out) {
                    cards.push(panel);
                }
            }
            Contribution::Page { path, title, blocks: b } => {
                if !valid_path(&path, true, false) {
                    left_out(format!("page `{path}` (a path is lower-case segments separated by `/`)"));
                    continue;
                }
                out.pages.push(PluginPage {
                    plugin: id.clone(),
                    path,
                    title,
                    blocks: b.iter().map(blocks::prepare).collect(),
                });
            }
            Contribution::Asset { path, text, base64 } => {
                let content = match (text, base64) {
                    (Some(t), None) => t.into_bytes(),
                    (None, Some(b)) => match base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b) {
                        Ok(bytes) => bytes,
                        Err(e) => {
                            left_out(format!("asset `{path}` (invalid base64: {e})"));
                            continue;
                        }
                    },
                    _ => {
                        left_out(format!("asset `{path}` (give `text` or `base64`)"));
                        continue;
                    }
                };
                if !valid_path(&path, false, true) {
                    left_out(format!("asset `{path}` (a path is relative, without `..`)"));
                    continue;
                }
                out.assets.push((format!("plugins/{id}/{path}"), content));
            }
            Contribution::SearchDoc { title, url, text, entity } => {
                if !crate::urls::is_safe(&url) {
                    left_out(format!("search document `{title}` (its URL `{url}` is not allowed)"));
                    continue;
                }
                let entity = entity.as_deref().and_then(|e| entity_of(portal, e));
                out.search_docs.push(SearchDoc { plugin: id.clone(), title, url, text, entity });
            }
        }
    }
    for what in dropped {
        diags.push(
            Diagnostic::warning("plugin-contribution", format!("plugin `{id}`: {what}: left out"))
                .hint("see the plugin protocol in the README"),
        );
    }
    for (what, panels, into) in [("tab", tabs, &mut out.tabs), ("card", cards, &mut out.cards)] {
        for (r, panel) in panels {
            let list = into.entry(r.clone()).or_default();
            let reserved = what == "tab" && super::RESERVED_TABS.contains(&panel.id.as_str());
            if reserved || list.iter().any(|t| t.id == panel.id) {
                diags.push(Diagnostic::warning(
                    "plugin-contribution",
                    format!(
                        "plugin `{id}`: {what} `{}` of `{r}` is taken (by Portico or another plugin): left out",
                        panel.id
                    ),
                ));
                continue;
            }
            list.push(panel);
        }
    }
}

/// A tab or card for the entity `entity` names, when it is in the catalog and `id` is valid.
#[allow(clippy::too_many_arguments)]
fn panel(
    portal: &Portal,
    plugin: &str,
    what: &str,
    entity: &str,
    id: String,
    title: String,
    b: &[super::protocol::Block],
    left_out: &mut dyn FnMut(String),
) -> Option<(EntityRef, Panel)> {
    let Some(r) = entity_of(portal, entity) else {
        left_out(format!("{what} `{id}` of `{entity}`, which is not in the catalog"));
        return None;
    };
    if !valid_id(&id) {
        left_out(format!("{what} `{id}` of `{entity}` (an id is lower-case letters, digits and `-`)"));
        return None;
    }
    Some((r, Panel { plugin: plugin.to_owned(), id, title, blocks: b.iter().map(blocks::prepare).collect() }))
}
