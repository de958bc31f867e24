//! Query parsing and evaluation against the index.
//!
//! Input: the query text. Output: (ordinal, score) pairs, best first. The semantics are those of
//! the module docs of `search`; the browser client implements [`parse`], [`candidates`] and the
//! scoring identically (`search.js`: `parseQuery`, `expand`, `evaluate`).
//!
//! Evaluation is exhaustive: every posting of every candidate term is scored with `score.rs`. Per document, field contributions are added in field order, group
//! scores in group order, and the exact-name bonus last.

use std::collections::{HashMap, HashSet};

use super::index::{Index, VocabEntry};
use super::score::{FieldNorms, idf, weight};
use super::tokenize::{phrase_terms, query_terms};
use super::{
    EXACT, EXACT_BOOST, FILTER_KEYS, FUZZY_MAX, FUZZY_MIN_CHARS, FUZZY_WEIGHT, Field, PREFIX_MAX, PREFIX_MIN_CHARS,
    PREFIX_WEIGHT, PREFIX_WINDOW,
};

/// A required part of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    /// One term; `prefix` if it is the last word being typed.
    Term { term: String, prefix: bool },
    /// Two or more terms that must be adjacent in one field.
    Phrase(Vec<String>),
}

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub groups: Vec<Group>,
    /// The whole query text (without filters), lower-case, for the exact-name bonus.
    pub exact: Option<String>,
    /// (index into `FILTER_KEYS`, accepted values), by key.
    pub filters: Vec<(usize, Vec<String>)>,
}

enum Chunk {
    Word(String),
    Phrase(String),
}

/// Parses a query: whitespace-separated words, `"phrases"`, `key:value` filters.
pub(crate) fn parse(q: &str) -> Plan {
    let chars: Vec<char> = q.chars().collect();
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
        } else if chars[i] == '"' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '"' {
                j += 1;
            }
            chunks.push(Chunk::Phrase(chars[start..j].iter().collect()));
            i = j + 1;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
                i += 1;
            }
            chunks.push(Chunk::Word(chars[start..i].iter().collect()));
        }
    }
    let typing = chars.last().is_some_and(|c| !c.is_whitespace() && *c != '"');

    let mut plan = Plan::default();
    let mut texts = Vec::new();
    let count = chunks.len();
    for (n, chunk) in chunks.into_iter().enumerate() {
        match chunk {
            Chunk::Word(word) => {
                if let Some((key, value)) = filter(&word) {
                    match plan.filters.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, values)) => values.push(value),
                        None => plan.filters.push((key, vec![value])),
                    }
                    continue;
                }
                let terms = query_terms(&word);
                let last = terms.len();
                for (k, term) in terms.into_iter().enumerate() {
                    let prefix = typing && n + 1 == count && k + 1 == last;
                    push_term(&mut plan.groups, term, prefix);
                }
                texts.push(word);
            }
            Chunk::Phrase(text) => {
                let mut terms = phrase_terms(&text);
                match terms.len() {
                    0 => {}
                    1 => push_term(&mut plan.groups, terms.remove(0), false),
                    _ => plan.groups.push(Group::Phrase(terms)),
                }
                texts.push(text);
            }
        }
    }
    plan.filters.sort_by_key(|(k, _)| *k);
    let exact = texts.join(" ").trim().to_lowercase();
    plan.exact = (!exact.is_empty()).then_some(exact);
    plan
}

fn push_term(groups: &mut Vec<Group>, term: String, prefix: bool) {
    if !groups.iter().any(|g| matches!(g, Group::Term { term: t, .. } if *t == term)) {
        groups.push(Group::Term { term, prefix });
    }
}

/// `key:value` with a known key and a value.
fn filter(word: &str) -> Option<(usize, String)> {
    let (key, value) = word.split_once(':')?;
    let key = FILTER_KEYS.iter().position(|k| k.eq_ignore_ascii_case(key))?;
    (!value.is_empty()).then(|| (key, value.to_lowercase()))
}

