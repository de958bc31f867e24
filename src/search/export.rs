//! The static export: the index as files the browser client reads.
//!
//! Input: the [`Index`]. Output: [`SearchFiles`], every file under `search/`, gzip (flate2, no
//! timestamp: the same index gives the same bytes) named `<kind>-<i>.<gen>.bin` (`i` its index
//! among the files, `gen` a hash of all of them: a changed index changes every name, and a name
//! never changes its content, so they are cached for good), and `manifest.bin`; the client
//! inflates them with `DecompressionStream` (and uses bytes that do not start with the gzip
//! magic as they are, in case a server decoded them already).
//!
//! Files read in part (`t`, `p`, `x`, `m`) are *pieces*, gzip members concatenated, each
//! compressed on its own: the client fetches a piece with an HTTP range request (`Range:
//! bytes=a-b`, which GitHub Pages, S3 and common web servers honour), so that a query pays for
//! the tiers or the results it needs rather than for their neighbours. From a server that
//! answers a range request with the whole file (`200`), it keeps the file and cuts the pieces
//! from it. No query reads a piece whose size grows with the portal unless its scores need it:
//! the dictionary has two levels and a frequent term's documents are cut in tiers by score. The
//! encodings of values are in `encode.rs`, a term's pieces are made in `terms.rs`. At most
//! [`file_budget`] files.
//!
//! | file | content | fetched |
//! |------|---------|---------|
//! | `manifest.bin` | JSON: statistics, parameters, runs of file kinds, tables of the files below, facet values | first query |
//! | `t-<i>` | a range of the term dictionary: a directory piece, then [`SHARDS_PER_FILE`] *shards* (pieces): per term its record (see below), then the metadata of the documents the records carry | the directory, then a shard per query term |
//! | `x-<i>` | pieces: per term the positions its record does not carry (those of the listed documents when the record does not list every document having the term outside `body`), then those of each tier | pieces for phrase queries |
//! | `p-<i>` | pieces: per term its out-of-line record (see below), then the *tiers* of its documents its record does not list | a record when its best score can reach the results; a tier when the documents known do not settle the top results |
//! | `m-<i>` | pieces: the `varint count` and `varint` lengths of the pieces after it, then result metadata of a run of ordinals (entities, operations or docs sections: see `extract.rs` for their order), [`META_PIECE`] documents a piece | the first piece and the pieces of results not carried by the term files |
//! | `f<k>-<i>` | values of filter key `k` (a range of them by *name part*, the last segment of `kind:namespace/name`, so that the forms of one reference lie together) and their documents (runs of ordinals) | filtered queries |
//! | `v-<i>` | terms of `name`/`title` with their frequency | typo tolerance |
//!
//! The manifest's `files` lists runs of kinds (`[["t", 9], ["x", 3], …]`: files 0–8 are `t`,
//! 9–11 `x`, …) and `gen`; tables refer to files by index: `terms` (per term file its first
//! term, file, length of its directory piece and number of its first shard; `shards` counts
//! them), `meta` (first ordinal, file and length of the first piece), `filters` (per key, first
//! name part and file of each filter file), `vocab`, `metaPiece`.
//!
//! A directory piece: `varint count`, the front-coded first terms of the file's shards, their
//! `varint` lengths (they follow it). A shard: `varint count`, the front-coded terms (text
//! terms and the keys of `exact` values, see [`exact_key`]), then per term its record: `u8
//! flags` (bits 0–5 text fields present, 6 `exact` values, 7 tiered), `u8 extra` (bit 0: the
//! record lists every document having the term outside `body` and carries the positions of the
//! documents it lists; bit 1: it lists every entity having the term; bit 3: split tiers, see
//! below), `varint df` per present
//! text field; if tiered `f32 bound` (the best single-term score of an unlisted document,
//! rounded up), `varint` tier count, `varint file` and `varint offset` of its tiers, with extra
//! bit 3 (the tiers are two sequences, the unlisted entities' then the other documents':
//! `terms.rs`, `EXTRA_SPLIT`) `varint` the entities' tier count and `f32` the best score of an
//! unlisted entity and of another unlisted document, and per tier `varint length` and `f32`
//! the best score of the tiers after it in its sequence (-inf after the last);
//! if it has positions pieces (text fields, and tiered or not extra bit 0) `varint file`,
//! `varint offset` and the `varint length` of each: the listed documents' (0 with extra bit 0),
//! then each tier's; if `body` is present `f32` the largest `tf / (tf + norm)` of its `body`
//! occurrences (rounded up: it bounds a phrase's `body` score); if a text field is present the
//! listed documents as a *document list* (`terms.rs`, `encode_docs`), and with extra bit 0
//! their positions (per field, per document having it, `tf` `varint` deltas); if flags bit 6,
//! `varint count` and per `exact` value its string and `varint count` documents as `varint
//! ordinal delta`, `varint tf`, `u8 fieldnorm id`. After the records: `varint count`, `varint
//! ordinal deltas` and a meta block of the documents the records carry (a term's
//! [`INLINE_META`](super::terms::INLINE_META) best when they lie in several metadata chunks).
//!
//! A record larger than [`Limits::out_of_line`](super::terms::Limits) (a frequent term's: it
//! grows with the portal) is kept *out of line*: its shard holds a stub, `u8 flags`, `u8 extra`
//! with bit 2 set, the `varint df`s, `f32` the best single-term score of its documents other
//! than the stub's (rounded up), the `varint file`, `varint offset` and `varint length` of the
//! record's piece in a `p` file, a document list of its best documents (`Limits::stub_docs`,
//! `terms.rs`, `encode_docs`), then its `exact` values; the piece holds the record from the tiers'
//! bound on, without the tiers' file and offset (they follow the piece), then `varint count`,
//! `varint ordinal deltas` and a meta block of the documents it carries. So a prefix that
//! expands to frequent terms reads small shards, and a term's record only when its documents
//! beyond its best few can reach the results.
//!
//! A tier is a document list (by ordinal), or with extra bit 0 (its documents have the term in
//! `body` only and are not entities) `varint count`, `varint ordinal deltas`, `varint tf`s and
//! a `u8` fieldnorm id each. A positions piece holds, per field, per document having it (with
//! extra bit 0 a tier's `body` only), its `tf` positions as `varint` deltas.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use serde_json::json;

