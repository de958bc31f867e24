//! The filter files and facet values of the static export (`export.rs` describes the files).
//!
//! Input: the [`Index`]'s filter terms. Output: per filter key, its values in runs of about
//! [`FILTER_BYTES`] (uncompressed) by *name part*, each file the values with their documents;
//! and the manifest's facet values.

use std::collections::BTreeMap;

use serde_json::json;

use super::FILTER_KEYS;
use super::encode::Writer;
use super::index::Index;

/// Uncompressed bytes after which a filter file is closed.
const FILTER_BYTES: usize = 40_000;

/// The part of a filter value that its aliases share: `team-a` of `group:default/team-a`.
pub(crate) fn name_part(value: &str) -> &str {
    value.rsplit([':', '/']).next().unwrap_or(value)
}

/// Filter values with their documents.
pub(crate) type FilterValues<'a> = Vec<(&'a str, &'a [u32])>;

/// The filter files: per key, its (value, documents) by name part and value, in runs of about
/// [`FILTER_BYTES`].
pub(crate) fn filter_files(index: &Index) -> Vec<(usize, FilterValues<'_>)> {
    let mut out = Vec::new();
    for (k, key) in FILTER_KEYS.iter().enumerate() {
        let prefix = format!("{key}:");
        let mut values: Vec<(&str, &[u32])> = index
            .filters
            .iter()
            .filter_map(|(t, docs)| t.strip_prefix(&prefix).map(|v| (v, docs.as_slice())))
            .collect();
        values.sort_by(|a, b| (name_part(a.0), a.0).cmp(&(name_part(b.0), b.0)));
        let mut start = 0;
        let mut used = 0;
        for i in 0..values.len() {
            let last = i + 1 == values.len();
            used += values[i].0.len() + 2 * values[i].1.len();
            if last || (used >= FILTER_BYTES && name_part(values[i].0) != name_part(values[i + 1].0)) {
                out.push((k, values[start..=i].to_vec()));
                start = i + 1;
                used = 0;
            }
        }
    }
    out
}

/// One filter file: `varint count`, then per value its text and `varint same` (1 + the index
/// of an earlier value of the file with the same documents, or 0 and its documents as runs).
pub(crate) fn filter_file(values: &[(&str, &[u32])]) -> Vec<u8> {
    let mut w = Writer::default();
    w.varint(values.len() as u64);
    for (i, (value, docs)) in values.iter().enumerate() {
        w.string(value);
        match values[..i].iter().position(|(_, d)| d == docs) {
            Some(same) => w.varint(same as u64 + 1),
            None => {
                w.varint(0);
                ord_runs(&mut w, docs);
            }
        }
    }
    w.buf
}

/// A sorted ordinal list as `varint runs`, then per run of consecutive ordinals `varint gap *
/// 2 + (length > 1)` (the gap from the end of the previous run) and, if longer than 1,
/// `varint length - 2`.
fn ord_runs(w: &mut Writer, docs: &[u32]) {
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
        w.varint(u64::from(start - end) * 2 + u64::from(len > 1));
        if len > 1 {
            w.varint(u64::from(len - 2));
        }
        end = start + len;
    }
}

/// Facet values the client offers (kind, lifecycle, owner, tag): per key, (value, documents)
/// by frequency.
pub(crate) fn facets(index: &Index) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &index.metas {
        if let Some(o) = &m.owner {
            *owners.entry(o).or_default() += 1;
        }
    }
    for key in ["kind", "lifecycle", "owner", "tag"] {
        let prefix = format!("{key}:");
        let mut values: Vec<(String, usize)> = if key == "owner" {
            owners.iter().map(|(o, c)| ((*o).to_owned(), *c)).collect()
        } else {
            index
                .filters
                .iter()
                .filter_map(|(t, docs)| t.strip_prefix(&prefix).map(|v| (v.to_owned(), docs.len())))
                .filter(|(v, _)| !v.contains(':'))
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
