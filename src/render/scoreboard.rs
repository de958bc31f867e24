//! The organisation's scorecards: the dashboard `scorecards/` (per card the distribution of
//! levels, the trend, the pass rate of each check, the teams; every exemption), a page per
//! check `scorecards/checks/<id>/` (what it tests, who fails it with their owners, its
//! exemptions), the roll-up views of Group, System and Domain tabs, and
//! `api/scorecards-history.jsonl`.
//!
//! Lists that grow with the catalog are capped at [`LIST_MAX`] rows (the page says how many
//! more; `api/scorecards.json` has them all), so no page grows without bound.

use serde::Serialize;

use super::Renderer;
use crate::catalog::EntityRef;
use crate::diagnostics::Diagnostic;
use crate::resolve::Portal;
use crate::scorecards::rollup::{Rollup, organisation};
use crate::scorecards::{Outcome, Scorecards};

/// Most rows of a list on one page.
pub const LIST_MAX: usize = 500;

#[derive(Serialize)]
pub struct LevelCount<'a> {
    pub level: &'a str,
    /// 0 for none, 1 for the first level, …
    pub rank: usize,
    pub count: usize,
    pub percent: u32,
}

#[derive(Serialize)]
pub struct CheckRate<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub level: &'a str,
    pub passed: usize,
    pub failed: usize,
    pub unknown: usize,
    pub exempt: usize,
    /// passed / (passed + failed + unknown), in percent.
    pub rate: Option<u32>,
}

/// One card over a set of entities.
#[derive(Serialize)]
pub struct CardRollupView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub entities: usize,
    pub levels: usize,
    pub distribution: Vec<LevelCount<'a>>,
    /// In the card's order.
    pub checks: Vec<CheckRate<'a>>,
    /// The lowest pass rates first (at most five, only those below 100 %).
    pub worst: Vec<CheckRate<'a>>,
}

fn percent(part: usize, whole: usize) -> Option<u32> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 100.0).round() as u32)
}

/// The views of a roll-up, one per card with entities.
pub fn rollup_view<'a>(sc: &'a Scorecards, rollup: &Rollup) -> Vec<CardRollupView<'a>> {
    let Some(rules) = &sc.rules else { return Vec::new() };
    rules
        .cards
        .iter()
        .zip(&rollup.cards)
        .filter(|(_, c)| c.entities() > 0)
        .map(|(card, counts)| {
            let entities = counts.entities();
            let distribution = counts
                .levels
                .iter()
                .enumerate()
                .map(|(rank, &count)| LevelCount {
                    level: if rank == 0 { "none" } else { &rules.levels[rank - 1] },
                    rank,
                    count,
                    percent: percent(count, entities).unwrap_or(0),
                })
                .collect();
            let rate = |i: usize| {
                let (k, l) = card.checks[i];
                let [passed, failed, unknown, exempt] = counts.checks[i];
                CheckRate {
                    id: &rules.checks[k].id,
                    title: &rules.checks[k].title,
                    level: &rules.levels[l],
                    passed,
                    failed,
                    unknown,
                    exempt,
                    rate: percent(passed, passed + failed + unknown),
                }
            };
            let checks = (0..card.checks.len()).map(rate).collect();
            let mut worst: Vec<CheckRate> =
                (0..card.checks.len()).map(rate).filter(|c| c.rate.is_some_and(|r| r < 100)).collect();
            worst.sort_by_key(|c| c.rate);
            worst.truncate(5);
            CardRollupView {
                id: &card.id,
                title: &card.title,
                entities,
                levels: rules.levels.len(),
                distribution,
                checks,
                worst,
            }
        })
        .collect()
}

/// An entity in a list, with its owner.
#[derive(Serialize)]
pub struct Listed {
    pub title: String,
    pub url: String,
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub owner: Option<Listed2>,
}

#[derive(Serialize)]
pub struct Listed2 {
    pub title: String,
    pub url: String,
}

fn listed(portal: &Portal, r: &EntityRef) -> Listed {
    let e = portal.entities.get(r);
    let owner = portal.targets(r, "ownedBy").next().map(|o| match portal.entities.get(o) {
        Some(oe) => Listed2 { title: oe.display_name().to_owned(), url: super::views::entity_path(oe) },
        None => Listed2 { title: o.short(), url: String::new() },
    });
    Listed {
        title: e.map_or_else(|| r.short(), |e| e.display_name().to_owned()),
        url: e.map(|e| super::views::entity_path(e)).unwrap_or_default(),
        entity_ref: r.to_string(),
        owner,
    }
}

/// The entities of a roll-up with their level on each card (`None`: the card does not apply).
#[derive(Serialize)]
pub struct Matrix<'a> {
    pub cards: &'a [&'a str],
    pub rows: Vec<(Listed, Vec<Option<(&'a str, usize)>>)>,
    pub levels: usize,
    /// Rows left out past [`LIST_MAX`].
    pub more: usize,
}

/// The matrix of the entities a Group (with the groups below it), System or Domain rolls up.
pub fn matrix<'a>(portal: &'a Portal, entity: &crate::catalog::Entity, cards: &'a [&'a str]) -> Matrix<'a> {
    let sc = &portal.scorecards;
    let members = crate::scorecards::rollup::members(portal, &entity.entity_ref);
    let on_a_card: Vec<&EntityRef> =
        members.into_iter().filter(|r| sc.cards.iter().any(|c| c.contains_key(r))).collect();
    let more = on_a_card.len().saturating_sub(LIST_MAX);
    let rows = on_a_card
        .into_iter()
        .take(LIST_MAX)
        .map(|r| {
            let levels = sc
                .cards
                .iter()
                .map(|c| c.get(r).map(|ec| (sc.level_name(ec.level), ec.level.map_or(0, |l| l + 1))))
                .collect();
            (listed(portal, r), levels)
        })
        .collect();
    Matrix { cards, rows, levels: sc.rules.as_ref().map_or(0, |r| r.levels.len()), more }
}

