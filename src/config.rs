//! Configuration: `portico.yaml` as the user wrote it ([`RawConfig`]), then what the program
//! uses ([`Config`]: absolute paths, compiled globs, CLI overrides applied).
//!
//! Zero config works: without a file every field takes its default. Unknown keys are an error
//! pointing at the key's line and column.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::{self, At};

/// The file looked for at the portal root when `--config` is not given.
pub const CONFIG_FILE: &str = "portico.yaml";

/// `portico.yaml`, field for field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// Portal title shown in the header and the browser tab. Default: "Developer Portal".
    pub title: Option<String>,
    /// Public URL of the site, e.g. `https://acme.github.io/portal/`; its path is the base path of
    /// every link. Default: `/`. `--base-url` overrides it.
    pub base_url: Option<String>,
    /// Link to a file of the repository for "view source", with `{path}` standing for the path
    /// relative to the portal root, e.g. `https://github.com/acme/repo/blob/main/{path}`.
    pub source_url: Option<String>,
    /// Link to edit a file of the repository, e.g. `https://github.com/acme/repo/edit/main/{path}`.
    pub edit_url: Option<String>,
    /// Which files are catalog descriptors and which entities are accepted.
    pub catalog: RawCatalog,
    /// Globs (relative to the root) of paths never read, on top of `.gitignore`.
    pub ignore: Vec<At<String>>,
    /// Which ownership group pages show first: `direct` (default) or `aggregated`.
    pub ownership: Option<OwnershipMode>,
    /// How TechDocs pages are rendered.
    pub docs: RawDocs,
    /// A theme directory (relative to the root, and inside it) overriding the default theme file
    /// by file.
    pub theme: Option<At<String>>,
    /// The Content-Security-Policy of every page: `false` for none, a string to replace
    /// Portico's (see the README's security section). Default: scripts only from the site.
    pub csp: Option<RawCsp>,
    /// Size limits of the files read, in megabytes.
    pub limits: RawLimits,
    /// Build-time plugins, run in order (see the README's plugin protocol).
    pub plugins: Vec<At<crate::plugins::RawPlugin>>,
    /// The tabs of entity pages by `Kind` or `Kind/type` (`"*"` for every entity): tab ids in
    /// order, `"*"` standing for every plugin tab not listed.
    pub tabs: std::collections::BTreeMap<String, Vec<String>>,
    /// Links made from annotations: annotation key -> URL template with `{value}`, `{title,
    /// url}`, or `false` to show a built-in one no more.
    pub annotation_links: std::collections::BTreeMap<String, At<RawAnnotationLink>>,
    /// Scorecards: levels, checks and cards (see the README's scorecards section).
    pub scorecards: Option<crate::scorecards::RawScorecards>,
}

/// One entry of `annotation_links`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawAnnotationLink {
    Enabled(bool),
    Template(String),
    Titled { title: String, url: String },
}

/// A link made from an annotation's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnotationLink {
    pub title: Option<String>,
    /// `None`: the built-in link of this annotation is not shown.
    pub template: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLimits {
    /// A catalog file, configuration file, docs page or snippet. Default: 16.
    pub file_mb: Option<u64>,
    /// A file read by a placeholder, or a docs asset. Default: 64.
    pub data_file_mb: Option<u64>,
    /// All text read by placeholders in one build. Default: 128.
    pub placeholder_total_mb: Option<u64>,
}

/// `csp:`: `false`, or a policy of your own.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawCsp {
    Enabled(bool),
    Policy(String),
}

