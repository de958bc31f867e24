//! Stage 5, write: the in-memory [`Site`] -> the output directory, atomically and without ever
//! touching a file of the user's.
//!
//! [`guard`] decides whether `--out` may be replaced (run before the build, so a refusal costs
//! nothing, and again before the swap): never the root or a directory that contains it, never a
//! file, a symbolic link or a git checkout, never an existing non-empty directory without
//! Portico's [`MARKER`], and inside the root only a directory that the walk ignores (the default
//! `public/` is always ignored). It also repairs what a build killed in the middle of a swap left.
//!
//! [`write`] writes the site into a fresh temporary directory beside `--out`
//! (`.portico-<name>-<pid>`) and, only when every file is written, swaps it in: with one atomic
//! exchange of the two directories where the platform has one (Linux `renameat2`, macOS
//! `renamex_np`), so there is no moment without a complete site at `--out`; elsewhere with two
//! renames, and the next run puts the previous site back if a kill fell between them. Files are
//! written in parallel.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub mod update;

use crate::discover::TEMP_DIR_PREFIX;
use crate::render::{Sink, Site};

/// The file that marks a directory as Portico's output (written into every site).
pub const MARKER: &str = ".portico-output";

const MARKER_TEXT: &str = "This directory was written by `portico build`, which replaces it as a whole on every build.\n\
Do not keep files of your own here.\n";

/// The marker's text: [`MARKER_TEXT`] and, for a site the next build may update in place, the
/// id of the build that wrote it (the build cache holds that build's list of files).
fn marker_text(id: &str) -> String {
    if id.is_empty() { MARKER_TEXT.to_owned() } else { format!("{MARKER_TEXT}build: {id}\n") }
}

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "refusing to write the site to {0}: it is the portal root or contains it, and would be replaced; choose an --out outside the sources, e.g. `--out public`"
    )]
    ContainsRoot(PathBuf),
    #[error("refusing to replace {0}: it holds a .git checkout (Portico replaces the whole output directory)")]
    GitCheckout(PathBuf),
    #[error("refusing to write the site to {0}: it is {1}, not a directory; choose another --out")]
    NotADirectory(PathBuf, &'static str),
    #[error(
        "refusing to replace {0}: it is not empty and was not written by Portico (it has no {MARKER} file). Portico replaces the whole output directory: choose an --out that does not exist yet, or empty this directory first if nothing in it is needed"
    )]
    NotOurs(PathBuf),
    #[error(
        "refusing to write the site to {path}: it is inside the portal root and not ignored, so it would be mixed with the sources Portico reads. Add `/{rel}/` to .gitignore (or `ignore:` in portico.yaml), or build outside the repository"
    )]
    NotIgnored { path: PathBuf, rel: String },
    #[error("cannot write the site to {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// Where the output goes and what may be there.
pub struct Target<'a> {
    /// `--out` as configured (absolute or relative to the working directory).
    pub out_dir: &'a Path,
    /// The canonical portal root.
    pub root: &'a Path,
    /// Whether a root-relative path is ignored by the walk (.gitignore, `ignore:`, hidden).
    pub ignored: &'a dyn Fn(&str) -> bool,
}

/// Checks that the output directory may be replaced, after repairing a swap a killed build left
/// half done. Returns the absolute output path.
pub fn guard(target: &Target) -> Result<PathBuf, WriteError> {
    let out = absolute(target.out_dir);
    if target.root.starts_with(&out) {
        return Err(WriteError::ContainsRoot(out));
    }
    if let Some(rel) = crate::discover::relative(target.root, &out) {
        if rel != "public" && !(target.ignored)(&rel) {
            return Err(WriteError::NotIgnored { path: out, rel });
        }
    }
    let (parent, name) = parent_and_name(&out);
    repair_half_swap(&parent, &name, &out);
    match fs::symlink_metadata(&out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(out),
        Err(e) => Err(io_err(&out)(e)),
        Ok(meta) if meta.file_type().is_symlink() => Err(WriteError::NotADirectory(out, "a symbolic link")),
        Ok(meta) if !meta.is_dir() => Err(WriteError::NotADirectory(out, "a file")),
        Ok(_) if out.join(".git").exists() => Err(WriteError::GitCheckout(out)),
        Ok(_) if is_portico_output(&out) => Ok(out),
        Ok(_) => match fs::read_dir(&out).map_err(io_err(&out))?.next() {
            None => Ok(out),
            Some(_) => Err(WriteError::NotOurs(out)),
        },
    }
}

