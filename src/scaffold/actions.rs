//! The actions, with Backstage's semantics, writing into an in-memory workspace (nothing
//! reaches the disk until every step has run):
//!
//! - `fetch:template` renders a local skeleton directory into `targetPath`: file paths are
//!   rendered too (a path that renders empty, or with an empty segment, skips the file),
//!   `copyWithoutTemplating` (or the older `copyWithoutRender`) globs are copied as they are,
//!   with `templateFileExtension` only files with that extension (`.njk` when `true`) are
//!   rendered and lose it, binary files are copied, `cookiecutterCompat` switches to `{{ }}`
//!   and `cookiecutter.` values; an existing file is kept unless `replace: true`;
//! - `fetch:plain` copies a directory, `fetch:plain:file` one file; `fetch:cookiecutter` renders
//!   a cookiecutter template (`{{ cookiecutter.x }}`);
//! - `catalog:write` writes `entity` as YAML to `filePath` (default `catalog-info.yaml`) with
//!   `backstage.io/source-template` set to the template's reference;
//! - `debug:log` prints its `message` (and the workspace with `listWorkspace`).
//!
//! Skeletons are read from the template's directory only: a URL is refused (Portico never
//! fetches), and no path, read or written, may leave its directory.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value as Json, json};

use super::expr::{Engine, Flavour};
use super::template::Template;

/// One file of the workspace.
#[derive(Clone, Debug)]
pub struct Entry {
    pub bytes: Vec<u8>,
    pub executable: bool,
    /// Where it came from (root-relative skeleton file, or the step that wrote it).
    pub from: String,
    /// `replace: true`: it may overwrite a file already in `--out`.
    pub replace: bool,
}

/// The files the run makes, and what it left out and why.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub files: BTreeMap<String, Entry>,
    pub skipped: Vec<(String, String)>,
    /// Lines `debug:log` printed.
    pub log: Vec<String>,
}

/// A failure of an action: what went wrong, in which file and line when it is a skeleton's.
#[derive(Clone, Debug)]
pub struct ActionError {
    pub message: String,
    /// Root-relative file and 1-based line, when the problem is in a skeleton file.
    pub at: Option<(String, usize)>,
    pub expr: Option<String>,
}

impl ActionError {
    fn new(message: impl Into<String>) -> Self {
        ActionError { message: message.into(), at: None, expr: None }
    }
}

/// A relative path below the workspace (no `..`, not absolute), normalised.
pub fn inside(path: &str) -> Result<String, ActionError> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => return Err(ActionError::new(format!("the path `{path}` leaves the output directory"))),
            s => parts.push(s),
        }
    }
    if path.starts_with('/') || path.contains(':') && cfg!(windows) {
        return Err(ActionError::new(format!("the path `{path}` is absolute")));
    }
    Ok(parts.join("/"))
}

/// `rel` below the workspace directory `target` (both already inside it).
fn join(target: &str, rel: &str) -> Result<String, ActionError> {
    if target.is_empty() { inside(rel) } else { inside(&format!("{target}/{rel}")) }
}

fn input_str<'a>(input: &'a Json, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Json::as_str)
}

/// The skeleton directory (or file) `url` names, relative to the template, as a root-relative path.
pub(super) fn source(template: &Template, url: &str) -> Result<String, ActionError> {
    if crate::paths::is_url(url) {
        return Err(ActionError::new(format!(
            "the skeleton `{url}` is remote: Portico never fetches; put the skeleton beside the template and give its relative path"
        )));
    }
    // Relative to the template's directory; `..` may reach a sibling (`../common`), never above
    // the repository.
    if url.starts_with('/') {
        return Err(ActionError::new(format!(
            "the skeleton `{url}` is an absolute path; give it relative to the template"
        )));
    }
    crate::paths::resolve_lexically(&template.dir, url)
        .map_err(|_| ActionError::new(format!("the skeleton `{url}` is outside the repository")))
}

/// Every file under `dir` (root-relative), sorted, with its path relative to `dir`. Symbolic
/// links are followed only when they stay inside the repository.
/// The second list: links left out, with why.
type Listing = (Vec<(String, String)>, Vec<(String, String)>);

