//! OpenAPI 2.0 (Swagger), 3.0 and 3.1 references.
//!
//! Input: the root mapping of a definition with an `openapi` or `swagger` key. Output: info,
//! servers (2.0: `schemes` × `host` + `basePath`), operations grouped by their first tag, and a
//! Schemas section (`components/schemas`, 2.0 `definitions`).
//!
//! Invariants:
//! - Groups: tags declared in `tags` in that order, then other tags in order of first use, then
//!   untagged operations, then 3.1 `webhooks`; operations keep document order inside a group.
//! - Path-level parameters are merged with operation parameters (same `name` + `in`: the
//!   operation's wins). 2.0 `in: body` parameters become the request body, with `consumes`
//!   (default `application/json`) as media types; 2.0 responses use `produces`.
//! - Parameters, request bodies, responses, headers and examples may be local `$ref`s; schemas
//!   render through [`super::schema`]. Structural problems are warnings, never a failure.

use std::collections::BTreeSet;

use crate::yaml::{Node, Value};

use super::schema::Resolver;
use super::{
    Anchors, ApiReference, Operation, badge, description, display_value, entries, esc, example_block, info_header,
    is_true, items, server_item, servers_section, str_at, summary_of, text_at,
};
use crate::packed::Packed;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation found under `paths` or `webhooks`.
struct Op<'a> {
    method: &'static str,
    path: &'a str,
    node: &'a Node,
    item: &'a Node,
    webhook: bool,
}

/// A parameter after `$ref` resolution.
enum Param<'a> {
    Found(&'a Node),
    Broken(&'a str),
}

/// Per-document settings the operation renderer needs.
struct Doc<'a> {
    root: &'a Node,
    v2: bool,
    /// The first server's URL (the `curl` examples).
    server: Option<String>,
}

pub(super) fn render(root: &Node, raw_language: &'static str) -> ApiReference {
    let v2 = root.get("openapi").is_none();
    let version = text_at(root, if v2 { "swagger" } else { "openapi" }).unwrap_or_default();
    let mut res = Resolver::new(root);
    let mut anchors = Anchors::default();
    validate(root, v2, &version, &mut res);
    let schema_path: &[&str] = if v2 { &["definitions"] } else { &["components", "schemas"] };
    let schemas = res.register(schema_path, "schema-", &mut anchors);
    let ops = collect(root, &mut res);
    let doc = Doc { root, v2, server: first_server(root, v2) };

    let mut html = format!("<div class=\"api-ref openapi\">{}", info_header(root.get("info")));
    html.push_str(&servers_section(&mut anchors, &servers(root, v2)));
    let mut operations = Vec::new();
    let mut operation_ids = BTreeSet::new();
    for (title, tag, members) in groups(root, &ops) {
        let id = anchors.claim("tag-", &title);
        html.push_str(&format!("<section class=\"api-group\" id=\"{id}\"><h2>{}</h2>", esc(&title)));
        html.push_str(&description(tag.and_then(|t| str_at(t, "description")).unwrap_or_default()));
        for index in members {
            let op = &ops[index];
            if let Some(operation_id) = str_at(op.node, "operationId")
                && !operation_ids.insert(operation_id)
            {
                res.warn(format!("duplicate operationId {operation_id}"));
            }
            let (op_html, operation) = operation(&doc, &mut res, &mut anchors, op);
            html.push_str(&op_html);
            operations.push(operation);
        }
        html.push_str("</section>");
    }
    html.push_str(&res.schemas_section(&mut anchors, &schemas));
    html.push_str("</div>");
    ApiReference {
        format: format!("OpenAPI {version}"),
        html: Packed::new(&html),
        warnings: res.warnings.into_vec(),
        operations,
        raw_language,
    }
}

fn validate(root: &Node, v2: bool, version: &str, res: &mut Resolver) {
    let supported = if v2 { version == "2.0" } else { version.starts_with("3.") };
    if !supported {
        let key = if v2 { "swagger" } else { "openapi" };
        res.warn(format!("invalid OpenAPI: unsupported version `{key}: {version}`; rendering it like 3.x"));
    }
    if root.get("info").and_then(Node::as_map).is_none() {
        res.warn("invalid OpenAPI: `info` is missing or not a mapping".to_owned());
    }
    match root.get("paths") {
        Some(paths) if paths.as_map().is_none() && !paths.is_null() => {
            res.warn("invalid OpenAPI: `paths` is not a mapping".to_owned())
        }
        None if !version.starts_with("3.1") && !version.starts_with("3.2") => {
            res.warn("invalid OpenAPI: `paths` is missing".to_owned())
        }
        _ => {}
    }
}