/// Whether `dir` was written by Portico: it has the marker, or it is a site of a version before
/// the marker (which always wrote these three files).
fn is_portico_output(dir: &Path) -> bool {
    let file = |rel: &str| fs::symlink_metadata(dir.join(rel)).is_ok_and(|m| m.is_file());
    file(MARKER) || (file(".nojekyll") && file("api/catalog.json") && file("search/manifest.bin"))
}

/// Writes `site` to the target, replacing what was there only once everything is written (the
/// old site is removed before returning).
pub fn write(site: &Site, target: &Target) -> Result<(), WriteError> {
    let staging = Staging::create(target)?;
    for (path, content) in &site.files {
        staging
            .put(path.clone(), content.clone())
            .map_err(|d| WriteError::Io { path: staging.dir.join(path), source: io::Error::other(d.message) })?;
    }
    if let Some(old) = staging.publish()?.old {
        let _ = fs::remove_dir_all(old);
    }
    Ok(())
}

/// The temporary output directory of a build (`.portico-<name>-<pid>` beside `--out`): files
/// are written into it as they are rendered, in parallel, and [`Staging::publish`] swaps it in
/// place of the previous site. Dropped without publishing (a failed or refused build), it is
/// removed and the previous site stays as it was.
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    parent: PathBuf,
    name: String,
    /// Directories already created (relative).
    dirs: std::sync::Mutex<std::collections::HashSet<String>>,
    files: std::sync::atomic::AtomicUsize,
    bytes: std::sync::atomic::AtomicU64,
    published: bool,
}

/// What publishing left behind.
pub struct Published {
    /// The previous site, moved aside: the caller removes it (in the background).
    pub old: Option<PathBuf>,
    pub files: usize,
    pub bytes: u64,
}

