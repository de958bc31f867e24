//! GraphQL SDL references, parsed with `apollo-parser` (error-resilient).
//!
//! Input: GraphQL SDL text. Output: the root operation types first (each field an operation:
//! `query`, `mutation`, `subscription`), then sections for object types, interfaces, input
//! types, enums, unions, scalars and directives, each type under a `type-<Name>` anchor.
//!
//! Invariants:
//! - Syntax errors are warnings with line and column; whatever parsed is rendered. Only when no
//!   type or directive parsed at all is the body the highlighted source.
//! - Root types come from `schema { … }` (and `extend schema`), else the types named `Query`,
//!   `Mutation` and `Subscription`. `extend` definitions are merged into their type.
//! - Types keep document order within their section. Every named type links to its section;
//!   built-in scalars are plain; names that are not defined are `api-unresolved` and warned about.
//! - Descriptions are read from the source text (block strings dedented) without the parser's
//!   unescaping, which panics on malformed escapes.

use std::collections::BTreeMap;

use apollo_parser::Parser;
use apollo_parser::cst::{self, CstNode};

use super::{Anchors, ApiReference, Operation, Warnings, badge, description, esc, source_view, summary_of};
use crate::packed::Packed;

const BUILT_IN: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];
const ROOTS: [&str; 3] = ["query", "mutation", "subscription"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Interface,
    Input,
    Enum,
    Union,
    Scalar,
}