/// Every operation under `paths` and `webhooks`, in document order.
fn collect<'a>(root: &'a Node, res: &mut Resolver<'a>) -> Vec<Op<'a>> {
    let mut ops = Vec::new();
    for (section, webhook) in [("paths", false), ("webhooks", true)] {
        for (key, item) in root.get(section).map(entries).unwrap_or_default() {
            if key.name.starts_with("x-") {
                continue;
            }
            let item = res.resolve(item).node;
            for (method_key, node) in entries(item) {
                let Some(method) = METHODS.iter().find(|m| method_key.name.eq_ignore_ascii_case(m)) else { continue };
                ops.push(Op { method, path: &key.name, node, item, webhook });
            }
        }
    }
    ops
}

/// Operation groups: `(title, declared tag, operation indices)`.
fn groups<'a>(root: &'a Node, ops: &[Op<'a>]) -> Vec<(String, Option<&'a Node>, Vec<usize>)> {
    let mut groups: Vec<(String, Option<&Node>, Vec<usize>)> = root
        .get("tags")
        .map(items)
        .unwrap_or_default()
        .iter()
        .filter_map(|tag| str_at(tag, "name").map(|name| (name.to_owned(), Some(tag), Vec::new())))
        .collect();
    let mut untagged = Vec::new();
    let mut webhooks = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let first_tag = op.node.get("tags").map(items).unwrap_or_default().first().and_then(Node::as_str);
        match first_tag {
            _ if op.webhook => webhooks.push(index),
            Some(tag) => match groups.iter_mut().find(|group| group.0 == tag) {
                Some(group) => group.2.push(index),
                None => groups.push((tag.to_owned(), None, vec![index])),
            },
            None => untagged.push(index),
        }
    }
    groups.retain(|group| !group.2.is_empty());
    if !untagged.is_empty() {
        let title = if groups.is_empty() { "Operations" } else { "Other operations" };
        groups.push((title.to_owned(), None, untagged));
    }
    if !webhooks.is_empty() {
        groups.push(("Webhooks".to_owned(), None, webhooks));
    }
    groups
}

/// The first server's URL, its `{variables}` at their defaults (for `curl` examples).
fn first_server(root: &Node, v2: bool) -> Option<String> {
    if v2 {
        let host = str_at(root, "host")?;
        let scheme =
            root.get("schemes").map(items).unwrap_or_default().iter().find_map(Node::as_str).unwrap_or("https");
        return Some(format!("{scheme}://{host}{}", str_at(root, "basePath").unwrap_or_default()));
    }
    let server = root.get("servers").map(items).unwrap_or_default().first()?;
    let mut url = str_at(server, "url")?.to_owned();
    for (name, var) in server.get("variables").map(entries).unwrap_or_default() {
        if let Some(default) = var.get("default").map(|d| d.to_json()) {
            let text = default.as_str().map_or_else(|| default.to_string(), str::to_owned);
            url = url.replace(&format!("{{{}}}", name.name), &text);
        }
    }
    Some(url)
}

fn servers(root: &Node, v2: bool) -> Vec<String> {
    if !v2 {
        return root
            .get("servers")
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(|server| str_at(server, "url").map(|url| server_item(url, None, None, server)))
            .collect();
    }
    let host = str_at(root, "host");
    let base = str_at(root, "basePath").unwrap_or_default();
    if host.is_none() && base.is_empty() {
        return Vec::new();
    }
    let schemes: Vec<&str> =
        root.get("schemes").map(items).unwrap_or_default().iter().filter_map(Node::as_str).collect();
    let address = format!("{}{base}", host.unwrap_or_default());
    let urls: Vec<String> = match host {
        Some(_) if !schemes.is_empty() => schemes.iter().map(|scheme| format!("{scheme}://{address}")).collect(),
        _ => vec![address],
    };
    let empty = Node::new(Default::default(), Value::Null);
    urls.iter().map(|url| server_item(url, None, None, &empty)).collect()
}

fn operation<'a>(doc: &Doc<'a>, res: &mut Resolver<'a>, anchors: &mut Anchors, op: &Op<'a>) -> (String, Operation) {
    let node = op.node;
    let operation_id = str_at(node, "operationId");
    let id = anchors.claim("op-", &operation_id.map_or_else(|| format!("{}-{}", op.method, op.path), str::to_owned));
    let deprecated = is_true(node, "deprecated");
    let method = op.method.to_ascii_uppercase();
    let mut html = format!(
        "<section class=\"api-op{}\" id=\"{id}\"><h3><span class=\"api-method {}\">{method}</span> <code class=\"api-path\">{}</code>{}</h3>",
        if deprecated { " deprecated" } else { "" },
        op.method,
        esc(op.path),
        if deprecated { badge("deprecated", "deprecated") } else { String::new() },
    );
    if let Some(summary) = str_at(node, "summary") {
        html.push_str(&format!("<p class=\"api-summary\">{}</p>", esc(summary)));
    }
    html.push_str(&description(str_at(node, "description").unwrap_or_default()));
    if let Some(operation_id) = operation_id {
        html.push_str(&format!(
            "<p><span class=\"api-keyword\">operationId</span> <code>{}</code></p>",
            esc(operation_id)
        ));
    }
    let params = parameters(res, op.item, node);
    let body = params.iter().find_map(|p| match p {
        Param::Found(p) if doc.v2 && str_at(p, "in") == Some("body") => Some(*p),
        _ => None,
    });
    html.push_str(&parameter_table(doc, res, &params));
    match body {
        Some(body) => html.push_str(&body_v2(doc, res, node, body)),
        None => html.push_str(&request_body(res, node)),
    }
    html.push_str(&responses(doc, res, node));
    html.push_str(&curl_example(doc, res, op, &params, body));
    html.push_str("</section>");

    let summary = str_at(node, "summary")
        .map(summary_of)
        .or_else(|| str_at(node, "description").map(summary_of))
        .unwrap_or_else(|| operation_id.unwrap_or_default().to_owned());
    let tags =
        node.get("tags").map(items).unwrap_or_default().iter().filter_map(Node::as_str).map(str::to_owned).collect();
    (html, Operation { id, method, path: op.path.to_owned(), summary, tags })
}

