//! The inverted index: terms, postings with positions, fieldnorms and filter terms, in RAM.
//!
//! Input: the [`Doc`]s of `extract.rs`, in ordinal order. Output: an [`Index`] holding what
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
//! tantivy's writer, segments and merge: documents are tokenized in parallel chunks (rayon),
//! then each term's postings are assembled in parallel; the result does not depend on the
//! thread count.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use super::extract::Doc;
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

/// One chunk of consecutive documents, tokenized.
struct Chunk {
    /// The metadata of its documents.
    metas: Vec<Meta>,
    /// Local term id -> term.
    terms: Vec<Box<str>>,
    /// Occurrences of local term `t` are `occurrences[offsets[t]..offsets[t + 1]]`, each (ordinal,
    /// field and position), in (ordinal, field, position) order.
    offsets: Vec<u32>,
    occurrences: Vec<(u32, u32)>,
    /// Token count of every document in every scored field.
    counts: Vec<[u32; SCORED]>,
}

/// Tokenizes `docs` (ordinals from `first`), keeping only their metadata.
fn index_chunk(first: u32, docs: Vec<Doc>) -> Chunk {
    let mut ids: FxMap<Box<str>, u32> = FxMap::default();
    let mut terms: Vec<Box<str>> = Vec::new();
    // (local term, ordinal, field << 28 | position), in document order.
    let mut raw: Vec<(u32, u32, u32)> = Vec::new();
    let mut counts = Vec::with_capacity(docs.len());
    let mut metas = Vec::with_capacity(docs.len());
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
    for (i, doc) in docs.into_iter().enumerate() {
        let ord = first + i as u32;
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
    Chunk { metas, terms, offsets, occurrences, counts }
}

/// The postings of one term from its occurrences in the chunks (in chunk order).
fn assemble(chunks: &[Chunk], parts: &[(u32, u32)]) -> Vec<(u8, Postings)> {
    let mut fields: Vec<(u8, Postings)> = Vec::new();
    for &(c, local) in parts {
        let chunk = &chunks[c as usize];
        let range = chunk.offsets[local as usize] as usize..chunk.offsets[local as usize + 1] as usize;
        let mut last: Option<(u32, u32)> = None;
        for &(ord, packed) in &chunk.occurrences[range] {
            let field = packed >> POSITION_BITS;
            let position = packed & POSITION_MAX;
            let slot = match fields.iter().position(|(f, _)| u32::from(*f) == field) {
                Some(i) => i,
                None => {
                    fields.push((field as u8, Postings::default()));
                    fields.len() - 1
                }
            };
            let postings = &mut fields[slot].1;
            let text = field < EXACT as u32;
            if last != Some((ord, field)) {
                if text && postings.docs.len().is_multiple_of(SKIP) {
                    postings.skips.push(postings.positions.len() as u32);
                }
                postings.docs.push(ord);
                postings.tfs.push(0);
                last = Some((ord, field));
            }
            *postings.tfs.last_mut().expect("a document") += 1;
            if text {
                postings.positions.push(position);
            }
        }
    }
    for (_, postings) in &mut fields {
        postings.docs.shrink_to_fit();
        postings.tfs.shrink_to_fit();
        postings.skips.shrink_to_fit();
        postings.positions.shrink_to_fit();
    }
    fields.sort_by_key(|(f, _)| *f);
    fields
}

/// The filter terms (`kind:api`) of `docs` with their ordinals, sorted by term: one pass over
/// all documents (per-chunk maps would repeat a value in every chunk having it).
fn filter_terms(docs: &mut [Doc]) -> Vec<(String, Vec<u32>)> {
    let mut ids: FxMap<(usize, Arc<str>), usize> = FxMap::default();
    let mut lists: Vec<Vec<u32>> = Vec::new();
    // Consecutive documents of one entity (its operations, its docs sections) have the same
    // values: looked up once.
    let mut last: (Vec<(usize, Arc<str>)>, Vec<usize>) = Default::default();
    for (ord, doc) in docs.iter_mut().enumerate() {
        let values = std::mem::take(&mut doc.filters);
        if values != last.0 {
            let found = values
                .iter()
                .map(|value| {
                    let next = lists.len();
                    let id = *ids.entry(value.clone()).or_insert(next);
                    if id == next {
                        lists.push(Vec::new());
                    }
                    id
                })
                .collect();
            last = (values, found);
        }
        for &id in &last.1 {
            lists[id].push(ord as u32);
        }
    }
    let mut out: Vec<(String, Vec<u32>)> = ids
        .into_iter()
        .map(|((key, value), id)| (format!("{}:{value}", FILTER_KEYS[key]), std::mem::take(&mut lists[id])))
        .collect();
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

impl Index {
    pub(crate) fn build(mut docs: Vec<Doc>) -> Index {
        let n = docs.len();
        let filters = filter_terms(&mut docs);
        let entities = docs.iter().take_while(|d| d.entity).count();
        let sections = entities + docs[entities..].iter().take_while(|d| d.meta.kind == "operation").count();
        let (entities, sections) = (entities as u32, sections as u32);
        let chunk_docs = n.div_ceil(rayon::current_num_threads().max(1) * 8).clamp(64, 2048);
        let mut parts: Vec<Vec<Doc>> = Vec::new();
        let mut docs = docs.into_iter();
        loop {
            let part: Vec<Doc> = docs.by_ref().take(chunk_docs).collect();
            if part.is_empty() {
                break;
            }
            parts.push(part);
        }
        let mut chunks: Vec<Chunk> =
            parts.into_par_iter().enumerate().map(|(c, part)| index_chunk((c * chunk_docs) as u32, part)).collect();
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
        let postings: Vec<Vec<(u8, Postings)>> = groups.par_iter().map(|(_, parts)| assemble(&chunks, parts)).collect();
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
        let mut fieldnorm_ids = Vec::with_capacity(n);
        let mut total_tokens = [0u64; SCORED];
        for chunk in &chunks {
            for count in &chunk.counts {
                let mut ids = [0u8; SCORED];
                for f in 0..SCORED {
                    ids[f] = tantivy::fieldnorm::FieldNormReader::fieldnorm_to_id(count[f]);
                    total_tokens[f] += u64::from(count[f]);
                }
                fieldnorm_ids.push(ids);
            }
        }
        let mut metas: Vec<Meta> = Vec::with_capacity(n);
        for chunk in &mut chunks {
            metas.append(&mut chunk.metas);
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

    fn compare(docs: Vec<Doc>, again: Vec<Doc>) {
        let (searcher, fields, filter) = tantivy_index(&again);
        let ours = Index::build(docs);
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
            compare(crate::search::extract::documents(portal), crate::search::extract::documents(portal));
        }
    }
}
