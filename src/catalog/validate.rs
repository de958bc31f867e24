//! One YAML document -> one [`Entity`], validated as Backstage validates it.
//!
//! Order as in Backstage's processing: placeholders are resolved first, then the envelope
//! (`NoForeignRootFieldsEntityPolicy`, `SchemaValidEntityPolicy`, `FieldFormatEntityPolicy`),
//! then the kind's spec schema. Unlike Backstage, which stops at the first problem of an
//! entity, every problem is reported. An entity whose identity (kind, namespace, name) is
//! valid is kept even when other fields are not, so nothing the user wrote disappears without a
//! diagnostic; a document without a usable identity yields diagnostics only.

use std::collections::BTreeMap;
use std::path::Path;

use super::kinds;
use super::rules;
use super::{
    Entity, EntityRef, Link, LocationTarget, MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION, Source, SpecRef,
    entity_ref::DEFAULT_NAMESPACE, placeholder,
};
use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::{Document, Node, Value};

/// Root fields an entity may have (`NoForeignRootFieldsEntityPolicy`).
const ROOT_FIELDS: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];

/// Where a document was read from.
pub struct DocContext<'a> {
    /// Canonical portal root.
    pub root: &'a Path,
    /// Descriptor, relative to the root.
    pub file: &'a str,
    /// The root-level file whose Location chain led here (itself for walked files).
    pub origin: &'a str,
    /// Kinds declared in `catalog.custom_kinds` (lower-case): shown generically, not errors.
    pub custom_kinds: &'a [String],
    /// To read URL placeholders that point into this repository from the checkout.
    pub repository: Option<&'a crate::repo::Repository>,
    /// Size limits of placeholder files, and the bytes the build's placeholders may still read.
    pub placeholder_limit: u64,
    pub placeholder_budget: Option<&'a std::sync::atomic::AtomicU64>,
}

impl<'a> DocContext<'a> {
    /// A context that reads nothing from disk (placeholders fail, no custom kinds): for tests
    /// and fuzzing of one document.
    pub fn standalone(file: &'a str) -> Self {
        DocContext {
            root: Path::new("/nonexistent"),
            file,
            origin: file,
            custom_kinds: &[],
            repository: None,
            placeholder_limit: u64::MAX,
            placeholder_budget: None,
        }
    }
}

struct Checker<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
    /// Whether an error was reported for this entity.
    failed: bool,
}

impl Checker<'_> {
    fn error(&mut self, code: &'static str, pos: Pos, message: String) -> &mut Diagnostic {
        self.failed = true;
        self.diags.push(Diagnostic::error(code, message).at(self.file, Some(pos)));
        self.diags.last_mut().expect("just pushed")
    }

    /// `path` (the value of `key` in `parent`) is not of the type `expected` ("a mapping", "a
    /// list"). A null value (`annotations:` with nothing, or only comments, under it) has no
    /// place of its own: the error points at its key and says so.
    fn wrong_type(&mut self, parent: &Node, key: &str, node: &Node, path: &str, expected: &str) {
        let message = format!("`{path}` must be {expected}, found {}", node.type_name());
        if node.is_null() {
            let pos = parent.entry(key).map_or(node.pos, |(k, _)| k.pos);
            self.error("invalid-type", pos, message).hint = Some(format!(
                "`{key}:` has no value here (only comments or nothing under it): remove the line or give it {expected}"
            ));
        } else {
            self.error("invalid-type", node.pos, message);
        }
    }

    /// Backstage's `"field" is not valid; expected X but found "value".` message.
    fn format_error(&mut self, field: &str, pos: Pos, expectation: &str, value: &str) {
        self.error(
            "invalid-format",
            pos,
            format!("\"{field}\" is not valid; expected {expectation} but found \"{value}\""),
        );
    }

    /// A required string field: reports when missing or not a string.
    fn string<'n>(&mut self, parent: &'n Node, key: &str, path: &str) -> Option<&'n str> {
        match parent.get(key) {
            None => {
                self.error("missing-field", parent.pos, format!("missing required field `{path}`")).hint =
                    field_example(path).map(|e| format!("add it, e.g. `{e}`"));
                None
            }
            Some(node) => match node.as_str() {
                Some(s) if !s.is_empty() => Some(s),
                Some(_) => {
                    self.error("invalid-type", node.pos, format!("`{path}` must not be empty"));
                    None
                }
                None => {
                    self.error(
                        "invalid-type",
                        node.pos,
                        format!("`{path}` must be a string, found {}", node.type_name()),
                    );
                    None
                }
            },
        }
    }

    /// An optional string field.
    fn optional_string(&mut self, parent: &Node, key: &str, path: &str, non_empty: bool) -> Option<String> {
        let node = parent.get(key)?;
        match node.as_str() {
            Some("") if non_empty => {
                self.error("invalid-type", node.pos, format!("`{path}` must not be empty"));
                None
            }
            Some(s) => Some(s.to_owned()),
            None => {
                self.error("invalid-type", node.pos, format!("`{path}` must be a string, found {}", node.type_name()));
                None
            }
        }
    }
}