use super::encode::{Writer, meta_block};
use super::filters::{facets, filter_file, filter_files, name_part};
use super::index::{Index, VocabEntry};
use super::score::FieldNorms;
use super::terms::{EXTRA_OUT_OF_LINE, EXTRA_SHORT_COMPLETE, EXTRA_SPLIT, Limits, TermData, term_data};
use super::{
    EXACT, EXACT_BOOST, FILTER_KEYS, FUZZY_MAX, FUZZY_MIN_CHARS, FUZZY_WEIGHT, Field, PREFIX_MAX, PREFIX_MIN_CHARS,
    PREFIX_WEIGHT, PREFIX_WINDOW,
};

/// Smallest term file, in (estimated) uncompressed bytes.
const SHARD_MIN_BYTES: usize = 6_000;
/// Shards per term file (the manifest lists the files, each file's directory its shards).
const SHARDS_PER_FILE: usize = 16;
/// Smallest metadata chunk, in (estimated) uncompressed bytes.
const META_MIN_BYTES: usize = 8_000;
/// Documents per separately compressed piece of a metadata chunk.
const META_PIECE: usize = 6;
/// gzip levels of pieces (read by range) and of files read whole, by measurement at 10,000
/// components: pieces at 6 are as small as at 9 (66.6 against 67.3 MB in all) for half the
/// export's CPU time (6.5 against 13.1 s); files read whole are few and small, at 9.
const PIECE_LEVEL: u32 = 6;
const FILE_LEVEL: u32 = 9;
/// Shares of the file budget (after filters and vocabulary) for tails, positions and metadata.
const TAIL_SHARE: (usize, usize) = (1, 40);
const POSITION_SHARE: (usize, usize) = (1, 40);
const META_SHARE: (usize, usize) = (1, 12);

/// The static files of the browser client.
#[derive(Clone, Debug, Default)]
pub struct SearchFiles {
    /// (path relative to the site root, content), sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// Path of the manifest relative to the site root.
    pub manifest: String,
}

