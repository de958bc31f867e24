//! Stage 2, parse: catalog files -> validated entities.
//!
//! Input: the [`Config`] and the [`Inventory`]. Output: [`Parsed`], every entity of every
//! catalog file reached, sorted by file and document, split into the valid ones and those left
//! out with an error. Files are read in parallel waves: the walked catalog files, the
//! `catalog.locations` of portico.yaml (or, without them, of Backstage's app-config files) first,
//! then every file a `Location` entity of the previous wave names (`target`/`targets`, globs
//! included, relative to the Location's file), until no new file turns up. A file reached twice
//! is read once, so Location cycles end by themselves. Files reached through app-config admit
//! only the kinds its `catalog.rules` allow. Walked scaffolder skeletons are skipped with a
//! note (see [`crate::catalog::skeleton`]).

mod targets;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use rayon::prelude::*;

use crate::cache::{BuildCache, Key};
use crate::catalog::appconfig::{self, Admission, LocationSpec};
use crate::catalog::validate::{DocContext, entity_from_document};
use crate::catalog::{Entity, LocationTarget, skeleton};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::discover::Inventory;
use crate::yaml;
use targets::{TargetSource, resolve_target};

/// The entities of the catalog, before references are resolved.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Valid entities, sorted by source file and document.
    pub entities: Vec<Arc<Entity>>,
    /// Entities left out because of an error in their own document (listed on the problems
    /// page), sorted like `entities`.
    pub rejected: Vec<Arc<Entity>>,
    /// Catalog files read, sorted.
    pub files: Vec<String>,
    /// Walked files skipped as scaffolder skeletons.
    pub skeletons: usize,
    /// The app-config files whose registrations were read.
    pub app_config_files: Vec<String>,
    /// TechDocs of the entities, rendered.
    pub docs: crate::docs::Docs,
}

/// A file to read and how it was reached.
struct Pending {
    file: String,
    /// The root-level file or location entry the chain started from.
    origin: String,
    /// Named by a Location or `catalog.locations` (not merely found by walking).
    explicit: bool,
    /// For files reached through app-config: the rules deciding which kinds they may bring.
    admission: Option<Arc<Admission>>,
}

impl Pending {
    /// A file named by a Location entity of this file.
    fn next(&self, config: &Config, file: String) -> Pending {
        let admission = self.admission.as_ref().map(|a| {
            let location = LocationSpec { kind: "file".into(), target: absolute(config, &file) };
            Arc::new(Admission { global: a.global.clone(), sources: vec![(location, Arc::default())] })
        });
        Pending { file, origin: self.origin.clone(), explicit: true, admission }
    }
}

fn absolute(config: &Config, rel: &str) -> String {
    config.root.join(rel).to_string_lossy().into_owned()
}

/// What reading one file produced.
#[derive(Default)]
struct FileResult {
    /// Valid and invalid entities (see [`Entity::valid`]).
    entities: Vec<Arc<Entity>>,
    next: Vec<String>,
    diags: Vec<Diagnostic>,
}

/// Reads every catalog file reachable from the inventory and the configured locations.
pub fn parse(config: &Config, inventory: &Inventory, diags: &mut Vec<Diagnostic>) -> Parsed {
    parse_cached(config, inventory, None, diags)
}