/// Which Content-Security-Policy the pages carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Csp {
    Default,
    Off,
    Custom(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDocs {
    /// Keep raw HTML of Markdown pages as written (scripts included). Default: false, raw HTML is
    /// sanitised. Only for repositories whose every author is trusted.
    pub allow_raw_html: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCatalog {
    /// Globs of catalog files found by walking the tree.
    /// Default: `["**/catalog-info.yaml", "**/catalog-info.yml"]`.
    pub files: Option<Vec<At<String>>>,
    /// Further entry points, read like the targets of a `Location` at the root (paths or globs
    /// relative to the root), e.g. `["catalog/all.yaml"]`. When absent, the `catalog.locations`
    /// of Backstage's app-config files are read instead (see `app_config`).
    pub locations: Option<Vec<At<String>>>,
    /// Kinds accepted (case-insensitive), like Backstage's `catalog.rules` allow list.
    /// Default: every kind. Entities of other kinds are reported and left out.
    pub kinds: Option<Vec<String>>,
    /// Backstage's app-config files whose `catalog.locations` and `catalog.rules` are read:
    /// `false` turns this off, a list names the files (root-relative, merged in order). Default:
    /// `app-config.yaml` and `app-config.local.yaml` at the root and in `packages/backend/`,
    /// read only when portico.yaml has no `catalog.locations`.
    pub app_config: Option<RawAppConfig>,
    /// Kinds of your own (e.g. a Kubernetes custom resource's) that get a generic page instead
    /// of the error Backstage gives an entity no processor recognises.
    pub custom_kinds: Vec<String>,
}

/// `catalog.app_config`: `false`, or the files to read.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawAppConfig {
    Enabled(bool),
    Files(Vec<String>),
}

/// Which app-config files are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppConfigFiles {
    Off,
    /// The standard files, where they exist.
    Default,
    /// The files named in portico.yaml (each must exist).
    Named(Vec<String>),
}

/// Whether group pages show what the group owns itself or with all its sub-groups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnershipMode {
    #[default]
    Direct,
    Aggregated,
}

