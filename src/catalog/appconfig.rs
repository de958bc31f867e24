//! Backstage's own registrations: `catalog.locations` and `catalog.rules` of `app-config.yaml`.
//!
//! Input: the configuration (which app-config files, see [`AppConfigFiles`]). Output: an
//! [`AppConfig`]: the locations to read and the rules deciding which kinds each may bring, as
//! Backstage's backend reads them. Files are merged as Backstage merges configuration: a later
//! file's `catalog.locations` (or `catalog.rules`) replaces an earlier one's whole list. `type:
//! file` targets are relative to the backend's working directory (`packages/backend` when it
//! exists, else the root); `type: url` targets that point into this repository are read from the
//! checkout. Rules follow `DefaultCatalogRulesEnforcer`: without `catalog.rules`, only
//! Component, API and Location are allowed; a location's own `rules` add kinds for the files it
//! names.

use std::sync::Arc;

use crate::config::{AppConfigFiles, Config};
use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::{self, Node};

/// The app-config files looked for when portico.yaml names none, in merge order.
pub const DEFAULT_FILES: [&str; 4] = [
    "app-config.yaml",
    "app-config.local.yaml",
    "packages/backend/app-config.yaml",
    "packages/backend/app-config.local.yaml",
];

/// The backend's working directory in the standard layout.
const BACKEND_DIR: &str = "packages/backend";

/// What app-config registers.
#[derive(Debug, Default)]
pub struct AppConfig {
    /// The files read, root-relative, in merge order.
    pub files: Vec<String>,
    pub locations: Vec<ConfigLocation>,
    /// `catalog.rules`, or Backstage's default.
    pub rules: Arc<Vec<Rule>>,
    /// The directory `type: file` targets are relative to (root-relative).
    pub working_dir: String,
}

/// One entry of `catalog.locations`.
#[derive(Debug)]
pub struct ConfigLocation {
    /// `type` as written (`file`, `url`, ...).
    pub kind: String,
    pub target: String,
    /// The app-config file and position of the target.
    pub file: String,
    pub pos: Pos,
    /// The location's own `rules`.
    pub rules: Vec<Rule>,
}

/// One rule: kinds (optionally of a `spec.type`) allowed, from some locations or from all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub allow: Vec<Allow>,
    /// `None`: every location.
    pub locations: Option<Vec<LocationMatcher>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    pub kind: String,
    pub spec_type: Option<String>,
}

/// `{type, exact}` or `{type, pattern}` of a rule's `locations`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationMatcher {
    pub kind: String,
    pub exact: Option<String>,
    pub pattern: Option<String>,
}

/// Where an entity was read from, as rules see it: `(type, target)`, e.g. `("file",
/// "/abs/path/catalog/all.yaml")` or `("url", "https://…")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocationSpec {
    pub kind: String,
    pub target: String,
}

/// The rules that decide what a file reached through app-config may bring.
#[derive(Clone, Debug)]
pub struct Admission {
    pub global: Arc<Vec<Rule>>,
    /// Every location the file was reached from, with that location's own rules (none for
    /// files reached through a Location entity). A file named by two config locations may bring
    /// what either allows, as Backstage processes it once from each.
    pub sources: Vec<(LocationSpec, Arc<Vec<Rule>>)>,
}

impl Admission {
    /// Whether an entity of `kind` (with `spec.type`) may enter the catalog from here.
    pub fn allows(&self, kind: &str, spec_type: Option<&str>) -> bool {
        self.rules().any(|r| r.allows(kind, spec_type))
    }

    /// The rules that apply to at least one of the sources.
    fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.sources.iter().flat_map(move |(location, own)| {
            own.iter().chain(self.global.iter().filter(move |r| r.matches_location(location)))
        })
    }

    /// The kinds allowed here, for messages.
    pub fn allowed_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.rules().flat_map(|r| r.allow.iter().map(|a| a.kind.clone())).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Both admissions' sources: what either allows.
    pub fn union(&self, other: &Admission) -> Admission {
        let mut sources = self.sources.clone();
        sources.extend(other.sources.iter().cloned());
        Admission { global: self.global.clone(), sources }
    }
}

