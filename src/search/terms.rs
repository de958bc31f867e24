//! One term's share of the static export: its record, its tail and its positions block.
//!
//! Input: the [`Index`] and a vocabulary entry. Output: a [`TermData`] (`export.rs` lays the
//! pieces out in files). The encodings are described in `export.rs`.
//!
//! A term's documents are *listed* in its record, or left to its *tail*. Listed are: all of
//! them when they are at most [`Limits::list_all`]; otherwise the [`Limits::top`] best by
//! single-term score (the sum over text fields of boost × BM25), every entity, and every
//! document having the term in a field other than `body` (so the unlisted ones have it in their
//! body only), unless that makes more than [`Limits::list_max`], in which case the best that
//! many; and the unlisted documents tied with the best of them when at most [`Limits::ties`].
//! The record carries the best single-term score of an unlisted document (`bound`, rounded up
//! to f32), which lets the client rank without the tail when no unlisted document can reach its
//! top results.
//!
//! The tail is cut in *tiers* by score: the [`Limits::tier_first`] best unlisted documents, then
//! [`Limits::tier_growth`] times as many, and so on; each tier is a piece (and so are its positions),
//! and the record gives after each tier the best score of the tiers after it. A client reads
//! tiers only while an unread document could still reach its results, so what a query of a
//! frequent word reads depends on how its scores fall, not on how many documents have it.

use super::encode::Writer;
use super::index::{Index, Postings};
use super::score::{FieldNorms, idf, weight};
use super::{EXACT, Field};

/// How much a record lists (see the module docs); tests use small limits to exercise tails.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub list_all: usize,
    pub top: usize,
    pub list_max: usize,
    pub ties: usize,
    /// Documents of the first tier.
    pub tier_first: usize,
    /// Each tier holds this many times the documents of the one before.
    pub tier_growth: usize,
    /// Records larger than this (estimated uncompressed bytes, with the metadata they carry)
    /// are kept out of their shard ([`EXTRA_OUT_OF_LINE`]).
    pub out_of_line: usize,
    /// Documents (the best by score) the stub of an out-of-line record lists.
    pub stub_docs: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            list_all: 96,
            top: 16,
            list_max: 4096,
            ties: 64,
            tier_first: 64,
            tier_growth: 4,
            out_of_line: 1_024,
            stub_docs: 4,
        }
    }
}

/// Results whose metadata a term's record carries (the best by score, and the best by `name`
/// and `title` score), when the term is in at least [`INLINE_MIN_DOCS`] documents and they lie
/// in at least [`INLINE_CHUNKS`] metadata pieces.
pub(crate) const INLINE_META: usize = 10;
pub(crate) const INLINE_MIN_DOCS: usize = 64;
pub(crate) const INLINE_CHUNKS: usize = 3;

/// The fields before `body`.
pub(crate) const SHORT_FIELDS: usize = Field::Body as usize;

/// `extra` flag bits of a record: it lists every document having the term outside `body` and
/// every entity having it (its tail holds only other documents having it in `body` only, as
/// ordinals and term frequencies) and carries the positions of the documents it lists; it
/// lists every entity having the term.
pub(crate) const EXTRA_SHORT_COMPLETE: u8 = 1;
pub(crate) const EXTRA_ENTITIES: u8 = 2;
/// `extra` flag bit of a record kept out of its shard (`export.rs`): the shard holds a stub
/// listing the term's [`Limits::stub_docs`] best documents and the best score of the others,
/// and the record is a piece in front of its tiers, read only when that score can reach a
/// query's results.
pub(crate) const EXTRA_OUT_OF_LINE: u8 = 4;
/// `extra` flag bit of a record that lists neither every document having the term outside
/// `body` nor every entity having it: its tiers are two sequences, the unlisted entities' first,
/// then the other documents', each cut by score on its own, so that a query whose filter allows
/// only entities (`kind:api`) reads entity tiers only, and one that allows only docs skips them.
pub(crate) const EXTRA_SPLIT: u8 = 8;

/// One document of a term: (term frequency, fieldnorm id) per text field, tf 0 when absent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TermDoc {
    pub ord: u32,
    pub fields: [(u32, u8); 6],
}

impl TermDoc {
    fn mask(&self) -> u8 {
        self.fields.iter().enumerate().filter(|(_, f)| f.0 > 0).fold(0u8, |m, (i, _)| m | 1 << i)
    }

    fn outside_body(&self) -> bool {
        self.fields[..SHORT_FIELDS].iter().any(|f| f.0 > 0)
    }
}