fn files_under(root: &Path, dir: &str) -> Result<Listing, ActionError> {
    let base = root.join(dir);
    if !base.is_dir() {
        return Err(ActionError::new(format!("the skeleton directory {dir} does not exist")));
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for entry in ignore::WalkBuilder::new(&base).hidden(false).git_ignore(false).ignore(false).parents(false).build() {
        let entry = entry.map_err(|e| ActionError::new(format!("cannot read the skeleton {dir}: {e}")))?;
        let Some(kind) = entry.file_type() else { continue };
        let rel =
            entry.path().strip_prefix(&base).map_err(|_| ActionError::new("a skeleton file outside its directory"))?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        if kind.is_symlink() {
            // A link is copied as the file it names, when that file is in the repository.
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&real_root) && target.is_file() => {}
                Ok(target) if target.is_dir() => {
                    skipped.push((rel, "a symbolic link to a directory (not followed)".to_owned()));
                    continue;
                }
                _ => {
                    skipped.push((rel, "a symbolic link to a file outside the repository, or to nothing".to_owned()));
                    continue;
                }
            }
        } else if !kind.is_file() {
            continue;
        }
        out.push((format!("{dir}/{rel}"), rel));
    }
    out.sort();
    Ok((out, skipped))
}

fn read(root: &Path, file: &str) -> Result<(Vec<u8>, bool), ActionError> {
    let path = root.join(file);
    let bytes = std::fs::read(&path).map_err(|e| ActionError::new(format!("cannot read {file}: {e}")))?;
    #[cfg(unix)]
    let executable = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    };
    #[cfg(not(unix))]
    let executable = false;
    Ok((bytes, executable))
}

/// Text files are rendered; a file with a NUL byte early on, or not UTF-8, is binary.
fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0) || std::str::from_utf8(bytes).is_err()
}

fn globs(input: &Json, keys: &[&str]) -> Result<globset::GlobSet, ActionError> {
    let mut b = globset::GlobSetBuilder::new();
    for key in keys {
        for g in input.get(*key).and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str) {
            b.add(
                globset::Glob::new(g.trim_start_matches("./"))
                    .map_err(|e| ActionError::new(format!("invalid glob in `{key}`: {e}")))?,
            );
        }
    }
    b.build().map_err(|e| ActionError::new(e.to_string()))
}

impl Workspace {
    fn put(&mut self, path: String, entry: Entry) {
        if let Some(old) = self.files.get(&path)
            && !entry.replace
        {
            let from = old.from.clone();
            self.skipped.push((path, format!("already written from {from} (the step has no `replace: true`)")));
            return;
        }
        self.files.insert(path, entry);
    }

    /// `fetch:template`, and `fetch:cookiecutter` with `flavour` Cookiecutter.
    pub fn fetch_template(
        &mut self,
        root: &Path,
        template: &Template,
        input: &Json,
        flavour: Flavour,
    ) -> Result<(), ActionError> {
        let url = input_str(input, "url").ok_or_else(|| ActionError::new("`input.url` is missing"))?;
        let dir = source(template, url)?;
        let target = inside(input_str(input, "targetPath").unwrap_or("./"))?;
        let cookie = flavour == Flavour::Cookiecutter || input.get("cookiecutterCompat") == Some(&Json::Bool(true));
        let flag = |k: &str| input.get(k) == Some(&Json::Bool(true));
        let engine = Engine::with_whitespace(
            if cookie { Flavour::Cookiecutter } else { Flavour::Scaffolder },
            flag("trimBlocks"),
            flag("lstripBlocks"),
        );
        let values = input.get("values").cloned().unwrap_or_else(|| json!({}));
        let ctx = if cookie { json!({ "cookiecutter": values }) } else { json!({ "values": values }) };
        // `copyWithoutTemplating`: contents as they are, the path rendered; the older
        // `copyWithoutRender`: neither rendered.
        let verbatim = globs(input, &["copyWithoutTemplating", "copyWithoutRender"])?;
        let unrendered_paths = globs(input, &["copyWithoutRender"])?;
        let extension = match input.get("templateFileExtension") {
            Some(Json::Bool(true)) => Some(".njk".to_owned()),
            Some(Json::String(e)) => Some(if e.starts_with('.') { e.clone() } else { format!(".{e}") }),
            _ => None,
        };
        let replace = input.get("replace") == Some(&Json::Bool(true));
        let (files, links) = files_under(root, &dir)?;
        self.skipped.extend(links.into_iter().map(|(rel, why)| (join(&target, &rel).unwrap_or(rel), why)));
        for (file, rel) in files {
            let (bytes, executable) = read(root, &file)?;
            let copy_as_is = verbatim.is_match(&rel) || is_binary(&bytes);
            let (rel_out, render) = match &extension {
                Some(ext) => match rel.strip_suffix(ext.as_str()) {
                    Some(stripped) => (stripped.to_owned(), !copy_as_is),
                    None => (rel.clone(), false),
                },
                None => (rel.clone(), !copy_as_is),
            };
            let rendered_path =
                if unrendered_paths.is_match(&rel) { Ok(rel_out.clone()) } else { engine.render_str(&rel_out, &ctx) };
            let rendered_path = rendered_path.map_err(|e| ActionError {
                message: format!("the file name `{rel_out}` does not render: {}", e.message),
                at: Some((file.clone(), 1)),
                expr: e.expr,
            })?;
            if rendered_path.trim().is_empty() || rendered_path.split('/').any(|s| s.trim().is_empty()) {
                self.skipped
                    .push((join(&target, &rel_out).unwrap_or(rel_out.clone()), "its path renders empty".into()));
                continue;
            }
            let path = join(&target, &rendered_path)?;
            let bytes = if render {
                let text = String::from_utf8(bytes).expect("checked: not binary");
                engine
                    .render_str(&text, &ctx)
                    .map_err(|e| ActionError { message: e.message, at: Some((file.clone(), e.line)), expr: e.expr })?
                    .into_bytes()
            } else {
                bytes
            };
            self.put(path, Entry { bytes, executable, from: file, replace });
        }
        Ok(())
    }