/// gzip of `data` at `level` (zlib-rs), without a timestamp or file name. Each thread keeps one
/// compressor per level: the export compresses hundreds of thousands of small pieces, and a
/// fresh compressor's state (hundreds of KB) would cost more than compressing them.
fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    thread_local! {
        static COMPRESSORS: std::cell::RefCell<Vec<(u32, flate2::Compress)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    // RFC 1952 header: magic, deflate, no flags, no time, no extra flags, unknown OS.
    out.extend([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    COMPRESSORS.with_borrow_mut(|compressors| {
        let slot = match compressors.iter().position(|(l, _)| *l == level) {
            Some(slot) => slot,
            None => {
                compressors.push((level, flate2::Compress::new(flate2::Compression::new(level), false)));
                compressors.len() - 1
            }
        };
        let compress = &mut compressors[slot].1;
        compress.reset();
        loop {
            out.reserve(data.len() / 4 + 64);
            let read = compress.total_in() as usize;
            let status = compress
                .compress_vec(&data[read..], &mut out, flate2::FlushCompress::Finish)
                .expect("deflate into memory");
            if status == flate2::Status::StreamEnd {
                break;
            }
        }
    });
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend(crc.sum().to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// A term of the exported dictionary: a term of the text fields, or the key of the entity
/// names and references found exactly by queries of the same terms (`exact_key`), or both.
pub(crate) struct Key {
    pub term: String,
    /// Its vocabulary entry, if it occurs in a text field.
    pub text: Option<usize>,
    /// Vocabulary entries of `exact` values with this key.
    pub exact: Vec<usize>,
}

/// Where the `exact` postings of a value are: under its query terms joined, so that the
/// lookup of a whole query (`svc-42`) lies beside its term (`svc42`).
pub(crate) fn exact_key(value: &str) -> String {
    super::tokenize::query_terms(value).concat()
}

fn keys(index: &Index) -> Vec<Key> {
    let mut keys: BTreeMap<String, Key> = BTreeMap::new();
    for (i, e) in index.vocab.iter().enumerate() {
        if e.in_text() {
            keys.entry(e.term.clone())
                .or_insert_with(|| Key { term: e.term.clone(), text: None, exact: Vec::new() })
                .text = Some(i);
        }
        if e.df[EXACT] > 0 {
            let key = exact_key(&e.term);
            keys.entry(key.clone()).or_insert_with(|| Key { term: key, text: None, exact: Vec::new() }).exact.push(i);
        }
    }
    keys.into_values().collect()
}

/// Ranges of terms of about `target` bytes (estimated): each closes, once big enough, where
/// the next term shares the shortest prefix with the previous one within the next half
/// `target`, so that a word being typed finds its longer terms in the same file.
fn shard_runs(keys: &[Key], terms: &[TermData], out_of_line: &[bool], target: usize) -> Vec<Range<usize>> {
    let size = |i: usize| {
        let record = if out_of_line[i] { 16 + terms[i].stub.len() } else { record_size(&terms[i]) };
        keys[i].term.len() + record + 40 * keys[i].exact.len()
    };
    let shared = |i: usize| {
        let (a, b) = (keys[i].term.as_bytes(), keys[i + 1].term.as_bytes());
        a.iter().zip(b).take_while(|(x, y)| x == y).count()
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = 0;
    let mut i = 0;
    while i < terms.len() {
        used += size(i);
        if used >= target && i + 1 < terms.len() {
            // The best cut within the look-ahead: after `best`.
            let (mut best, mut best_shared) = (i, shared(i));
            let mut extra = 0;
            let mut j = i + 1;
            while best_shared > 0 && j + 1 < terms.len() && extra + size(j) < target / 2 {
                extra += size(j);
                if shared(j) < best_shared {
                    (best, best_shared) = (j, shared(j));
                }
                j += 1;
            }
            out.push(start..best + 1);
            start = best + 1;
            used = 0;
            i = best + 1;
            continue;
        }
        i += 1;
    }
    if start < terms.len() {
        out.push(start..terms.len());
    }
    out
}

/// Where each term's tail or positions block lies: (file group, offset), by term; blocks are
/// the compressed pieces, empty for a term without one (then `usize::MAX`).
fn groups(blocks: &[Vec<u8>], target: usize) -> (usize, Vec<(usize, usize)>) {
    let mut at = Vec::with_capacity(blocks.len());
    let mut group = 0;
    let mut used = 0;
    for block in blocks {
        if block.is_empty() {
            at.push((usize::MAX, 0));
            continue;
        }
        if used >= target {
            group += 1;
            used = 0;
        }
        at.push((group, used));
        used += block.len();
    }
    (if used > 0 || group > 0 { group + 1 } else { 0 }, at)
}

/// Estimated uncompressed size of a document's metadata.
fn meta_size(m: &super::Meta) -> usize {
    m.title.len() + m.url.len() / 3 + m.excerpt.len() + 8
}

pub(crate) fn export(index: &Index) -> SearchFiles {
    export_with(index, &Limits::default())
}

pub(crate) fn export_with(index: &Index, limits: &Limits) -> SearchFiles {
    let n = index.num_docs();
    let norms: Vec<FieldNorms> = index.total_tokens.iter().map(|&t| FieldNorms::new(t, n)).collect();
    let filters = filter_files(index);
    // The budget ([`file_budget`]): the filters, the vocabulary, the metadata lengths and the
    // manifest; a [`TAIL_SHARE`] for tails, a [`POSITION_SHARE`] for positions and a
    // [`META_SHARE`] for metadata (read in pieces, so their number only matters to a server
    // without range requests); term files, which queries read whole, get the rest, of at least
    // [`SHARD_MIN_BYTES`].
    let budget = file_budget(index);
    let avail = budget.saturating_sub(3 + filters.len()).max(4);
    let tail_files = (avail * TAIL_SHARE.0 / TAIL_SHARE.1).max(1);
    let position_files = (avail * POSITION_SHARE.0 / POSITION_SHARE.1).max(1);
    let total: usize = index.metas.iter().map(meta_size).sum();
    let meta_files = (avail * META_SHARE.0 / META_SHARE.1).max(1);
    let chunks = {
        let mut target = total.div_ceil(meta_files).max(META_MIN_BYTES);
        loop {
            let chunks = meta_chunks(index, target);
            if chunks.len() <= meta_files || target > total {
                break chunks;
            }
            target += target / 16;
        }
    };
    // The first ordinal of every metadata piece.
    let piece_starts: Vec<u32> = chunks.iter().flat_map(|r| r.clone().step_by(META_PIECE)).map(|o| o as u32).collect();
    let keys = keys(index);
    let pack = |bytes: &[u8]| gzip(bytes, PIECE_LEVEL);
    let mut terms: Vec<TermData> = keys
        .par_iter()
        .map(|k| k.text.map(|i| term_data(index, &norms, &piece_starts, limits, i, &pack)).unwrap_or_default())
        .collect();
    let out_of_line: Vec<bool> =
        terms.iter().map(|t| t.flags & 0x3f != 0 && record_size(t) > limits.out_of_line).collect();
    let shard_files = avail.saturating_sub(tail_files + position_files + chunks.len()).max(1);
    let mut shard_target = SHARD_MIN_BYTES;
    let shards = loop {
        let shards = shard_runs(&keys, &terms, &out_of_line, shard_target);
        if shards.len().div_ceil(SHARDS_PER_FILE) <= shard_files {
            break shards;
        }
        shard_target += shard_target / 16;
    };
    let term_files = shards.len().div_ceil(SHARDS_PER_FILE);
    // Tiers and positions are compressed piece by piece (`terms.rs`): a client fetches one with
    // an HTTP range request (or, from a server without ranges, the whole file once). Positions
    // files come before tails files: an out-of-line record, in front of its tiers, locates its
    // positions.
    let positions: Vec<Vec<u8>> = terms.iter_mut().map(|t| std::mem::take(&mut t.positions)).collect();
    let sum = |blocks: &[Vec<u8>]| blocks.iter().map(Vec::len).sum::<usize>();
    let (position_files, position_at) = groups(&positions, sum(&positions).div_ceil(position_files));
    let t0 = 0;
    let x0 = t0 + term_files;
    let p0 = x0 + position_files;
    // An empty block has no file (`usize::MAX`); its location is never written.
    let at = |base: usize, (file, offset): (usize, usize), len: usize| (base.saturating_add(file), offset, len);
    // Out-of-line records: a piece in front of the term's tiers, with the metadata of the
    // documents it carries; `record_lens` their lengths (0 for a record in its shard).
    let (tails, record_lens): (Vec<Vec<u8>>, Vec<usize>) = terms
        .par_iter_mut()
        .enumerate()
        .map(|(i, t)| {
            let tail = std::mem::take(&mut t.tail);
            if !out_of_line[i] {
                return (tail, 0);
            }
            let mut w = Writer::default();
            write_record(&mut w, t, None, at(x0, position_at[i], positions[i].len()));
            ords_and_meta(&mut w, index, &t.inline);
            let piece = gzip(&w.buf, PIECE_LEVEL);
            let len = piece.len();
            ([piece, tail].concat(), len)
        })
        .unzip();
    let (tail_files, tail_at) = groups(&tails, sum(&tails).div_ceil(tail_files));

    // Metadata chunks are pieces of [`META_PIECE`] documents, compressed one by one, after a
    // first piece holding their lengths: the client fetches the pieces of its results with
    // range requests.
    let meta_files: Vec<(Vec<u8>, usize)> = chunks
        .par_iter()
        .map(|range| {
            let ords: Vec<usize> = range.clone().collect();
            let pieces: Vec<Vec<u8>> = ords
                .chunks(META_PIECE)
                .map(|piece| {
                    let mut w = Writer::default();
                    let metas: Vec<_> = piece.iter().map(|&o| &index.metas[o]).collect();
                    meta_block(&mut w, &metas);
                    gzip(&w.buf, PIECE_LEVEL)
                })
                .collect();
            let mut lengths = Writer::default();
            lengths.varint(pieces.len() as u64);
            for piece in &pieces {
                lengths.varint(piece.len() as u64);
            }
            let header = gzip(&lengths.buf, PIECE_LEVEL);
            let header_len = header.len();
            ([header, pieces.concat()].concat(), header_len)
        })
        .collect();

    // File indices: term files, positions, tails, metadata, filters, vocabulary.
    let m0 = p0 + tail_files;
    let f0 = m0 + chunks.len();
    let v0 = f0 + filters.len();

    // (kind, bytes, whether the bytes are compressed pieces already).
    let mut raw: Vec<(String, Vec<u8>, bool)> = Vec::with_capacity(v0 + 1);
    let shard_bytes: Vec<Vec<u8>> = shards
        .par_iter()
        .map(|range| {
            let locate = |i: usize| {
                let tail = at(p0, tail_at[i], if out_of_line[i] { record_lens[i] } else { tails[i].len() });
                (tail, at(x0, position_at[i], positions[i].len()))
            };
            gzip(&term_file(index, &keys, &terms, &out_of_line, range.clone(), &locate), FILE_LEVEL)
        })
        .collect();
    // Term files: a directory piece (`varint count`, the front-coded first keys of its shards,
    // their `varint` lengths), then the shards.
    let mut directories = Vec::with_capacity(term_files);
    for (f, group) in shard_bytes.chunks(SHARDS_PER_FILE).enumerate() {
        let first = f * SHARDS_PER_FILE;
        let mut dir = Writer::default();
        dir.varint(group.len() as u64);
        let mut prev = "";
        for range in &shards[first..first + group.len()] {
            dir.front(prev, &keys[range.start].term);
            prev = &keys[range.start].term;
        }
        for bytes in group {
            dir.varint(bytes.len() as u64);
        }
        let dir = gzip(&dir.buf, FILE_LEVEL);
        directories.push(dir.len());
        let mut file = dir;
        for bytes in group {
            file.extend(bytes);
        }
        raw.push(("t".to_owned(), file, true));
    }
    drop(shard_bytes);
    raw.extend(concat_groups(&positions, &position_at, position_files).into_iter().map(|b| ("x".to_owned(), b, true)));
    raw.extend(concat_groups(&tails, &tail_at, tail_files).into_iter().map(|b| ("p".to_owned(), b, true)));
    raw.extend(meta_files.iter().map(|(bytes, _)| ("m".to_owned(), bytes.clone(), true)));
    for (k, values) in &filters {
        raw.push((format!("f{k}"), filter_file(values), false));
    }
    raw.push(("v".to_owned(), vocab_file(index), false));

    let packed: Vec<(String, Vec<u8>)> = raw
        .into_par_iter()
        .map(|(kind, bytes, pieces)| {
            let packed = if pieces { bytes } else { gzip(&bytes, FILE_LEVEL) };
            (kind, packed)
        })
        .collect();
    // One generation for all files (a hash of them all): a file's name is its kind, its index
    // and the generation, so the manifest lists only runs of kinds.
    let generation = {
        let mut hasher = blake3::Hasher::new();
        for (kind, bytes) in &packed {
            hasher.update(format!("{kind} {}\n", bytes.len()).as_bytes());
            hasher.update(bytes);
        }
        hasher.finalize().to_hex()[..10].to_owned()
    };
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for (kind, _) in &packed {
        match kinds.last_mut() {
            Some((last, count)) if last == kind => *count += 1,
            _ => kinds.push((kind.clone(), 1)),
        }
    }
    let packed: Vec<(String, Vec<u8>)> = packed
        .into_iter()
        .enumerate()
        .map(|(i, (kind, bytes))| (format!("{kind}-{i}.{generation}.bin"), bytes))
        .collect();
    let shard_table: Vec<serde_json::Value> = directories
        .iter()
        .enumerate()
        .map(|(f, dir)| json!([keys[shards[f * SHARDS_PER_FILE].start].term, t0 + f, dir, f * SHARDS_PER_FILE]))
        .collect();
    let meta_table: Vec<serde_json::Value> = chunks
        .iter()
        .zip(&meta_files)
        .enumerate()
        .map(|(c, (r, (_, header)))| json!([r.start, m0 + c, header]))
        .collect();
    let mut filter_table = serde_json::Map::new();
    for (i, (k, values)) in filters.iter().enumerate() {
        let entry = filter_table.entry(FILTER_KEYS[*k]).or_insert_with(|| json!([]));
        entry.as_array_mut().expect("an array").push(json!([name_part(values[0].0), f0 + i]));
    }
    let manifest = json!({
        "version": 2,
        "docs": n,
        "entities": index.entities,
        "fields": Field::NAMES.iter().copied().chain(["exact"]).collect::<Vec<_>>(),
        "boosts": Field::BOOSTS.iter().copied().chain([EXACT_BOOST]).collect::<Vec<_>>(),
        "tokens": index.total_tokens,
        "params": {
            "prefixWeight": PREFIX_WEIGHT, "prefixMax": PREFIX_MAX, "prefixMin": PREFIX_MIN_CHARS,
            "prefixWindow": PREFIX_WINDOW,
            "fuzzyWeight": FUZZY_WEIGHT, "fuzzyMax": FUZZY_MAX, "fuzzyMin": FUZZY_MIN_CHARS,
        },
        "filterKeys": FILTER_KEYS,
        "gen": generation,
        "files": kinds,
        "terms": shard_table,
        "shards": shards.len(),
        "meta": meta_table,
        "filters": filter_table,
        "vocab": v0,
        "metaPiece": META_PIECE,
        "facets": facets(index),
    });
    let manifest_packed = gzip(manifest.to_string().as_bytes(), FILE_LEVEL);
    // The one name without a hash: pages point at it, so a changed index changes no page (the
    // preview server swaps the index without re-rendering, and a deploy uploads only what
    // changed). It is small, and every file it names is content-hashed.
    let manifest_name = "manifest.bin";
    let mut files: Vec<(String, Vec<u8>)> =
        packed.into_iter().map(|(name, bytes)| (format!("search/{name}"), bytes)).collect();
    files.push((format!("search/{manifest_name}"), manifest_packed));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    SearchFiles { files, manifest: format!("search/{manifest_name}") }
}

/// The blocks of each group, concatenated.
fn concat_groups(blocks: &[Vec<u8>], at: &[(usize, usize)], count: usize) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::new(); count];
    for (block, &(group, offset)) in blocks.iter().zip(at) {
        if group != usize::MAX {
            debug_assert_eq!(out[group].len(), offset);
            out[group].extend(block);
        }
    }
    out
}

/// Files the export may use: a fiftieth of the portal's pages (entity pages and docs pages)
/// plus 100, less the search page and the client script, which count too.
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
    (entities + pages.len()) / 50 + 100 - 2
}

/// Ordinal ranges of the metadata chunks: of about `target` (estimated) bytes, none across
/// the boundaries of the entities, the operations and the docs sections.
fn meta_chunks(index: &Index, target: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (ord, meta) in index.metas.iter().enumerate() {
        let boundary = ord == index.entities as usize || ord == index.sections as usize;
        if ord > start && (used >= target || boundary) {
            out.push(start..ord);
            start = ord;
            used = 0;
        }
        used += meta_size(meta);
    }
    if start < index.metas.len() {
        out.push(start..index.metas.len());
    }
    out
}

/// Where a piece lies: (file index, offset, length).
type Piece = (usize, usize, usize);

/// Estimated uncompressed size of a term's record in its shard, with the metadata it carries.
fn record_size(t: &TermData) -> usize {
    t.record.len() + 8 + 8 * t.tiers.len() + 4 * t.position_lens.len() + 100 * t.inline.len()
}

/// A record after its `dfs`: tiers (their file and offset unless they follow the record),
/// positions pieces, `body` fraction and the listed documents.
fn write_record(w: &mut Writer, t: &TermData, tail: Option<(usize, usize)>, positions: Piece) {
    if let Some(bound) = t.bound {
        w.f32(bound);
        w.varint(t.tiers.len() as u64);
        if let Some((file, offset)) = tail {
            w.varint(file as u64);
            w.varint(offset as u64);
        }
        if t.extra & EXTRA_SPLIT != 0 {
            w.varint(t.entity_tiers as u64);
            w.f32(t.split_bounds.0);
            w.f32(t.split_bounds.1);
        }
        for &(len, after) in &t.tiers {
            w.varint(len as u64);
            w.f32(after);
        }
    }
    if !t.position_lens.is_empty() {
        w.varint(positions.0 as u64);
        w.varint(positions.1 as u64);
        for &len in &t.position_lens {
            w.varint(len as u64);
        }
    }
    debug_assert_eq!(
        !t.position_lens.is_empty(),
        t.flags & 0x3f != 0 && (t.extra & EXTRA_SHORT_COMPLETE == 0 || t.bound.is_some())
    );
    if let Some(frac) = t.body_frac {
        w.f32(frac);
    }
    w.buf.extend(&t.record.buf);
}

/// One term file; `locate(i)` gives the pieces of term `i`'s tail (of its out-of-line record
/// when it has one) and positions.
fn term_file(
    index: &Index,
    keys: &[Key],
    terms: &[TermData],
    out_of_line: &[bool],
    range: Range<usize>,
    locate: &(dyn Fn(usize) -> (Piece, Piece) + Sync),
) -> Vec<u8> {
    let mut main = Writer::default();
    main.varint(range.len() as u64);
    let mut prev = "";
    for k in &keys[range.clone()] {
        main.front(prev, &k.term);
        prev = &k.term;
    }
    let mut inline = std::collections::BTreeSet::new();
    for i in range {
        let t = &terms[i];
        let (tail, positions) = locate(i);
        main.byte(t.flags | if keys[i].exact.is_empty() { 0 } else { 0x40 });
        if out_of_line[i] {
            main.byte(t.extra | EXTRA_OUT_OF_LINE);
            for &df in &t.dfs {
                main.varint(u64::from(df));
            }
            main.f32(t.stub_bound);
            main.varint(tail.0 as u64);
            main.varint(tail.1 as u64);
            main.varint(tail.2 as u64);
            main.buf.extend(&t.stub.buf);
        } else {
            main.byte(t.extra);
            for &df in &t.dfs {
                main.varint(u64::from(df));
            }
            write_record(&mut main, t, Some((tail.0, tail.1)), positions);
            inline.extend(t.inline.iter().copied());
        }
        if !keys[i].exact.is_empty() {
            main.varint(keys[i].exact.len() as u64);
            for &e in &keys[i].exact {
                let postings = index.postings_at(e, EXACT);
                main.string(&index.vocab[e].term);
                main.varint(postings.len() as u64);
                let mut prev = 0;
                for (&ord, &tf) in postings.docs.iter().zip(&postings.tfs) {
                    main.varint(u64::from(ord - prev));
                    prev = ord;
                    main.varint(u64::from(tf));
                    main.byte(index.fieldnorm_ids[ord as usize][EXACT]);
                }
            }
        }
    }
    ords_and_meta(&mut main, index, &inline.into_iter().collect::<Vec<_>>());
    main.buf
}

/// `varint count`, `varint ordinal deltas` and a meta block of `ords` (sorted).
fn ords_and_meta(w: &mut Writer, index: &Index, ords: &[u32]) {
    w.varint(ords.len() as u64);
    let mut prev = 0;
    for &ord in ords {
        w.varint(u64::from(ord - prev));
        prev = ord;
    }
    let metas: Vec<_> = ords.iter().map(|&o| &index.metas[o as usize]).collect();
    meta_block(w, &metas);
}

fn vocab_file(index: &Index) -> Vec<u8> {
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
    vocab.buf
}
