//! Local `$ref` resolution and JSON Schema rendering, shared by OpenAPI and AsyncAPI.
//!
//! Input: the root node of a definition; schemas (and parameters, responses, messages, …) inside
//! it. Output: resolved nodes, and HTML for schemas: a type label, badges, description,
//! constraints and a property tree with nested objects in `<details class="api-nested">`.
//!
//! Invariants:
//! - Only local references (`#/…`, JSON Pointer with `~0`/`~1` and percent escapes) resolve.
//!   External and unresolvable references are shown as text (`api-type api-unresolved`) and
//!   warned about once each; a `$ref` chain that loops is a warning, not a hang.
//! - Cycle-safe: a reference that is already being expanded is not expanded again; it is shown as
//!   a link to its section (when it has one) with a `recursive` badge.
//! - Bounded: at most [`MAX_DEPTH`] nested levels and [`MAX_ROWS`] property rows per top-level
//!   schema are expanded, and a `$ref` only down to [`MAX_REF_DEPTH`]; past that, referenced
//!   types are links only (every registered definition is expanded in its own section).
//! - Definitions registered with [`Resolver::register`] get an anchor; every reference to them
//!   becomes `<a class="api-type" href="#anchor">`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::yaml::{Node, Value};

use super::{Anchors, Warnings, badge, description, display_value, entries, esc, is_true, items, scalar, str_at};

/// Nested levels expanded below a top-level schema.
pub(crate) const MAX_DEPTH: usize = 5;
/// Property rows expanded per top-level schema.
pub(crate) const MAX_ROWS: usize = 100;
/// Nested levels at which a `$ref` is still expanded; deeper ones are links to their section,
/// which expands them in turn. Keeps pages of richly cross-referenced specs linear in size.
pub(crate) const MAX_REF_DEPTH: usize = 1;
/// Recursion guard for `items` of `items` of …, which do not add a level.
const MAX_NESTING: usize = 32;
/// Longest `$ref` -> `$ref` chain followed.
const MAX_HOPS: usize = 16;
/// Deepest type label (`array[array[…]]`).
const MAX_LABEL_DEPTH: usize = 8;

/// Schema keywords shown in the constraints list, in this order (`enum`, examples and
/// `additionalProperties: false` are handled separately).
const CONSTRAINTS: &[&str] = &[
    "const",
    "default",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "contentEncoding",
    "contentMediaType",
];

/// Where a definition registered with [`Resolver::register`] is rendered.
#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub(crate) anchor: String,
    pub(crate) label: String,
}

/// A named definition (component schema, message, …) with its anchor.
pub(crate) struct Definition<'a> {
    pub(crate) name: &'a str,
    pub(crate) anchor: String,
    pub(crate) pointer: String,
    pub(crate) node: &'a Node,
}

/// Where a `$ref` chain led.
pub(crate) struct Target<'a> {
    /// The node at the end of the chain, or the `$ref` node itself when it is broken.
    pub(crate) node: &'a Node,
    /// The first pointer of the chain, canonical (`#/components/schemas/Pet`).
    pub(crate) pointer: Option<String>,
    /// The reference as written, when it could not be resolved.
    pub(crate) broken: Option<&'a str>,
}

/// Resolves local references in one definition and renders its schemas.
pub(crate) struct Resolver<'a> {
    root: &'a Node,
    links: BTreeMap<String, Link>,
    cache: HashMap<String, Option<&'a Node>>,
    pub(crate) warnings: Warnings,
}

/// State of one top-level schema rendering.
struct Walk {
    /// Pointers being expanded, outermost first.
    stack: Vec<String>,
    rows: usize,
    nesting: usize,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(root: &'a Node) -> Self {
        Resolver { root, links: BTreeMap::new(), cache: HashMap::new(), warnings: Warnings::default() }
    }