/// A valid name close to `name`: runs of other characters become `-`, lower case (the
/// convention), at most 63 characters.
fn name_hint(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            'a'..='z' | '0'..='9' | '.' | '_' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let mut out: String = out.trim_matches(['-', '_', '.']).chars().take(63).collect();
    while out.ends_with(['-', '_', '.']) {
        out.pop();
    }
    if out.is_empty() || !rules::is_valid_object_name(&out) {
        return "names are letters and digits separated by single `-`, `_` or `.`, at most 63 characters".into();
    }
    let long = if name.chars().count() > 63 {
        format!(" (it has {} characters)", name.chars().count())
    } else {
        String::new()
    };
    format!("write it as `{out}`{long}; `metadata.title` can hold a display name with spaces")
}

/// An example value of a field people often forget, as it would be written in the descriptor.
fn field_example(path: &str) -> Option<&'static str> {
    Some(match path {
        "apiVersion" => "apiVersion: backstage.io/v1alpha1",
        "kind" => "kind: Component",
        "metadata.name" => "name: payments-api",
        "spec.type" => "type: service",
        "spec.lifecycle" => "lifecycle: production",
        "spec.owner" => "owner: group:default/team-a",
        "spec.definition" => "definition: {$text: ./openapi.yaml}",
        "spec.children" => "children: []",
        "spec.memberOf" => "memberOf: [team-a]",
        "spec.steps" => "steps: [{id: fetch, action: fetch:template, input: {url: ./skeleton}}]",
        "spec.target" | "spec.targets" => "targets: [./catalog-info.yaml]",
        _ => return None,
    })
}

