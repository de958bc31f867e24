//! The inverted index: terms, postings with positions, fieldnorms and filter terms, in RAM.
//!
//! Input: the [`Doc`]s of `extract.rs` in batches (portal order), each tokenized as it comes and
//! then dropped, so the text of the whole portal is never held at once; a document's ordinal
//! is assigned afterwards from its batch position and [`order_key`]. Output: an [`Index`] holding what
//! queries and the export read: the vocabulary (every term with its document frequency per
//! scored field), per term and field the postings (ordinals, term frequencies, positions),
//! per-document fieldnorm ids, the field token totals, the filter terms and the result metadata
//! by ordinal.
//!
//! The statistics are tantivy's, exactly: text fields are tokenized by `tokenize.rs` (parts and
//! joins), a value's tokens are at its offset plus their position and the next value starts
//! one position after the last token (tantivy's `POSITION_GAP`); a field's fieldnorm is its
//! token count quantised to tantivy's 256 ids, `total_tokens` the sum of the counts; `exact`
//! and filter values are one token each (tantivy's `raw` tokenizer). The test below indexes the
//! example portals with tantivy too and compares every number, so that scores stay tantivy's
//! BM25 (`score.rs`). Building it directly is several times faster than going through
//! tantivy's writer, segments and merge: batches are tokenized in parallel (rayon), then each
//! term's postings are assembled in parallel, sized exactly; the result depends neither on the
//! thread count nor on how the documents are batched.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use super::extract::{Doc, order_key};
use super::tokenize::Tokenizer;
use super::{EXACT, FILTER_KEYS, Field, Meta};

/// Scored fields: the text fields, then `exact`.
pub(crate) const SCORED: usize = EXACT + 1;

/// A term and its document frequency in each scored field.
#[derive(Clone, Debug)]
pub(crate) struct VocabEntry {
    pub term: String,
    pub df: [u32; SCORED],
}

impl VocabEntry {
    /// Documents containing the term, summed over the text fields: how expansions are ranked.
    pub(crate) fn text_df(&self) -> u64 {
        self.df[..EXACT].iter().map(|&d| u64::from(d)).sum()
    }

    pub(crate) fn in_text(&self) -> bool {
        self.df[..EXACT].iter().any(|&d| d > 0)
    }

    /// Whether the term occurs in `name` or `title` (typo-tolerant fields).
    pub(crate) fn in_name_or_title(&self) -> bool {
        self.df[Field::Name as usize] > 0 || self.df[Field::Title as usize] > 0
    }
}

/// A term's postings in one scored field, by ordinal.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    pub docs: Vec<u32>,
    pub tfs: Vec<u32>,
    /// Where the positions of every [`SKIP`]-th document start (text fields only): those of
    /// `docs[i]` follow those of the documents before it, `tfs[i]` of them.
    skips: Vec<u32>,
    positions: Vec<u32>,
}

/// Documents per entry of [`Postings::skips`] (one `u32` per document would be a fifth of the
/// index).
const SKIP: usize = 32;

static NO_POSTINGS: Postings = Postings { docs: Vec::new(), tfs: Vec::new(), skips: Vec::new(), positions: Vec::new() };