    /// Gives every entry of the mapping at `path` an anchor `prefix` + name; references to them
    /// become links. Returns the entries in document order.
    pub(crate) fn register(&mut self, path: &[&str], prefix: &str, anchors: &mut Anchors) -> Vec<Definition<'a>> {
        let mut node = Some(self.root);
        for segment in path {
            node = node.and_then(|n| n.get(segment));
        }
        let Some(map) = node else { return Vec::new() };
        let base: String = path.iter().map(|s| format!("/{}", escape_segment(s))).collect();
        entries(map)
            .iter()
            .map(|(key, value)| {
                let pointer = format!("#{base}/{}", escape_segment(&key.name));
                let anchor = anchors.claim(prefix, &key.name);
                self.links.insert(pointer.clone(), Link { anchor: anchor.clone(), label: key.name.clone() });
                Definition { name: &key.name, anchor, pointer, node: value }
            })
            .collect()
    }

    /// Adds a link for `pointer` (definitions anchored outside [`Resolver::register`]).
    pub(crate) fn add_link(&mut self, pointer: String, link: Link) {
        self.links.insert(pointer, link);
    }

    /// The link of a canonical pointer, if it names a registered definition.
    pub(crate) fn link(&self, pointer: &str) -> Option<&Link> {
        self.links.get(pointer)
    }

    pub(crate) fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    /// Follows `node`'s `$ref` chain; a node without `$ref` is its own target.
    pub(crate) fn resolve(&mut self, node: &'a Node) -> Target<'a> {
        let mut current = node;
        let mut first = None;
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..MAX_HOPS {
            let Some(reference) = ref_of(current) else {
                return Target { node: current, pointer: first, broken: None };
            };
            let Some(pointer) = canonical(reference) else {
                self.warn(format!("external $ref {reference} is not resolved (only local `#/…` references are)"));
                return Target { node, pointer: None, broken: Some(reference) };
            };
            if seen.contains(&pointer) {
                self.warn(format!("circular $ref {reference}"));
                return Target { node, pointer: None, broken: Some(reference) };
            }
            match self.lookup(&pointer) {
                Some(next) => current = next,
                None => {
                    self.warn(format!("unresolved $ref {reference}"));
                    return Target { node, pointer: None, broken: Some(reference) };
                }
            }
            first.get_or_insert_with(|| pointer.clone());
            seen.push(pointer);
        }
        self.warn(format!("$ref chain longer than {MAX_HOPS} at {}", ref_of(node).unwrap_or_default()));
        Target { node, pointer: None, broken: ref_of(node) }
    }

    /// The node a canonical pointer names. A segment below a `$ref` node (a path into a referenced
    /// channel or schema) continues in the reference's target.
    fn lookup(&mut self, pointer: &str) -> Option<&'a Node> {
        self.lookup_at(pointer, 0)
    }

    fn lookup_at(&mut self, pointer: &str, depth: usize) -> Option<&'a Node> {
        if let Some(hit) = self.cache.get(pointer) {
            return *hit;
        }
        let mut node = Some(self.root);
        for segment in segments(pointer) {
            let Some(current) = node else { break };
            node = step(current, &segment);
            if node.is_none()
                && depth < MAX_HOPS
                && let Some(target) = ref_of(current).and_then(canonical)
            {
                node = self.lookup_at(&target, depth + 1).and_then(|n| step(n, &segment));
            }
        }
        self.cache.insert(pointer.to_owned(), node);
        node
    }

    /// The first registered definition along `node`'s `$ref` chain (a channel message that refers
    /// to a component message links to the component).
    pub(crate) fn chain_link(&mut self, node: &'a Node) -> Option<Link> {
        let mut current = node;
        for _ in 0..MAX_HOPS {
            let pointer = canonical(ref_of(current)?)?;
            if let Some(link) = self.links.get(&pointer) {
                return Some(link.clone());
            }
            current = self.lookup(&pointer)?;
        }
        None
    }

    /// The "Schemas" section: every definition of `defs` under its anchor; nothing when empty.
    pub(crate) fn schemas_section(&mut self, anchors: &mut Anchors, defs: &[Definition<'a>]) -> String {
        if defs.is_empty() {
            return String::new();
        }
        let id = anchors.claim("section-", "schemas");
        let mut html = format!("<section class=\"api-definitions\" id=\"{id}\"><h2>Schemas</h2>");
        for def in defs {
            let block = self.schema_block(def.node, Some(&def.pointer));
            html.push_str(&format!(
                "<section class=\"api-def\" id=\"{}\"><h3>{}</h3>{block}</section>",
                esc(&def.anchor),
                esc(def.name)
            ));
        }
        html.push_str("</section>");
        html
    }

    /// A complete schema block: type line, badges, description, constraints and properties.
    /// `own` is the pointer of the schema itself when it is a registered definition.
    pub(crate) fn schema_block(&mut self, schema: &'a Node, own: Option<&str>) -> String {
        let mut walk = Walk { stack: own.map(str::to_owned).into_iter().collect(), rows: 0, nesting: 0 };
        let label = self.label(schema, 0);
        let badges = self.badges(schema, false, &walk);
        let facts = format!("{}{}", self.describe(schema), self.constraints(schema, ""));
        let body = self.body(schema, 0, &mut walk).map(|(_, html)| html).unwrap_or_default();
        format!("<div class=\"api-schema\"><p>{label}{badges}</p>{facts}{body}</div>")
    }

    /// The type of a schema as HTML: a link for registered references, `array[…]`, `a | b`, and
    /// the format.
    pub(crate) fn label(&mut self, schema: &'a Node, depth: usize) -> String {
        if depth > MAX_LABEL_DEPTH {
            return "<span class=\"api-type\">…</span>".to_owned();
        }
        if ref_of(schema).is_some() {
            let target = self.resolve(schema);
            if let Some(reference) = target.broken {
                return format!("<span class=\"api-type api-unresolved\">{}</span>", esc(reference));
            }
            if let Some(link) = target.pointer.as_deref().and_then(|p| self.links.get(p)) {
                return format!("<a class=\"api-type\" href=\"#{}\">{}</a>", esc(&link.anchor), esc(&link.label));
            }
            return self.label(target.node, depth + 1);
        }
        let types = type_names(schema);
        let text = if types == ["array"] || (types.is_empty() && schema.get("items").is_some()) {
            match schema.get("items") {
                Some(items) => format!("<span class=\"api-type\">array[{}]</span>", self.label(items, depth + 1)),
                None => "<span class=\"api-type\">array</span>".to_owned(),
            }
        } else if !types.is_empty() {
            format!("<span class=\"api-type\">{}</span>", esc(&types.join(" | ")))
        } else if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
            "<span class=\"api-type\">object</span>".to_owned()
        } else if let Some((keyword, alternatives)) = composition(schema) {
            let alternatives = items(alternatives);
            if keyword == "allOf" && alternatives.len() == 1 {
                return self.label(&alternatives[0], depth + 1);
            } else if keyword != "allOf" && (1..=4).contains(&alternatives.len()) {
                let labels: Vec<String> = alternatives.iter().map(|alt| self.label(alt, depth + 1)).collect();
                labels.join(" | ")
            } else {
                let word = if keyword == "allOf" { "object" } else { keyword };
                format!("<span class=\"api-type\">{word}</span>")
            }
        } else if let Some(values) = schema.get("enum").and_then(Node::as_seq) {
            let word = if values.iter().all(|v| v.as_str().is_some()) { "string" } else { "enum" };
            format!("<span class=\"api-type\">{word}</span>")
        } else {
            "<span class=\"api-type\">any</span>".to_owned()
        };
        match str_at(schema, "format") {
            Some(format) => format!("{text} <span class=\"api-format\">{}</span>", esc(format)),
            None => text,
        }
    }

    /// Inline badges: required, deprecated, nullable, read-only, write-only, recursive.
    fn badges(&mut self, schema: &'a Node, required: bool, walk: &Walk) -> String {
        let target = self.resolve(schema);
        let flag = |key: &str| is_true(schema, key) || is_true(target.node, key);
        let mut out = String::new();
        if required {
            out.push_str(&badge("required", "required"));
        }
        if flag("deprecated") {
            out.push_str(&badge("deprecated", "deprecated"));
        }
        if flag("nullable") || flag("x-nullable") || has_null_type(target.node) {
            out.push_str(&badge("nullable", "nullable"));
        }
        if flag("readOnly") {
            out.push_str(&badge("read-only", "read-only"));
        }
        if flag("writeOnly") {
            out.push_str(&badge("write-only", "write-only"));
        }
        if target.pointer.as_ref().is_some_and(|p| walk.stack.contains(p)) {
            out.push_str(&badge("recursive", "recursive"));
        }
        out
    }

    /// The description of a schema (a `$ref`'s own `description` wins over the target's).
    pub(crate) fn describe(&mut self, schema: &'a Node) -> String {
        let target = self.resolve(schema);
        str_at(schema, "description")
            .or_else(|| str_at(target.node, "description"))
            .map(description)
            .unwrap_or_default()
    }

    /// The constraints list of a schema (enum, default, examples, limits, …), with `extra`
    /// `<li>` items appended; empty when there are none.
    pub(crate) fn constraints(&mut self, schema: &'a Node, extra: &str) -> String {
        let target = self.resolve(schema).node;
        let get = |key: &str| schema.get(key).or_else(|| target.get(key));
        let mut out = String::new();
        let mut values = |keyword: &str, list: &[Node]| {
            if !list.is_empty() {
                let codes: Vec<String> =
                    list.iter().map(|v| format!("<code>{}</code>", esc(&display_value(v)))).collect();
                out.push_str(&format!("<li><span class=\"api-keyword\">{keyword}</span> {}</li>", codes.join(" ")));
            }
        };
        values("enum", get("enum").map(items).unwrap_or_default());
        let is_array = type_names(target) == ["array"];
        if is_array && let Some(item) = target.get("items").filter(|item| ref_of(item).is_none()) {
            values("items enum", item.get("enum").map(items).unwrap_or_default());
        }
        for keyword in CONSTRAINTS {
            if let Some(value) = get(keyword) {
                values(keyword, std::slice::from_ref(value));
            }
        }
        if let Some(example) = get("example") {
            values("example", std::slice::from_ref(example));
        }
        if let Some(examples) = get("examples").and_then(Node::as_seq) {
            values("examples", examples);
        }
        if let Some(value) = get("additionalProperties").filter(|v| matches!(v.value, Value::Bool(false))) {
            values("additionalProperties", std::slice::from_ref(value));
        }
        if let Some(property) = get("discriminator").and_then(|d| str_at(d, "propertyName")) {
            out.push_str(&format!(
                "<li><span class=\"api-keyword\">discriminator</span> <code>{}</code></li>",
                esc(property)
            ));
        }
        out.push_str(extra);
        if out.is_empty() { out } else { format!("<ul class=\"api-constraints\">{out}</ul>") }
    }

    /// The expandable part of a schema (properties, items, alternatives) with a word for the
    /// `<summary>`, or `None` when there is nothing to expand or a limit is reached.
    fn body(&mut self, schema: &'a Node, depth: usize, walk: &mut Walk) -> Option<(&'static str, String)> {
        if depth > MAX_DEPTH || walk.rows >= MAX_ROWS || walk.nesting >= MAX_NESTING {
            return None;
        }
        let target = self.resolve(schema);
        if target.broken.is_some() {
            return None;
        }
        if let Some(pointer) = &target.pointer {
            if walk.stack.contains(pointer) || depth > MAX_REF_DEPTH {
                return None;
            }
            walk.stack.push(pointer.clone());
        }
        walk.nesting += 1;
        let result = self.body_of(target.node, depth, walk);
        walk.nesting -= 1;
        if target.pointer.is_some() {
            walk.stack.pop();
        }
        result
    }

    fn body_of(&mut self, schema: &'a Node, depth: usize, walk: &mut Walk) -> Option<(&'static str, String)> {
        let mut kind = None;
        let mut html = String::new();
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut unmerged = Vec::new();
        self.collect(schema, &mut props, &mut required, &mut unmerged, walk, 0);
        let additional = schema.get("additionalProperties").filter(|a| a.as_map().is_some());
        if !props.is_empty() || additional.is_some() {
            kind = Some("properties");
            html.push_str("<ul class=\"api-props\">");
            for (name, prop) in props {
                let is_required = required.contains(name);
                let name = format!("<code class=\"api-prop-name\">{}</code>", esc(name));
                html.push_str(&self.row(&name, prop, is_required, depth, walk));
            }
            if let Some(additional) = additional {
                let name = "<span class=\"api-keyword\">additionalProperties</span>";
                html.push_str(&self.row(name, additional, false, depth, walk));
            }
            html.push_str("</ul>");
        }
        if !unmerged.is_empty() {
            kind.get_or_insert("allOf");
            html.push_str(&self.alternatives("allOf", &unmerged, depth, walk));
        }
        for keyword in ["oneOf", "anyOf"] {
            let alternatives: Vec<&'a Node> = schema.get(keyword).map(items).unwrap_or_default().iter().collect();
            if !alternatives.is_empty() {
                kind.get_or_insert(keyword);
                html.push_str(&self.alternatives(keyword, &alternatives, depth, walk));
            }
        }
        if kind.is_none()
            && let Some(item) = schema.get("items").filter(|i| i.as_map().is_some())
            && let Some((_, items_html)) = self.body(item, depth, walk)
        {
            kind = Some("items");
            html.push_str(&items_html);
        }
        kind.map(|kind| (kind, html))
    }

    /// Gathers the properties of `schema` and of its `allOf` parts (resolved, not recursive);
    /// parts that cannot be merged go to `unmerged`.
    fn collect(
        &mut self,
        schema: &'a Node,
        props: &mut Vec<(&'a str, &'a Node)>,
        required: &mut BTreeSet<&'a str>,
        unmerged: &mut Vec<&'a Node>,
        walk: &Walk,
        depth: usize,
    ) {
        for (key, prop) in schema.get("properties").map(entries).unwrap_or_default() {
            match props.iter_mut().find(|(name, _)| *name == key.name) {
                Some(existing) => existing.1 = prop,
                None => props.push((&key.name, prop)),
            }
        }
        required.extend(schema.get("required").map(items).unwrap_or_default().iter().filter_map(Node::as_str));
        for part in schema.get("allOf").map(items).unwrap_or_default() {
            let target = self.resolve(part);
            let on_stack = target.pointer.as_ref().is_some_and(|p| walk.stack.contains(p));
            let mergeable = target.node.get("properties").is_some() || target.node.get("allOf").is_some();
            if target.broken.is_none() && !on_stack && mergeable && depth < MAX_DEPTH {
                self.collect(target.node, props, required, unmerged, walk, depth + 1);
            } else if target.broken.is_some() || target.node.get("required").is_none() || on_stack {
                unmerged.push(part);
            } else {
                required
                    .extend(target.node.get("required").map(items).unwrap_or_default().iter().filter_map(Node::as_str));
            }
        }
    }

    /// One property row with its nested schema.
    fn row(&mut self, name: &str, schema: &'a Node, required: bool, depth: usize, walk: &mut Walk) -> String {
        walk.rows += 1;
        let label = self.label(schema, 0);
        let badges = self.badges(schema, required, walk);
        let facts = format!("{}{}", self.describe(schema), self.constraints(schema, ""));
        let nested = match self.body(schema, depth + 1, walk) {
            Some((kind, html)) => format!("<details class=\"api-nested\"><summary>{kind}</summary>{html}</details>"),
            None => String::new(),
        };
        let gap = if name.is_empty() { "" } else { " " };
        format!("<li class=\"api-prop\">{name}{gap}{label}{badges}{facts}{nested}</li>")
    }

    fn alternatives(&mut self, keyword: &str, alternatives: &[&'a Node], depth: usize, walk: &mut Walk) -> String {
        let mut html = format!("<div class=\"api-composition\"><span class=\"api-keyword\">{keyword}</span><ol>");
        for alternative in alternatives {
            html.push_str(&self.row("", alternative, false, depth, walk));
        }
        html.push_str("</ol></div>");
        html
    }
}