impl Rule {
    fn allows(&self, kind: &str, spec_type: Option<&str>) -> bool {
        self.allow.iter().any(|a| {
            a.kind.eq_ignore_ascii_case(kind)
                && a.spec_type.as_deref().is_none_or(|t| spec_type.is_some_and(|s| s.eq_ignore_ascii_case(t)))
        })
    }

    fn matches_location(&self, location: &LocationSpec) -> bool {
        let Some(matchers) = &self.locations else { return true };
        matchers.iter().any(|m| {
            m.kind == location.kind
                && m.exact.as_ref().is_none_or(|e| *e == location.target)
                && m.pattern.as_ref().is_none_or(|p| {
                    globset::GlobBuilder::new(p)
                        .case_insensitive(true)
                        .build()
                        .is_ok_and(|g| g.compile_matcher().is_match(&location.target))
                })
        })
    }
}

/// Backstage's rules when `catalog.rules` is not configured.
fn default_rules() -> Vec<Rule> {
    let allow = ["Component", "API", "Location"].map(|k| Allow { kind: k.into(), spec_type: None }).to_vec();
    vec![Rule { allow, locations: None }]
}

/// Reads the app-config files `config` asks for. `None` when reading them is turned off or
/// none exists.
pub fn load(config: &Config, diags: &mut Vec<Diagnostic>) -> Option<AppConfig> {
    let candidates: Vec<String> = match &config.app_config {
        AppConfigFiles::Off => return None,
        AppConfigFiles::Default => DEFAULT_FILES.iter().map(|s| s.to_string()).collect(),
        AppConfigFiles::Named(files) => files.clone(),
    };
    let named = matches!(config.app_config, AppConfigFiles::Named(_));
    let mut out = AppConfig {
        working_dir: if config.root.join(BACKEND_DIR).is_dir() { BACKEND_DIR.into() } else { String::new() },
        ..AppConfig::default()
    };
    let mut locations: Option<Vec<ConfigLocation>> = None;
    let mut rules: Option<Vec<Rule>> = None;
    for file in candidates {
        let rel = match crate::paths::resolve_inside(&config.root, "", &file) {
            Ok(rel) => rel,
            Err(_) => {
                diags.push(Diagnostic::error(
                    "app-config-outside-root",
                    format!("app-config file `{file}` is outside the portal root and was not read"),
                ));
                continue;
            }
        };
        let text = match crate::input::read_to_string(&config.root.join(&rel), config.limits.file) {
            Ok(text) => text,
            Err(e) if e.is_not_found() && !named => continue,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "app-config-unreadable",
                    format!("cannot read app-config file `{rel}`: {e}"),
                ));
                continue;
            }
        };
        out.files.push(rel.clone());
        let (docs, errors) = yaml::parse_documents(&text);
        for e in errors {
            let mut d = Diagnostic::error("invalid-yaml", format!("invalid YAML: {}", e.message)).at(&rel, e.pos);
            d.hint = e.hint;
            diags.push(d);
        }
        let Some(catalog) = docs.first().and_then(|d| d.root.get("catalog")) else { continue };
        if let Some(list) = catalog.get("locations") {
            locations = Some(read_locations(list, &rel, diags));
        }
        if let Some(list) = catalog.get("rules") {
            rules = Some(read_rules(list, &rel, diags));
        }
    }
    if out.files.is_empty() {
        return None;
    }
    out.locations = locations.unwrap_or_default();
    out.rules = Arc::new(rules.unwrap_or_else(default_rules));
    Some(out)
}