/// A term's pieces (of its text fields; `exact` is added by `export.rs`).
#[derive(Default)]
pub(crate) struct TermData {
    /// Bits 0–5: text fields present, 7: tiered (there is a tail).
    pub flags: u8,
    /// [`EXTRA_SHORT_COMPLETE`], [`EXTRA_ENTITIES`].
    pub extra: u8,
    /// Document frequency per present text field.
    pub dfs: Vec<u32>,
    /// Best single-term score of an unlisted document, rounded up.
    pub bound: Option<f32>,
    /// A stub's documents (the best [`Limits::stub_docs`], a document list) and the best score
    /// of the others, rounded up (0 without others).
    pub stub: Writer,
    pub stub_bound: f32,
    /// Largest `tf / (tf + norm)` of a document having the term in `body`, rounded up.
    pub body_frac: Option<f32>,
    /// Listed documents and their positions.
    pub record: Writer,
    /// The tiers' pieces (compressed), one after the other, and per tier its length and the
    /// best score after it (rounded up; -inf after the last).
    pub tail: Vec<u8>,
    pub tiers: Vec<(usize, f32)>,
    /// With [`EXTRA_SPLIT`]: how many of the tiers are the entities' (the first), and the best
    /// score of an unlisted entity and of another unlisted document (rounded up). The best
    /// score after a tier is then that of its own sequence.
    pub entity_tiers: usize,
    pub split_bounds: (f32, f32),
    /// Positions pieces (compressed), one after the other: those of the listed documents (all
    /// fields; empty when the record carries them), then of each tier; and their lengths.
    pub positions: Vec<u8>,
    pub position_lens: Vec<usize>,
    /// Documents whose metadata the record carries.
    pub inline: Vec<u32>,
}

/// Rounds a positive score up to the next f32.
pub(crate) fn round_up(s: f64) -> f32 {
    let m = s as f32;
    if f64::from(m) < s { m.next_up() } else { m }
}

/// The documents of vocabulary entry `i` with their fields, by ordinal.
fn term_docs(index: &Index, i: usize) -> Vec<TermDoc> {
    let lists: Vec<(usize, &Postings)> = Field::TEXT
        .iter()
        .map(|&f| (f as usize, index.postings_at(i, f as usize)))
        .filter(|(_, p)| p.len() > 0)
        .collect();
    let mut cursors = vec![0usize; lists.len()];
    let mut out = Vec::with_capacity(lists.iter().map(|(_, p)| p.len()).max().unwrap_or(0));
    loop {
        let next = lists.iter().zip(&cursors).filter_map(|((_, p), &c)| p.docs.get(c)).min().copied();
        let Some(ord) = next else { break };
        let mut doc = TermDoc { ord, fields: [(0, 0); 6] };
        for ((f, p), c) in lists.iter().zip(cursors.iter_mut()) {
            if p.docs.get(*c) == Some(&ord) {
                doc.fields[*f] = (p.tfs[*c], index.fieldnorm_ids[ord as usize][*f]);
                *c += 1;
            }
        }
        out.push(doc);
    }
    out
}

/// The unlisted document with the best score, if any.
fn best_unlisted(scores: &[f64], listed: &[bool]) -> Option<usize> {
    (0..scores.len()).filter(|&k| !listed[k]).max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
}

/// A document list, column by column: `varint count`, the `varint` ordinal deltas, a `u8` field
/// mask per document, then per field (in order) the `varint` term frequencies of the documents
/// having it, then per field their `u8` fieldnorm ids.
pub(crate) fn encode_docs(w: &mut Writer, docs: &[&TermDoc]) {
    w.varint(docs.len() as u64);
    let mut prev = 0;
    for d in docs {
        w.varint(u64::from(d.ord - prev));
        prev = d.ord;
    }
    for d in docs {
        w.byte(d.mask());
    }
    for f in 0..6 {
        for d in docs {
            if d.fields[f].0 > 0 {
                w.varint(u64::from(d.fields[f].0));
            }
        }
    }
    for f in 0..6 {
        for d in docs {
            if d.fields[f].0 > 0 {
                w.byte(d.fields[f].1);
            }
        }
    }
}

/// Positions of `fields` of `docs` (in order): per field, per document having it, its `tf`
/// positions as `varint` deltas.
fn encode_positions(w: &mut Writer, index: &Index, i: usize, docs: &[&TermDoc], fields: std::ops::Range<usize>) {
    for f in fields {
        let postings = index.postings_at(i, f);
        let mut k = 0;
        for d in docs {
            if d.fields[f].0 == 0 {
                continue;
            }
            while postings.docs[k] != d.ord {
                k += 1;
            }
            let mut last = 0;
            for &p in postings.positions(k) {
                w.varint(u64::from(p - last));
                last = p;
            }
        }
    }
}