/// The child of a mapping (by key) or sequence (by index).
fn step<'n>(node: &'n Node, segment: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(map) => map.iter().find(|(k, _)| k.name == segment).map(|(_, v)| v),
        Value::Seq(seq) => segment.parse::<usize>().ok().and_then(|i| seq.get(i)),
        _ => None,
    }
}

/// The `$ref` of a mapping node.
pub(crate) fn ref_of(node: &Node) -> Option<&str> {
    str_at(node, "$ref")
}

/// The first composition keyword of a schema and its list.
fn composition(schema: &Node) -> Option<(&'static str, &Node)> {
    ["oneOf", "anyOf", "allOf"].into_iter().find_map(|k| schema.get(k).filter(|v| v.as_seq().is_some()).map(|v| (k, v)))
}

/// `type` as a list of names without `null` (`type: [string, 'null']` -> `["string"]`).
fn type_names(schema: &Node) -> Vec<String> {
    match schema.get("type") {
        Some(node) => match node.as_seq() {
            Some(list) => list.iter().filter_map(scalar).filter(|t| t != "null").collect(),
            None => scalar(node).filter(|t| t != "null").into_iter().collect(),
        },
        None => Vec::new(),
    }
}

fn has_null_type(schema: &Node) -> bool {
    schema.get("type").and_then(Node::as_seq).is_some_and(|list| list.iter().any(|t| t.as_str() == Some("null")))
}

