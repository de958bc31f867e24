//! Backstage's templating, with MiniJinja: Nunjucks with `${{ }}` as the variable delimiters
//! (blocks `{% %}` and comments `{# #}` as usual, `{{ }}` literal text), no autoescape, the
//! trailing newline kept, undefined values chainable (`steps.x.output.y` of a skipped step is
//! empty, not an error), and a thin compatibility layer:
//!
//! - filters `parseRepoUrl`, `parseEntityRef`, `pick`, `projectSlug` (Backstage's) and `dump`
//!   (Nunjucks' `JSON.stringify`);
//! - JavaScript string and array methods: `replace` (the first occurrence, as in JavaScript),
//!   `replaceAll`, `toUpperCase`, `toLowerCase`, `trim`, `trimStart`, `trimEnd`, `split`,
//!   `includes`, `startsWith`, `endsWith`, `indexOf`, `substring`, `slice`, `concat`, `join`;
//! - `{% elseif %}`, `===` and `!==` rewritten to MiniJinja's `elif`, `==` and `!=`.
//!
//! A string that is a single `${{ expr }}` keeps the type of its value (a list stays a list);
//! a string that renders empty is removed from its mapping, as in Backstage.

use std::sync::LazyLock;

use minijinja::value::{Serde, Value as JValue};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior};
use regex::Regex;
use serde_json::Value as Json;

use crate::yaml::{Node, Value};

/// Which delimiters the templates use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// `${{ }}`: template steps and `fetch:template` skeletons.
    Scaffolder,
    /// `{{ }}` with `cookiecutter.` values: `fetch:cookiecutter` skeletons.
    Cookiecutter,
}

/// A template that did not render: what failed and where in its text (1-based line).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderError {
    pub message: String,
    pub line: usize,
    /// The expression or tag that failed, when known.
    pub expr: Option<String>,
}

/// The rendering environment of one flavour.
pub struct Engine {
    env: Environment<'static>,
}

static SINGLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*\$\{\{(.*)\}\}\s*$").expect("static regex"));
static STRICT_EQ: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([=!])==").expect("static regex"));

impl Engine {
    pub fn new(flavour: Flavour) -> Engine {
        Engine::with_whitespace(flavour, false, false)
    }

    /// With Nunjucks' `trimBlocks` and `lstripBlocks` (inputs of `fetch:template`).
    pub fn with_whitespace(flavour: Flavour, trim_blocks: bool, lstrip_blocks: bool) -> Engine {
        let mut env = Environment::new();
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        if flavour == Flavour::Scaffolder {
            syntax.variable_delimiters("${{", "}}");
        }
        syntax.keep_trailing_newline(true).trim_blocks(trim_blocks).lstrip_blocks(lstrip_blocks);
        env.set_syntax(syntax.build().expect("valid delimiters"));
        env.set_formatter(js_formatter);
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.add_filter("dump", dump);
        env.add_filter("entries", entries);
        env.add_filter("title", |s: String| -> String {
            // Nunjucks: each space-separated word capitalised, the rest lower-cased.
            s.split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ")
        });
        env.add_filter("string", |v: JValue| {
            if v.as_str().is_some() { v.as_str().unwrap_or_default().to_owned() } else { js_text(&v) }
        });
        // cookiecutter's `jsonify` (its default Jinja extension).
        env.add_filter("jsonify", dump);
        env.add_filter("parseRepoUrl", parse_repo_url);
        env.add_filter("parseEntityRef", parse_entity_ref);
        env.add_filter("pick", pick);
        env.add_filter("projectSlug", project_slug);
        env.set_unknown_method_callback(js_method);
        Engine { env }
    }

    /// Renders a text (a skeleton file, a path, a string of a step's input).
    pub fn render_str(&self, text: &str, ctx: &Json) -> Result<String, RenderError> {
        let source = compat(text);
        self.env.render_str(&source, JValue::from(Serde(ctx))).map_err(|e| error(&e, &source))
    }

