//! The plugin protocol, version 1: the messages a plugin exchanges with Portico, as Rust types.
//!
//! A command plugin is run twice: `COMMAND --portico-manifest` prints a [`Manifest`]; then
//! `COMMAND` reads one [`Request`] on stdin and prints one [`Response`] on stdout. Built-in
//! plugins implement the same request and response in Rust. The JSON Schemas published in
//! `schemas/` are generated from these types (`portico plugin-schema`), and a test keeps them
//! equal.
//!
//! Unknown fields of a response are an error (a typo in a plugin must not silently drop what it
//! meant to show); unknown fields of a manifest are allowed, so that later protocol versions
//! can add to it and still be refused with a clear message.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol version this Portico speaks.
pub const PROTOCOL: u32 = 1;

/// What `COMMAND --portico-manifest` prints.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Manifest {
    /// The plugin's name (for messages).
    pub name: String,
    /// The plugin's version; part of the cache key.
    pub version: String,
    /// The protocol versions the plugin speaks.
    pub protocol: ProtocolRange,
    /// The phases the plugin takes part in (protocol 1: `contribute`).
    pub phases: Vec<String>,
    /// Files (globs relative to the root) whose content the plugin reads: a change to one of
    /// them runs it again; without them, only the request does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
}

/// `{"min": 1, "max": 1}`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ProtocolRange {
    pub min: u32,
    pub max: u32,
}

/// What a plugin reads on stdin.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub protocol: u32,
    /// Always `contribute` in protocol 1.
    pub phase: String,
    /// `build`, `serve` or `check`.
    pub mode: String,
    pub plugin: RequestPlugin,
    pub repo: RequestRepo,
    pub site: RequestSite,
    /// Every entity of the catalog, sorted by reference.
    pub entities: Vec<RequestEntity>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPlugin {
    pub id: String,
    /// The plugin's `config` from portico.yaml, as written (`null` when absent).
    pub config: Value,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestRepo {
    /// Absolute path of the portal root.
    pub root: String,
    /// The commit checked out, when the root is in a git repository.
    pub commit: Option<String>,
    /// The branch checked out, when there is one.
    pub branch: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSite {
    pub base_url: String,
}

/// An entity as `api/catalog.json` has it, with its relations and where it was written.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestEntity {
    /// `kind:namespace/name`, lower-case.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub kind: String,
    pub metadata: Value,
    pub spec: Value,
    pub relations: Vec<RequestRelation>,
    pub source: RequestSource,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestRelation {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "targetRef")]
    pub target_ref: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSource {
    /// The descriptor, relative to the root.
    pub file: String,
    /// Its directory, relative to the root (`""` at the root).
    pub dir: String,
}

/// What a plugin prints on stdout.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub protocol: u32,
    /// Values per entity, for scorecards and `api/facts.json`.
    #[serde(default)]
    pub facts: Vec<Fact>,
    #[serde(default)]
    pub contributions: Vec<Contribution>,
    #[serde(default)]
    pub diagnostics: Vec<PluginDiagnostic>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// An entity reference (`component:default/x`, or `x` for a component in `default`).
    pub entity: String,
    /// Any JSON object.
    pub values: serde_json::Map<String, Value>,
}

/// Something a plugin adds to the site.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Contribution {
    /// A tab of an entity's page, at `catalog/<ns>/<kind>/<name>/<id>/`.
    EntityTab {
        entity: String,
        /// Lower-case letters, digits and `-`; unique per entity.
        id: String,
        title: String,
        blocks: Vec<Block>,
    },
    /// A card on an entity's Overview tab.
    EntityCard { entity: String, id: String, title: String, blocks: Vec<Block> },
    /// A page of its own at `plugins/<plugin id>/<path>/`.
    Page {
        /// Lower-case path segments separated by `/` (`""` for the plugin's first page).
        path: String,
        title: String,
        blocks: Vec<Block>,
    },
    /// A file copied to `plugins/<plugin id>/<path>`, its content as UTF-8 text or base64.
    Asset {
        path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base64: Option<String>,
    },
    /// A search result of its own, linking to `url` (relative to the site root, or absolute).
    SearchDoc {
        title: String,
        url: String,
        #[serde(default)]
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entity: Option<String>,
    },
}