/// Validates `doc` and builds its entity. Problems go to `diags`.
pub fn entity_from_document(doc: Document, ctx: &DocContext, diags: &mut Vec<Diagnostic>) -> Option<Entity> {
    let mut root = doc.root;
    let doc_pos = root.pos;
    let mut c = Checker { file: ctx.file, diags, failed: false };
    if root.as_map().is_none() {
        c.error(
            "not-an-entity",
            doc_pos,
            format!("expected an entity (a mapping with apiVersion, kind and metadata), found {}", root.type_name()),
        );
        return None;
    }

    let placeholders = placeholder::resolve(
        &mut root,
        &placeholder::Context {
            root: ctx.root,
            file: ctx.file,
            repository: ctx.repository,
            file_limit: ctx.placeholder_limit,
            budget: ctx.placeholder_budget,
        },
        c.diags,
    );

    for (key, _) in root.as_map().unwrap_or_default() {
        if !ROOT_FIELDS.contains(&key.name.as_str()) {
            let hint = match key.name.as_str() {
                "relations" | "status" => "relations and status are computed by the catalog: remove this field",
                _ => "an entity has only apiVersion, kind, metadata and spec at its root",
            };
            c.error("unknown-root-field", key.pos, format!("unknown root field `{}`", key.name)).hint =
                Some(hint.into());
        }
    }

    let api_version = c.string(&root, "apiVersion", "apiVersion").map(str::to_owned);
    if let (Some(v), Some(node)) = (&api_version, root.get("apiVersion"))
        && !rules::is_valid_api_version(v)
    {
        c.format_error("apiVersion", node.pos, rules::EXPECT_PREFIX_SUFFIX, v);
    }
    let kind = c.string(&root, "kind", "kind").map(str::to_owned);
    let kind_ok = match (&kind, root.get("kind")) {
        (Some(k), Some(node)) if !rules::is_valid_kind(k) => {
            c.format_error("kind", node.pos, rules::EXPECT_KIND, k);
            false
        }
        (Some(_), _) => true,
        _ => false,
    };

    let Some(metadata) = root.get("metadata") else {
        c.error("missing-field", doc_pos, "missing required field `metadata`".into());
        return None;
    };
    if metadata.as_map().is_none() {
        c.wrong_type(&root, "metadata", metadata, "metadata", "a mapping");
        return None;
    }
    let name = c.string(metadata, "name", "metadata.name").map(str::to_owned);
    let name_ok = match (&name, metadata.get("name")) {
        (Some(n), Some(node)) if !rules::is_valid_object_name(n) => {
            c.format_error("metadata.name", node.pos, rules::EXPECT_OBJECT_NAME, n);
            c.diags.last_mut().expect("just pushed").hint = Some(name_hint(n));
            false
        }
        (Some(_), _) => true,
        _ => false,
    };
    let namespace = c.optional_string(metadata, "namespace", "metadata.namespace", true);
    let namespace_ok = match (&namespace, metadata.get("namespace")) {
        (Some(ns), Some(node)) if !rules::is_valid_namespace(ns) => {
            c.format_error("metadata.namespace", node.pos, rules::EXPECT_DNS_LABEL, ns);
            false
        }
        _ => true,
    };
    let title = c.optional_string(metadata, "title", "metadata.title", true);
    let description = c.optional_string(metadata, "description", "metadata.description", false);
    let labels = string_map(&mut c, metadata, "labels", rules::is_valid_label_value, rules::EXPECT_OBJECT_NAME);
    let mut annotations = string_map(&mut c, metadata, "annotations", |_| true, "a string");
    let annotation_pos: BTreeMap<String, Pos> = metadata
        .get("annotations")
        .and_then(Node::as_map)
        .map(|m| m.iter().map(|(k, v)| (k.name.clone(), v.pos)).collect())
        .unwrap_or_default();
    for (key, value) in &annotations {
        if let Some(url) = crate::urls::annotation_url(key, value)
            && let Err(scheme) = crate::urls::check(&url)
        {
            c.diags.push(
                Diagnostic::warning("unsafe-url", crate::urls::refused(&format!("annotation {key}"), &url, &scheme))
                    .at(c.file, annotation_pos.get(key).copied())
                    .hint("annotations shown as links may be http or https URLs"),
            );
        }
    }
    let tags = tags(&mut c, metadata);
    let links = links(&mut c, metadata);

    let spec = root.get("spec");
    if let Some(spec) = spec
        && spec.as_map().is_none()
    {
        // As Backstage's envelope schema (`spec` is an object): `spec:` with nothing (or only
        // comments) under it is null, and an error for every kind.
        let required = kind.as_deref().and_then(kinds::find).map(|def| def.required_fields()).unwrap_or_default();
        let message = format!("`spec` must be a mapping, found {}", spec.type_name());
        let hint = match (spec.is_null(), required.is_empty()) {
            (true, false) => Some(format!(
                "`spec:` has no value here; {} entities need {}",
                kind.as_deref().unwrap_or_default(),
                required.iter().map(|f| format!("`spec.{f}`")).collect::<Vec<_>>().join(", ")
            )),
            (true, true) => Some("`spec:` has no value here: remove it or give it fields".to_owned()),
            _ => None,
        };
        // An empty value has no place of its own: point at its key.
        let key_pos = root.as_map().unwrap_or_default().iter().find(|(k, _)| k.name == "spec").map(|(k, _)| k.pos);
        let pos = if spec.is_null() { key_pos.unwrap_or(spec.pos) } else { spec.pos };
        c.error("invalid-type", pos, message).hint = hint;
    }

    let (Some(api_version), Some(kind), Some(name)) = (api_version, kind, name) else {
        return None;
    };
    if !(kind_ok && name_ok && namespace_ok) {
        return None;
    }
    let namespace = namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());

    let mut refs = Vec::new();
    let mut targets = Vec::new();
    let known = kinds::find(&kind);
    match known {
        Some(def) => {
            check_kind(&mut c, def, &api_version, &root, doc_pos, &namespace, &mut refs);
            if def.kind == "Location" {
                targets = location_targets(spec);
            }
        }
        None if ctx.custom_kinds.iter().any(|k| k.eq_ignore_ascii_case(&kind)) => {}
        None => {
            // Backstage's catalog rejects an entity that no processor recognises.
            let entity_ref = EntityRef::new(&kind, namespace.as_str(), &name);
            let message = format!(
                "no processor recognized the entity {entity_ref} as valid, possibly caused by a foreign kind or apiVersion (`{kind}`, `{api_version}`)"
            );
            let hint = match kinds::find_ignoring_case(&kind) {
                Some(def) => format!("kinds are case-sensitive: did you mean `{}`?", def.kind),
                None => format!(
                    "Backstage's kinds are {}; to show `{kind}` entities anyway, declare it in `catalog.custom_kinds` of portico.yaml",
                    kinds::KINDS.iter().map(|k| k.kind).collect::<Vec<_>>().join(", ")
                ),
            };
            c.error("unknown-kind", root.get("kind").map_or(doc_pos, |k| k.pos), message).hint = Some(hint);
        }
    }

    annotations.insert(MANAGED_BY_LOCATION.into(), format!("file:{}", ctx.file));
    annotations.insert(MANAGED_BY_ORIGIN_LOCATION.into(), format!("file:{}", ctx.origin));
    let mut json = root.to_json();
    if let Some(meta) = json.get_mut("metadata").and_then(serde_json::Value::as_object_mut) {
        meta.insert("namespace".into(), namespace.clone().into());
        let ann = meta.entry("annotations").or_insert_with(|| serde_json::json!({}));
        if let Some(ann) = ann.as_object_mut() {
            ann.insert(MANAGED_BY_LOCATION.into(), annotations[MANAGED_BY_LOCATION].clone().into());
            ann.insert(MANAGED_BY_ORIGIN_LOCATION.into(), annotations[MANAGED_BY_ORIGIN_LOCATION].clone().into());
        }
    }

    Some(Entity {
        entity_ref: EntityRef::new(&kind, &namespace, &name),
        api_version,
        kind,
        namespace,
        name,
        title,
        description,
        labels,
        annotations,
        annotation_pos,
        tags,
        links,
        json,
        source: Source {
            file: ctx.file.to_owned(),
            document: doc.index,
            pos: doc_pos,
            kind_pos: root.get("kind").map_or(doc_pos, |n| n.pos),
            name_pos: metadata.get("name").map_or(doc_pos, |n| n.pos),
        },
        refs,
        targets,
        dir: crate::paths::parent_dir(ctx.file).to_owned(),
        known_kind: known.is_some(),
        reads: {
            let mut files: Vec<String> = placeholders.iter().map(|(_, f)| f.clone()).collect();
            files.sort();
            files.dedup();
            files
        },
        placeholders,
        spec_pos: root
            .get("spec")
            .and_then(Node::as_map)
            .map(|m| m.iter().map(|(k, v)| (k.name.clone(), (v.pos, k.pos.line))).collect())
            .unwrap_or_default(),
        valid: !c.failed,
    })
}

