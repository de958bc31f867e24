//! Rules, levels and history as case tables; evaluation over real portals is tested in
//! `tests/testsuite/scorecards.rs`.

use std::collections::BTreeMap;

use super::rules::{RawScorecards, compile, desugar};
use super::*;

fn rules(yaml: &str) -> Result<Rules, Box<Diagnostic>> {
    let raw: RawScorecards = crate::yaml::from_str(yaml).expect("valid YAML").expect("not empty");
    compile(raw, "portico.yaml")
}

#[test]
fn shorthands_desugar_to_cel() {
    let cases = [
        ("field", "spec.lifecycle", "has(entity.spec) && has(entity.spec.lifecycle) && filled(entity.spec.lifecycle)"),
        (
            "annotation",
            "pagerduty.com/service-id",
            r#""pagerduty.com/service-id" in entity.metadata.annotations && filled(entity.metadata.annotations["pagerduty.com/service-id"])"#,
        ),
        ("file", "docs/runbook.md", r#"file_exists("docs/runbook.md")"#),
        (
            "link_title",
            "Run.Book",
            r#"entity.metadata.links.exists(l, has(l.title) && lower(l.title).contains("run.book"))"#,
        ),
        ("owner_kind", "Group", r#"owner != null && lower(owner.kind) == "group""#),
        ("fact", "ci-runs.green", r#"facts["ci-runs"]["green"] == true"#),
        ("fact", "sonar.quality.gate", r#"facts["sonar"]["quality"]["gate"] == true"#),
        ("expr", " entity.kind == \"API\" ", "entity.kind == \"API\""),
    ];
    for (key, value, expected) in cases {
        assert_eq!(desugar(key, value).as_deref(), Ok(expected), "{key}: {value}");
        rules(&format!("checks:\n  c: {{{key}: '{}'}}\n", value.replace('\'', "''"))).expect("the CEL compiles");
    }
    for (key, value) in [("field", "metadata.annotations.backstage.io/x"), ("fact", "green"), ("file", " ")] {
        assert!(desugar(key, value).is_err(), "{key}: {value}");
    }
}

#[test]
fn invalid_rules_are_errors_at_their_line_and_column() {
    let check = "checks:\n  owned: {owner_kind: Group}\n";
    let cases: [(String, &str, (u32, u32)); 9] = [
        (format!("{check}cards:\n  c:\n    levels: {{bronze: [owned, nosuch]}}\n"), "names check `nosuch`", (5, 30)),
        ("checks:\n  bad: {expr: 'entity.kind ==='}\n".into(), "not a valid CEL expression", (2, 15)),
        ("checks:\n  two:\n    field: spec.type\n    file: README.md\n".into(), "has both `field` and `file`", (4, 11)),
        ("checks:\n  none: {title: Nothing}\n".into(), "tests nothing", (2, 9)),
        (format!("{check}cards:\n  c:\n    levels: {{platinum: [owned]}}\n"), "level `platinum`", (5, 25)),
        (
            format!(
                "{check}  other: {{file: x}}\ncards:\n  c:\n    levels: {{bronze: [owned]}}\n    required: [other]\n"
            ),
            "requires `other`",
            (7, 16),
        ),
        (
            format!(
                "{check}cards:\n  c:\n    levels: {{bronze: [owned]}}\n    required: [{{check: owned, required_from: soon}}]\n"
            ),
            "is not a date",
            (6, 16),
        ),
        ("levels: [gold, gold]\n".into(), "listed twice", (1, 16)),
        (format!("{check}exemptions:\n  - {{entity: x, check: owned}}\n"), "gives no reason", (4, 5)),
    ];
    for (yaml, message, (line, column)) in cases {
        let err = rules(&yaml).expect_err(&yaml);
        assert!(err.message.contains(message), "{yaml}\n{}", err.message);
        assert_eq!(err.file.as_deref(), Some("portico.yaml"));
        assert_eq!(err.pos.map(|p| (p.line, p.column)), Some((line, column)), "{yaml}\n{}", err.message);
    }
}

fn outcome(s: &str) -> Outcome {
    match s {
        "p" => Outcome::Pass,
        "f" => Outcome::Fail,
        "u" => Outcome::Unknown("why".into()),
        "n" => Outcome::NotApplicable,
        "x" => Outcome::Exempt(0),
        _ => unreachable!(),
    }
}

#[test]
fn a_level_needs_every_check_at_or_below_it_cleared() {
    let r = rules(
        "checks:\n  a: {file: a}\n  b: {file: b}\n  c: {file: c}\n  d: {file: d}\ncards:\n  card:\n    levels: {bronze: [a, b], silver: [c], gold: [d]}\n",
    )
    .unwrap();
    let card = &r.cards[0];
    // Outcomes of a, b, c, d -> level (None: below bronze), passed, applicable.
    let cases = [
        ("p p p p", Some(2), 4, 4),
        ("p p p f", Some(1), 3, 4),
        ("p f p p", None, 3, 4),
        ("p p f p", Some(0), 3, 4),
        ("x n p p", Some(2), 2, 2),
        ("p p u p", Some(0), 3, 4),
        ("n n n n", Some(2), 0, 0),
    ];
    for (outcomes, level, passed, applicable) in cases {
        let list: Vec<Outcome> = outcomes.split(' ').map(outcome).collect();
        let ec = entity_card(card, list);
        assert_eq!((ec.level, ec.passed, ec.applicable), (level, passed, applicable), "{outcomes}");
        assert_eq!(ec.score(), (applicable > 0).then(|| passed as f64 / applicable as f64));
    }
}

#[test]
fn the_history_lists_only_the_levels_that_changed() {
    let rules = Arc::new(rules("checks:\n  a: {file: a}\ncards:\n  card:\n    levels: {bronze: [a]}\n").unwrap());
    let entity = |n: &str| crate::catalog::EntityRef::new("component", "default", n);
    let result = |pass: bool| EntityCard {
        level: pass.then_some(0),
        passed: usize::from(pass),
        applicable: 1,
        outcomes: vec![if pass { Outcome::Pass } else { Outcome::Fail }],
    };
    let build = |results: Vec<(&str, bool)>| Scorecards {
        rules: Some(rules.clone()),
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 2),
        cards: vec![results.into_iter().map(|(n, p)| (entity(n), result(p))).collect::<BTreeMap<_, _>>()],
        ..Scorecards::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.jsonl");
    let mut diags = Vec::new();
    let first = history::append(&build(vec![("a", true), ("b", false), ("c", true)]), Some(&file), &mut diags);
    assert_eq!(diags.len(), 1, "a missing file starts a series: {diags:?}");
    std::fs::write(&file, first.jsonl()).unwrap();
    let second = history::append(&build(vec![("a", true), ("b", true)]), Some(&file), &mut diags);
    assert_eq!(second.rows.len(), 2);
    let row = &second.rows[1];
    let changed: Vec<(&str, Option<&str>)> =
        row.changed["card"].iter().map(|(k, v)| (k.as_str(), v.as_deref())).collect();
    assert_eq!(changed, [("component:default/b", Some("bronze")), ("component:default/c", None)]);
    assert_eq!(row.cards["card"].levels["bronze"], 2);
    assert_eq!(row.cards["card"].checks["a"], 2);
    assert_eq!(row.rules, rules.hash);
    // A broken line ends the series read so far, with a warning at its line.
    std::fs::write(&file, format!("{}not json\n", String::from_utf8(first.jsonl()).unwrap())).unwrap();
    let mut diags = Vec::new();
    let third = history::append(&build(vec![("a", true)]), Some(&file), &mut diags);
    assert_eq!(third.rows.len(), 2);
    assert_eq!(diags[0].pos.map(|p| p.line), Some(2));
}