/// The pieces of vocabulary entry `i` (compressed by `pack`); `chunk_starts` are the first
/// ordinals of the metadata pieces.
pub(crate) fn term_data(
    index: &Index,
    norms: &[FieldNorms],
    chunk_starts: &[u32],
    limits: &Limits,
    i: usize,
    pack: &(dyn Fn(&[u8]) -> Vec<u8> + Sync),
) -> TermData {
    let entry = &index.vocab[i];
    let n = index.num_docs();
    let mut flags = 0u8;
    let mut dfs = Vec::new();
    for (f, &df) in entry.df[..EXACT].iter().enumerate() {
        if df > 0 {
            flags |= 1 << f;
            dfs.push(df);
        }
    }
    let docs = term_docs(index, i);
    let weights: Vec<f64> = (0..6).map(|f| weight(idf(entry.df[f].max(1), n))).collect();
    // Single-term scores, as the client computes them (fields in order).
    let scores: Vec<f64> = docs
        .iter()
        .map(|d| {
            let mut s = 0.0;
            for (f, &(tf, fnid)) in d.fields.iter().enumerate() {
                if tf > 0 {
                    s += norms[f].score(Field::BOOSTS[f], weights[f], tf, fnid);
                }
            }
            s
        })
        .collect();
    // The best documents, in order (only as many as needed: a full sort of a frequent term's
    // documents is the export's largest cost otherwise).
    let better = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(docs[*a].ord.cmp(&docs[*b].ord));
    let best = |count: usize| -> Vec<usize> {
        let mut all: Vec<usize> = (0..docs.len()).collect();
        if count < all.len() {
            all.select_nth_unstable_by(count, better);
            all.truncate(count);
        }
        all.sort_unstable_by(better);
        all
    };
    let top = best(limits.top.max(INLINE_META));

    let mut listed = vec![docs.len() <= limits.list_all; docs.len()];
    let mut short_complete = true;
    if docs.len() > limits.list_all {
        for &k in top.iter().take(limits.top) {
            listed[k] = true;
        }
        for (k, d) in docs.iter().enumerate() {
            if d.outside_body() || d.ord < index.entities {
                listed[k] = true;
            }
        }
        if listed.iter().filter(|&&l| l).count() > limits.list_max {
            short_complete = false;
            listed = vec![false; docs.len()];
            for k in best(limits.list_max) {
                listed[k] = true;
            }
        }
        // Unlisted documents tied with the best of them, when few.
        if let Some(b) = best_unlisted(&scores, &listed) {
            let tied: Vec<usize> = (0..docs.len()).filter(|&k| !listed[k] && scores[k] == scores[b]).collect();
            if tied.len() <= limits.ties {
                for k in tied {
                    listed[k] = true;
                }
            }
        }
    }
    let bound = best_unlisted(&scores, &listed).map(|k| round_up(scores[k]));
    let mut stub = Writer::default();
    let stub_count = limits.stub_docs.min(top.len());
    let mut stub_docs: Vec<&TermDoc> = top[..stub_count].iter().map(|&k| &docs[k]).collect();
    stub_docs.sort_unstable_by_key(|d| d.ord);
    encode_docs(&mut stub, &stub_docs);
    let stub_bound = top.get(stub_count).map_or(0.0, |&k| round_up(scores[k]));
    if bound.is_some() {
        flags |= 0x80;
    }
    let body = Field::Body as usize;
    let body_frac = (entry.df[body] > 0).then(|| {
        let norm = &norms[body];
        let best = docs
            .iter()
            .filter(|d| d.fields[body].0 > 0)
            .map(|d| {
                let tf = f64::from(d.fields[body].0);
                tf / (tf + norm.norm(d.fields[body].1))
            })
            .fold(0.0, f64::max);
        round_up(best)
    });
    let mut extra = if short_complete { EXTRA_SHORT_COMPLETE } else { 0 };
    if docs.iter().zip(&listed).all(|(d, &l)| l || d.ord >= index.entities) {
        extra |= EXTRA_ENTITIES;
    }

    let listed_docs: Vec<&TermDoc> = docs.iter().zip(&listed).filter(|(_, l)| **l).map(|(d, _)| d).collect();
    let mut record = Writer::default();
    encode_docs(&mut record, &listed_docs);
    if short_complete {
        encode_positions(&mut record, index, i, &listed_docs, 0..6);
    }
    let mut tail = Vec::new();
    let mut tiers = Vec::new();
    let mut positions = Vec::new();
    let mut position_lens = Vec::new();
    if !short_complete {
        let mut w = Writer::default();
        encode_positions(&mut w, index, i, &listed_docs, 0..6);
        let piece = pack(&w.buf);
        position_lens.push(piece.len());
        positions.extend(piece);
    } else if bound.is_some() {
        position_lens.push(0);
    }
    // The tiers: unlisted documents by score (each tier's best are in front of the rest after
    // a partial selection), each tier by ordinal; with EXTRA_SPLIT the entities' tiers first.
    let unlisted: Vec<usize> = (0..docs.len()).filter(|&k| !listed[k]).collect();
    let is_entity = |k: &usize| docs[*k].ord < index.entities;
    // Without EXTRA_ENTITIES some entity is unlisted (and the record is not short-complete,
    // which lists every entity): split when other documents are unlisted too.
    let split = extra & EXTRA_ENTITIES == 0 && unlisted.iter().any(|k| !is_entity(k));
    let sequences: Vec<Vec<usize>> = if split {
        let (entities, others): (Vec<usize>, Vec<usize>) = unlisted.iter().partition(|k| is_entity(k));
        vec![entities, others]
    } else {
        vec![unlisted]
    };
    let best_of = |seq: &[usize]| seq.iter().map(|&k| scores[k]).fold(f64::NEG_INFINITY, f64::max);
    let split_bounds =
        if split { (round_up(best_of(&sequences[0])), round_up(best_of(&sequences[1]))) } else { (0.0, 0.0) };
    if split {
        extra |= EXTRA_SPLIT;
    }
    let mut entity_tiers = 0;
    for (seq, mut unlisted) in sequences.into_iter().enumerate() {
        let mut start = 0;
        let mut size = limits.tier_first.max(1);
        while start < unlisted.len() {
            let end = (start + size).min(unlisted.len());
            if end < unlisted.len() {
                unlisted[start..].select_nth_unstable_by(end - start, better);
            }
            let after = unlisted.get(end).map_or(f32::NEG_INFINITY, |&k| round_up(scores[k]));
            let mut members: Vec<usize> = unlisted[start..end].to_vec();
            members.sort_unstable();
            let tier: Vec<&TermDoc> = members.iter().map(|&k| &docs[k]).collect();
            let mut w = Writer::default();
            if short_complete {
                // Documents having the term in `body` only: ordinals, `body` term frequencies and
                // fieldnorm ids.
                w.varint(tier.len() as u64);
                let mut prev = 0;
                for d in &tier {
                    w.varint(u64::from(d.ord - prev));
                    prev = d.ord;
                }
                for d in &tier {
                    w.varint(u64::from(d.fields[SHORT_FIELDS].0));
                }
                for d in &tier {
                    w.byte(d.fields[SHORT_FIELDS].1);
                }
            } else {
                encode_docs(&mut w, &tier);
            }
            let piece = pack(&w.buf);
            tiers.push((piece.len(), after));
            tail.extend(piece);
            let mut w = Writer::default();
            encode_positions(&mut w, index, i, &tier, if short_complete { SHORT_FIELDS..6 } else { 0..6 });
            let piece = pack(&w.buf);
            position_lens.push(piece.len());
            positions.extend(piece);
            start = end;
            size *= limits.tier_growth.max(2);
        }
        if split && seq == 0 {
            entity_tiers = tiers.len();
        }
    }

    let mut inline: Vec<u32> = top.iter().take(INLINE_META).map(|&k| docs[k].ord).collect();
    // The best by `name` and `title` too, which a typo of a word finds (`query.rs`).
    let named: Vec<usize> = (0..docs.len()).filter(|&k| docs[k].fields[..2].iter().any(|f| f.0 > 0)).collect();
    let name_score = |k: usize| {
        let mut s = 0.0;
        for (f, &(tf, fnid)) in docs[k].fields[..2].iter().enumerate() {
            if tf > 0 {
                s += norms[f].score(Field::BOOSTS[f], weights[f], tf, fnid);
            }
        }
        s
    };
    let mut by_name: Vec<(f64, u32)> = named.iter().map(|&k| (name_score(k), docs[k].ord)).collect();
    let cut = INLINE_META.min(by_name.len());
    let order = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if cut < by_name.len() {
        by_name.select_nth_unstable_by(cut, order);
    }
    inline.extend(by_name[..cut].iter().map(|&(_, ord)| ord));
    inline.sort_unstable();
    inline.dedup();
    let mut chunks: Vec<usize> = inline.iter().map(|&o| chunk_starts.partition_point(|&s| s <= o)).collect();
    chunks.sort_unstable();
    chunks.dedup();
    if chunks.len() < INLINE_CHUNKS || docs.len() < INLINE_MIN_DOCS {
        inline.clear();
    }
    TermData {
        flags,
        extra,
        dfs,
        bound,
        stub,
        stub_bound,
        body_frac,
        record,
        tail,
        tiers,
        entity_tiers,
        split_bounds,
        positions,
        position_lens,
        inline,
    }
}
