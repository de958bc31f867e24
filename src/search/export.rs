//! The static export: the index as content-hashed files the browser client reads.
//!
//! Input: the tantivy [`Index`]. Output: [`SearchFiles`], every file under `search/`, gzip
//! members (`deflate.rs`) named `<kind>.<hash>.bin`; the client inflates them with
//! `DecompressionStream` (and uses bytes that do not start with the gzip magic as they are, in
//! case a server decoded them already). All encodings are in `encode.rs`.
//!
//! | file | content | fetched |
//! |------|---------|---------|
//! | `manifest.bin` | JSON: statistics, parameters, file tables, facet values | first query |
//! | `t.<h>.bin` | a range of the term dictionary: per term its document frequencies, its best [`TIER0`] documents' postings (term frequency and fieldnorm id per field), `exact` postings, and the metadata of its top [`INLINE_META`] results when they come from [`INLINE_FAMILIES`] families or more | per query term |
//! | `p.<h>.bin` | the remaining postings of frequent terms of consecutive term files | when the listed documents do not settle the top results |
//! | `x.<h>.bin` | positions of the terms of consecutive term files | phrase queries |
//! | `m.<h>.bin` | result metadata of a run of document ordinals (whole entity families) | results not inlined |
//! | `f.<h>.bin` | one filter key's values and their documents (runs of ordinals) | filtered queries |
//! | `v.<h>.bin` | terms of `name`/`title` with their frequency | typo tolerance |
//!
//! Term records, in dictionary order after the front-coded terms of the file:
//! `u8 flags` (bits 0–5 text fields present, 6 `exact`, 7 tiered), `varint df` per present
//! field, if tiered `f32 bound` (the best single-term score, rounded up, of a document not
//! listed) and `varint offset` into the `p` file, if a text field is present `varint offset`
//! into the `x` file, then the listed documents as a *document list* (see `encode_docs`); then
//! if `exact` `varint count` and per document `varint ordinal delta`, `varint tf`, `u8
//! fieldnorm id`. After the records: `varint count`, `varint ordinal delta`s and a meta block of
//! the inlined results. A `p` block is the document list of the unlisted documents. An `x`
//! block holds, per present text field and per document having it (in ordinal order over all
//! of the term's documents), its `tf` positions as `varint` deltas.
//!
//! A term's *listed* documents are its [`TIER0`] best by single-term score (the sum over text
//! fields of boost × BM25) when it occurs in more than [`TIER_MIN`] documents, else all of them.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde_json::json;

use super::deflate::gzip;
use super::encode::{Writer, hash, meta_block};
use super::index::{Index, VocabEntry};
use super::score::{FieldNorms, idf, weight};
use super::{
    EXACT, EXACT_BOOST, FILTER_KEYS, FUZZY_MAX, FUZZY_MIN_CHARS, FUZZY_WEIGHT, Field, PREFIX_MAX, PREFIX_MIN_CHARS,
    PREFIX_WEIGHT, PREFIX_WINDOW,
};

/// Documents listed in a frequent term's record.
pub(crate) const TIER0: usize = 40;
/// Terms in more documents than this are tiered.
pub(crate) const TIER_MIN: usize = 2 * TIER0;
/// At most this many documents with the term in `name` or `title` are listed besides the best.
pub(crate) const STRONG_MAX: usize = 1500;
/// Results whose metadata frequent terms carry.
pub(crate) const INLINE_META: usize = 10;
/// Terms in at least [`INLINE_MIN_DOCS`] documents whose top results come from at least this
/// many families carry their metadata.
pub(crate) const INLINE_FAMILIES: usize = 3;
pub(crate) const INLINE_MIN_DOCS: usize = 12;
/// Uncompressed bytes after which a term file is closed.
const SHARD_BYTES: usize = 40_000;
/// Smallest metadata chunk, in uncompressed bytes.
const META_MIN_BYTES: usize = 8_000;
/// Smallest `p` (tails) file, in uncompressed bytes.
const TAIL_MIN_BYTES: usize = 16_000;
/// Uncompressed bytes after which an `x` (positions) file is closed.
const POSITION_BYTES: usize = 120_000;
/// The tie at the boundary of the listed documents is listed whole up to this many documents.
const TIE_MAX: usize = 400;

/// The static files of the browser client.
#[derive(Clone, Debug, Default)]
pub struct SearchFiles {
    /// (path relative to the site root, content), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// Path of the manifest relative to the site root.
    pub manifest: String,
}

