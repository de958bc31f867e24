//! Template values: from `-v key=value`, `--values FILE` (YAML or JSON) and the prompts of
//! `--interactive`, coerced to the types the parameters declare, completed with their
//! defaults, and checked against the parameter pages' JSON Schemas (the `jsonschema` crate:
//! required, types, enums, patterns, `dependencies`, `if`/`then`/`else`) before anything is
//! rendered. A problem names the parameter and what it expects.

use serde_json::{Map, Value as Json};

use super::template::Template;

/// The parameter pages as one schema: every page must hold (`allOf`).
pub fn schema(template: &Template) -> Json {
    let pages: Vec<Json> = template.pages.iter().map(strip_ui).collect();
    if pages.is_empty() {
        return serde_json::json!({ "type": "object" });
    }
    serde_json::json!({ "type": "object", "allOf": pages })
}

/// A schema without the `ui:` keys of react-jsonschema-form (`ui:field`, `ui:options`, …).
fn strip_ui(schema: &Json) -> Json {
    match schema {
        Json::Object(map) => Json::Object(
            map.iter().filter(|(k, _)| !k.starts_with("ui:")).map(|(k, v)| (k.clone(), strip_ui(v))).collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(strip_ui).collect()),
        other => other.clone(),
    }
}

/// Every property the pages declare (top-level and under `dependencies`, `allOf`, `oneOf`,
/// `anyOf`, `then` and `else`), in page order, with its schema.
pub fn properties(template: &Template) -> Vec<(String, Json)> {
    fn walk(schema: &Json, out: &mut Vec<(String, Json)>) {
        let Some(map) = schema.as_object() else { return };
        if let Some(props) = map.get("properties").and_then(Json::as_object) {
            for (k, v) in props {
                if !out.iter().any(|(n, _)| n == k) {
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for s in map.get(key).and_then(Json::as_array).into_iter().flatten() {
                walk(s, out);
            }
        }
        for key in ["then", "else"] {
            if let Some(s) = map.get(key) {
                walk(s, out);
            }
        }
        for dep in map.get("dependencies").and_then(Json::as_object).into_iter().flat_map(|d| d.values()) {
            walk(dep, out);
        }
    }
    let mut out = Vec::new();
    for page in &template.pages {
        walk(page, &mut out);
    }
    out
}

/// The type a property declares (`string` when it says none).
fn declared_type(schema: &Json) -> &str {
    match schema.get("type") {
        Some(Json::String(t)) => t,
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).find(|t| *t != "null").unwrap_or("string"),
        _ => "string",
    }
}

/// `text` as a value of the property's type (`-v tags=a,b` is a list, `-v java=true` a boolean).
pub fn coerce(schema: &Json, text: &str) -> Result<Json, String> {
    match declared_type(schema) {
        "boolean" => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => Ok(Json::Bool(true)),
            "false" | "no" | "n" | "0" | "off" => Ok(Json::Bool(false)),
            _ => Err("true or false".into()),
        },
        "integer" => text.trim().parse::<i64>().map(Json::from).map_err(|_| "a whole number".into()),
        "number" => {
            let n: f64 = text.trim().parse().map_err(|_| "a number".to_owned())?;
            serde_json::Number::from_f64(n).map(Json::Number).ok_or_else(|| "a finite number".into())
        }
        "array" => match serde_json::from_str::<Json>(text) {
            Ok(v @ Json::Array(_)) => Ok(v),
            _ if text.trim().is_empty() => Ok(Json::Array(Vec::new())),
            _ => {
                let item = schema.get("items").cloned().unwrap_or(Json::Null);
                text.split(',').map(|t| coerce(&item, t.trim())).collect::<Result<Vec<_>, _>>().map(Json::Array)
            }
        },
        "object" => match serde_json::from_str::<Json>(text) {
            Ok(v @ Json::Object(_)) => Ok(v),
            _ => Err("a JSON object".into()),
        },
        _ => Ok(Json::String(text.to_owned())),
    }
}

/// The values from `-v key=value` pairs (after those of `file`, which they override).
pub fn collect(
    template: &Template,
    pairs: &[String],
    file: Option<&std::path::Path>,
) -> Result<Map<String, Json>, Vec<String>> {
    let props = properties(template);
    let mut values = Map::new();
    let mut problems = Vec::new();
    if let Some(file) = file {
        match std::fs::read_to_string(file).map_err(|e| e.to_string()).and_then(|t| {
            crate::yaml::from_str::<Map<String, Json>>(&t).map_err(|e| {
                format!(
                    "{}{}",
                    e.pos.map(|p| format!("line {}, column {}: ", p.line, p.column)).unwrap_or_default(),
                    e.message
                )
            })
        }) {
            Ok(map) => values.extend(map.unwrap_or_default()),
            Err(e) => problems.push(format!("cannot read the values file {}: {e}", file.display())),
        }
    }
    for pair in pairs {
        let Some((key, text)) = pair.split_once('=') else {
            problems.push(format!("`-v {pair}` is not `name=value`"));
            continue;
        };
        match props.iter().find(|(n, _)| n == key) {
            None => problems.push(unknown(key, &props)),
            Some((_, schema)) => match coerce(schema, text) {
                Ok(v) => {
                    values.insert(key.to_owned(), v);
                }
                Err(expected) => problems.push(format!("parameter `{key}` expects {expected}, not `{text}`")),
            },
        }
    }
    for key in values.keys() {
        if !props.iter().any(|(n, _)| n == key) && !problems.iter().any(|p| p.contains(&format!("`{key}`"))) {
            problems.push(unknown(key, &props));
        }
    }
    if problems.is_empty() { Ok(values) } else { Err(problems) }
}