/// `metadata.labels` / `metadata.annotations`: a mapping of valid keys to string values.
fn string_map(
    c: &mut Checker,
    metadata: &Node,
    field: &str,
    value_ok: fn(&str) -> bool,
    value_expectation: &str,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(node) = metadata.get(field) else {
        return out;
    };
    let Some(entries) = node.as_map() else {
        c.wrong_type(metadata, field, node, &format!("metadata.{field}"), "a mapping");
        return out;
    };
    for (key, value) in entries {
        let what = format!("{field}.{}", key.name);
        let key_ok = if field == "labels" {
            rules::is_valid_label_key(&key.name)
        } else {
            rules::is_valid_annotation_key(&key.name)
        };
        if !key_ok {
            c.format_error(&what, key.pos, rules::EXPECT_PREFIX_SUFFIX, &key.name);
        }
        match value.as_str() {
            Some(v) if value_ok(v) => {
                out.insert(key.name.clone(), v.to_owned());
            }
            Some(v) => c.format_error(&what, value.pos, value_expectation, v),
            None if value.is_null() => {
                c.error("invalid-format", value.pos, format!("{what} must have a value"));
            }
            None => {
                c.error("invalid-type", value.pos, format!("`{what}` must be a string, found {}", value.type_name()))
                    .hint = Some("quote the value: numbers and booleans are not strings in YAML".into());
            }
        }
    }
    out
}

