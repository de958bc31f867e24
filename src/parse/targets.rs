//! Location targets -> the files they name.
//!
//! Input: a target as written (in a `Location` entity, in `catalog.locations` of portico.yaml
//! or of an app-config file) and the directory it is relative to. Output: root-relative files
//! of the inventory, or a diagnostic at the target. Globs (`*` within a directory, `**` across)
//! match walked files; a URL into this repository is read from the checkout; other URLs are
//! reported and not fetched. Nothing outside the root is named, also through a symbolic link.

use globset::GlobBuilder;

use crate::catalog::LocationTarget;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::discover::Inventory;
use crate::paths::{self, PathError};

/// Where a Location target was written.
pub struct TargetSource<'a> {
    /// The Location's file, or the configuration file.
    pub file: &'a str,
    /// The directory relative targets start from (root-relative).
    pub base_dir: &'a str,
    /// `type` of the Location (`file`, `url`, ...).
    pub location_type: Option<&'a str>,
    /// What to suggest when the target is missing.
    pub missing_hint: &'static str,
}

pub const HINT_OPTIONAL: &str = "add `presence: optional` to the Location's spec if the file may be missing";
pub const HINT_PORTICO_YAML: &str =
    "fix or remove the entry in `catalog.locations` of portico.yaml (paths there are relative to the root)";
pub const HINT_APP_CONFIG: &str = "fix or remove the entry in `catalog.locations` of the app-config file (`type: file` targets are relative to the backend's working directory, `packages/backend` in the standard layout)";

fn is_glob(target: &str) -> bool {
    target.contains(['*', '?', '[', '{'])
}

/// Resolves one Location target to the files it names, pushed to `found`.
pub fn resolve_target(
    config: &Config,
    inventory: &Inventory,
    source: &TargetSource,
    target: &LocationTarget,
    found: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let pos = (target.pos.line > 0).then_some(target.pos);
    let t = target.target.as_str();
    let at = source.file;
    let is_remote = source.location_type.is_some_and(|ty| ty != "file") || paths::is_url(t);
    if is_remote {
        // A URL into this very repository names a file of the checkout.
        match config.repository.local_path(t, &config.root) {
            Some(rel) if config.root.join(&rel).is_file() => {
                found.push(rel);
            }
            Some(rel) => {
                // A directory (`/tree/…`): Backstage reads `catalog-info.yaml` files under it.
                let before = found.len();
                let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
                found.extend(
                    inventory
                        .catalog_files
                        .iter()
                        .filter(|f| f.starts_with(&prefix) && f.ends_with("catalog-info.yaml"))
                        .cloned(),
                );
                if found.len() == before && !target.optional {
                    diags.push(
                        Diagnostic::error(
                            "location-not-found",
                            format!("Location target `{t}` names the directory `{rel}` of this repository, which holds no catalog-info.yaml"),
                        )
                        .at(at, pos)
                        .hint(source.missing_hint),
                    );
                }
            }
            None => diags.push(
                Diagnostic::warning(
                    "location-url",
                    format!("Location target `{t}` is not a file of this repository and was not read"),
                )
                .at(at, pos)
                .hint("Portico reads the checkout only: URLs into this repository are recognised from `source_url` in portico.yaml or the `origin` remote; point other targets at a path relative to the Location's file"),
            ),
        }
        return;
    }
    let rel = match paths::resolve_lexically(source.base_dir, t) {
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
                    .hint(source.missing_hint),
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
    let path = config.root.join(&rel);
    if crate::input::is_regular(&path) {
        found.push(rel);
    } else if path.exists() {
        diags.push(
            Diagnostic::error(
                "location-not-a-file",
                format!("Location target `{t}` (`{rel}`) is not a regular file and was not read"),
            )
            .at(at, pos)
            .hint("Location targets name YAML files (or globs of them)"),
        );
    } else if !target.optional {
        diags.push(
            Diagnostic::error(
                "location-not-found",
                format!("Location target `{t}` does not exist (resolved to `{rel}`)"),
            )
            .at(at, pos)
            .hint(source.missing_hint),
        );
    }
}
