//! AsyncAPI 2.x and 3.x references.
//!
//! Input: the root mapping of a definition with an `asyncapi` key. Output: info, servers, one
//! group per channel with its parameters, messages and operations, then the Messages
//! (`components/messages`) and Schemas (`components/schemas`) sections.
//!
//! Invariants:
//! - 2.x: a channel's `publish` / `subscribe` are its operations (`PUBLISH` / `SUBSCRIBE`);
//!   `message` may be one message or `oneOf` a list.
//! - 3.x: `operations` (`SEND` / `RECEIVE`) are shown under the channel their `channel` `$ref`
//!   names, in document order; operations whose channel does not resolve come last. Inline
//!   channel messages get a `msg-<channel>-<message>` anchor that operation `messages` link to.
//! - A message that refers to a registered message (component or inline channel message) is a
//!   link; any other message is rendered in place. Message and operation `traits` are merged
//!   under the object's own fields (the object wins).
//! - Payloads and headers with a non-JSON-Schema `schemaFormat` (Avro, RAML, …) are shown as
//!   source, not as a property tree.

use crate::yaml::{Node, Value};

use super::schema::{Link, Resolver, canonical, escape_segment, ref_of};
use super::{
    Anchors, ApiReference, Operation, badge, description, entries, esc, example_block, info_header, items, server_item,
    servers_section, str_at, summary_of, text_at,
};
use crate::packed::Packed;

/// An operation before rendering: its action, the address it acts on and its messages.
struct Op<'a> {
    key: Option<&'a str>,
    action: String,
    path: String,
    node: &'a Node,
    messages: Vec<&'a Node>,
}

pub(super) fn render(root: &Node, raw_language: &'static str) -> ApiReference {
    let version = text_at(root, "asyncapi").unwrap_or_default();
    let v3 = version.starts_with("3.");
    let mut res = Resolver::new(root);
    let mut anchors = Anchors::default();
    if !version.starts_with("2.") && !v3 {
        res.warn(format!("invalid AsyncAPI: unsupported version `asyncapi: {version}`; rendering it like 2.x"));
    }
    if root.get("info").and_then(Node::as_map).is_none() {
        res.warn("invalid AsyncAPI: `info` is missing or not a mapping".to_owned());
    }
    let schemas = res.register(&["components", "schemas"], "schema-", &mut anchors);
    let messages = res.register(&["components", "messages"], "msg-", &mut anchors);
    if v3 {
        register_channel_messages(root, &mut res, &mut anchors);
    }

    let mut html = format!("<div class=\"api-ref asyncapi\">{}", info_header(root.get("info")));
    let servers: Vec<String> = root
        .get("servers")
        .map(entries)
        .unwrap_or_default()
        .iter()
        .map(|(name, server)| {
            let server = res.resolve(server).node;
            let url = match v3 {
                true => format!(
                    "{}{}",
                    str_at(server, "host").unwrap_or_default(),
                    str_at(server, "pathname").unwrap_or_default()
                ),
                false => str_at(server, "url").unwrap_or_default().to_owned(),
            };
            server_item(&url, str_at(server, "protocol"), Some(&name.name), server)
        })
        .collect();
    html.push_str(&servers_section(&mut anchors, &servers));
    let mut operations = Vec::new();
    html.push_str(&channels(root, v3, &mut res, &mut anchors, &mut operations));
    html.push_str(&messages_section(&mut res, &mut anchors, &messages));
    html.push_str(&res.schemas_section(&mut anchors, &schemas));
    html.push_str("</div>");
    ApiReference {
        format: format!("AsyncAPI {version}"),
        html: Packed::new(&html),
        warnings: res.warnings.into_vec(),
        operations,
        raw_language,
    }
}