    /// `fetch:plain` (a directory) and `fetch:plain:file` (one file).
    pub fn fetch_plain(
        &mut self,
        root: &Path,
        template: &Template,
        input: &Json,
        single: bool,
    ) -> Result<(), ActionError> {
        let url = input_str(input, "url").ok_or_else(|| ActionError::new("`input.url` is missing"))?;
        let src = source(template, url)?;
        let target = inside(input_str(input, "targetPath").unwrap_or(if single { "" } else { "./" }))?;
        let replace = input.get("replace") == Some(&Json::Bool(true));
        if single {
            if target.is_empty() {
                return Err(ActionError::new("`fetch:plain:file` needs `input.targetPath`"));
            }
            let (bytes, executable) = read(root, &src)?;
            self.put(target, Entry { bytes, executable, from: src, replace });
            return Ok(());
        }
        let (files, links) = files_under(root, &src)?;
        self.skipped.extend(links.into_iter().map(|(rel, why)| (join(&target, &rel).unwrap_or(rel), why)));
        for (file, rel) in files {
            let (bytes, executable) = read(root, &file)?;
            let path = join(&target, &rel)?;
            self.put(path, Entry { bytes, executable, from: file, replace });
        }
        Ok(())
    }

    /// `catalog:write`: the entity as YAML, with `backstage.io/source-template`.
    pub fn catalog_write(&mut self, template: &Template, input: &Json, step: &str) -> Result<(), ActionError> {
        let mut entity = input.get("entity").cloned().ok_or_else(|| ActionError::new("`input.entity` is missing"))?;
        let Some(obj) = entity.as_object_mut() else { return Err(ActionError::new("`input.entity` is not a mapping")) };
        let metadata = obj.entry("metadata").or_insert_with(|| json!({}));
        if let Some(m) = metadata.as_object_mut() {
            let annotations = m.entry("annotations").or_insert_with(|| json!({}));
            if let Some(a) = annotations.as_object_mut() {
                a.insert("backstage.io/source-template".into(), Json::String(template.entity_ref.to_string()));
            }
        }
        let path = inside(input_str(input, "filePath").unwrap_or("catalog-info.yaml"))?;
        let yaml = crate::yaml::to_string(&entity)
            .map_err(|e| ActionError::new(format!("cannot write the entity as YAML: {e}")))?;
        self.put(
            path,
            Entry { bytes: yaml.into_bytes(), executable: false, from: format!("step {step}"), replace: true },
        );
        Ok(())
    }

    /// `debug:log`.
    pub fn debug_log(&mut self, input: &Json) {
        if let Some(m) = input.get("message") {
            self.log.push(m.as_str().map_or_else(|| m.to_string(), str::to_owned));
        }
        if input.get("listWorkspace") == Some(&Json::Bool(true)) {
            let listing: Vec<String> = self.files.keys().cloned().collect();
            self.log.push(format!("workspace: {}", listing.join(", ")));
        }
    }
}
