//! Golden paths: a scaffolder `Template`'s spec as the page documents it.
//!
//! Input: the `spec` of a `scaffolder.backstage.io/v1beta3` Template (JSON). Output: a
//! [`TemplateView`]: each parameter step (a JSON schema) as read-only form fields — title,
//! description, type, required, default, enum, pattern, format and the picker (`ui:field`,
//! `ui:options`) — then the ordered steps and the outputs. Tolerant: a malformed part is shown as
//! far as it can be read (the catalog stage already reported schema violations).

use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, Default, Serialize)]
pub struct TemplateView {
    /// Why `portico scaffold` cannot run it (empty: it can).
    pub blockers: Vec<String>,
    /// The `portico scaffold` command with its required parameters.
    pub command: String,
    /// Entities made from it (`backstage.io/source-template`), filled in by the entity view.
    pub created: Vec<super::views::EntityLink>,
    pub parameter_steps: Vec<ParameterStep>,
    pub steps: Vec<StepView>,
    pub output_links: Vec<OutputLink>,
    pub output_text: Vec<OutputText>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParameterStep {
    pub title: String,
    pub description: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Field {
    /// Property name (the value is `${{ parameters.<name> }}`).
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// JSON schema type (`string`, `boolean`, `array`, ...).
    pub field_type: String,
    pub required: bool,
    /// Default as JSON text.
    pub default: Option<String>,
    /// Allowed values as text, with labels from `enumNames` when present.
    pub options: Vec<(String, String)>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    /// `ui:field` (e.g. `OwnerPicker`, `EntityPicker`, `RepoUrlPicker`).
    pub picker: Option<String>,
    /// `ui:widget` (e.g. `textarea`, `password`).
    pub widget: Option<String>,
    /// `ui:options` as `key: value` texts.
    pub ui_options: Vec<String>,
    /// The kind of form control: `text`, `textarea`, `select`, `checkbox`, `number`, `list`,
    /// `multi` (a list of enum values), `repo` (RepoUrlPicker), `password`.
    pub control: &'static str,
    /// `ui:help`.
    pub help: Option<String>,
    /// The default as JSON (what the form starts with).
    pub default_json: Option<String>,
    /// Shown only when another field has one of some values (`dependencies`, `if`/`then`/`else`):
    /// `{"field": name, "values": [...], "negate": bool}` as JSON.
    pub when: Option<String>,
    /// Choices a picker offers, filled from the catalog at build time: (value, label).
    pub choices: Vec<(String, String)>,
    /// RepoUrlPicker's `allowedHosts` (default github.com) and `allowedOwners`.
    pub hosts: Vec<String>,
    pub owners: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    pub id: Option<String>,
    pub name: String,
    pub action: String,
    /// `input` as indented JSON.
    pub input: Option<String>,
    pub condition: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutputLink {
    pub title: String,
    pub url: Option<String>,
    pub entity_ref: Option<String>,
    pub icon: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutputText {
    pub title: String,
    pub content: String,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn field(name: &str, schema: &Value, required: bool) -> Field {
    let field_type = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts.iter().map(compact).collect::<Vec<_>>().join(" | "),
        _ => "string".into(),
    };
    let values: Vec<String> =
        schema.get("enum").and_then(Value::as_array).map(|a| a.iter().map(compact).collect()).unwrap_or_default();
    let names: Vec<String> =
        schema.get("enumNames").and_then(Value::as_array).map(|a| a.iter().map(compact).collect()).unwrap_or_default();
    let options = values
        .iter()
        .enumerate()
        .map(|(i, v)| (v.clone(), names.get(i).cloned().unwrap_or_else(|| v.clone())))
        .collect();
    let widget = text(schema, "ui:widget");
    let picker = text(schema, "ui:field");
    let item_values: Vec<(String, String)> = schema
        .pointer("/items/enum")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| (compact(v), compact(v))).collect())
        .unwrap_or_default();
    let control = if schema.get("enum").is_some() {
        "select"
    } else if picker.as_deref() == Some("RepoUrlPicker") {
        "repo"
    } else {
        match (field_type.as_str(), widget.as_deref()) {
            ("boolean", _) => "checkbox",
            ("number" | "integer", _) => "number",
            ("array", _) if !item_values.is_empty() => "multi",
            ("array", _) => "list",
            (_, Some("textarea")) => "textarea",
            (_, Some("password")) => "password",
            _ => "text",
        }
    };
    let option_list = |key: &str| -> Vec<String> {
        schema
            .get("ui:options")
            .and_then(|o| o.get(key))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let mut hosts = option_list("allowedHosts");
    if control == "repo" && hosts.is_empty() {
        hosts.push("github.com".into());
    }
    let ui_options = schema
        .get("ui:options")
        .and_then(Value::as_object)
        .map(|o| o.iter().map(|(k, v)| format!("{k}: {}", compact(v))).collect())
        .unwrap_or_default();
    Field {
        name: name.to_owned(),
        title: text(schema, "title").unwrap_or_else(|| name.to_owned()),
        description: text(schema, "description"),
        field_type,
        required,
        default: schema.get("default").map(compact),
        options: if control == "multi" { item_values } else { options },
        pattern: text(schema, "pattern").or_else(|| {
            // Backstage's EntityNamePicker enforces the catalog's name rule.
            (picker.as_deref() == Some("EntityNamePicker"))
                .then(|| "^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$".to_owned())
        }),
        format: text(schema, "format"),
        picker,
        widget,
        ui_options,
        control,
        help: text(schema, "ui:help"),
        default_json: schema.get("default").map(Value::to_string),
        when: None,
        choices: Vec::new(),
        owners: option_list("allowedOwners"),
        hosts,
    }
}

fn parameter_step(index: usize, step: &Value) -> ParameterStep {
    let required: Vec<&str> = step
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields: Vec<Field> = step
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props.iter().map(|(name, schema)| field(name, schema, required.contains(&name.as_str()))).collect()
        })
        .unwrap_or_default();
    // `ui:order` (react-jsonschema-form): listed names first in that order, `*` for the rest.
    if let Some(order) = step.get("ui:order").and_then(Value::as_array) {
        let names: Vec<&str> = order.iter().filter_map(Value::as_str).collect();
        let rest = names.iter().position(|n| *n == "*").unwrap_or(names.len());
        let rank =
            |f: &Field| names.iter().position(|n| *n == f.name).map_or(rest, |i| if i > rest { i + 1 } else { i });
        fields.sort_by_key(|f| rank(f));
    }
    fields.extend(super::template_form::conditional_fields(step, &fields));
    ParameterStep {
        title: text(step, "title").unwrap_or_else(|| format!("Step {}", index + 1)),
        description: text(step, "description"),
        fields,
    }
}

/// The view of the spec of the Template `name`.
pub fn template_view(name: &str, spec: &Value) -> TemplateView {
    let parameter_steps = match spec.get("parameters") {
        Some(Value::Array(steps)) => steps.iter().enumerate().map(|(i, s)| parameter_step(i, s)).collect(),
        Some(step @ Value::Object(_)) => vec![parameter_step(0, step)],
        _ => Vec::new(),
    };
    let steps = spec
        .get("steps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .map(|s| StepView {
                    id: text(s, "id"),
                    name: text(s, "name").or_else(|| text(s, "id")).unwrap_or_else(|| "Step".into()),
                    action: text(s, "action").unwrap_or_default(),
                    input: s.get("input").map(|i| serde_json::to_string_pretty(i).unwrap_or_default()),
                    condition: s.get("if").map(compact),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut blockers = Vec::new();
    for s in spec.get("steps").and_then(Value::as_array).into_iter().flatten() {
        let action = s.get("action").and_then(Value::as_str).unwrap_or_default();
        let id = text(s, "id").or_else(|| text(s, "name")).unwrap_or_else(|| action.to_owned());
        let url = s.pointer("/input/url").and_then(Value::as_str);
        if !crate::scaffold::template::supported(action) {
            blockers.push(format!("step `{id}` uses `{action}`, which it does not run"));
        } else if action.starts_with("fetch:") && url.is_some_and(crate::paths::is_url) {
            blockers.push(format!("step `{id}` fetches its skeleton from a URL"));
        }
    }
    let mut command = format!("portico scaffold {name}");
    for step in &parameter_steps {
        for f in step.fields.iter().filter(|f| f.required) {
            command.push_str(&format!(" -v {}=…", f.name));
        }
    }
    command.push_str(" --out DIR");
    let output = spec.get("output");
    let output_links = output
        .and_then(|o| o.get("links"))
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .map(|l| OutputLink {
                    title: text(l, "title").unwrap_or_else(|| "Link".into()),
                    url: text(l, "url"),
                    entity_ref: text(l, "entityRef"),
                    icon: text(l, "icon"),
                })
                .collect()
        })
        .unwrap_or_default();
    let output_text = output
        .and_then(|o| o.get("text"))
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .map(|x| OutputText {
                    title: text(x, "title").unwrap_or_default(),
                    content: text(x, "content").unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    TemplateView { blockers, command, created: Vec::new(), parameter_steps, steps, output_links, output_text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_read_only_fields() {
        let spec = serde_json::json!({
            "type": "service",
            "parameters": [
                {"title": "Basics", "required": ["name"], "properties": {
                    "name": {"title": "Name", "type": "string", "pattern": "^[a-z-]+$", "ui:autofocus": true},
                    "owner": {"type": "string", "ui:field": "OwnerPicker", "ui:options": {"allowedKinds": ["Group"]}},
                    "tier": {"type": "string", "enum": ["gold", "silver"], "enumNames": ["Gold", "Silver"], "default": "silver"},
                    "public": {"type": "boolean"}
                }},
                {"properties": {"repoUrl": {"type": "string", "ui:field": "RepoUrlPicker"}}}
            ],
            "steps": [{"id": "fetch", "name": "Fetch", "action": "fetch:template", "input": {"url": "./skeleton"}}],
            "output": {"links": [{"title": "Repository", "url": "${{ steps.publish.output.remoteUrl }}"}]}
        });
        let v = template_view("t", &spec);
        assert_eq!(v.parameter_steps.len(), 2);
        assert_eq!(v.parameter_steps[1].title, "Step 2");
        let fields = &v.parameter_steps[0].fields;
        let name = fields.iter().find(|f| f.name == "name").unwrap();
        assert!(name.required && name.pattern.as_deref() == Some("^[a-z-]+$") && name.control == "text");
        let owner = fields.iter().find(|f| f.name == "owner").unwrap();
        assert_eq!(owner.picker.as_deref(), Some("OwnerPicker"));
        assert_eq!(owner.ui_options, ["allowedKinds: [\"Group\"]"]);
        let tier = fields.iter().find(|f| f.name == "tier").unwrap();
        assert_eq!(tier.control, "select");
        assert_eq!(tier.options[0], ("gold".to_owned(), "Gold".to_owned()));
        assert_eq!(tier.default.as_deref(), Some("silver"));
        assert_eq!(fields.iter().find(|f| f.name == "public").unwrap().control, "checkbox");
        let order: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(order, ["name", "owner", "tier", "public"], "declared order");
        assert_eq!(v.steps[0].action, "fetch:template");
        assert_eq!(v.output_links[0].title, "Repository");
    }

    #[test]
    fn ui_order_sorts_fields() {
        let spec =
            serde_json::json!({"parameters": {"ui:order": ["c", "*", "a"], "properties": {"a": {}, "b": {}, "c": {}}}});
        let v = template_view("t", &spec);
        let order: Vec<&str> = v.parameter_steps[0].fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(order, ["c", "b", "a"]);
    }

    #[test]
    fn malformed_specs_do_not_panic() {
        for spec in [
            serde_json::json!(null),
            serde_json::json!({"parameters": 3, "steps": "x"}),
            serde_json::json!({"parameters": {"properties": []}}),
        ] {
            let _ = template_view("t", &spec);
        }
    }
}
