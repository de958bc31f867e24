//! Stage 1, discover: walk the monorepo and list its files.
//!
//! Input: the [`Config`]. Output: an [`Inventory`] of every file under the root that is not
//! ignored (`.gitignore`, `.ignore`, hidden files, the `ignore` globs of `portico.yaml`, the
//! output directory and Portico's own temporary build directories), and among them the catalog
//! files named by `catalog.files`. Paths are relative to the root with `/` separators, sorted.
//! Symbolic links are not followed, so nothing outside the root is listed.

use std::path::Path;
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// Prefix of the temporary directories `write` builds into; never read as input.
pub const TEMP_DIR_PREFIX: &str = ".portico-";

/// Every input file of the portal.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// All files not ignored, relative to the root, sorted.
    pub files: Vec<String>,
    /// The subset matched by the `catalog.files` globs, sorted.
    pub catalog_files: Vec<String>,
}

/// The files of `files` (root-relative, sorted) under `dir` (`""`: all of them), in order.
pub fn files_under<'a>(files: &'a [String], dir: &str) -> &'a [String] {
    if dir.is_empty() {
        return files;
    }
    let prefix = format!("{dir}/");
    let start = files.partition_point(|f| f.as_str() < prefix.as_str());
    let end = start + files[start..].partition_point(|f| f.starts_with(&prefix));
    &files[start..end]
}

/// Walks `config.root` in parallel.
pub fn discover(config: &Config) -> Result<Inventory, Box<Diagnostic>> {
    let root = config.root.clone();
    let out_dir = config.out_dir.clone();
    let found: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let walk_errors: Mutex<Vec<String>> = Mutex::new(Vec::new());

    let mut builder = WalkBuilder::new(&root);
    builder
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(false)
        .follow_links(false)
        .threads(rayon::current_num_threads());
    let filter_root = root.clone();
    let ignore = config.ignore.clone();
    builder.filter_entry(move |entry| {
        let path = entry.path();
        if path == out_dir {
            return false;
        }
        if entry.file_name().to_string_lossy().starts_with(TEMP_DIR_PREFIX) {
            return false;
        }
        match relative(&filter_root, path) {
            Some(rel) if !rel.is_empty() => !ignore.is_match(&rel),
            _ => true,
        }
    });
    builder.build_parallel().run(|| {
        let root = &root;
        let found = &found;
        let walk_errors = &walk_errors;
        Box::new(move |entry| {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    if let Some(rel) = relative(root, e.path()) {
                        found.lock().expect("walk results lock").push(rel);
                    }
                }
                Ok(_) => {}
                Err(err) => walk_errors.lock().expect("walk errors lock").push(err.to_string()),
            }
            WalkState::Continue
        })
    });

    let errors = walk_errors.into_inner().expect("walk errors lock");
    if let Some(first) = errors.first() {
        return Err(Box::new(Diagnostic::error(
            "walk-failed",
            format!("cannot read the portal root {}: {first}", config.root.display()),
        )));
    }
    let mut files = found.into_inner().expect("walk results lock");
    files.sort_unstable();
    let catalog_files = files.iter().filter(|f| config.catalog_files.is_match(f.as_str())).cloned().collect();
    Ok(Inventory { files, catalog_files })
}

/// Whether the walk skips the directory `rel` (root-relative, existing or not): a hidden part,
/// a match of `ignore:`, or a `.ignore`/`.gitignore` in the root or a directory above `rel` (or
/// `.git/info/exclude`) that ignores it; the deepest file with a say decides, as in git.
pub fn is_ignored(config: &Config, rel: &str) -> bool {
    use ignore::Match;
    use ignore::gitignore::Gitignore;
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| p.starts_with('.')) {
        return true;
    }
    if (1..=parts.len()).any(|i| config.ignore.is_match(parts[..i].join("/"))) {
        return true;
    }
    let path = config.root.join(rel);
    let decides = |file: &Path| -> Option<bool> {
        if !file.is_file() {
            return None;
        }
        let (matcher, _) = Gitignore::new(file);
        match matcher.matched_path_or_any_parents(&path, true) {
            Match::Ignore(_) => Some(true),
            Match::Whitelist(_) => Some(false),
            Match::None => None,
        }
    };
    for depth in (0..parts.len()).rev() {
        let dir = config.root.join(parts[..depth].join("/"));
        for name in [".ignore", ".gitignore"] {
            if let Some(ignored) = decides(&dir.join(name)) {
                return ignored;
            }
        }
    }
    let exclude = config.root.join(".git/info/exclude");
    exclude.is_file() && {
        let mut builder = ignore::gitignore::GitignoreBuilder::new(&config.root);
        builder.add(&exclude);
        builder.build().is_ok_and(|m| m.matched_path_or_any_parents(&path, true).is_ignore())
    }
}

/// `path` relative to `root` with `/` separators; `None` when outside.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    Some(out)
}