/// What the command line adds to or overrides in the file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub base_url: Option<String>,
    pub out_dir: Option<PathBuf>,
    /// `--cache-dir`.
    pub cache_dir: Option<PathBuf>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--no-plugins`.
    pub no_plugins: bool,
    /// The command (what plugins are told).
    pub mode: Option<crate::plugins::Mode>,
    /// `--changed-since REV`: scorecards gate only entities with changes since REV.
    pub changed_since: Option<String>,
    /// `--history FILE`: the scorecard history series to append to.
    pub history: Option<PathBuf>,
}

/// The resolved configuration every stage reads.
#[derive(Clone, Debug)]
pub struct Config {
    /// Absolute, canonical portal root.
    pub root: PathBuf,
    /// The root as the user named it, for printing paths they can open.
    pub display_root: PathBuf,
    /// Absolute output directory (never read back as input).
    pub out_dir: PathBuf,
    /// The build cache ([`crate::cache::disk`]); `None` with `--no-cache`.
    pub cache_dir: Option<PathBuf>,
    pub title: String,
    /// Public URL as given (or `/`).
    pub base_url: String,
    /// Path part of `base_url`, always starting and ending with `/`.
    pub base_path: String,
    pub source_url: Option<String>,
    pub edit_url: Option<String>,
    pub catalog_files: GlobSet,
    /// `catalog.locations` entries with their position in the config file.
    pub locations: Vec<At<String>>,
    /// Which app-config files' registrations are read.
    pub app_config: AppConfigFiles,
    /// Lower-case kinds declared in `catalog.custom_kinds`.
    pub custom_kinds: Vec<String>,
    /// How URLs into this repository are recognised.
    pub repository: crate::repo::Repository,
    /// Lower-case kinds accepted; `None` accepts all.
    pub kinds: Option<Vec<String>>,
    pub ignore: GlobSet,
    pub ownership: OwnershipMode,
    /// `docs.allow_raw_html`.
    pub docs_allow_raw_html: bool,
    /// Absolute path of the user theme directory, if any.
    pub theme: Option<PathBuf>,
    pub csp: Csp,
    pub limits: crate::input::Limits,
    /// The config file read, relative to the root, if any.
    pub config_file: Option<PathBuf>,
    /// `plugins:` (empty with `--no-plugins`).
    pub plugins: Vec<crate::plugins::PluginSpec>,
    /// `tabs:`, selectors lower-case.
    pub tabs: Vec<(String, Vec<String>)>,
    /// Which command runs (`build`, `check` or `serve`), as plugins are told.
    pub mode: crate::plugins::Mode,
    /// `annotation_links`, by annotation key.
    pub annotation_links: std::collections::BTreeMap<String, AnnotationLink>,
    /// `scorecards:`, compiled.
    pub scorecards: Option<std::sync::Arc<crate::scorecards::Rules>>,
    /// `--changed-since REV`.
    pub changed_since: Option<String>,
    /// `--history FILE` (relative to the working directory).
    pub history: Option<PathBuf>,
}

const DEFAULT_CATALOG_FILES: [&str; 2] = ["**/catalog-info.yaml", "**/catalog-info.yml"];

impl Config {
    /// Reads `portico.yaml` (or the `--config` file) under `root` and applies `overrides`.
    /// A missing default file is fine; a broken one is a diagnostic pointing into it.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config, Box<Diagnostic>> {
        let canonical_root = root.canonicalize().map_err(|e| {
            Box::new(Diagnostic::error(
                "root-unreadable",
                format!("cannot open the portal root {}: {e}", root.display()),
            ))
        })?;
        if !canonical_root.is_dir() {
            return Err(Box::new(Diagnostic::error(
                "root-unreadable",
                format!("the portal root {} is not a directory", root.display()),
            )));
        }
        let (config_path, required) = match &overrides.config_file {
            Some(p) => (p.clone(), true),
            None => (canonical_root.join(CONFIG_FILE), false),
        };
        let display_file = config_path
            .strip_prefix(&canonical_root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| config_path.to_string_lossy().into_owned());
        let read = crate::input::read_to_string(&config_path, crate::input::Limits::default().file);
        let (raw, config_file) = match read {
            Ok(text) => {
                let raw = yaml::from_str::<RawConfig>(&text).map_err(|e| {
                    Box::new(
                        Diagnostic::error("invalid-config", format!("invalid configuration: {}", e.message))
                            .at(&display_file, e.pos)
                            .hint("see the configuration reference in the README"),
                    )
                })?;
                (raw.unwrap_or_default(), Some(config_path))
            }
            Err(e) if !required && e.is_not_found() => (RawConfig::default(), None),
            Err(e) => {
                return Err(Box::new(Diagnostic::error(
                    "config-unreadable",
                    format!("cannot read the configuration file {}: {e}", config_path.display()),
                )));
            }
        };
        Self::resolve(raw, canonical_root, root, overrides, config_file, &display_file)
    }

    fn resolve(
        raw: RawConfig,
        root: PathBuf,
        display_root: &Path,
        overrides: &Overrides,
        config_file: Option<PathBuf>,
        display_file: &str,
    ) -> Result<Config, Box<Diagnostic>> {
        let glob_error = |what: &str, (e, pos): (globset::Error, Option<Pos>)| {
            Box::new(
                Diagnostic::error("invalid-config", format!("invalid glob in `{what}`: {e}")).at(display_file, pos),
            )
        };
        let catalog_file_globs = raw.catalog.files.unwrap_or_else(|| {
            DEFAULT_CATALOG_FILES.iter().map(|s| At { value: s.to_string(), pos: Pos::default() }).collect()
        });
        let catalog_files = build_globset(&catalog_file_globs).map_err(|e| glob_error("catalog.files", e))?;
        let ignore = build_globset(&raw.ignore).map_err(|e| glob_error("ignore", e))?;

        let base_url = overrides.base_url.clone().or(raw.base_url).unwrap_or_else(|| "/".to_owned());
        let base_path = base_path_of(&base_url);
        // Directories given on the command line are relative to the working directory.
        let from_cwd = |p: &PathBuf| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.clone());
        let out_dir = overrides.out_dir.as_ref().map_or_else(|| root.join("public"), from_cwd);
        let cache_dir = (!overrides.no_cache)
            .then(|| overrides.cache_dir.as_ref().map_or_else(|| root.join(crate::cache::disk::DEFAULT_DIR), from_cwd));
        // (An --out that holds the root is refused by the write stage, with its own message.)
        if let Some(cache) = &cache_dir
            && !root.starts_with(&out_dir)
            && (cache.starts_with(&out_dir) || out_dir.starts_with(cache))
        {
            return Err(Box::new(
                Diagnostic::error(
                    "invalid-config",
                    format!(
                        "the build cache {} and the output directory {} overlap: the site would publish the cache, or the cache hold the site",
                        cache.display(),
                        out_dir.display()
                    ),
                )
                .hint("give --cache-dir a directory outside --out (the default is ROOT/.portico/cache)"),
            ));
        }
        for (key, url) in [("source_url", &raw.source_url), ("edit_url", &raw.edit_url)] {
            if let Some(url) = url
                && let Err(scheme) = crate::urls::check(url)
            {
                return Err(Box::new(
                    Diagnostic::error("invalid-config", crate::urls::refused(&format!("`{key}`"), url, &scheme))
                        .at(display_file, None)
                        .hint("links may be http, https, mailto, tel or relative URLs"),
                ));
            }
        }
        let repository = crate::repo::Repository::detect(
            &root,
            &[raw.source_url.as_deref(), raw.edit_url.as_deref()].into_iter().flatten().collect::<Vec<_>>(),
        );
        let theme = match raw.theme {
            None => None,
            Some(t) => Some(root.join(theme_dir(&root, &t.value).map_err(|message| {
                Box::new(
                    Diagnostic::error("invalid-config", format!("`theme: {}` {message}", t.value))
                        .at(display_file, Some(t.pos))
                        .hint("a theme is a directory of the repository, e.g. `theme: portal-theme`"),
                )
            })?)),
        };
        let plugins = if overrides.no_plugins { Vec::new() } else { crate::plugins::specs(raw.plugins, display_file)? };
        let mut tabs = Vec::new();
        for (selector, ids) in raw.tabs {
            if let Some(bad) = ids.iter().find(|id| *id != "*" && !crate::plugins::valid_id(id)) {
                return Err(Box::new(
                    Diagnostic::error("invalid-config", format!("`tabs.{selector}` names the tab `{bad}`, which is not a tab id"))
                        .at(display_file, None)
                        .hint("a tab id is lower-case letters, digits and `-` (`overview`, `docs`, a plugin's tab id), or `*` for the other plugin tabs"),
                ));
            }
            tabs.push((selector.to_lowercase(), ids));
        }
        let mut annotation_links = std::collections::BTreeMap::new();
        for (key, At { value, pos }) in raw.annotation_links {
            let (title, template) = match value {
                RawAnnotationLink::Enabled(false) => (None, None),
                RawAnnotationLink::Enabled(true) => continue,
                RawAnnotationLink::Template(t) => (None, Some(t)),
                RawAnnotationLink::Titled { title, url } => (Some(title), Some(url)),
            };
            if let Some(t) = &template {
                let sample = t.replace("{value}", "x");
                let web = crate::urls::is_web(&sample);
                if !t.contains("{value}") || !web {
                    return Err(Box::new(
                        Diagnostic::error(
                            "invalid-config",
                            format!("`annotation_links.{key}` must be an http(s) URL with `{{value}}` in it"),
                        )
                        .at(display_file, Some(pos))
                        .hint("e.g. `sonarqube.org/project-key: \"https://sonar.example.com/dashboard?id={value}\"`"),
                    ));
                }
            }
            annotation_links.insert(key, AnnotationLink { title, template });
        }
        let scorecards = match raw.scorecards {
            Some(raw) => Some(std::sync::Arc::new(crate::scorecards::rules::compile(raw, display_file)?)),
            None => None,
        };
        Ok(Config {
            annotation_links,
            scorecards,
            changed_since: overrides.changed_since.clone(),
            history: overrides.history.as_ref().map(from_cwd),
            plugins,
            tabs,
            mode: overrides.mode.unwrap_or(crate::plugins::Mode::Build),
            display_root: display_root.to_path_buf(),
            out_dir,
            cache_dir,
            title: raw.title.unwrap_or_else(|| "Developer Portal".to_owned()),
            base_url,
            base_path,
            source_url: raw.source_url,
            edit_url: raw.edit_url,
            catalog_files,
            app_config: match (&raw.catalog.app_config, &raw.catalog.locations) {
                (Some(RawAppConfig::Enabled(false)), _) => AppConfigFiles::Off,
                (Some(RawAppConfig::Files(files)), _) => AppConfigFiles::Named(files.clone()),
                (_, Some(_)) => AppConfigFiles::Off,
                (_, None) => AppConfigFiles::Default,
            },
            repository,
            locations: raw.catalog.locations.unwrap_or_default(),
            custom_kinds: raw.catalog.custom_kinds.iter().map(|k| k.to_lowercase()).collect(),
            kinds: raw.catalog.kinds.map(|k| k.iter().map(|s| s.to_lowercase()).collect()),
            ignore,
            ownership: raw.ownership.unwrap_or_default(),
            docs_allow_raw_html: raw.docs.allow_raw_html.unwrap_or(false),
            theme,
            csp: match raw.csp {
                None | Some(RawCsp::Enabled(true)) => Csp::Default,
                Some(RawCsp::Enabled(false)) => Csp::Off,
                Some(RawCsp::Policy(p)) => Csp::Custom(p),
            },
            limits: {
                let d = crate::input::Limits::default();
                let mb = |v: Option<u64>, default: u64| v.map_or(default, |v| v.saturating_mul(1024 * 1024));
                crate::input::Limits {
                    file: mb(raw.limits.file_mb, d.file),
                    data_file: mb(raw.limits.data_file_mb, d.data_file),
                    placeholder_total: mb(raw.limits.placeholder_total_mb, d.placeholder_total),
                }
            },
            config_file,
            root,
        })
    }

    /// The config file as diagnostics name it (`portico.yaml` when there is none).
    pub fn config_file_display(&self) -> String {
        self.config_file
            .as_ref()
            .map(|f| f.strip_prefix(&self.root).unwrap_or(f).to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|| CONFIG_FILE.to_owned())
    }

    /// A configuration for `root` with every default, for tests and benchmarks.
    pub fn for_root(root: &Path) -> Config {
        Config::load(root, &Overrides::default()).expect("root exists and has no portico.yaml errors")
    }

    /// Whether `kind` is declared in `catalog.custom_kinds`.
    pub fn is_custom_kind(&self, kind: &str) -> bool {
        self.custom_kinds.iter().any(|k| k.eq_ignore_ascii_case(kind))
    }

    /// Whether an entity of `kind` is accepted.
    pub fn allows_kind(&self, kind: &str) -> bool {
        self.kinds.as_ref().is_none_or(|k| k.iter().any(|a| a.eq_ignore_ascii_case(kind)))
    }
}

