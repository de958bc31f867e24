//! gRPC references from protobuf `.proto` source, parsed with `protox-parse`.
//!
//! Input: the text of one `.proto` file. Output: the package and syntax, one group per service
//! with its rpcs (request and response linked, streaming flags, `deprecated`, idempotency level,
//! comments as descriptions), then Messages (nested ones flattened as `Outer.Inner`) with their
//! fields and oneofs, and Enums.
//!
//! Invariants:
//! - A syntax error is a warning with line and column, and the body is the highlighted source.
//! - Only syntax is checked: imports are not read, so types from other files (for example
//!   `google.protobuf.Timestamp`) are plain text. Names are resolved with protobuf scoping (the
//!   innermost enclosing message first, then outwards to the package).
//! - `map<K, V>` fields are shown as maps; their synthetic `…Entry` messages are not listed.
//!   proto3 `optional` fields get an `optional` badge, not a oneof.
//! - `protox-parse` does not interpret options, so `deprecated` and `idempotency_level` are read
//!   from the uninterpreted options.
//! - The descriptor types live in `prost-types`, which this crate does not name (it is not a
//!   direct dependency); they are converted to local structs in one place, [`read`].

use std::collections::BTreeMap;

use super::{Anchors, ApiReference, Operation, Warnings, badge, description, esc, source_view, summary_of};
use crate::packed::Packed;

/// Scalar type names by `FieldDescriptorProto.type` number.
const SCALARS: [&str; 19] = [
    "", "double", "float", "int64", "uint64", "int32", "fixed64", "fixed32", "bool", "string", "group", "message",
    "bytes", "uint32", "enum", "sfixed32", "sfixed64", "sint32", "sint64",
];
const LABEL_OPTIONAL: i32 = 1;
const LABEL_REQUIRED: i32 = 2;
const LABEL_REPEATED: i32 = 3;
const TYPE_MESSAGE: i32 = 11;

struct File {
    package: String,
    syntax: String,
    imports: usize,
    services: Vec<Service>,
    messages: Vec<Message>,
    enums: Vec<Enum>,
}

struct Service {
    name: String,
    comment: String,
    deprecated: bool,
    methods: Vec<Method>,
}

struct Method {
    name: String,
    comment: String,
    input: String,
    output: String,
    client_streaming: bool,
    server_streaming: bool,
    deprecated: bool,
    idempotency: Option<String>,
}

struct Message {
    /// Name within the package, `Outer.Inner` for nested messages.
    name: String,
    comment: String,
    deprecated: bool,
    map_entry: bool,
    fields: Vec<Field>,
    oneofs: Vec<String>,
}

struct Field {
    name: String,
    comment: String,
    number: i32,
    label: i32,
    ty: i32,
    type_name: String,
    oneof: Option<usize>,
    proto3_optional: bool,
    deprecated: bool,
}

struct Enum {
    name: String,
    comment: String,
    deprecated: bool,
    /// Name, number, comment, deprecated.
    values: Vec<(String, i32, String, bool)>,
}

/// A message or enum a type name can resolve to.
struct Target {
    anchor: String,
    /// Index into `File::messages` for messages.
    message: Option<usize>,
}

pub(super) fn render(definition: &str) -> ApiReference {
    let file = match read(definition) {
        Ok(file) => file,
        Err(warning) => return source_view("gRPC".to_owned(), definition, "protobuf", vec![warning]),
    };
    let mut anchors = Anchors::default();
    let mut targets = BTreeMap::new();
    let qualify =
        |name: &str| if file.package.is_empty() { name.to_owned() } else { format!("{}.{name}", file.package) };
    for (index, message) in file.messages.iter().enumerate() {
        let anchor = if message.map_entry { String::new() } else { anchors.claim("msg-", &message.name) };
        targets.insert(qualify(&message.name), Target { anchor, message: Some(index) });
    }
    for enumeration in &file.enums {
        targets.insert(
            qualify(&enumeration.name),
            Target { anchor: anchors.claim("enum-", &enumeration.name), message: None },
        );
    }
    let view = View { file: &file, targets, warnings: Warnings::default() };
    view.render(&mut anchors)
}