impl Kind {
    /// Keyword, section title and section id, in section order.
    const SECTIONS: [(Kind, &'static str, &'static str, &'static str); 6] = [
        (Kind::Object, "type", "Types", "types"),
        (Kind::Interface, "interface", "Interfaces", "interfaces"),
        (Kind::Input, "input", "Input types", "inputs"),
        (Kind::Enum, "enum", "Enums", "enums"),
        (Kind::Union, "union", "Unions", "unions"),
        (Kind::Scalar, "scalar", "Scalars", "scalars"),
    ];
}

enum Ty {
    Named(String),
    List(Box<Ty>),
    NonNull(Box<Ty>),
}

/// A field, argument or input field.
struct Field {
    name: String,
    description: String,
    args: Vec<Field>,
    ty: Option<Ty>,
    default: Option<String>,
    deprecated: Option<String>,
}

struct TypeDef {
    kind: Kind,
    name: String,
    description: String,
    fields: Vec<Field>,
    /// Enum values: name, description, deprecation reason.
    values: Vec<(String, String, Option<String>)>,
    members: Vec<String>,
    interfaces: Vec<String>,
    directives: Vec<String>,
}

struct Directive {
    name: String,
    description: String,
    args: Vec<Field>,
    locations: Vec<String>,
    repeatable: bool,
}

#[derive(Default)]
struct Schema {
    types: Vec<TypeDef>,
    directives: Vec<Directive>,
    roots: [Option<String>; 3],
    /// Anchors of types and directives by name.
    links: BTreeMap<String, String>,
}

pub(super) fn render(definition: &str) -> ApiReference {
    let mut warnings = Warnings::default();
    let tree = Parser::new(definition).parse();
    for error in tree.errors() {
        let (line, column) = line_column(definition, error.index());
        let found = if error.data().is_empty() { String::new() } else { format!(" (found `{}`)", error.data()) };
        warnings.push(format!("GraphQL syntax error at line {line}, column {column}: {}{found}", error.message()));
    }
    let mut schema = Schema::default();
    for definition in tree.document().definitions() {
        read_definition(&mut schema, definition, &mut warnings);
    }
    if schema.types.is_empty() && schema.directives.is_empty() {
        if warnings.list.is_empty() {
            warnings.push("GraphQL definition has no type definitions".to_owned());
        }
        return source_view("GraphQL".to_owned(), definition, "graphql", warnings.into_vec());
    }
    for (index, root) in ROOTS.iter().enumerate() {
        let default = ["Query", "Mutation", "Subscription"][index];
        if schema.roots[index].is_none() && schema.types.iter().any(|t| t.name == default) {
            schema.roots[index] = Some(default.to_owned());
        }
        if let Some(name) = &schema.roots[index]
            && !schema.types.iter().any(|t| &t.name == name)
        {
            warnings.push(format!("GraphQL {root} root type {name} is not defined"));
        }
    }
    let mut anchors = Anchors::default();
    for def in &schema.types {
        schema.links.insert(def.name.clone(), anchors.claim("type-", &def.name));
    }
    for directive in &schema.directives {
        schema.links.insert(format!("@{}", directive.name), anchors.claim("directive-", &directive.name));
    }
    let (html, operations) = render_schema(&schema, &mut anchors, &mut warnings);
    ApiReference {
        format: "GraphQL".to_owned(),
        html: Packed::new(&html),
        warnings: warnings.into_vec(),
        operations,
        raw_language: "graphql",
    }
}

fn line_column(text: &str, index: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(index.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (line, column)
}

fn read_definition(schema: &mut Schema, definition: cst::Definition, warnings: &mut Warnings) {
    use cst::Definition as D;
    let (kind, name, text, fields, extension) = match &definition {
        D::SchemaDefinition(d) => return read_roots(schema, d.root_operation_type_definitions()),
        D::SchemaExtension(d) => return read_roots(schema, d.root_operation_type_definitions()),
        D::DirectiveDefinition(d) => {
            let Some(name) = d.name() else { return };
            let args = d.arguments_definition().map(|a| input_values(a.input_value_definitions())).unwrap_or_default();
            let locations = d
                .directive_locations()
                .map(|l| l.directive_locations().filter_map(|l| l.text()).map(|t| t.to_string()).collect())
                .unwrap_or_default();
            let repeatable = d.repeatable_token().is_some();
            let description = describe(d.description());
            schema.directives.push(Directive {
                name: name.text().to_string(),
                description,
                args,
                locations,
                repeatable,
            });
            return;
        }
        D::OperationDefinition(_) | D::FragmentDefinition(_) => {
            warnings.push("GraphQL operations and fragments in a schema definition are not shown".to_owned());
            return;
        }
        D::ObjectTypeDefinition(d) => {
            (Kind::Object, d.name(), d.description(), d.fields_definition().map(fields), false)
        }
        D::ObjectTypeExtension(d) => (Kind::Object, d.name(), None, d.fields_definition().map(fields), true),
        D::InterfaceTypeDefinition(d) => {
            (Kind::Interface, d.name(), d.description(), d.fields_definition().map(fields), false)
        }
        D::InterfaceTypeExtension(d) => (Kind::Interface, d.name(), None, d.fields_definition().map(fields), true),
        D::InputObjectTypeDefinition(d) => {
            let fields = d.input_fields_definition().map(|f| input_values(f.input_value_definitions()));
            (Kind::Input, d.name(), d.description(), fields, false)
        }
        D::InputObjectTypeExtension(d) => {
            let fields = d.input_fields_definition().map(|f| input_values(f.input_value_definitions()));
            (Kind::Input, d.name(), None, fields, true)
        }
        D::EnumTypeDefinition(d) => (Kind::Enum, d.name(), d.description(), None, false),
        D::EnumTypeExtension(d) => (Kind::Enum, d.name(), None, None, true),
        D::UnionTypeDefinition(d) => (Kind::Union, d.name(), d.description(), None, false),
        D::UnionTypeExtension(d) => (Kind::Union, d.name(), None, None, true),
        D::ScalarTypeDefinition(d) => (Kind::Scalar, d.name(), d.description(), None, false),
        D::ScalarTypeExtension(d) => (Kind::Scalar, d.name(), None, None, true),
    };
    let Some(name) = name else { return };
    let name = name.text().to_string();
    let node = definition.syntax();
    let child = |kind| node.children().find(|c| c.kind() == kind);
    let values = child(apollo_parser::SyntaxKind::ENUM_VALUES_DEFINITION)
        .and_then(cst::EnumValuesDefinition::cast)
        .map(|v| v.enum_value_definitions().filter_map(enum_value).collect())
        .unwrap_or_default();
    let members = child(apollo_parser::SyntaxKind::UNION_MEMBER_TYPES)
        .and_then(cst::UnionMemberTypes::cast)
        .map(|m| m.named_types().filter_map(|t| t.name()).map(|n| n.text().to_string()).collect())
        .unwrap_or_default();
    let interfaces = child(apollo_parser::SyntaxKind::IMPLEMENTS_INTERFACES)
        .and_then(cst::ImplementsInterfaces::cast)
        .map(|i| i.named_types().filter_map(|t| t.name()).map(|n| n.text().to_string()).collect())
        .unwrap_or_default();
    let directives = child(apollo_parser::SyntaxKind::DIRECTIVES)
        .and_then(cst::Directives::cast)
        .map(|d| d.directives().map(|d| squash(&d.source_string())).collect())
        .unwrap_or_default();
    let def = TypeDef {
        kind,
        name,
        description: describe(text),
        fields: fields.unwrap_or_default(),
        values,
        members,
        interfaces,
        directives,
    };
    match schema.types.iter_mut().find(|t| t.name == def.name) {
        Some(existing) => {
            if !extension {
                if existing.description.is_empty() && existing.fields.is_empty() && existing.values.is_empty() {
                    existing.kind = def.kind;
                } else {
                    warnings.push(format!("GraphQL type {} is defined more than once", def.name));
                }
                if existing.description.is_empty() {
                    existing.description = def.description;
                }
            }
            existing.fields.extend(def.fields);
            existing.values.extend(def.values);
            existing.members.extend(def.members);
            existing.interfaces.extend(def.interfaces);
            existing.directives.extend(def.directives);
        }
        None => schema.types.push(def),
    }
}

fn read_roots(schema: &mut Schema, roots: cst::CstChildren<cst::RootOperationTypeDefinition>) {
    for root in roots {
        let Some(name) = root.named_type().and_then(|t| t.name()) else { continue };
        let Some(op) = root.operation_type() else { continue };
        let index = if op.query_token().is_some() {
            0
        } else if op.mutation_token().is_some() {
            1
        } else {
            2
        };
        schema.roots[index] = Some(name.text().to_string());
    }
}

fn fields(definition: cst::FieldsDefinition) -> Vec<Field> {
    definition
        .field_definitions()
        .filter_map(|f| {
            Some(Field {
                name: f.name()?.text().to_string(),
                description: describe(f.description()),
                args: f.arguments_definition().map(|a| input_values(a.input_value_definitions())).unwrap_or_default(),
                ty: f.ty().map(ty),
                default: None,
                deprecated: deprecation(f.directives()),
            })
        })
        .collect()
}

fn input_values(values: cst::CstChildren<cst::InputValueDefinition>) -> Vec<Field> {
    values
        .filter_map(|v| {
            Some(Field {
                name: v.name()?.text().to_string(),
                description: describe(v.description()),
                args: Vec::new(),
                ty: v.ty().map(ty),
                default: v.default_value().and_then(|d| d.value()).map(|value| squash(&value.source_string())),
                deprecated: deprecation(v.directives()),
            })
        })
        .collect()
}

fn enum_value(value: cst::EnumValueDefinition) -> Option<(String, String, Option<String>)> {
    let name = value.enum_value()?.name()?.text().to_string();
    Some((name, describe(value.description()), deprecation(value.directives())))
}

fn ty(node: cst::Type) -> Ty {
    match node {
        cst::Type::NamedType(named) => Ty::Named(named.name().map(|n| n.text().to_string()).unwrap_or_default()),
        cst::Type::ListType(list) => Ty::List(Box::new(list.ty().map_or(Ty::Named(String::new()), ty))),
        cst::Type::NonNullType(non_null) => {
            let inner = match (non_null.named_type(), non_null.list_type()) {
                (Some(named), _) => ty(cst::Type::NamedType(named)),
                (None, Some(list)) => ty(cst::Type::ListType(list)),
                (None, None) => Ty::Named(String::new()),
            };
            Ty::NonNull(Box::new(inner))
        }
    }
}

/// The reason of an `@deprecated` directive (`No longer supported` when none is given).
fn deprecation(directives: Option<cst::Directives>) -> Option<String> {
    let directive = directives?.directives().find(|d| d.name().is_some_and(|n| n.text().as_str() == "deprecated"))?;
    let reason = directive
        .arguments()
        .and_then(|args| args.arguments().find(|a| a.name().is_some_and(|n| n.text().as_str() == "reason")))
        .and_then(|arg| arg.value())
        .map(|value| string_text(&value.source_string()));
    Some(reason.unwrap_or_else(|| "No longer supported".to_owned()))
}

fn describe(description: Option<cst::Description>) -> String {
    description.and_then(|d| d.string_value()).map(|s| string_text(&s.source_string())).unwrap_or_default()
}

/// The value of a GraphQL string literal from its source: block strings are dedented, simple
/// escapes in quoted strings are decoded, anything malformed is kept as written.
fn string_text(source: &str) -> String {
    let source = source.trim();
    if let Some(block) = source.strip_prefix("\"\"\"").and_then(|s| s.strip_suffix("\"\"\"")) {
        let block = block.replace("\\\"\"\"", "\"\"\"");
        let lines: Vec<&str> = block.lines().collect();
        let indent = lines
            .iter()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let lines: Vec<&str> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { l.trim() } else { l.get(indent..).unwrap_or_else(|| l.trim_start()) })
            .collect();
        return lines.join("\n").trim_matches('\n').trim().to_owned();
    }
    let Some(inner) = source.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else { return source.to_owned() };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(decoded) => out.push(decoded),
                    None => out.push_str(&format!("\\u{hex}")),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Source text on one line with runs of white space collapsed.
fn squash(source: &str) -> String {
    source.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn render_schema(schema: &Schema, anchors: &mut Anchors, warnings: &mut Warnings) -> (String, Vec<Operation>) {
    let mut html = String::from("<div class=\"api-ref graphql\">");
    let mut operations = Vec::new();
    for (index, root) in ROOTS.iter().enumerate() {
        let Some(def) = schema.roots[index].as_ref().and_then(|name| schema.types.iter().find(|t| &t.name == name))
        else {
            continue;
        };
        let id = &schema.links[&def.name];
        html.push_str(&format!("<section class=\"api-group\" id=\"{}\"><h2>{}</h2>", esc(id), esc(&def.name)));
        html.push_str(&description(&def.description));
        for field in &def.fields {
            let id = anchors.claim("op-", &format!("{root}-{}", field.name));
            let deprecated = field.deprecated.is_some();
            html.push_str(&format!(
                "<section class=\"api-op{}\" id=\"{id}\"><h3><span class=\"api-method {root}\">{root}</span> <code class=\"api-path\">{}</code>: {}{}</h3>",
                if deprecated { " deprecated" } else { "" },
                esc(&field.name),
                type_html(schema, field.ty.as_ref(), warnings),
                if deprecated { badge("deprecated", "deprecated") } else { String::new() },
            ));
            html.push_str(&description(&field.description));
            html.push_str(&description(field.deprecated.as_deref().unwrap_or_default()));
            html.push_str(&arguments_table(schema, &field.args, warnings));
            html.push_str("</section>");
            let summary = summary_of(&field.description);
            let tags = vec![def.name.clone()];
            operations.push(Operation { id, method: (*root).to_owned(), path: field.name.clone(), summary, tags });
        }
        html.push_str("</section>");
    }
    for (kind, keyword, title, section) in Kind::SECTIONS {
        let defs: Vec<&TypeDef> =
            schema.types.iter().filter(|t| t.kind == kind && !schema.roots.contains(&Some(t.name.clone()))).collect();
        if defs.is_empty() {
            continue;
        }
        let id = anchors.claim("section-", section);
        html.push_str(&format!("<section class=\"api-definitions\" id=\"{id}\"><h2>{title}</h2>"));
        for def in defs {
            html.push_str(&type_section(schema, def, keyword, warnings));
        }
        html.push_str("</section>");
    }
    if !schema.directives.is_empty() {
        let id = anchors.claim("section-", "directives");
        html.push_str(&format!("<section class=\"api-definitions\" id=\"{id}\"><h2>Directives</h2>"));
        for directive in &schema.directives {
            let id = &schema.links[&format!("@{}", directive.name)];
            let args: Vec<String> = directive.args.iter().map(|a| argument_html(schema, a, warnings)).collect();
            let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
            let repeatable = if directive.repeatable { " repeatable" } else { "" };
            html.push_str(&format!(
                "<section class=\"api-def\" id=\"{}\"><h3>@{}</h3>{}<p class=\"api-signature\"><code>@{}</code>{args}{repeatable} on {}</p></section>",
                esc(id),
                esc(&directive.name),
                description(&directive.description),
                esc(&directive.name),
                esc(&directive.locations.join(" | ")),
            ));
        }
        html.push_str("</section>");
    }
    html.push_str("</div>");
    (html, operations)
}

fn type_section(schema: &Schema, def: &TypeDef, keyword: &str, warnings: &mut Warnings) -> String {
    let id = &schema.links[&def.name];
    let mut html = format!(
        "<section class=\"api-def\" id=\"{}\"><h3><span class=\"api-badge kind\">{keyword}</span> {}</h3>",
        esc(id),
        esc(&def.name)
    );
    let links = |names: &[String], warnings: &mut Warnings| -> String {
        let links: Vec<String> = names.iter().map(|n| named_html(schema, n, warnings)).collect();
        links.join(" | ")
    };
    if !def.interfaces.is_empty() {
        html.push_str(&format!(
            "<p><span class=\"api-keyword\">implements</span> {}</p>",
            links(&def.interfaces, warnings)
        ));
    }
    if def.kind == Kind::Interface {
        let implementors: Vec<String> =
            schema.types.iter().filter(|t| t.interfaces.contains(&def.name)).map(|t| t.name.clone()).collect();
        if !implementors.is_empty() {
            html.push_str(&format!(
                "<p><span class=\"api-keyword\">implemented by</span> {}</p>",
                links(&implementors, warnings)
            ));
        }
    }
    if !def.members.is_empty() {
        html.push_str(&format!("<p><span class=\"api-keyword\">members</span> {}</p>", links(&def.members, warnings)));
    }
    if !def.directives.is_empty() {
        let codes: Vec<String> = def.directives.iter().map(|d| format!("<code>{}</code>", esc(d))).collect();
        html.push_str(&format!("<p><span class=\"api-keyword\">directives</span> {}</p>", codes.join(" ")));
    }
    html.push_str(&description(&def.description));
    if !def.fields.is_empty() {
        html.push_str("<table class=\"api-fields\"><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>");
        for field in &def.fields {
            let args: Vec<String> = field.args.iter().map(|a| argument_html(schema, a, warnings)).collect();
            let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
            let default = field.default.as_ref().map(|d| format!(" = <code>{}</code>", esc(d))).unwrap_or_default();
            let mut notes = description(&field.description);
            if let Some(reason) = &field.deprecated {
                notes.push_str(&description(reason));
            }
            let described: String = field
                .args
                .iter()
                .filter(|a| !a.description.is_empty())
                .map(|a| {
                    format!("<li><code class=\"api-prop-name\">{}</code> {}</li>", esc(&a.name), esc(&a.description))
                })
                .collect();
            if !described.is_empty() {
                notes.push_str(&format!("<ul class=\"api-constraints\">{described}</ul>"));
            }
            html.push_str(&format!(
                "<tr><td><code class=\"api-prop-name\">{}</code>{args}{}</td><td>{}{default}</td><td>{notes}</td></tr>",
                esc(&field.name),
                if field.deprecated.is_some() { badge("deprecated", "deprecated") } else { String::new() },
                type_html(schema, field.ty.as_ref(), warnings),
            ));
        }
        html.push_str("</tbody></table>");
    }
    if !def.values.is_empty() {
        html.push_str("<table class=\"api-values\"><thead><tr><th>Value</th><th>Description</th></tr></thead><tbody>");
        for (name, text, deprecated) in &def.values {
            html.push_str(&format!(
                "<tr><td><code class=\"api-prop-name\">{}</code>{}</td><td>{}{}</td></tr>",
                esc(name),
                if deprecated.is_some() { badge("deprecated", "deprecated") } else { String::new() },
                description(text),
                description(deprecated.as_deref().unwrap_or_default()),
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</section>");
    html
}

fn arguments_table(schema: &Schema, args: &[Field], warnings: &mut Warnings) -> String {
    if args.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<h4>Arguments</h4><table class=\"api-params\"><thead><tr><th>Name</th><th>Type</th><th>Default</th><th>Description</th></tr></thead><tbody>",
    );
    for arg in args {
        html.push_str(&format!(
            "<tr><td><code class=\"api-prop-name\">{}</code>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            esc(&arg.name),
            if arg.deprecated.is_some() { badge("deprecated", "deprecated") } else { String::new() },
            type_html(schema, arg.ty.as_ref(), warnings),
            arg.default.as_ref().map(|d| format!("<code>{}</code>", esc(d))).unwrap_or_default(),
            description(&arg.description),
            description(arg.deprecated.as_deref().unwrap_or_default()),
        ));
    }
    html.push_str("</tbody></table>");
    html
}

/// `name: Type = default` for signatures.
fn argument_html(schema: &Schema, arg: &Field, warnings: &mut Warnings) -> String {
    let default = arg.default.as_ref().map(|d| format!(" = <code>{}</code>", esc(d))).unwrap_or_default();
    format!(
        "<code class=\"api-prop-name\">{}</code>: {}{default}",
        esc(&arg.name),
        type_html(schema, arg.ty.as_ref(), warnings)
    )
}

fn type_html(schema: &Schema, ty: Option<&Ty>, warnings: &mut Warnings) -> String {
    match ty {
        None => "<span class=\"api-type api-unresolved\">?</span>".to_owned(),
        Some(Ty::Named(name)) => named_html(schema, name, warnings),
        Some(Ty::List(inner)) => format!("[{}]", type_html(schema, Some(inner), warnings)),
        Some(Ty::NonNull(inner)) => format!("{}!", type_html(schema, Some(inner), warnings)),
    }
}

fn named_html(schema: &Schema, name: &str, warnings: &mut Warnings) -> String {
    if let Some(anchor) = schema.links.get(name).filter(|_| !name.starts_with('@')) {
        format!("<a class=\"api-type\" href=\"#{}\">{}</a>", esc(anchor), esc(name))
    } else if BUILT_IN.contains(&name) {
        format!("<span class=\"api-type\">{}</span>", esc(name))
    } else {
        warnings.push(format!("GraphQL type {name} is not defined"));
        format!("<span class=\"api-type api-unresolved\">{}</span>", esc(name))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{assert_anchors, backstage_example, content_example};
    use super::super::render;
    use super::string_text;

    #[test]
    fn customer_graph() {
        let got = render("graphql", &content_example("customer-bff/schema.graphql"));
        assert_eq!((got.format.as_str(), got.raw_language), ("GraphQL", "graphql"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let ops: Vec<(&str, &str)> = got.operations.iter().map(|op| (op.method.as_str(), op.path.as_str())).collect();
        assert_eq!(
            ops,
            [
                ("query", "me"),
                ("query", "node"),
                ("query", "order"),
                ("query", "shipment"),
                ("query", "quote"),
                ("mutation", "createOrder"),
                ("mutation", "cancelOrder"),
                ("mutation", "updateRecipient"),
            ]
        );
        assert_eq!(got.operations[0].id, "op-query-me");
        assert_eq!(got.operations[0].summary, "The signed-in customer.");
        assert_eq!(got.operations[5].tags, ["Mutation"]);
        let html = &got.html();
        for needle in [
            "<section class=\"api-group\" id=\"type-Query\"><h2>Query</h2>",
            "<section class=\"api-op\" id=\"op-query-me\"><h3><span class=\"api-method query\">query</span> <code class=\"api-path\">me</code>: <a class=\"api-type\" href=\"#type-Customer\">Customer</a></h3>",
            "<span class=\"api-method mutation\">mutation</span> <code class=\"api-path\">createOrder</code>: <a class=\"api-type\" href=\"#type-CreateOrderPayload\">CreateOrderPayload</a>!",
            "<td><code class=\"api-prop-name\">input</code></td><td><a class=\"api-type\" href=\"#type-QuoteInput\">QuoteInput</a>!</td>",
            // Field arguments with defaults, list and non-null wrappers.
            "<code class=\"api-prop-name\">orders</code>(<code class=\"api-prop-name\">first</code>: <span class=\"api-type\">Int</span> = <code>10</code>,",
            "[<a class=\"api-type\" href=\"#type-Shipment\">Shipment</a>!]!",
            "<section class=\"api-def\" id=\"type-Node\"><h3><span class=\"api-badge kind\">interface</span> Node</h3>",
            "<span class=\"api-keyword\">implemented by</span> <a class=\"api-type\" href=\"#type-Customer\">Customer</a> | <a class=\"api-type\" href=\"#type-Order\">Order</a>",
            "<span class=\"api-keyword\">implements</span> <a class=\"api-type\" href=\"#type-Node\">Node</a>",
            "<td><code class=\"api-prop-name\">AWAITING_PAYMENT</code></td>",
            "<section class=\"api-definitions\" id=\"section-inputs\"><h2>Input types</h2>",
            "<section class=\"api-def\" id=\"type-DateTime\"><h3><span class=\"api-badge kind\">scalar</span> DateTime</h3><div class=\"api-description\"><p>Customer Graph: the schema behind",
            "<p>Idempotency key generated by the client.</p>",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        let sections: Vec<usize> = [
            "type-Query",
            "type-Mutation",
            "section-types",
            "section-interfaces",
            "section-inputs",
            "section-enums",
            "section-scalars",
        ]
        .iter()
        .map(|id| html.find(&format!("id=\"{id}\"")).unwrap())
        .collect();
        assert!(sections.windows(2).all(|w| w[0] < w[1]), "{sections:?}");
        assert_eq!(html.matches("id=\"type-Query\"").count(), 1, "root types are not repeated under Types");
        assert_anchors(&got);
    }

    #[test]
    fn swapi_with_schema_definition() {
        let got = render("graphql", &backstage_example("swapi-graphql.yaml"));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(got.operations.len(), 13);
        assert!(got.operations.iter().all(|op| op.method == "query" && op.tags == ["Root"]));
        assert_eq!(got.operations[12].path, "node");
        assert_eq!(got.operations[12].summary, "Fetches an object given its ID");
        let html = &got.html();
        assert!(html.contains("<section class=\"api-group\" id=\"type-Root\"><h2>Root</h2>"));
        assert!(html.contains(
            "<section class=\"api-def\" id=\"type-Film\"><h3><span class=\"api-badge kind\">type</span> Film</h3>"
        ));
        assert!(html.contains("<td><code class=\"api-prop-name\">title</code></td><td><span class=\"api-type\">String</span></td><td><div class=\"api-description\"><p>The title of this film.</p>"));
        assert!(html.contains("<td><code class=\"api-prop-name\">id</code></td><td><span class=\"api-type\">ID</span>!</td><td></td><td><div class=\"api-description\"><p>The ID of an object</p>"));
        assert_anchors(&got);
        let definition = backstage_example("swapi-graphql.yaml");
        assert_eq!(render("graphql", &definition), render("graphql", &definition));
    }

    #[test]
    fn directives_unions_extensions_and_deprecations() {
        let definition = r#"
"""Auth <script>alert(1)</script>"""
directive @auth(role: String = "admin") repeatable on FIELD_DEFINITION | OBJECT

type Query {
  old: String @deprecated(reason: "Use `new`.")
  new(kind: Kind = A): Result @auth
}

extend type Query {
  extra: Int
}

union Result = Cat | Dog
type Cat @key(fields: "id") { id: ID! lives: Int }
type Dog { id: ID! bark: Missing }
enum Kind { A B @deprecated }
"#;
        let got = render("graphql", definition);
        assert_eq!(got.warnings, ["GraphQL type Missing is not defined"]);
        let ops: Vec<&str> = got.operations.iter().map(|op| op.path.as_str()).collect();
        assert_eq!(ops, ["old", "new", "extra"], "extension fields are merged");
        let html = &got.html();
        for needle in [
            "<section class=\"api-op deprecated\" id=\"op-query-old\">",
            "<span class=\"api-badge deprecated\">deprecated</span></h3><div class=\"api-description\"><p>Use <code>new</code>.</p></div>",
            "<span class=\"api-keyword\">members</span> <a class=\"api-type\" href=\"#type-Cat\">Cat</a> | <a class=\"api-type\" href=\"#type-Dog\">Dog</a>",
            "<span class=\"api-keyword\">directives</span> <code>@key(fields: &quot;id&quot;)</code>",
            "<td><code class=\"api-prop-name\">B</code> <span class=\"api-badge deprecated\">deprecated</span></td><td><div class=\"api-description\"><p>No longer supported</p>",
            "<section class=\"api-def\" id=\"directive-auth\"><h3>@auth</h3><div class=\"api-description\"><p>Auth &lt;script&gt;alert(1)&lt;/script&gt;</p></div><p class=\"api-signature\"><code>@auth</code>(<code class=\"api-prop-name\">role</code>: <span class=\"api-type\">String</span> = <code>&quot;admin&quot;</code>) repeatable on FIELD_DEFINITION | OBJECT</p>",
            "<span class=\"api-type api-unresolved\">Missing</span>",
            "<td><a class=\"api-type\" href=\"#type-Kind\">Kind</a></td><td><code>A</code></td>",
        ] {
            assert!(html.contains(needle), "missing {needle}\n{html}");
        }
        assert_anchors(&got);
    }

    #[test]
    fn syntax_errors_keep_what_parsed() {
        let definition = "type Good {\n  a: Int\n}\n\ntype Broken {\n  b: \n}\n\ntype AlsoGood { c: Good }\n";
        let got = render("graphql", definition);
        assert!(!got.warnings.is_empty());
        assert_eq!(got.warnings, ["GraphQL syntax error at line 7, column 1: expected a Type (found `}`)"]);
        assert!(got.html().starts_with("<div class=\"api-ref graphql\">"), "structured view despite errors");
        assert!(got.html().contains("id=\"type-Good\"") && got.html().contains("id=\"type-AlsoGood\""));
        assert!(got.operations.is_empty());
    }

    #[test]
    fn string_literals() {
        let cases = [
            ("\"plain\"", "plain"),
            ("\"esc \\\"q\\\" \\n \\u00e9 \\uZZZZ\"", "esc \"q\" \n é \\uZZZZ"),
            ("\"\"\"\n    Block\n      indented\n    end\n  \"\"\"", "Block\n  indented\nend"),
            ("\"\"\"One line\"\"\"", "One line"),
            ("\"\"\"a \\\"\"\" b\"\"\"", "a \"\"\" b"),
        ];
        for (source, expected) in cases {
            assert_eq!(string_text(source), expected, "{source}");
        }
    }
}