/// A term a query term is expanded to.
#[derive(Clone, Debug)]
pub(crate) struct Candidate<'a> {
    pub entry: &'a VocabEntry,
    pub weight: f64,
    /// Only `name` and `title` count (typo expansions).
    pub name_title_only: bool,
}

/// The terms `term` stands for: itself, its prefix expansions, and, for a word of letters only
/// that occurs in no `name` or `title`, its one-edit neighbours.
pub(crate) fn candidates<'a>(index: &'a Index, term: &str, prefix: bool) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    if let Some(entry) = index.entry(term).filter(|e| e.in_text()) {
        out.push(Candidate { entry, weight: 1.0, name_title_only: false });
    }
    let length = term.chars().count();
    let rank = |found: &mut Vec<(usize, &'a VocabEntry)>, max: usize| {
        found.sort_by(|a, b| b.1.text_df().cmp(&a.1.text_df()).then(a.0.cmp(&b.0)));
        found.truncate(max);
    };
    if prefix && length >= PREFIX_MIN_CHARS {
        let mut found = Vec::new();
        for (i, entry) in index.vocab.iter().enumerate().skip(index.lower_bound(term)) {
            if !entry.term.starts_with(term) || found.len() == PREFIX_WINDOW {
                break;
            }
            if entry.term != term && entry.in_text() {
                found.push((i, entry));
            }
        }
        rank(&mut found, PREFIX_MAX);
        out.extend(found.into_iter().map(|(_, entry)| Candidate {
            entry,
            weight: PREFIX_WEIGHT,
            name_title_only: false,
        }));
    }
    let in_name_or_title = index.entry(term).is_some_and(VocabEntry::in_name_or_title);
    if length >= FUZZY_MIN_CHARS && !in_name_or_title && term.chars().all(char::is_alphabetic) {
        let chars: Vec<char> = term.chars().collect();
        let mut found: Vec<(usize, &VocabEntry)> =
            index.vocab.iter().enumerate().filter(|(_, e)| e.in_name_or_title() && one_edit(&chars, &e.term)).collect();
        rank(&mut found, FUZZY_MAX);
        out.extend(found.into_iter().map(|(_, entry)| Candidate {
            entry,
            weight: FUZZY_WEIGHT,
            name_title_only: true,
        }));
    }
    out
}

/// Whether `b` is exactly one insertion, deletion, substitution or adjacent transposition away
/// from `a`.
pub(crate) fn one_edit(a: &[char], b: &str) -> bool {
    let b_len = b.chars().count();
    if a.len().abs_diff(b_len) > 1 {
        return false;
    }
    let b: Vec<char> = b.chars().collect();
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if a.len() == b.len() {
        if i == a.len() {
            return false;
        }
        a[i + 1..] == b[i + 1..]
            || (i + 1 < a.len() && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..])
    } else if a.len() < b.len() {
        a[i..] == b[i + 1..]
    } else {
        a[i + 1..] == b[i..]
    }
}

/// Runs `q`, returning at most `limit` (ordinal, score) pairs, best first, and whether they are
/// partial matches (no document has every group).
pub(crate) fn run_partial(index: &Index, q: &str, limit: usize) -> (Vec<(u32, f64)>, bool) {
    let (mut hits, partial) = evaluate(index, &parse(q));
    hits.truncate(limit);
    (hits, partial)
}

