//! The catalog problems page (`problems/`) and its JSON (`api/problems.json`): Backstage's
//! "unprocessed entities" view, static.
//!
//! Input: the [`Portal`] (its problems and the entities left out). Output: every problem at
//! warning level or above, grouped by the team that owns the file it is in, then by file; and the
//! entities left out. A file's owner is the owner of the entity whose descriptor lies nearest
//! above it in the tree (the monorepo convention: a folder belongs to the component described
//! in it), so an invalid descriptor and a broken docs page are shown to the team that can fix
//! them. Sorted, so the page is deterministic.
//!
//! The page is paginated by [`PER_PAGE`] problems (`problems/page/2/`, ...): an owner's section
//! or a file's list that goes on over a page break starts the next page again, marked
//! `continued`; every page has the index of owners (the first [`LIST_SHOWN`]) linking to the page
//! where each owner's section starts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Renderer;
use super::paginate::{self, Pager};
use super::views::{EntityLink, LIST_SHOWN, ViewBuilder};
use crate::catalog::kinds::OWNED_BY;
use crate::catalog::{Entity, EntityRef};
use crate::diagnostics::{Diagnostic, Severity};

/// Problems per page.
pub const PER_PAGE: usize = 500;

#[derive(Serialize)]
pub struct ProblemsView {
    pub errors: usize,
    pub warnings: usize,
    /// Entities left out: the first [`LIST_SHOWN`] on the first page (each one's error is also
    /// listed with its file), and how many there are.
    pub left_out: Vec<LeftOut>,
    pub left_out_count: usize,
    /// Owners with problems: the first [`LIST_SHOWN`], and how many there are.
    pub index: Vec<OwnerEntry>,
    pub index_count: usize,
    /// The sections of this page, by owner (unowned last).
    pub owners: Vec<OwnerProblems>,
}

/// An owner in the index of the problems pages.
#[derive(Clone, Serialize)]
pub struct OwnerEntry {
    pub owner: Option<EntityLink>,
    pub id: String,
    pub errors: usize,
    pub warnings: usize,
    /// The owner's section: `<page>#<id>`, relative to the base path.
    pub url: String,
}

/// An entity that is not in the portal.
#[derive(Clone, Serialize)]
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

#[derive(Clone, Serialize)]
pub struct OwnerProblems {
    /// `None`: no owner could be found.
    pub owner: Option<EntityLink>,
    /// Anchor of the section (`owner-group-default-team-a`).
    pub id: String,
    /// Over all pages.
    pub errors: usize,
    pub warnings: usize,
    pub files: Vec<FileProblems>,
    /// The section began on an earlier page.
    pub continued: bool,
}

#[derive(Clone, Serialize)]
pub struct FileProblems {
    pub file: String,
    pub source_url: Option<String>,
    pub problems: Vec<Problem>,
    /// The file's list began on an earlier page.
    pub continued: bool,
}

#[derive(Clone, Serialize)]
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

/// The problems pages.
pub fn pages(renderer: &Renderer, builder: &ViewBuilder) -> Result<(), Box<Diagnostic>> {
    let (full, left_out) = view(builder);
    let total: usize = full.iter().flat_map(|o| &o.files).map(|f| f.problems.len()).sum();
    let sections = split(full, PER_PAGE);
    let mut index: Vec<OwnerEntry> = Vec::new();
    for (i, page) in sections.iter().enumerate() {
        for o in page.iter().filter(|o| !o.continued) {
            index.push(OwnerEntry {
                owner: o.owner.clone(),
                id: o.id.clone(),
                errors: o.errors,
                warnings: o.warnings,
                url: format!("{}#{}", paginate::page_url("problems/", i + 1), o.id),
            });
        }
    }
    let all: Vec<&Diagnostic> = builder.portal.problems.iter().collect();
    let (errors, warnings) = (count(&all, Severity::Error), count(&all, Severity::Warning));
    let pages = sections.len();
    let mut start = 0;
    for (i, owners) in sections.into_iter().enumerate() {
        let n: usize = owners.iter().flat_map(|o| &o.files).map(|f| f.problems.len()).sum();
        let pager = paginate::pager("problems/", i + 1, pages, total, if n == 0 { 0 } else { start + 1 }, start + n);
        start += n;
        #[derive(Serialize)]
        struct Page<'a> {
            problems: ProblemsView,
            pager: &'a Pager,
        }
        let problems = ProblemsView {
            errors,
            warnings,
            left_out: if i == 0 { left_out.iter().take(LIST_SHOWN).cloned().collect() } else { Vec::new() },
            left_out_count: left_out.len(),
            index: index.iter().take(LIST_SHOWN).cloned().collect(),
            index_count: index.len(),
            owners,
        };
        renderer.page(paginate::path_of(&pager.url), "problems.html", &Page { problems, pager: &pager })?;
    }
    Ok(())
}

