//! The tantivy index: schema, indexing, and reading terms, postings and fieldnorms back.
//!
//! Input: the [`Doc`]s of `extract.rs`. Output: an [`Index`] holding one merged tantivy segment
//! in RAM and what queries and the export read from it: the vocabulary (every term with its
//! document frequency per scored field, from tantivy's term dictionaries), per-document
//! fieldnorm ids, the field token totals, and the result metadata by ordinal.
//!
//! tantivy's writer threads tokenise with `tokenize.rs` (registered as an analyzer; `exact`
//! and filter values are single `raw` tokens) and may order documents freely: every document carries its ordinal in the fast field `ord`, and all
//! reads map tantivy's doc ids back to ordinals.

use tantivy::postings::Postings as _;
use tantivy::schema::{Field as TField, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions};
use tantivy::{DocSet, TERMINATED, TantivyDocument};

use super::extract::Doc;
use super::tokenize::IdentTokenizer;
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

/// One document's occurrences of a term in a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Posting {
    pub ord: u32,
    pub tf: u32,
    /// Start of its `tf` positions in [`Postings::positions`] (when read with positions).
    pub start: u32,
}

/// A term's postings in one field, by ordinal.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    pub list: Vec<Posting>,
    pub positions: Vec<u32>,
}

impl Postings {
    pub(crate) fn positions_of(&self, p: &Posting) -> &[u32] {
        &self.positions[p.start as usize..(p.start + p.tf) as usize]
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
    /// Filter terms (`kind:api`) with their documents (ordinals, sorted).
    pub filters: Vec<(String, Vec<u32>)>,
    /// Ordinals that start a family (see `extract.rs`), sorted.
    pub family_starts: Vec<u32>,
    searcher: tantivy::Searcher,
    fields: [TField; SCORED],
    doc_to_ord: Vec<u32>,
}

fn schema() -> (Schema, [TField; SCORED], TField, TField) {
    let mut builder = Schema::builder();
    let text = |tokenizer, option| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(option).set_fieldnorms(true),
        )
    };
    let mut scored: Vec<TField> = Field::NAMES
        .iter()
        .map(|name| builder.add_text_field(name, text(TOKENIZER, IndexRecordOption::WithFreqsAndPositions)))
        .collect();
    scored.push(builder.add_text_field("exact", text("raw", IndexRecordOption::WithFreqs)));
    let filter = builder.add_text_field(
        "filter",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let ord = builder.add_u64_field("ord", NumericOptions::default().set_fast());
    (builder.build(), scored.try_into().expect("7 scored fields"), filter, ord)
}

/// Name of `tokenize.rs`'s analyzer in tantivy's registry.
const TOKENIZER: &str = "portico-ident";

impl Index {
    pub(crate) fn build(docs: Vec<Doc>) -> Index {
        let (schema, fields, filter, ord_field) = schema();
        let index = tantivy::Index::create_in_ram(schema);
        index.tokenizers().register(TOKENIZER, IdentTokenizer::default());
        let family_starts: Vec<u32> =
            docs.iter().enumerate().filter(|(_, d)| d.family_start).map(|(i, _)| i as u32).collect();
        let prepared: Vec<(Meta, TantivyDocument)> = docs
            .into_iter()
            .enumerate()
            .map(|(ord, doc)| {
                let mut tdoc = TantivyDocument::new();
                for (field, values) in doc.text.into_iter().enumerate() {
                    for value in values {
                        tdoc.add_text(fields[field], value);
                    }
                }
                for exact in doc.exact {
                    tdoc.add_text(fields[EXACT], exact);
                }
                for (key, value) in doc.filters {
                    tdoc.add_text(filter, format!("{}:{value}", FILTER_KEYS[key]));
                }
                tdoc.add_u64(ord_field, ord as u64);
                (doc.meta, tdoc)
            })
            .collect();
        let threads = rayon::current_num_threads().clamp(1, 4);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(threads, threads * 80_000_000).expect("tantivy writer in RAM");
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut metas = Vec::with_capacity(prepared.len());
        for (meta, tdoc) in prepared {
            metas.push(meta);
            writer.add_document(tdoc).expect("tantivy indexing in RAM");
        }
        writer.commit().expect("tantivy commit in RAM");
        let segments = index.searchable_segment_ids().expect("tantivy segments");
        if segments.len() > 1 {
            writer.merge(&segments).wait().expect("tantivy merge in RAM");
        }
        writer.wait_merging_threads().expect("tantivy merge threads");
        let reader =
            index.reader_builder().reload_policy(tantivy::ReloadPolicy::Manual).try_into().expect("tantivy reader");
        let searcher = reader.searcher();
        let mut index = Index::read(searcher, fields, filter, metas);
        index.family_starts = family_starts;
        index
    }