impl Staging {
    /// Checks the output directory ([`guard`]) and creates an empty temporary directory beside
    /// it. Leftovers of killed builds are returned by [`stale_temp_dirs`] for the caller to remove.
    pub fn create(target: &Target) -> Result<Staging, WriteError> {
        let out = guard(target)?;
        let (parent, name) = parent_and_name(&out);
        fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let dir = parent.join(format!("{TEMP_DIR_PREFIX}{name}-{}", std::process::id()));
        if fs::symlink_metadata(&dir).is_ok() {
            fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        fs::create_dir(&dir).map_err(io_err(&dir))?;
        Ok(Staging {
            dir,
            out,
            parent,
            name,
            dirs: Default::default(),
            files: Default::default(),
            bytes: Default::default(),
            published: false,
        })
    }

    /// The output directory the site will replace.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Writes the marker and swaps the temporary directory in.
    pub fn publish(self) -> Result<Published, WriteError> {
        self.publish_as("")
    }

    /// [`Staging::publish`], the marker naming the build `id` (see [`update`]).
    pub fn publish_as(mut self, id: &str) -> Result<Published, WriteError> {
        let marker = self.dir.join(MARKER);
        fs::write(&marker, marker_text(id)).map_err(io_err(&marker))?;
        let swap = swap_in(&self.dir, &self.out, &self.parent, &self.name);
        self.published = swap.is_ok();
        let old = match swap? {
            Swap::Exchanged => Some(self.dir.clone()),
            Swap::TwoRenames(old) => Some(old),
            Swap::Renamed => None,
        };
        Ok(Published {
            old,
            files: self.files.load(std::sync::atomic::Ordering::Relaxed),
            bytes: self.bytes.load(std::sync::atomic::Ordering::Relaxed),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl crate::render::Sink for Staging {
    fn put(&self, path: String, content: crate::render::Content) -> Result<(), Box<crate::diagnostics::Diagnostic>> {
        self.write_file(&path, &content).map(|_| ())
    }
}

impl Staging {
    /// Writes one file of the site (relative `path`); returns its size and modification time.
    pub fn write_file(&self, path: &str, content: &[u8]) -> Result<(u64, u64), Box<crate::diagnostics::Diagnostic>> {
        let full = self.dir.join(path);
        let fail = |e: io::Error| {
            Box::new(crate::diagnostics::Diagnostic::error(
                "write-failed",
                format!("cannot write the site to {}: {e}", full.display()),
            ))
        };
        if let Some(i) = path.rfind('/') {
            let dir = &path[..i];
            let known = self.dirs.lock().expect("dirs lock").contains(dir);
            if !known {
                fs::create_dir_all(self.dir.join(dir)).map_err(fail)?;
                self.dirs.lock().expect("dirs lock").insert(dir.to_owned());
            }
        }
        let mut file = fs::File::create(&full).map_err(fail)?;
        io::Write::write_all(&mut file, content).map_err(fail)?;
        let meta = file.metadata().map_err(fail)?;
        self.files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.bytes.fetch_add(content.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok((meta.len(), update::mtime(&meta)))
    }

    /// The temporary directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Leaves out files whose path the file system could not create under the output directory,
/// each with an error, and passes the others on.
pub struct PathCheck<'a> {
    inner: &'a dyn crate::render::Sink,
    /// Length of the temporary directory's path plus the separator.
    base: usize,
    problems: std::sync::Mutex<Vec<crate::diagnostics::Diagnostic>>,
}

impl<'a> PathCheck<'a> {
    pub fn new(out_dir: &Path, inner: &'a dyn crate::render::Sink) -> Self {
        let (parent, name) = parent_and_name(&absolute(out_dir));
        let base = parent.as_os_str().len() + format!("/{TEMP_DIR_PREFIX}{name}-{}/", u32::MAX).len();
        PathCheck { inner, base, problems: Default::default() }
    }

    pub fn into_problems(self) -> Vec<crate::diagnostics::Diagnostic> {
        self.problems.into_inner().expect("problems lock")
    }
}

impl crate::render::Sink for PathCheck<'_> {
    fn put(&self, path: String, content: crate::render::Content) -> Result<(), Box<crate::diagnostics::Diagnostic>> {
        self.put_page(path, None, content)
    }

    fn keep(&self, path: &str, key: &crate::cache::Key) -> bool {
        self.inner.keep(path, key)
    }

    fn wants_keys(&self) -> bool {
        self.inner.wants_keys()
    }

    fn put_page(
        &self,
        path: String,
        key: Option<crate::cache::Key>,
        content: crate::render::Content,
    ) -> Result<(), Box<crate::diagnostics::Diagnostic>> {
        match unwritable_reason(&path, self.base) {
            None => self.inner.put_page(path, key, content),
            Some(why) => {
                self.problems.lock().expect("problems lock").push(
                    crate::diagnostics::Diagnostic::error(
                        "unwritable-path",
                        format!("the page {path} cannot be written: {why}"),
                    )
                    .hint("shorten the names of the folders and files it is made from"),
                );
                Ok(())
            }
        }
    }
}

/// The longest file name and path the write may create: Linux's `NAME_MAX` and `PATH_MAX`
/// (macOS and Windows allow less; their limits are not checked ahead).
const NAME_MAX: usize = 255;
const PATH_MAX: usize = 4095;

/// Why `rel` cannot be created below a directory whose path takes `base` bytes, if it cannot.
fn unwritable_reason(rel: &str, base: usize) -> Option<String> {
    if let Some(long) = rel.split('/').find(|part| part.len() > NAME_MAX) {
        return Some(format!(
            "the name {}… is {} bytes long (the limit is {NAME_MAX})",
            long.chars().take(40).collect::<String>(),
            long.len()
        ));
    }
    (base + rel.len() > PATH_MAX)
        .then(|| format!("its path would be {} bytes long (the limit is {PATH_MAX})", base + rel.len()))
}

fn parent_and_name(out: &Path) -> (PathBuf, String) {
    let parent = out.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    (parent, name)
}

fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    };
    // Lexically first (`a/../b`), then canonicalise the longest existing ancestor so
    // `root.starts_with(out)` compares real paths.
    let mut lexical = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            std::path::Component::CurDir => {}
            c => lexical.push(c),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while fs::symlink_metadata(&existing).is_err() {
        match (existing.file_name().map(|n| n.to_owned()), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n);
                existing = parent.to_path_buf();
            }
            _ => return lexical,
        }
    }
    // The output itself is not resolved when it is a symbolic link: `guard` refuses it.
    let last_is_link = rest.is_empty() && fs::symlink_metadata(&existing).is_ok_and(|m| m.file_type().is_symlink());
    let mut out = if last_is_link {
        let name = existing.file_name().map(|n| n.to_owned());
        let mut parent = existing.parent().and_then(|p| p.canonicalize().ok()).unwrap_or_default();
        parent.extend(name);
        parent
    } else {
        existing.canonicalize().unwrap_or(existing)
    };
    out.extend(rest.into_iter().rev());
    out
}

/// The process id in the name of a temporary directory, and whether it is the previous site
/// (`-old-<pid>`).
fn temp_dir_owner(file_name: &str, name: &str) -> Option<(u32, bool)> {
    let rest = file_name.strip_prefix(TEMP_DIR_PREFIX)?.strip_prefix(name)?.strip_prefix('-')?;
    match rest.strip_prefix("old-") {
        Some(pid) => Some((pid.parse().ok()?, true)),
        None => Some((rest.parse().ok()?, false)),
    }
}

fn process_alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

/// A build killed between the two renames of a non-atomic swap left the previous site as
/// `.portico-<name>-old-<pid>` and nothing at `out`: put it back.
fn repair_half_swap(parent: &Path, name: &str, out: &Path) {
    if fs::symlink_metadata(out).is_ok() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some((pid, true)) = temp_dir_owner(&file_name, name)
            && !process_alive(pid)
            && fs::rename(entry.path(), out).is_ok()
        {
            return;
        }
    }
}

