//! Scorecard pages: the Scorecards tab of every entity a card applies to
//! (`catalog/<ns>/<kind>/<name>/scorecards/`), an SVG badge per entity and card for READMEs
//! (`…/scorecards/<card>.svg`), and `api/scorecards.json`.

use rayon::prelude::*;
use serde::Serialize;

use super::Renderer;
use super::tabs::{TabEntity, TabLink, entity_tabs};
use super::views::{ViewBuilder, entity_path};
use crate::catalog::Entity;
use crate::diagnostics::Diagnostic;
use crate::scorecards::{EntityCard, Outcome, Scorecards, rules};

/// One check's outcome as the theme shows it.
#[derive(Serialize)]
pub struct CheckOutcome<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// `pass`, `fail`, `unknown`, `not-applicable` or `exempt`.
    pub outcome: &'static str,
    /// Why it is unknown, or the exemption's reason.
    pub reason: Option<&'a str>,
    /// An exemption's expiry date.
    pub expires: Option<String>,
    /// Markdown, as sanitised HTML.
    pub remediation: Option<&'a str>,
    /// What it tests, as written (a shorthand) or the CEL expression.
    pub test: String,
    /// Required by the card (`portico check` fails on it), and from when.
    pub required: bool,
    pub required_from: Option<String>,
}

/// The checks of one level of a card.
#[derive(Serialize)]
pub struct LevelGroup<'a> {
    pub level: &'a str,
    /// The entity reached this level.
    pub reached: bool,
    pub checks: Vec<CheckOutcome<'a>>,
}

/// One card of an entity.
#[derive(Serialize)]
pub struct CardView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: Option<&'a str>,
    /// The level reached (`none` below the first).
    pub level: &'a str,
    /// 0 for none, 1 for the first level, …; `levels` is the ladder's length.
    pub rank: usize,
    pub levels: usize,
    /// Percent of applicable checks passed, if any applies.
    pub score: Option<u32>,
    pub passed: usize,
    pub applicable: usize,
    pub groups: Vec<LevelGroup<'a>>,
    /// The next level and the checks it still needs (none at the top).
    pub next_level: Option<&'a str>,
    pub next_needs: Vec<CheckOutcome<'a>>,
    /// The badge, relative to the base path.
    pub badge_url: String,
}

#[derive(Serialize)]
struct Page<'a> {
    entity: TabEntity<'a>,
    tabs: &'a [TabLink],
    cards: Vec<CardView<'a>>,
    /// For a Group (over its sub-groups), System or Domain: its entities counted together.
    rollup: Vec<super::scoreboard::CardRollupView<'a>>,
    /// With a roll-up: its entities by card.
    matrix: Option<super::scoreboard::Matrix<'a>>,
}

/// Each check's remediation as sanitised HTML (Markdown; one paragraph without its `<p>`), by
/// check index: rendered once, shown on many pages.
pub fn remediations(rules: &rules::Rules) -> Vec<Option<String>> {
    rules
        .checks
        .iter()
        .map(|c| {
            c.remediation.as_deref().map(|r| {
                let html = crate::plugins::blocks::markdown_html(r);
                let inner = html.trim().strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>"));
                match inner {
                    Some(i) if !i.contains("<p>") => i.to_owned(),
                    _ => html,
                }
            })
        })
        .collect()
}

