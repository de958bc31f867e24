//! Content-keyed caches that let `serve` rebuild through the very code path of a clean build,
//! skipping the work whose inputs did not change.
//!
//! A catalog file's result is reused when its text, how it was reached (origin, explicitly or by
//! walking) and the files its placeholders read are unchanged — and, for files with `Location`
//! entities, the inventory too (targets may appear or vanish). A docs page's result is reused when
//! its text, its snippets and the link context (every site's pages and assets, the inventory) are
//! unchanged. Invariant: a cached result is exactly what recomputing would produce, so a build
//! with a cache equals a clean build byte for byte (a property test checks it).

pub mod disk;

use std::collections::HashMap;
use std::sync::Mutex;

use crate::catalog::Entity;
use crate::diagnostics::Diagnostic;

/// Hash of some bytes.
pub type Key = blake3::Hash;

/// Hash of a sequence of byte strings, each length-prefixed so that no two sequences collide
/// by concatenation.
pub fn key(parts: &[&[u8]]) -> Key {
    let mut h = KeyHasher::default();
    for p in parts {
        h.add(p);
    }
    h.finish()
}

/// [`key`] for parts that arrive one by one. Small parts are gathered before hashing: blake3
/// hashes many tiny updates several times slower than the same bytes at once.
#[derive(Default)]
pub struct KeyHasher {
    hasher: blake3::Hasher,
    buffer: Vec<u8>,
}

impl KeyHasher {
    const BUFFER: usize = 1 << 16;

    pub fn add(&mut self, part: &[u8]) {
        self.buffer.extend_from_slice(&(part.len() as u64).to_le_bytes());
        if part.len() >= Self::BUFFER {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
            self.hasher.update(part);
            return;
        }
        self.buffer.extend_from_slice(part);
        if self.buffer.len() >= Self::BUFFER {
            self.hasher.update(&self.buffer);
            self.buffer.clear();
        }
    }

    pub fn finish(&self) -> Key {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.buffer);
        hasher.finalize()
    }
}

/// What reading one catalog file produced.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct CatalogFile {
    pub key: Key,
    /// Placeholder files read, with the hash of their content when read.
    pub reads: Vec<(String, Key)>,
    /// For files with Location entities: the inventory the result was computed with (targets
    /// may appear or vanish).
    pub inventory: Option<Key>,
    pub entities: Vec<std::sync::Arc<Entity>>,
    /// Files named by Location entities of this file: (file, explicit).
    pub next: Vec<String>,
    pub diags: Vec<Diagnostic>,
}

/// A rendered docs page and its diagnostics.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct DocsPage {
    pub key: Key,
    /// Snippet files included, with their content hash.
    pub snippets: Vec<(String, Key)>,
    pub page: std::sync::Arc<crate::docs::DocPage>,
    pub diags: Vec<Diagnostic>,
}

/// The caches of one `serve` session.
#[derive(Default)]
pub struct BuildCache {
    pub catalog: Mutex<HashMap<(String, String), CatalogFile>>,
    pub docs: Mutex<HashMap<(String, String), DocsPage>>,
    /// Hash of the inventory's file list, to invalidate what depends on it.
    pub inventory: Mutex<Option<Key>>,
    /// API references by hash of (spec type, definition).
    pub apis: Mutex<HashMap<Key, std::sync::Arc<crate::apiref::ApiReference>>>,
    /// The last docs loaded, with their inputs key ([`crate::docs::inputs_key`]) and
    /// diagnostics, reused when only files the docs do not read changed.
    pub last_docs: Mutex<Option<(Key, crate::docs::Docs, Vec<Diagnostic>)>>,
    /// Rendered pages by output path, with the hash of everything they were rendered from
    /// (theme, template, view): see [`crate::render::PageCache`].
    pub pages: Mutex<HashMap<String, (Key, crate::render::Content)>>,
    /// The last inventory: when every changed file is one of its files and still a file, the
    /// file list is the same and the walk is skipped.
    pub last_inventory: Mutex<Option<crate::discover::Inventory>>,
    /// Plugin responses by plugin id, with their keys.
    pub plugins: crate::plugins::Cache,
}

impl BuildCache {
    /// Hash of the current content of `rel` (under `root`), or of nothing when unreadable.
    pub fn file_key(root: &std::path::Path, rel: &str) -> Key {
        match crate::input::read(&root.join(rel), crate::input::Limits::default().data_file) {
            Ok(bytes) => blake3::hash(&bytes),
            Err(_) => blake3::hash(b"\0missing"),
        }
    }
}