fn tags(c: &mut Checker, metadata: &Node) -> Vec<String> {
    let Some(node) = metadata.get("tags") else {
        return Vec::new();
    };
    let Some(items) = node.as_seq() else {
        c.wrong_type(metadata, "tags", node, "metadata.tags", "a list");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(t) if rules::is_valid_tag(t) => out.push(t.to_owned()),
            Some(t) => {
                c.format_error(&format!("tags.{i}"), item.pos, rules::EXPECT_TAG, t);
                let lower = t.to_lowercase().replace([' ', '_', '.'], "-");
                if rules::is_valid_tag(&lower) {
                    c.diags.last_mut().expect("just pushed").hint = Some(format!("write it as `{lower}`"));
                }
            }
            None => {
                c.error("invalid-type", item.pos, format!("`tags.{i}` must be a string, found {}", item.type_name()));
            }
        }
    }
    out
}

fn links(c: &mut Checker, metadata: &Node) -> Vec<Link> {
    let Some(node) = metadata.get("links") else {
        return Vec::new();
    };
    let Some(items) = node.as_seq() else {
        c.wrong_type(metadata, "links", node, "metadata.links", "a list");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.as_map().is_none() {
            c.error(
                "invalid-type",
                item.pos,
                format!("`links.{i}` must be a mapping with a url, found {}", item.type_name()),
            );
            continue;
        }
        let url = match item.get("url") {
            None => {
                c.error("missing-field", item.pos, format!("links.{i}.url must have a value"));
                None
            }
            Some(u) => match u.as_str() {
                Some(s) if rules::is_valid_url(s) => Some(s.to_owned()),
                Some(s) => {
                    c.format_error(&format!("links.{i}.url"), u.pos, rules::EXPECT_URL, s);
                    None
                }
                None => {
                    c.format_error(&format!("links.{i}.url"), u.pos, rules::EXPECT_URL, &kinds::describe(u));
                    None
                }
            },
        };
        let mut optional = |field: &str| -> Option<String> {
            let v = item.get(field)?;
            match v.as_str() {
                Some(s) if rules::is_non_empty_string(s) => Some(s.to_owned()),
                _ => {
                    c.format_error(&format!("links.{i}.{field}"), v.pos, rules::EXPECT_NON_EMPTY, &kinds::describe(v));
                    None
                }
            }
        };
        let title = optional("title");
        let icon = optional("icon");
        let link_type = optional("type");
        if let Some(url) = url {
            let safe = match crate::urls::check(&url) {
                Ok(()) => Some(url.clone()),
                Err(scheme) => {
                    let pos = item.get("url").map_or(item.pos, |n| n.pos);
                    c.diags.push(
                        Diagnostic::warning(
                            "unsafe-url",
                            crate::urls::refused(&format!("links.{i}.url"), &url, &scheme),
                        )
                        .at(c.file, Some(pos))
                        .hint("links may be http, https, mailto, tel or relative URLs"),
                    );
                    None
                }
            };
            out.push(Link { url: safe, written: url, title, icon, link_type });
        }
    }
    out
}

