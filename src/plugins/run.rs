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

use super::accept::accept;
use super::protocol::{
    Manifest, PROTOCOL, RequestEntity, RequestPlugin, RequestRelation, RequestRepo, RequestSite, RequestSource,
    Response,
};
use super::{Contributions, Mode, OnError, PluginPage, PluginSpec, command};
use crate::cache::{Key, KeyHasher};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::discover::Inventory;
use crate::resolve::Portal;

/// Ids of the built-in plugins.
pub const BUILT_IN: &[&str] = &["codeowners", "git-history"];

/// Responses of earlier runs by plugin id, with their keys (`serve` keeps one for its life).
#[derive(Default)]
pub struct Cache {
    responses: Mutex<HashMap<String, (Key, Response)>>,
    /// Manifests by plugin id, with the key of the command that printed them.
    manifests: Mutex<HashMap<String, (Key, Manifest)>>,
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

fn request_entity(e: &crate::catalog::Entity, relations: Vec<RequestRelation>) -> RequestEntity {
    RequestEntity {
        entity_ref: e.entity_ref.to_string(),
        kind: e.kind.clone(),
        metadata: e.json.get("metadata").cloned().unwrap_or_default(),
        spec: e.json.get("spec").cloned().unwrap_or_default(),
        relations,
        source: RequestSource { file: e.source.file.clone(), dir: e.dir.clone() },
    }
}

fn request_entities(portal: &Portal) -> Vec<RequestEntity> {
    let refs: Vec<_> = portal.entities.iter().collect();
    refs.par_iter()
        .map(|(r, e)| {
            let relations = portal
                .relations_of(r)
                .map(|rel| RequestRelation { kind: rel.kind.to_string(), target_ref: rel.target.to_string() })
                .collect();
            request_entity(e, relations)
        })
        .collect()
}

/// What the built-in plugins answered, by plugin id, run before the catalog's relations are
/// known ([`run_built_ins`]).
pub type Early = HashMap<String, Option<Response>>;

/// Runs the built-in plugins of `specs` over the parsed `entities`, in parallel. Built-in plugins
/// read no relations: they get the request with `relations` empty and so run beside the `docs`
/// and `resolve` stages.
pub fn run_built_ins(
    config: &Config,
    specs: &[PluginSpec],
    inventory: &Inventory,
    entities: &[std::sync::Arc<crate::catalog::Entity>],
    mode: Mode,
    cache: &Cache,
) -> Early {
    let built_ins: Vec<&PluginSpec> = specs.iter().filter(|s| s.command.is_none()).collect();
    if built_ins.is_empty() {
        return Early::new();
    }
    let mut sorted: Vec<&std::sync::Arc<crate::catalog::Entity>> = entities.iter().collect();
    sorted.sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    let shared = Shared::new(config, sorted.par_iter().map(|e| request_entity(e, Vec::new())).collect());
    let cx = shared.context(config, inventory, mode, cache);
    built_ins.par_iter().map(|spec| (spec.id.clone(), run_built_in(&cx, spec))).collect()
}

/// What the requests of one build share, made once.
struct Shared {
    entities: Vec<RequestEntity>,
    entities_json: Box<serde_json::value::RawValue>,
    repo: RequestRepo,
    site: RequestSite,
}

impl Shared {
    fn new(config: &Config, entities: Vec<RequestEntity>) -> Shared {
        let entities_json = serde_json::value::to_raw_value(&entities).expect("entities serialise");
        let (commit, branch) = crate::repo::head(&config.root);
        let repo = RequestRepo { root: config.root.to_string_lossy().into_owned(), commit, branch };
        Shared { entities, entities_json, repo, site: RequestSite { base_url: config.base_url.clone() } }
    }

    fn context<'a>(
        &'a self,
        config: &'a Config,
        inventory: &'a Inventory,
        mode: Mode,
        cache: &'a Cache,
    ) -> Context<'a> {
        Context {
            config,
            inventory,
            entities: &self.entities,
            entities_json: &self.entities_json,
            repo: &self.repo,
            site: &self.site,
            mode,
            cache,
        }
    }
}