/// 3.x: anchors for messages defined inline in channels, so operations can link to them.
fn register_channel_messages<'a>(root: &'a Node, res: &mut Resolver<'a>, anchors: &mut Anchors) {
    for (channel_key, channel) in root.get("channels").map(entries).unwrap_or_default() {
        let channel = res.resolve(channel).node;
        for (message_key, message) in channel.get("messages").map(entries).unwrap_or_default() {
            if ref_of(message).is_none() {
                let pointer = format!(
                    "#/channels/{}/messages/{}",
                    escape_segment(&channel_key.name),
                    escape_segment(&message_key.name)
                );
                let anchor = anchors.claim("msg-", &format!("{}-{}", channel_key.name, message_key.name));
                res.add_link(pointer, Link { anchor, label: message_key.name.clone() });
            }
        }
    }
}

/// Operations by channel key (3.x `operations`, 2.x `publish` / `subscribe`), plus those whose
/// channel does not resolve.
fn operations_by_channel<'a>(root: &'a Node, v3: bool, res: &mut Resolver<'a>) -> (Vec<(String, Op<'a>)>, Vec<Op<'a>>) {
    let mut found = Vec::new();
    let mut orphans = Vec::new();
    if !v3 {
        for (channel_key, channel) in root.get("channels").map(entries).unwrap_or_default() {
            for (key, op) in entries(res.resolve(channel).node) {
                if key.name == "publish" || key.name == "subscribe" {
                    let message = op.get("message");
                    let messages = match message.and_then(|m| m.get("oneOf")) {
                        Some(list) => items(list).iter().collect(),
                        None => message.into_iter().collect(),
                    };
                    let path = channel_key.name.clone();
                    found.push((
                        channel_key.name.clone(),
                        Op { key: None, action: key.name.clone(), path, node: op, messages },
                    ));
                }
            }
        }
        return (found, orphans);
    }
    for (key, op) in root.get("operations").map(entries).unwrap_or_default() {
        let op = res.resolve(op).node;
        let action = str_at(op, "action").unwrap_or("operation").to_owned();
        let channel_ref = op.get("channel").and_then(ref_of);
        let channel_key = channel_ref.and_then(canonical).and_then(|p| {
            let key = p.strip_prefix("#/channels/")?;
            (!key.contains('/')).then(|| key.replace("~1", "/").replace("~0", "~"))
        });
        let channel = op.get("channel").map(|c| res.resolve(c).node);
        let path = channel
            .and_then(|c| str_at(c, "address"))
            .or(channel_key.as_deref())
            .or(channel_ref)
            .unwrap_or_default()
            .to_owned();
        let mut messages: Vec<&Node> = op.get("messages").map(items).unwrap_or_default().iter().collect();
        if messages.is_empty()
            && let Some(channel) = channel
        {
            messages = channel.get("messages").map(entries).unwrap_or_default().iter().map(|(_, m)| m).collect();
        }
        let op = Op { key: Some(&key.name), action, path, node: op, messages };
        match channel_key.filter(|k| root.get("channels").and_then(|c| c.get(k)).is_some()) {
            Some(channel_key) => found.push((channel_key, op)),
            None => orphans.push(op),
        }
    }
    (found, orphans)
}