/// A typed piece of content; each kind is drawn by the theme's `blocks/<kind>.html`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Block {
    /// Markdown, rendered like TechDocs (raw HTML sanitised).
    Markdown {
        text: String,
    },
    /// Key-value pairs, in order.
    Kv {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        items: Vec<KvItem>,
    },
    Table {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        columns: Vec<String>,
        /// Cells are strings, numbers, booleans or null, or `{"text", "url"}` links.
        rows: Vec<Vec<Cell>>,
    },
    /// One number or short value with a label.
    Stat {
        label: String,
        value: Cell,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trend: Option<String>,
    },
    Status {
        /// `ok`, `warning`, `error`, `unknown` or `info`.
        level: StatusLevel,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Links {
        items: Vec<LinkItem>,
    },
    Code {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        text: String,
    },
    Image {
        /// `http(s)` URL, or a path relative to the site root (an `asset` of the plugin).
        src: String,
        alt: String,
    },
    /// HTML, sanitised like raw HTML in docs (no scripts, no event handlers, no styles).
    Html {
        html: String,
    },
    /// A small line chart of values in order (oldest first), e.g. commits per week.
    Sparkline {
        label: String,
        values: Vec<f64>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KvItem {
    pub key: String,
    pub value: Cell,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkItem {
    pub title: String,
    pub url: String,
}

/// A value shown in a table cell, a key-value pair or a stat.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Cell {
    Link { text: String, url: String },
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
    Null,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StatusLevel {
    Ok,
    Warning,
    Error,
    Unknown,
    Info,
}

/// A problem a plugin reports; shown like Portico's own, with the plugin's code.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PluginDiagnostic {
    /// `error`, `warning` or `info`.
    pub level: DiagnosticLevel,
    /// A short kebab-case code (`ci-failing`).
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// A file relative to the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    Error,
    Warning,
    Info,
}

/// The JSON Schemas of the manifest, request and response (file name, pretty JSON).
pub fn schemas() -> Vec<(&'static str, String)> {
    let pretty = |s: schemars::Schema| serde_json::to_string_pretty(&s).expect("schemas serialise") + "\n";
    vec![
        ("plugin-manifest.schema.json", pretty(schemars::schema_for!(Manifest))),
        ("plugin-request.schema.json", pretty(schemars::schema_for!(Request))),
        ("plugin-response.schema.json", pretty(schemars::schema_for!(Response))),
    ]
}

/// Values per entity reference, as `api/facts.json` has them: `{ref: {plugin id: values}}`.
pub type Facts = BTreeMap<String, BTreeMap<String, serde_json::Map<String, Value>>>;

#[cfg(test)]
mod tests {
    /// The published schemas are those of the types (`PORTICO_UPDATE_SCHEMAS=1` rewrites them).
    #[test]
    fn published_schemas_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        for (name, schema) in super::schemas() {
            let path = dir.join(name);
            if std::env::var_os("PORTICO_UPDATE_SCHEMAS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &schema).unwrap();
            }
            let published = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(published == schema, "{name} is out of date: run the test with PORTICO_UPDATE_SCHEMAS=1");
        }
    }

    /// A response using every contribution and block kind deserialises.
    #[test]
    fn a_full_response_parses() {
        let json = r#"{"protocol": 1,
          "facts": [{"entity": "svc-a", "values": {"green": true}}],
          "contributions": [
            {"type": "entity-tab", "entity": "svc-a", "id": "ci", "title": "CI", "blocks": [
              {"type": "markdown", "text": "x"}, {"type": "kv", "items": [{"key": "a", "value": 1}]},
              {"type": "table", "columns": ["a"], "rows": [[{"text": "t", "url": "https://x"}], [null], [true]]},
              {"type": "stat", "label": "runs", "value": 3, "unit": "/day"},
              {"type": "status", "level": "warning", "text": "slow"},
              {"type": "links", "items": [{"title": "t", "url": "https://x"}]},
              {"type": "code", "language": "sh", "text": "make"}, {"type": "image", "src": "a.png", "alt": "a"},
              {"type": "html", "html": "<b>x</b>"}]},
            {"type": "entity-card", "entity": "svc-a", "id": "c", "title": "C", "blocks": []},
            {"type": "page", "path": "", "title": "P", "blocks": []},
            {"type": "asset", "path": "a.txt", "text": "x"},
            {"type": "search-doc", "title": "T", "url": "plugins/x/", "text": "words"}],
          "diagnostics": [{"level": "info", "code": "x", "message": "m", "file": "a.yaml", "line": 3}]}"#;
        let r: super::Response = serde_json::from_str(json).expect("parses");
        assert_eq!(r.contributions.len(), 5);
    }
}