    /// Evaluates a single expression (what `${{ … }}` holds), keeping its type; `None` when it
    /// is undefined.
    pub fn eval(&self, expr: &str, ctx: &Json) -> Result<Option<Json>, RenderError> {
        let source = compat(expr);
        let fail = |e: &Error| RenderError { message: message(e), line: 1, expr: Some(expr.trim().to_owned()) };
        let compiled = self.env.compile_expression(&source).map_err(|e| fail(&e))?;
        let value = compiled.eval(JValue::from(Serde(ctx))).map_err(|e| fail(&e))?;
        if value.is_undefined() {
            return Ok(None);
        }
        serde_json::to_value(&value).map(Some).map_err(|e| RenderError {
            message: format!("the value cannot be used: {e}"),
            line: 1,
            expr: Some(expr.trim().to_owned()),
        })
    }

    /// Renders a value of a step's input: strings are templates (a single expression keeps its
    /// type), lists and mappings are rendered item by item; `None` when it renders empty
    /// (Backstage drops such keys). An error carries the position of the failing string.
    pub fn render_node(&self, node: &Node, ctx: &Json) -> Result<Option<Json>, (crate::diagnostics::Pos, RenderError)> {
        let at = |e: RenderError| {
            let mut pos = node.pos;
            if e.line > 1 {
                // A block scalar starts on the line after its indicator.
                pos = crate::diagnostics::Pos::new(pos.line + e.line as u32, 1);
            }
            (pos, e)
        };
        Ok(match &node.value {
            Value::Str(s) => match SINGLE.captures(s).filter(|c| !c[1].contains("}}") && !c[1].contains("${{")) {
                Some(c) => self.eval(&c[1], ctx).map_err(at)?.filter(|v| v.as_str() != Some("")),
                None => {
                    let out = self.render_str(s, ctx).map_err(at)?;
                    (!out.is_empty()).then_some(Json::String(out))
                }
            },
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.render_node(item, ctx)?.unwrap_or(Json::Null));
                }
                Some(Json::Array(out))
            }
            Value::Map(entries) => {
                let mut out = serde_json::Map::new();
                for (k, v) in entries {
                    if let Some(v) = self.render_node(v, ctx)? {
                        out.insert(k.name.clone(), v);
                    }
                }
                Some(Json::Object(out))
            }
            _ => Some(node.to_json()),
        })
    }

    /// Whether `text` compiles (for `check`'s lint): the error otherwise.
    pub fn lint(&self, text: &str) -> Result<(), RenderError> {
        let source = compat(text);
        self.env.template_from_str(&source).map(|_| ()).map_err(|e| error(&e, &source))
    }
}

/// Nunjucks spellings MiniJinja lacks, rewritten inside `${{ }}` and `{% %}` (never in the
/// text around them, nor inside string literals): `{% elseif %}`, `===`/`!==`, object literals
/// with bare keys (`{ defaultKind: 'group' }`), `.length` of strings and lists, and
/// `{% for key, value in object %}` over a mapping's entries.
fn compat(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("${{") && !text.contains("{%") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = [rest.find("${{"), rest.find("{%")].into_iter().flatten().min() {
        let is_block = rest[start..].starts_with("{%");
        let (open, close) = if is_block { ("{%", "%}") } else { ("${{", "}}") };
        let body_start = start + open.len();
        let Some(len) = rest[body_start..].find(close) else { break };
        out.push_str(&rest[..body_start]);
        let body = &rest[body_start..body_start + len];
        out.push_str(&rewrite(body, is_block));
        out.push_str(close);
        rest = &rest[body_start + len + close.len()..];
    }
    out.push_str(rest);
    out.into()
}