/// Leftovers beside `out` of builds whose process is gone (killed, or old sites still being
/// removed by a process that has ended): the caller removes them, in the background.
pub fn stale_temp_dirs(out_dir: &Path) -> Vec<PathBuf> {
    let (parent, name) = parent_and_name(&absolute(out_dir));
    let Ok(entries) = fs::read_dir(&parent) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some((pid, _)) = temp_dir_owner(&file_name, &name)
            && !process_alive(pid)
        {
            out.push(entry.path());
        }
    }
    out
}

/// Removes a directory that Portico left beside an output directory (it must be named like one
/// of its temporary directories: nothing else is ever removed this way).
pub fn remove_leftover(dir: &Path) -> io::Result<()> {
    let named_like_ours = dir.file_name().is_some_and(|n| n.to_string_lossy().starts_with(TEMP_DIR_PREFIX));
    if !named_like_ours {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a directory Portico left behind"));
    }
    fs::remove_dir_all(dir)
}

/// How the new site took the place of the old one.
#[derive(Debug, PartialEq, Eq)]
enum Swap {
    /// There was no old site.
    Renamed,
    /// One atomic exchange of the two directories: the previous site is where the new one was.
    Exchanged,
    /// Two renames (the platform or file system has no exchange): the previous site is at the
    /// path given.
    TwoRenames(PathBuf),
}

/// Puts `tmp` in place of `out`. The previous site is left for the caller to remove.
fn swap_in(tmp: &Path, out: &Path, parent: &Path, name: &str) -> Result<Swap, WriteError> {
    if fs::symlink_metadata(out).is_err() {
        fs::rename(tmp, out).map_err(io_err(out))?;
        return Ok(Swap::Renamed);
    }
    if exchange(tmp, out).is_ok() {
        return Ok(Swap::Exchanged);
    }
    let old = parent.join(format!("{TEMP_DIR_PREFIX}{name}-old-{}", std::process::id()));
    fs::rename(out, &old).map_err(io_err(out))?;
    if let Err(e) = fs::rename(tmp, out) {
        let _ = fs::rename(&old, out);
        return Err(io_err(out)(e));
    }
    Ok(Swap::TwoRenames(old))
}