fn channels<'a>(
    root: &'a Node,
    v3: bool,
    res: &mut Resolver<'a>,
    anchors: &mut Anchors,
    operations: &mut Vec<Operation>,
) -> String {
    let (mut found, orphans) = operations_by_channel(root, v3, res);
    let mut html = String::new();
    for (key, channel) in root.get("channels").map(entries).unwrap_or_default() {
        let channel = res.resolve(channel).node;
        let address = if v3 { str_at(channel, "address").unwrap_or(&key.name) } else { &key.name };
        let id = anchors.claim("channel-", &key.name);
        html.push_str(&format!(
            "<section class=\"api-group\" id=\"{id}\"><h2><code class=\"api-path\">{}</code></h2>",
            esc(address)
        ));
        for field in ["title", "summary"] {
            if let Some(text) = str_at(channel, field) {
                html.push_str(&format!("<p class=\"api-summary\">{}</p>", esc(text)));
            }
        }
        html.push_str(&description(str_at(channel, "description").unwrap_or_default()));
        html.push_str(&parameters(res, channel));
        let channel_messages = if v3 { channel.get("messages").map(entries).unwrap_or_default() } else { &[] };
        if !channel_messages.is_empty() {
            html.push_str("<h3>Messages</h3>");
        }
        for (message_key, message) in channel_messages {
            let pointer =
                format!("#/channels/{}/messages/{}", escape_segment(&key.name), escape_segment(&message_key.name));
            match res.link(&pointer).filter(|_| ref_of(message).is_none()).cloned() {
                Some(link) => {
                    let title = str_at(message, "name").unwrap_or(&message_key.name);
                    html.push_str(&format!(
                        "<div class=\"api-message\" id=\"{}\"><h4>{}</h4>",
                        esc(&link.anchor),
                        esc(title)
                    ));
                    html.push_str(&message_body(res, message, 5));
                    html.push_str("</div>");
                }
                None => html.push_str(&message_ref(res, message)),
            }
        }
        let mut index = 0;
        while index < found.len() {
            if found[index].0 == key.name {
                let (_, op) = found.remove(index);
                let (op_html, operation) = operation(res, anchors, &op);
                html.push_str(&op_html);
                operations.push(operation);
            } else {
                index += 1;
            }
        }
        html.push_str("</section>");
    }
    if !orphans.is_empty() {
        let id = anchors.claim("section-", "operations");
        html.push_str(&format!("<section class=\"api-group\" id=\"{id}\"><h2>Operations</h2>"));
        for op in &orphans {
            let (op_html, operation) = operation(res, anchors, op);
            html.push_str(&op_html);
            operations.push(operation);
        }
        html.push_str("</section>");
    }
    html
}

/// Channel parameters: 2.x `{description, schema, location}`, 3.x `{enum, default, examples,
/// description, location}`.
fn parameters<'a>(res: &mut Resolver<'a>, channel: &'a Node) -> String {
    let mut rows = String::new();
    for (name, param) in channel.get("parameters").map(entries).unwrap_or_default() {
        let name = format!("<code class=\"api-prop-name\">{}</code>", esc(&name.name));
        let target = res.resolve(param);
        if let Some(reference) = target.broken {
            rows.push_str(&format!(
                "<tr><td>{name}</td><td colspan=\"2\"><span class=\"api-type api-unresolved\">{}</span></td></tr>",
                esc(reference)
            ));
            continue;
        }
        let param = target.node;
        let schema = param.get("schema").unwrap_or(param);
        let label = match param.get("schema") {
            Some(schema) => res.label(schema, 0),
            None => "<span class=\"api-type\">string</span>".to_owned(),
        };
        let text = str_at(param, "description").or_else(|| str_at(schema, "description")).unwrap_or_default();
        let extra = match str_at(param, "location") {
            Some(location) => {
                format!("<li><span class=\"api-keyword\">location</span> <code>{}</code></li>", esc(location))
            }
            None => String::new(),
        };
        let constraints = res.constraints(schema, &extra);
        rows.push_str(&format!("<tr><td>{name}</td><td>{label}</td><td>{}{constraints}</td></tr>", description(text)));
    }
    if rows.is_empty() {
        return rows;
    }
    format!(
        "<h3>Parameters</h3><table class=\"api-params\"><thead><tr><th>Name</th><th>Type</th><th>Description</th></tr></thead><tbody>{rows}</tbody></table>"
    )
}

