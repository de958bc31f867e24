//! Scorecards: the standards of `scorecards:` in portico.yaml measured for every entity at
//! build time (the `scorecards` stage, after `plugins`: facts come from plugins).
//!
//! Input: the compiled [`Rules`] (in the [`Config`]), the resolved [`Portal`] with its plugin
//! facts, and the build's file list. Output: [`Scorecards`], per card the result of every
//! entity it applies to, and diagnostics (exemption problems, expired exemptions, and the
//! required checks `portico check` fails on: `gate.rs`).
//!
//! Each check of a card has one [`Outcome`]: pass, fail, unknown (the expression did not
//! evaluate, e.g. a missing fact: shown with the reason, never a silent fail), not applicable
//! (its `applies` is false) or exempt (it did not pass and an exemption that has not expired
//! covers it). An entity's level on a card is the highest level at which every check at or
//! below it passes, is exempt or does not apply; below the first level it is "none". Its score
//! is passed / (passed + failed + unknown).
//!
//! Entities are evaluated in parallel, each check once per entity however many cards list it.

mod evaluate;
pub mod exemptions;
pub mod gate;
pub mod history;
pub mod rollup;
pub mod rules;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::catalog::EntityRef;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::resolve::Portal;

pub use rules::{RawScorecards, Rules};

/// Whether `id` is a valid check, card or level id.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

/// The outcome of one check for one entity.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Pass,
    Fail,
    /// Why it could not be evaluated.
    Unknown(String),
    NotApplicable,
    /// Index into [`Scorecards::exemptions`].
    Exempt(usize),
}

impl Outcome {
    /// The name used in `api/scorecards.json` and by the theme.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown(_) => "unknown",
            Outcome::NotApplicable => "not-applicable",
            Outcome::Exempt(_) => "exempt",
        }
    }

    /// Whether it lets the entity reach the check's level.
    pub fn clears(&self) -> bool {
        matches!(self, Outcome::Pass | Outcome::NotApplicable | Outcome::Exempt(_))
    }
}

/// One entity on one card.
#[derive(Clone, Debug)]
pub struct EntityCard {
    /// Index into [`Rules::levels`]; `None` below the first level.
    pub level: Option<usize>,
    pub passed: usize,
    /// Passed, failed and unknown checks.
    pub applicable: usize,
    /// Per check of the card (in [`rules::Card::checks`] order).
    pub outcomes: Vec<Outcome>,
}

impl EntityCard {
    /// passed / applicable; `None` when no check applies.
    pub fn score(&self) -> Option<f64> {
        (self.applicable > 0).then(|| self.passed as f64 / self.applicable as f64)
    }
}

/// Every result of the build.
#[derive(Clone, Debug, Default)]
pub struct Scorecards {
    pub rules: Option<Arc<Rules>>,
    /// The day exemptions and campaigns are judged on.
    pub today: Option<chrono::NaiveDate>,
    /// Per card (in [`Rules::cards`] order), the entities it applies to.
    pub cards: Vec<BTreeMap<EntityRef, EntityCard>>,
    /// Every exemption (central ones first, then the files in path order), whether or not it
    /// applied.
    pub exemptions: Vec<exemptions::Exemption>,
    /// Roll-ups of Groups (over sub-groups), Systems and Domains with entities on a card.
    pub rollups: BTreeMap<EntityRef, rollup::Rollup>,
    /// The history series with this build's row last.
    pub history: history::History,
}

impl Scorecards {
    /// The cards that apply to `entity`, with its result on each.
    pub fn of<'a>(&'a self, entity: &'a EntityRef) -> impl Iterator<Item = (&'a rules::Card, &'a EntityCard)> + 'a {
        let cards = self.rules.as_ref().map_or(&[][..], |r| r.cards.as_slice());
        cards.iter().zip(&self.cards).filter_map(move |(card, results)| results.get(entity).map(|r| (card, r)))
    }

