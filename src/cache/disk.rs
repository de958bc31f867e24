//! The build cache on disk: what `serve` keeps in memory between rebuilds, kept between
//! `portico build` runs in `.portico/cache` under the root (or `--cache-dir`), so that a build
//! after a small change reads, parses and renders only what changed.
//!
//! One file, `build.msgpack`: a line with the stamp, then MessagePack with field names
//! (self-describing, so a changed type reads as a miss, never as wrong data) holding the catalog files, docs pages and API
//! references of the last build with their content keys, and what it wrote (the site's files,
//! the search index). It is only used when its stamp (the Portico version, this format and the
//! hash of Portico's source) matches: another Portico starts cold. Entries for files that no longer exist are dropped when it is saved. Written to a
//! temporary file and renamed, so a build killed while saving leaves the previous cache; a file
//! that cannot be read or decoded is a cold start, never an error.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Deserializer, Serialize};

use super::{BuildCache, CatalogFile, DocsPage, Key};
use crate::apiref::ApiReference;

/// The cache directory under the root, unless `--cache-dir` says otherwise.
pub const DEFAULT_DIR: &str = ".portico/cache";
const FILE: &str = "build.msgpack";
/// Bumped when what is stored changes meaning without changing shape.
/// 2: docs bodies and API references are LZ4, not deflate.
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Stored {
    catalog: Vec<((String, String), CatalogFile)>,
    docs: Vec<((String, String), DocsPage)>,
    inventory: Option<Key>,
    apis: Vec<(Key, Arc<ApiReference>)>,
    previous: Previous,
    /// Plugin responses with their keys, by plugin id.
    #[serde(default)]
    plugins: Vec<(String, Key, crate::plugins::protocol::Response)>,
}

/// What the last build wrote.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Previous {
    /// The files of the site ([`crate::write::update`]).
    pub output: Option<crate::write::update::Manifest>,
    /// Its search index.
    pub index: Option<IndexRecord>,
}

/// A search index written by a build: the key of the documents it indexed, its files and its
/// stage line. A build whose documents have the same key keeps the files.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IndexRecord {
    pub key: Key,
    pub files: Vec<String>,
    pub summary: String,
}

/// What identifies the Portico that wrote a cache, and the configuration it read: its version
/// and the hash of its source (`build.rs`), so that a cache survives reinstalling the same
/// Portico but not another one; and the configuration (the config file's text, the base URL,
/// the repository found), whose change may change anything, as `serve` assumes too.
fn stamp(config: &crate::config::Config) -> String {
    let text = config.config_file.as_ref().and_then(|f| std::fs::read(config.root.join(f)).ok()).unwrap_or_default();
    let settings = super::key(&[&text, config.base_url.as_bytes(), format!("{:?}", config.repository).as_bytes()]);
    format!(
        "portico {} format {FORMAT} source {} config {}",
        env!("CARGO_PKG_VERSION"),
        env!("PORTICO_SOURCE_HASH"),
        &settings.to_hex()[..16]
    )
}

/// A build cache read from `dir`, empty when there is none or it was written by another
/// Portico; with what the last build wrote.
pub fn load(dir: &Path, config: &crate::config::Config) -> (BuildCache, Previous) {
    let cold = || (BuildCache::default(), Previous::default());
    let Ok(file) = std::fs::File::open(dir.join(FILE)) else { return cold() };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    // The stamp is a line before the data: another Portico's cache is not decoded at all.
    let mut line = String::new();
    if std::io::BufRead::read_line(&mut reader, &mut line).is_err() || line.trim_end() != stamp(config) {
        return cold();
    }
    let Ok(stored) = rmp_serde::from_read::<_, Stored>(reader) else { return cold() };
    let cache = BuildCache {
        catalog: Mutex::new(stored.catalog.into_iter().collect()),
        docs: Mutex::new(stored.docs.into_iter().collect()),
        inventory: Mutex::new(stored.inventory),
        apis: Mutex::new(stored.apis.into_iter().collect()),
        plugins: crate::plugins::Cache::from_entries(stored.plugins),
        ..BuildCache::default()
    };
    (cache, stored.previous)
}

/// Writes `cache` to `dir`, keeping only entries of files in `files` (sorted) and the API
/// references in `apis`, with what the build wrote.
pub fn save(
    dir: &Path,
    config: &crate::config::Config,
    cache: &BuildCache,
    files: &[String],
    apis: &[&Arc<ApiReference>],
    previous: &Previous,
) -> std::io::Result<()> {
    let exists = |f: &str| files.binary_search_by(|x| x.as_str().cmp(f)).is_ok();
    let mut catalog: Vec<((String, String), CatalogFile)> = (cache.catalog.lock().expect("cache lock").iter())
        .filter(|((file, _), _)| exists(file))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    catalog.sort_by(|a, b| a.0.cmp(&b.0));
    let mut docs: Vec<((String, String), DocsPage)> = (cache.docs.lock().expect("cache lock").iter())
        .filter(|((_, file), _)| exists(file))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    docs.sort_by(|a, b| a.0.cmp(&b.0));
    let used: HashSet<*const ApiReference> = apis.iter().map(|a| Arc::as_ptr(a)).collect();
    let apis: Vec<(Key, Arc<ApiReference>)> = (cache.apis.lock().expect("cache lock").iter())
        .filter(|(_, a)| used.contains(&Arc::as_ptr(a)))
        .map(|(k, a)| (*k, a.clone()))
        .collect();
    let stored = Stored {
        catalog,
        docs,
        inventory: *cache.inventory.lock().expect("cache lock"),
        apis,
        previous: previous.clone(),
        plugins: cache.plugins.entries(),
    };
    std::fs::create_dir_all(dir)?;
    // Like Cargo's target/: the cache keeps itself out of version control.
    if !dir.join(".gitignore").exists() {
        std::fs::write(dir.join(".gitignore"), "# Written by portico build: its build cache.\n*\n")?;
    }
    let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        std::io::Write::write_all(&mut w, format!("{}\n", stamp(config)).as_bytes())?;
        rmp_serde::encode::write_named(&mut w, &stored).map_err(std::io::Error::other)?;
        std::io::Write::flush(&mut w)
    })();
    written.and_then(|()| std::fs::rename(&tmp, dir.join(FILE))).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// A `&'static str` stored in the cache: written as `&'static str` in a field, serde would
/// borrow it from the input (which lives shorter); under this name it is deserialised by
/// [`static_str`].
pub type Interned = &'static str;

/// Deserialises a `&'static str` (diagnostic codes, relation names): each distinct string is
/// allocated once for the life of the process.
pub fn static_str<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s = String::deserialize(d)?;
    Ok(intern(s))
}

/// [`static_str`] for an optional field.
pub fn option_static_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(intern))
}

/// `s` as a `&'static str`, allocated once per distinct string for the life of the process.
pub(crate) fn intern(s: String) -> &'static str {
    static STRINGS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = STRINGS.get_or_init(Default::default).lock().expect("intern lock");
    if let Some(known) = set.get(s.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    set.insert(leaked);
    leaked
}

/// Byte strings as MessagePack binaries (serde would write a list of numbers).
pub mod bytes {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Box<[u8]>, D::Error> {
        Ok(serde_bytes_buf(d)?.into_boxed_slice())
    }

    fn serde_bytes_buf<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(Visitor)
    }
}