/// The operation as a `curl` command (see `curl.rs`), collapsed under its heading.
fn curl_example<'a>(
    doc: &Doc<'a>,
    res: &mut Resolver<'a>,
    op: &Op<'a>,
    params: &[Param<'a>],
    body_v2: Option<&'a Node>,
) -> String {
    let example_of = |node: &Node| {
        node.get("example")
            .or_else(|| node.get("schema").and_then(|s| s.get("example")))
            .or_else(|| node.get("schema").and_then(|s| s.get("default")))
            .map(Node::to_json)
    };
    let list: Vec<super::curl::Param> = params
        .iter()
        .filter_map(|p| match p {
            Param::Found(n) => Some(*n),
            Param::Broken(_) => None,
        })
        .filter(|n| str_at(n, "in") != Some("body"))
        .map(|n| super::curl::Param {
            name: str_at(n, "name").unwrap_or("?").to_owned(),
            location: str_at(n, "in").unwrap_or("query").to_owned(),
            required: is_true(n, "required"),
            example: example_of(n),
        })
        .collect();
    let mut body: Option<(String, serde_json::Value)> = None;
    if let Some(b) = body_v2 {
        body = Some(("application/json".to_owned(), example_of(b).unwrap_or_else(|| serde_json::json!({}))));
    } else if let Some(rb) = op.node.get("requestBody") {
        let target = res.resolve(rb).node;
        if let Some((media, m)) = target.get("content").map(entries).unwrap_or_default().first() {
            let example = m.get("example").map(Node::to_json).or_else(|| {
                let (_, first) = m.get("examples").map(entries).unwrap_or_default().first()?;
                res.resolve(first).node.get("value").map(Node::to_json)
            });
            body =
                Some((media.name.clone(), example.or_else(|| example_of(m)).unwrap_or_else(|| serde_json::json!({}))));
        }
    }
    let command = super::curl::command(
        doc.server.as_deref(),
        op.method,
        op.path,
        &list,
        body.as_ref().map(|(m, e)| (m.as_str(), e)),
    );
    format!("<details class=\"api-curl\"><summary>curl</summary><pre><code>{}</code></pre></details>", esc(&command))
}

/// Path-level then operation-level parameters, resolved; the operation's override by name + in.
fn parameters<'a>(res: &mut Resolver<'a>, item: &'a Node, op: &'a Node) -> Vec<Param<'a>> {
    let mut out: Vec<Param<'a>> = Vec::new();
    let declared = item.get("parameters").map(items).unwrap_or_default();
    for param in declared.iter().chain(op.get("parameters").map(items).unwrap_or_default()) {
        let target = res.resolve(param);
        if let Some(reference) = target.broken {
            out.push(Param::Broken(reference));
            continue;
        }
        let key = (str_at(target.node, "name"), str_at(target.node, "in"));
        let same = |p: &Param| matches!(p, Param::Found(n) if (str_at(n, "name"), str_at(n, "in")) == key);
        match out.iter_mut().find(|p| same(p)) {
            Some(existing) => *existing = Param::Found(target.node),
            None => out.push(Param::Found(target.node)),
        }
    }
    out
}

/// The schema of a parameter or header: `schema`, the first `content` entry's schema, or (2.0)
/// the object itself, which carries `type`, `format`, `items`, `enum`, … inline.
fn schema_of<'a>(doc: &Doc, node: &'a Node) -> &'a Node {
    if let Some(schema) = node.get("schema") {
        return schema;
    }
    if !doc.v2
        && let Some((_, media)) = node.get("content").map(entries).unwrap_or_default().first()
        && let Some(schema) = media.get("schema")
    {
        return schema;
    }
    node
}