/// The root-relative theme directory `written` names, which must stay inside the root.
fn theme_dir(root: &Path, written: &str) -> Result<String, &'static str> {
    if Path::new(written).is_absolute() || written.starts_with('/') || crate::paths::is_url(written) {
        return Err("must be a path relative to the portal root");
    }
    let rel = crate::paths::resolve_inside(root, "", written).map_err(|_| "leaves the portal root")?;
    if rel.is_empty() {
        return Err("is the portal root itself");
    }
    Ok(rel)
}

/// Compiles globs; a failure names the glob's position (`None` for built-in defaults).
fn build_globset(globs: &[At<String>]) -> Result<GlobSet, (globset::Error, Option<Pos>)> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g.value.trim_start_matches("./")).map_err(|e| (e, (g.pos.line > 0).then_some(g.pos)))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| (e, None))
}

/// The path of a base URL, normalised to start and end with `/`:
/// `https://acme.github.io/portal` -> `/portal/`, `/docs` -> `/docs/`, `` -> `/`.
pub fn base_path_of(base_url: &str) -> String {
    let path = match url::Url::parse(base_url) {
        Ok(u) if u.has_host() => u.path().to_owned(),
        _ => base_url.to_owned(),
    };
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() { "/".to_owned() } else { format!("/{trimmed}/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        for (input, want) in [
            ("/", "/"),
            ("", "/"),
            ("https://acme.github.io/portal", "/portal/"),
            ("https://acme.github.io/portal/", "/portal/"),
            ("https://portal.acme.com", "/"),
            ("/docs/dev", "/docs/dev/"),
            ("docs", "/docs/"),
        ] {
            assert_eq!(base_path_of(input), want, "{input}");
        }
    }

    #[test]
    fn unknown_keys_point_at_the_key() {
        let err = yaml::from_str::<RawConfig>("title: x\ncatalog:\n  filez: []\n").unwrap_err();
        assert_eq!(err.pos, Some(Pos::new(3, 3)));
        assert!(err.message.contains("unknown field `filez`"), "{}", err.message);
    }
}
