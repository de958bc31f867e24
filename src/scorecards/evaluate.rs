//! Evaluating the rules for one entity: the CEL variables and functions, and the outcome of
//! each check.
//!
//! Variables: `entity` (as in `api/catalog.json`, with `metadata.annotations`, `labels`,
//! `links`, `tags` and `spec` always present), `relations` (`[{type, targetRef}]`), `owner`
//! (the owner entity, or `null` when it has none in the catalog), `facts` (per plugin id its
//! facts about the entity, `{}` without), `build` (`{date: "YYYY-MM-DD"}`). Functions:
//! `file_exists(glob)` and `file_contains(glob, regex)` over the files of the entity's
//! directory (the files the build reads: `.gitignore`d ones are not there), `filled(value)`
//! (present and not empty) and `lower(string)`.

use std::sync::Arc;

use cel::objects::Value;
use cel::{Context, ExecutionError};
use serde_json::{Value as Json, json};

use super::Outcome;
use super::rules::{Expr, env};
use crate::catalog::Entity;
use crate::resolve::Portal;

/// What every entity's evaluation shares.
pub(super) struct Shared<'a> {
    pub portal: &'a Portal,
    pub root: Arc<std::path::Path>,
    /// The build's files (root-relative, sorted).
    pub files: Arc<[String]>,
    pub today: chrono::NaiveDate,
    /// Globs compiled once for every entity (by pattern).
    pub globs: Arc<Globs>,
}

/// Compiled globs by pattern.
pub(super) type Globs = std::sync::RwLock<std::collections::HashMap<String, Result<globset::GlobMatcher, String>>>;

/// One entity's CEL context: `entity` at first (enough for a card's `applies`), the rest once
/// a card applies ([`Scope::complete`]).
pub(super) struct Scope<'s> {
    context: Context<'s, 's>,
    complete: bool,
    /// `entity.relations`, also the variable `relations` once complete.
    relations: Value,
}

impl<'s> Scope<'s> {
    pub fn new(shared: &Shared, entity: &Entity) -> Scope<'s> {
        let mut context = Context::with_env(env().clone());
        let mut value = normalised(&entity.json);
        value["relations"] = Json::Array(relations(shared.portal, entity));
        let value = json_to_cel(&value);
        let relations = match &value {
            Value::Map(m) => m.map.get(&cel::objects::Key::String(Arc::new("relations".into()))).cloned(),
            _ => None,
        }
        .unwrap_or(Value::List(Arc::new(Vec::new())));
        context.add_variable_from_value("entity", value);
        context.add_variable_from_value(
            "build",
            json_to_cel(&json!({ "date": shared.today.format("%Y-%m-%d").to_string() })),
        );
        context.add_function("filled", |v: Value| filled(&v)).expect("a new name");
        context.add_function("lower", |s: Arc<String>| s.to_lowercase()).expect("a new name");
        Scope { context, complete: false, relations }
    }

    /// Adds `relations`, `owner`, `facts` and the functions reading the entity's directory.
    pub fn complete(&mut self, shared: &Shared, entity: &Entity) {
        if std::mem::replace(&mut self.complete, true) {
            return;
        }
        let portal = shared.portal;
        let context = &mut self.context;
        let owner = portal
            .targets(&entity.entity_ref, "ownedBy")
            .next()
            .and_then(|o| portal.entities.get(o))
            .map_or(Json::Null, |o| normalised(&o.json));
        let facts = portal
            .plugins
            .facts
            .get(&entity.entity_ref.to_string())
            .map_or_else(|| json!({}), |f| serde_json::to_value(f).unwrap_or_else(|_| json!({})));
        context.add_variable_from_value("relations", self.relations.clone());
        for (name, v) in [("owner", owner), ("facts", facts)] {
            context.add_variable_from_value(name, json_to_cel(&v));
        }
        let dir: Arc<str> = entity.dir.as_str().into();
        let (files, d, globs) = (shared.files.clone(), dir.clone(), shared.globs.clone());
        context
            .add_function("file_exists", move |glob: Arc<String>| -> Result<bool, ExecutionError> {
                Ok(!matching(&files, &globs, &d, &glob)?.is_empty())
            })
            .expect("a new name");
        let (files, d, root, globs) = (shared.files.clone(), dir, shared.root.clone(), shared.globs.clone());
        context
            .add_function(
                "file_contains",
                move |glob: Arc<String>, pattern: Arc<String>| -> Result<bool, ExecutionError> {
                    let re = regex::Regex::new(&pattern)
                        .map_err(|e| ExecutionError::function_error("file_contains", format!("invalid regex: {e}")))?;
                    Ok(matching(&files, &globs, &d, &glob)?.iter().any(|f| {
                        crate::input::read_to_string(&root.join(f), crate::input::Limits::default().file)
                            .is_ok_and(|text| re.is_match(&text))
                    }))
                },
            )
            .expect("a new name");
    }

    /// `Ok(true/false)` or why the expression has no truth value.
    pub fn truth(&self, expr: &Expr) -> Result<bool, String> {
        match expr.program.execute(&self.context) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("`{}` gave {}, not true or false", expr.source, describe(&other))),
            Err(e) => Err(reason(&e)),
        }
    }

    /// The outcome of a check, before exemptions.
    pub fn outcome(&self, check: &super::rules::Check) -> Outcome {
        if let Some(applies) = &check.applies {
            match self.truth(applies) {
                Ok(false) => return Outcome::NotApplicable,
                Ok(true) => {}
                Err(why) => return Outcome::Unknown(format!("cannot tell whether it applies: {why}")),
            }
        }
        match self.truth(&check.expr) {
            Ok(true) => Outcome::Pass,
            Ok(false) => Outcome::Fail,
            Err(why) => Outcome::Unknown(why),
        }
    }
}