/// The view of one card's result (`remediations` from [`remediations`]).
pub fn card_view<'a>(
    sc: &'a Scorecards,
    remediations: &'a [Option<String>],
    card: &'a rules::Card,
    result: &'a EntityCard,
    entity: &Entity,
) -> CardView<'a> {
    let rules = sc.rules.as_ref().expect("results come with rules");
    let outcome = |i: usize| -> CheckOutcome<'a> {
        let (k, _) = card.checks[i];
        let check = &rules.checks[k];
        let o = &result.outcomes[i];
        let exemption = match o {
            Outcome::Exempt(x) => Some(&sc.exemptions[*x]),
            _ => None,
        };
        let required = card.required.iter().find(|r| r.check == k);
        CheckOutcome {
            id: &check.id,
            title: &check.title,
            outcome: o.name(),
            reason: match o {
                Outcome::Unknown(why) => Some(why),
                _ => exemption.map(|x| x.reason.as_str()),
            },
            expires: exemption.and_then(|x| x.expires).map(|d| d.to_string()),
            remediation: remediations[k].as_deref(),
            test: check.shorthand.clone().unwrap_or_else(|| check.expr.source.clone()),
            required: required.is_some(),
            required_from: required.and_then(|r| r.from).map(|d| d.to_string()),
        }
    };
    let rank = result.level.map_or(0, |l| l + 1);
    let groups = rules
        .levels
        .iter()
        .enumerate()
        .filter_map(|(l, name)| {
            let checks: Vec<CheckOutcome> =
                (0..card.checks.len()).filter(|&i| card.checks[i].1 == l).map(outcome).collect();
            (!checks.is_empty()).then_some(LevelGroup { level: name, reached: l < rank, checks })
        })
        .collect();
    let next_level = rules.levels.get(rank).map(String::as_str);
    let next_needs = (0..card.checks.len())
        .filter(|&i| card.checks[i].1 <= rank && !result.outcomes[i].clears())
        .map(outcome)
        .collect();
    CardView {
        id: &card.id,
        title: &card.title,
        description: card.description.as_deref(),
        level: sc.level_name(result.level),
        rank,
        levels: rules.levels.len(),
        score: result.score().map(|s| (s * 100.0).round() as u32),
        passed: result.passed,
        applicable: result.applicable,
        groups,
        next_level,
        next_needs,
        badge_url: badge_path(entity, &card.id),
    }
}

fn badge_path(entity: &Entity, card: &str) -> String {
    format!("{}scorecards/{card}.svg", entity_path(entity))
}

/// Every entity's Scorecards tab and badges, and `api/scorecards.json`.
pub fn pages(renderer: &Renderer, builder: &ViewBuilder, entities: &[&Entity]) -> Result<(), Box<Diagnostic>> {
    let portal = builder.portal;
    let sc = &portal.scorecards;
    let Some(rules) = &sc.rules else { return Ok(()) };
    let remediations = remediations(rules);
    let matrix_cards: Vec<&str> = rules.cards.iter().map(|c| c.title.as_str()).collect();
    entities
        .par_iter()
        .map(|e| {
            let cards: Vec<CardView> =
                sc.of(&e.entity_ref).map(|(card, r)| card_view(sc, &remediations, card, r, e)).collect();
            let rollup =
                sc.rollups.get(&e.entity_ref).map(|r| super::scoreboard::rollup_view(sc, r)).unwrap_or_default();
            if cards.is_empty() && rollup.is_empty() {
                return Ok(());
            }
            let matrix = (!rollup.is_empty()).then(|| super::scoreboard::matrix(portal, e, &matrix_cards));
            for c in &cards {
                renderer.put(c.badge_url.clone(), badge(c.title, c.level, c.rank, c.levels).into_bytes().into())?;
            }
            let tabs =
                entity_tabs(builder.config, portal, e, portal.docs.entity_docs.get(&e.entity_ref).map(String::as_str));
            let url = format!("{}scorecards/index.html", entity_path(e));
            renderer.page(
                url,
                "entity-scorecards.html",
                &Page { entity: TabEntity::of(e), tabs: &tabs, cards, rollup, matrix },
            )
        })
        .collect::<Result<(), _>>()?;
    super::scoreboard::pages(renderer, portal)?;
    let mut json = serde_json::to_vec_pretty(&crate::scorecards::json(sc)).expect("JSON values serialise");
    json.push(b'\n');
    renderer.put("api/scorecards.json".into(), json.into())
}

/// A badge in the style READMEs use (shields.io's flat style): the card's title, then the
/// level, coloured by rank (grey for none, then from bronze to the top level's green).
pub fn badge(label: &str, value: &str, rank: usize, levels: usize) -> String {
    // Verdana 11px averages about 6.5 px per character; the text is scaled to fit exactly.
    let width = |s: &str| (s.chars().count() as f64 * 6.5).ceil() as u32 + 10;
    let (lw, vw) = (width(label), width(value));
    let colour = match (rank, levels) {
        (0, _) => "#9f9f9f",
        (r, l) if r >= l => "#4c1",
        (1, _) => "#cd7f32",
        _ => "#a4a61d",
    };
    let esc = |s: &str| crate::html::escape(s);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{l}: {v}"><title>{l}: {v}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{colour}"/><rect width="{w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="14">{l}</text><text x="{vx}" y="14">{v}</text></g></svg>
"##,
        w = lw + vw,
        l = esc(label),
        v = esc(value),
        lx = lw / 2,
        vx = lw + vw / 2,
    )
}
