//! Stage 5, write: the in-memory [`Site`] -> the output directory, atomically.
//!
//! The site is written into a fresh temporary directory beside `--out` (`.portico-<name>-<pid>`),
//! and only when every file is written is it swapped in place of the old output, so a failed or
//! killed build leaves the previous site intact. Files are written in parallel. Refuses output
//! directories that would destroy input: the root itself, a parent of it, or a git checkout.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::TEMP_DIR_PREFIX;
use crate::render::Site;

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site to {0}: it is the portal root or contains it, and would be replaced")]
    ContainsRoot(PathBuf),
    #[error("refusing to replace {0}: it holds a .git checkout (Portico replaces the whole output directory)")]
    GitCheckout(PathBuf),
    #[error("cannot write the site to {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// Writes `site` to `out_dir`, replacing what was there only once everything is written.
pub fn write(site: &Site, out_dir: &Path, root: &Path) -> Result<(), WriteError> {
    let out_abs = absolute(out_dir);
    if root.starts_with(&out_abs) {
        return Err(WriteError::ContainsRoot(out_abs));
    }
    if out_abs.join(".git").exists() {
        return Err(WriteError::GitCheckout(out_abs));
    }
    let parent = out_abs.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let name = out_abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    remove_stale_temp_dirs(&parent, &name);

    let tmp = parent.join(format!("{TEMP_DIR_PREFIX}{name}-{}", std::process::id()));
    let result = write_tree(site, &tmp).and_then(|()| swap_in(&tmp, &out_abs, &parent, &name));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    // Canonicalise the longest existing ancestor so `root.starts_with(out)` compares real paths.
    let mut existing = joined.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n);
                existing = parent.to_path_buf();
            }
            _ => return joined,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    out.extend(rest.into_iter().rev());
    out
}

/// Leftovers of builds that were killed (their process is gone) are removed.
fn remove_stale_temp_dirs(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!("{TEMP_DIR_PREFIX}{name}-");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = pid.trim_start_matches("old-");
        let alive =
            pid.parse::<u32>().is_ok_and(|p| p == std::process::id() || Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn write_tree(site: &Site, dir: &Path) -> Result<(), WriteError> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut dirs: Vec<&str> = site.files.keys().filter_map(|p| p.rfind('/').map(|i| &p[..i])).collect();
    dirs.sort_unstable();
    dirs.dedup();
    for d in dirs {
        let path = dir.join(d);
        fs::create_dir_all(&path).map_err(io_err(&path))?;
    }
    site.files.par_iter().try_for_each(|(rel, content)| {
        let path = dir.join(rel);
        fs::write(&path, &content[..]).map_err(io_err(&path))
    })
}

fn swap_in(tmp: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), WriteError> {
    if out.exists() {
        let old = parent.join(format!("{TEMP_DIR_PREFIX}{name}-old-{}", std::process::id()));
        fs::rename(out, &old).map_err(io_err(out))?;
        if let Err(e) = fs::rename(tmp, out) {
            let _ = fs::rename(&old, out);
            return Err(io_err(out)(e));
        }
        fs::remove_dir_all(&old).map_err(io_err(&old))?;
    } else {
        fs::rename(tmp, out).map_err(io_err(out))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        Site { files: files.iter().map(|(p, c)| (p.to_string(), c.as_bytes().into())).collect() }
    }

    #[test]
    fn replaces_the_old_site_and_leaves_no_temp_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir(&root).unwrap();
        let out = tmp.path().join("site");
        write(&site(&[("index.html", "one"), ("a/b/index.html", "x")]), &out, &root).unwrap();
        write(&site(&[("index.html", "two")]), &out, &root).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("a").exists(), "files of the old site are gone");
        let names: Vec<String> =
            fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn refuses_to_replace_the_root_or_a_checkout() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap().join("repo");
        fs::create_dir(&root).unwrap();
        assert!(matches!(write(&site(&[]), &root, &root), Err(WriteError::ContainsRoot(_))));
        assert!(matches!(write(&site(&[]), root.parent().unwrap(), &root), Err(WriteError::ContainsRoot(_))));
        let checkout = tmp.path().join("pages");
        fs::create_dir_all(checkout.join(".git")).unwrap();
        assert!(matches!(write(&site(&[]), &checkout, &root), Err(WriteError::GitCheckout(_))));
    }

    #[test]
    fn a_failed_write_keeps_the_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir(&root).unwrap();
        let out = tmp.path().join("site");
        write(&site(&[("index.html", "good")]), &out, &root).unwrap();
        // A file and a directory at the same path cannot both be written.
        let broken = site(&[("a", "file"), ("a/b.html", "child")]);
        assert!(write(&broken, &out, &root).is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "good");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 2, "temporary directory removed");
    }
}