fn operation<'a>(res: &mut Resolver<'a>, anchors: &mut Anchors, op: &Op<'a>) -> (String, Operation) {
    let traits: Vec<&Node> =
        op.node.get("traits").map(items).unwrap_or_default().iter().map(|t| res.resolve(t).node).collect();
    let field = |key: &str| op.node.get(key).or_else(|| traits.iter().find_map(|t| t.get(key)));
    let operation_id = op.key.or_else(|| field("operationId").and_then(Node::as_str));
    let id = anchors.claim("op-", &operation_id.map_or_else(|| format!("{}-{}", op.action, op.path), str::to_owned));
    let action = op.action.to_ascii_lowercase();
    let class =
        if ["publish", "subscribe", "send", "receive"].contains(&action.as_str()) { action.as_str() } else { "" };
    if class.is_empty() {
        res.warn(format!("invalid AsyncAPI: unknown operation action `{}`", op.action));
    }
    let deprecated = field("deprecated").is_some_and(|d| matches!(d.value, Value::Bool(true)));
    let method = action.to_ascii_uppercase();
    let mut html = format!(
        "<section class=\"api-op{}\" id=\"{id}\"><h3><span class=\"api-method {class}\">{}</span> <code class=\"api-path\">{}</code>{}</h3>",
        if deprecated { " deprecated" } else { "" },
        esc(&method),
        esc(&op.path),
        if deprecated { badge("deprecated", "deprecated") } else { String::new() },
    );
    for key in ["title", "summary"] {
        if let Some(text) = field(key).and_then(Node::as_str) {
            html.push_str(&format!("<p class=\"api-summary\">{}</p>", esc(text)));
        }
    }
    let text = field("description").and_then(Node::as_str).unwrap_or_default();
    html.push_str(&description(text));
    if let Some(operation_id) = operation_id {
        html.push_str(&format!(
            "<p><span class=\"api-keyword\">operationId</span> <code>{}</code></p>",
            esc(operation_id)
        ));
    }
    if !op.messages.is_empty() {
        html.push_str("<h4>Messages</h4>");
        for message in &op.messages {
            html.push_str(&message_ref(res, message));
        }
    }
    html.push_str("</section>");
    let summary = ["summary", "title"]
        .into_iter()
        .find_map(|key| field(key).and_then(Node::as_str))
        .map(summary_of)
        .unwrap_or_else(|| summary_of(text));
    let tags = field("tags")
        .map(items)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| str_at(t, "name"))
        .map(str::to_owned)
        .collect();
    (html, Operation { id, method, path: op.path.clone(), summary, tags })
}

/// A message in an operation: a link to its section, or the message itself when it has none.
fn message_ref<'a>(res: &mut Resolver<'a>, message: &'a Node) -> String {
    let target = res.resolve(message);
    if let Some(reference) = target.broken {
        return format!(
            "<div class=\"api-message\"><span class=\"api-type api-unresolved\">{}</span></div>",
            esc(reference)
        );
    }
    let node = target.node;
    if let Some(link) = res.chain_link(message) {
        let mut html = format!(
            "<div class=\"api-message\"><p><a class=\"api-type\" href=\"#{}\">{}</a>",
            esc(&link.anchor),
            esc(&link.label)
        );
        if let Some(name) = str_at(node, "name").filter(|name| *name != link.label) {
            html.push_str(&format!(" <code>{}</code>", esc(name)));
        }
        if let Some(text) = str_at(node, "title").or_else(|| str_at(node, "summary")) {
            html.push_str(&format!(" <span class=\"api-summary\">{}</span>", esc(text)));
        }
        html.push_str("</p></div>");
        return html;
    }
    let title = str_at(node, "name").or_else(|| str_at(node, "title")).unwrap_or("Message");
    format!("<div class=\"api-message\"><h5>{}</h5>{}</div>", esc(title), message_body(res, node, 6))
}

