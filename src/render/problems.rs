//! The catalog problems page (`problems/`) and its JSON (`api/problems.json`): Backstage's
//! "unprocessed entities" view, static.
//!
//! Input: the [`Portal`] (its problems and the entities left out). Output: every problem at
//! warning level or above, grouped by the team that owns the file it is in, then by file; and the
//! entities left out. A file's owner is the owner of the entity whose descriptor lies nearest
//! above it in the tree (the monorepo convention: a folder belongs to the component described
//! in it), so an invalid descriptor and a broken docs page are shown to the team that can fix
//! them. Sorted, so the page is deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use super::views::{EntityLink, ViewBuilder};
use crate::catalog::kinds::OWNED_BY;
use crate::catalog::{Entity, EntityRef};
use crate::diagnostics::{Diagnostic, Severity};

#[derive(Serialize)]
pub struct ProblemsView {
    pub errors: usize,
    pub warnings: usize,
    pub left_out: Vec<LeftOut>,
    /// By owner (unowned last).
    pub owners: Vec<OwnerProblems>,
}

/// An entity that is not in the portal.
#[derive(Serialize)]
pub struct LeftOut {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub kind: String,
    pub file: String,
    pub line: u32,
    pub source_url: Option<String>,
    /// The first error of its document.
    pub reason: String,
}

#[derive(Serialize)]
pub struct OwnerProblems {
    /// `None`: no owner could be found.
    pub owner: Option<EntityLink>,
    /// Anchor of the section (`owner-group-default-team-a`).
    pub id: String,
    pub errors: usize,
    pub warnings: usize,
    pub files: Vec<FileProblems>,
}

#[derive(Serialize)]
pub struct FileProblems {
    pub file: String,
    pub source_url: Option<String>,
    pub problems: Vec<Problem>,
}

#[derive(Serialize)]
pub struct Problem {
    pub severity: &'static str,
    pub code: &'static str,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
    pub hint: Option<String>,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Who owns each directory that holds a descriptor: the owner of its entities (the first by
/// reference when several disagree). Left-out entities count with the owner they name.
fn owners_by_dir<'a>(builder: &ViewBuilder<'a>) -> BTreeMap<&'a str, EntityRef> {
    let portal = builder.portal;
    let mut out: BTreeMap<&str, EntityRef> = BTreeMap::new();
    let named_owner = |e: &Entity| -> Option<EntityRef> {
        if let Some(owner) = portal.targets(&e.entity_ref, OWNED_BY).next() {
            return Some(owner.clone());
        }
        let written = e.spec_str("owner")?;
        EntityRef::parse(written, Some("group"), &e.namespace).ok()
    };
    for e in portal.entities.values().chain(portal.rejected.iter()) {
        if let Some(owner) = named_owner(e) {
            out.entry(e.dir.as_str()).or_insert(owner);
        }
    }
    out
}

/// The owner of `file`: that of the nearest directory above it with a descriptor.
fn owner_of<'a>(owners: &'a BTreeMap<&str, EntityRef>, file: &str) -> Option<&'a EntityRef> {
    let mut dir = crate::paths::parent_dir(file);
    loop {
        if let Some(owner) = owners.get(dir) {
            return Some(owner);
        }
        if dir.is_empty() {
            return None;
        }
        dir = crate::paths::parent_dir(dir);
    }
}

pub fn view(builder: &ViewBuilder) -> ProblemsView {
    let portal = builder.portal;
    let source_url = |file: &str| builder.config.source_url.as_ref().map(|t| t.replace("{path}", file));
    let owners = owners_by_dir(builder);
    let mut grouped: BTreeMap<(bool, String), BTreeMap<String, Vec<&Diagnostic>>> = BTreeMap::new();
    for d in &portal.problems {
        let file = d.file.clone().unwrap_or_default();
        let owner = owner_of(&owners, &file);
        let key = (owner.is_none(), owner.map(ToString::to_string).unwrap_or_default());
        grouped.entry(key).or_default().entry(file).or_default().push(d);
    }
    let count = |list: &[&Diagnostic], s: Severity| list.iter().filter(|d| d.severity == s).count();
    let owners = grouped
        .into_iter()
        .map(|((_, owner), files)| {
            let owner_ref = EntityRef::parse(&owner, None, "default").ok();
            let all: Vec<&Diagnostic> = files.values().flatten().copied().collect();
            OwnerProblems {
                id: format!("owner-{}", if owner.is_empty() { "none".into() } else { owner.replace([':', '/'], "-") }),
                owner: owner_ref.map(|r| builder.link(&r)),
                errors: count(&all, Severity::Error),
                warnings: count(&all, Severity::Warning),
                files: files
                    .into_iter()
                    .map(|(file, list)| FileProblems {
                        source_url: (!file.is_empty()).then(|| source_url(&file)).flatten(),
                        problems: list
                            .into_iter()
                            .map(|d| Problem {
                                severity: severity(d.severity),
                                code: d.code,
                                line: d.pos.map(|p| p.line),
                                column: d.pos.map(|p| p.column),
                                message: d.message.clone(),
                                hint: d.hint.clone(),
                            })
                            .collect(),
                        file,
                    })
                    .collect(),
            }
        })
        .collect();
    let left_out = portal
        .rejected
        .iter()
        .map(|e| {
            let reason = portal
                .problems
                .iter()
                .find(|d| {
                    d.severity == Severity::Error
                        && d.file.as_deref() == Some(e.source.file.as_str())
                        && d.pos.is_some_and(|p| p.line >= e.source.pos.line)
                })
                .map(|d| d.message.clone())
                .unwrap_or_default();
            LeftOut {
                entity_ref: e.entity_ref.to_string(),
                kind: e.kind.clone(),
                file: e.source.file.clone(),
                line: e.source.pos.line,
                source_url: source_url(&e.source.file),
                reason,
            }
        })
        .collect();
    let all: Vec<&Diagnostic> = portal.problems.iter().collect();
    ProblemsView { errors: count(&all, Severity::Error), warnings: count(&all, Severity::Warning), left_out, owners }
}

/// `api/problems.json`: one object per problem, with the owner of its file.
pub fn json(builder: &ViewBuilder) -> Vec<u8> {
    let owners = owners_by_dir(builder);
    let list: Vec<serde_json::Value> = builder
        .portal
        .problems
        .iter()
        .map(|d| {
            serde_json::json!({
                "severity": severity(d.severity),
                "code": d.code,
                "file": d.file,
                "line": d.pos.map(|p| p.line),
                "column": d.pos.map(|p| p.column),
                "message": d.message,
                "hint": d.hint,
                "owner": d.file.as_deref().and_then(|f| owner_of(&owners, f)).map(ToString::to_string),
            })
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&list).unwrap_or_else(|_| b"[]".to_vec());
    out.push(b'\n');
    out
}