#[derive(Serialize)]
struct ExemptionView<'a> {
    check: &'a str,
    entity: Option<String>,
    reason: &'a str,
    expires: Option<String>,
    expired: bool,
    file: &'a str,
    line: u32,
}

fn exemption_views<'a>(sc: &'a Scorecards, check: Option<&str>) -> Vec<ExemptionView<'a>> {
    let today = sc.today.unwrap_or_default();
    sc.exemptions
        .iter()
        .filter(|x| check.is_none_or(|c| x.check.value == c))
        .map(|x| ExemptionView {
            check: &x.check.value,
            entity: x
                .entity
                .as_ref()
                .map(|e| e.value.clone())
                .or_else(|| x.dir.as_ref().map(|d| format!("the entities of {}", if d.is_empty() { "/" } else { d }))),
            reason: &x.reason,
            expires: x.expires.map(|d| d.to_string()),
            expired: x.expired(today),
            file: &x.file,
            line: x.pos.line,
        })
        .collect()
}

#[derive(Serialize)]
struct TeamRow<'a> {
    team: Listed,
    depth: usize,
    cards: Vec<CardRollupView<'a>>,
}

#[derive(Serialize)]
struct Dashboard<'a> {
    cards: Vec<CardRollupView<'a>>,
    trends: Vec<(String, String)>,
    teams: Vec<TeamRow<'a>>,
    teams_more: usize,
    exemptions: Vec<ExemptionView<'a>>,
    levels: &'a [String],
}

#[derive(Serialize)]
struct Failing {
    entity: Listed,
    card: String,
    outcome: &'static str,
    reason: Option<String>,
}

#[derive(Serialize)]
struct CheckPage<'a> {
    id: &'a str,
    title: &'a str,
    /// Sanitised HTML.
    remediation: Option<&'a str>,
    category: Option<&'a str>,
    shorthand: Option<&'a str>,
    expr: &'a str,
    applies: Option<&'a str>,
    /// (card title, level) pairs using it.
    used_by: Vec<(&'a str, &'a str)>,
    rate: Option<u32>,
    passed: usize,
    failing: Vec<Failing>,
    failing_more: usize,
    exemptions: Vec<ExemptionView<'a>>,
}

/// A page's view, as the templates name it (`page`).
#[derive(Serialize)]
struct Wrap<T> {
    page: T,
}

/// The dashboard, the check pages and the history file.
pub fn pages(renderer: &Renderer, portal: &Portal) -> Result<(), Box<Diagnostic>> {
    let sc = &portal.scorecards;
    let Some(rules) = &sc.rules else { return Ok(()) };
    let all = organisation(sc);
    let teams: Vec<TeamRow> = portal
        .ownership
        .tree
        .iter()
        .filter(|(g, depth)| *depth <= 1 && sc.rollups.contains_key(g))
        .map(|(g, depth)| TeamRow { team: listed(portal, g), depth: *depth, cards: rollup_view(sc, &sc.rollups[g]) })
        .collect();
    let teams_more = teams.len().saturating_sub(LIST_MAX);
    let dashboard = Dashboard {
        cards: rollup_view(sc, &all),
        trends: rules.cards.iter().map(|c| (c.id.clone(), super::trend::svg(&sc.history, rules, &c.id))).collect(),
        teams: teams.into_iter().take(LIST_MAX).collect(),
        teams_more,
        exemptions: exemption_views(sc, None),
        levels: &rules.levels,
    };
    renderer.page("scorecards/index.html".into(), "scorecards.html", &Wrap { page: dashboard })?;
    let remediations = super::scorecards::remediations(rules);
    for (k, check) in rules.checks.iter().enumerate() {
        let mut failing = Vec::new();
        let (mut passed, mut judged) = (0, 0);
        let mut used_by = Vec::new();
        for (card, results) in rules.cards.iter().zip(&sc.cards) {
            let Some(i) = card.checks.iter().position(|(c, _)| *c == k) else { continue };
            used_by.push((card.title.as_str(), rules.levels[card.checks[i].1].as_str()));
            for (r, result) in results {
                match &result.outcomes[i] {
                    Outcome::Pass => passed += 1,
                    Outcome::Fail | Outcome::Unknown(_) => {}
                    _ => continue,
                }
                judged += 1;
                if !result.outcomes[i].clears() {
                    let reason = match &result.outcomes[i] {
                        Outcome::Unknown(why) => Some(why.clone()),
                        _ => None,
                    };
                    failing.push(Failing {
                        entity: listed(portal, r),
                        card: card.title.clone(),
                        outcome: result.outcomes[i].name(),
                        reason,
                    });
                }
            }
        }
        let failing_more = failing.len().saturating_sub(LIST_MAX);
        failing.truncate(LIST_MAX);
        let page = CheckPage {
            id: &check.id,
            title: &check.title,
            remediation: remediations[k].as_deref(),
            category: check.category.as_deref(),
            shorthand: check.shorthand.as_deref(),
            expr: &check.expr.source,
            applies: check.applies.as_ref().map(|a| a.source.as_str()),
            used_by,
            rate: percent(passed, judged),
            passed,
            failing,
            failing_more,
            exemptions: exemption_views(sc, Some(&check.id)),
        };
        renderer.page(format!("scorecards/checks/{}/index.html", check.id), "scorecard-check.html", &Wrap { page })?;
    }
    renderer.put("api/scorecards-history.jsonl".into(), sc.history.jsonl().into())
}
