//! Stage 2, parse: catalog files -> validated entities.
//!
//! Input: the [`Config`] and the [`Inventory`]. Output: [`Parsed`], every entity of every
//! catalog file reached, sorted by file and document. Files are read in parallel waves: the
//! walked catalog files and `catalog.locations` first, then every file a `Location` entity of the
//! previous wave names (`target`/`targets`, globs included, relative to the Location's file), until
//! no new file turns up. A file reached twice is read once, so Location cycles end by themselves.
//! Walked files that contain template expressions (`${{ ... }}`, `{{ cookiecutter.x }}`) are
//! skeletons, not entities: they are skipped with a note.

use std::collections::HashSet;

use globset::GlobBuilder;
use rayon::prelude::*;

use crate::cache::{BuildCache, Key};
use crate::catalog::validate::{DocContext, entity_from_document};
use crate::catalog::{Entity, LocationTarget};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::discover::Inventory;
use crate::paths::{self, PathError};
use crate::yaml;

/// The entities of the catalog, before references are resolved.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Sorted by source file and document.
    pub entities: Vec<std::sync::Arc<Entity>>,
    /// Catalog files read, sorted.
    pub files: Vec<String>,
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
}

/// What reading one file produced.
#[derive(Default)]
struct FileResult {
    entities: Vec<std::sync::Arc<Entity>>,
    next: Vec<Pending>,
    diags: Vec<Diagnostic>,
}

/// Reads every catalog file reachable from the inventory and the configured locations.
pub fn parse(config: &Config, inventory: &Inventory, diags: &mut Vec<Diagnostic>) -> Parsed {
    parse_cached(config, inventory, None, diags)
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
    let mut wave: Vec<Pending> = inventory
        .catalog_files
        .iter()
        .map(|f| Pending { file: f.clone(), origin: f.clone(), explicit: false })
        .collect();
    let config_file = config
        .config_file
        .as_ref()
        .and_then(|p| crate::discover::relative(&config.root, p))
        .unwrap_or_else(|| crate::config::CONFIG_FILE.to_owned());
    for location in &config.locations {
        let target = LocationTarget { target: location.value.clone(), pos: location.pos, optional: false };
        let mut found = Vec::new();
        let from = TargetSource { file: &config_file, location_type: None, in_config: true };
        resolve_target(config, inventory, &from, &target, &mut found, diags);
        wave.extend(found.into_iter().map(|f| Pending { origin: f.clone(), file: f, explicit: true }));
    }

    let mut seen: HashSet<String> = HashSet::new();
    let mut parsed = Parsed::default();
    while !wave.is_empty() {
        // Explicit references win over walked ones, so a named skeleton-looking file is still read.
        wave.sort_by(|a, b| a.file.cmp(&b.file).then(b.explicit.cmp(&a.explicit)));
        wave.retain(|p| seen.insert(p.file.clone()));
        let results: Vec<FileResult> = wave
            .par_iter()
            .map(|p| match (cache, inventory_key) {
                (Some(cache), Some(inv)) => read_file_cached(config, inventory, p, cache, inv),
                _ => read_file(config, inventory, p),
            })
            .collect();
        parsed.files.extend(wave.iter().map(|p| p.file.clone()));
        wave = Vec::new();
        for r in results {
            parsed.entities.extend(r.entities);
            diags.extend(r.diags);
            wave.extend(r.next);
        }
    }
    parsed.files.sort_unstable();
    parsed.entities.sort_by(|a, b| a.source.cmp(&b.source));
    parsed
}

/// [`read_file`] through the cache: reused when the text, the way the file was reached, the
/// placeholder files and (for Location files) the inventory are unchanged.
fn read_file_cached(
    config: &Config,
    inventory: &Inventory,
    pending: &Pending,
    cache: &BuildCache,
    inv: Key,
) -> FileResult {
    let text = std::fs::read(config.root.join(&pending.file)).unwrap_or_default();
    let explicit: &[u8] = if pending.explicit { b"1" } else { b"0" };
    let key = crate::cache::key(&[&text, pending.origin.as_bytes(), explicit]);
    let slot = (pending.file.clone(), pending.origin.clone());
    if let Some(hit) = cache.catalog.lock().expect("cache lock").get(&slot) {
        let fresh = hit.key == key
            && hit.inventory.is_none_or(|k| k == inv)
            && hit.reads.iter().all(|(f, k)| BuildCache::file_key(&config.root, f) == *k);
        if fresh {
            return FileResult {
                entities: hit.entities.clone(),
                next: hit
                    .next
                    .iter()
                    .map(|f| Pending { file: f.clone(), origin: pending.origin.clone(), explicit: true })
                    .collect(),
                diags: hit.diags.clone(),
            };
        }
    }
    let result = read_file(config, inventory, pending);
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
        next: result.next.iter().map(|p| p.file.clone()).collect(),
        diags: result.diags.clone(),
    };
    cache.catalog.lock().expect("cache lock").insert(slot, entry);
    result
}