/// One term's encoded pieces.
struct TermData {
    flags: u8,
    dfs: Vec<u32>,
    bound: Option<f32>,
    body: Writer,
    tail: Writer,
    positions: Writer,
    inline: Vec<u32>,
}

/// Per-document fields of one term: (tf, fieldnorm id) per text field.
type DocFields = [Option<(u32, u8)>; 6];

/// A document list, column by column: `varint count`, the `varint` ordinal deltas, a `u8` field
/// mask per document, then per field (in order) the `varint` term frequencies of the documents
/// having it, then per field their `u8` fieldnorm ids.
fn encode_docs(w: &mut Writer, ords: &[u32], docs: &BTreeMap<u32, DocFields>) {
    w.varint(ords.len() as u64);
    let mut prev = 0;
    for &ord in ords {
        w.varint(u64::from(ord - prev));
        prev = ord;
    }
    for ord in ords {
        let mask = docs[ord].iter().enumerate().filter(|(_, f)| f.is_some()).fold(0u8, |m, (i, _)| m | 1 << i);
        w.byte(mask);
    }
    for f in 0..6 {
        for ord in ords {
            if let Some((tf, _)) = docs[ord][f] {
                w.varint(u64::from(tf));
            }
        }
    }
    for f in 0..6 {
        for ord in ords {
            if let Some((_, fnid)) = docs[ord][f] {
                w.byte(fnid);
            }
        }
    }
}