    /// Whether `entity` has a Scorecards tab: a card applies to it, or it rolls some up.
    pub fn has_tab(&self, entity: &EntityRef) -> bool {
        self.rollups.contains_key(entity) || self.of(entity).next().is_some()
    }

    /// The level's name (`none` below the first).
    pub fn level_name(&self, level: Option<usize>) -> &str {
        match (level, &self.rules) {
            (Some(i), Some(r)) => &r.levels[i],
            _ => "none",
        }
    }
}

/// The day of the build: `SOURCE_DATE_EPOCH` when set (reproducible builds), else today (UTC).
pub fn today() -> chrono::NaiveDate {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
    epoch.and_then(|s| chrono::DateTime::from_timestamp(s, 0)).unwrap_or_else(chrono::Utc::now).date_naive()
}

/// Runs every card over the portal's entities.
pub fn evaluate(config: &Config, files: &[String], portal: &Portal, diags: &mut Vec<Diagnostic>) -> Scorecards {
    let Some(rules) = config.scorecards.clone() else { return Scorecards::default() };
    let today = today();
    let config_file = config.config_file_display();
    let dirs: BTreeSet<&str> = portal.entities.values().map(|e| e.dir.as_str()).collect();
    let mut all: Vec<exemptions::Exemption> = rules
        .exemptions
        .iter()
        .cloned()
        .map(|mut e| {
            e.file = config_file.clone();
            e
        })
        .collect();
    all.extend(exemptions::load(&config.root, files, &dirs, diags));
    let exempt = index_exemptions(&rules, &all, portal, today, diags);

    let shared = evaluate::Shared {
        portal,
        root: config.root.as_path().into(),
        files: files.to_vec().into(),
        today,
        globs: Default::default(),
    };
    let entities: Vec<&Arc<crate::catalog::Entity>> = portal.entities.values().collect();
    let failed_applies: Vec<Vec<(EntityRef, String)>> = vec![Vec::new(); rules.cards.len()];
    let failed_applies = std::sync::Mutex::new(failed_applies);
    let per_entity: Vec<Vec<Option<EntityCard>>> = entities
        .par_iter()
        .map(|e| {
            let mut scope = evaluate::Scope::new(&shared, e);
            let mut outcomes: Vec<Option<Outcome>> = vec![None; rules.checks.len()];
            rules
                .cards
                .iter()
                .enumerate()
                .map(|(ci, card)| {
                    if let Some(applies) = &card.applies {
                        if applies.needs_more() {
                            scope.complete(&shared, e);
                        }
                        match scope.truth(applies) {
                            Ok(true) => {}
                            Ok(false) => return None,
                            Err(why) => {
                                failed_applies.lock().expect("lock")[ci].push((e.entity_ref.clone(), why));
                                return None;
                            }
                        }
                    }
                    scope.complete(&shared, e);
                    let list: Vec<Outcome> = card
                        .checks
                        .iter()
                        .map(|&(k, _)| {
                            let raw = outcomes[k].get_or_insert_with(|| scope.outcome(&rules.checks[k])).clone();
                            match (raw.clears(), exempt.get(&(e.entity_ref.clone(), k))) {
                                (false, Some(&x)) => Outcome::Exempt(x),
                                _ => raw,
                            }
                        })
                        .collect();
                    Some(entity_card(card, list))
                })
                .collect()
        })
        .collect();
    for (ci, failed) in failed_applies.into_inner().expect("lock").into_iter().enumerate() {
        // The first by reference: the same message on every run, whatever the threads did.
        if let Some((first, why)) = failed.iter().min_by(|a, b| a.0.cmp(&b.0)) {
            diags.push(
                Diagnostic::warning(
                    "scorecard-applies",
                    format!(
                        "the `applies` of card `{}` could not be evaluated for {} entities, which the card leaves out (first: {first}: {why})",
                        rules.cards[ci].id,
                        failed.len()
                    ),
                )
                .at(&config_file, None)
                .hint("guard optional fields with has(), e.g. `has(entity.spec.type) && entity.spec.type == \"service\"`"),
            );
        }
    }
    let mut cards: Vec<BTreeMap<EntityRef, EntityCard>> = vec![BTreeMap::new(); rules.cards.len()];
    for (e, results) in entities.iter().zip(per_entity) {
        for (ci, r) in results.into_iter().enumerate() {
            if let Some(r) = r {
                cards[ci].insert(e.entity_ref.clone(), r);
            }
        }
    }
    let mut scorecards =
        Scorecards { rules: Some(rules), today: Some(today), cards, exemptions: all, ..Scorecards::default() };
    scorecards.rollups = rollup::rollups(&scorecards, portal);
    scorecards.history = history::append(&scorecards, config.history.as_deref(), diags);
    scorecards
}

