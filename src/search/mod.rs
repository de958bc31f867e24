//! Search: one index of entities, docs sections and API operations, answered in memory at build
//! time (`portico search`, the preview server) and by a static, sharded export in the browser.
//!
//! Input: a resolved [`Portal`]. Output: a [`SearchIndex`] that answers [`SearchIndex::query`]
//! and writes the static files of the browser client ([`SearchIndex::export`]). The inverted
//! index is built here (`index.rs`) with tantivy's statistics, checked against tantivy in a test;
//! only this module touches tantivy.
//!
//! # Documents and fields
//!
//! Every entity, every docs section (a page split at its `h1`–`h3` headings, linking to the
//! heading's anchor) and every API operation (from [`crate::apiref`], linking to `#op-…` on the
//! API's page) is one document; see `extract.rs`. Text fields and their weights:
//!
//! | field   | entity                          | docs section             | operation                |
//! |---------|---------------------------------|--------------------------|--------------------------|
//! | `name`  | `metadata.name`                 | —                        | operation id, path       |
//! | `title` | title / display name            | heading (page title)     | summary                  |
//! | `tags`  | tags                            | page tags                | operation tags           |
//! | `owner` | owner name and display name     | the entity's owner       | the API's owner          |
//! | `meta`  | kind, type, lifecycle, system   | site, entity, page title | method, API name         |
//! | `body`  | description                     | section text             | —                        |
//!
//! plus `exact` (the whole lower-case entity name and reference, one token each) and filter
//! terms `kind:…`, `type:…`, `lifecycle:…`, `owner:…`, `tag:…`, `system:…`, `namespace:…`
//! (docs sections and operations inherit owner, system, lifecycle, namespace and tags).
//!
//! # Queries (the contract the browser client implements identically)
//!
//! - Tokens are split by `tokenize.rs`. `key:value` words with a known key are filters (values of
//!   one key are alternatives, keys are all required; `owner:` takes a name or a reference);
//!   `"…"` is a phrase; every other token is a required *term group*.
//! - A term group scores a document with the best of: the term itself (weight 1, all text
//!   fields); if it is the last word and the query does not end with a space, the
//!   [`PREFIX_MAX`] most frequent of the first [`PREFIX_WINDOW`] longer terms starting with it
//!   (weight [`PREFIX_WEIGHT`]); for
//!   a word of 5+ letters (letters only) that occurs in no `name` or `title`, the
//!   [`FUZZY_MAX`] most frequent terms one edit away (insertion, deletion, substitution or
//!   transposition) that occur in `name` or `title` (weight [`FUZZY_WEIGHT`], scored on those
//!   two fields only). A hyphenated, dotted, snake_case or camelCase word is one term, its
//!   parts joined (`payments-gateway` → `paymentsgateway`; see `tokenize.rs`).
//! - A term's score in a document is the sum over text fields of `boost × BM25`, with
//!   tantivy's BM25 (k1 = 1.2, b = 0.75, fieldnorms quantised to tantivy's 256 ids, document
//!   frequency and total tokens per field). A phrase scores like tantivy's `PhraseQuery`: BM25
//!   of the phrase frequency with the sum of its terms' idf, per field.
//! - The document score is the sum of its group scores, plus the `exact` field's BM25 × 40 when
//!   the whole query text is the document's name or reference: an exact name ranks first.
//! - A document must match every group; when no document does (and there are several groups),
//!   the results are the *partial matches*: the documents matching at least one group, scored
//!   by the sum of the groups they match (and the exact-name bonus).
//! - Results are sorted by score, then document order (`extract.rs`: entities, operations, docs
//!   sections by title words). Arithmetic is f64 in a fixed order with a portable logarithm
//!   (`score.rs`), so the browser computes bit-identical scores.

mod encode;
mod export;
mod extract;
mod filters;
mod html;
mod index;
mod query;
mod score;
mod terms;
mod tokenize;

#[cfg(test)]
mod tests;