static BARE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*):").expect("static regex"));
static LENGTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\bloop)?\.length\b(\s*[^\s(]|\s*$)").expect("static regex"));
static FOR_PAIRS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(-?\s*)for(\s+[A-Za-z_]\w*\s*,\s*[A-Za-z_]\w*\s+in\s+)(.+?)(\s*-?)$").expect("static regex")
});

/// One tag's or expression's body, rewritten outside its string literals.
fn rewrite(body: &str, is_block: bool) -> String {
    let body = if is_block { ELSEIF_BODY.replace(body, "${1}elif").into_owned() } else { body.to_owned() };
    // Split into code and string literals; rewrite the code only.
    let mut out = String::with_capacity(body.len() + 8);
    let mut code = String::new();
    let mut chars = body.chars().peekable();
    let flush = |code: &mut String, out: &mut String| {
        let c = STRICT_EQ.replace_all(code, "${1}=");
        let c = BARE_KEY.replace_all(&c, "${1}\"${2}\"${3}:");
        // `loop.length` is MiniJinja's too.
        let c = LENGTH.replace_all(
            &c,
            |m: &regex::Captures| {
                if m.get(1).is_some() { m[0].to_owned() } else { format!("|length{}", &m[2]) }
            },
        );
        out.push_str(&c);
        code.clear();
    };
    while let Some(ch) = chars.next() {
        if ch == '"' || ch == '\'' {
            flush(&mut code, &mut out);
            out.push(ch);
            while let Some(c) = chars.next() {
                out.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else if c == ch {
                    break;
                }
            }
        } else {
            code.push(ch);
        }
    }
    flush(&mut code, &mut out);
    if is_block && let Some(c) = FOR_PAIRS.captures(&out) {
        return format!("{}for{}({}) | entries{}", &c[1], &c[2], &c[3], &c[4]);
    }
    out
}

static ELSEIF_BODY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(-?\s*)elseif\b").expect("static regex"));

/// `{% for k, v in x %}`: a mapping's entries, or a list's items as they are (pairs).
fn entries(value: JValue) -> Result<JValue, Error> {
    if value.kind() == minijinja::value::ValueKind::Map {
        let mut items = Vec::new();
        for k in value.try_iter()? {
            let v = value.get_item(&k)?;
            items.push(JValue::from(vec![k, v]));
        }
        return Ok(JValue::from(items));
    }
    Ok(value)
}

fn message(e: &Error) -> String {
    match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    }
}

fn error(e: &Error, source: &str) -> RenderError {
    let expr = e.range().and_then(|r| source.get(r)).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    RenderError { message: message(e), line: e.line().unwrap_or(1), expr }
}

/// How JavaScript prints a value into text, as Nunjucks does: `true`, `false`, nothing for
/// `null` and undefined, `2` for 2.0, a list as its items joined by `,`, a mapping as
/// `[object Object]`.
fn js_text(value: &JValue) -> String {
    use minijinja::value::ValueKind;
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Bool => (if value.is_true() { "true" } else { "false" }).to_owned(),
        ValueKind::Number => match (value.as_i64(), f64::try_from(value.clone())) {
            (Some(i), _) => i.to_string(),
            (None, Ok(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i64),
            _ => value.to_string(),
        },
        ValueKind::Seq | ValueKind::Iterable => {
            value.try_iter().map(|items| items.map(|i| js_text(&i)).collect::<Vec<_>>().join(",")).unwrap_or_default()
        }
        ValueKind::Map => "[object Object]".to_owned(),
        _ => value.to_string(),
    }
}

fn js_formatter(out: &mut minijinja::Output, _: &mut State, value: &JValue) -> Result<(), Error> {
    match value.as_str() {
        Some(s) => out.write_str(s),
        None => out.write_str(&js_text(value)),
    }
    .map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write the output"))
}

