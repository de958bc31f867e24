//! History on a static site: each build appends one JSON line to the series in
//! `api/scorecards-history.jsonl`, read from `--history FILE` (the previous deployment's file,
//! fetched by the CI step; without it a new series starts).
//!
//! A row: `{"date", "rules", "cards": {card: {"levels": {level: count}, "checks": {check:
//! passed}}}, "changed": {card: {entity: level}}}`. `rules` is a hash of the rules as
//! written: where it changes, the dashboard marks the chart instead of showing movement.
//! `changed` lists the entities whose level differs from the series so far (`null`: no longer
//! on the card), so the first row lists every entity and later rows only the changes; replaying
//! them gives the previous build's levels.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Scorecards;
use super::rollup::organisation;
use crate::diagnostics::Diagnostic;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Row {
    pub date: String,
    pub rules: String,
    pub cards: BTreeMap<String, CardRow>,
    #[serde(default)]
    pub changed: BTreeMap<String, BTreeMap<String, Option<String>>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CardRow {
    pub levels: BTreeMap<String, usize>,
    pub checks: BTreeMap<String, usize>,
}

/// The series: the rows read, then this build's.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub rows: Vec<Row>,
}

impl History {
    /// The file's text: one row per line.
    pub fn jsonl(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for row in &self.rows {
            out.extend(serde_json::to_vec(row).expect("rows serialise"));
            out.push(b'\n');
        }
        out
    }
}

/// Reads the previous series (problems are warnings: the series starts anew from the first
/// unreadable line) and appends this build's row.
pub fn append(sc: &Scorecards, previous: Option<&std::path::Path>, diags: &mut Vec<Diagnostic>) -> History {
    let mut rows: Vec<Row> = Vec::new();
    if let Some(path) = previous {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    match serde_json::from_str::<Row>(line) {
                        Ok(row) => rows.push(row),
                        Err(e) => {
                            diags.push(
                                Diagnostic::warning(
                                    "scorecard-history",
                                    format!(
                                        "line {} of the history is not a row: {e}; the rows after it are dropped",
                                        i + 1
                                    ),
                                )
                                .at(&path.display().to_string(), Some(crate::diagnostics::Pos::new(i as u32 + 1, 1))),
                            );
                            break;
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => diags.push(Diagnostic::info(
                "scorecard-history",
                format!("no history at {}: a new series starts", path.display()),
            )),
            Err(e) => diags.push(Diagnostic::warning(
                "scorecard-history",
                format!("cannot read the history {}: {e}; a new series starts", path.display()),
            )),
        }
    }
    let mut known: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for row in &rows {
        for (card, changes) in &row.changed {
            let levels = known.entry(card).or_default();
            for (entity, level) in changes {
                match level {
                    Some(l) => levels.insert(entity, l),
                    None => levels.remove(entity.as_str()),
                };
            }
        }
    }
    let row = current(sc, &known);
    rows.push(row);
    History { rows }
}

/// This build's row, with the changes against `known` levels.
fn current(sc: &Scorecards, known: &BTreeMap<&str, BTreeMap<&str, &str>>) -> Row {
    let Some(rules) = &sc.rules else { return Row::default() };
    let all = organisation(sc);
    let mut row =
        Row { date: sc.today.map(|d| d.to_string()).unwrap_or_default(), rules: rules.hash.clone(), ..Row::default() };
    for ((card, counts), results) in rules.cards.iter().zip(&all.cards).zip(&sc.cards) {
        let mut levels = BTreeMap::new();
        for (i, n) in counts.levels.iter().enumerate() {
            let name = if i == 0 { "none" } else { &rules.levels[i - 1] };
            levels.insert(name.to_owned(), *n);
        }
        let checks =
            card.checks.iter().zip(&counts.checks).map(|((k, _), c)| (rules.checks[*k].id.clone(), c[0])).collect();
        row.cards.insert(card.id.clone(), CardRow { levels, checks });
        let before = known.get(card.id.as_str());
        let mut changed = BTreeMap::new();
        for (entity, r) in results {
            let level = sc.level_name(r.level);
            let key = entity.to_string();
            if before.and_then(|b| b.get(key.as_str())) != Some(&level) {
                changed.insert(key, Some(level.to_owned()));
            }
        }
        let now: std::collections::BTreeSet<String> = results.keys().map(ToString::to_string).collect();
        for gone in before.into_iter().flat_map(|b| b.keys()) {
            if !now.contains(*gone) {
                changed.insert((*gone).to_owned(), None);
            }
        }
        if !changed.is_empty() {
            row.changed.insert(card.id.clone(), changed);
        }
    }
    row
}
