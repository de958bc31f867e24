//! `portico scaffold update DIR`: brings a generated directory up to the template's current
//! version, the way copier does. The answers file names the template, the commit it was made
//! at and the values; the template at that commit and as it is now are both rendered with those
//! values, and each file is three-way merged (`git merge-file`): the generated file as it was
//! (base), as it is in DIR (ours: the team's edits) and as the template makes it now (theirs).
//!
//! - a file the template no longer makes is deleted when DIR still has it unchanged, else kept;
//! - a new file of the template is created (merged with DIR's if one is there);
//! - a file deleted in DIR stays deleted;
//! - a conflict leaves git's markers in the file and is listed; the exit code is then 1.
//!
//! `--dry-run` reports what would change and writes nothing.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::{Map, Value as Json};

use super::run::{ANSWERS, Plan, plan};
use super::template::Template;
use crate::catalog::EntityRef;
use crate::diagnostics::Diagnostic;
use crate::repo::git;

/// The answers file, read back.
#[derive(Debug, serde::Deserialize)]
pub struct Answers {
    pub template: String,
    pub template_file: String,
    pub commit: Option<String>,
    #[serde(default)]
    pub values: Map<String, Json>,
}

/// What happened to one file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Change {
    pub path: String,
    /// `unchanged`, `updated`, `merged`, `conflict`, `created`, `deleted`, `kept` (the template
    /// dropped it but DIR changed it), `stays-deleted`.
    pub outcome: &'static str,
}