/// Every matching document with its score, best first; whether they are partial matches.
pub(crate) fn evaluate(index: &Index, plan: &Plan) -> (Vec<(u32, f64)>, bool) {
    let n = index.num_docs();
    let norms: Vec<FieldNorms> = index.total_tokens.iter().map(|&t| FieldNorms::new(t, n)).collect();
    let allowed = filter_set(index, plan);
    if plan.groups.is_empty() {
        let Some(allowed) = allowed else { return (Vec::new(), false) };
        let mut docs: Vec<u32> = allowed.into_iter().collect();
        docs.sort_unstable();
        return (docs.into_iter().map(|d| (d, 0.0)).collect(), false);
    }
    let groups: Vec<HashMap<u32, f64>> = plan
        .groups
        .iter()
        .map(|group| match group {
            Group::Term { term, prefix } => term_group(index, &norms, term, *prefix),
            Group::Phrase(terms) => phrase_group(index, &norms, terms),
        })
        .collect();
    let bonus = exact_bonus(index, &norms, plan.exact.as_deref());
    let allows = |d: &u32| allowed.as_ref().is_none_or(|a| a.contains(d));
    let total = |d: u32, all: bool| {
        let mut total = 0.0;
        for group in &groups {
            match group.get(&d) {
                Some(s) => total += s,
                None if all => return None,
                None => {}
            }
        }
        if let Some(b) = bonus.get(&d) {
            total += b;
        }
        Some((d, total))
    };
    let smallest = groups.iter().min_by_key(|g| g.len()).expect("at least one group");
    let mut hits: Vec<(u32, f64)> = smallest.keys().copied().filter(allows).filter_map(|d| total(d, true)).collect();
    let partial = hits.is_empty() && groups.len() > 1;
    if partial {
        // No document has every group: the best partial matches (see the module docs).
        let mut docs: Vec<u32> = groups.iter().flat_map(|g| g.keys().copied()).filter(allows).collect();
        docs.sort_unstable();
        docs.dedup();
        hits = docs.into_iter().filter_map(|d| total(d, false)).collect();
    }
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    (hits, partial)
}

/// Documents passing every filter, or `None` without filters.
fn filter_set(index: &Index, plan: &Plan) -> Option<HashSet<u32>> {
    let mut allowed: Option<HashSet<u32>> = None;
    for (key, values) in &plan.filters {
        let mut docs = HashSet::new();
        for value in values {
            docs.extend(index.filter_docs(&format!("{}:{value}", FILTER_KEYS[*key])).iter().copied());
        }
        allowed = Some(match allowed {
            None => docs,
            Some(before) => before.intersection(&docs).copied().collect(),
        });
    }
    allowed
}

/// Scores of one term's documents: the sum over `fields` of boost × BM25.
fn term_scores(index: &Index, norms: &[FieldNorms], entry: &VocabEntry, fields: &[Field]) -> HashMap<u32, f64> {
    let n = index.num_docs();
    let mut scores: HashMap<u32, f64> = HashMap::new();
    for &field in fields {
        let f = field as usize;
        let df = entry.df[f];
        if df == 0 {
            continue;
        }
        let w = weight(idf(df, n));
        let postings = index.postings(f, &entry.term);
        for (&ord, &tf) in postings.docs.iter().zip(&postings.tfs) {
            let s = norms[f].score(Field::BOOSTS[f], w, tf, index.fieldnorm_ids[ord as usize][f]);
            *scores.entry(ord).or_insert(0.0) += s;
        }
    }
    scores
}

fn term_group(index: &Index, norms: &[FieldNorms], term: &str, prefix: bool) -> HashMap<u32, f64> {
    let mut group: HashMap<u32, f64> = HashMap::new();
    for candidate in candidates(index, term, prefix) {
        let fields: &[Field] = if candidate.name_title_only { &[Field::Name, Field::Title] } else { &Field::TEXT };
        for (d, s) in term_scores(index, norms, candidate.entry, fields) {
            let v = candidate.weight * s;
            let slot = group.entry(d).or_insert(v);
            if v > *slot {
                *slot = v;
            }
        }
    }
    group
}

