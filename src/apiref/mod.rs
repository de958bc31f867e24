//! API reference pages for Backstage `API` entities, rendered at build time without JavaScript.
//!
//! Input: an entity's `spec.type` (any case) and the text of its `spec.definition`. Output: an
//! [`ApiReference`]: the HTML body of the reference, the operations it documents (they feed the
//! search index), warnings about the definition, and the language to highlight the raw text in.
//!
//! | `spec.type` | module        | structured view                                   |
//! |-------------|---------------|---------------------------------------------------|
//! | `openapi`   | `openapi.rs`  | OpenAPI 2.0, 3.0, 3.1 (YAML or JSON)              |
//! | `asyncapi`  | `asyncapi.rs` | AsyncAPI 2.x, 3.x (YAML or JSON)                  |
//! | `graphql`   | `graphql.rs`  | GraphQL SDL                                       |
//! | `grpc`      | `grpc.rs`     | protobuf `.proto` source                          |
//! | other       | —             | none: the highlighted source (`trpc`: TypeScript) |
//!
//! `openapi` and `asyncapi` definitions are told apart by their version key (`openapi:`,
//! `swagger:`, `asyncapi:`), not by `spec.type`. JSON Schemas in both go through `schema.rs`
//! (rendering and local `$ref` resolution).
//!
//! Invariants:
//! - Never an error, never a panic: an empty, unparsable or unrecognised definition gives a
//!   warning and the highlighted source as the body (class `api-code`).
//! - Every text and attribute value taken from the definition is HTML-escaped; ids are slugs
//!   (`[A-Za-z0-9._-]`) with a kind prefix and are unique within one body.
//! - Every [`Operation::id`] is the id of an element of [`ApiReference::html`].
//! - Deterministic: the same input gives the same bytes. Output follows document order; no hash
//!   map is iterated. (Definitions are read through [`crate::yaml`], which keeps key order;
//!   `serde_json::Value` would sort keys.)
//! - Descriptions are shown as escaped text paragraphs; Markdown in them is not rendered.
//!
//! # Class names (the theme's contract)
//!
//! Only these classes are emitted, plus the `hl-*` classes of [`crate::highlight`] inside
//! `<pre class="… hl-code">`. A modifier is a second, bare class on the same element.
//!
//! | class             | element and meaning                                                   |
//! |-------------------|-----------------------------------------------------------------------|
//! | `api-ref`         | root `<div>`; modifier names the view: `openapi`, `asyncapi`, `graphql`, `grpc`, `source` |
//! | `api-info`        | `<header>` with title, version and description                        |
//! | `api-title`       | title heading in `api-info`                                            |
//! | `api-version`     | version (or protobuf syntax) label                                    |
//! | `api-description` | `<div>` of description paragraphs                                     |
//! | `api-servers`     | section listing servers                                               |
//! | `api-group`       | section of operations: a tag, channel, service or GraphQL root type   |
//! | `api-op`          | one operation; modifier `deprecated`                                  |
//! | `api-method`      | method badge; modifier is the method in lower case: `get`, `put`, `post`, `delete`, `options`, `head`, `patch`, `trace`, `publish`, `subscribe`, `send`, `receive`, `query`, `mutation`, `subscription`, `rpc` |
//! | `api-path`        | path, channel address, field or rpc name next to the method           |
//! | `api-summary`     | one-line summary of an operation or message                           |
//! | `api-curl`        | an OpenAPI operation as a `curl` command (a `<details>`)                |
//! | `api-signature`   | rpc signature line `(Request) returns (Response)`                     |
//! | `api-keyword`     | a keyword label (`enum`, `default`, `oneOf`, `operationId`, …)        |
//! | `api-badge`       | small label; modifiers: `deprecated`, `required`, `nullable`, `read-only`, `write-only`, `recursive`, `stream`, `repeated`, `optional`, `oneof`, `protocol`, `kind` |
//! | `api-params`      | table of parameters, headers or arguments                             |
//! | `api-fields`      | table of fields (GraphQL types, protobuf messages)                    |
//! | `api-values`      | table of enum values                                                  |
//! | `api-body`        | request body of an operation                                          |
//! | `api-media`       | one media type (content type) with its schema and examples            |
//! | `api-responses`   | list of responses                                                     |
//! | `api-response`    | one response                                                          |
//! | `api-status`      | status code; modifier `s1xx`, `s2xx`, `s3xx`, `s4xx`, `s5xx` or `default` |
//! | `api-message`     | an AsyncAPI message shown inside an operation or channel              |
//! | `api-example`     | example `<pre>` (also `hl-code`)                                      |
//! | `api-schema`      | a rendered JSON Schema                                                |
//! | `api-props`       | `<ul>` of object properties                                           |
//! | `api-prop`        | one property `<li>`                                                   |
//! | `api-prop-name`   | a property, parameter, field or argument name                         |
//! | `api-type`        | a type: `<span>`, or `<a>` to the type's section                      |
//! | `api-format`      | a schema `format` next to the type                                    |
//! | `api-unresolved`  | with `api-type`: a `$ref` or type name that could not be resolved     |
//! | `api-constraints` | `<ul>` of constraints: enum, default, example, limits, pattern, …     |
//! | `api-nested`      | `<details>` holding a nested schema (closed by default)               |
//! | `api-composition` | `allOf` / `oneOf` / `anyOf` alternatives                              |
//! | `api-definitions` | section of definitions: schemas, messages, types, enums, directives   |
//! | `api-def`         | one definition with an anchor                                         |
//! | `api-code`        | the raw definition `<pre>` (also `hl-code`)                           |
//!
//! Id prefixes: `op-` operations, `schema-` schemas, `msg-` messages, `type-` GraphQL types,
//! `directive-` GraphQL directives, `enum-` protobuf enums, `service-` gRPC services, `tag-` tag
//! groups, `channel-` channels, `section-` sections.