/// A message's summary, facts, headers, payload and examples; sub-headings at `level`.
fn message_body<'a>(res: &mut Resolver<'a>, message: &'a Node, level: u8) -> String {
    let message = res.resolve(message).node;
    let traits: Vec<&Node> =
        message.get("traits").map(items).unwrap_or_default().iter().map(|t| res.resolve(t).node).collect();
    let field = |key: &str| message.get(key).or_else(|| traits.iter().find_map(|t| t.get(key)));
    let mut html = String::new();
    for key in ["title", "summary"] {
        if let Some(text) = field(key).and_then(Node::as_str) {
            html.push_str(&format!("<p class=\"api-summary\">{}</p>", esc(text)));
        }
    }
    html.push_str(&description(field("description").and_then(Node::as_str).unwrap_or_default()));
    let mut facts = String::new();
    let correlation = field("correlationId").map(|c| res.resolve(c).node).and_then(|c| str_at(c, "location"));
    let values = [
        ("name", field("name").and_then(Node::as_str)),
        ("messageId", field("messageId").and_then(Node::as_str)),
        ("contentType", field("contentType").and_then(Node::as_str)),
        ("schemaFormat", field("schemaFormat").and_then(Node::as_str)),
        ("correlationId", correlation),
    ];
    for (keyword, value) in values {
        if let Some(value) = value {
            facts.push_str(&format!(
                "<li><span class=\"api-keyword\">{keyword}</span> <code>{}</code></li>",
                esc(value)
            ));
        }
    }
    if !facts.is_empty() {
        html.push_str(&format!("<ul class=\"api-constraints\">{facts}</ul>"));
    }
    let schema_format = field("schemaFormat").and_then(Node::as_str);
    if let Some(headers) = field("headers") {
        html.push_str(&format!("<h{level}>Headers</h{level}>"));
        html.push_str(&schema_html(res, headers, None));
    }
    if let Some(payload) = field("payload") {
        html.push_str(&format!("<h{level}>Payload</h{level}>"));
        html.push_str(&schema_html(res, payload, schema_format));
    }
    let examples = field("examples").map(items).unwrap_or_default();
    if !examples.is_empty() {
        html.push_str(&format!("<h{level}>Examples</h{level}>"));
    }
    for example in examples {
        let name = str_at(example, "name").unwrap_or("example");
        html.push_str(&format!("<p><span class=\"api-keyword\">{}</span>", esc(name)));
        if let Some(summary) = str_at(example, "summary") {
            html.push_str(&format!(" {}", esc(summary)));
        }
        html.push_str("</p>");
        for part in ["headers", "payload"] {
            if let Some(value) = example.get(part) {
                html.push_str(&example_block(value));
            }
        }
    }
    html
}

/// A payload or headers schema: 3.x multi-format `{schemaFormat, schema}` is unwrapped; a
/// format other than JSON Schema / AsyncAPI schema is shown as source.
fn schema_html<'a>(res: &mut Resolver<'a>, node: &'a Node, schema_format: Option<&str>) -> String {
    let (schema, format) = match (str_at(node, "schemaFormat"), node.get("schema")) {
        (Some(format), Some(schema)) => (schema, Some(format)),
        _ => (node, schema_format),
    };
    let is_json_schema = |format: &str| {
        ["application/vnd.aai.asyncapi", "application/schema+json", "application/schema+yaml"]
            .iter()
            .any(|prefix| format.starts_with(prefix))
    };
    match format {
        Some(format) if !is_json_schema(format) => {
            let schema = res.resolve(schema).node;
            format!(
                "<p><span class=\"api-keyword\">schemaFormat</span> <code>{}</code></p>{}",
                esc(format),
                example_block(schema)
            )
        }
        _ => res.schema_block(schema, None),
    }
}

