//! The template page as a working form: the fields that `dependencies` and `if`/`then`/`else`
//! add when another field has some value, and the choices of catalog-backed pickers, filled at
//! build time (no API): `OwnerPicker` lists the catalog's Groups (and Users when its
//! `allowedKinds` says so), `EntityPicker` and `OwnedEntityPicker` the entities its
//! `catalogFilter` (or `allowedKinds`) selects. The script `scaffold.js` turns the filled form
//! into the `portico scaffold` command, a values file and a `?formData=` link.

use serde_json::{Value, json};

use super::template::{Field, TemplateView, field};
use crate::resolve::Portal;

/// At most this many choices per picker (a datalist, so any value can still be typed).
const CHOICES_MAX: usize = 2000;

/// The value(s) a condition schema (`{"enum": [...]}` or `{"const": x}`) asks for.
fn condition_values(schema: &Value) -> Option<Vec<Value>> {
    if let Some(c) = schema.get("const") {
        return Some(vec![c.clone()]);
    }
    schema.get("enum").and_then(Value::as_array).cloned()
}

fn when(field: &str, values: &[Value], negate: bool) -> String {
    json!({ "field": field, "values": values, "negate": negate }).to_string()
}

/// Fields of `step` shown only under a condition, not among `known` fields.
pub fn conditional_fields(step: &Value, known: &[Field]) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut add = |name: &str, schema: &Value, required: bool, cond: String| {
        if known.iter().chain(out.iter()).any(|f| f.name == name) {
            return;
        }
        let mut f = field(name, schema, required);
        f.when = Some(cond);
        out.push(f);
    };
    let required_of = |s: &Value| -> Vec<String> {
        s.get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    // `dependencies: {dep: {oneOf: [{properties: {dep: {enum: [v]}, other: …}}]}}`, or a plain
    // schema dependency (`dependencies: {dep: {properties: …}}`: shown once `dep` has a value).
    for (dep, d) in step.get("dependencies").and_then(Value::as_object).into_iter().flatten() {
        let branches: Vec<&Value> = match d.get("oneOf").and_then(Value::as_array) {
            Some(b) => b.iter().collect(),
            None => vec![d],
        };
        for b in branches {
            let values = b.pointer(&format!("/properties/{dep}")).and_then(condition_values);
            let cond = match &values {
                Some(v) => when(dep, v, false),
                None => when(dep, &[Value::Null, Value::String(String::new()), Value::Bool(false)], true),
            };
            let required = required_of(b);
            for (name, schema) in b.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if name != dep {
                    add(name, schema, required.contains(name), cond.clone());
                }
            }
        }
    }
    // `if: {properties: {x: {const: v}}}, then: …, else: …` (also inside `allOf`).
    let mut conditionals: Vec<&Value> = vec![step];
    conditionals.extend(step.get("allOf").and_then(Value::as_array).into_iter().flatten());
    for c in conditionals {
        let Some(props) = c.pointer("/if/properties").and_then(Value::as_object) else { continue };
        let Some((x, values)) = props.iter().find_map(|(k, s)| condition_values(s).map(|v| (k, v))) else { continue };
        for (branch, negate) in [("then", false), ("else", true)] {
            let Some(b) = c.get(branch) else { continue };
            let required = required_of(b);
            for (name, schema) in b.get("properties").and_then(Value::as_object).into_iter().flatten() {
                add(name, schema, required.contains(name), when(x, &values, negate));
            }
        }
    }
    out
}

/// Whether `entity` passes one `catalogFilter` object (`kind`, `spec.type`, `metadata.name`, …:
/// a value or a list of values, compared without case).
fn passes(entity: &crate::catalog::Entity, filter: &serde_json::Map<String, Value>) -> bool {
    filter.iter().all(|(key, wanted)| {
        let actual = if key == "kind" {
            Some(Value::String(entity.kind.clone()))
        } else {
            entity.json.pointer(&format!("/{}", key.replace('.', "/"))).cloned()
        };
        let Some(actual) = actual else { return false };
        let eq = |w: &Value| match (w, &actual) {
            (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
            (w, a) => w == a,
        };
        match wanted {
            Value::Array(ws) => ws.iter().any(eq),
            w => eq(w),
        }
    })
}

/// Fills the choices of the pickers of `view` from the catalog.
pub fn fill_pickers(view: &mut TemplateView, portal: &Portal, schemas: &Value) {
    let _ = schemas;
    for step in &mut view.parameter_steps {
        for f in &mut step.fields {
            let Some(picker) = f.picker.as_deref() else { continue };
            let options: serde_json::Map<String, Value> = f
                .ui_options
                .iter()
                .filter_map(|o| o.split_once(": "))
                .filter_map(|(k, v)| {
                    serde_json::from_str(v)
                        .ok()
                        .or_else(|| Some(Value::String(v.to_owned())))
                        .map(|v| (k.to_owned(), v))
                })
                .collect();
            let kinds: Vec<String> = options
                .get("allowedKinds")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_lowercase).collect())
                .unwrap_or_default();
            let filters: Vec<serde_json::Map<String, Value>> = match options.get("catalogFilter") {
                Some(Value::Array(a)) => a.iter().filter_map(|f| f.as_object().cloned()).collect(),
                Some(Value::Object(o)) => vec![o.clone()],
                _ => Vec::new(),
            };
            let select: Box<dyn Fn(&crate::catalog::Entity) -> bool> = match picker {
                "OwnerPicker" => {
                    let kinds = if kinds.is_empty() { vec!["group".to_owned()] } else { kinds };
                    Box::new(move |e| kinds.contains(&e.kind.to_lowercase()))
                }
                "EntityPicker" | "OwnedEntityPicker" | "MultiEntityPicker" => Box::new(move |e| {
                    (kinds.is_empty() || kinds.contains(&e.kind.to_lowercase()))
                        && (filters.is_empty() || filters.iter().any(|f| passes(e, f)))
                }),
                _ => continue,
            };
            f.choices = portal
                .entities
                .values()
                .filter(|e| select(e))
                .take(CHOICES_MAX)
                .map(|e| (e.entity_ref.to_string(), format!("{} ({})", e.display_name(), e.entity_ref.short())))
                .collect();
        }
    }
}