/// Checks apiVersion and spec against the kind, and collects the references of relation fields.
fn check_kind(
    c: &mut Checker,
    def: &'static kinds::KindDef,
    api_version: &str,
    root: &Node,
    doc_pos: Pos,
    namespace: &str,
    refs: &mut Vec<SpecRef>,
) {
    if !def.api_versions.contains(&api_version) {
        let pos = root.get("apiVersion").map_or(doc_pos, |n| n.pos);
        c.error(
            "unsupported-api-version",
            pos,
            format!(
                "{} entities use apiVersion {}, found \"{api_version}\"",
                def.kind,
                def.api_versions.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(" or ")
            ),
        );
    }
    let Some(spec) = root.get("spec").filter(|s| s.as_map().is_some()) else {
        if root.get("spec").is_none() {
            c.error(
                "missing-field",
                doc_pos,
                format!("missing required field `spec` ({} entities have one)", def.kind),
            );
        }
        return;
    };
    let (variant, violations) = def.check_spec(spec, &placeholder::is_placeholder);
    // Fields that failed their schema emit no relation (Backstage rejects the whole entity).
    let failed_fields: Vec<String> = violations.iter().map(|v| v.path.clone()).collect();
    for v in violations {
        let code = if v.message.starts_with("missing required") { "missing-field" } else { "invalid-type" };
        let kind_note = match variant.spec_type {
            Some(t) => format!("{} entities of type {t}", def.kind),
            None => format!("{} entities", def.kind),
        };
        let missing = v.message.strip_prefix("missing required field `").and_then(|f| f.strip_suffix('`'));
        let example = missing.and_then(|f| field_example(&format!("{}.{f}", v.path)));
        c.error(code, v.pos, format!("`{}`: {} ({kind_note})", v.path, v.message)).hint =
            example.map(|e| format!("add it, e.g. `{e}`"));
    }
    for field in def.relations {
        let path = format!("spec.{}", field.field);
        let invalid = failed_fields.iter().any(|f| *f == path || f.starts_with(&format!("{path}.")));
        let Some(value) = spec.get(field.field).filter(|_| !invalid) else {
            continue;
        };
        let mut push = |node: &Node| {
            let Some(target) = node.as_str().filter(|s| !s.is_empty()) else { return };
            // As Backstage's processor parses each reference: a malformed one rejects the entity.
            match EntityRef::parse(target, field.default_kind, namespace) {
                Ok(target_ref) => refs.push(SpecRef {
                    field: field.field,
                    relation: field.relation,
                    inverse: field.inverse,
                    default_kind: field.default_kind,
                    target: target.to_owned(),
                    target_ref,
                    pos: node.pos,
                }),
                Err(e) => {
                    let hint = field.default_kind.is_none().then(|| {
                        format!(
                            "`spec.{}` has no default kind: write e.g. `component:{target}` or `resource:{target}`",
                            field.field
                        )
                    });
                    c.error("invalid-ref", node.pos, format!("`spec.{}`: {e}", field.field)).hint = hint;
                }
            }
        };
        match &value.value {
            Value::Seq(items) => items.iter().for_each(&mut push),
            _ => push(value),
        }
    }
}