fn messages_section<'a>(
    res: &mut Resolver<'a>,
    anchors: &mut Anchors,
    messages: &[super::schema::Definition<'a>],
) -> String {
    if messages.is_empty() {
        return String::new();
    }
    let id = anchors.claim("section-", "messages");
    let mut html = format!("<section class=\"api-definitions\" id=\"{id}\"><h2>Messages</h2>");
    for message in messages {
        let body = message_body(res, message.node, 4);
        html.push_str(&format!(
            "<section class=\"api-def\" id=\"{}\"><h3>{}</h3>{body}</section>",
            esc(&message.anchor),
            esc(message.name)
        ));
    }
    html.push_str("</section>");
    html
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_anchors, backstage_example, content_example};
    use super::super::render;

    #[test]
    fn tracking_events_2_6() {
        let got = render("asyncapi", &content_example("tracking-service/asyncapi.yaml"));
        assert_eq!((got.format.as_str(), got.raw_language), ("AsyncAPI 2.6.0", "yaml"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let ops: Vec<(&str, &str, &str)> =
            got.operations.iter().map(|op| (op.id.as_str(), op.method.as_str(), op.path.as_str())).collect();
        assert_eq!(
            ops,
            [
                ("op-onParcelEvent", "SUBSCRIBE", "parcel.events.v1"),
                ("op-onDeadLetter", "SUBSCRIBE", "parcel.events.dlq.v1")
            ]
        );
        assert_eq!(got.operations[0].summary, "Receive parcel lifecycle events.");
        let html = &got.html();
        for needle in [
            "<li><code>kafka-1.prod.northwind.internal:9093</code> <span class=\"api-badge protocol\">kafka-secure</span> production",
            "<section class=\"api-group\" id=\"channel-parcel.events.v1\"><h2><code class=\"api-path\">parcel.events.v1</code></h2>",
            "<span class=\"api-method subscribe\">SUBSCRIBE</span>",
            // `oneOf` messages link to their sections, with the wire name and title.
            "<p><a class=\"api-type\" href=\"#msg-ParcelCreated\">ParcelCreated</a> <code>parcel.created</code> <span class=\"api-summary\">Parcel created</span></p>",
            "<a class=\"api-type\" href=\"#msg-DeliveryFailed\">DeliveryFailed</a>",
            "<section class=\"api-def\" id=\"msg-ParcelScanned\"><h3>ParcelScanned</h3>",
            "<a class=\"api-type\" href=\"#schema-GeoPoint\">GeoPoint</a>",
            "<section class=\"api-def\" id=\"schema-EventBase\"><h3>EventBase</h3>",
            "SE-STO-ARS",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        // Trait headers are merged into each message; allOf payloads list the base properties.
        let scanned =
            &html[html.find("id=\"msg-ParcelScanned\"").unwrap()..html.find("id=\"msg-ParcelDelivered\"").unwrap()];
        assert!(scanned.contains("<h4>Headers</h4>"), "{scanned}");
        assert!(scanned.contains("<code class=\"api-prop-name\">event_type</code> <span class=\"api-type\">string</span> <span class=\"api-badge required\">"));
        assert!(scanned.contains("<code class=\"api-prop-name\">trackingNumber</code>"));
        assert!(scanned.contains("<li><span class=\"api-keyword\">enum</span> <code>INBOUND</code>"));
        assert_anchors(&got);
        let definition = content_example("tracking-service/asyncapi.yaml");
        assert_eq!(render("asyncapi", &definition), render("asyncapi", &definition));
    }

    #[test]
    fn streetlights_2_0() {
        let got = render("asyncapi", &backstage_example("streetlights-api.yaml"));
        assert_eq!(got.format, "AsyncAPI 2.0.0");
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let methods: Vec<&str> = got.operations.iter().map(|op| op.method.as_str()).collect();
        assert_eq!(methods, ["SUBSCRIBE", "PUBLISH", "PUBLISH", "PUBLISH"]);
        assert_eq!(got.operations[3].path, "smartylighting/streetlights/1/0/action/{streetlightId}/dim");
        assert_eq!(got.operations[3].id, "op-dimLight");
        let html = &got.html();
        for needle in [
            "<code>api.streetlights.smartylighting.com:{port}</code> <span class=\"api-badge protocol\">mqtt</span>",
            "<li><span class=\"api-keyword\">port</span> <code>1883</code> <code>1883</code> <code>8883</code>",
            // The `$ref` channel parameter resolves to its component.
            "<td><code class=\"api-prop-name\">streetlightId</code></td><td><span class=\"api-type\">string</span></td><td><div class=\"api-description\"><p>The ID of the streetlight.</p>",
            "<a class=\"api-type\" href=\"#msg-lightMeasured\">lightMeasured</a> <span class=\"api-summary\">Light measured</span>",
            "<li><span class=\"api-keyword\">contentType</span> <code>application/json</code></li>",
            "<span class=\"api-keyword\">enum</span> <code>on</code> <code>off</code>",
            "<code class=\"api-prop-name\">my-app-header</code>",
            "<code class=\"api-prop-name\">sentAt</code> <a class=\"api-type\" href=\"#schema-sentAt\">sentAt</a>",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        assert_anchors(&got);
    }

    #[test]
    fn operations_and_channels_3_0() {
        let definition = r##"
asyncapi: 3.0.0
info: {title: Accounts, version: 1.0.0}
servers:
  prod: {host: broker.example.com, pathname: /ws, protocol: wss}
channels:
  userSignup:
    address: users/{userId}/signup
    parameters:
      userId: {description: The user., enum: [a, b], location: $message.payload#/id}
    messages:
      UserSignedUp:
        name: user.signed-up
        contentType: application/json
        payload:
          type: object
          properties:
            id: {type: string}
      Audit: {$ref: '#/components/messages/Audit'}
  legacy:
    $ref: '#/components/channels/Legacy'
operations:
  onSignup:
    action: receive
    channel: {$ref: '#/channels/userSignup'}
    summary: React to sign-ups.
    tags: [{name: users}]
    messages:
      - $ref: '#/channels/userSignup/messages/UserSignedUp'
  sendAudit:
    action: send
    channel: {$ref: '#/channels/userSignup'}
    messages:
      - $ref: '#/channels/userSignup/messages/Audit'
  sendLegacy:
    action: send
    channel: {$ref: '#/channels/legacy'}
  lost:
    action: send
    channel: {$ref: '#/channels/nowhere'}
components:
  channels:
    Legacy:
      address: legacy.v1
      messages:
        Old:
          payload:
            schemaFormat: application/vnd.apache.avro;version=1.9.0
            schema: {type: record, name: Old, fields: [{name: id, type: string}]}
  messages:
    Audit:
      title: Audit record
      payload: {$ref: '#/components/schemas/Audit'}
  schemas:
    Audit:
      type: object
      properties:
        who: {type: string}
"##;
        let got = render("asyncapi", definition);
        assert_eq!(got.format, "AsyncAPI 3.0.0");
        assert_eq!(got.warnings, ["unresolved $ref #/channels/nowhere"]);
        let ops: Vec<(&str, &str, &str)> =
            got.operations.iter().map(|op| (op.id.as_str(), op.method.as_str(), op.path.as_str())).collect();
        assert_eq!(
            ops,
            [
                ("op-onSignup", "RECEIVE", "users/{userId}/signup"),
                ("op-sendAudit", "SEND", "users/{userId}/signup"),
                ("op-sendLegacy", "SEND", "legacy.v1"),
                ("op-lost", "SEND", "nowhere"),
            ]
        );
        assert_eq!(got.operations[0].tags, ["users"]);
        assert_eq!(got.operations[0].summary, "React to sign-ups.");
        let html = &got.html();
        for needle in [
            "<li><code>broker.example.com/ws</code> <span class=\"api-badge protocol\">wss</span> prod",
            "<section class=\"api-group\" id=\"channel-userSignup\"><h2><code class=\"api-path\">users/{userId}/signup</code></h2>",
            "<li><span class=\"api-keyword\">location</span> <code>$message.payload#/id</code></li>",
            // Inline channel messages are anchored in the channel; operations link to them.
            "<div class=\"api-message\" id=\"msg-userSignup-UserSignedUp\"><h4>user.signed-up</h4>",
            "<a class=\"api-type\" href=\"#msg-userSignup-UserSignedUp\">UserSignedUp</a> <code>user.signed-up</code>",
            // A channel message that refers to a component links to the component.
            "<a class=\"api-type\" href=\"#msg-Audit\">Audit</a> <span class=\"api-summary\">Audit record</span>",
            "<span class=\"api-method receive\">RECEIVE</span>",
            // Non-JSON-Schema payloads are shown as source.
            "<p><span class=\"api-keyword\">schemaFormat</span> <code>application/vnd.apache.avro;version=1.9.0</code></p><pre class=\"api-example hl-code\">",
            "<section class=\"api-group\" id=\"section-operations\"><h2>Operations</h2>",
        ] {
            assert!(html.contains(needle), "missing {needle}\n{html}");
        }
        let signup =
            &html[html.find("id=\"channel-userSignup\"").unwrap()..html.find("id=\"channel-legacy\"").unwrap()];
        assert!(
            signup.contains("id=\"op-onSignup\"") && signup.contains("id=\"op-sendAudit\""),
            "operations sit in their channel"
        );
        assert_anchors(&got);
    }
}