use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};

use crate::highlight::highlight;
use crate::packed::Packed;
use crate::yaml::{self, Key, Node, Value};

mod asyncapi;
mod curl;
mod graphql;
mod grpc;
mod openapi;
mod schema;

/// A rendered API reference.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiReference {
    /// The definition format, e.g. `OpenAPI 3.1.0`, `AsyncAPI 2.6.0`, `GraphQL`, `gRPC (proto3)`,
    /// `tRPC`; for other types the `spec.type` as written.
    pub format: String,
    /// The reference body, one `<div class="api-ref …">`, compressed: every reference stays in
    /// memory until the API pages are rendered (5,000 at 10,000 components, about 30 KB each).
    /// See [`ApiReference::html`].
    html: Packed,
    /// Problems with the definition, in document order, each once.
    pub warnings: Vec<String>,
    /// The operations documented in [`ApiReference::html`], in page order.
    pub operations: Vec<Operation>,
    /// Highlight language of the raw definition: `yaml`, `json`, `graphql`, `protobuf`,
    /// `typescript` or `text`.
    #[serde(deserialize_with = "crate::cache::disk::static_str")]
    pub raw_language: crate::cache::disk::Interned,
}

impl ApiReference {
    /// The reference body: one `<div class="api-ref …">`.
    pub fn html(&self) -> String {
        self.html.text()
    }
}

/// One operation of an API, for the search index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Operation {
    /// The id of the operation's element in [`ApiReference::html`].
    pub id: String,
    /// `GET`, `POST`, … (OpenAPI), `PUBLISH`/`SUBSCRIBE` (AsyncAPI 2), `SEND`/`RECEIVE` (AsyncAPI 3),
    /// `query`/`mutation`/`subscription` (GraphQL), `rpc` (gRPC).
    pub method: String,
    /// `/pets/{id}`, a channel address, a webhook or GraphQL field name, or `Service/Method`.
    pub path: String,
    /// The summary, or the first line of the description.
    pub summary: String,
    /// OpenAPI and AsyncAPI tags; the service name for gRPC; the root type for GraphQL.
    pub tags: Vec<String>,
}

/// Renders `definition` as an API reference for an entity of `spec.type` `spec_type`.
pub fn render(spec_type: &str, definition: &str) -> ApiReference {
    let kind = spec_type.trim().to_ascii_lowercase();
    match panic::catch_unwind(AssertUnwindSafe(|| render_kind(&kind, spec_type, definition))) {
        Ok(reference) => reference,
        Err(_) => source_view(
            format_name(&kind, spec_type),
            definition,
            raw_language(&kind, definition),
            vec!["internal error while rendering the API reference; showing the source".to_owned()],
        ),
    }
}