/// The template directory as it was at `commit`, written under `into` (same layout as the
/// repository).
fn checkout(root: &Path, commit: &str, dir: &str, into: &Path) -> Result<(), String> {
    let listing = git(
        root,
        &["ls-tree", "-r", "-z", "--name-only", "--full-name", commit, "--", if dir.is_empty() { "." } else { dir }],
    )?;
    let prefix = String::from_utf8_lossy(&git(root, &["rev-parse", "--show-prefix"])?).trim().to_owned();
    for name in listing.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let bytes = git(root, &["show", &format!("{commit}:{name}")])?;
        let rel = name.strip_prefix(&prefix).unwrap_or(&name);
        let target = into.join(rel);
        std::fs::create_dir_all(target.parent().unwrap_or(into)).map_err(|e| e.to_string())?;
        std::fs::write(&target, bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The index of the document of `text` that is the Template `name`.
fn document_of(text: &str, name: &str) -> Option<usize> {
    let (docs, _) = crate::yaml::parse_documents(text);
    docs.iter()
        .find(|d| d.root.get("metadata").and_then(|m| m.get("name")).and_then(|n| n.as_str()) == Some(name))
        .map(|d| d.index)
}

fn three_way(ours: &[u8], base: &[u8], theirs: &[u8]) -> Result<(Vec<u8>, bool), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (o, b, t) = (tmp.path().join("ours"), tmp.path().join("base"), tmp.path().join("theirs"));
    for (p, bytes) in [(&o, ours), (&b, base), (&t, theirs)] {
        std::fs::write(p, bytes).map_err(|e| e.to_string())?;
    }
    let out = Command::new("git")
        .args(["merge-file", "-p", "-L", "yours", "-L", "previous template", "-L", "current template"])
        .arg(&o)
        .arg(&b)
        .arg(&t)
        .output()
        .map_err(|e| format!("cannot run git merge-file: {e}"))?;
    match out.status.code() {
        Some(0) => Ok((out.stdout, false)),
        Some(n) if n > 0 && n < 128 => Ok((out.stdout, true)),
        _ => Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
    }
}

/// Updates `dir` (see the module docs). Returns the changes, and whether there were conflicts.
pub fn update(
    root: &Path,
    current: &Template,
    answers: &Answers,
    dir: &Path,
    extra: Map<String, Json>,
    dry_run: bool,
) -> Result<(Vec<Change>, bool), Vec<Diagnostic>> {
    let fail =
        |m: String| vec![Diagnostic::error("scaffold-update", m).at(&dir.join(ANSWERS).display().to_string(), None)];
    let commit = answers
        .commit
        .as_deref()
        .ok_or_else(|| fail("the answers record no commit (the template was not committed when the directory was made): there is no earlier version to compare with".into()))?;
    let old_root = tempfile::tempdir().map_err(|e| fail(e.to_string()))?;
    checkout(root, commit, &current.dir, old_root.path())
        .map_err(|e| fail(format!("cannot read the template at {commit}: {e}")))?;
    let old_text = std::fs::read_to_string(old_root.path().join(&answers.template_file))
        .map_err(|e| fail(format!("{} did not exist at {commit}: {e}", answers.template_file)))?;
    let entity_ref =
        EntityRef::parse(&answers.template, Some("template"), "default").map_err(|e| fail(e.to_string()))?;
    let document = document_of(&old_text, &entity_ref.name).unwrap_or(0);
    let old =
        Template::load_file(old_root.path(), &answers.template_file, document, &entity_ref).map_err(|d| vec![*d])?;
    let old_plan = plan(old_root.path(), &old, super::values::with_defaults(&old, answers.values.clone()))?;
    let mut values = answers.values.clone();
    values.extend(extra);
    let values = super::values::with_defaults(current, values);
    let problems = super::values::validate(current, &values);
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|m| {
                Diagnostic::error("scaffold-values", format!("the current template needs: {m}"))
                    .hint("give it with -v name=value")
            })
            .collect());
    }
    let new_plan: Plan = plan(root, current, values)?;
    let paths: BTreeSet<&String> = old_plan.workspace.files.keys().chain(new_plan.workspace.files.keys()).collect();
    let mut changes = Vec::new();
    let mut conflicts = false;
    let mut writes: Vec<(std::path::PathBuf, Option<Vec<u8>>)> = Vec::new();
    for path in paths {
        let target = dir.join(path);
        let ours = std::fs::read(&target).ok();
        let base = old_plan.workspace.files.get(path).map(|e| e.bytes.as_slice());
        let theirs = new_plan.workspace.files.get(path).map(|e| e.bytes.as_slice());
        let outcome = match (base, theirs, ours.as_deref()) {
            (_, Some(t), Some(o)) if o == t => "unchanged",
            // The template did not change this file: the team's version stands.
            (Some(b), Some(t), Some(_)) if b == t => "unchanged",
            (Some(b), Some(t), Some(o)) if o == b => {
                writes.push((target, Some(t.to_vec())));
                "updated"
            }
            (b, Some(t), Some(o)) => {
                let (merged, conflict) = three_way(o, b.unwrap_or_default(), t).map_err(fail)?;
                conflicts |= conflict;
                writes.push((target, Some(merged)));
                if conflict { "conflict" } else { "merged" }
            }
            (None, Some(t), None) => {
                writes.push((target, Some(t.to_vec())));
                "created"
            }
            (Some(_), Some(_), None) => "stays-deleted",
            (Some(b), None, Some(o)) if o == b => {
                writes.push((target, None));
                "deleted"
            }
            (Some(_), None, Some(_)) => "kept",
            (_, None, None) | (None, None, Some(_)) => continue,
        };
        changes.push(Change { path: path.clone(), outcome });
    }
    if !dry_run {
        for (target, bytes) in writes {
            let done = match bytes {
                Some(b) => {
                    std::fs::create_dir_all(target.parent().unwrap_or(dir)).and_then(|_| std::fs::write(&target, b))
                }
                None => std::fs::remove_file(&target),
            };
            done.map_err(|e| fail(format!("cannot write {}: {e}", target.display())))?;
        }
        std::fs::write(dir.join(ANSWERS), super::run::answers(root, current, &new_plan))
            .map_err(|e| fail(format!("cannot write the answers: {e}")))?;
    }
    Ok((changes, conflicts))
}