/// The sections split into pages of at most `per_page` problems (at least one page).
fn split(owners: Vec<OwnerProblems>, per_page: usize) -> Vec<Vec<OwnerProblems>> {
    let mut pages: Vec<Vec<OwnerProblems>> = vec![Vec::new()];
    let mut on_page = 0;
    for mut header in owners {
        let files = std::mem::take(&mut header.files);
        let mut owner_begun = false;
        for mut file_header in files {
            let problems = std::mem::take(&mut file_header.problems);
            let mut file_begun = false;
            for p in problems {
                if on_page == per_page {
                    pages.push(Vec::new());
                    on_page = 0;
                }
                let page = pages.last_mut().expect("one page at least");
                if page.last().is_none_or(|o| o.id != header.id) {
                    page.push(OwnerProblems { continued: owner_begun, ..header.clone() });
                }
                let section = page.last_mut().expect("just pushed");
                if section.files.last().is_none_or(|f| f.file != file_header.file) || !file_begun {
                    section.files.push(FileProblems { continued: file_begun, ..file_header.clone() });
                }
                section.files.last_mut().expect("just pushed").problems.push(p);
                owner_begun = true;
                file_begun = true;
                on_page += 1;
            }
        }
    }
    pages
}

fn count(list: &[&Diagnostic], s: Severity) -> usize {
    list.iter().filter(|d| d.severity == s).count()
}

/// Every owner's problems, and the entities left out.
fn view(builder: &ViewBuilder) -> (Vec<OwnerProblems>, Vec<LeftOut>) {
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
                continued: false,
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
                        continued: false,
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
    (owners, left_out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(id: &str, files: &[(&str, usize)]) -> OwnerProblems {
        let problem = |i: usize| Problem {
            severity: "warning",
            code: "dangling-ref",
            line: Some(i as u32 + 1),
            column: Some(1),
            message: String::new(),
            hint: None,
        };
        OwnerProblems {
            owner: None,
            id: id.into(),
            errors: 0,
            warnings: files.iter().map(|(_, n)| n).sum(),
            files: files
                .iter()
                .map(|(f, n)| FileProblems {
                    file: (*f).into(),
                    source_url: None,
                    problems: (0..*n).map(problem).collect(),
                    continued: false,
                })
                .collect(),
            continued: false,
        }
    }

    /// Each page as `owner[+]: file[+]=n` (`+`: continued from the page before).
    fn layout(pages: &[Vec<OwnerProblems>]) -> Vec<Vec<String>> {
        pages
            .iter()
            .map(|p| {
                p.iter()
                    .flat_map(|o| {
                        o.files.iter().map(move |f| {
                            let plus = |c: bool| if c { "+" } else { "" };
                            format!(
                                "{}{}: {}{}={}",
                                o.id,
                                plus(o.continued),
                                f.file,
                                plus(f.continued),
                                f.problems.len()
                            )
                        })
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn pages_break_inside_sections_and_files_and_mark_what_continues() {
        let owners = || vec![owner("a", &[("x", 2), ("y", 3)]), owner("b", &[("z", 1)])];
        let cases: [(usize, &[&[&str]]); 4] = [
            (10, &[&["a: x=2", "a: y=3", "b: z=1"]]),
            (2, &[&["a: x=2"], &["a+: y=2"], &["a+: y+=1", "b: z=1"]]),
            (3, &[&["a: x=2", "a: y=1"], &["a+: y+=2", "b: z=1"]]),
            (1, &[&["a: x=1"], &["a+: x+=1"], &["a+: y=1"], &["a+: y+=1"], &["a+: y+=1"], &["b: z=1"]]),
        ];
        for (per_page, want) in cases {
            let want: Vec<Vec<String>> = want.iter().map(|p| p.iter().map(|s| s.to_string()).collect()).collect();
            assert_eq!(layout(&split(owners(), per_page)), want, "{per_page} a page");
        }
        // No problems: one empty page.
        assert_eq!(split(Vec::new(), 5).len(), 1);
    }
}