use crate::resolve::Portal;

pub use export::SearchFiles;

/// Weight of prefix expansions of the last query term.
pub const PREFIX_WEIGHT: f64 = 0.75;
/// Weight of one-edit expansions.
pub const FUZZY_WEIGHT: f64 = 0.5;
/// How many expansions of each kind a term gets at most.
pub const PREFIX_MAX: usize = 16;
/// Prefix expansions are chosen among the first this many longer terms (in dictionary order),
/// so that they lie in one or two term files.
pub const PREFIX_WINDOW: usize = 64;
pub const FUZZY_MAX: usize = 8;
/// Shortest term (in characters) that is prefix-expanded / typo-tolerant.
pub const PREFIX_MIN_CHARS: usize = 2;
pub const FUZZY_MIN_CHARS: usize = 5;

/// Text fields, in scoring order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Name = 0,
    Title = 1,
    Tags = 2,
    Owner = 3,
    Meta = 4,
    Body = 5,
}

impl Field {
    pub(crate) const TEXT: [Field; 6] =
        [Field::Name, Field::Title, Field::Tags, Field::Owner, Field::Meta, Field::Body];
    pub(crate) const NAMES: [&'static str; 6] = ["name", "title", "tags", "owner", "meta", "body"];
    /// Boost of each text field.
    pub(crate) const BOOSTS: [f64; 6] = [10.0, 8.0, 4.0, 4.0, 1.5, 1.0];
}

/// Index of the `exact` field among the scored fields (after the text fields).
pub(crate) const EXACT: usize = 6;
pub(crate) const EXACT_BOOST: f64 = 40.0;

/// Filter keys, as written in queries (`kind:api`).
pub const FILTER_KEYS: [&str; 7] = ["kind", "type", "lifecycle", "owner", "tag", "system", "namespace"];

/// What a result shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Meta {
    /// Entity kind as written (`Component`, `API`, …), `docs` or `operation`.
    pub kind: String,
    pub title: String,
    /// Relative to the base path (`catalog/default/component/x/`, `docs/…/page/#anchor`).
    pub url: String,
    /// The owner's name (`team-a`, or `namespace/name` outside the default namespace).
    pub owner: Option<String>,
    /// Where the result lives: the entity's type, the docs site (› page), the API.
    pub context: Option<String>,
    pub excerpt: String,
}

/// One search result: what it shows, and its score (serialised as one flat object).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub meta: Meta,
    pub score: f32,
}

/// The documents of a portal, ready to be indexed ([`SearchIndex::documents`]), in batches.
pub struct Documents(Vec<Vec<extract::Doc>>);

/// Hash of everything [`SearchIndex::documents`] reads from `portal`: every entity (as a whole)
/// with its relations, every docs site's name, URL and pages (as a whole), every API reference.
/// A superset of what the documents are made of, so the same key means the same documents,
/// and far cheaper than extracting them (at 1,000 components 36 ms against 330 ms): a build
/// whose key is the previous one's keeps its index without reading the portal's text.
pub fn inputs_key(portal: &Portal) -> crate::cache::Key {
    use crate::cache::{Key, KeyHasher};
    use rayon::prelude::*;
    // MessagePack with field names: unambiguous when optional fields are skipped.
    fn encoded(value: &impl serde::Serialize) -> Vec<u8> {
        rmp_serde::to_vec_named(value).unwrap_or_default()
    }
    fn key_of(parts: impl FnOnce(&mut KeyHasher)) -> Key {
        let mut h = KeyHasher::default();
        parts(&mut h);
        h.finish()
    }
    let entities: Vec<Key> = (portal.entities.par_iter())
        .map(|(r, e)| {
            key_of(|h| {
                h.add(r.to_string().as_bytes());
                h.add(&encoded(&**e));
                for relation in portal.relations_of(r) {
                    h.add(relation.kind.as_bytes());
                    h.add(relation.target.to_string().as_bytes());
                }
            })
        })
        .collect();
    let sites: Vec<Key> = (portal.docs.sites.par_iter())
        .map(|s| {
            key_of(|h| {
                for part in [s.entity.to_string().as_str(), &s.url_base, &s.site_name] {
                    h.add(part.as_bytes());
                }
                for page in &s.pages {
                    h.add(&encoded(&**page));
                }
            })
        })
        .collect();
    let apis: Vec<Key> = (portal.apis.par_iter())
        .map(|(r, api)| key_of(|h| [r.to_string().into_bytes(), encoded(&**api)].iter().for_each(|p| h.add(p))))
        .collect();
    let plugins = key_of(|h| h.add(&encoded(&portal.plugins)));
    key_of(|h| {
        h.add(plugins.as_bytes());
        for (what, keys) in [("entities", entities), ("sites", sites), ("apis", apis)] {
            h.add(what.as_bytes());
            keys.iter().for_each(|k| h.add(k.as_bytes()));
        }
    })
}

