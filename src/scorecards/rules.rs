//! `scorecards:` of portico.yaml: the rules as written ([`RawScorecards`]), then compiled
//! ([`Rules`]): every shorthand desugared to CEL, every expression parsed, every reference
//! between levels, checks and cards checked. A problem is a configuration error at the line and
//! column of what is wrong.

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::At;

/// `scorecards:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScorecards {
    /// The ladder, lowest first. Default: `[bronze, silver, gold]`.
    #[serde(default)]
    pub levels: Option<Vec<At<String>>>,
    /// Checks by id.
    #[serde(default)]
    pub checks: Ordered<At<RawCheck>>,
    /// Cards by id: which checks make each level, for which entities.
    #[serde(default)]
    pub cards: Ordered<At<RawCard>>,
    /// Exemptions kept centrally (each names its entity).
    #[serde(default)]
    pub exemptions: Vec<At<super::exemptions::RawExemption>>,
}

/// One check as written: a title and exactly one of the shorthands or `expr`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub title: Option<String>,
    /// Shown on the check's page and beside a failing outcome.
    pub remediation: Option<String>,
    /// A grouping shown on the dashboard (`docs`, `operations`, …).
    pub category: Option<String>,
    /// A field of the entity that must be present and not empty: `spec.lifecycle`.
    pub field: Option<At<String>>,
    /// An annotation that must be set: `pagerduty.com/service-id`.
    pub annotation: Option<At<String>>,
    /// A glob of files that must exist, from the entity's directory: `docs/runbook.md`.
    pub file: Option<At<String>>,
    /// A link whose title contains this text (any case): `runbook`.
    pub link_title: Option<At<String>>,
    /// The kind the owner must be: `Group`.
    pub owner_kind: Option<At<String>>,
    /// A plugin fact that must be `true`: `ci-runs.green` (plugin id, then the fact).
    pub fact: Option<At<String>>,
    /// A CEL expression that must be `true`.
    pub expr: Option<At<String>>,
    /// A CEL expression: where it is false the check does not apply.
    pub applies: Option<At<String>>,
}

/// One card as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCard {
    pub title: Option<String>,
    pub description: Option<String>,
    /// A CEL expression choosing the entities the card applies to (default: every entity).
    pub applies: Option<At<String>>,
    /// Check ids per level.
    #[serde(default)]
    pub levels: Ordered<Vec<At<String>>>,
    /// Checks `portico check` fails on: an id, or `{check, required_from: YYYY-MM-DD}` (a
    /// warning before that date, an error from it on).
    #[serde(default)]
    pub required: Vec<At<RawRequired>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawRequired {
    Now(String),
    From { check: String, required_from: String },
}

/// A map that keeps the order it was written in.
#[derive(Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Ordered(Vec::new()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A compiled CEL expression with its source.
#[derive(Clone)]
pub struct Expr {
    pub source: String,
    pub program: Arc<cel::Program>,
}

