//! Plugins: build-time extensions that add tabs, cards, pages, assets, search documents and facts
//! to the portal (the `contribute` stage, after `resolve`).
//!
//! Input: the `plugins:` of portico.yaml ([`PluginSpec`]) and the resolved [`Portal`]. Output:
//! [`Contributions`] (checked, sorted: two builds give the same) and diagnostics. A command
//! plugin is any executable speaking the JSON protocol of [`protocol`] over stdin and stdout
//! (`command.rs` runs it); a plugin without `command` is built in. Each plugin's response is
//! cached on a key of everything it was given ([`run`]), so `serve` and cached builds run it
//! again only when that changes.
//!
//! A plugin that fails (cannot start, exits non-zero, prints invalid JSON or a response that
//! does not follow the protocol, runs past its timeout) gives one diagnostic naming it (an
//! error with `on_error: fail`, the default, else a warning) and contributes nothing; the rest
//! of the portal is built as usual.

mod accept;
pub mod blocks;
pub mod builtin;
mod command;
pub mod protocol;
mod run;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::EntityRef;
use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::At;
use blocks::BlockView;

pub use run::{Cache, Early, contribute, run_built_ins};

/// Tab ids an entity page has without plugins (and path segments under an entity's URL).
pub const RESERVED_TABS: [&str; 7] = ["overview", "definition", "docs", "related", "readme", "scorecards", "graph"];

/// One entry of `plugins:` in portico.yaml, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlugin {
    /// Unique id: lower-case letters, digits and `-`.
    pub id: String,
    /// argv of a command plugin (relative paths from the root); absent for a built-in one.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Passed through to the plugin as `plugin.config`.
    #[serde(default)]
    pub config: Option<Value>,
    /// Seconds a call may take (default 60).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// `fail` (default): a failing plugin is an error; `warn`: a warning.
    #[serde(default)]
    pub on_error: Option<OnError>,
    /// Environment variables passed to the plugin besides PATH, HOME, LANG, LC_ALL and TMPDIR.
    #[serde(default)]
    pub env: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    #[default]
    Fail,
    Warn,
}

/// A plugin to run.
#[derive(Clone, Debug)]
pub struct PluginSpec {
    pub id: String,
    pub command: Option<Vec<String>>,
    pub config: Value,
    pub timeout: Duration,
    pub on_error: OnError,
    pub env: Vec<String>,
}

/// Default `timeout`.
const DEFAULT_TIMEOUT: u64 = 60;

/// Whether `id` is a valid plugin or tab id: `[a-z0-9][a-z0-9-]*`, at most 64 characters.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// Whether the built-in plugin `id` is enabled in `specs`.
pub fn built_in_enabled(specs: &[PluginSpec], id: &str) -> bool {
    specs.iter().any(|p| p.id == id && p.command.is_none())
}

/// Checks the `plugins:` of portico.yaml (`file` is its display path).
pub fn specs(raw: Vec<At<RawPlugin>>, file: &str) -> Result<Vec<PluginSpec>, Box<Diagnostic>> {
    let error = |pos: Pos, message: String, hint: &str| {
        Box::new(Diagnostic::error("invalid-config", message).at(file, Some(pos)).hint(hint.to_owned()))
    };
    let mut out: Vec<PluginSpec> = Vec::new();
    for At { value: p, pos } in raw {
        if !valid_id(&p.id) {
            return Err(error(
                pos,
                format!("plugin id `{}` is not valid", p.id),
                "an id is lower-case letters, digits and `-`, e.g. `ci-runs`",
            ));
        }
        if out.iter().any(|o| o.id == p.id) {
            return Err(error(pos, format!("two plugins have the id `{}`", p.id), "each plugin needs its own id"));
        }
        match &p.command {
            Some(argv) if argv.is_empty() || argv[0].trim().is_empty() => {
                return Err(error(
                    pos,
                    format!("plugin `{}` has an empty `command`", p.id),
                    "`command` is the program and its arguments, e.g. `[python3, tools/ci_plugin.py]`",
                ));
            }
            None if !run::BUILT_IN.contains(&p.id.as_str()) => {
                return Err(error(
                    pos,
                    format!("plugin `{}` has no `command`, and no built-in plugin has that id", p.id),
                    &format!(
                        "give the program to run, e.g. `command: [python3, tools/{}.py]`{}",
                        p.id.replace('-', "_"),
                        if run::BUILT_IN.is_empty() {
                            String::new()
                        } else {
                            format!("; built-in plugins: {}", run::BUILT_IN.join(", "))
                        }
                    ),
                ));
            }
            _ => {}
        }
        if p.timeout == Some(0) {
            return Err(error(
                pos,
                format!("plugin `{}` has `timeout: 0`", p.id),
                "the timeout is in seconds, at least 1",
            ));
        }
        out.push(PluginSpec {
            id: p.id,
            command: p.command,
            config: p.config.unwrap_or(Value::Null),
            timeout: Duration::from_secs(p.timeout.unwrap_or(DEFAULT_TIMEOUT)),
            on_error: p.on_error.unwrap_or_default(),
            env: p.env,
        });
    }
    Ok(out)
}

/// Which command runs the plugins (`request.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Build,
    Serve,
    Check,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Build => "build",
            Mode::Serve => "serve",
            Mode::Check => "check",
        }
    }
}

/// A tab or a card a plugin gave an entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub plugin: String,
    pub id: String,
    pub title: String,
    pub blocks: Vec<BlockView>,
}

/// A page of a plugin, at `plugins/<plugin>/<path>/`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PluginPage {
    pub plugin: String,
    pub path: String,
    pub title: String,
    pub blocks: Vec<BlockView>,
}

impl PluginPage {
    /// Its URL relative to the base path.
    pub fn url(&self) -> String {
        if self.path.is_empty() {
            format!("plugins/{}/", self.plugin)
        } else {
            format!("plugins/{}/{}/", self.plugin, self.path)
        }
    }
}

/// A search result a plugin added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub plugin: String,
    pub title: String,
    /// Relative to the base path, or absolute.
    pub url: String,
    pub text: String,
    pub entity: Option<EntityRef>,
}

/// What the plugins added to the portal.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    /// Per entity, its plugin tabs (in plugin order, then by id).
    pub tabs: BTreeMap<EntityRef, Vec<Panel>>,
    /// Per entity, its plugin cards (same order).
    pub cards: BTreeMap<EntityRef, Vec<Panel>>,
    /// Sorted by URL.
    pub pages: Vec<PluginPage>,
    /// (path under the site root, content), sorted by path.
    pub assets: Vec<(String, Vec<u8>)>,
    /// Sorted by URL, then title.
    pub search_docs: Vec<SearchDoc>,
    /// `api/facts.json`: per entity reference, per plugin, its values.
    pub facts: protocol::Facts,
    /// With `git-history`: per docs page file (root-relative), its last change (UTC datetime,
    /// date).
    pub docs_updated: BTreeMap<String, (String, String)>,
}

impl Contributions {
    pub fn is_empty(&self) -> bool {
        *self == Contributions::default()
    }

    /// `api/facts.json`, indented, with a final newline.
    pub fn facts_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(&self.facts).expect("facts serialise");
        out.push(b'\n');
        out
    }

    /// The tab `id` of `entity`, if a plugin gave it one.
    pub fn tab(&self, entity: &EntityRef, id: &str) -> Option<&Panel> {
        self.tabs.get(entity)?.iter().find(|t| t.id == id)
    }
}