/// Runs the command plugins of `specs` over `portal` (in parallel) and gathers what they and the
/// built-in ones (`early`) add, in the order of `specs`.
#[allow(clippy::too_many_arguments)]
pub fn contribute(
    config: &Config,
    specs: &[PluginSpec],
    inventory: &Inventory,
    portal: &Portal,
    mode: Mode,
    cache: &Cache,
    mut early: Early,
) -> (Contributions, Vec<Diagnostic>) {
    if specs.is_empty() {
        return (Contributions::default(), Vec::new());
    }
    // The plugins still to run: command plugins (and built-in ones not run early), which read
    // the request made here (with relations).
    let late = |s: &PluginSpec| s.command.is_some() || !early.contains_key(&s.id);
    let shared = Shared::new(config, if specs.iter().any(late) { request_entities(portal) } else { Vec::new() });
    let cx = shared.context(config, inventory, mode, cache);
    let outcomes: Vec<Option<(Option<Response>, Vec<Diagnostic>)>> = specs
        .par_iter()
        .map(|spec| {
            late(spec).then(|| {
                let mut diags = Vec::new();
                let response = run_one(&cx, spec, &mut diags);
                (response, diags)
            })
        })
        .collect();
    let mut out = Contributions::default();
    let mut diagnostics = Vec::new();
    for (spec, outcome) in specs.iter().zip(outcomes) {
        let (response, diags) = outcome.unwrap_or_else(|| (early.remove(&spec.id).flatten(), Vec::new()));
        diagnostics.extend(diags);
        if let Some(response) = response {
            accept(spec, response, portal, &mut out, &mut diagnostics);
        }
    }
    // Stable sorts: of two pages or assets at one path, the first plugin's stays.
    out.pages.sort_by_key(PluginPage::url);
    out.assets.sort_by(|a, b| a.0.cmp(&b.0));
    let taken = |what: &str, path: &str| {
        Diagnostic::warning(
            "plugin-contribution",
            format!("two {what}s of plugins are at `{path}`: the second is left out"),
        )
    };
    out.pages.dedup_by(|b, a| {
        let same = a.url() == b.url();
        if same {
            diagnostics.push(taken("page", &b.url()));
        }
        same
    });
    out.assets.dedup_by(|b, a| {
        let same = a.0 == b.0;
        if same {
            diagnostics.push(taken("asset", &b.0));
        }
        same
    });
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
    // The handshake, again only when the command or its script changed.
    let (command_key, files) = command_key(config, spec, argv);
    let known = cache
        .manifests
        .lock()
        .expect("plugin cache lock")
        .get(&spec.id)
        .filter(|(k, _)| *k == command_key)
        .map(|(_, m)| m.clone());
    let manifest = match known {
        Some(m) => m,
        None => {
            let m = handshake(spec, &call, diags)?;
            cache.manifests.lock().expect("plugin cache lock").insert(spec.id.clone(), (command_key, m.clone()));
            m
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
    let what = [command_key.as_bytes().as_slice(), &serde_json::to_vec(&manifest).unwrap_or_default()].concat();
    let key = cache_key(config, spec, &what, files, &manifest.inputs, inventory, &input, cache);
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

/// `COMMAND --portico-manifest`, checked: `None` (with a diagnostic) when it fails, is not a
/// manifest or speaks another protocol.
fn handshake(
    spec: &PluginSpec,
    call: &dyn Fn(&[&str], &[u8]) -> Result<Vec<u8>, command::Failure>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Manifest> {
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
    Some(manifest)
}

/// Runs the built-in plugin `spec` names (through the same cache as command plugins).
fn run_built_in(cx: &Context, spec: &PluginSpec) -> Option<Response> {
    let Context { config, inventory, entities, entities_json, repo, site, mode, cache } = *cx;
    let built_in = super::builtin::get(&spec.id)?;
    let input = request(spec, mode, repo, site, entities_json);
    let what = format!("built-in {} {}", built_in.id, built_in.version).into_bytes();
    let mut inputs: Vec<String> = built_in.inputs.iter().map(|s| (*s).to_owned()).collect();
    // A file a built-in plugin is configured to read (`codeowners`' `file`) is an input too.
    if let Some(file) = spec.config.get("file").and_then(serde_json::Value::as_str) {
        inputs.push(file.to_owned());
    }
    let key = cache_key(config, spec, &what, Vec::new(), &inputs, inventory, &input, cache);
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

/// The key of a command plugin's command: its argv, the environment it is given and the
/// content of the files of the root the argv names (a script given by path), with those files.
fn command_key(config: &Config, spec: &PluginSpec, argv: &[String]) -> (Key, Vec<String>) {
    let files: Vec<String> = argv
        .iter()
        .filter(|a| !a.starts_with('-'))
        .filter_map(|arg| crate::paths::resolve_inside(&config.root, "", arg).ok())
        .filter(|rel| !rel.is_empty() && config.root.join(rel).is_file())
        .collect();
    let mut h = KeyHasher::default();
    for arg in argv {
        h.add(arg.as_bytes());
    }
    for name in &spec.env {
        h.add(name.as_bytes());
        h.add(std::env::var_os(name).unwrap_or_default().as_encoded_bytes());
    }
    for rel in &files {
        h.add(rel.as_bytes());
        h.add(&std::fs::read(config.root.join(rel)).unwrap_or_default());
    }
    (h.finish(), files)
}

/// Everything a plugin's response depends on: `what` the plugin is (a command plugin's command
/// key and manifest, a built-in's id and version), its config, the request and the content of
/// its `inputs`. Records the files it reads (its script `files` and `inputs`) for `serve`.
#[allow(clippy::too_many_arguments)]
fn cache_key(
    config: &Config,
    spec: &PluginSpec,
    what: &[u8],
    files: Vec<String>,
    inputs: &[String],
    inventory: &Inventory,
    request: &[u8],
    cache: &Cache,
) -> Key {
    let mut h = KeyHasher::default();
    h.add(&PROTOCOL.to_le_bytes());
    h.add(what);
    h.add(&serde_json::to_vec(&spec.config).unwrap_or_default());
    h.add(&spec.timeout.as_secs().to_le_bytes());
    h.add(request);
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
    cache.reads.lock().expect("plugin cache lock").insert(spec.id.clone(), (files, globs.flatten()));
    h.finish()
}