fn render_kind(kind: &str, spec_type: &str, definition: &str) -> ApiReference {
    let language = raw_language(kind, definition);
    if definition.trim().is_empty() {
        return source_view(
            format_name(kind, spec_type),
            definition,
            language,
            vec!["empty API definition".to_owned()],
        );
    }
    match kind {
        "openapi" | "asyncapi" => render_document(kind, spec_type, definition, language),
        "graphql" => graphql::render(definition),
        "grpc" => grpc::render(definition),
        _ => source_view(format_name(kind, spec_type), definition, language, Vec::new()),
    }
}

/// OpenAPI and AsyncAPI: parse YAML or JSON, then dispatch on the version key.
fn render_document(kind: &str, spec_type: &str, definition: &str, language: &'static str) -> ApiReference {
    let label = if kind == "asyncapi" { "AsyncAPI" } else { "OpenAPI" };
    let invalid = |message: String| {
        source_view(format_name(kind, spec_type), definition, language, vec![format!("invalid {label}: {message}")])
    };
    let root = match load(definition) {
        Ok(root) => root,
        Err(message) => return invalid(message),
    };
    if root.as_map().is_none() {
        return invalid(format!("the document is {}, not a mapping", root.type_name()));
    }
    if root.get("asyncapi").is_some() {
        asyncapi::render(&root, language)
    } else if root.get("openapi").is_some() || root.get("swagger").is_some() {
        openapi::render(&root, language)
    } else {
        let expected = if kind == "asyncapi" { "`asyncapi` version key" } else { "`openapi` or `swagger` version key" };
        invalid(format!("the document has no {expected}"))
    }
}

/// Parses a YAML or JSON document (JSON is read as YAML, which keeps key order).
fn load(definition: &str) -> Result<Node, String> {
    let (docs, errors) = yaml::parse_documents(definition);
    if let Some(error) = errors.first() {
        // Flow-style JSON the YAML reader rejects (tabs, odd escapes) may still be valid JSON.
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(definition) {
            return Ok(Node::from_json(&json, Default::default()));
        }
        return Err(match error.pos {
            Some(pos) => format!("line {}, column {}: {}", pos.line, pos.column, error.message),
            None => error.message.clone(),
        });
    }
    docs.into_iter().next().map(|doc| doc.root).ok_or_else(|| "the document is empty".to_owned())
}

/// The reference for a definition shown only as source.
fn source_view(format: String, definition: &str, language: &'static str, warnings: Vec<String>) -> ApiReference {
    let html = format!("<div class=\"api-ref source\">{}</div>", code_block("api-code", definition, language));
    ApiReference { format, html: Packed::new(&html), warnings, operations: Vec::new(), raw_language: language }
}

fn format_name(kind: &str, spec_type: &str) -> String {
    match kind {
        "openapi" => "OpenAPI".to_owned(),
        "asyncapi" => "AsyncAPI".to_owned(),
        "graphql" => "GraphQL".to_owned(),
        "grpc" => "gRPC".to_owned(),
        "trpc" => "tRPC".to_owned(),
        "" => "API definition".to_owned(),
        _ => spec_type.trim().to_owned(),
    }
}

fn raw_language(kind: &str, definition: &str) -> &'static str {
    match kind {
        "openapi" | "asyncapi" if looks_like_json(definition) => "json",
        "openapi" | "asyncapi" => "yaml",
        "graphql" => "graphql",
        "grpc" => "protobuf",
        "trpc" => "typescript",
        _ => detect_language(definition),
    }
}