fn parameter_table<'a>(doc: &Doc, res: &mut Resolver<'a>, params: &[Param<'a>]) -> String {
    let mut rows = String::new();
    for param in params {
        let param = match param {
            Param::Found(p) if doc.v2 && str_at(p, "in") == Some("body") => continue,
            Param::Found(p) => *p,
            Param::Broken(reference) => {
                rows.push_str(&format!(
                    "<tr><td colspan=\"4\"><span class=\"api-type api-unresolved\">{}</span></td></tr>",
                    esc(reference)
                ));
                continue;
            }
        };
        let schema = schema_of(doc, param);
        let mut name = format!("<code class=\"api-prop-name\">{}</code>", esc(str_at(param, "name").unwrap_or("?")));
        if is_true(param, "required") {
            name.push_str(&badge("required", "required"));
        }
        if is_true(param, "deprecated") {
            name.push_str(&badge("deprecated", "deprecated"));
        }
        let location = esc(str_at(param, "in").unwrap_or_default());
        let label = res.label(schema, 0);
        let mut extra = String::new();
        if let Some(format) = str_at(param, "collectionFormat") {
            extra.push_str(&format!(
                "<li><span class=\"api-keyword\">collectionFormat</span> <code>{}</code></li>",
                esc(format)
            ));
        }
        if !std::ptr::eq(schema, param)
            && let Some(example) = param.get("example")
        {
            extra.push_str(&format!(
                "<li><span class=\"api-keyword\">example</span> <code>{}</code></li>",
                esc(&display_value(example))
            ));
        }
        for (key, example) in param.get("examples").map(entries).unwrap_or_default() {
            let example = res.resolve(example).node;
            if let Some(value) = example.get("value") {
                extra.push_str(&format!(
                    "<li><span class=\"api-keyword\">example {}</span> <code>{}</code></li>",
                    esc(&key.name),
                    esc(&display_value(value))
                ));
            }
        }
        let text = description(str_at(param, "description").unwrap_or_default());
        let constraints = res.constraints(schema, &extra);
        rows.push_str(&format!(
            "<tr><td>{name}</td><td>{location}</td><td>{label}</td><td>{text}{constraints}</td></tr>"
        ));
    }
    if rows.is_empty() {
        return rows;
    }
    format!(
        "<h4>Parameters</h4><table class=\"api-params\"><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>"
    )
}

/// 3.x `requestBody`.
fn request_body<'a>(res: &mut Resolver<'a>, op: &'a Node) -> String {
    let Some(body) = op.get("requestBody") else { return String::new() };
    let target = res.resolve(body);
    let mut html = String::from("<h4>Request body</h4><div class=\"api-body\">");
    if let Some(reference) = target.broken {
        html.push_str(&format!("<span class=\"api-type api-unresolved\">{}</span></div>", esc(reference)));
        return html;
    }
    if is_true(target.node, "required") {
        html.push_str(&format!("<p>{}</p>", badge("required", "required").trim_start()));
    }
    html.push_str(&description(str_at(target.node, "description").unwrap_or_default()));
    html.push_str(&content(res, target.node.get("content")));
    html.push_str("</div>");
    html
}

/// 2.0 `in: body` parameter as the request body.
fn body_v2<'a>(doc: &Doc<'a>, res: &mut Resolver<'a>, op: &'a Node, body: &'a Node) -> String {
    let mut html = String::from("<h4>Request body</h4><div class=\"api-body\">");
    if is_true(body, "required") {
        html.push_str(&format!("<p>{}</p>", badge("required", "required").trim_start()));
    }
    html.push_str(&description(str_at(body, "description").unwrap_or_default()));
    html.push_str(&format!(
        "<div class=\"api-media\"><h5><code>{}</code></h5>",
        esc(&media_types(doc, op, "consumes"))
    ));
    if let Some(schema) = body.get("schema") {
        html.push_str(&res.schema_block(schema, None));
    }
    html.push_str("</div></div>");
    html
}

/// 2.0 `consumes` / `produces` of the operation or the document.
fn media_types(doc: &Doc, op: &Node, key: &str) -> String {
    let list = op.get(key).or_else(|| doc.root.get(key)).map(items).unwrap_or_default();
    let types: Vec<&str> = list.iter().filter_map(Node::as_str).collect();
    if types.is_empty() { "application/json".to_owned() } else { types.join(", ") }
}

/// 3.x `content`: one `api-media` block per media type.
fn content<'a>(res: &mut Resolver<'a>, content: Option<&'a Node>) -> String {
    let mut html = String::new();
    for (media, node) in content.map(entries).unwrap_or_default() {
        html.push_str(&format!("<div class=\"api-media\"><h5><code>{}</code></h5>", esc(&media.name)));
        if let Some(schema) = node.get("schema") {
            html.push_str(&res.schema_block(schema, None));
        }
        html.push_str(&examples(res, node));
        html.push_str("</div>");
    }
    html
}