impl Postings {
    /// Positions of the `i`-th document (empty for `exact`).
    pub(crate) fn positions(&self, i: usize) -> &[u32] {
        let Some(&skip) = self.skips.get(i / SKIP) else { return &[] };
        let start = skip as usize + self.tfs[i - i % SKIP..i].iter().map(|&tf| tf as usize).sum::<usize>();
        &self.positions[start..start + self.tfs[i] as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.docs.len()
    }
}

pub(crate) struct Index {
    pub metas: Vec<Meta>,
    /// Sorted by term.
    pub vocab: Vec<VocabEntry>,
    /// Fieldnorm id of every document (by ordinal) in every scored field.
    pub fieldnorm_ids: Vec<[u8; SCORED]>,
    /// Tokens per scored field over all documents (tantivy's `total_num_tokens`).
    pub total_tokens: [u64; SCORED],
    /// Filter terms (`kind:api`) with their documents (ordinals, sorted), sorted by term.
    pub filters: Vec<(String, Vec<u32>)>,
    /// Number of entity documents (they come first: ordinals below this).
    pub entities: u32,
    /// First ordinal of the docs sections (operations lie between the entities and them).
    pub sections: u32,
    /// Per vocabulary entry, its postings in the scored fields it occurs in.
    postings: Vec<Vec<(u8, Postings)>>,
}

/// FxHash (rustc's): a fast hash for short keys; the index does not depend on it.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while rest.len() >= 8 {
            self.add(u64::from_le_bytes(rest[..8].try_into().expect("8 bytes")));
            rest = &rest[8..];
        }
        if rest.len() >= 4 {
            self.add(u64::from(u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"))));
            rest = &rest[4..];
        }
        for &b in rest {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Occurrences are packed as `field << 28 | position`.
const POSITION_BITS: u32 = 28;
const POSITION_MAX: u32 = (1 << POSITION_BITS) - 1;

/// One batch of documents, tokenized, with local ordinals (its documents in batch order).
struct Chunk {
    /// The metadata of its documents.
    metas: Vec<Meta>,
    /// Where each document goes in ordinal order ([`order_key`]).
    keys: Vec<Option<(bool, String)>>,
    /// Filter values of its documents, in runs: (documents, values).
    filters: Vec<(u32, Vec<(usize, Arc<str>)>)>,
    /// Local term id -> term.
    terms: Vec<Box<str>>,
    /// Occurrences of local term `t` are `occurrences[offsets[t]..offsets[t + 1]]`, each (ordinal,
    /// field and position), in (ordinal, field, position) order.
    offsets: Vec<u32>,
    occurrences: Vec<(u32, u32)>,
    /// Token count of every document in every scored field.
    counts: Vec<[u32; SCORED]>,
}

/// Tokenizes `docs`, keeping only their metadata, order keys and filter values.
fn index_chunk(docs: Vec<Doc>) -> Chunk {
    let mut ids: FxMap<Box<str>, u32> = FxMap::default();
    let mut terms: Vec<Box<str>> = Vec::new();
    // (local term, ordinal, field << 28 | position), in document order.
    let mut raw: Vec<(u32, u32, u32)> = Vec::new();
    let mut counts = Vec::with_capacity(docs.len());
    let mut metas = Vec::with_capacity(docs.len());
    let keys = docs.iter().map(order_key).collect();
    let mut filters: Vec<(u32, Vec<(usize, Arc<str>)>)> = Vec::new();
    let mut tokenizer = Tokenizer::default();
    let mut intern = |token: &str| -> u32 {
        if let Some(&id) = ids.get(token) {
            return id;
        }
        let id = terms.len() as u32;
        terms.push(token.into());
        ids.insert(token.into(), id);
        id
    };
    for (i, mut doc) in docs.into_iter().enumerate() {
        let ord = i as u32;
        // Consecutive documents of one entity (its operations, its docs sections) have the
        // same values.
        let values = std::mem::take(&mut doc.filters);
        match filters.last_mut() {
            Some((n, last)) if *last == values => *n += 1,
            _ => filters.push((1, values)),
        }
        let mut count = [0u32; SCORED];
        for (f, values) in doc.text.iter().enumerate() {
            let field = (f as u32) << POSITION_BITS;
            let mut offset = 0usize;
            for value in values {
                let end = tokenizer.run(value, offset, &mut |token, position, _| {
                    let id = intern(token);
                    raw.push((id, ord, field | (position as u32).min(POSITION_MAX)));
                    count[f] += 1;
                });
                offset = end + 1;
            }
        }
        for value in &doc.exact {
            let id = intern(value);
            raw.push((id, ord, (EXACT as u32) << POSITION_BITS));
            count[EXACT] += 1;
        }
        counts.push(count);
        metas.push(doc.meta);
    }
    // Group by term (a stable counting sort keeps document, field and position order).
    let mut offsets = vec![0u32; terms.len() + 1];
    for &(id, _, _) in &raw {
        offsets[id as usize + 1] += 1;
    }
    for t in 0..terms.len() {
        offsets[t + 1] += offsets[t];
    }
    let mut next = offsets.clone();
    let mut occurrences = vec![(0u32, 0u32); raw.len()];
    for (id, ord, packed) in raw {
        let slot = &mut next[id as usize];
        occurrences[*slot as usize] = (ord, packed);
        *slot += 1;
    }
    Chunk { metas, keys, filters, terms, offsets, occurrences, counts }
}

impl Chunk {
    /// Where the occurrences of local term `t` are in the chunk's occurrences.
    fn range(&self, t: usize) -> std::ops::Range<usize> {
        self.offsets[t] as usize..self.offsets[t + 1] as usize
    }
}

/// One wave of [`assemble_in_waves`]: chunk `c`'s occurrences of its local term `t` (if `t` is
/// in this wave) are `pieces[c][starts[c][t]..]`, as many as [`Chunk::range`] says.
struct Wave<'a> {
    chunks: &'a [Chunk],
    pieces: Vec<&'a [(u32, u32)]>,
    starts: &'a [Vec<u32>],
}

impl Wave<'_> {
    fn occurrences(&self, c: u32, local: u32) -> (u32, &[(u32, u32)]) {
        let (c, t) = (c as usize, local as usize);
        let start = self.starts[c][t];
        (start, &self.pieces[c][start as usize..][..self.chunks[c].range(t).len()])
    }
}

/// The postings of one term from its occurrences in the chunks; `ords[c][local]` is the ordinal
/// of chunk `c`'s document `local`.
fn assemble(wave: &Wave<'_>, ords: &[Vec<u32>], parts: &[(u32, u32)]) -> Vec<(u8, Postings)> {
    // Runs of one document and field: (ordinal, field, chunk, start, end) in the wave's pieces.
    let mut runs: Vec<(u32, u32, u32, u32, u32)> = Vec::new();
    for &(c, local) in parts {
        let (start, occurrences) = wave.occurrences(c, local);
        let mut i = 0;
        while i < occurrences.len() {
            let (doc, packed) = occurrences[i];
            let field = packed >> POSITION_BITS;
            let mut j = i + 1;
            while j < occurrences.len() && occurrences[j].0 == doc && occurrences[j].1 >> POSITION_BITS == field {
                j += 1;
            }
            let ord = ords[c as usize][doc as usize];
            runs.push((ord, field, c, start + i as u32, start + j as u32));
            i = j;
        }
    }
    // A document lies in one chunk: (ordinal, field) is unique.
    runs.sort_unstable_by_key(|&(ord, field, ..)| (ord, field));
    // Sized exactly: growing by doubling would hold up to twice the index at the peak.
    let mut fields: Vec<(u8, Postings)> = Vec::new();
    for &(_, field, _, start, end) in &runs {
        let slot = match fields.iter().position(|(f, _)| u32::from(*f) == field) {
            Some(i) => i,
            None => {
                fields.push((field as u8, Postings::default()));
                fields.len() - 1
            }
        };
        // Counted in `tfs` and `skips` for now.
        let postings = &mut fields[slot].1;
        postings.tfs.push(0);
        if field < EXACT as u32 {
            postings.skips.push(end - start);
        }
    }
    for (field, postings) in &mut fields {
        let (docs, positions) = (postings.tfs.len(), postings.skips.iter().map(|&n| n as usize).sum::<usize>());
        let text = usize::from(*field) < EXACT;
        *postings = Postings {
            docs: Vec::with_capacity(docs),
            tfs: Vec::with_capacity(docs),
            skips: Vec::with_capacity(if text { docs.div_ceil(SKIP) } else { 0 }),
            positions: Vec::with_capacity(positions),
        };
    }
    for (ord, field, c, start, end) in runs {
        let postings = &mut fields.iter_mut().find(|(f, _)| u32::from(*f) == field).expect("counted").1;
        let text = field < EXACT as u32;
        if text && postings.docs.len().is_multiple_of(SKIP) {
            postings.skips.push(postings.positions.len() as u32);
        }
        postings.docs.push(ord);
        postings.tfs.push(end - start);
        if text {
            let occurrences = &wave.pieces[c as usize][start as usize..end as usize];
            postings.positions.extend(occurrences.iter().map(|&(_, packed)| packed & POSITION_MAX));
        }
    }
    fields.sort_by_key(|(f, _)| *f);
    fields
}

/// The ordinal of every document of every chunk: entities first in chunk order, then the rest
/// by [`order_key`], ties in chunk order. Returns them with the number of entities and the
/// first ordinal of the docs sections.
fn ordinals(chunks: &mut [Chunk]) -> (Vec<Vec<u32>>, u32, u32) {
    let mut ords: Vec<Vec<u32>> = chunks.iter().map(|c| vec![0; c.metas.len()]).collect();
    let mut next = 0u32;
    let mut keyed: Vec<(&(bool, String), u32, u32)> = Vec::new();
    for (c, chunk) in chunks.iter().enumerate() {
        for (local, key) in chunk.keys.iter().enumerate() {
            match key {
                None => {
                    ords[c][local] = next;
                    next += 1;
                }
                Some(key) => keyed.push((key, c as u32, local as u32)),
            }
        }
    }
    let entities = next;
    // Stable: ties stay in chunk order.
    keyed.par_sort_by(|a, b| a.0.cmp(b.0));
    let operations = keyed.iter().take_while(|(key, ..)| !key.0).count() as u32;
    for (_, c, local) in keyed {
        ords[c as usize][local as usize] = next;
        next += 1;
    }
    for chunk in chunks.iter_mut() {
        chunk.keys = Vec::new();
    }
    (ords, entities, entities + operations)
}

/// The filter terms (`kind:api`) of the chunks with their ordinals (sorted), sorted by term.
fn filter_terms(chunks: &mut [Chunk], ords: &[Vec<u32>]) -> Vec<(String, Vec<u32>)> {
    let mut ids: FxMap<(usize, Arc<str>), usize> = FxMap::default();
    let mut lists: Vec<Vec<u32>> = Vec::new();
    for (c, chunk) in chunks.iter_mut().enumerate() {
        let mut local = 0usize;
        for (count, values) in std::mem::take(&mut chunk.filters) {
            let found: Vec<usize> = values
                .into_iter()
                .map(|value| {
                    let next = lists.len();
                    let id = *ids.entry(value).or_insert(next);
                    if id == next {
                        lists.push(Vec::new());
                    }
                    id
                })
                .collect();
            for &ord in &ords[c][local..local + count as usize] {
                for &id in &found {
                    lists[id].push(ord);
                }
            }
            local += count as usize;
        }
    }
    lists.par_iter_mut().for_each(|l| l.sort_unstable());
    let mut out: Vec<(String, Vec<u32>)> = ids
        .into_iter()
        .map(|((key, value), id)| (format!("{}:{value}", FILTER_KEYS[key]), std::mem::take(&mut lists[id])))
        .collect();
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

/// How many waves of terms the postings are assembled in: the occurrences of a wave are freed
/// once its postings are made, so that the two are never whole side by side (at 10,000
/// components they are 200 and 250 MB).
const WAVES: usize = 8;

/// The postings of every term of `groups` (sorted, each with its (chunk, local term) parts),
/// assembled from `occurrences` (per chunk, by local term as [`Chunk::offsets`] says) in
/// `waves` runs of terms of about equal numbers of occurrences. Before the first, each chunk's
/// occurrences are split by wave (a chunk at a time); each wave's pieces are dropped as soon as
/// its postings are made.
fn assemble_in_waves(
    chunks: &[Chunk],
    occurrences: Vec<Vec<(u32, u32)>>,
    groups: &[(&str, Vec<(u32, u32)>)],
    ords: &[Vec<u32>],
    waves: usize,
) -> Vec<Vec<(u8, Postings)>> {
    let count = |c: u32, t: u32| chunks[c as usize].range(t as usize).len() as u64;
    let total: u64 = groups.iter().flat_map(|(_, parts)| parts).map(|&(c, t)| count(c, t)).sum();
    // The first term of every wave after the first, and the wave of every chunk's local terms.
    let waves = if total == 0 { 1 } else { waves.max(1) };
    let mut bounds: Vec<usize> = Vec::with_capacity(waves);
    let mut wave_of: Vec<Vec<u32>> = chunks.iter().map(|c| vec![0; c.terms.len()]).collect();
    let mut seen = 0u64;
    for (g, (_, parts)) in groups.iter().enumerate() {
        // Wave w starts at the first term past w/waves of the occurrences.
        while (bounds.len() + 1) < waves && seen * waves as u64 >= total * (bounds.len() as u64 + 1) {
            bounds.push(g);
        }
        for &(c, t) in parts {
            wave_of[c as usize][t as usize] = bounds.len() as u32;
            seen += count(c, t);
        }
    }
    let waves = bounds.len() + 1;
    // Each chunk's occurrences, split by wave: pieces[c][w], and where each local term starts.
    let (mut pieces, starts): (Vec<Vec<Vec<(u32, u32)>>>, Vec<Vec<u32>>) = (occurrences.into_par_iter().enumerate())
        .map(|(c, occurrences)| {
            let chunk = &chunks[c];
            let mut split: Vec<Vec<(u32, u32)>> = vec![Vec::new(); waves];
            let mut sizes = vec![0usize; waves];
            for (t, &w) in wave_of[c].iter().enumerate() {
                sizes[w as usize] += chunk.range(t).len();
            }
            for (piece, size) in split.iter_mut().zip(sizes) {
                piece.reserve_exact(size);
            }
            let mut starts = Vec::with_capacity(chunk.terms.len());
            for (t, &w) in wave_of[c].iter().enumerate() {
                let piece = &mut split[w as usize];
                starts.push(piece.len() as u32);
                piece.extend_from_slice(&occurrences[chunk.range(t)]);
            }
            (split, starts)
        })
        .unzip();
    drop(wave_of);
    let mut postings: Vec<Vec<(u8, Postings)>> = Vec::with_capacity(groups.len());
    for w in 0..waves {
        let terms = if w == 0 { 0 } else { bounds[w - 1] }..bounds.get(w).copied().unwrap_or(groups.len());
        let wave = Wave { chunks, pieces: pieces.iter().map(|p| p[w].as_slice()).collect(), starts: &starts };
        postings.par_extend(groups[terms].par_iter().map(|(_, parts)| assemble(&wave, ords, parts)));
        drop(wave);
        for p in &mut pieces {
            p[w] = Vec::new();
        }
    }
    postings
}

impl Index {
    /// Indexes the documents of `batches` (each tokenized as it is made, then dropped).
    pub(crate) fn build(batches: impl IndexedParallelIterator<Item = Vec<Doc>>) -> Index {
        Index::build_in_waves(batches, WAVES)
    }

    /// [`Index::build`] with the postings assembled in `waves` waves of terms (the index is the
    /// same for any number).
    fn build_in_waves(batches: impl IndexedParallelIterator<Item = Vec<Doc>>, waves: usize) -> Index {
        let mut chunks: Vec<Chunk> = batches.map(index_chunk).collect();
        let n: usize = chunks.iter().map(|c| c.metas.len()).sum();
        let (ords, entities, sections) = ordinals(&mut chunks);
        let filters = filter_terms(&mut chunks, &ords);
        let occurrences: Vec<Vec<(u32, u32)>> = chunks.iter_mut().map(|c| std::mem::take(&mut c.occurrences)).collect();
        // The vocabulary: every chunk's terms, sorted and merged.
        let mut all: Vec<(&str, u32, u32)> = chunks
            .iter()
            .enumerate()
            .flat_map(|(c, chunk)| chunk.terms.iter().enumerate().map(move |(t, term)| (&**term, c as u32, t as u32)))
            .collect();
        all.par_sort_unstable();
        let mut groups: Vec<(&str, Vec<(u32, u32)>)> = Vec::new();
        for (term, c, t) in all {
            match groups.last_mut() {
                Some((last, parts)) if *last == term => parts.push((c, t)),
                _ => groups.push((term, vec![(c, t)])),
            }
        }
        let postings = assemble_in_waves(&chunks, occurrences, &groups, &ords, waves);
        let vocab: Vec<VocabEntry> = groups
            .iter()
            .zip(&postings)
            .map(|((term, _), fields)| {
                let mut df = [0u32; SCORED];
                for (f, p) in fields {
                    df[usize::from(*f)] = p.len() as u32;
                }
                VocabEntry { term: (*term).to_owned(), df }
            })
            .collect();
        let mut fieldnorm_ids = vec![[0u8; SCORED]; n];
        let mut total_tokens = [0u64; SCORED];
        let mut metas: Vec<Meta> = vec![Meta::default(); n];
        for (chunk, ords) in chunks.iter_mut().zip(&ords) {
            for ((count, meta), &ord) in chunk.counts.iter().zip(std::mem::take(&mut chunk.metas)).zip(ords) {
                let ids = &mut fieldnorm_ids[ord as usize];
                for f in 0..SCORED {
                    ids[f] = tantivy::fieldnorm::FieldNormReader::fieldnorm_to_id(count[f]);
                    total_tokens[f] += u64::from(count[f]);
                }
                metas[ord as usize] = meta;
            }
        }
        // Freeing the tokens is a fair share of the work: in parallel.
        chunks.into_par_iter().for_each(drop);
        Index { metas, vocab, fieldnorm_ids, total_tokens, filters, entities, sections, postings }
    }

    pub(crate) fn num_docs(&self) -> u32 {
        self.metas.len() as u32
    }

    /// Postings of vocabulary entry `i` in scored field `field`.
    pub(crate) fn postings_at(&self, i: usize, field: usize) -> &Postings {
        self.postings[i].iter().find(|(f, _)| usize::from(*f) == field).map_or(&NO_POSTINGS, |(_, p)| p)
    }

    /// Postings of `term` in scored field `field`, sorted by ordinal.
    pub(crate) fn postings(&self, field: usize, term: &str) -> &Postings {
        match self.vocab.binary_search_by(|e| e.term.as_str().cmp(term)) {
            Ok(i) => self.postings_at(i, field),
            Err(_) => &NO_POSTINGS,
        }
    }

    /// The documents (ordinals) of filter term `key:value`.
    pub(crate) fn filter_docs(&self, term: &str) -> &[u32] {
        match self.filters.binary_search_by(|(t, _)| t.as_str().cmp(term)) {
            Ok(i) => &self.filters[i].1,
            Err(_) => &[],
        }
    }

    /// The vocabulary entry of `term`.
    pub(crate) fn entry(&self, term: &str) -> Option<&VocabEntry> {
        self.vocab.binary_search_by(|e| e.term.as_str().cmp(term)).ok().map(|i| &self.vocab[i])
    }

    /// Index of the first vocabulary entry `>= term`.
    pub(crate) fn lower_bound(&self, term: &str) -> usize {
        self.vocab.partition_point(|e| e.term.as_str() < term)
    }
}

#[cfg(test)]
mod tests {
    //! The index against tantivy's: the same documents indexed by tantivy (as this module did
    //! before it built the index itself) give the same vocabulary, document frequencies,
    //! postings, positions, fieldnorm ids and token totals.

    use std::collections::BTreeMap;

    use tantivy::postings::Postings as _;
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    use tantivy::{DocSet, TERMINATED, TantivyDocument};

    use super::*;
    use crate::search::tokenize::IdentTokenizer;

    const TOKENIZER: &str = "portico-ident";

    fn tantivy_index(docs: &[Doc]) -> (tantivy::Searcher, Vec<tantivy::schema::Field>, tantivy::schema::Field) {
        let mut builder = Schema::builder();
        let text = |tokenizer, option| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(option).set_fieldnorms(true),
            )
        };
        let mut fields: Vec<tantivy::schema::Field> = Field::NAMES
            .iter()
            .map(|name| builder.add_text_field(name, text(TOKENIZER, IndexRecordOption::WithFreqsAndPositions)))
            .collect();
        fields.push(builder.add_text_field("exact", text("raw", IndexRecordOption::WithFreqs)));
        let filter = builder.add_text_field(
            "filter",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        );
        let index = tantivy::Index::create_in_ram(builder.build());
        index.tokenizers().register(TOKENIZER, IdentTokenizer::default());
        // One thread: doc ids are ordinals.
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000).expect("writer");
        for doc in docs {
            let mut tdoc = TantivyDocument::new();
            for (f, values) in doc.text.iter().enumerate() {
                for value in values {
                    tdoc.add_text(fields[f], value);
                }
            }
            for exact in &doc.exact {
                tdoc.add_text(fields[EXACT], exact);
            }
            for (key, value) in &doc.filters {
                tdoc.add_text(filter, format!("{}:{value}", FILTER_KEYS[*key]));
            }
            writer.add_document(tdoc).expect("add");
        }
        writer.commit().expect("commit");
        let reader = index.reader().expect("reader");
        (reader.searcher(), fields, filter)
    }

    fn compare(ours: &Index, docs: &[Doc]) {
        let (searcher, fields, filter) = tantivy_index(docs);
        let segment = &searcher.segment_readers()[0];
        assert_eq!(searcher.segment_readers().len(), 1);
        let mut vocab: BTreeMap<String, [u32; SCORED]> = BTreeMap::new();
        for (f, field) in fields.iter().enumerate() {
            let norms = segment.get_fieldnorms_reader(*field).expect("fieldnorms");
            for ord in 0..ours.num_docs() {
                assert_eq!(ours.fieldnorm_ids[ord as usize][f], norms.fieldnorm_id(ord), "fieldnorm {ord} {f}");
            }
            let inverted = segment.inverted_index(*field).expect("inverted");
            assert_eq!(ours.total_tokens[f], inverted.total_num_tokens(), "tokens of field {f}");
            let mut stream = inverted.terms().stream().expect("terms");
            while stream.advance() {
                let term = String::from_utf8(stream.key().to_vec()).expect("utf-8");
                vocab.entry(term.clone()).or_default()[f] = stream.value().doc_freq;
                let option =
                    if f < EXACT { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
                let mut postings = inverted.read_postings_from_terminfo(stream.value(), option).expect("postings");
                let mine = ours.postings(f, &term);
                let mut i = 0;
                while postings.doc() != TERMINATED {
                    assert_eq!(mine.docs[i], postings.doc(), "{term} {f}");
                    assert_eq!(mine.tfs[i], postings.term_freq(), "{term} {f}");
                    if f < EXACT {
                        let mut positions = Vec::new();
                        postings.append_positions_with_offset(0, &mut positions);
                        assert_eq!(mine.positions(i), &positions[..], "{term} {f} {}", mine.docs[i]);
                    }
                    i += 1;
                    postings.advance();
                }
                assert_eq!(i, mine.len(), "{term} {f}");
            }
        }
        let theirs: Vec<(String, [u32; SCORED])> = vocab.into_iter().collect();
        let mine: Vec<(String, [u32; SCORED])> = ours.vocab.iter().map(|e| (e.term.clone(), e.df)).collect();
        assert_eq!(mine, theirs);
        let inverted = segment.inverted_index(filter).expect("inverted");
        let mut stream = inverted.terms().stream().expect("terms");
        let mut filters = Vec::new();
        while stream.advance() {
            let mut postings =
                inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic).expect("postings");
            let mut docs = Vec::new();
            while postings.doc() != TERMINATED {
                docs.push(postings.doc());
                postings.advance();
            }
            filters.push((String::from_utf8(stream.key().to_vec()).expect("utf-8"), docs));
        }
        assert_eq!(ours.filters, filters);
    }

    #[test]
    fn statistics_equal_tantivys() {
        for (portal, _) in [crate::search::tests::content_example(), crate::search::tests::backstage()] {
            let docs = crate::search::extract::documents(portal);
            let batches = crate::search::extract::Batches::new(portal);
            compare(&Index::build((0..batches.len()).into_par_iter().map(|i| batches.docs(i))), &docs);
            // Batches of any size give the same index, and documents in ordinal order keep it.
            let small: Vec<Vec<Doc>> = docs.chunks(7).map(<[Doc]>::to_vec).collect();
            compare(&Index::build(small.into_par_iter()), &docs);
            // So do any number of waves: one, a few, more than there are terms.
            for waves in [1, 3, 1000] {
                let batches: Vec<Vec<Doc>> = docs.chunks(50).map(<[Doc]>::to_vec).collect();
                compare(&Index::build_in_waves(batches.into_par_iter(), waves), &docs);
            }
        }
    }
}