/// Parses the definition into local structs; the only code that sees `prost-types` values.
fn read(definition: &str) -> Result<File, String> {
    let fd = protox_parse::parse("definition.proto", definition).map_err(|error| {
        let (line, column) = error.span().map_or((0, 0), |span| line_column(definition, span.start));
        match line {
            0 => format!("invalid protobuf: {error}"),
            _ => format!("invalid protobuf at line {line}, column {column}: {error}"),
        }
    })?;
    let comments: BTreeMap<Vec<i32>, String> = fd
        .source_code_info
        .iter()
        .flat_map(|info| info.location.iter())
        .filter_map(|location| {
            let text = [location.leading_comments.as_deref(), location.trailing_comments.as_deref()]
                .into_iter()
                .flatten()
                .map(clean_comment)
                .collect::<Vec<_>>()
                .join("\n\n");
            (!text.trim().is_empty()).then(|| (location.path.clone(), text.trim().to_owned()))
        })
        .collect();
    let comment = |path: &[i32]| comments.get(path).cloned().unwrap_or_default();
    // Options are uninterpreted after a syntax-only parse: `[deprecated = true]` is a name part.
    macro_rules! option {
        ($options:expr, $name:literal) => {
            $options.as_ref().and_then(|options| {
                options
                    .uninterpreted_option
                    .iter()
                    .find(|o| o.name.len() == 1 && o.name[0].name_part == $name)
                    .and_then(|o| o.identifier_value.clone())
            })
        };
    }
    macro_rules! deprecated {
        ($options:expr) => {
            $options.as_ref().is_some_and(|options| options.deprecated == Some(true))
                || option!($options, "deprecated").as_deref() == Some("true")
        };
    }
    macro_rules! enumeration {
        ($enum:expr, $scope:expr, $path:expr) => {{
            let path: Vec<i32> = $path;
            let values = $enum
                .value
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    let value_path = [path.as_slice(), &[2, k as i32]].concat();
                    (v.name().to_owned(), v.number(), comment(&value_path), deprecated!(v.options))
                })
                .collect();
            let name = if $scope.is_empty() { $enum.name().to_owned() } else { format!("{}.{}", $scope, $enum.name()) };
            Enum { name, comment: comment(&path), deprecated: deprecated!($enum.options), values }
        }};
    }

    let mut enums = Vec::new();
    for (i, e) in fd.enum_type.iter().enumerate() {
        enums.push(enumeration!(e, "", vec![5, i as i32]));
    }
    let mut messages = Vec::new();
    // Depth-first, parents before their nested messages, siblings in document order.
    let mut stack: Vec<(String, Vec<i32>, &_)> = Vec::new();
    for (i, m) in fd.message_type.iter().enumerate().rev() {
        stack.push((String::new(), vec![4, i as i32], m));
    }
    while let Some((scope, path, m)) = stack.pop() {
        let name = if scope.is_empty() { m.name().to_owned() } else { format!("{scope}.{}", m.name()) };
        let fields = m
            .field
            .iter()
            .enumerate()
            .map(|(k, f)| Field {
                name: f.name().to_owned(),
                comment: comment(&[path.as_slice(), &[2, k as i32]].concat()),
                number: f.number(),
                label: f.label.unwrap_or(LABEL_OPTIONAL),
                ty: f.r#type.unwrap_or(0),
                type_name: f.type_name().to_owned(),
                oneof: f.oneof_index.and_then(|i| usize::try_from(i).ok()),
                proto3_optional: f.proto3_optional.unwrap_or(false),
                deprecated: deprecated!(f.options),
            })
            .collect();
        for (j, e) in m.enum_type.iter().enumerate() {
            enums.push(enumeration!(e, name, [path.as_slice(), &[4, j as i32]].concat()));
        }
        for (j, nested) in m.nested_type.iter().enumerate().rev() {
            stack.push((name.clone(), [path.as_slice(), &[3, j as i32]].concat(), nested));
        }
        messages.push(Message {
            comment: comment(&path),
            deprecated: deprecated!(m.options),
            map_entry: m.options.as_ref().and_then(|o| o.map_entry).unwrap_or(false),
            fields,
            oneofs: m.oneof_decl.iter().map(|o| o.name().to_owned()).collect(),
            name,
        });
    }
    let services = fd
        .service
        .iter()
        .enumerate()
        .map(|(i, s)| Service {
            name: s.name().to_owned(),
            comment: comment(&[6, i as i32]),
            deprecated: deprecated!(s.options),
            methods: s
                .method
                .iter()
                .enumerate()
                .map(|(j, m)| Method {
                    name: m.name().to_owned(),
                    comment: comment(&[6, i as i32, 2, j as i32]),
                    input: m.input_type().to_owned(),
                    output: m.output_type().to_owned(),
                    client_streaming: m.client_streaming(),
                    server_streaming: m.server_streaming(),
                    deprecated: deprecated!(m.options),
                    idempotency: option!(m.options, "idempotency_level"),
                })
                .collect(),
        })
        .collect();
    let syntax = match fd.syntax() {
        "" => "proto2".to_owned(),
        syntax => syntax.to_owned(),
    };
    Ok(File { package: fd.package().to_owned(), syntax, imports: fd.dependency.len(), services, messages, enums })
}