fn looks_like_json(text: &str) -> bool {
    let text = text.trim_start();
    (text.starts_with('{') || text.starts_with('[')) && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// Guesses the language of a definition of an unknown type from its first meaningful lines.
fn detect_language(text: &str) -> &'static str {
    if looks_like_json(text) {
        return "json";
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//") && !line.starts_with('#') && *line != "---")
        .take(50)
        .collect();
    let starts = |prefixes: &[&str]| lines.iter().any(|line| prefixes.iter().any(|p| line.starts_with(p)));
    if starts(&["syntax = \"proto", "syntax=\"proto", "edition = \""]) {
        "protobuf"
    } else if starts(&["import ", "export ", "const ", "let ", "function ", "declare "]) {
        "typescript"
    } else if starts(&["type ", "schema {", "input ", "extend ", "directive @", "union ", "scalar ", "\"\"\""]) {
        "graphql"
    } else if lines.first().is_some_and(|line| is_yaml_key_line(line)) {
        "yaml"
    } else {
        "text"
    }
}

fn is_yaml_key_line(line: &str) -> bool {
    let Some((key, rest)) = line.split_once(':') else { return false };
    !key.is_empty() && !key.contains(' ') && (rest.is_empty() || rest.starts_with(' '))
}

/// Warnings in first-seen order, each message once.
#[derive(Default)]
pub(crate) struct Warnings {
    list: Vec<String>,
    seen: BTreeSet<String>,
}

impl Warnings {
    pub(crate) fn push(&mut self, message: String) {
        if self.seen.insert(message.clone()) {
            self.list.push(message);
        }
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.list
    }
}

/// Unique element ids within one reference body.
#[derive(Default)]
pub(crate) struct Anchors {
    used: BTreeSet<String>,
}

impl Anchors {
    /// `prefix` + a slug of `name`, with `-2`, `-3`, … appended if already taken.
    pub(crate) fn claim(&mut self, prefix: &str, name: &str) -> String {
        let base = format!("{prefix}{}", slug(name));
        let mut id = base.clone();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// Keeps ASCII letters, digits, `.`, `_` and `-`; every other run of characters becomes one `-`.
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() { "_".to_owned() } else { out.to_owned() }
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    crate::html::escape(text)
}

/// Whether a description uses Markdown (code spans, emphasis, links, lists, headings, quotes,
/// fences): plain text keeps its plain paragraphs.
fn looks_like_markdown(text: &str) -> bool {
    text.contains('`')
        || text.contains("**")
        || text.contains("](")
        || text.lines().any(|l| {
            let l = l.trim_start();
            ["- ", "* ", "# ", "## ", "> ", "1. "].iter().any(|p| l.starts_with(p))
        })
}

/// CommonMark to HTML with raw HTML shown as text (descriptions are untrusted), no classes and
/// no newlines between blocks, then sanitised as docs are.
fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    static CLASS: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#" class="[^"]*""#).expect("static regex"));
    let html = crate::docs::sanitize::clean(&html);
    CLASS.replace_all(&html, "").replace(">\n<", "><").trim_end().to_owned()
}

/// A description: CommonMark (as OpenAPI, AsyncAPI and GraphQL define descriptions), sanitised
/// like docs, without classes; plain text as escaped paragraphs (split at blank lines); nothing
/// for empty text.
pub(crate) fn description(text: &str) -> String {
    if looks_like_markdown(text) {
        let html = markdown(text);
        if html.trim().is_empty() {
            return String::new();
        }
        return format!("<div class=\"api-description\">{html}</div>");
    }
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain([""]) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(format!("<p>{}</p>", esc(current.join("\n").trim())));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if paragraphs.is_empty() {
        String::new()
    } else {
        format!("<div class=\"api-description\">{}</div>", paragraphs.concat())
    }
}

/// A one-line summary of a text for the search index: its first paragraph on one line, cut after
/// the first sentence.
pub(crate) fn summary_of(text: &str) -> String {
    let lines: Vec<&str> =
        text.lines().map(str::trim).skip_while(|line| line.is_empty()).take_while(|line| !line.is_empty()).collect();
    let paragraph = lines.join(" ");
    match paragraph.find(". ") {
        Some(end) => paragraph[..=end].to_owned(),
        None => paragraph,
    }
}

/// A badge: `<span class="api-badge {modifier}">{text}</span>`; both are fixed strings.
pub(crate) fn badge(modifier: &str, text: &str) -> String {
    format!(" <span class=\"api-badge {modifier}\">{}</span>", esc(text))
}

/// A highlighted `<pre>` with class `class` (a fixed string).
pub(crate) fn code_block(class: &str, code: &str, language: &str) -> String {
    let highlighted = highlight(code, Some(language));
    format!("<pre class=\"{class} hl-code\"><code>{}</code></pre>", highlighted.lines.join("\n"))
}

/// An example value: strings as they are, anything else as pretty JSON.
pub(crate) fn example_block(node: &Node) -> String {
    match node.as_str() {
        Some(text) => code_block("api-example", text, "text"),
        None => code_block("api-example", &json(node, true), "json"),
    }
}

/// The `<header class="api-info">` of an OpenAPI or AsyncAPI `info` object.
pub(crate) fn info_header(info: Option<&Node>) -> String {
    let Some(info) = info else { return String::new() };
    let title = str_at(info, "title").unwrap_or("API");
    let mut html = format!("<header class=\"api-info\"><h2 class=\"api-title\">{}</h2>", esc(title));
    if let Some(version) = text_at(info, "version") {
        html.push_str(&format!("<p class=\"api-version\">{}</p>", esc(&version)));
    }
    if let Some(summary) = str_at(info, "summary") {
        html.push_str(&format!("<p class=\"api-summary\">{}</p>", esc(summary)));
    }
    html.push_str(&description(str_at(info, "description").unwrap_or_default()));
    html.push_str("</header>");
    html
}

/// The servers section from `<li>` items; nothing when there are none.
pub(crate) fn servers_section(anchors: &mut Anchors, items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let id = anchors.claim("section-", "servers");
    format!("<section class=\"api-servers\" id=\"{id}\"><h2>Servers</h2><ul>{}</ul></section>", items.concat())
}

/// One server `<li>`: URL, protocol, name, description and variables.
pub(crate) fn server_item(url: &str, protocol: Option<&str>, name: Option<&str>, server: &Node) -> String {
    let mut html = format!("<li><code>{}</code>", esc(url));
    if let Some(protocol) = protocol {
        html.push_str(&badge("protocol", protocol));
    }
    if let Some(name) = name {
        html.push_str(&format!(" {}", esc(name)));
    }
    html.push_str(&description(str_at(server, "description").unwrap_or_default()));
    let mut variables = String::new();
    for (key, variable) in server.get("variables").map(entries).unwrap_or_default() {
        variables.push_str(&format!("<li><span class=\"api-keyword\">{}</span>", esc(&key.name)));
        if let Some(default) = text_at(variable, "default") {
            variables.push_str(&format!(" <code>{}</code>", esc(&default)));
        }
        for value in variable.get("enum").map(items).unwrap_or_default() {
            variables.push_str(&format!(" <code>{}</code>", esc(&display_value(value))));
        }
        if let Some(text) = str_at(variable, "description") {
            variables.push_str(&format!(" {}", esc(text)));
        }
        variables.push_str("</li>");
    }
    if !variables.is_empty() {
        html.push_str(&format!("<ul class=\"api-constraints\">{variables}</ul>"));
    }
    html.push_str("</li>");
    html
}

/// The entries of a mapping node, or none.
pub(crate) fn entries(node: &Node) -> &[(Key, Node)] {
    node.as_map().unwrap_or_default()
}

/// The items of a sequence node, or none.
pub(crate) fn items(node: &Node) -> &[Node] {
    node.as_seq().unwrap_or_default()
}

/// The string under `key`, if the node is a mapping and the value a string.
pub(crate) fn str_at<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

/// The scalar under `key` as text (strings, numbers and booleans).
pub(crate) fn text_at(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(scalar)
}

/// Whether `key` holds `true`.
pub(crate) fn is_true(node: &Node, key: &str) -> bool {
    matches!(node.get(key).map(|n| &n.value), Some(Value::Bool(true)))
}

/// A scalar as text; `None` for null, sequences and mappings.
pub(crate) fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Bool(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_) => Some(json(node, false)),
        _ => None,
    }
}