/// Nunjucks' `dump`: `JSON.stringify`, with an optional indent.
fn dump(value: JValue, indent: Option<usize>) -> Result<String, Error> {
    // `JSON.stringify(undefined)` is undefined, which Nunjucks prints as nothing.
    if value.is_undefined() {
        return Ok(String::new());
    }
    let json = serde_json::to_value(&value).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(match indent {
        Some(n) if n > 0 => {
            let mut out = Vec::new();
            let pad = " ".repeat(n);
            let formatter = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
            let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(&json, &mut ser).expect("JSON serialises");
            String::from_utf8(out).expect("JSON is UTF-8")
        }
        _ => json.to_string(),
    })
}

/// Backstage's `parseRepoUrl`: `github.com?owner=x&repo=y` to `{host, owner, repo, …}`.
fn parse_repo_url(url: String) -> Result<JValue, Error> {
    let (host, query) = url.split_once('?').ok_or_else(|| {
        Error::new(ErrorKind::InvalidOperation, format!("invalid repo URL passed to parser, missing ?, got {url}"))
    })?;
    let mut out = serde_json::Map::new();
    out.insert("host".into(), Json::String(host.to_owned()));
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if matches!(k.as_ref(), "owner" | "repo" | "organization" | "workspace" | "project") {
            out.insert(k.into_owned(), Json::String(v.trim_matches('/').to_owned()));
        }
    }
    if matches!(host, "github.com" | "gitlab.com") && !out.contains_key("owner") {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("invalid repo URL passed to parser, missing owner, got {url}"),
        ));
    }
    if !out.contains_key("repo") {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("invalid repo URL passed to parser, missing repo, got {url}"),
        ));
    }
    Ok(JValue::from(Serde(&out)))
}

/// Backstage's `parseEntityRef`: `kind:namespace/name` (with `{defaultKind, defaultNamespace}`)
/// to `{kind, namespace, name}`.
fn parse_entity_ref(reference: String, defaults: Option<JValue>) -> Result<JValue, Error> {
    let get = |k: &str| defaults.as_ref().and_then(|d| d.get_attr(k).ok()).and_then(|v| v.as_str().map(str::to_owned));
    let (kind, rest) = match reference.split_once(':') {
        Some((k, r)) => (Some(k.to_owned()), r),
        None => (get("defaultKind"), reference.as_str()),
    };
    let (namespace, name) = match rest.split_once('/') {
        Some((n, m)) => (n.to_owned(), m.to_owned()),
        None => (get("defaultNamespace").unwrap_or_else(|| "default".into()), rest.to_owned()),
    };
    let kind = kind
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("entity reference {reference} has no kind")))?;
    Ok(JValue::from(Serde(serde_json::json!({ "kind": kind, "namespace": namespace, "name": name }))))
}

/// Backstage's `pick`: the value at a dotted path of an object.
fn pick(value: JValue, path: String) -> JValue {
    let path = path.replace('[', ".").replace(']', "");
    path.split('.')
        .filter(|k| !k.is_empty())
        .try_fold(value, |v, k| {
            let by_index = k.parse::<usize>().ok().and_then(|i| v.get_item(&JValue::from(i)).ok());
            by_index.filter(|x| !x.is_undefined()).or_else(|| v.get_attr(k).ok()).filter(|x| !x.is_undefined())
        })
        .unwrap_or(JValue::UNDEFINED)
}

/// Backstage's `projectSlug`: `owner/repo` of a repo URL.
fn project_slug(url: String) -> Result<String, Error> {
    let parsed = parse_repo_url(url)?;
    let field = |k: &str| parsed.get_attr(k).ok().and_then(|v| v.as_str().map(str::to_owned));
    let owner = field("owner").or_else(|| field("organization")).or_else(|| field("workspace")).unwrap_or_default();
    Ok(format!("{owner}/{}", field("repo").unwrap_or_default()))
}