fn read_file(config: &Config, inventory: &Inventory, pending: &Pending) -> FileResult {
    let mut out = FileResult::default();
    let file = pending.file.as_str();
    let text = match std::fs::read_to_string(config.root.join(file)) {
        Ok(t) => t,
        Err(e) => {
            out.diags
                .push(Diagnostic::error("unreadable-file", format!("cannot read catalog file: {e}")).at(file, None));
            return out;
        }
    };
    if !pending.explicit && is_skeleton(&text) {
        out.diags.push(
            Diagnostic::info(
                "skipped-skeleton",
                "skipped: contains template expressions (`${{ ... }}` or `{{ cookiecutter.* }}`)",
            )
            .at(file, None)
            .hint("files of a template's skeleton become entities only once the template runs"),
        );
        return out;
    }
    let (docs, errors) = yaml::parse_documents(&text);
    for err in errors {
        out.diags.push(Diagnostic::error("invalid-yaml", format!("invalid YAML: {}", err.message)).at(file, err.pos));
    }
    let ctx = DocContext { root: &config.root, file, origin: &pending.origin };
    for doc in docs {
        let Some(entity) = entity_from_document(doc, &ctx, &mut out.diags) else {
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
            continue;
        }
        for target in &entity.targets {
            let mut found = Vec::new();
            let from = TargetSource { file, location_type: entity.spec_str("type"), in_config: false };
            resolve_target(config, inventory, &from, target, &mut found, &mut out.diags);
            out.next.extend(found.into_iter().map(|f| Pending {
                file: f,
                origin: pending.origin.clone(),
                explicit: true,
            }));
        }
        out.entities.push(std::sync::Arc::new(entity));
    }
    out
}

/// Whether a file is a scaffolder or cookiecutter template skeleton rather than a descriptor.
fn is_skeleton(text: &str) -> bool {
    text.contains("${{") || text.contains("{{ cookiecutter.") || text.contains("{{cookiecutter.")
}

fn is_glob(target: &str) -> bool {
    target.contains(['*', '?', '[', '{'])
}

/// Where a Location target was written.
struct TargetSource<'a> {
    /// The Location's file, or the configuration file.
    file: &'a str,
    /// `spec.type` of the Location.
    location_type: Option<&'a str>,
    /// Written in `catalog.locations` of portico.yaml rather than in a Location entity.
    in_config: bool,
}

/// Resolves one Location target to the files it names.
fn resolve_target(
    config: &Config,
    inventory: &Inventory,
    source: &TargetSource,
    target: &LocationTarget,
    found: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let pos = (target.pos.line > 0).then_some(target.pos);
    let t = target.target.as_str();
    let (from, location_type) = (if source.in_config { "" } else { source.file }, source.location_type);
    let at = source.file;
    let missing_hint = if source.in_config {
        "fix or remove the entry in `catalog.locations` of portico.yaml (paths there are relative to the root)"
    } else {
        "add `presence: optional` to the Location's spec if the file may be missing"
    };
    if location_type.is_some_and(|ty| ty != "file") || paths::is_url(t) {
        diags.push(
            Diagnostic::warning("location-url", format!("Location target `{t}` is not a local file and was not read"))
                .at(at, pos)
                .hint("Portico reads the monorepo only; point the Location at a path relative to its file"),
        );
        return;
    }
    let base_dir = paths::parent_dir(from);
    let rel = match paths::resolve_lexically(base_dir, t) {
        Ok(rel) => rel,
        Err(PathError::EscapesRoot) | Err(PathError::Url) => {
            diags.push(
                Diagnostic::error(
                    "location-outside-root",
                    format!("Location target `{t}` points outside the portal root"),
                )
                .at(at, pos),
            );
            return;
        }
    };
    if is_glob(t) {
        let matcher = match GlobBuilder::new(&rel).literal_separator(true).build() {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                diags.push(
                    Diagnostic::error("location-invalid-glob", format!("Location target `{t}`: {e}")).at(at, pos),
                );
                return;
            }
        };
        let before = found.len();
        found.extend(inventory.files.iter().filter(|f| matcher.is_match(f.as_str())).cloned());
        if found.len() == before && !target.optional {
            diags.push(
                Diagnostic::error("location-not-found", format!("Location target `{t}` matches no file"))
                    .at(at, pos)
                    .hint(missing_hint),
            );
        }
        return;
    }
    if paths::check_no_symlink_escape(&config.root, &rel).is_err() {
        diags.push(
            Diagnostic::error(
                "location-outside-root",
                format!("Location target `{t}` resolves outside the portal root through a symbolic link"),
            )
            .at(at, pos),
        );
        return;
    }
    if config.root.join(&rel).is_file() {
        found.push(rel);
    } else if !target.optional {
        diags.push(
            Diagnostic::error(
                "location-not-found",
                format!("Location target `{t}` does not exist (resolved to `{rel}`)"),
            )
            .at(at, pos)
            .hint("add `presence: optional` to the Location's spec if the file may be missing"),
        );
    }
}