fn unknown(key: &str, props: &[(String, Json)]) -> String {
    let names: Vec<&str> = props.iter().map(|(n, _)| n.as_str()).collect();
    format!("the template has no parameter `{key}`; its parameters are {}", names.join(", "))
}

/// Fills in the defaults of properties without a value.
pub fn with_defaults(template: &Template, mut values: Map<String, Json>) -> Map<String, Json> {
    for (name, schema) in properties(template) {
        if let (false, Some(d)) = (values.contains_key(&name), schema.get("default")) {
            values.insert(name, d.clone());
        }
    }
    values
}

/// Checks `values` against the pages' schemas: every problem, naming the parameter and what it
/// expects (its title and description when the problem is a missing value).
pub fn validate(template: &Template, values: &Map<String, Json>) -> Vec<String> {
    let schema = schema(template);
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return vec![format!("the template's parameters are not a valid JSON Schema: {e}")],
    };
    let props = properties(template);
    let instance = Json::Object(values.clone());
    let mut out: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| {
            let path = e.instance_path().to_string();
            let name = path.trim_start_matches('/').replace('/', ".");
            match e.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let key = property.as_str().unwrap_or_default();
                    let about = props.iter().find(|(n, _)| n == key).map(|(_, s)| describe(s)).unwrap_or_default();
                    format!("missing value for `{key}`{about}")
                }
                jsonschema::error::ValidationErrorKind::OneOfNotValid { .. }
                | jsonschema::error::ValidationErrorKind::AnyOf { .. }
                    if name.is_empty() =>
                {
                    dependency_problem(template, values, &props).unwrap_or_else(|| e.to_string())
                }
                _ if name.is_empty() => e.to_string(),
                _ => format!("parameter `{name}`: {e}"),
            }
        })
        .collect();
    out.dedup();
    out
}

/// What a `dependencies: {dep: {oneOf: [...]}}` branch chosen by `dep`'s value still needs (the
/// usual cause of a `oneOf` failure): "missing value for `x` (…), needed when `dep` is v".
fn dependency_problem(template: &Template, values: &Map<String, Json>, props: &[(String, Json)]) -> Option<String> {
    for page in &template.pages {
        for (dep, d) in page.get("dependencies").and_then(Json::as_object).into_iter().flatten() {
            let Some(value) = values.get(dep) else { continue };
            for branch in d.get("oneOf").and_then(Json::as_array).into_iter().flatten() {
                let cond = branch.pointer(&format!("/properties/{dep}"));
                let matches = cond.is_some_and(|c| {
                    c.get("const") == Some(value)
                        || c.get("enum").and_then(Json::as_array).is_some_and(|e| e.contains(value))
                });
                if !matches {
                    continue;
                }
                let missing: Vec<String> = branch
                    .get("required")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                    .filter(|r| !values.contains_key(*r))
                    .map(|r| {
                        let about = props.iter().find(|(n, _)| n == r).map(|(_, s)| describe(s)).unwrap_or_default();
                        format!("missing value for `{r}`{about}, needed when `{dep}` is {value}")
                    })
                    .collect();
                if !missing.is_empty() {
                    return Some(missing.join("; "));
                }
            }
        }
    }
    None
}

/// ` (Title: description; one of a, b)` of a property, for messages.
pub fn describe(schema: &Json) -> String {
    let mut parts = Vec::new();
    let title = schema.get("title").and_then(Json::as_str);
    let description = schema.get("description").and_then(Json::as_str);
    match (title, description) {
        (Some(t), Some(d)) => parts.push(format!("{t}: {d}")),
        (Some(t), None) => parts.push(t.to_owned()),
        (None, Some(d)) => parts.push(d.to_owned()),
        _ => {}
    }
    parts.push(format!("a {}", declared_type(schema)));
    if let Some(options) = schema.get("enum").and_then(Json::as_array) {
        parts.push(format!("one of {}", options.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")));
    }
    if let Some(p) = schema.get("pattern").and_then(Json::as_str) {
        parts.push(format!("matching {p}"));
    }
    format!(" ({})", parts.join("; "))
}