fn location_targets(spec: Option<&Node>) -> Vec<LocationTarget> {
    let Some(spec) = spec else { return Vec::new() };
    let optional = spec.get("presence").and_then(Node::as_str) == Some("optional");
    let mut out = Vec::new();
    let mut push = |n: &Node| {
        if let Some(t) = n.as_str().filter(|s| !s.is_empty()) {
            out.push(LocationTarget { target: t.to_owned(), pos: n.pos, optional });
        }
    };
    if let Some(t) = spec.get("target") {
        push(t);
    }
    if let Some(items) = spec.get("targets").and_then(Node::as_seq) {
        items.iter().for_each(push);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn run(text: &str) -> (Option<Entity>, Vec<String>) {
        let (mut docs, errors) = parse_documents(text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut diags = Vec::new();
        let ctx = DocContext::standalone("c.yaml");
        let e = entity_from_document(docs.remove(0), &ctx, &mut diags);
        let msgs = diags
            .iter()
            .map(|d| format!("{}:{}: {}", d.pos.map_or(0, |p| p.line), d.pos.map_or(0, |p| p.column), d.message))
            .collect();
        (e, msgs)
    }

    const OK: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

    #[test]
    fn valid_component() {
        let (e, msgs) = run(OK);
        assert!(msgs.is_empty(), "{msgs:?}");
        let e = e.unwrap();
        assert_eq!(e.entity_ref.to_string(), "component:default/a");
        assert_eq!(e.refs.len(), 1);
        assert_eq!(e.refs[0].relation, "ownedBy");
        assert_eq!(e.refs[0].pos, Pos::new(8, 10));
        assert_eq!(e.json["metadata"]["annotations"][MANAGED_BY_LOCATION], "file:c.yaml");
    }

    #[test]
    fn envelope_errors_point_at_fields() {
        let cases: &[(&str, &[&str])] = &[
            (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad Name\nspec: {type: a, lifecycle: b, owner: c}\n",
                &[
                    "4:9: \"metadata.name\" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found \"Bad Name\"",
                ],
            ),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec: {type: a, lifecycle: b, owner: c}\nrelations: []\n",
                &["6:1: unknown root field `relations`"],
            ),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  namespace: Prod\n  tags: [Java, ok]\nspec: {type: a, lifecycle: b, owner: c}\n",
                &[
                    "5:14: \"metadata.namespace\" is not valid; expected a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total but found \"Prod\"",
                    "6:10: \"tags.0\" is not valid; expected a string that is sequences of [a-z0-9+#] separated by [-], at most 63 characters in total but found \"Java\"",
                ],
            ),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    x/y/z: '1'\n    n: 3\n  links:\n    - url: not a url\n    - title: t\nspec: {type: a, lifecycle: b, owner: c}\n",
                &[
                    "6:5: \"annotations.x/y/z\" is not valid; expected a valid prefix and/or suffix but found \"x/y/z\"",
                    "7:8: `annotations.n` must be a string, found a number",
                    "9:12: \"links.0.url\" is not valid; expected a string that is a valid url but found \"not a url\"",
                    "10:7: links.1.url must have a value",
                ],
            ),
            (
                "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\nspec:\n  type: team\n",
                &["6:3: `spec`: missing required field `children` (Group entities)"],
            ),
            (
                "apiVersion: backstage.io/v2\nkind: Component\nmetadata:\n  name: a\nspec: {type: a, lifecycle: b, owner: c}\n",
                &[
                    "1:13: Component entities use apiVersion \"backstage.io/v1alpha1\" or \"backstage.io/v1beta1\", found \"backstage.io/v2\"",
                ],
            ),
            (
                "kind: Component\nmetadata: {}\n",
                &["1:1: missing required field `apiVersion`", "2:11: missing required field `metadata.name`"],
            ),
            ("- a\n- b\n", &["1:1: expected an entity (a mapping with apiVersion, kind and metadata), found a list"]),
        ];
        for (text, want) in cases {
            let (_, msgs) = run(text);
            assert_eq!(msgs, *want, "{text}");
        }
    }

    #[test]
    fn unknown_kind_is_a_warning_with_a_hint() {
        let (e, _) = run("apiVersion: backstage.io/v1alpha1\nkind: component\nmetadata:\n  name: a\n");
        let e = e.unwrap();
        assert!(!e.known_kind);
    }
}