/// `example` and the 3.x `examples` map of a media type.
fn examples<'a>(res: &mut Resolver<'a>, node: &'a Node) -> String {
    let mut html = String::new();
    if let Some(example) = node.get("example") {
        html.push_str("<p><span class=\"api-keyword\">example</span></p>");
        html.push_str(&example_block(example));
    }
    for (name, example) in node.get("examples").map(entries).unwrap_or_default() {
        let target = res.resolve(example);
        html.push_str(&format!("<p><span class=\"api-keyword\">example</span> <code>{}</code>", esc(&name.name)));
        if let Some(reference) = target.broken {
            html.push_str(&format!(" <span class=\"api-type api-unresolved\">{}</span></p>", esc(reference)));
            continue;
        }
        if let Some(summary) = str_at(target.node, "summary") {
            html.push_str(&format!(" {}", esc(summary)));
        }
        html.push_str("</p>");
        html.push_str(&description(str_at(target.node, "description").unwrap_or_default()));
        if let Some(value) = target.node.get("value") {
            html.push_str(&example_block(value));
        } else if let Some(url) = str_at(target.node, "externalValue") {
            html.push_str(&format!("<p><code>{}</code></p>", esc(url)));
        }
    }
    html
}

fn responses<'a>(doc: &Doc<'a>, res: &mut Resolver<'a>, op: &'a Node) -> String {
    let mut html = String::new();
    for (code, response) in op.get("responses").map(entries).unwrap_or_default() {
        if code.name.starts_with("x-") {
            continue;
        }
        let modifier = match code.name.as_bytes().first() {
            Some(digit @ b'1'..=b'5') => format!(" s{}xx", *digit as char),
            _ if code.name == "default" => " default".to_owned(),
            _ => String::new(),
        };
        html.push_str(&format!(
            "<div class=\"api-response\"><h5><span class=\"api-status{modifier}\">{}</span></h5>",
            esc(&code.name)
        ));
        let target = res.resolve(response);
        if let Some(reference) = target.broken {
            html.push_str(&format!("<span class=\"api-type api-unresolved\">{}</span></div>", esc(reference)));
            continue;
        }
        let response = target.node;
        html.push_str(&description(str_at(response, "description").unwrap_or_default()));
        html.push_str(&headers(doc, res, response));
        if doc.v2 {
            if let Some(schema) = response.get("schema") {
                let media = esc(&media_types(doc, op, "produces"));
                html.push_str(&format!("<div class=\"api-media\"><h5><code>{media}</code></h5>"));
                html.push_str(&res.schema_block(schema, None));
                html.push_str("</div>");
            }
            for (media, example) in response.get("examples").map(entries).unwrap_or_default() {
                html.push_str(&format!(
                    "<p><span class=\"api-keyword\">example</span> <code>{}</code></p>",
                    esc(&media.name)
                ));
                html.push_str(&example_block(example));
            }
        } else {
            html.push_str(&content(res, response.get("content")));
        }
        html.push_str("</div>");
    }
    if html.is_empty() { html } else { format!("<h4>Responses</h4><div class=\"api-responses\">{html}</div>") }
}