/// Why an expression did not evaluate, for a reader of the scorecard.
fn reason(e: &ExecutionError) -> String {
    match e {
        ExecutionError::NoSuchKey(k) => format!("no value `{k}` (missing data)"),
        ExecutionError::UndeclaredReference(k) => format!("unknown name `{k}`"),
        other => other.to_string(),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => format!("the string {s:?}"),
        Value::Int(i) => format!("the number {i}"),
        Value::UInt(i) => format!("the number {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::List(_) => "a list".into(),
        Value::Map(_) => "a map".into(),
        _ => "a value".into(),
    }
}

/// Present and not empty: not null, `""`, `[]` or `{}`.
fn filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Map(m) => !m.map.is_empty(),
        _ => true,
    }
}

/// `[{type, targetRef}]` of the entity's relations.
fn relations(portal: &Portal, entity: &Entity) -> Vec<Json> {
    portal
        .relations_of(&entity.entity_ref)
        .map(|r| json!({ "type": r.kind, "targetRef": r.target.to_string() }))
        .collect()
}

/// The files of `dir` (root-relative, `""` the root) matching `glob` (relative to `dir`).
fn matching<'f>(files: &'f [String], globs: &Globs, dir: &str, glob: &str) -> Result<Vec<&'f String>, ExecutionError> {
    let known = globs.read().expect("globs lock").get(glob).cloned();
    let matcher = match known {
        Some(m) => m,
        None => {
            let m = globset::GlobBuilder::new(glob.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("invalid glob `{glob}`: {e}"));
            globs.write().expect("globs lock").insert(glob.to_owned(), m.clone());
            m
        }
    }
    .map_err(|e| ExecutionError::function_error("file_exists", e))?;
    let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
    Ok(crate::discover::files_under(files, dir).iter().filter(|f| matcher.is_match(&f[skip..])).collect())
}

/// The entity's JSON with the optional parts rules read always present.
fn normalised(json: &Json) -> Json {
    let mut v = json.clone();
    if !v.is_object() {
        return v;
    }
    if !v["metadata"].is_object() {
        v["metadata"] = json!({});
    }
    for (key, empty) in [("annotations", json!({})), ("labels", json!({})), ("links", json!([])), ("tags", json!([]))] {
        if v["metadata"][key].is_null() {
            v["metadata"][key] = empty;
        }
    }
    if !v["spec"].is_object() {
        v["spec"] = json!({});
    }
    v
}

/// A JSON value as a CEL value (whole numbers as ints, so `x == 1` holds for `1`).
fn json_to_cel(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::String(Arc::new(s.clone())),
        Json::Array(items) => Value::List(Arc::new(items.iter().map(json_to_cel).collect())),
        Json::Object(map) => {
            let m: std::collections::HashMap<cel::objects::Key, Value> =
                map.iter().map(|(k, v)| (cel::objects::Key::String(Arc::new(k.clone())), json_to_cel(v))).collect();
            Value::Map(cel::objects::Map { map: Arc::new(m) })
        }
    }
}