/// The level and score from a card's outcomes.
fn entity_card(card: &rules::Card, outcomes: Vec<Outcome>) -> EntityCard {
    let mut level = None;
    let levels = card.checks.iter().map(|(_, l)| *l).max().unwrap_or(0);
    for l in 0..=levels {
        let clear = card.checks.iter().zip(&outcomes).filter(|((_, cl), _)| *cl <= l).all(|(_, o)| o.clears());
        if !clear {
            break;
        }
        level = Some(l);
    }
    let passed = outcomes.iter().filter(|o| **o == Outcome::Pass).count();
    let applicable =
        outcomes.iter().filter(|o| matches!(o, Outcome::Pass | Outcome::Fail | Outcome::Unknown(_))).count();
    EntityCard { level, passed, applicable, outcomes }
}

/// Which exemption covers which (entity, check): the first that applies and has not expired.
/// Problems (an unknown check or entity, an expired exemption) are diagnostics at its line.
fn index_exemptions(
    rules: &Rules,
    all: &[exemptions::Exemption],
    portal: &Portal,
    today: chrono::NaiveDate,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<(EntityRef, usize), usize> {
    let mut by_dir: BTreeMap<&str, Vec<&EntityRef>> = BTreeMap::new();
    for e in portal.entities.values() {
        by_dir.entry(e.dir.as_str()).or_default().push(&e.entity_ref);
    }
    let mut out = BTreeMap::new();
    for (i, x) in all.iter().enumerate() {
        let Some(check) = rules.check(&x.check.value) else {
            diags.push(
                Diagnostic::warning(
                    "invalid-exemptions",
                    format!("exemption from `{}`, which is not a check", x.check.value),
                )
                .at(&x.file, Some(x.check.pos)),
            );
            continue;
        };
        if x.expired(today) {
            let expires = x.expires.map(|d| d.to_string()).unwrap_or_default();
            diags.push(
                Diagnostic::warning(
                    "expired-exemption",
                    format!("the exemption from `{}` expired on {expires}", x.check.value),
                )
                .at(&x.file, Some(x.pos))
                .hint("fix what the check asks for, or renew the exemption with a new date and reason"),
            );
            continue;
        }
        let here = |r: &EntityRef| x.dir.as_deref().is_none_or(|d| portal.entities.get(r).is_some_and(|e| e.dir == d));
        let targets: Vec<EntityRef> = match x.entity_ref() {
            Some(Ok(r)) if portal.entities.contains_key(&r) && here(&r) => vec![r],
            Some(Ok(r)) if portal.entities.contains_key(&r) => {
                let pos = x.entity.as_ref().map(|e| e.pos);
                diags.push(
                    Diagnostic::warning(
                        "invalid-exemptions",
                        format!("exemption for {r}, which is not described in this directory: it does not apply"),
                    )
                    .at(&x.file, pos)
                    .hint("an exemption file covers the entities of its own directory; put it beside their descriptor, or under `scorecards.exemptions` in portico.yaml"),
                );
                continue;
            }
            Some(Ok(r)) => {
                let pos = x.entity.as_ref().map(|e| e.pos);
                diags.push(
                    Diagnostic::warning(
                        "invalid-exemptions",
                        format!("exemption for {r}, which is not in the catalog"),
                    )
                    .at(&x.file, pos),
                );
                continue;
            }
            Some(Err(why)) => {
                let pos = x.entity.as_ref().map(|e| e.pos);
                diags.push(
                    Diagnostic::error("invalid-exemptions", format!("invalid entity reference {why}")).at(&x.file, pos),
                );
                continue;
            }
            None => x
                .dir
                .as_deref()
                .and_then(|d| by_dir.get(d))
                .map(|v| v.iter().map(|r| (*r).clone()).collect())
                .unwrap_or_default(),
        };
        for t in targets {
            out.entry((t, check)).or_insert(i);
        }
    }
    out
}

/// `api/scorecards.json`: the rules, then per card and entity the `level`, `score` and each
/// check's `outcome` (with `reason` when unknown or exempt).
pub fn json(scorecards: &Scorecards) -> Value {
    let Some(rules) = &scorecards.rules else { return json!({ "levels": [], "checks": {}, "cards": {} }) };
    let checks: serde_json::Map<String, Value> = rules
        .checks
        .iter()
        .map(|c| {
            let mut v = json!({ "title": c.title, "expr": c.expr.source });
            for (k, x) in [("remediation", &c.remediation), ("category", &c.category), ("shorthand", &c.shorthand)] {
                if let Some(x) = x {
                    v[k] = json!(x);
                }
            }
            if let Some(a) = &c.applies {
                v["applies"] = json!(a.source);
            }
            (c.id.clone(), v)
        })
        .collect();
    let cards: serde_json::Map<String, Value> = rules
        .cards
        .iter()
        .zip(&scorecards.cards)
        .map(|(card, results)| {
            let mut levels = serde_json::Map::new();
            for (i, l) in rules.levels.iter().enumerate() {
                let ids: Vec<&str> =
                    card.checks.iter().filter(|(_, cl)| *cl == i).map(|(k, _)| rules.checks[*k].id.as_str()).collect();
                levels.insert(l.clone(), json!(ids));
            }
            let entities: serde_json::Map<String, Value> = results
                .iter()
                .map(|(r, ec)| {
                    let outcomes: serde_json::Map<String, Value> = card
                        .checks
                        .iter()
                        .zip(&ec.outcomes)
                        .map(|((k, _), o)| {
                            let mut v = json!({ "outcome": o.name() });
                            match o {
                                Outcome::Unknown(why) => v["reason"] = json!(why),
                                Outcome::Exempt(x) => {
                                    let x = &scorecards.exemptions[*x];
                                    v["reason"] = json!(x.reason);
                                    if let Some(d) = x.expires {
                                        v["expires"] = json!(d.to_string());
                                    }
                                }
                                _ => {}
                            }
                            (rules.checks[*k].id.clone(), v)
                        })
                        .collect();
                    let score = ec.score().map(|s| (s * 1000.0).round() / 1000.0);
                    (
                        r.to_string(),
                        json!({ "level": scorecards.level_name(ec.level), "score": score, "checks": outcomes }),
                    )
                })
                .collect();
            let required: Vec<Value> = card
                .required
                .iter()
                .map(|r| match r.from {
                    None => json!(rules.checks[r.check].id),
                    Some(d) => json!({ "check": rules.checks[r.check].id, "required_from": d.to_string() }),
                })
                .collect();
            let mut v = json!({ "title": card.title, "levels": levels, "required": required, "entities": entities });
            if let Some(a) = &card.applies {
                v["applies"] = json!(a.source);
            }
            (card.id.clone(), v)
        })
        .collect();
    json!({ "levels": rules.levels, "checks": checks, "cards": cards })
}