impl Expr {
    /// Whether it reads more than `entity` and `build` (a card's `applies` is evaluated before
    /// the rest of an entity's variables are made, unless it needs them).
    pub fn needs_more(&self) -> bool {
        let refs = self.program.references();
        ["owner", "relations", "facts"].iter().any(|v| refs.has_variable(v))
            || ["file_exists", "file_contains"].iter().any(|f| refs.has_function(f))
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[derive(Clone, Debug)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub remediation: Option<String>,
    pub category: Option<String>,
    /// What the check tests (a shorthand desugared).
    pub expr: Expr,
    pub applies: Option<Expr>,
    /// The shorthand as written (`file: docs/runbook.md`), if it was one.
    pub shorthand: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Card {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub applies: Option<Expr>,
    /// Indices into [`Rules::checks`] with the index of their level, lowest level first, in
    /// the order written.
    pub checks: Vec<(usize, usize)>,
    pub required: Vec<Required>,
}

#[derive(Clone, Debug)]
pub struct Required {
    /// Index into [`Rules::checks`].
    pub check: usize,
    /// A campaign: a warning before this date, an error from it on.
    pub from: Option<chrono::NaiveDate>,
}

/// The compiled rules.
#[derive(Clone, Debug)]
pub struct Rules {
    pub levels: Vec<String>,
    pub checks: Vec<Check>,
    pub cards: Vec<Card>,
    /// Central exemptions.
    pub exemptions: Vec<super::exemptions::Exemption>,
    /// A hash of the rules as written (history rows carry it: a rule change is not movement).
    pub hash: String,
}

impl Rules {
    pub fn check(&self, id: &str) -> Option<usize> {
        self.checks.iter().position(|c| c.id == id)
    }
}

/// The CEL environment every rule is compiled for and run in.
pub fn env() -> &'static Arc<cel::Env> {
    static ENV: std::sync::OnceLock<Arc<cel::Env>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| Arc::new(cel::Env::stdlib()))
}

/// Compiles `raw` (read from `file`, the config file as the user names it).
pub fn compile(raw: RawScorecards, file: &str) -> Result<Rules, Box<Diagnostic>> {
    let error = |pos: Pos, message: String, hint: &str| {
        Box::new(
            Diagnostic::error("invalid-config", format!("invalid scorecards: {message}"))
                .at(file, Some(pos))
                .hint(hint.to_owned()),
        )
    };
    let hash = blake3::hash(format!("{raw:?}").as_bytes()).to_hex()[..16].to_owned();
    let levels: Vec<At<String>> = raw.levels.unwrap_or_else(|| {
        ["bronze", "silver", "gold"].map(|l| At { value: l.to_owned(), pos: Pos::default() }).into()
    });
    for (i, l) in levels.iter().enumerate() {
        if !super::valid_id(&l.value) || l.value == "none" {
            return Err(error(l.pos, format!("level `{}` is not a valid name", l.value), ID_HINT));
        }
        if levels[..i].iter().any(|o| o.value == l.value) {
            return Err(error(l.pos, format!("level `{}` is listed twice", l.value), "list each level once"));
        }
    }
    let mut checks = Vec::new();
    for (id, raw) in raw.checks.0 {
        if !super::valid_id(&id) {
            return Err(error(raw.pos, format!("check id `{id}` is not valid"), ID_HINT));
        }
        if checks.iter().any(|c: &Check| c.id == id) {
            return Err(error(raw.pos, format!("check `{id}` is defined twice"), "give each check its own id"));
        }
        checks.push(compile_check(id, raw, &error)?);
    }
    let mut cards = Vec::new();
    for (id, raw) in raw.cards.0 {
        if !super::valid_id(&id) {
            return Err(error(raw.pos, format!("card id `{id}` is not valid"), ID_HINT));
        }
        let pos = raw.pos;
        let raw = raw.value;
        let applies = raw.applies.map(|a| parse(&a, &error)).transpose()?;
        let mut card_checks: Vec<(usize, usize)> = Vec::new();
        for (level, ids) in raw.levels.0 {
            let Some(l) = levels.iter().position(|x| x.value == level) else {
                let known: Vec<&str> = levels.iter().map(|l| l.value.as_str()).collect();
                return Err(error(
                    ids.first().map_or(pos, |i| i.pos),
                    format!("card `{id}` uses level `{level}`, which `levels` does not list"),
                    &format!("the levels are {}", known.join(", ")),
                ));
            };
            for c in ids {
                let Some(k) = checks.iter().position(|x| x.id == c.value) else {
                    return Err(error(
                        c.pos,
                        format!("card `{id}` names check `{}`, which is not defined", c.value),
                        &near(&checks),
                    ));
                };
                if card_checks.iter().any(|(x, _)| *x == k) {
                    return Err(error(
                        c.pos,
                        format!("card `{id}` lists check `{}` twice", c.value),
                        "a check belongs to one level of a card",
                    ));
                }
                card_checks.push((k, l));
            }
        }
        if card_checks.is_empty() {
            return Err(error(pos, format!("card `{id}` has no checks"), "list check ids under its `levels`"));
        }
        card_checks.sort_by_key(|(_, l)| *l);
        let mut required = Vec::new();
        for r in raw.required {
            let (check, from) = match &r.value {
                RawRequired::Now(c) => (c.as_str(), None),
                RawRequired::From { check, required_from } => {
                    let Some(date) = super::exemptions::date(required_from) else {
                        return Err(error(
                            r.pos,
                            format!("`required_from: {required_from}` is not a date"),
                            "write dates as YYYY-MM-DD",
                        ));
                    };
                    (check.as_str(), Some(date))
                }
            };
            let Some(k) = checks.iter().position(|x| x.id == check).filter(|k| card_checks.iter().any(|(x, _)| x == k))
            else {
                return Err(error(
                    r.pos,
                    format!("card `{id}` requires `{check}`, which is not one of its checks"),
                    "required checks must be listed under the card's `levels`",
                ));
            };
            required.push(Required { check: k, from });
        }
        cards.push(Card {
            title: raw.title.unwrap_or_else(|| id.clone()),
            id,
            description: raw.description,
            applies,
            checks: card_checks,
            required,
        });
    }
    let mut exemptions = Vec::new();
    for e in raw.exemptions {
        exemptions.push(super::exemptions::accept(e, true).map_err(|(pos, m)| error(pos, m, EXEMPTION_HINT))?);
    }
    for e in &exemptions {
        if !checks.iter().any(|c| c.id == e.check.value) {
            return Err(error(
                e.check.pos,
                format!("exemption from `{}`, which is not a check", e.check.value),
                &near(&checks),
            ));
        }
    }
    Ok(Rules { levels: levels.into_iter().map(|l| l.value).collect(), checks, cards, exemptions, hash })
}

const ID_HINT: &str = "ids are lower-case letters, digits and `-`";
const EXEMPTION_HINT: &str = "an exemption is `{entity, check, reason, expires: YYYY-MM-DD}`; the reason is required";

fn near(checks: &[Check]) -> String {
    let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
    if ids.is_empty() {
        "define it under `scorecards.checks`".into()
    } else {
        format!("the checks are {}", ids.join(", "))
    }
}

type ErrorAt<'a> = dyn Fn(Pos, String, &str) -> Box<Diagnostic> + 'a;

fn compile_check(id: String, raw: At<RawCheck>, error: &ErrorAt) -> Result<Check, Box<Diagnostic>> {
    let pos = raw.pos;
    let raw = raw.value;
    let shorthands = [
        ("field", &raw.field),
        ("annotation", &raw.annotation),
        ("file", &raw.file),
        ("link_title", &raw.link_title),
        ("owner_kind", &raw.owner_kind),
        ("fact", &raw.fact),
        ("expr", &raw.expr),
    ];
    let given: Vec<(&str, &At<String>)> = shorthands.iter().filter_map(|(k, v)| v.as_ref().map(|v| (*k, v))).collect();
    let (key, value) = match given.as_slice() {
        [one] => *one,
        [] => {
            return Err(error(
                pos,
                format!("check `{id}` tests nothing"),
                "give it one of field, annotation, file, link_title, owner_kind, fact or expr",
            ));
        }
        [_, second, ..] => {
            return Err(error(
                second.1.pos,
                format!("check `{id}` has both `{}` and `{}`", given[0].0, second.0),
                "a check has exactly one test; combine tests with `expr`",
            ));
        }
    };
    let source = desugar(key, &value.value)
        .map_err(|m| error(value.pos, format!("check `{id}`: {m}"), "see the scorecards section of the README"))?;
    let expr = parse(&At { value: source, pos: value.pos }, error)?;
    Ok(Check {
        title: raw.title.unwrap_or_else(|| id.clone()),
        id,
        remediation: raw.remediation,
        category: raw.category,
        expr,
        applies: raw.applies.map(|a| parse(&a, error)).transpose()?,
        shorthand: (key != "expr").then(|| format!("{key}: {}", value.value)),
    })
}

/// A CEL string literal of `s`.
fn literal(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// The CEL a shorthand stands for.
pub fn desugar(key: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("`{key}` is empty"));
    }
    Ok(match key {
        "expr" => value.to_owned(),
        "field" => {
            let mut path = String::from("entity");
            let mut tests = Vec::new();
            for segment in value.split('.') {
                if !is_identifier(segment) {
                    return Err(format!(
                        "`field: {value}`: `{segment}` is not a field name; use `annotation:` or `expr` with `[\"…\"]`"
                    ));
                }
                path = format!("{path}.{segment}");
                tests.push(format!("has({path})"));
            }
            tests.push(format!("filled({path})"));
            tests.join(" && ")
        }
        "annotation" => {
            format!(
                "{k} in entity.metadata.annotations && filled(entity.metadata.annotations[{k}])",
                k = literal(value)
            )
        }
        "file" => format!("file_exists({})", literal(value)),
        "link_title" => format!(
            "entity.metadata.links.exists(l, has(l.title) && lower(l.title).contains({}))",
            literal(&value.to_lowercase())
        ),
        "owner_kind" => format!("owner != null && lower(owner.kind) == {}", literal(&value.to_lowercase())),
        "fact" => {
            let (plugin, fact) = value
                .split_once('.')
                .ok_or_else(|| format!("`fact: {value}` names no fact: write `plugin-id.fact`"))?;
            let mut path = format!("facts[{}]", literal(plugin));
            for segment in fact.split('.') {
                path = format!("{path}[{}]", literal(segment));
            }
            format!("{path} == true")
        }
        _ => unreachable!("the shorthands are listed in compile_check"),
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a CEL expression; a syntax error points at the expression in the config file.
fn parse(source: &At<String>, error: &ErrorAt) -> Result<Expr, Box<Diagnostic>> {
    match env().compile(&source.value) {
        Ok(program) => Ok(Expr { source: source.value.clone(), program: Arc::new(program) }),
        Err(e) => {
            let message = e.to_string();
            let message = message.lines().next().unwrap_or("").trim_start_matches("ERROR: <input>:").to_owned();
            Err(error(
                source.pos,
                format!("`{}` is not a valid CEL expression: {message}", source.value),
                "CEL is the language of Kubernetes admission policies: https://cel.dev",
            ))
        }
    }
}
