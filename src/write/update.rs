//! Incremental output: a build that finds in `--out` the site the build cache describes writes
//! only the files that changed.
//!
//! Every build records a [`Manifest`] of the site it wrote: for each file the hash of its
//! content, for pages the key of everything they were rendered from ([`crate::render::PageCache`]),
//! and its size and modification time once written. The manifest goes into the build cache, its
//! id into the site's marker file. The next build compares:
//! - a page whose key is the same and whose file is as written (size and time) is kept without
//!   being rendered; any other file whose content hash is the same is kept without being written;
//! - changed files are written into the temporary directory beside `--out`, as in a full build.
//!
//! Only once the render has succeeded are they moved into the site (one rename each) and the
//! files the build no longer makes removed. When more than half of the files changed (a new
//! theme, a new title), the kept ones are linked into the temporary directory instead and the
//! whole site is swapped in, as in a full build. While that happens the marker names no build: a
//! build killed then leaves a site the next build does not trust, so it writes the whole site
//! again and swaps it in. A site whose marker names another build (or none), or that someone
//! else changed, is written whole.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{MARKER, Published, Staging, Target, WriteError, io_err, marker_text};
use crate::cache::Key;
use crate::diagnostics::Diagnostic;
use crate::render::Content;

/// The files of a written site.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Named in the site's marker.
    pub id: String,
    pub files: HashMap<String, Entry>,
}

/// One file of a written site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// For pages, the key of their inputs.
    pub key: Option<Key>,
    /// Hash of the content.
    pub hash: Key,
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: u64,
}

pub(super) fn mtime(meta: &fs::Metadata) -> u64 {
    let t = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    t.map_or(0, |t| t.as_nanos() as u64)
}

/// The build id named in the marker of `out`, if any.
fn marker_id(out: &Path) -> Option<String> {
    let text = fs::read_to_string(out.join(MARKER)).ok()?;
    text.lines().find_map(|l| l.strip_prefix("build: ")).map(str::to_owned)
}

/// The output of a build: a new site swapped in whole, or the previous one updated in place.
pub struct Output {
    staging: Staging,
    /// The manifest of the site in `--out`, when this build updates it.
    previous: Option<Manifest>,
    /// The files of the new site.
    entries: Mutex<HashMap<String, Entry>>,
    /// Files written (to be moved into the site when updating).
    written: Mutex<Vec<String>>,
    /// Whether the manifest is wanted (a build without a cache has no use for it, and skips
    /// hashing what it writes).
    record: bool,
}

/// What an output's publication did.
pub struct Outcome {
    pub published: Published,
    pub manifest: Manifest,
    /// Files written; the others were kept as they were.
    pub written: usize,
    /// Whether the previous site was updated in place (else it was replaced whole).
    pub updated: bool,
}

impl Output {
    /// Prepares the output of a build ([`Staging::create`]); `previous` is the manifest the
    /// build cache holds, used when the site in `--out` is the one it describes. Without
    /// `record` (no build cache), the site is written whole and no manifest is made.
    pub fn create(target: &Target, previous: Option<Manifest>, record: bool) -> Result<Output, WriteError> {
        let staging = Staging::create(target)?;
        let current = marker_id(staging.out());
        let previous = previous.filter(|m| record && current.as_deref() == Some(m.id.as_str()));
        Ok(Output { staging, previous, entries: Default::default(), written: Default::default(), record })
    }

    /// The previous entry of `path` when its file is still as that build wrote it: the same
    /// size and time, or else (a site restored from a CI cache has new times, or times in whole
    /// seconds) the same content.
    fn intact(&self, path: &str) -> Option<Entry> {
        let entry = *self.previous.as_ref()?.files.get(path)?;
        let full = self.staging.out().join(path);
        let meta = fs::symlink_metadata(&full).ok()?;
        if !meta.is_file() || meta.len() != entry.size {
            return None;
        }
        if mtime(&meta) == entry.mtime {
            return Some(entry);
        }
        let content = crate::input::read(&full, entry.size.saturating_add(1)).ok()?;
        (blake3::hash(&content) == entry.hash).then_some(Entry { mtime: mtime(&meta), ..entry })
    }

    fn record(&self, path: String, entry: Entry) {
        self.entries.lock().expect("entries lock").insert(path, entry);
    }