/// The plain text of sanitised HTML (words separated as the search index splits them).
pub fn html_text(html: &str) -> String {
    html::sections(html, &[]).into_iter().map(|s| s.text).collect::<Vec<_>>().join(" ")
}

/// Options of [`SearchIndex::query`].
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// Maximum number of hits.
    pub limit: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions { limit: 10 }
    }
}

/// The search index of a portal: an inverted index in RAM and the result metadata.
pub struct SearchIndex {
    index: index::Index,
    files: std::sync::OnceLock<SearchFiles>,
}

impl SearchIndex {
    /// Indexes every entity, docs section and API operation of `portal`, a batch of documents
    /// at a time (the text of the whole portal is never held at once).
    pub fn build(portal: &Portal) -> SearchIndex {
        use rayon::prelude::*;
        let batches = extract::Batches::new(portal);
        let index = index::Index::build((0..batches.len()).into_par_iter().map(|i| batches.docs(i)));
        SearchIndex { index, files: std::sync::OnceLock::new() }
    }

    /// The first half of [`SearchIndex::build`]: what will be indexed, read out of `portal`
    /// (cheap; the preview server does it on its rebuild thread and indexes elsewhere).
    pub fn documents(portal: &Portal) -> Documents {
        let batches = extract::Batches::new(portal);
        Documents((0..batches.len()).map(|i| batches.docs(i)).collect())
    }

    /// The second half of [`SearchIndex::build`]: indexes `documents`.
    pub fn from_documents(documents: Documents) -> SearchIndex {
        use rayon::prelude::*;
        SearchIndex { index: index::Index::build(documents.0.into_par_iter()), files: std::sync::OnceLock::new() }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.index.metas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.metas.is_empty()
    }

    /// Answers `q` (see the module docs for the syntax), best first.
    pub fn query(&self, q: &str, opts: &QueryOptions) -> Vec<Hit> {
        self.search(q, opts).0
    }

    /// [`SearchIndex::query`], and whether the hits are partial matches (no document has every
    /// word of `q`).
    pub fn search(&self, q: &str, opts: &QueryOptions) -> (Vec<Hit>, bool) {
        let (hits, partial) = query::run_partial(&self.index, q, opts.limit);
        let hits = hits
            .into_iter()
            .map(|(ord, score)| {
                let meta = &self.index.metas[ord as usize];
                Hit { meta: meta.clone(), score: score as f32 }
            })
            .collect();
        (hits, partial)
    }

    /// The browser's files (computed once): every path is under `search/` and relative to the
    /// site root, and nothing depends on the base path, since the client resolves every fetch
    /// against the manifest's URL.
    pub fn export(&self) -> &SearchFiles {
        self.files.get_or_init(|| export::export(&self.index))
    }

    /// Path of the manifest relative to the site root (`search/manifest.bin`): the value
    /// of the search form's `data-manifest` attribute, after the base path.
    pub fn manifest_path(&self) -> &str {
        &self.export().manifest
    }
}