/// The first wave: walked catalog files, then the locations of portico.yaml or app-config.
fn first_wave(
    config: &Config,
    inventory: &Inventory,
    parsed: &mut Parsed,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Pending> {
    let mut wave: Vec<Pending> = inventory
        .catalog_files
        .iter()
        .map(|f| Pending { file: f.clone(), origin: f.clone(), explicit: false, admission: None })
        .collect();
    let config_file = config
        .config_file
        .as_ref()
        .and_then(|p| crate::discover::relative(&config.root, p))
        .unwrap_or_else(|| crate::config::CONFIG_FILE.to_owned());
    for location in &config.locations {
        let target = LocationTarget { target: location.value.clone(), pos: location.pos, optional: false };
        let mut found = Vec::new();
        let from = TargetSource {
            file: &config_file,
            base_dir: "",
            location_type: None,
            missing_hint: targets::HINT_PORTICO_YAML,
        };
        resolve_target(config, inventory, &from, &target, &mut found, diags);
        wave.extend(found.into_iter().map(|f| Pending { origin: f.clone(), file: f, explicit: true, admission: None }));
    }
    let Some(app) = appconfig::load(config, diags) else { return wave };
    parsed.app_config_files = app.files.clone();
    for location in &app.locations {
        let target = LocationTarget { target: location.target.clone(), pos: location.pos, optional: false };
        let mut found = Vec::new();
        let from = TargetSource {
            file: &location.file,
            base_dir: &app.working_dir,
            location_type: Some(&location.kind),
            missing_hint: targets::HINT_APP_CONFIG,
        };
        resolve_target(config, inventory, &from, &target, &mut found, diags);
        // As Backstage's rules see it: a file target by its absolute path, a URL as written.
        let spec = match location.kind.as_str() {
            "file" => LocationSpec {
                kind: "file".into(),
                target: crate::paths::resolve_lexically(&app.working_dir, &location.target)
                    .map(|rel| absolute(config, &rel))
                    .unwrap_or_else(|_| location.target.clone()),
            },
            other => LocationSpec { kind: other.to_owned(), target: location.target.clone() },
        };
        let admission =
            Arc::new(Admission { global: app.rules.clone(), sources: vec![(spec, Arc::new(location.rules.clone()))] });
        wave.extend(found.into_iter().map(|f| Pending {
            origin: f.clone(),
            file: f,
            explicit: true,
            admission: Some(admission.clone()),
        }));
    }
    wave
}

/// [`parse`], reusing the results of unchanged files from `cache` (for `serve`).
pub fn parse_cached(
    config: &Config,
    inventory: &Inventory,
    cache: Option<&BuildCache>,
    diags: &mut Vec<Diagnostic>,
) -> Parsed {
    let inventory_key = cache.map(|_| {
        let joined = inventory.files.join("\n");
        crate::cache::key(&[joined.as_bytes()])
    });
    let mut parsed = Parsed::default();
    let mut wave = first_wave(config, inventory, &mut parsed, diags);

    let mut seen: HashSet<String> = HashSet::new();
    let mut read: Vec<(String, bool, FileResult)> = Vec::new();
    let budget = AtomicU64::new(config.limits.placeholder_total);
    while !wave.is_empty() {
        // Explicit references win over walked ones, so a named skeleton-looking file is still
        // read; among explicit ones, those with app-config rules give way to unrestricted ones.
        wave.sort_by(|a, b| {
            a.file
                .cmp(&b.file)
                .then(b.explicit.cmp(&a.explicit))
                .then(a.admission.is_some().cmp(&b.admission.is_some()))
        });
        merge_admissions(&mut wave);
        wave.retain(|p| seen.insert(p.file.clone()));
        let results: Vec<FileResult> = wave
            .par_iter()
            .map(|p| match (cache, inventory_key) {
                (Some(cache), Some(inv)) => read_file_cached(config, inventory, p, cache, inv, &budget),
                _ => read_file(config, inventory, p, &budget),
            })
            .collect();
        let mut next = Vec::new();
        for (pending, r) in wave.iter().zip(results) {
            next.extend(r.next.iter().map(|f| pending.next(config, f.clone())));
            read.push((pending.file.clone(), pending.explicit, r));
        }
        wave = next;
    }

    // Walked files under a Template's skeleton directory are not entities.
    let skeleton_dirs = skeleton_dirs(&read);
    for (file, explicit, result) in read {
        let under =
            (!explicit).then(|| skeleton_dirs.iter().find(|(dir, _)| file.starts_with(&format!("{dir}/")))).flatten();
        if let Some((dir, template)) = under {
            parsed.skeletons += 1;
            diags.push(
                Diagnostic::info(
                    "skipped-skeleton",
                    format!("skipped: a file of the skeleton `{dir}` of {template}, not an entity"),
                )
                .at(&file, None)
                .hint("files of a template's skeleton become entities only once the template runs"),
            );
            continue;
        }
        if result.diags.iter().any(|d| d.code == "skipped-skeleton") {
            parsed.skeletons += 1;
        }
        parsed.files.push(file);
        diags.extend(result.diags);
        for e in result.entities {
            if e.valid { parsed.entities.push(e) } else { parsed.rejected.push(e) }
        }
    }
    parsed.files.sort_unstable();
    parsed.entities.sort_by(|a, b| a.source.cmp(&b.source));
    dedupe(&mut parsed, diags);
    parsed.rejected.sort_by(|a, b| a.source.cmp(&b.source));
    parsed
}

/// Leaves out later definitions of an entity reference (compared case-insensitively): the
/// first one, in file order, wins and the others are errors, as Backstage keeps the first.
pub fn dedupe(parsed: &mut Parsed, diags: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<crate::catalog::EntityRef, Arc<Entity>> = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(parsed.entities.len());
    for entity in std::mem::take(&mut parsed.entities) {
        match first.get(&entity.entity_ref) {
            Some(winner) => {
                diags.push(
                    Diagnostic::error(
                        "duplicate-entity",
                        format!(
                            "duplicate entity {}: already defined in {}:{}:{}; this definition is left out",
                            entity.entity_ref,
                            winner.source.file,
                            winner.source.name_pos.line,
                            winner.source.name_pos.column
                        ),
                    )
                    .at(&entity.source.file, Some(entity.source.name_pos))
                    .hint("entity references are compared case-insensitively; rename or remove one of them"),
                );
                parsed.rejected.push(entity);
            }
            None => {
                first.insert(entity.entity_ref.clone(), entity.clone());
                kept.push(entity);
            }
        }
    }
    parsed.entities = kept;
}

/// A file reached several times in one wave is read once, as its first (sorted) entry: that
/// entry may bring what any of them allows (when one is unrestricted, nothing is restricted).
fn merge_admissions(wave: &mut [Pending]) {
    let mut start = 0;
    while start < wave.len() {
        let end = start + wave[start..].iter().take_while(|p| p.file == wave[start].file).count();
        let merged = wave[start..end].iter().map(|p| p.admission.clone()).reduce(|a, b| match (a, b) {
            (Some(a), Some(b)) => Some(Arc::new(a.union(&b))),
            _ => None,
        });
        if let Some(merged) = merged {
            wave[start].admission = merged;
        }
        start = end;
    }
}

/// Directories that Templates fetch as skeletons (root-relative), with the Template's reference.
fn skeleton_dirs(read: &[(String, bool, FileResult)]) -> Vec<(String, String)> {
    let mut dirs: Vec<(String, String)> = read
        .iter()
        .flat_map(|(_, _, r)| r.entities.iter())
        .filter(|e| e.kind == "Template")
        .flat_map(|e| {
            skeleton::template_skeleton_urls(e.spec()).into_iter().filter_map(|url| {
                let dir = crate::paths::resolve_lexically(&e.dir, &url).ok().filter(|d| !d.is_empty())?;
                // The template's own directory is never a skeleton of itself.
                (dir != e.dir).then(|| (dir, e.entity_ref.to_string()))
            })
        })
        .collect();
    dirs.sort();
    dirs.dedup_by(|a, b| a.0 == b.0);
    dirs
}

/// [`read_file`] through the cache: reused when the text, the way the file was reached, the
/// placeholder files and (for Location files) the inventory are unchanged.
fn read_file_cached(
    config: &Config,
    inventory: &Inventory,
    pending: &Pending,
    cache: &BuildCache,
    inv: Key,
    budget: &AtomicU64,
) -> FileResult {
    let text = crate::input::read(&config.root.join(&pending.file), config.limits.file).unwrap_or_default();
    let explicit: &[u8] = if pending.explicit { b"1" } else { b"0" };
    let admission = format!("{:?}", pending.admission);
    let key = crate::cache::key(&[&text, pending.origin.as_bytes(), explicit, admission.as_bytes()]);
    let slot = (pending.file.clone(), pending.origin.clone());
    if let Some(hit) = cache.catalog.lock().expect("cache lock").get(&slot) {
        let fresh = hit.key == key
            && hit.inventory.is_none_or(|k| k == inv)
            && hit.reads.iter().all(|(f, k)| BuildCache::file_key(&config.root, f) == *k);
        if fresh {
            return FileResult { entities: hit.entities.clone(), next: hit.next.clone(), diags: hit.diags.clone() };
        }
    }
    let result = read_file(config, inventory, pending, budget);
    let reads = result
        .entities
        .iter()
        .flat_map(|e| e.reads.iter())
        .map(|f| (f.clone(), BuildCache::file_key(&config.root, f)))
        .collect();
    // Results that depend on files that may appear later are not cached.
    if result.diags.iter().any(|d| d.code.starts_with("placeholder-") || d.code == "unreadable-file") {
        return result;
    }
    let has_location = result.entities.iter().any(|e| !e.targets.is_empty());
    let entry = crate::cache::CatalogFile {
        key,
        reads,
        inventory: has_location.then_some(inv),
        entities: result.entities.clone(),
        next: result.next.clone(),
        diags: result.diags.clone(),
    };
    cache.catalog.lock().expect("cache lock").insert(slot, entry);
    result
}

fn read_file(config: &Config, inventory: &Inventory, pending: &Pending, budget: &AtomicU64) -> FileResult {
    let mut out = FileResult::default();
    let file = pending.file.as_str();
    let text = match crate::input::read_to_string(&config.root.join(file), config.limits.file) {
        Ok(t) => t,
        Err(e) => {
            out.diags
                .push(Diagnostic::error("unreadable-file", format!("cannot read catalog file: {e}")).at(file, None));
            return out;
        }
    };
    let (docs, errors) = yaml::parse_documents(&text);
    if !pending.explicit
        && !errors.is_empty()
        && let Some(found) = skeleton::syntax_in(&text)
    {
        // Template syntax often is not even valid YAML (`name: {{ values.name }}`).
        out.diags.push(skipped_skeleton(file, None, format!("holds template syntax `{found}` and is not valid YAML")));
        return out;
    }
    for err in errors {
        let mut d = Diagnostic::error("invalid-yaml", format!("invalid YAML: {}", err.message)).at(file, err.pos);
        d.hint = err.hint;
        out.diags.push(d);
    }
    let ctx = DocContext {
        root: &config.root,
        file,
        origin: &pending.origin,
        custom_kinds: &config.custom_kinds,
        repository: Some(&config.repository),
        placeholder_limit: config.limits.data_file,
        placeholder_budget: Some(budget),
    };
    for doc in docs {
        let is_template = doc.root.get("kind").and_then(yaml::Node::as_str) == Some("Template");
        if !pending.explicit
            && !is_template
            && let Some((field, found)) = skeleton::syntax_in_node(&doc.root)
        {
            let reason = format!("`{field}` holds template syntax `{found}`");
            out.diags.push(skipped_skeleton(file, Some(doc.root.pos), reason));
            continue;
        }
        let before = out.diags.len();
        let Some(mut entity) = entity_from_document(doc, &ctx, &mut out.diags) else {
            continue;
        };
        if !config.allows_kind(&entity.kind) {
            out.diags.push(
                Diagnostic::error(
                    "kind-not-allowed",
                    format!("kind `{}` is not allowed: entity {} is left out", entity.kind, entity.entity_ref),
                )
                .at(file, Some(entity.source.kind_pos))
                .hint("add the kind to `catalog.kinds` in portico.yaml, or remove the entity"),
            );
        }
        if let Some(admission) = &pending.admission
            && !admission.allows(&entity.kind, entity.spec_str("type"))
        {
            out.diags.push(
                Diagnostic::error(
                    "kind-not-allowed",
                    format!(
                        "kind `{}` is not allowed from this location by the app-config `catalog.rules`: entity {} is left out",
                        entity.kind, entity.entity_ref
                    ),
                )
                .at(file, Some(entity.source.kind_pos))
                .hint(format!(
                    "allowed here: {}; add the kind to `catalog.rules` (or to the `rules` of this file's entry in `catalog.locations`) of app-config",
                    admission.allowed_kinds().join(", ")
                )),
            );
        }
        entity.valid = !out.diags[before..].iter().any(|d| d.severity == Severity::Error);
        if entity.valid {
            for target in &entity.targets {
                let mut found = Vec::new();
                let from = TargetSource {
                    file,
                    base_dir: crate::paths::parent_dir(file),
                    location_type: entity.spec_str("type"),
                    missing_hint: targets::HINT_OPTIONAL,
                };
                resolve_target(config, inventory, &from, target, &mut found, &mut out.diags);
                out.next.extend(found);
            }
        }
        out.entities.push(Arc::new(entity));
    }
    out
}

fn skipped_skeleton(file: &str, pos: Option<crate::diagnostics::Pos>, reason: String) -> Diagnostic {
    Diagnostic::info("skipped-skeleton", format!("skipped: {reason}; a template skeleton, not an entity"))
        .at(file, pos)
        .hint("files of a template's skeleton become entities only once the template runs")
}