fn read_locations(list: &Node, file: &str, diags: &mut Vec<Diagnostic>) -> Vec<ConfigLocation> {
    let Some(items) = list.as_seq() else {
        diags.push(
            Diagnostic::warning("app-config-invalid", "`catalog.locations` is not a list; it was ignored")
                .at(file, Some(list.pos)),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let (Some(kind), Some(target)) = (item.get("type").and_then(Node::as_str), item.get("target")) else {
            diags.push(
                Diagnostic::warning(
                    "app-config-invalid",
                    "a `catalog.locations` entry needs `type` and `target`; it was ignored",
                )
                .at(file, Some(item.pos)),
            );
            continue;
        };
        let Some(target_text) = target.as_str() else {
            diags.push(
                Diagnostic::warning(
                    "app-config-invalid",
                    format!("the target of this location is {}, not a string (substitutions such as `$env` are not read); it was ignored", target.type_name()),
                )
                .at(file, Some(target.pos)),
            );
            continue;
        };
        let rules = item.get("rules").map(|r| read_rules(r, file, diags)).unwrap_or_default();
        // A location's own rules apply to it alone.
        let rules = rules.into_iter().map(|r| Rule { locations: None, ..r }).collect();
        out.push(ConfigLocation {
            kind: kind.to_owned(),
            target: target_text.to_owned(),
            file: file.to_owned(),
            pos: target.pos,
            rules,
        });
    }
    out
}

fn read_rules(list: &Node, file: &str, diags: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let invalid = |diags: &mut Vec<Diagnostic>, node: &Node, what: &str| {
        diags.push(
            Diagnostic::warning("app-config-invalid", format!("{what}; this rule was ignored"))
                .at(file, Some(node.pos)),
        );
    };
    let Some(items) = list.as_seq() else {
        invalid(diags, list, "`rules` is not a list");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(allow) = item.get("allow").and_then(Node::as_seq) else {
            invalid(diags, item, "a rule needs an `allow` list of kinds");
            continue;
        };
        let allow: Vec<Allow> = allow
            .iter()
            .filter_map(|a| match a.as_str() {
                Some(kind) => Some(Allow { kind: kind.to_owned(), spec_type: None }),
                None => Some(Allow {
                    kind: a.get("kind")?.as_str()?.to_owned(),
                    spec_type: a.get("spec.type").and_then(Node::as_str).map(str::to_owned),
                }),
            })
            .collect();
        let locations = item.get("locations").and_then(Node::as_seq).map(|ms| {
            ms.iter()
                .filter_map(|m| {
                    Some(LocationMatcher {
                        kind: m.get("type")?.as_str()?.to_owned(),
                        exact: m.get("exact").and_then(Node::as_str).map(str::to_owned),
                        pattern: m.get("pattern").and_then(Node::as_str).map(str::to_owned),
                    })
                })
                .collect()
        });
        out.push(Rule { allow, locations });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Vec<Rule> {
        let (docs, errors) = yaml::parse_documents(yaml);
        assert!(errors.is_empty());
        read_rules(&docs[0].root, "app-config.yaml", &mut Vec::new())
    }

    #[test]
    fn rules_as_backstage_enforces_them() {
        let location = |target: &str| LocationSpec { kind: "file".into(), target: target.into() };
        let global = Arc::new(rules(
            "- allow: [Component, System, API]\n- allow: [{kind: Resource, spec.type: database}]\n- allow: [Template]\n  locations: [{type: file, pattern: '/repo/templates/**'}]\n",
        ));
        let org = Arc::new(rules("- allow: [User, Group]\n"));
        let direct = Admission { global: global.clone(), sources: vec![(location("/repo/org.yaml"), org)] };
        let nested =
            Admission { global: global.clone(), sources: vec![(location("/repo/teams/a.yaml"), Arc::default())] };
        let templates =
            Admission { global, sources: vec![(location("/repo/templates/svc/template.yaml"), Arc::default())] };
        assert!(direct.allows("Group", None) && direct.allows("user", None) && direct.allows("Component", None));
        assert!(!nested.allows("Group", None), "a location's rules do not reach nested files");
        assert!(nested.allows("component", None));
        assert!(nested.allows("Resource", Some("Database")) && !nested.allows("Resource", Some("bucket")));
        assert!(!nested.allows("Resource", None));
        assert!(!nested.allows("Template", None) && templates.allows("Template", None));
        assert_eq!(direct.allowed_kinds(), ["API", "Component", "Group", "Resource", "System", "User"]);

        assert!(nested.union(&direct).allows("Group", None), "reached from two locations: either one's rules");
        let default = Admission { global: Arc::new(default_rules()), sources: vec![(location("/x"), Arc::default())] };
        assert!(default.allows("Location", None) && !default.allows("System", None) && !default.allows("Group", None));
    }
}