/// JavaScript methods on strings and arrays.
fn js_method(_: &mut State, value: &JValue, method: &str, args: &[JValue]) -> Result<JValue, Error> {
    let arg = |i: usize| args.get(i).and_then(|a| a.as_str().map(str::to_owned)).unwrap_or_default();
    let int = |i: usize| args.get(i).and_then(|a| i64::try_from(a.clone()).ok());
    if let Some(s) = value.as_str() {
        let chars: Vec<char> = s.chars().collect();
        let clamp =
            |i: i64| if i < 0 { (chars.len() as i64 + i).max(0) as usize } else { (i as usize).min(chars.len()) };
        return Ok(match method {
            "replace" => JValue::from(s.replacen(&arg(0), &arg(1), 1)),
            "replaceAll" => JValue::from(s.replace(&arg(0), &arg(1))),
            "toUpperCase" => JValue::from(s.to_uppercase()),
            "toLowerCase" => JValue::from(s.to_lowercase()),
            "trim" => JValue::from(s.trim()),
            "trimStart" => JValue::from(s.trim_start()),
            "trimEnd" => JValue::from(s.trim_end()),
            "split" => JValue::from(s.split(arg(0).as_str()).map(str::to_owned).collect::<Vec<_>>()),
            "includes" => JValue::from(s.contains(&arg(0))),
            "startsWith" => JValue::from(s.starts_with(&arg(0))),
            "endsWith" => JValue::from(s.ends_with(&arg(0))),
            "indexOf" => JValue::from(s.find(&arg(0)).map_or(-1, |b| s[..b].chars().count() as i64)),
            "concat" => JValue::from(format!("{s}{}", args.iter().map(js_text).collect::<String>())),
            "charAt" => {
                JValue::from(chars.get(int(0).unwrap_or(0).max(0) as usize).map(|c| c.to_string()).unwrap_or_default())
            }
            "padStart" | "padEnd" => {
                let width = int(0).unwrap_or(0).max(0) as usize;
                let fill = args.get(1).map_or(" ".to_owned(), js_text);
                let need = width.saturating_sub(chars.len());
                let pad: String = fill.chars().cycle().take(if fill.is_empty() { 0 } else { need }).collect();
                JValue::from(if method == "padStart" { format!("{pad}{s}") } else { format!("{s}{pad}") })
            }
            "repeat" => JValue::from(s.repeat(int(0).unwrap_or(0).max(0) as usize)),
            "lastIndexOf" => JValue::from(s.rfind(&arg(0)).map_or(-1, |b| s[..b].chars().count() as i64)),
            "toString" => JValue::from(s),
            "substring" | "slice" => {
                let (mut a, mut b) = (int(0).unwrap_or(0), int(1).unwrap_or(chars.len() as i64));
                if method == "substring" {
                    a = a.max(0);
                    b = b.max(0);
                    if a > b {
                        std::mem::swap(&mut a, &mut b);
                    }
                }
                let (a, b) = (clamp(a), clamp(b));
                JValue::from(if a < b { chars[a..b].iter().collect::<String>() } else { String::new() })
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        });
    }
    if method == "toString" && value.as_str().is_none() && value.kind() != minijinja::value::ValueKind::Seq {
        return Ok(JValue::from(js_text(value)));
    }
    if let Ok(items) = value.try_iter() {
        let items: Vec<JValue> = items.collect();
        return Ok(match method {
            "join" => JValue::from(
                items
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(&args.first().map_or(",".into(), ToString::to_string)),
            ),
            "includes" => JValue::from(items.iter().any(|i| Some(i) == args.first())),
            "indexOf" => JValue::from(items.iter().position(|i| Some(i) == args.first()).map_or(-1, |p| p as i64)),
            "slice" => {
                let n = items.len() as i64;
                let clamp = |i: i64| if i < 0 { (n + i).max(0) } else { i.min(n) } as usize;
                let (a, b) = (clamp(int(0).unwrap_or(0)), clamp(int(1).unwrap_or(n)));
                JValue::from(if a < b { items[a..b].to_vec() } else { Vec::new() })
            }
            "concat" => {
                let mut all = items.clone();
                for a in args {
                    match a.try_iter() {
                        Ok(more) if a.kind() == minijinja::value::ValueKind::Seq => all.extend(more),
                        _ => all.push(a.clone()),
                    }
                }
                JValue::from(all)
            }
            "toString" => JValue::from(js_text(value)),
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        });
    }
    Err(Error::from(ErrorKind::UnknownMethod))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn backstage_snippets_render_as_nunjucks_does() {
        let e = Engine::new(Flavour::Scaffolder);
        let ctx = json!({
            "parameters": {"name": "orders", "owner": "group:default/team-a", "repoUrl": "github.com?owner=acme&repo=orders", "tags": ["a", "b"], "java": true, "none": null},
            "values": {"name": "orders", "destination": {"owner": "acme", "repo": "orders"}}
        });
        let cases = [
            ("${{ parameters.name }}", "orders"),
            ("name: ${{ parameters.name | upper }}\n", "name: ORDERS\n"),
            ("${{ parameters.repoUrl | parseRepoUrl | pick('owner') }}", "acme"),
            ("${{ parameters.repoUrl | projectSlug }}", "acme/orders"),
            ("${{ (parameters.owner | parseEntityRef).name }}", "team-a"),
            ("${{ parameters.name.replace('r', 'R') }}", "oRders"),
            ("${{ parameters.name.toUpperCase() }}-${{ parameters.name.substring(0, 3) }}", "ORDERS-ord"),
            ("${{ parameters.tags | dump }}", r#"["a","b"]"#),
            ("owner: ${{ parameters.nobody | dump }}", "owner: "),
            (
                "${{ parameters.java }} ${{ not parameters.java }} ${{ parameters.tags }} ${{ parameters.none }}|",
                "true false a,b |",
            ),
            ("{% if parameters.java === true %}java{% elseif parameters.go %}go{% else %}none{% endif %}", "java"),
            ("${{ steps.publish.output.remoteUrl }}", ""),
            ("{{ literal }} ${{ values.destination.owner }}", "{{ literal }} acme"),
            ("{%- for t in parameters.tags %}[${{ t }}]{% endfor %}", "[a][b]"),
        ];
        for (template, expected) in cases {
            assert_eq!(e.render_str(template, &ctx).as_deref(), Ok(expected), "{template}");
        }
    }

    #[test]
    fn a_single_expression_keeps_its_type_and_an_empty_value_is_dropped() {
        let e = Engine::new(Flavour::Scaffolder);
        let ctx = json!({"parameters": {"tags": ["a"], "n": 3, "flag": false, "empty": ""}});
        let (docs, _) = crate::yaml::parse_documents(
            "tags: ${{ parameters.tags }}\nn: ${{ parameters.n }}\nflag: ${{ parameters.flag }}\ngone: ${{ parameters.empty }}\nmissing: ${{ parameters.nope }}\ntext: n=${{ parameters.n }}\n",
        );
        let out = e.render_node(&docs[0].root, &ctx).unwrap().unwrap();
        assert_eq!(out, json!({"tags": ["a"], "n": 3, "flag": false, "text": "n=3"}));
    }

    #[test]
    fn errors_name_the_line_and_the_expression() {
        let e = Engine::new(Flavour::Scaffolder);
        let err = e.render_str("a\nb ${{ parameters.name | nosuchfilter }}\n", &json!({})).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("nosuchfilter") || err.message.contains("unknown filter"), "{err:?}");
        let err = e.render_str("{% if x %}open", &json!({})).unwrap_err();
        assert!(err.message.contains("syntax error"), "{err:?}");
    }

    #[test]
    fn cookiecutter_templates_use_plain_braces() {
        let e = Engine::new(Flavour::Cookiecutter);
        let ctx = json!({"cookiecutter": {"name": "docs"}});
        assert_eq!(e.render_str("# {{ cookiecutter.name }}\n", &ctx).as_deref(), Ok("# docs\n"));
    }
}