    /// Publishes the site: swaps the new one in, or moves the changed files into the previous
    /// one and removes what is gone.
    pub fn publish(self) -> Result<Outcome, WriteError> {
        let entries = self.entries.into_inner().expect("entries lock");
        let written = self.written.into_inner().expect("written lock");
        let id = if self.record { new_id(&entries) } else { String::new() };
        let files = entries.len();
        let bytes = entries.values().map(|e| e.size).sum();
        let Some(previous) = self.previous else {
            // Everything was written: the staging directory's counts are the site's.
            let published = self.staging.publish_as(&id)?;
            let written = published.files;
            return Ok(Outcome { published, manifest: Manifest { id, files: entries }, written, updated: false });
        };
        let out = self.staging.out().to_path_buf();
        if written.len() * 2 > files {
            // Most of the site changed (a new theme, a new Portico): the few files kept join the
            // new ones and the whole site is swapped in, atomically, as in a full build.
            let kept: std::collections::HashSet<&String> = written.iter().collect();
            for path in entries.keys().filter(|p| !kept.contains(p)) {
                let to = self.staging.dir().join(path);
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent).map_err(io_err(parent))?;
                }
                let from = out.join(path);
                if fs::hard_link(&from, &to).is_err() {
                    fs::copy(&from, &to).map_err(io_err(&to))?;
                }
            }
            let mut published = self.staging.publish_as(&id)?;
            (published.files, published.bytes) = (files, bytes);
            let manifest = Manifest { id, files: entries };
            return Ok(Outcome { published, manifest, written: written.len(), updated: false });
        }
        let marker = out.join(MARKER);
        // From here until the end the site is not the one any manifest describes.
        fs::write(&marker, marker_text("")).map_err(io_err(&marker))?;
        let mut dirs = std::collections::HashSet::new();
        for path in &written {
            let to = out.join(path);
            if let Some(i) = path.rfind('/')
                && dirs.insert(&path[..i])
            {
                fs::create_dir_all(out.join(&path[..i])).map_err(io_err(&to))?;
            }
            fs::rename(self.staging.dir().join(path), &to).map_err(io_err(&to))?;
        }
        let mut gone: Vec<&String> = previous.files.keys().filter(|p| !entries.contains_key(*p)).collect();
        gone.sort_unstable();
        for path in gone.iter().rev() {
            let _ = fs::remove_file(out.join(path));
            // Directories left empty go too (a failure means the directory is not empty).
            let mut dir = Path::new(path.as_str()).parent();
            while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
                if fs::remove_dir(out.join(d)).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        fs::write(&marker, marker_text(&id)).map_err(io_err(&marker))?;
        drop(self.staging); // removes the temporary directory
        let published = Published { old: None, files, bytes };
        Ok(Outcome { published, manifest: Manifest { id, files: entries }, written: written.len(), updated: true })
    }
}

/// A build id: the hash of the site's files, so that the same site has the same id (two builds
/// of the same sources are byte-identical, marker included).
fn new_id(entries: &HashMap<String, Entry>) -> String {
    let mut h = blake3::Hasher::new();
    let mut paths: Vec<(&String, &Entry)> = entries.iter().collect();
    paths.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (p, e) in paths {
        h.update(p.as_bytes());
        h.update(e.hash.as_bytes());
    }
    h.finalize().to_hex()[..16].to_owned()
}

impl crate::render::Sink for Output {
    fn put(&self, path: String, content: Content) -> Result<(), Box<Diagnostic>> {
        self.put_page(path, None, content)
    }

    fn wants_keys(&self) -> bool {
        self.record
    }

    fn keep(&self, path: &str, key: &Key) -> bool {
        match self.intact(path).filter(|e| e.key == Some(*key)) {
            Some(entry) => {
                self.record(path.to_owned(), entry);
                true
            }
            None => false,
        }
    }

    fn put_page(&self, path: String, key: Option<Key>, content: Content) -> Result<(), Box<Diagnostic>> {
        if !self.record {
            return self.staging.write_file(&path, &content).map(|_| ());
        }
        let hash = blake3::hash(&content);
        if let Some(entry) = self.intact(&path).filter(|e| e.hash == hash) {
            self.record(path, Entry { key, ..entry });
            return Ok(());
        }
        let (size, mtime) = self.staging.write_file(&path, &content)?;
        if self.previous.is_some() {
            self.written.lock().expect("written lock").push(path.clone());
        }
        self.record(path, Entry { key, hash, size, mtime });
        Ok(())
    }
}
