//! Placeholders `$text`, `$json` and `$yaml`, as Backstage's `PlaceholderProcessor` resolves them.
//!
//! Input: an entity's node tree and the descriptor it came from. Output: the same tree with
//! every single-key mapping `{$text: path}` replaced by the file's text, `{$json: path}` and
//! `{$yaml: path}` by the parsed structure. Paths are relative to the descriptor's directory,
//! `/` means the portal root; a path leaving the root (also through a symlink) is an error and
//! the placeholder stays unresolved; so does an absolute URL (with a warning: nothing is fetched
//! at build time). Mappings with other `$` keys, more than one key, or a non-string value are
//! left alone, as in Backstage.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Pos};
use crate::paths::{self, PathError};
use crate::yaml::{self, Node, Value};

/// The kinds of placeholder Backstage resolves by default.
const RESOLVERS: [&str; 3] = ["$text", "$json", "$yaml"];

/// Where placeholders are resolved from.
pub struct Context<'a> {
    /// Canonical portal root.
    pub root: &'a Path,
    /// The descriptor, relative to the root.
    pub file: &'a str,
    /// URLs into this repository are read from the checkout.
    pub repository: Option<&'a crate::repo::Repository>,
    /// The largest file a placeholder may read.
    pub file_limit: u64,
    /// Bytes all placeholders of the build may still read (shared by every file of a build).
    pub budget: Option<&'a std::sync::atomic::AtomicU64>,
}

/// Whether `node` is a placeholder mapping (resolved or not, it stands for a value).
pub fn is_placeholder(node: &Node) -> bool {
    placeholder_of(node).is_some()
}

fn placeholder_of(node: &Node) -> Option<(&'static str, &Node)> {
    let [(key, value)] = node.as_map()? else {
        return None;
    };
    let kind = RESOLVERS.iter().find(|r| **r == key.name)?;
    value.as_str()?;
    Some((kind, value))
}

/// Resolves every placeholder in `node`, depth first. Returns, for each placeholder resolved,
/// the field it stood for (`spec.definition`) and the root-relative file read.
pub fn resolve(node: &mut Node, ctx: &Context, diags: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let mut reads = Vec::new();
    resolve_in(node, "", ctx, diags, &mut reads);
    reads
}

fn resolve_in(
    node: &mut Node,
    path: &str,
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
    reads: &mut Vec<(String, String)>,
) {
    if let Some((kind, target)) = placeholder_of(node) {
        let target_pos = target.pos;
        let target = target.as_str().unwrap_or_default().to_owned();
        if let Some((value, file)) = read_placeholder(kind, &target, target_pos, ctx, diags) {
            *node = value;
            reads.push((path.to_owned(), file));
        }
        return;
    }
    let child = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match &mut node.value {
        Value::Seq(items) => {
            items.iter_mut().enumerate().for_each(|(i, n)| resolve_in(n, &child(&i.to_string()), ctx, diags, reads))
        }
        Value::Map(entries) => entries.iter_mut().for_each(|(k, n)| resolve_in(n, &child(&k.name), ctx, diags, reads)),
        _ => {}
    }
}

fn read_placeholder(
    kind: &str,
    target: &str,
    pos: Pos,
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Node, String)> {
    let base_dir = paths::parent_dir(ctx.file);
    let local = ctx.repository.and_then(|r| r.local_path(target, ctx.root));
    let resolved = match local {
        Some(rel) => Ok(rel),
        None => paths::resolve_inside(ctx.root, base_dir, target),
    };
    let rel = match resolved {
        Ok(rel) => rel,
        Err(PathError::Url) => {
            diags.push(
                Diagnostic::warning("placeholder-url", format!("{kind} placeholder `{target}` is a URL outside this repository and was not fetched"))
                    .at(ctx.file, Some(pos))
                    .hint("Portico reads nothing from the network at build time; commit the file and point at it with a relative path"),
            );
            return None;
        }
        Err(PathError::EscapesRoot) => {
            diags.push(
                Diagnostic::error(
                    "placeholder-outside-root",
                    format!("{kind} placeholder `{target}` points outside the portal root"),
                )
                .at(ctx.file, Some(pos))
                .hint("placeholders may only read files inside the portal root; `/` means the root"),
            );
            return None;
        }
    };
    let text = match crate::input::read_to_string(&ctx.root.join(&rel), ctx.file_limit) {
        Ok(text) => text,
        Err(e) => {
            diags.push(
                Diagnostic::error("placeholder-unreadable", format!("{kind} placeholder cannot read `{rel}`: {e}"))
                    .at(ctx.file, Some(pos)),
            );
            return None;
        }
    };
    if let Some(budget) = ctx.budget {
        use std::sync::atomic::Ordering;
        let size = text.len() as u64;
        if budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(size)).is_err() {
            diags.push(
                Diagnostic::error(
                    "placeholder-budget",
                    format!("{kind} placeholder `{rel}` was not read: the placeholders of this build already read the limit of text (`limits.placeholder_total_mb` in portico.yaml)"),
                )
                .at(ctx.file, Some(pos))
                .hint("one large file referenced from many descriptors multiplies its size; reference it once, or raise the limit"),
            );
            return None;
        }
    }
    let node = match kind {
        "$text" => Node::new(pos, Value::Str(text)),
        "$json" => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(json) => Node::from_json(&json, pos),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "placeholder-invalid",
                        format!("$json placeholder: `{rel}` is not valid JSON: {e}"),
                    )
                    .at(ctx.file, Some(pos)),
                );
                return None;
            }
        },
        _ => {
            let (mut docs, errors) = yaml::parse_documents(&text);
            if let Some(err) = errors.first() {
                let at = err.pos.map(|p| format!(" at {rel}:{}:{}", p.line, p.column)).unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        "placeholder-invalid",
                        format!("$yaml placeholder: `{rel}` is not valid YAML{at}: {}", err.message),
                    )
                    .at(ctx.file, Some(pos)),
                );
                return None;
            }
            if docs.len() > 1 {
                diags.push(
                    Diagnostic::error(
                        "placeholder-invalid",
                        format!("$yaml placeholder: `{rel}` holds {} YAML documents, expected one", docs.len()),
                    )
                    .at(ctx.file, Some(pos)),
                );
                return None;
            }
            let mut node = docs.pop().map_or(Node::new(pos, Value::Null), |d| d.root);
            move_to(&mut node, pos);
            node
        }
    };
    Some((node, rel))
}

/// Places every node of an included tree at the placeholder, so diagnostics point at the
/// descriptor that included it.
fn move_to(node: &mut Node, pos: Pos) {
    node.pos = pos;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| move_to(n, pos)),
        Value::Map(entries) => entries.iter_mut().for_each(|(k, n)| {
            k.pos = pos;
            move_to(n, pos)
        }),
        _ => {}
    }
}
