//! `portico check` on Templates: every `${{ }}` of a template's steps and output, and every
//! text file of the skeletons its `fetch:*` steps name, must compile; a step `portico scaffold`
//! cannot run (an unknown action, a remote skeleton) is said once. Warnings: the catalog is
//! fine, the golden path would fail.

use std::path::Path;

use super::expr::{Engine, Flavour};
use super::template::Template;
use crate::diagnostics::{Diagnostic, Pos};
use crate::resolve::Portal;
use crate::yaml::{Node, Value};

/// The lint of every Template of the portal.
pub fn templates(root: &Path, files: &[String], portal: &Portal) -> Vec<Diagnostic> {
    let engine = Engine::new(Flavour::Scaffolder);
    let cookie = Engine::new(Flavour::Cookiecutter);
    let mut out = Vec::new();
    for e in portal.entities.values().filter(|e| e.kind.eq_ignore_ascii_case("template")) {
        let Ok(t) = Template::load(root, e) else { continue };
        for (step, why) in t.blockers() {
            out.push(
                Diagnostic::warning(
                    "scaffold-unsupported",
                    format!(
                        "`portico scaffold` cannot run {}: step `{}`: {why}",
                        t.entity_ref,
                        step.id.as_deref().unwrap_or(&step.name)
                    ),
                )
                .at(&t.file, Some(step.pos))
                .hint("the template still shows in the portal; Backstage's own scaffolder can run it"),
            );
        }
        let mut strings = Vec::new();
        for step in &t.steps {
            for node in [&step.input, &step.condition, &step.each].into_iter().flatten() {
                collect(node, &mut strings);
            }
        }
        if let Some(o) = &t.output {
            collect(o, &mut strings);
        }
        for (pos, text) in strings {
            if let Err(e) = engine.lint(text) {
                let expr = e.expr.map(|x| format!(" in `{x}`")).unwrap_or_default();
                out.push(
                    Diagnostic::warning(
                        "template-expression",
                        format!("`{text}` will not render{expr}: {}", e.message),
                    )
                    .at(&t.file, Some(pos)),
                );
            }
        }
        for step in t.steps.iter().filter(|s| matches!(s.action.as_str(), "fetch:template" | "fetch:cookiecutter")) {
            let Some(url) = step.input.as_ref().and_then(|i| i.get("url")).and_then(Node::as_str) else { continue };
            if url.contains("${{") {
                continue;
            }
            let cookiecutter = step.action == "fetch:cookiecutter"
                || step
                    .input
                    .as_ref()
                    .and_then(|i| i.get("cookiecutterCompat"))
                    .is_some_and(|v| v.value == Value::Bool(true));
            // The skeleton as `fetch:*` reads it (a sibling `../common` too).
            let Ok(dir) = super::actions::source(&t, url) else { continue };
            for file in crate::discover::files_under(files, &dir) {
                let Ok(text) = std::fs::read_to_string(root.join(file)) else { continue };
                let which = if cookiecutter { &cookie } else { &engine };
                if let Err(e) = which.lint(&text) {
                    let expr = e.expr.map(|x| format!(" in `{x}`")).unwrap_or_default();
                    out.push(
                        Diagnostic::warning(
                            "template-expression",
                            format!("this skeleton file will not render{expr}: {}", e.message),
                        )
                        .at(file, Some(Pos::new(e.line as u32, 1))),
                    );
                }
            }
        }
    }
    out
}

/// Every string holding template syntax below `node`, with its position.
fn collect<'n>(node: &'n Node, out: &mut Vec<(Pos, &'n str)>) {
    match &node.value {
        Value::Str(s) if s.contains("${{") || s.contains("{%") => out.push((node.pos, s)),
        Value::Seq(items) => items.iter().for_each(|i| collect(i, out)),
        Value::Map(entries) => entries.iter().for_each(|(_, v)| collect(v, out)),
        _ => {}
    }
}