/// The canonical form of a local reference (`#/a/b~1c`), or `None` for an external one.
pub(crate) fn canonical(reference: &str) -> Option<String> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some("#".to_owned());
    }
    let pointer = pointer.strip_prefix('/')?;
    let segments: Vec<String> =
        pointer.split('/').map(|s| escape_segment(&unescape_segment(&percent_decode(s)))).collect();
    Some(format!("#/{}", segments.join("/")))
}

/// The unescaped segments of a canonical pointer.
fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.strip_prefix("#/").into_iter().flat_map(|p| p.split('/')).map(unescape_segment)
}

pub(crate) fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn doc(text: &str) -> Node {
        let (docs, errors) = parse_documents(text);
        assert!(errors.is_empty(), "{errors:?}");
        docs.into_iter().next().unwrap().root
    }

    #[test]
    fn pointers_are_canonical() {
        let cases = [
            ("#/components/schemas/Pet", Some("#/components/schemas/Pet")),
            ("#/paths/~1pets~1{id}/get", Some("#/paths/~1pets~1{id}/get")),
            ("#/paths/%7Bx%7D/a%20b", Some("#/paths/{x}/a b")),
            ("#/a~0b", Some("#/a~0b")),
            ("#", Some("#")),
            ("other.yaml#/components/schemas/Pet", None),
            ("https://example.com/s.json", None),
            ("#bad", None),
        ];
        for (reference, expected) in cases {
            assert_eq!(canonical(reference).as_deref(), expected, "{reference}");
        }
        assert_eq!(segments("#/paths/~1pets~1{id}/get").collect::<Vec<_>>(), ["paths", "/pets/{id}", "get"]);
    }

    #[test]
    fn cycles_terminate_and_link() {
        let root = doc(concat!(
            "components:\n  schemas:\n",
            "    Node:\n      type: object\n      properties:\n",
            "        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n",
            "        parent: {$ref: '#/components/schemas/Node'}\n",
            "        other: {$ref: '#/components/schemas/A'}\n",
            "    A:\n      properties:\n        b: {$ref: '#/components/schemas/B'}\n",
            "    B:\n      properties:\n        a: {$ref: '#/components/schemas/A'}\n",
            "    Loop: {$ref: '#/components/schemas/Loop'}\n",
        ));
        let mut anchors = Anchors::default();
        let mut resolver = Resolver::new(&root);
        let defs = resolver.register(&["components", "schemas"], "schema-", &mut anchors);
        assert_eq!(
            defs.iter().map(|d| d.anchor.as_str()).collect::<Vec<_>>(),
            ["schema-Node", "schema-A", "schema-B", "schema-Loop"]
        );
        let html = resolver.schema_block(defs[0].node, Some(&defs[0].pointer));
        assert!(html.contains("array[<a class=\"api-type\" href=\"#schema-Node\">Node</a>]"), "{html}");
        assert!(html.contains("<span class=\"api-badge recursive\">recursive</span>"), "{html}");
        // A is expanded once below Node; B below A is deeper than MAX_REF_DEPTH, so a link.
        assert_eq!(html.matches("<details class=\"api-nested\">").count(), 1, "{html}");
        assert!(html.contains("<code class=\"api-prop-name\">b</code> <a class=\"api-type\" href=\"#schema-B\">B</a>"));
        // Expanding A from the outside: B once, then A is recursive.
        let html = resolver.schema_block(defs[1].node, Some(&defs[1].pointer));
        assert_eq!(html.matches("<details").count(), 1, "{html}");
        assert!(html.contains("<code class=\"api-prop-name\">a</code> <a class=\"api-type\" href=\"#schema-A\">A</a> <span class=\"api-badge recursive\">"));
        assert!(resolver.warnings.list.is_empty(), "{:?}", resolver.warnings.list);
        // A reference to itself is a warning and unresolved text.
        let html = resolver.schema_block(defs[3].node, None);
        assert!(html.contains("api-unresolved"), "{html}");
        assert_eq!(resolver.warnings.list, ["circular $ref #/components/schemas/Loop"]);
    }

    #[test]
    fn depth_and_rows_are_bounded() {
        // 8 levels of inline objects: MAX_DEPTH levels are expanded. (Deeper YAML overflows the
        // 2 MiB test-thread stack in `crate::yaml` in debug builds, at about 35 levels.)
        let mut text = String::from("components:\n  schemas:\n    Deep:\n");
        for level in 0..8 {
            text.push_str(&format!(
                "{}properties:\n{}  p{level}:\n",
                "  ".repeat(3 + 2 * level),
                "  ".repeat(3 + 2 * level)
            ));
        }
        let root = doc(&text);
        let mut resolver = Resolver::new(&root);
        let defs = resolver.register(&["components", "schemas"], "schema-", &mut Anchors::default());
        let html = resolver.schema_block(defs[0].node, Some(&defs[0].pointer));
        assert_eq!(html.matches("<details").count(), MAX_DEPTH, "{html}");
        // A chain of 20 distinct referenced schemas: MAX_REF_DEPTH levels are expanded.
        let mut text = String::from("components:\n  schemas:\n");
        for i in 0..20 {
            text.push_str(&format!(
                "    S{i}:\n      properties:\n        next: {{$ref: '#/components/schemas/S{}'}}\n",
                i + 1
            ));
        }
        text.push_str("    S20: {type: string}\n");
        let root = doc(&text);
        let mut resolver = Resolver::new(&root);
        let defs = resolver.register(&["components", "schemas"], "schema-", &mut Anchors::default());
        let html = resolver.schema_block(defs[0].node, Some(&defs[0].pointer));
        assert_eq!(html.matches("<details").count(), MAX_REF_DEPTH, "{html}");
        // Wide schemas stop expanding after MAX_ROWS rows.
        let mut text = String::from("components:\n  schemas:\n    Wide:\n      properties:\n");
        for i in 0..(MAX_ROWS + 50) {
            text.push_str(&format!("        p{i}: {{properties: {{x: {{type: string}}}}}}\n"));
        }
        let root = doc(&text);
        let mut resolver = Resolver::new(&root);
        let defs = resolver.register(&["components", "schemas"], "schema-", &mut Anchors::default());
        let html = resolver.schema_block(defs[0].node, None);
        assert_eq!(html.matches("<code class=\"api-prop-name\">p").count(), MAX_ROWS + 50, "every property is listed");
        let nested = html.matches("<details").count();
        assert!(nested > 0 && nested < MAX_ROWS / 2 + 1, "nested expansion stops at the row budget: {nested}");
    }

    #[test]
    fn labels_badges_and_constraints() {
        let root = doc(concat!(
            "components:\n  schemas:\n    Pet: {type: object}\n",
            "    T:\n      type: object\n      required: [id]\n      properties:\n",
            "        id: {type: string, format: uuid, readOnly: true}\n",
            "        maybe: {type: [string, 'null'], enum: [a, b], default: a}\n",
            "        old: {type: integer, nullable: true, deprecated: true, minimum: 1, maximum: 9}\n",
            "        pets: {type: array, items: {$ref: '#/components/schemas/Pet'}}\n",
            "        either: {oneOf: [{$ref: '#/components/schemas/Pet'}, {type: string}]}\n",
            "        map: {type: object, additionalProperties: {type: integer}}\n",
            "        closed: {type: object, additionalProperties: false, properties: {x: {type: string}}}\n",
            "        gone: {$ref: '#/components/schemas/Gone'}\n",
            "        far: {$ref: 'common.yaml#/Pet'}\n",
            "        doc: {description: 'own <b>', $ref: '#/components/schemas/Pet'}\n",
        ));
        let mut resolver = Resolver::new(&root);
        let defs = resolver.register(&["components", "schemas"], "schema-", &mut Anchors::default());
        let html = resolver.schema_block(defs[1].node, None);
        for needle in [
            "<code class=\"api-prop-name\">id</code> <span class=\"api-type\">string</span> <span class=\"api-format\">uuid</span> <span class=\"api-badge required\">required</span> <span class=\"api-badge read-only\">read-only</span>",
            "<span class=\"api-type\">string</span> <span class=\"api-badge nullable\">nullable</span><ul class=\"api-constraints\"><li><span class=\"api-keyword\">enum</span> <code>a</code> <code>b</code></li><li><span class=\"api-keyword\">default</span> <code>a</code></li></ul>",
            "<span class=\"api-badge deprecated\">deprecated</span> <span class=\"api-badge nullable\">nullable</span>",
            "<span class=\"api-keyword\">minimum</span> <code>1</code>",
            "<span class=\"api-type\">array[<a class=\"api-type\" href=\"#schema-Pet\">Pet</a>]</span>",
            "<a class=\"api-type\" href=\"#schema-Pet\">Pet</a> | <span class=\"api-type\">string</span>",
            "<span class=\"api-keyword\">additionalProperties</span> <span class=\"api-type\">integer</span>",
            "<span class=\"api-keyword\">additionalProperties</span> <code>false</code>",
            "<span class=\"api-type api-unresolved\">#/components/schemas/Gone</span>",
            "<span class=\"api-type api-unresolved\">common.yaml#/Pet</span>",
            "<p>own &lt;b&gt;</p>",
        ] {
            assert!(html.contains(needle), "missing {needle}\nin {html}");
        }
        assert_eq!(
            resolver.warnings.list,
            [
                "unresolved $ref #/components/schemas/Gone",
                "external $ref common.yaml#/Pet is not resolved (only local `#/…` references are)"
            ]
        );
    }

    #[test]
    fn all_of_is_merged() {
        let root = doc(concat!(
            "components:\n  schemas:\n",
            "    Base: {type: object, required: [id], properties: {id: {type: string}}}\n",
            "    Child:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n",
            "        - type: object\n          required: [name]\n          properties: {name: {type: string}}\n",
        ));
        let mut resolver = Resolver::new(&root);
        let defs = resolver.register(&["components", "schemas"], "schema-", &mut Anchors::default());
        let html = resolver.schema_block(defs[1].node, Some(&defs[1].pointer));
        assert!(html.contains("<code class=\"api-prop-name\">id</code> <span class=\"api-type\">string</span> <span class=\"api-badge required\">"), "{html}");
        assert!(html.contains("<code class=\"api-prop-name\">name</code> <span class=\"api-type\">string</span> <span class=\"api-badge required\">"), "{html}");
        assert!(!html.contains("api-composition"), "{html}");
    }
}
