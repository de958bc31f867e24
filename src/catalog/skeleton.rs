//! Scaffolder skeletons: files that become entities only once a template runs.
//!
//! A walked file is a skeleton when an entity's own fields hold template syntax (`${{ … }}`,
//! `{{ values.x }}`, `{{ cookiecutter.x }}`, `{% … %}`), or when its YAML does not even parse and
//! its text holds such syntax, or when it lies under a directory that a Template's
//! `fetch:template`, `fetch:plain` or `fetch:cookiecutter` step names as its `url`. A `kind:
//! Template` document is never a skeleton: its steps are full of `${{ parameters.x }}` by design.

use std::sync::LazyLock;

use regex::Regex;

use crate::yaml::{Node, Value};

/// Template syntax of the scaffolder (Nunjucks `${{ }}`, `{{ values.x }}`, `{% %}`) and of
/// cookiecutter (`{{ cookiecutter.x }}`).
static SYNTAX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{\{|\{\{-?\s*(values|cookiecutter)\s*[.\[]|\{%-?\s*[a-z]").expect("static regex"));

/// The template syntax found in `text`, if any (a short excerpt for messages).
pub fn syntax_in(text: &str) -> Option<String> {
    let m = SYNTAX.find(text)?;
    let line = text[m.start()..].lines().next().unwrap_or_default();
    let end = line.char_indices().nth(40).map_or(line.len(), |(i, _)| i);
    Some(line[..end].trim_end().to_owned())
}

/// The first key or string value of `node` that holds template syntax: (field path, excerpt).
pub fn syntax_in_node(node: &Node) -> Option<(String, String)> {
    fn walk(node: &Node, path: &str) -> Option<(String, String)> {
        match &node.value {
            Value::Str(s) => syntax_in(s).map(|found| (path.to_owned(), found)),
            Value::Seq(items) => items.iter().enumerate().find_map(|(i, n)| walk(n, &format!("{path}.{i}"))),
            Value::Map(entries) => entries.iter().find_map(|(k, v)| {
                let field = if path.is_empty() { k.name.clone() } else { format!("{path}.{}", k.name) };
                syntax_in(&k.name).map(|found| (field.clone(), found)).or_else(|| walk(v, &field))
            }),
            _ => None,
        }
    }
    walk(node, "")
}

/// The skeleton directories a Template document names (its steps' `input.url` values that are
/// plain relative paths), relative to the template file's directory as written.
pub fn template_skeleton_urls(spec: &serde_json::Value) -> Vec<String> {
    let Some(steps) = spec.get("steps").and_then(serde_json::Value::as_array) else { return Vec::new() };
    steps
        .iter()
        .filter(|step| {
            step.get("action")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|a| matches!(a, "fetch:template" | "fetch:plain" | "fetch:cookiecutter"))
        })
        .filter_map(|step| step.get("input")?.get("url")?.as_str())
        .filter(|url| !crate::paths::is_url(url) && syntax_in(url).is_none())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_syntax() {
        for (text, found) in [
            ("name: ${{ values.name }}", true),
            ("name: ${{values.name}}", true),
            ("owner: {{ values.owner }}", true),
            ("owner: {{values['owner']}}", true),
            ("name: {{ cookiecutter.component_id }}", true),
            ("{% if values.docs %}", true),
            ("{%- for x in y %}", true),
            ("description: Renders {{ name }} in Go templates", false),
            ("description: 100% {literally}", false),
            ("description: uses { and } braces", false),
        ] {
            assert_eq!(syntax_in(text).is_some(), found, "{text}");
        }
        assert_eq!(
            syntax_in("a\n  name: ${{ values.name | dump }} and more text that is long").unwrap(),
            "${{ values.name | dump }} and more text"
        );
    }

    #[test]
    fn skeleton_urls_of_a_template() {
        let spec = serde_json::json!({"steps": [
            {"id": "fetch", "action": "fetch:template", "input": {"url": "./skeleton", "values": {"name": "${{ parameters.name }}"}}},
            {"id": "docs", "action": "fetch:plain", "input": {"url": "../shared/docs"}},
            {"id": "remote", "action": "fetch:template", "input": {"url": "https://github.com/acme/t/tree/main/x"}},
            {"id": "dynamic", "action": "fetch:template", "input": {"url": "${{ parameters.skeleton }}"}},
            {"id": "publish", "action": "publish:github", "input": {"repoUrl": "x"}}
        ]});
        assert_eq!(template_skeleton_urls(&spec), ["./skeleton", "../shared/docs"]);
    }
}