fn headers<'a>(doc: &Doc, res: &mut Resolver<'a>, response: &'a Node) -> String {
    let mut rows = String::new();
    for (name, header) in response.get("headers").map(entries).unwrap_or_default() {
        let target = res.resolve(header);
        let name = format!("<code class=\"api-prop-name\">{}</code>", esc(&name.name));
        if let Some(reference) = target.broken {
            rows.push_str(&format!(
                "<tr><td>{name}</td><td colspan=\"2\"><span class=\"api-type api-unresolved\">{}</span></td></tr>",
                esc(reference)
            ));
            continue;
        }
        let schema = schema_of(doc, target.node);
        let label = res.label(schema, 0);
        let text = description(str_at(target.node, "description").unwrap_or_default());
        let constraints = res.constraints(schema, "");
        rows.push_str(&format!("<tr><td>{name}</td><td>{label}</td><td>{text}{constraints}</td></tr>"));
    }
    if rows.is_empty() {
        return rows;
    }
    format!(
        "<table class=\"api-params\"><thead><tr><th>Header</th><th>Type</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>"
    )
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_anchors, assert_no_raw_script, backstage_example, content_example};
    use super::super::{ApiReference, render};

    fn methods_and_paths(reference: &ApiReference) -> Vec<(&str, &str)> {
        reference.operations.iter().map(|op| (op.method.as_str(), op.path.as_str())).collect()
    }

    #[test]
    fn petstore_3_0() {
        let got = render("openapi", &backstage_example("petstore-api.yaml"));
        assert_eq!((got.format.as_str(), got.raw_language), ("OpenAPI 3.0.0", "yaml"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(methods_and_paths(&got), [("GET", "/pets"), ("POST", "/pets"), ("GET", "/pets/{petId}")]);
        let ids: Vec<&str> = got.operations.iter().map(|op| op.id.as_str()).collect();
        assert_eq!(ids, ["op-listPets", "op-createPets", "op-showPetById"]);
        assert!(got.operations.iter().all(|op| op.tags == ["pets"]));
        assert_eq!(got.operations[0].summary, "List all pets");
        let html = &got.html();
        for needle in [
            "<div class=\"api-ref openapi\"><header class=\"api-info\"><h2 class=\"api-title\">Swagger Petstore</h2><p class=\"api-version\">1.0.0</p>",
            "<li><code>http://petstore.swagger.io/v1</code></li>",
            "<section class=\"api-group\" id=\"tag-pets\"><h2>pets</h2>",
            "<section class=\"api-op\" id=\"op-listPets\"><h3><span class=\"api-method get\">GET</span> <code class=\"api-path\">/pets</code></h3>",
            "<td><code class=\"api-prop-name\">limit</code></td><td>query</td><td><span class=\"api-type\">integer</span> <span class=\"api-format\">int32</span></td>",
            "<code class=\"api-prop-name\">petId</code> <span class=\"api-badge required\">required</span>",
            "<span class=\"api-status s2xx\">200</span>",
            "<span class=\"api-status default\">default</span>",
            "<code class=\"api-prop-name\">x-next</code>",
            "<a class=\"api-type\" href=\"#schema-Pets\">Pets</a>",
            "<section class=\"api-def\" id=\"schema-Pet\"><h3>Pet</h3>",
            "<span class=\"api-type\">array[<a class=\"api-type\" href=\"#schema-Pet\">Pet</a>]</span>",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        assert_anchors(&got);
    }

    #[test]
    fn order_service_3_0() {
        let got = render("openapi", &content_example("order-service/openapi.yaml"));
        assert_eq!(got.format, "OpenAPI 3.0.3");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(
            methods_and_paths(&got),
            [
                ("GET", "/orders"),
                ("POST", "/orders"),
                ("GET", "/orders/{orderId}"),
                ("PATCH", "/orders/{orderId}"),
                ("POST", "/orders/{orderId}/cancel"),
                ("GET", "/orders/{orderId}/label"),
            ]
        );
        let html = &got.html();
        // Untagged operations form one group; path-level `$ref` parameters are merged in.
        assert!(html.contains("<section class=\"api-group\" id=\"tag-Operations\"><h2>Operations</h2>"));
        let get_order = &html[html.find("id=\"op-getOrder\"").unwrap()..html.find("id=\"op-updateOrder\"").unwrap()];
        assert!(get_order.contains("<code class=\"api-prop-name\">orderId</code> <span class=\"api-badge required\">required</span></td><td>path</td>"));
        // `$ref` responses resolve; `allOf` parts are merged into one property list.
        assert!(get_order.contains(
            "<span class=\"api-status s4xx\">404</span></h5><div class=\"api-description\"><p>Order not found.</p>"
        ));
        let order = &html[html.find("id=\"schema-Order\"").unwrap()..];
        assert!(order.contains("<code class=\"api-prop-name\">customerId</code>"), "inherited from OrderCreate");
        assert!(order.contains("<code class=\"api-prop-name\">trackingNumbers</code> <span class=\"api-type\">array[<span class=\"api-type\">string</span>]</span>"));
        // Parameter schema facts and request body media types.
        assert!(html.contains("<li><span class=\"api-keyword\">default</span> <code>50</code></li>"));
        assert!(html.contains("<div class=\"api-media\"><h5><code>application/merge-patch+json</code></h5>"));
        assert!(html.contains(
            "<h4>Request body</h4><div class=\"api-body\"><p><span class=\"api-badge required\">required</span></p>"
        ));
        assert!(html.contains("<p>Amount in minor units (öre, cents).</p>"));
        assert_anchors(&got);
    }

    #[test]
    fn payment_gateway_3_1_with_webhooks() {
        let got = render("OpenAPI", &content_example("payment-gateway/openapi.yaml"));
        assert_eq!(got.format, "OpenAPI 3.1.0");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(got.operations.len(), 5);
        let webhook = &got.operations[4];
        assert_eq!(
            (webhook.id.as_str(), webhook.method.as_str(), webhook.path.as_str()),
            ("op-post-paymentIntentUpdated", "POST", "paymentIntentUpdated")
        );
        let html = &got.html();
        assert!(html.contains("<section class=\"api-group\" id=\"tag-Webhooks\"><h2>Webhooks</h2>"));
        assert!(html.contains("<p class=\"api-summary\">Payment intents, captures and refunds.</p>"), "info.summary");
        // 3.1 type lists with null, `examples` arrays, `$ref` with a sibling description.
        assert!(html.contains("<code class=\"api-prop-name\">nextActionUrl</code> <span class=\"api-type\">string</span> <span class=\"api-format\">uri</span> <span class=\"api-badge nullable\">nullable</span>"));
        assert!(html.contains("<span class=\"api-keyword\">examples</span> <code>visa</code> <code>mastercard</code>"));
        assert!(html.contains("<p>Partial capture amount. Defaults to the authorised amount.</p>"));
        assert_anchors(&got);
        let webhook_only = render("openapi", &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/backstage-examples/backstage/packages/catalog-model/examples/apis/petstore-webhook.oas.yaml"
        )).unwrap());
        assert!(webhook_only.warnings.is_empty(), "3.1 needs no paths: {:?}", webhook_only.warnings);
        assert_eq!(methods_and_paths(&webhook_only), [("POST", "newPet")]);
    }

    #[test]
    fn tracking_service_groups_follow_declared_tags() {
        let got = render("openapi", &content_example("tracking-service/openapi.yaml"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let html = &got.html();
        let positions: Vec<usize> = ["tag-parcels", "tag-subscriptions", "tag-depots", "section-schemas"]
            .iter()
            .map(|id| html.find(&format!("id=\"{id}\"")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert!(html.contains("<p>Parcel status and history</p>"), "tag description");
        assert_eq!(
            got.operations.iter().map(|op| op.tags[0].as_str()).collect::<Vec<_>>(),
            ["parcels", "parcels", "subscriptions", "subscriptions", "depots"]
        );
        assert!(html.contains("<span class=\"api-keyword\">example</span> <code>sv-SE</code>"), "parameter example");
        assert!(html.contains("<p><span class=\"api-keyword\">example</span> <code>webhook</code> Webhook subscription</p><pre class=\"api-example hl-code\">"));
        assert!(html.contains("recipient@example.com"), "media type `examples` values");
        assert_anchors(&got);
    }

    #[test]
    fn swagger_2_0() {
        let definition = r##"
swagger: "2.0"
info: {title: Legacy, version: "1"}
host: api.example.com
basePath: /v1
schemes: [https, http]
consumes: [application/json]
produces: [application/xml]
paths:
  /pets/{id}:
    parameters:
      - $ref: '#/parameters/Id'
    put:
      operationId: updatePet
      tags: [pets]
      parameters:
        - {name: tags, in: query, type: array, items: {type: string, enum: [a, b]}, collectionFormat: csv}
        - {name: body, in: body, required: true, description: The pet., schema: {$ref: '#/definitions/Pet'}}
        - {name: photo, in: formData, type: file}
      responses:
        200:
          description: Updated.
          schema: {$ref: '#/definitions/Pet'}
          headers:
            X-Rate: {type: integer, format: int32}
          examples:
            application/xml: <pet/>
        404: {$ref: '#/responses/NotFound'}
parameters:
  Id: {name: id, in: path, required: true, type: string, format: uuid}
responses:
  NotFound: {description: No such pet.}
definitions:
  Pet:
    type: object
    properties:
      name: {type: string, x-nullable: true}
"##;
        let got = render("openapi", definition);
        assert_eq!(got.format, "OpenAPI 2.0");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(methods_and_paths(&got), [("PUT", "/pets/{id}")]);
        let html = &got.html();
        for needle in [
            "<li><code>https://api.example.com/v1</code></li><li><code>http://api.example.com/v1</code></li>",
            "<code class=\"api-prop-name\">id</code> <span class=\"api-badge required\">required</span></td><td>path</td><td><span class=\"api-type\">string</span> <span class=\"api-format\">uuid</span>",
            "<td>query</td><td><span class=\"api-type\">array[<span class=\"api-type\">string</span>]</span></td>",
            "<li><span class=\"api-keyword\">items enum</span> <code>a</code> <code>b</code></li>",
            "<li><span class=\"api-keyword\">collectionFormat</span> <code>csv</code></li>",
            "<td>formData</td><td><span class=\"api-type\">file</span></td>",
            "<h4>Request body</h4><div class=\"api-body\"><p><span class=\"api-badge required\">required</span></p><div class=\"api-description\"><p>The pet.</p></div><div class=\"api-media\"><h5><code>application/json</code></h5>",
            "<div class=\"api-media\"><h5><code>application/xml</code></h5><div class=\"api-schema\"><p><a class=\"api-type\" href=\"#schema-Pet\">Pet</a>",
            "<code class=\"api-prop-name\">X-Rate</code></td><td><span class=\"api-type\">integer</span>",
            "&lt;pet/&gt;",
            "<p>No such pet.</p>",
            "<span class=\"api-badge nullable\">nullable</span>",
        ] {
            assert!(html.contains(needle), "missing {needle}\n{html}");
        }
        assert!(!html.contains("<td>body</td>"), "the body parameter is not a table row");
        assert_anchors(&got);
    }

    #[test]
    fn json_definitions_keep_document_order() {
        let definition = r#"{"openapi": "3.0.1", "info": {"title": "J", "version": "1"},
          "paths": {"/z": {"get": {"responses": {"204": {"description": "ok"}}}},
                    "/a": {"post": {"responses": {"204": {"description": "ok"}}}}},
          "components": {"schemas": {"Zed": {"type": "string"}, "Alpha": {"type": "string"}}}}"#;
        let got = render("openapi", definition);
        assert_eq!(got.raw_language, "json");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(methods_and_paths(&got), [("GET", "/z"), ("POST", "/a")]);
        assert_eq!(got.operations[0].id, "op-get-z");
        assert!(got.html().find("id=\"schema-Zed\"").unwrap() < got.html().find("id=\"schema-Alpha\"").unwrap());
    }

    #[test]
    fn text_is_escaped() {
        let definition = r#"
openapi: 3.0.0
info:
  title: "<b>Title</b>"
  version: '1'
  description: "<script>alert('info')</script>"
tags: [{name: 'say "hi"', description: "<script>tag</script>"}]
paths:
  /things/<x>:
    get:
      tags: ['say "hi"']
      operationId: "<script>op</script>"
      summary: "<script>summary</script>"
      parameters:
        - {name: "<q>", in: query, schema: {type: string, default: "<d>", enum: ["<e>"]}}
      responses:
        '200':
          description: "<script>response</script>"
          content:
            "text/<html>":
              schema: {$ref: '#/components/schemas/S'}
              example: {"<k>": "<v>"}
components:
  schemas:
    S:
      properties:
        "<p>": {type: string, description: "<script>prop</script>", format: "<f>"}
"#;
        let got = render("openapi", definition);
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let html = &got.html();
        assert_no_raw_script(html);
        for needle in [
            "&lt;b&gt;Title&lt;/b&gt;",
            "&lt;script&gt;alert(&#39;info&#39;)&lt;/script&gt;",
            "<h2>say &quot;hi&quot;</h2>",
            "<code class=\"api-path\">/things/&lt;x&gt;</code>",
            "<code class=\"api-prop-name\">&lt;q&gt;</code>",
            "<code>&lt;d&gt;</code>",
            "<code>text/&lt;html&gt;</code>",
            "<code class=\"api-prop-name\">&lt;p&gt;</code>",
            "<span class=\"api-format\">&lt;f&gt;</span>",
            "&lt;k&gt;",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        assert_eq!(got.operations[0].id, "op-script-op-script");
        assert_eq!(got.operations[0].summary, "<script>summary</script>", "operations carry raw text");
        assert!(!html.contains(" id=\"op-<"), "ids are slugs");
    }

    #[test]
    fn unresolved_and_cyclic_refs() {
        let definition = r#"
openapi: 3.0.0
info: {title: Refs, version: '1'}
paths:
  /tree:
    get:
      parameters:
        - $ref: '#/components/parameters/Missing'
      responses:
        '200':
          description: A tree.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Tree'}
        '500': {$ref: 'common.yaml#/components/responses/Error'}
components:
  schemas:
    Tree:
      type: object
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}
        parent: {$ref: '#/components/schemas/Tree'}
        owner: {$ref: '#/components/schemas/Nobody'}
"#;
        let got = render("openapi", definition);
        assert_eq!(
            got.warnings,
            [
                "unresolved $ref #/components/parameters/Missing",
                "unresolved $ref #/components/schemas/Nobody",
                "external $ref common.yaml#/components/responses/Error is not resolved (only local `#/…` references are)",
            ]
        );
        let html = &got.html();
        assert!(html.contains("<span class=\"api-type api-unresolved\">#/components/parameters/Missing</span>"));
        assert!(
            html.contains("<span class=\"api-type api-unresolved\">common.yaml#/components/responses/Error</span>")
        );
        assert!(html.contains("<code class=\"api-prop-name\">parent</code> <a class=\"api-type\" href=\"#schema-Tree\">Tree</a> <span class=\"api-badge recursive\">recursive</span>"));
        assert_anchors(&got);
    }

    #[test]
    fn structural_problems_are_warnings() {
        let got = render("openapi", "openapi: 4.0.0\npaths: [a]\n");
        assert_eq!(
            got.warnings,
            [
                "invalid OpenAPI: unsupported version `openapi: 4.0.0`; rendering it like 3.x",
                "invalid OpenAPI: `info` is missing or not a mapping",
                "invalid OpenAPI: `paths` is not a mapping",
            ]
        );
        assert!(got.html().starts_with("<div class=\"api-ref openapi\">"));
        let got = render(
            "openapi",
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: x}\n    post: {operationId: x}\n",
        );
        assert_eq!(got.warnings, ["duplicate operationId x"]);
        assert_eq!(got.operations.iter().map(|op| op.id.as_str()).collect::<Vec<_>>(), ["op-x", "op-x-2"]);
    }

    #[test]
    fn output_is_deterministic() {
        for path in ["order-service/openapi.yaml", "payment-gateway/openapi.yaml", "tracking-service/openapi.yaml"] {
            let definition = content_example(path);
            assert_eq!(render("openapi", &definition), render("openapi", &definition), "{path}");
        }
    }
}