/// Exchanges two directories atomically.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos", target_os = "ios"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE as _) };
    // SAFETY: as above.
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    let rc = unsafe { libc::renamex_np(a.as_ptr(), b.as_ptr(), libc::RENAME_SWAP) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos", target_os = "ios")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange on this platform"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        Site {
            files: files.iter().map(|(p, c)| (p.to_string(), c.as_bytes().into())).collect(),
            diagnostics: Vec::new(),
        }
    }

    fn not_ignored(_: &str) -> bool {
        false
    }

    fn target<'a>(out: &'a Path, root: &'a Path) -> Target<'a> {
        Target { out_dir: out, root, ignored: &not_ignored }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_the_old_site_and_leaves_no_temp_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir(&root).unwrap();
        let out = tmp.path().join("site");
        write(&site(&[("index.html", "one"), ("a/b/index.html", "x")]), &target(&out, &root)).unwrap();
        assert!(out.join(MARKER).is_file(), "the marker is written");
        write(&site(&[("index.html", "two")]), &target(&out, &root)).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("a").exists(), "files of the old site are gone");
        assert_eq!(names(tmp.path()), ["repo", "site"]);
    }

    #[test]
    fn refuses_to_replace_the_root_or_a_checkout() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap().join("repo");
        fs::create_dir(&root).unwrap();
        assert!(matches!(write(&site(&[]), &target(&root, &root)), Err(WriteError::ContainsRoot(_))));
        let parent = root.parent().unwrap();
        assert!(matches!(write(&site(&[]), &target(parent, &root)), Err(WriteError::ContainsRoot(_))));
        let dotted = root.join("x/../..");
        assert!(matches!(guard(&target(&dotted, &root)), Err(WriteError::ContainsRoot(_))));
        let checkout = tmp.path().join("pages");
        fs::create_dir_all(checkout.join(".git")).unwrap();
        fs::write(checkout.join(MARKER), "").unwrap();
        assert!(matches!(write(&site(&[]), &target(&checkout, &root)), Err(WriteError::GitCheckout(_))));
    }

    #[test]
    fn refuses_what_portico_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap().join("repo");
        fs::create_dir(&root).unwrap();
        let theirs = tmp.path().join("theirs");
        fs::create_dir(&theirs).unwrap();
        fs::write(theirs.join("notes.txt"), "mine").unwrap();
        assert!(matches!(write(&site(&[("index.html", "x")]), &target(&theirs, &root)), Err(WriteError::NotOurs(_))));
        assert_eq!(fs::read_to_string(theirs.join("notes.txt")).unwrap(), "mine");

        let file = tmp.path().join("file.txt");
        fs::write(&file, "mine").unwrap();
        assert!(matches!(guard(&target(&file, &root)), Err(WriteError::NotADirectory(_, "a file"))));
        assert_eq!(fs::read_to_string(&file).unwrap(), "mine");

        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(&theirs, &link).unwrap();
            assert!(matches!(guard(&target(&link, &root)), Err(WriteError::NotADirectory(_, "a symbolic link"))));
        }

        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        write(&site(&[("index.html", "x")]), &target(&empty, &root)).unwrap();
        assert_eq!(fs::read_to_string(empty.join("index.html")).unwrap(), "x");
    }

    #[test]
    fn inside_the_root_only_ignored_directories_and_public() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let ignored = |rel: &str| rel == "site" || rel.starts_with("site/");
        let t = |out: &Path| guard(&Target { out_dir: out, root: &root, ignored: &ignored }).map(drop);
        assert!(matches!(t(&root.join("services")), Err(WriteError::NotIgnored { rel, .. }) if rel == "services"));
        assert!(t(&root.join("site")).is_ok());
        assert!(t(&root.join("site/portal")).is_ok());
        assert!(t(&root.join("public")).is_ok(), "the default output");
    }

    #[test]
    fn a_failed_write_keeps_the_previous_site() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir(&root).unwrap();
        let out = tmp.path().join("site");
        write(&site(&[("index.html", "good")]), &target(&out, &root)).unwrap();
        // A file and a directory at the same path cannot both be written.
        let broken = site(&[("a", "file"), ("a/b.html", "child")]);
        assert!(write(&broken, &target(&out, &root)).is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "good");
        assert_eq!(names(tmp.path()), ["repo", "site"], "temporary directory removed");
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn the_swap_is_one_atomic_exchange() {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new) = (tmp.path().join("site"), tmp.path().join(".portico-site-1"));
        fs::create_dir(&old).unwrap();
        fs::write(old.join("index.html"), "old").unwrap();
        fs::create_dir(&new).unwrap();
        fs::write(new.join("index.html"), "new").unwrap();
        assert_eq!(swap_in(&new, &old, tmp.path(), "site").unwrap(), Swap::Exchanged);
        assert_eq!(fs::read_to_string(old.join("index.html")).unwrap(), "new");
        assert_eq!(fs::read_to_string(new.join("index.html")).unwrap(), "old", "the previous site, for the caller");
    }

    #[test]
    fn a_swap_killed_halfway_is_repaired() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir(&root).unwrap();
        // Beyond Linux's largest pid: that process is gone.
        let old = tmp.path().join(".portico-site-old-4194305");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("index.html"), "previous").unwrap();
        fs::write(old.join(MARKER), "").unwrap();
        let out = tmp.path().join("site");
        guard(&target(&out, &root)).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "previous");
        assert_eq!(names(tmp.path()), ["repo", "site"]);
    }
}