    /// Reads everything queries and the export need besides postings.
    fn read(searcher: tantivy::Searcher, fields: [TField; SCORED], filter: TField, metas: Vec<Meta>) -> Index {
        let n = metas.len();
        let mut doc_to_ord = vec![0u32; n];
        let mut fieldnorm_ids = vec![[0u8; SCORED]; n];
        let mut total_tokens = [0u64; SCORED];
        let mut df_maps: Vec<Vec<(String, u32)>> = Vec::new();
        let mut filters = Vec::new();
        if let Some(segment) = searcher.segment_readers().first() {
            assert_eq!(searcher.segment_readers().len(), 1, "one merged segment");
            let ords = segment.fast_fields().u64("ord").expect("ord fast field");
            for (doc, slot) in doc_to_ord.iter_mut().enumerate() {
                *slot = ords.first(doc as u32).expect("every document has an ordinal") as u32;
            }
            for (f, field) in fields.iter().enumerate() {
                let norms = segment.get_fieldnorms_reader(*field).expect("fieldnorms");
                for (doc, &ord) in doc_to_ord.iter().enumerate() {
                    fieldnorm_ids[ord as usize][f] = norms.fieldnorm_id(doc as u32);
                }
                let inverted = segment.inverted_index(*field).expect("inverted index");
                total_tokens[f] = inverted.total_num_tokens();
                let mut terms = Vec::new();
                let mut stream = inverted.terms().stream().expect("term stream");
                while stream.advance() {
                    let term = String::from_utf8_lossy(stream.key()).into_owned();
                    terms.push((term, stream.value().doc_freq));
                }
                df_maps.push(terms);
            }
            let inverted = segment.inverted_index(filter).expect("inverted index");
            let mut stream = inverted.terms().stream().expect("term stream");
            while stream.advance() {
                let key = String::from_utf8_lossy(stream.key()).into_owned();
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                    .expect("filter postings");
                let mut docs = Vec::new();
                while postings.doc() != TERMINATED {
                    docs.push(doc_to_ord[postings.doc() as usize]);
                    postings.advance();
                }
                docs.sort_unstable();
                filters.push((key, docs));
            }
        }
        let mut merged: std::collections::BTreeMap<String, [u32; SCORED]> = std::collections::BTreeMap::new();
        for (f, terms) in df_maps.into_iter().enumerate() {
            for (term, df) in terms {
                merged.entry(term).or_insert([0; SCORED])[f] = df;
            }
        }
        let vocab = merged.into_iter().map(|(term, df)| VocabEntry { term, df }).collect();
        Index {
            metas,
            vocab,
            fieldnorm_ids,
            total_tokens,
            filters,
            family_starts: Vec::new(),
            searcher,
            fields,
            doc_to_ord,
        }
    }

    pub(crate) fn num_docs(&self) -> u32 {
        self.metas.len() as u32
    }

    /// Postings of `term` in scored field `field`, sorted by ordinal.
    pub(crate) fn postings(&self, field: usize, term: &str, with_positions: bool) -> Postings {
        let mut out = Postings::default();
        let Some(segment) = self.searcher.segment_readers().first() else { return out };
        let inverted = segment.inverted_index(self.fields[field]).expect("inverted index");
        let term = tantivy::Term::from_field_text(self.fields[field], term);
        let option =
            if with_positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
        let Some(mut postings) = inverted.read_postings(&term, option).expect("postings in RAM") else {
            return out;
        };
        out.list.reserve(postings.doc_freq() as usize);
        let mut sorted = true;
        while postings.doc() != TERMINATED {
            let start = out.positions.len() as u32;
            if with_positions {
                postings.append_positions_with_offset(0, &mut out.positions);
            }
            let ord = self.doc_to_ord[postings.doc() as usize];
            sorted &= out.list.last().is_none_or(|p| p.ord < ord);
            out.list.push(Posting { ord, tf: postings.term_freq(), start });
            postings.advance();
        }
        if !sorted {
            out.list.sort_unstable_by_key(|p| p.ord);
        }
        out
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