/// tantivy's `PhraseQuery` per field: BM25 of the phrase frequency with the summed idf.
fn phrase_group(index: &Index, norms: &[FieldNorms], terms: &[String]) -> HashMap<u32, f64> {
    let n = index.num_docs();
    let mut group: HashMap<u32, f64> = HashMap::new();
    let Some(entries) = terms.iter().map(|t| index.entry(t)).collect::<Option<Vec<_>>>() else { return group };
    for field in Field::TEXT {
        let f = field as usize;
        if entries.iter().any(|e| e.df[f] == 0) {
            continue;
        }
        let mut idf_sum = 0.0;
        for e in &entries {
            idf_sum += idf(e.df[f], n);
        }
        let w = weight(idf_sum);
        let lists: Vec<HashMap<u32, &[u32]>> = entries
            .iter()
            .map(|e| {
                let postings = index.postings(f, &e.term);
                postings.docs.iter().enumerate().map(|(i, &ord)| (ord, postings.positions(i))).collect()
            })
            .collect();
        let mut docs: Vec<u32> =
            lists[0].keys().copied().filter(|d| lists[1..].iter().all(|l| l.contains_key(d))).collect();
        docs.sort_unstable();
        for d in docs {
            let count = lists[0][&d]
                .iter()
                .filter(|&&p| {
                    lists[1..].iter().enumerate().all(|(i, l)| l[&d].binary_search(&(p + i as u32 + 1)).is_ok())
                })
                .count() as u32;
            if count > 0 {
                let s = norms[f].score(Field::BOOSTS[f], w, count, index.fieldnorm_ids[d as usize][f]);
                *group.entry(d).or_insert(0.0) += s;
            }
        }
    }
    group
}

fn exact_bonus(index: &Index, norms: &[FieldNorms], exact: Option<&str>) -> HashMap<u32, f64> {
    let mut bonus = HashMap::new();
    let Some(entry) = exact.and_then(|e| index.entry(e)).filter(|e| e.df[EXACT] > 0) else { return bonus };
    let w = weight(idf(entry.df[EXACT], index.num_docs()));
    let postings = index.postings(EXACT, &entry.term);
    for (&ord, &tf) in postings.docs.iter().zip(&postings.tfs) {
        bonus.insert(ord, norms[EXACT].score(EXACT_BOOST, w, tf, index.fieldnorm_ids[ord as usize][EXACT]));
    }
    bonus
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(t: &str, prefix: bool) -> Group {
        Group::Term { term: t.to_owned(), prefix }
    }

    #[test]
    fn parses_words_phrases_and_filters() {
        let plan = parse("Payments-Gateway owner:Team-A kind:api kind:component \"order flow\" deplo");
        assert_eq!(
            plan.groups,
            vec![
                term("paymentsgateway", false),
                Group::Phrase(vec!["order".into(), "flow".into()]),
                term("deplo", true),
            ]
        );
        assert_eq!(plan.filters, vec![(0, vec!["api".into(), "component".into()]), (3, vec!["team-a".into()])]);
        assert_eq!(plan.exact.as_deref(), Some("payments-gateway order flow deplo"));
    }

    #[test]
    fn prefix_only_while_typing_the_last_word() {
        assert_eq!(parse("deploy ").groups, vec![term("deploy", false)]);
        assert_eq!(parse("deploy").groups, vec![term("deploy", true)]);
        assert_eq!(parse("\"deploy\"").groups, vec![term("deploy", false)]);
        assert_eq!(parse("deploy kind:api").groups, vec![term("deploy", false)]);
        assert_eq!(parse("a a").groups, vec![term("a", false)]);
        assert_eq!(parse("unknown:key").groups, vec![term("unknown", false), term("key", true)]);
        assert_eq!(parse("   ").exact, None);
    }

    #[test]
    fn one_edit_table() {
        let cases = [
            ("gateway", "gateway", false),
            ("gateway", "gatewey", true),
            ("gateway", "gatway", true),
            ("gatway", "gateway", true),
            ("gateway", "agteway", true),
            ("gateway", "gatewya", true),
            ("gateway", "gtaewya", false),
            ("gateway", "gateways", true),
            ("gateway", "xgateway", true),
            ("gateway", "gatewayss", false),
            ("payments", "paymnets", true),
            ("payments", "pymants", false),
        ];
        for (a, b, expected) in cases {
            let a: Vec<char> = a.chars().collect();
            assert_eq!(one_edit(&a, b), expected, "{a:?} {b}");
        }
    }
}