/// `//` comment text without the space after the slashes.
fn clean_comment(text: &str) -> String {
    text.lines().map(|line| line.strip_prefix(' ').unwrap_or(line).trim_end()).collect::<Vec<_>>().join("\n")
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    (before.matches('\n').count() + 1, before.rsplit('\n').next().unwrap_or_default().chars().count() + 1)
}

struct View<'f> {
    file: &'f File,
    targets: BTreeMap<String, Target>,
    warnings: Warnings,
}

impl View<'_> {
    fn render(mut self, anchors: &mut Anchors) -> ApiReference {
        let file = self.file;
        let title = if file.package.is_empty() { "protobuf" } else { &file.package };
        let mut html = format!(
            "<div class=\"api-ref grpc\"><header class=\"api-info\"><h2 class=\"api-title\">{}</h2><p class=\"api-version\">{}</p></header>",
            esc(title),
            esc(&file.syntax)
        );
        let mut operations = Vec::new();
        for service in &file.services {
            let id = anchors.claim("service-", &service.name);
            html.push_str(&format!(
                "<section class=\"api-group\" id=\"{id}\"><h2><span class=\"api-badge kind\">service</span> {}{}</h2>",
                esc(&service.name),
                if service.deprecated { badge("deprecated", "deprecated") } else { String::new() },
            ));
            html.push_str(&description(&service.comment));
            for method in &service.methods {
                let (method_html, operation) = self.method(anchors, service, method);
                html.push_str(&method_html);
                operations.push(operation);
            }
            html.push_str("</section>");
        }
        let messages: Vec<&Message> = file.messages.iter().filter(|m| !m.map_entry).collect();
        if !messages.is_empty() {
            let id = anchors.claim("section-", "messages");
            html.push_str(&format!("<section class=\"api-definitions\" id=\"{id}\"><h2>Messages</h2>"));
            for message in messages {
                html.push_str(&self.message(message));
            }
            html.push_str("</section>");
        }
        if !file.enums.is_empty() {
            let id = anchors.claim("section-", "enums");
            html.push_str(&format!("<section class=\"api-definitions\" id=\"{id}\"><h2>Enums</h2>"));
            for enumeration in &file.enums {
                html.push_str(&self.enumeration(enumeration));
            }
            html.push_str("</section>");
        }
        html.push_str("</div>");
        ApiReference {
            format: format!("gRPC ({})", file.syntax),
            html: Packed::new(&html),
            warnings: self.warnings.into_vec(),
            operations,
            raw_language: "protobuf",
        }
    }

    fn method(&mut self, anchors: &mut Anchors, service: &Service, method: &Method) -> (String, Operation) {
        let id = anchors.claim("op-", &format!("{}-{}", service.name, method.name));
        let deprecated = method.deprecated || service.deprecated;
        let stream = |on: bool| if on { format!("{} ", badge("stream", "stream").trim_start()) } else { String::new() };
        let package = self.file.package.clone();
        let input = self.type_link(&method.input, &package);
        let output = self.type_link(&method.output, &package);
        let mut html = format!(
            "<section class=\"api-op{}\" id=\"{id}\"><h3><span class=\"api-method rpc\">rpc</span> <code class=\"api-path\">{}</code>{}</h3>",
            if deprecated { " deprecated" } else { "" },
            esc(&method.name),
            if method.deprecated { badge("deprecated", "deprecated") } else { String::new() },
        );
        html.push_str(&format!(
            "<p class=\"api-signature\">({}{input}) returns ({}{output})</p>",
            stream(method.client_streaming),
            stream(method.server_streaming)
        ));
        html.push_str(&description(&method.comment));
        if let Some(level) = &method.idempotency {
            html.push_str(&format!(
                "<ul class=\"api-constraints\"><li><span class=\"api-keyword\">idempotency_level</span> <code>{}</code></li></ul>",
                esc(level)
            ));
        }
        html.push_str("</section>");
        let operation = Operation {
            id,
            method: "rpc".to_owned(),
            path: format!("{}/{}", service.name, method.name),
            summary: summary_of(&method.comment),
            tags: vec![service.name.clone()],
        };
        (html, operation)
    }

    fn message(&mut self, message: &Message) -> String {
        let scope = if self.file.package.is_empty() {
            message.name.clone()
        } else {
            format!("{}.{}", self.file.package, message.name)
        };
        let anchor = self.targets.get(&scope).map(|t| t.anchor.clone()).unwrap_or_default();
        let mut html = format!(
            "<section class=\"api-def\" id=\"{}\"><h3><span class=\"api-badge kind\">message</span> {}{}</h3>",
            esc(&anchor),
            esc(&message.name),
            if message.deprecated { badge("deprecated", "deprecated") } else { String::new() },
        );
        html.push_str(&description(&message.comment));
        if !message.fields.is_empty() {
            html.push_str(
                "<table class=\"api-fields\"><thead><tr><th>#</th><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>",
            );
            for field in &message.fields {
                let mut badges = String::new();
                let (ty, is_map) = self.field_type(field, &scope);
                if field.label == LABEL_REPEATED && !is_map {
                    badges.push_str(&badge("repeated", "repeated"));
                } else if field.label == LABEL_REQUIRED {
                    badges.push_str(&badge("required", "required"));
                } else if field.proto3_optional || (self.file.syntax == "proto2" && field.label == LABEL_OPTIONAL) {
                    badges.push_str(&badge("optional", "optional"));
                }
                if let Some(oneof) = field.oneof.filter(|_| !field.proto3_optional).and_then(|i| message.oneofs.get(i))
                {
                    badges.push_str(&badge("oneof", &format!("oneof {oneof}")));
                }
                if field.deprecated {
                    badges.push_str(&badge("deprecated", "deprecated"));
                }
                html.push_str(&format!(
                    "<tr><td>{}</td><td><code class=\"api-prop-name\">{}</code>{badges}</td><td>{ty}</td><td>{}</td></tr>",
                    field.number,
                    esc(&field.name),
                    description(&field.comment)
                ));
            }
            html.push_str("</tbody></table>");
        }
        html.push_str("</section>");
        html
    }

    fn enumeration(&self, enumeration: &Enum) -> String {
        let scope = if self.file.package.is_empty() {
            enumeration.name.clone()
        } else {
            format!("{}.{}", self.file.package, enumeration.name)
        };
        let anchor = self.targets.get(&scope).map(|t| t.anchor.clone()).unwrap_or_default();
        let mut html = format!(
            "<section class=\"api-def\" id=\"{}\"><h3><span class=\"api-badge kind\">enum</span> {}{}</h3>",
            esc(&anchor),
            esc(&enumeration.name),
            if enumeration.deprecated { badge("deprecated", "deprecated") } else { String::new() },
        );
        html.push_str(&description(&enumeration.comment));
        html.push_str("<table class=\"api-values\"><thead><tr><th>Value</th><th>Number</th><th>Description</th></tr></thead><tbody>");
        for (name, number, comment, deprecated) in &enumeration.values {
            html.push_str(&format!(
                "<tr><td><code class=\"api-prop-name\">{}</code>{}</td><td>{number}</td><td>{}</td></tr>",
                esc(name),
                if *deprecated { badge("deprecated", "deprecated") } else { String::new() },
                description(comment)
            ));
        }
        html.push_str("</tbody></table></section>");
        html
    }

    /// The type cell of a field (`map<K, V>` for map fields) and whether it is a map.
    fn field_type(&mut self, field: &Field, scope: &str) -> (String, bool) {
        if field.type_name.is_empty() {
            let name = usize::try_from(field.ty).ok().and_then(|i| SCALARS.get(i)).copied().unwrap_or("?");
            return (format!("<span class=\"api-type\">{name}</span>"), false);
        }
        if field.ty == TYPE_MESSAGE
            && field.label == LABEL_REPEATED
            && let Some(entry) = self.resolve(&field.type_name, scope).and_then(|t| t.message)
            && let Some(message) = self.file.messages.get(entry).filter(|m| m.map_entry)
            && let [key, value] = message.fields.as_slice()
        {
            let entry_scope = format!("{scope}.{}", message.name.rsplit('.').next().unwrap_or_default());
            let key = self.field_type(key, &entry_scope).0;
            let value = self.field_type(value, &entry_scope).0;
            return (format!("<span class=\"api-type\">map&lt;{key}, {value}&gt;</span>"), true);
        }
        (self.type_link(&field.type_name, scope), false)
    }

    /// A link to a message or enum, or the name as text when it is not defined in this file.
    fn type_link(&mut self, type_name: &str, scope: &str) -> String {
        let shown = type_name.trim_start_matches('.');
        match self.resolve(type_name, scope) {
            Some(target) if !target.anchor.is_empty() => {
                format!("<a class=\"api-type\" href=\"#{}\">{}</a>", esc(&target.anchor), esc(shown))
            }
            Some(_) => format!("<span class=\"api-type\">{}</span>", esc(shown)),
            None if self.file.imports == 0 => {
                self.warnings.push(format!("protobuf type {shown} is not defined"));
                format!("<span class=\"api-type api-unresolved\">{}</span>", esc(shown))
            }
            None => format!("<span class=\"api-type\">{}</span>", esc(shown)),
        }
    }

    /// Protobuf name resolution: `.a.b.C` is absolute; otherwise `scope.C`, then outwards.
    fn resolve(&self, type_name: &str, scope: &str) -> Option<&Target> {
        if let Some(absolute) = type_name.strip_prefix('.') {
            return self.targets.get(absolute);
        }
        let mut scope = scope;
        loop {
            let candidate = if scope.is_empty() { type_name.to_owned() } else { format!("{scope}.{type_name}") };
            if let Some(target) = self.targets.get(&candidate) {
                return Some(target);
            }
            if scope.is_empty() {
                return None;
            }
            scope = scope.rsplit_once('.').map_or("", |(outer, _)| outer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_anchors, backstage_example, content_example};
    use super::super::render;

    #[test]
    fn route_planner() {
        let got = render("grpc", &content_example("route-planner/service.proto"));
        assert_eq!((got.format.as_str(), got.raw_language), ("gRPC (proto3)", "protobuf"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let ops: Vec<(&str, &str, &str)> =
            got.operations.iter().map(|op| (op.id.as_str(), op.method.as_str(), op.path.as_str())).collect();
        assert_eq!(
            ops,
            [
                ("op-RoutePlanner-PlanRoute", "rpc", "RoutePlanner/PlanRoute"),
                ("op-RoutePlanner-GetRoute", "rpc", "RoutePlanner/GetRoute"),
                ("op-RoutePlanner-StreamRouteUpdates", "rpc", "RoutePlanner/StreamRouteUpdates"),
            ]
        );
        assert_eq!(
            got.operations[0].summary,
            "PlanRoute solves a vehicle routing problem for the given stops and vehicles."
        );
        assert_eq!(got.operations[0].tags, ["RoutePlanner"]);
        let html = &got.html();
        for needle in [
            "<header class=\"api-info\"><h2 class=\"api-title\">northwind.routing.v1</h2><p class=\"api-version\">proto3</p></header>",
            "<section class=\"api-group\" id=\"service-RoutePlanner\"><h2><span class=\"api-badge kind\">service</span> RoutePlanner</h2><div class=\"api-description\"><p>RoutePlanner builds and serves courier routes for a depot and day.</p>",
            "<p class=\"api-signature\">(<a class=\"api-type\" href=\"#msg-PlanRouteRequest\">PlanRouteRequest</a>) returns (<a class=\"api-type\" href=\"#msg-PlanRouteResponse\">PlanRouteResponse</a>)</p>",
            "returns (<span class=\"api-badge stream\">stream</span> <a class=\"api-type\" href=\"#msg-RouteUpdate\">RouteUpdate</a>)",
            "<tr><td>2</td><td><code class=\"api-prop-name\">tracking_numbers</code> <span class=\"api-badge repeated\">repeated</span></td><td><span class=\"api-type\">string</span></td><td><div class=\"api-description\"><p>Tracking numbers delivered or picked up at this stop.</p>",
            "<td><a class=\"api-type\" href=\"#enum-StopKind\">StopKind</a></td>",
            "<td><span class=\"api-type\">google.protobuf.Timestamp</span></td>",
            "<code class=\"api-prop-name\">eta_changed</code> <span class=\"api-badge oneof\">oneof update</span>",
            "<section class=\"api-def\" id=\"enum-Objective\"><h3><span class=\"api-badge kind\">enum</span> Objective</h3>",
            "<tr><td><code class=\"api-prop-name\">STOP_KIND_PICKUP</code></td><td>2</td>",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        assert_anchors(&got);
    }

    #[test]
    fn hello_world() {
        let got = render("gRPC", &backstage_example("hello-world-api.yaml"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(got.operations.len(), 1);
        let op = &got.operations[0];
        assert_eq!(
            (op.id.as_str(), op.path.as_str(), op.summary.as_str()),
            ("op-Greeter-SayHello", "Greeter/SayHello", "Sends a greeting")
        );
        assert!(got.html().contains("<a class=\"api-type\" href=\"#msg-HelloReply\">HelloReply</a>"));
        assert!(got.html().contains("<p>The request message containing the user&#39;s name.</p>"));
        assert_anchors(&got);
    }

    #[test]
    fn nested_maps_options_and_scoping() {
        let definition = r#"syntax = "proto3";
package p.q;
// M <b>comment</b>
message M {
  map<string, Inner> m = 1; // trailing
  optional int32 o = 2;
  Inner i = 3;
  repeated .p.q.M.Inner r = 4 [deprecated = true];
  Unknown u = 5;
  message Inner { E e = 1; }
  enum E { A = 0; B = 1 [deprecated = true]; }
}
service S {
  option deprecated = true;
  rpc R(stream M) returns (stream M.Inner) { option idempotency_level = NO_SIDE_EFFECTS; }
}
"#;
        let got = render("grpc", definition);
        assert_eq!(got.warnings, ["protobuf type Unknown is not defined"]);
        let html = &got.html();
        for needle in [
            "<section class=\"api-def\" id=\"msg-M\"><h3><span class=\"api-badge kind\">message</span> M</h3><div class=\"api-description\"><p>M &lt;b&gt;comment&lt;/b&gt;</p>",
            "<span class=\"api-type\">map&lt;<span class=\"api-type\">string</span>, <a class=\"api-type\" href=\"#msg-M.Inner\">Inner</a>&gt;</span></td><td><div class=\"api-description\"><p>trailing</p>",
            "<code class=\"api-prop-name\">o</code> <span class=\"api-badge optional\">optional</span></td>",
            "<code class=\"api-prop-name\">r</code> <span class=\"api-badge repeated\">repeated</span> <span class=\"api-badge deprecated\">deprecated</span></td><td><a class=\"api-type\" href=\"#msg-M.Inner\">p.q.M.Inner</a>",
            "<span class=\"api-type api-unresolved\">Unknown</span>",
            "<section class=\"api-def\" id=\"msg-M.Inner\">",
            "<td><a class=\"api-type\" href=\"#enum-M.E\">E</a></td>",
            "<code class=\"api-prop-name\">B</code> <span class=\"api-badge deprecated\">deprecated</span>",
            "<section class=\"api-op deprecated\" id=\"op-S-R\">",
            "<h2><span class=\"api-badge kind\">service</span> S <span class=\"api-badge deprecated\">deprecated</span></h2>",
            "(<span class=\"api-badge stream\">stream</span> <a class=\"api-type\" href=\"#msg-M\">M</a>) returns (<span class=\"api-badge stream\">stream</span> <a class=\"api-type\" href=\"#msg-M.Inner\">M.Inner</a>)",
            "<span class=\"api-keyword\">idempotency_level</span> <code>NO_SIDE_EFFECTS</code>",
        ] {
            assert!(html.contains(needle), "missing {needle}\n{html}");
        }
        assert!(!html.contains("MEntry"), "map entry messages are not listed");
        assert_anchors(&got);
    }

    #[test]
    fn syntax_errors_show_the_source() {
        let got = render("grpc", "syntax = \"proto3\";\nmessage A { string a = ; }\n");
        assert_eq!(got.warnings, ["invalid protobuf at line 2, column 24: expected an integer, but found ';'"]);
        assert_eq!(got.format, "gRPC");
        assert!(got.html().starts_with("<div class=\"api-ref source\"><pre class=\"api-code hl-code\">"));
    }
}