/// A value for display: strings as they are, anything else as compact JSON.
pub(crate) fn display_value(node: &Node) -> String {
    node.as_str().map_or_else(|| json(node, false), str::to_owned)
}

/// JSON text of a node, in document key order; nesting deeper than 64 levels is elided.
pub(crate) fn json(node: &Node, pretty: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, node, pretty.then_some(0), 0);
    out
}

fn write_json(out: &mut String, node: &Node, indent: Option<usize>, depth: usize) {
    if depth > 64 {
        out.push_str("\"…\"");
        return;
    }
    let newline = |out: &mut String, level: usize| {
        if indent.is_some() {
            out.push('\n');
            out.push_str(&"  ".repeat(level));
        }
    };
    let level = indent.unwrap_or(0);
    let separator = if indent.is_some() { ": " } else { ":" };
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::UInt(u) => out.push_str(&u.to_string()),
        Value::Float(f) => {
            out.push_str(&serde_json::Number::from_f64(*f).map_or_else(|| "null".to_owned(), |n| n.to_string()))
        }
        Value::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
        Value::Seq(seq) if seq.is_empty() => out.push_str("[]"),
        Value::Map(map) if map.is_empty() => out.push_str("{}"),
        Value::Seq(seq) => {
            out.push('[');
            for (i, item) in seq.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                write_json(out, item, indent.map(|l| l + 1), depth + 1);
            }
            newline(out, level);
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, level + 1);
                out.push_str(&serde_json::Value::from(key.name.as_str()).to_string());
                out.push_str(separator);
                write_json(out, value, indent.map(|l| l + 1), depth + 1);
            }
            newline(out, level);
            out.push('}');
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Real definitions for the per-format tests.

    use std::path::Path;

    /// A file under the project's `content-example/services/`.
    pub(crate) fn content_example(path: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example/services").join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The inline `spec.definition` of one of Backstage's example API entities.
    pub(crate) fn backstage_example(file: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/backstage-examples/backstage/packages/catalog-model/examples/apis")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (docs, errors) = crate::yaml::parse_documents(&text);
        assert!(errors.is_empty(), "{file}: {errors:?}");
        let spec = docs[0].root.get("spec").expect("spec");
        spec.get("definition").and_then(|d| d.as_str()).expect("inline definition").to_owned()
    }

    /// Panics if `html` contains a `<script` tag.
    pub(crate) fn assert_no_raw_script(html: &str) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "unescaped script in {html}");
    }

    /// Every operation id is an element id, every `href="#…"` has a target, ids are unique, no
    /// raw script, and only documented classes are used.
    pub(crate) fn assert_anchors(reference: &super::ApiReference) {
        let html = &reference.html();
        for op in &reference.operations {
            assert_eq!(html.matches(&format!(" id=\"{}\"", op.id)).count(), 1, "operation anchor {}", op.id);
        }
        for href in html.split("href=\"#").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            assert!(html.contains(&format!(" id=\"{href}\"")), "dangling link #{href}");
        }
        let ids: Vec<&str> = html.split(" id=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
        let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate ids");
        assert_no_raw_script(html);
        let documented = include_str!("mod.rs");
        for attribute in html.split("class=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]) {
            for class in attribute.split(' ').filter(|c| !c.starts_with("hl-")) {
                assert!(documented.contains(&format!("`{class}`")), "undocumented class {class:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_unique_anchors() {
        let cases = [
            ("Pet", "schema-Pet"),
            ("get /pets/{petId}", "schema-get-pets-petId"),
            ("a<b>\"c\"", "schema-a-b-c"),
            ("", "schema-_"),
            ("Größe", "schema-Gr-e"),
        ];
        for (name, expected) in cases {
            assert_eq!(Anchors::default().claim("schema-", name), expected, "{name:?}");
        }
        let mut anchors = Anchors::default();
        assert_eq!(anchors.claim("op-", "list"), "op-list");
        assert_eq!(anchors.claim("op-", "list"), "op-list-2");
        assert_eq!(anchors.claim("op-", "list-2"), "op-list-2-2");
    }

    #[test]
    fn languages_are_detected_from_content() {
        let cases = [
            ("{\"openapi\": \"3.0.0\"}", "json"),
            ("// c\nsyntax = \"proto3\";\nmessage A {}", "protobuf"),
            ("import { z } from 'zod';\nexport const r = 1;", "typescript"),
            ("type Query {\n  a: Int\n}", "graphql"),
            ("# comment\nopenapi: 3.0.0\ninfo: {}", "yaml"),
            ("just some words", "text"),
            ("{ not json", "text"),
        ];
        for (text, expected) in cases {
            assert_eq!(detect_language(text), expected, "{text:?}");
        }
    }

    #[test]
    fn other_types_are_highlighted_source() {
        let trpc = fixtures::backstage_example("hello-world-trpc-api.yaml");
        let got = render("tRPC", &trpc);
        assert_eq!(got.format, "tRPC");
        assert_eq!(got.raw_language, "typescript");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert!(got.operations.is_empty());
        assert!(got.html().starts_with("<div class=\"api-ref source\"><pre class=\"api-code hl-code\"><code>"));
        assert!(got.html().contains("<span class=\"hl-"), "highlighted: {}", got.html());
        assert!(got.html().contains("publicProcedure"));

        let got = render("mcp-server", "name: x\nremotes: []\n");
        assert_eq!((got.format.as_str(), got.raw_language), ("mcp-server", "yaml"));
        assert!(got.warnings.is_empty());
    }

    #[test]
    fn empty_and_invalid_definitions_show_the_source() {
        let cases = [
            ("openapi", "", "empty API definition"),
            ("asyncapi", "  \n", "empty API definition"),
            ("graphql", "", "empty API definition"),
            ("openapi", "openapi: [3.0\ninfo: {", "invalid OpenAPI: line"),
            ("openapi", "{\"openapi\": \"3.0.0\", \"paths\": ", "invalid OpenAPI: "),
            (
                "openapi",
                "name: not an api\n",
                "invalid OpenAPI: the document has no `openapi` or `swagger` version key",
            ),
            ("openapi", "- a\n- b\n", "invalid OpenAPI: the document is a list, not a mapping"),
            ("asyncapi", "title: nope\n", "invalid AsyncAPI: the document has no `asyncapi` version key"),
            ("grpc", "syntax = \"proto3\";\nmessage A { string a = ; }\n", "invalid protobuf"),
            ("graphql", "}}} {{{", "GraphQL syntax error"),
        ];
        for (kind, definition, warning) in cases {
            let got = render(kind, definition);
            assert!(
                got.warnings.iter().any(|w| w.starts_with(warning)),
                "{kind} {definition:?}: expected {warning:?} in {:?}",
                got.warnings
            );
            assert!(got.html().contains("<pre class=\"api-code hl-code\">"), "{kind} {definition:?}: {}", got.html());
            assert!(got.operations.is_empty());
        }
    }

    #[test]
    fn json_keeps_document_order_and_escapes() {
        let (docs, _) = yaml::parse_documents("b: 1\na: [x, \"<y>\", 1.5, true, null]\nc: {}\n");
        let root = &docs[0].root;
        assert_eq!(json(root, false), r#"{"b":1,"a":["x","<y>",1.5,true,null],"c":{}}"#);
        assert_eq!(
            json(root, true),
            "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    \"<y>\",\n    1.5,\n    true,\n    null\n  ],\n  \"c\": {}\n}"
        );
        assert_eq!(
            description("a <b>\nc\n\n\nd & e\n"),
            "<div class=\"api-description\"><p>a &lt;b&gt;\nc</p><p>d &amp; e</p></div>"
        );
        assert_eq!(description("  \n"), "");
    }

    #[test]
    fn truncated_definitions_never_fail() {
        let cases = [
            ("openapi", fixtures::content_example("order-service/openapi.yaml")),
            ("asyncapi", fixtures::content_example("tracking-service/asyncapi.yaml")),
            ("graphql", fixtures::content_example("customer-bff/schema.graphql")),
            ("grpc", fixtures::content_example("route-planner/service.proto")),
        ];
        for (kind, definition) in cases {
            for cut in (0..definition.len()).step_by(definition.len() / 40).filter(|&c| definition.is_char_boundary(c))
            {
                let got = render(kind, &definition[..cut]);
                assert!(
                    !got.warnings.iter().any(|w| w.starts_with("internal error")),
                    "{kind} cut at {cut}: {:?}",
                    got.warnings
                );
                assert!(got.html().starts_with("<div class=\"api-ref "), "{kind} cut at {cut}");
            }
        }
    }

    /// Markdown descriptions are rendered (issue 16), raw HTML in them shown as text; plain
    /// text keeps its paragraphs.
    #[test]
    fn descriptions_render_markdown_safely() {
        assert_eq!(
            super::description("Returns a `Pet`. See [the guide](https://example.com/g).\n\n- one\n- two <b>x</b>"),
            "<div class=\"api-description\"><p>Returns a <code>Pet</code>. See <a href=\"https://example.com/g\" rel=\"noopener\">the guide</a>.</p><ul><li>one</li><li>two &lt;b&gt;x&lt;/b&gt;</li></ul></div>"
        );
        assert_eq!(
            super::description("plain <b>text</b>\n\nsecond"),
            "<div class=\"api-description\"><p>plain &lt;b&gt;text&lt;/b&gt;</p><p>second</p></div>"
        );
        assert!(!super::description("`x` [a](javascript:alert(1))").contains("javascript:"));
    }
}