fn term_data(index: &Index, norms: &[FieldNorms], entry: &VocabEntry) -> TermData {
    let n = index.num_docs();
    let mut flags = 0u8;
    let mut dfs = Vec::new();
    for (f, &df) in entry.df.iter().enumerate() {
        if df > 0 {
            flags |= 1 << f;
            dfs.push(df);
        }
    }
    let mut docs: BTreeMap<u32, DocFields> = BTreeMap::new();
    let mut positions = Writer::default();
    for field in Field::TEXT {
        let f = field as usize;
        if entry.df[f] == 0 {
            continue;
        }
        let postings = index.postings(f, &entry.term, true);
        for p in &postings.list {
            let fnid = index.fieldnorm_ids[p.ord as usize][f];
            docs.entry(p.ord).or_insert([None; 6])[f] = Some((p.tf, fnid));
            let mut last = 0;
            for &pos in postings.positions_of(p) {
                positions.varint(u64::from(pos - last));
                last = pos;
            }
        }
    }
    // Single-term scores, as the client computes them.
    let weights: Vec<f64> = (0..6).map(|f| weight(idf(entry.df[f].max(1), n))).collect();
    let mut ranked: Vec<(u32, f64)> = docs
        .iter()
        .map(|(&ord, fields)| {
            let mut s = 0.0;
            for (f, field) in fields.iter().enumerate() {
                if let Some((tf, fnid)) = field {
                    s += norms[f].score(Field::BOOSTS[f], weights[f], *tf, *fnid);
                }
            }
            (ord, s)
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Listed: the best TIER0, and every document with the term in `name` or `title` (up to
    // STRONG_MAX of them), so that documents matching several terms strongly are listed for each.
    let strong = |ord: &u32| docs[ord][Field::Name as usize].is_some() || docs[ord][Field::Title as usize].is_some();
    let mut listed: std::collections::HashSet<u32> = std::collections::HashSet::new();
    let mut strong_listed = 0;
    let mut bound = None;
    for (i, (ord, s)) in ranked.iter().enumerate() {
        if i < TIER0 || docs.len() <= TIER_MIN {
            listed.insert(*ord);
        } else if strong(ord) && strong_listed < STRONG_MAX {
            listed.insert(*ord);
            strong_listed += 1;
        } else if bound.is_none() {
            bound = Some(*s);
        }
    }
    // Documents tied with the best unlisted one are listed too (when few), so that the bound
    // lies strictly below every listed score of the term.
    if let Some(b) = bound {
        let tied: Vec<u32> = ranked.iter().filter(|(o, s)| *s == b && !listed.contains(o)).map(|(o, _)| *o).collect();
        if tied.len() <= TIE_MAX {
            listed.extend(tied);
            bound = ranked.iter().find(|(o, s)| *s < b && !listed.contains(o)).map(|(_, s)| *s);
        }
    }
    let bound = bound.map(|s| {
        let m = s as f32;
        if f64::from(m) < s { m.next_up() } else { m }
    });
    let tiered = bound.is_some();
    if tiered {
        flags |= 0x80;
    }
    let mut listed: Vec<u32> = listed.into_iter().collect();
    listed.sort_unstable();
    let mut body = Writer::default();
    encode_docs(&mut body, &listed, &docs);
    let mut tail = Writer::default();
    if tiered {
        let rest: Vec<u32> = docs.keys().copied().filter(|o| listed.binary_search(o).is_err()).collect();
        encode_docs(&mut tail, &rest, &docs);
    }
    if entry.df[EXACT] > 0 {
        let postings = index.postings(EXACT, &entry.term, false).list;
        body.varint(postings.len() as u64);
        let mut prev = 0;
        for p in postings {
            body.varint(u64::from(p.ord - prev));
            prev = p.ord;
            body.varint(u64::from(p.tf));
            body.byte(index.fieldnorm_ids[p.ord as usize][EXACT]);
        }
    }
    // The top results carry their metadata when they come from several families (so that they
    // would cost several metadata chunks).
    let top: Vec<u32> = ranked.iter().take(INLINE_META).map(|r| r.0).collect();
    let mut families: Vec<usize> = top.iter().map(|&o| index.family_starts.partition_point(|&s| s <= o)).collect();
    families.dedup();
    let inline = if families.len() >= INLINE_FAMILIES && docs.len() >= INLINE_MIN_DOCS { top } else { Vec::new() };
    TermData { flags, dfs, bound, body, tail, positions, inline }
}

/// A file before compression: its kind (name prefix) and bytes.
struct Pending {
    kind: String,
    raw: Vec<u8>,
}

/// Consecutive term files share `p` and `x` files until these reach a size.
struct Group {
    writer: Writer,
    /// Index of the pending file per group, once closed.
    files: Vec<Option<usize>>,
}

impl Group {
    fn new() -> Group {
        Group { writer: Writer::default(), files: Vec::new() }
    }

    /// Closes the current group if it is big enough (or `force`).
    fn close(&mut self, pending: &mut Vec<Pending>, kind: &str, min: usize, force: bool) {
        if self.writer.len() >= min || (force && !self.writer.buf.is_empty()) {
            pending.push(Pending { kind: kind.to_owned(), raw: std::mem::take(&mut self.writer.buf) });
            self.files.push(Some(pending.len() - 1));
        } else if force {
            self.files.push(None);
        }
    }

    fn current(&self) -> usize {
        self.files.len()
    }
}

pub(crate) fn export(index: &Index) -> SearchFiles {
    let n = index.num_docs();
    let norms: Vec<FieldNorms> = index.total_tokens.iter().map(|&t| FieldNorms::new(t, n)).collect();
    let terms: Vec<TermData> = index.vocab.par_iter().map(|entry| term_data(index, &norms, entry)).collect();
    let mut pending: Vec<Pending> = Vec::new();

    // Term files: consecutive dictionary ranges of about SHARD_BYTES; their tails and
    // positions go to shared `p` and `x` files of about TAIL_BYTES and POSITION_BYTES.
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, t) in terms.iter().enumerate() {
        size += index.vocab[i].term.len() + t.body.len() + 12 + 90 * t.inline.len();
        if size >= SHARD_BYTES || i + 1 == terms.len() {
            ranges.push(start..i + 1);
            start = i + 1;
            size = 0;
        }
    }
    // The file budget left after the term, position, filter, vocabulary and manifest files is
    // shared by tails (2/5) and metadata chunks (3/5).
    let tail_bytes: usize = terms.iter().map(|t| t.tail.len()).sum();
    let position_bytes: usize = terms.iter().map(|t| t.positions.len()).sum();
    let fixed = ranges.len() + position_bytes.div_ceil(POSITION_BYTES) + FILTER_KEYS.len() + 2;
    let left = file_budget(index).saturating_sub(fixed).max(2);
    let tail_files = (left * 2 / 5).max(1);
    let meta_files = (left - tail_files).max(1);
    let tail_target = tail_bytes.div_ceil(tail_files).max(TAIL_MIN_BYTES);
    let mut tails = Group::new();
    let mut positions = Group::new();
    let mut rows = Vec::new();
    for range in &ranges {
        let main = term_file(
            index,
            &index.vocab[range.clone()],
            &terms[range.clone()],
            &mut tails.writer,
            &mut positions.writer,
        );
        pending.push(Pending { kind: "t".to_owned(), raw: main });
        rows.push((index.vocab[range.start].term.clone(), pending.len() - 1, tails.current(), positions.current()));
        tails.close(&mut pending, "p", tail_target, false);
        positions.close(&mut pending, "x", POSITION_BYTES, false);
    }
    tails.close(&mut pending, "p", tail_target, true);
    positions.close(&mut pending, "x", POSITION_BYTES, true);

    let mut filter_rows = Vec::new();
    for (k, key) in FILTER_KEYS.iter().enumerate() {
        let prefix = format!("{key}:");
        let values: Vec<&(String, Vec<u32>)> = index.filters.iter().filter(|(t, _)| t.starts_with(&prefix)).collect();
        if values.is_empty() {
            continue;
        }
        let mut w = Writer::default();
        w.varint(values.len() as u64);
        for (i, (term, docs)) in values.iter().enumerate() {
            w.string(&term[prefix.len()..]);
            match values[..i].iter().position(|(_, d)| d == docs) {
                Some(same) => w.varint(same as u64 + 1),
                None => {
                    w.varint(0);
                    runs(&mut w, docs);
                }
            }
        }
        pending.push(Pending { kind: format!("f{k}"), raw: w.buf });
        filter_rows.push((*key, pending.len() - 1));
    }

    let mut vocab = Writer::default();
    let fuzzy: Vec<&VocabEntry> = index
        .vocab
        .iter()
        .filter(|e| {
            e.in_name_or_title()
                && e.term.chars().count() + 1 >= FUZZY_MIN_CHARS
                && e.term.chars().all(char::is_alphabetic)
        })
        .collect();
    vocab.varint(fuzzy.len() as u64);
    let mut prev = "";
    for e in &fuzzy {
        vocab.front(prev, &e.term);
        vocab.varint(e.text_df());
        prev = &e.term;
    }
    pending.push(Pending { kind: "v".to_owned(), raw: vocab.buf });
    let vocab_file = pending.len() - 1;

    let chunks = meta_chunks(index, meta_files);
    let mut meta_rows = Vec::new();
    for range in &chunks {
        let mut w = Writer::default();
        let metas: Vec<_> = index.metas[range.clone()].iter().collect();
        meta_block(&mut w, &metas);
        pending.push(Pending { kind: "m".to_owned(), raw: w.buf });
        meta_rows.push((range.start, pending.len() - 1));
    }

    // Compress and name everything, then write the manifest.
    let packed: Vec<(String, Vec<u8>)> = pending
        .par_iter()
        .map(|p| {
            let packed = gzip(&p.raw);
            (format!("{}.{}.bin", p.kind, hash(&packed)), packed)
        })
        .collect();
    let name = |i: usize| packed[i].0.clone();
    let group_name = |group: &Group, g: usize| group.files.get(g).copied().flatten().map(name);
    let shard_table: Vec<serde_json::Value> = rows
        .iter()
        .map(|(first, t, p, x)| json!([first, name(*t), group_name(&tails, *p), group_name(&positions, *x)]))
        .collect();
    let meta_table: Vec<serde_json::Value> = meta_rows.iter().map(|(start, m)| json!([start, name(*m)])).collect();
    let filter_table: serde_json::Map<String, serde_json::Value> =
        filter_rows.iter().map(|(key, f)| ((*key).to_owned(), json!(name(*f)))).collect();
    let manifest = json!({
        "version": 1,
        "docs": n,
        "fields": Field::NAMES.iter().copied().chain(["exact"]).collect::<Vec<_>>(),
        "boosts": Field::BOOSTS.iter().copied().chain([EXACT_BOOST]).collect::<Vec<_>>(),
        "tokens": index.total_tokens,
        "params": {
            "prefixWeight": PREFIX_WEIGHT, "prefixMax": PREFIX_MAX, "prefixMin": PREFIX_MIN_CHARS,
            "prefixWindow": PREFIX_WINDOW,
            "fuzzyWeight": FUZZY_WEIGHT, "fuzzyMax": FUZZY_MAX, "fuzzyMin": FUZZY_MIN_CHARS,
        },
        "filterKeys": FILTER_KEYS,
        "terms": shard_table,
        "meta": meta_table,
        "filters": filter_table,
        "vocab": name(vocab_file),
        "facets": facets(index),
    });
    let manifest_packed = gzip(manifest.to_string().as_bytes());
    // The one name without a hash: pages point at it, so a changed index changes no page (the
    // preview server swaps the index without re-rendering, and a deploy uploads only what
    // changed). It is tiny, and every file it names is content-hashed.
    let manifest_name = "manifest.bin";
    let mut files: Vec<(String, Vec<u8>)> =
        packed.into_iter().map(|(name, bytes)| (format!("search/{name}"), bytes)).collect();
    files.push((format!("search/{manifest_name}"), manifest_packed));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    SearchFiles { files, manifest: format!("search/{manifest_name}") }
}

/// Files the export may use: a fiftieth of the portal's pages (entity pages and docs pages)
/// plus 100.
fn file_budget(index: &Index) -> usize {
    let mut pages = std::collections::HashSet::new();
    let mut entities = 0;
    for m in &index.metas {
        match m.kind.as_str() {
            "docs" => {
                pages.insert(m.url.split('#').next().unwrap_or(""));
            }
            "operation" => {}
            _ => entities += 1,
        }
    }
    (entities + pages.len()) / 50 + 100
}

/// Ordinal ranges of the metadata chunks: at most `max` of about equal size (at least
/// [`META_MIN_BYTES`] uncompressed), each ending at a family start unless three times too big.
fn meta_chunks(index: &Index, max: usize) -> Vec<std::ops::Range<usize>> {
    let size = |m: &super::Meta| m.title.len() + m.url.len() / 3 + m.excerpt.len() + 8;
    let total: usize = index.metas.iter().map(size).sum();
    let target = total.div_ceil(max).max(META_MIN_BYTES);
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (ord, meta) in index.metas.iter().enumerate() {
        let at_family = index.family_starts.binary_search(&(ord as u32)).is_ok();
        if ord > start && ((used >= target && at_family) || used >= 3 * target) {
            out.push(start..ord);
            start = ord;
            used = 0;
        }
        used += size(meta);
    }
    if start < index.metas.len() {
        out.push(start..index.metas.len());
    }
    out
}

/// A sorted ordinal list as `varint runs`, then per run `varint gap` (from the end of the
/// previous run) and `varint length`.
fn runs(w: &mut Writer, docs: &[u32]) {
    let mut list = Vec::new();
    for &d in docs {
        match list.last_mut() {
            Some((start, len)) if *start + *len == d => *len += 1,
            _ => list.push((d, 1u32)),
        }
    }
    w.varint(list.len() as u64);
    let mut end = 0;
    for (start, len) in list {
        w.varint(u64::from(start - end));
        w.varint(u64::from(len));
        end = start + len;
    }
}

/// One term file; its tails and positions are appended to `tails` and `positions`.
fn term_file(
    index: &Index,
    entries: &[VocabEntry],
    terms: &[TermData],
    tails: &mut Writer,
    positions: &mut Writer,
) -> Vec<u8> {
    let mut main = Writer::default();
    main.varint(entries.len() as u64);
    let mut prev = "";
    for e in entries {
        main.front(prev, &e.term);
        prev = &e.term;
    }
    let mut inline = std::collections::BTreeSet::new();
    for t in terms {
        main.byte(t.flags);
        for &df in &t.dfs {
            main.varint(u64::from(df));
        }
        if let Some(bound) = t.bound {
            main.f32(bound);
            main.varint(tails.len() as u64);
            tails.buf.extend(&t.tail.buf);
        }
        if t.flags & 0x3f != 0 {
            main.varint(positions.len() as u64);
            positions.buf.extend(&t.positions.buf);
        }
        main.buf.extend(&t.body.buf);
        inline.extend(t.inline.iter().copied());
    }
    main.varint(inline.len() as u64);
    let mut prev = 0;
    for &ord in &inline {
        main.varint(u64::from(ord - prev));
        prev = ord;
    }
    let metas: Vec<_> = inline.iter().map(|&o| &index.metas[o as usize]).collect();
    meta_block(&mut main, &metas);
    main.buf
}

/// Facet values the client offers: per key, (value, documents) by frequency.
fn facets(index: &Index) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &index.metas {
        if let Some(o) = &m.owner {
            *owners.entry(o).or_default() += 1;
        }
    }
    for key in ["kind", "type", "lifecycle", "owner", "tag", "system", "namespace"] {
        let prefix = format!("{key}:");
        let mut values: Vec<(String, usize)> = if key == "owner" {
            owners.iter().map(|(o, c)| ((*o).to_owned(), *c)).collect()
        } else {
            index
                .filters
                .iter()
                .filter_map(|(t, docs)| t.strip_prefix(&prefix).map(|v| (v.to_owned(), docs.len())))
                .filter(|(v, _)| !v.contains(':') && (key != "system" || !v.contains('/')))
                .collect()
        };
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        values.truncate(100);
        if !values.is_empty() {
            out.insert(key.to_owned(), json!(values));
        }
    }
    serde_json::Value::Object(out)
}
