//! Issue 14: scorecards. Rules in portico.yaml (shorthands and CEL) are measured for every
//! entity a card applies to; each check has an outcome (pass, fail, unknown, not applicable,
//! exempt), each entity a level and a score per card, written to `api/scorecards.json`, an
//! entity tab and a badge. Required checks gate `portico check` (campaigns warn before their
//! date, `--changed-since` limits the gate to the entities that changed); exemptions sit beside
//! the descriptors; an invalid rule is a configuration error at its line and column.
//!
//! The first test describes a monorepo as Rust values, writes the descriptors from them and
//! works out every outcome, level and score with its own reading of the rules, then compares
//! with what the build wrote.

use serde_json::{Value, json};

use crate::support::{Fixture, Run, summary};

/// `portico <args>` in the fixture with `SOURCE_DATE_EPOCH` at midnight UTC of `date`
/// (`YYYY-MM-DD`), the day exemptions and campaigns are judged on.
fn run_on(f: &Fixture, date: &str, args: &[&str]) -> Run {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let epoch = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp().to_string();
    f.run_with_env(args, &[("SOURCE_DATE_EPOCH", &epoch)])
}

/// The diagnostics of a run with `--format json`.
fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

/// `summary` of the diagnostics with `code`.
fn with_code(diags: &[Value], code: &str) -> Vec<String> {
    let of: Vec<Value> = diags.iter().filter(|d| d["code"] == code).cloned().collect();
    summary(&of)
}

fn scorecards_json(f: &Fixture) -> Value {
    serde_json::from_str(&f.read("public/api/scorecards.json")).expect("api/scorecards.json is JSON")
}

/// One entity's result on one card.
fn result<'a>(sc: &'a Value, card: &str, entity: &str) -> &'a Value {
    let v = &sc["cards"][card]["entities"][entity];
    assert!(v.is_object(), "{entity} is not on card {card}:\n{sc:#}");
    v
}

fn exists(f: &Fixture, rel: &str) -> bool {
    f.path().join(rel).exists()
}

// ---------------------------------------------------------------------------------------------
// Levels and scores of a realistic monorepo, against the test's own model.
// ---------------------------------------------------------------------------------------------

const LEVELS: [&str; 3] = ["bronze", "silver", "gold"];

/// A card's check ids per level, lowest first.
type Ladder = &'static [&'static [&'static str]];

/// Which components a card applies to.
type Applies = fn(&Svc) -> bool;

const READINESS: Ladder = &[
    &["team-owned", "has-desc"],
    &["has-docs", "in-production", "provides-api"],
    &["has-runbook", "has-runbook-link"],
];

/// Whose a component is.
#[derive(Clone, Copy)]
enum Owner {
    /// A Group of the catalog (`spec.owner: <name>`).
    Group(&'static str),
    /// A User of the catalog (`spec.owner: user:<name>`).
    User(&'static str),
    /// A group that is not in the catalog.
    Missing(&'static str),
}

/// A component of the fixture, from which both its descriptor and its expected outcomes come.
struct Svc {
    name: &'static str,
    /// The descriptor's directory.
    dir: &'static str,
    spec_type: &'static str,
    lifecycle: &'static str,
    owner: Owner,
    description: Option<&'static str>,
    /// The value of `backstage.io/techdocs-ref` (with `mkdocs.yml` and `docs/index.md` when it
    /// is `dir:.`).
    techdocs: Option<&'static str>,
    /// A runbook file, relative to `dir`.
    runbook_at: Option<&'static str>,
    /// `metadata.links`: (url, title).
    links: &'static [(&'static str, Option<&'static str>)],
    provides_api: bool,
}

const API: &str = "payments-rest";

const SERVICES: &[Svc] = &[
    // Everything: gold.
    Svc {
        name: "payments-gateway",
        dir: "services/payments-gateway",
        spec_type: "service",
        lifecycle: "production",
        owner: Owner::Group("payments"),
        description: Some("Takes card payments"),
        techdocs: Some("dir:."),
        runbook_at: Some("docs/runbook.md"),
        links: &[
            ("https://grafana.example.com/d/payments", Some("Dashboard")),
            ("https://runbooks.example.com/pg", Some("Runbook")),
        ],
        provides_api: true,
    },
    // Owned by the sub-group; provides no API (a silver check of services); its runbook is not
    // in its directory but in the nested worker's, which `docs/runbook.md` does not reach.
    Svc {
        name: "payments-ledger",
        dir: "services/payments-ledger",
        spec_type: "service",
        lifecycle: "production",
        owner: Owner::Group("payments-api"),
        description: Some("Double-entry ledger of every payment"),
        techdocs: Some("dir:."),
        runbook_at: None,
        links: &[],
        provides_api: false,
    },
    Svc {
        name: "ledger-worker",
        dir: "services/payments-ledger/worker",
        spec_type: "library",
        lifecycle: "production",
        owner: Owner::Group("payments-api"),
        description: Some("Posts ledger entries in batches"),
        techdocs: Some("dir:."),
        runbook_at: Some("docs/runbook.md"),
        links: &[],
        provides_api: false,
    },
    // A website: the API check does not apply; the link title matches in another case.
    Svc {
        name: "checkout-web",
        dir: "web/checkout",
        spec_type: "website",
        lifecycle: "production",
        owner: Owner::Group("web-team"),
        description: Some("The checkout pages"),
        techdocs: Some("dir:."),
        runbook_at: Some("docs/runbook.md"),
        links: &[("https://wiki.example.com/checkout-oncall", Some("On-call RUNBOOK"))],
        provides_api: false,
    },
    // Owned by a user, not a team: below bronze.
    Svc {
        name: "docs-site",
        dir: "web/docs-site",
        spec_type: "website",
        lifecycle: "experimental",
        owner: Owner::User("jdoe"),
        description: Some("Public developer documentation"),
        techdocs: None,
        runbook_at: None,
        links: &[],
        provides_api: false,
    },
    // Owned by a group the catalog does not have, and no description.
    Svc {
        name: "fraud-scorer",
        dir: "services/fraud-scorer",
        spec_type: "service",
        lifecycle: "production",
        owner: Owner::Missing("ghosts"),
        description: None,
        techdocs: Some("dir:."),
        runbook_at: Some("docs/runbook.md"),
        links: &[("https://runbooks.example.com/fraud", Some("Runbook"))],
        provides_api: true,
    },
    // A description of blanks is no description.
    Svc {
        name: "notifications",
        dir: "services/notifications",
        spec_type: "service",
        lifecycle: "deprecated",
        owner: Owner::Group("payments"),
        description: Some("   "),
        techdocs: Some("dir:."),
        runbook_at: Some("docs/runbook.md"),
        links: &[],
        provides_api: false,
    },
    // An empty TechDocs annotation is no TechDocs.
    Svc {
        name: "search-indexer",
        dir: "services/search-indexer",
        spec_type: "service",
        lifecycle: "production",
        owner: Owner::Group("web-team"),
        description: Some("Feeds the search index"),
        techdocs: Some(""),
        runbook_at: Some("docs/runbook.md"),
        links: &[("https://runbooks.example.com/search", Some("runbook"))],
        provides_api: true,
    },
    // The runbook is in the wrong place and the link has no title: silver.
    Svc {
        name: "status-page",
        dir: "web/status-page",
        spec_type: "website",
        lifecycle: "production",
        owner: Owner::Group("web-team"),
        description: Some("status.example.com"),
        techdocs: Some("dir:."),
        runbook_at: Some("docs/ops/runbook.md"),
        links: &[("https://runbooks.example.com/status", None)],
        provides_api: false,
    },
    // Not in production: bronze, although every higher check but one passes.
    Svc {
        name: "billing-cli",
        dir: "tools/billing-cli",
        spec_type: "tool",
        lifecycle: "experimental",
        owner: Owner::Group("payments"),
        description: Some("Replays invoices by hand"),
        techdocs: Some("dir:."),
        runbook_at: Some("docs/runbook.md"),
        links: &[("https://runbooks.example.com/billing", Some("Runbook: replays"))],
        provides_api: false,
    },
];

const MODEL_CONFIG: &str = r#"title: Acme portal
scorecards:
  levels: [bronze, silver, gold]
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
    has-desc:
      title: Has a description
      field: metadata.description
    has-docs:
      title: Has TechDocs
      annotation: backstage.io/techdocs-ref
    in-production:
      title: In production
      expr: 'entity.spec.lifecycle == "production"'
    provides-api:
      title: Provides an API
      expr: 'has(entity.spec.providesApis) && size(entity.spec.providesApis) > 0'
      applies: 'entity.spec.type == "service"'
    has-runbook:
      title: Has a runbook
      file: docs/runbook.md
      remediation: Write docs/runbook.md
    has-runbook-link:
      title: Links its runbook
      link_title: runbook
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned, has-desc]
        silver: [has-docs, in-production, provides-api]
        gold: [has-runbook, has-runbook-link]
    web:
      title: Website quality
      applies: 'entity.spec.type == "website"'
      levels:
        bronze: [has-desc]
        silver: [has-docs]
        gold: [has-runbook]
"#;

/// Groups (platform > payments > payments-api, platform > web-team) and two users.
const ORG: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
spec:
  type: department
  children:
    - payments
    - web-team
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  parent: platform
  children:
    - payments-api
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments-api
  description: The payments API squad
spec:
  type: sub-team
  parent: payments
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: web-team
spec:
  type: team
  parent: platform
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jdoe
spec:
  memberOf:
    - web-team
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: asmith
spec:
  memberOf:
    - payments
";

const RESOURCE: &str = "apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ledger-db
  description: PostgreSQL of the ledger
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: database
  owner: payments
";

impl Svc {
    fn descriptor(&self) -> String {
        let mut y = format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {}\n", self.name);
        if let Some(d) = self.description {
            y += &format!("  description: \"{d}\"\n");
        }
        if let Some(t) = self.techdocs {
            y += &format!("  annotations:\n    backstage.io/techdocs-ref: \"{t}\"\n");
        }
        if !self.links.is_empty() {
            y += "  links:\n";
            for (url, title) in self.links {
                y += &format!("    - url: {url}\n");
                if let Some(t) = title {
                    y += &format!("      title: \"{t}\"\n");
                }
            }
        }
        let owner = match self.owner {
            Owner::Group(g) => g.to_owned(),
            Owner::User(u) => format!("user:{u}"),
            Owner::Missing(g) => format!("group:{g}"),
        };
        y += &format!("spec:\n  type: {}\n  lifecycle: {}\n  owner: {owner}\n", self.spec_type, self.lifecycle);
        if self.provides_api {
            y += &format!("  providesApis:\n    - {API}\n");
        }
        y
    }

    /// The model's outcome of each check (`None`: not applicable).
    fn outcome(&self, check: &str) -> Option<bool> {
        Some(match check {
            "team-owned" => matches!(self.owner, Owner::Group(_)),
            "has-desc" => self.description.is_some_and(|d| !d.trim().is_empty()),
            "has-docs" => self.techdocs.is_some_and(|t| !t.trim().is_empty()),
            "in-production" => self.lifecycle == "production",
            "provides-api" if self.spec_type != "service" => return None,
            "provides-api" => self.provides_api,
            "has-runbook" => self.runbook_at == Some("docs/runbook.md"),
            "has-runbook-link" => {
                self.links.iter().any(|(_, t)| t.is_some_and(|t| t.to_lowercase().contains("runbook")))
            }
            other => panic!("no model of {other}"),
        })
    }

    /// The model's `{level, score, checks}` on a card of `levels` (check ids per level).
    fn expected(&self, levels: Ladder) -> Value {
        let mut level = "none";
        let mut reached = true;
        let (mut passed, mut applicable) = (0, 0);
        let mut checks = serde_json::Map::new();
        for (name, ids) in LEVELS.iter().zip(levels) {
            for id in *ids {
                let outcome = self.outcome(id);
                reached &= outcome != Some(false);
                if let Some(pass) = outcome {
                    applicable += 1;
                    passed += usize::from(pass);
                }
                let word = match outcome {
                    None => "not-applicable",
                    Some(true) => "pass",
                    Some(false) => "fail",
                };
                checks.insert((*id).to_owned(), json!({ "outcome": word }));
            }
            if reached {
                level = name;
            }
        }
        let score = (applicable > 0).then(|| (passed as f64 / applicable as f64 * 1000.0).round() / 1000.0);
        json!({ "level": level, "score": score, "checks": checks })
    }
}

fn model_fixture() -> Fixture {
    let mut f = Fixture::empty()
        .file("portico.yaml", MODEL_CONFIG)
        .file("org/catalog-info.yaml", ORG)
        .file("infra/ledger-db/catalog-info.yaml", RESOURCE)
        .file("infra/ledger-db/mkdocs.yml", "site_name: ledger-db\n")
        .file("infra/ledger-db/docs/index.md", "# ledger-db\n")
        .file("infra/ledger-db/docs/runbook.md", "# Runbook\n");
    for s in SERVICES {
        let mut descriptor = s.descriptor();
        // The API is described beside the gateway; the other providers point at it.
        if s.name == "payments-gateway" {
            descriptor += &format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {API}\n  description: Card payments\nspec:\n  type: openapi\n  lifecycle: production\n  owner: payments\n  definition: |\n    openapi: 3.0.0\n    info:\n      title: Payments\n      version: 1.0.0\n    paths: {{}}\n"
            );
        }
        f = f.file(&format!("{}/catalog-info.yaml", s.dir), &descriptor);
        if s.techdocs == Some("dir:.") {
            f = f
                .file(&format!("{}/mkdocs.yml", s.dir), &format!("site_name: {}\n", s.name))
                .file(&format!("{}/docs/index.md", s.dir), &format!("# {}\n", s.name));
        }
        if let Some(r) = s.runbook_at {
            f = f.file(&format!("{}/{r}", s.dir), "# Runbook\n\nRoll back with `deploy --previous`.\n");
        }
    }
    f
}

#[test]
fn issue_14_levels_and_scores_agree_with_an_independent_model_of_the_rules() {
    let f = model_fixture();
    let run = f.build(&["--format", "json"]);
    run.assert_code(0);
    let sc = scorecards_json(&f);

    assert_eq!(sc["levels"], json!(["bronze", "silver", "gold"]));
    assert_eq!(
        sc["checks"]["has-runbook"],
        json!({
            "title": "Has a runbook",
            "expr": "file_exists(\"docs/runbook.md\")",
            "shorthand": "file: docs/runbook.md",
            "remediation": "Write docs/runbook.md"
        })
    );
    assert_eq!(sc["checks"]["provides-api"]["applies"], "entity.spec.type == \"service\"");
    assert_eq!(
        sc["cards"]["readiness"]["levels"],
        json!({
            "bronze": ["team-owned", "has-desc"],
            "silver": ["has-docs", "in-production", "provides-api"],
            "gold": ["has-runbook", "has-runbook-link"]
        })
    );

    // Which components each card applies to, and its checks per level (as in MODEL_CONFIG).
    let cards: [(&str, Ladder, Applies); 2] = [
        ("readiness", READINESS, |_| true),
        ("web", &[&["has-desc"], &["has-docs"], &["has-runbook"]], |s| s.spec_type == "website"),
    ];
    for (card, levels, applies) in cards {
        let on_card: Vec<&Svc> = SERVICES.iter().filter(|s| applies(s)).collect();
        let entities = sc["cards"][card]["entities"].as_object().unwrap();
        let mut expected_refs: Vec<String> = on_card.iter().map(|s| format!("component:default/{}", s.name)).collect();
        expected_refs.sort();
        let refs: Vec<&String> = entities.keys().collect();
        assert_eq!(refs, expected_refs.iter().collect::<Vec<_>>(), "the entities card {card} applies to");
        for s in on_card {
            assert_eq!(entities[&format!("component:default/{}", s.name)], s.expected(levels), "{} on {card}", s.name);
        }
    }

    // The fixture reaches every rung of the ladder, so each one was compared.
    let mut reached: Vec<&str> = sc["cards"]["readiness"]["entities"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["level"].as_str().unwrap())
        .collect();
    reached.sort();
    reached.dedup();
    assert_eq!(reached, ["bronze", "gold", "none", "silver"]);
    // A few by hand, in case the model and Portico share a misreading.
    let readiness = |name: &str| result(&sc, "readiness", &format!("component:default/{name}")).clone();
    assert_eq!(readiness("payments-gateway")["level"], "gold");
    assert_eq!(readiness("payments-gateway")["score"], json!(1.0));
    assert_eq!(readiness("payments-ledger")["level"], "bronze");
    assert_eq!(readiness("payments-ledger")["score"], json!(0.571));
    assert_eq!(readiness("ledger-worker")["level"], "silver");
    assert_eq!(readiness("ledger-worker")["score"], json!(0.833));
    assert_eq!(readiness("docs-site")["level"], "none");
    assert_eq!(readiness("docs-site")["score"], json!(0.167));
    assert_eq!(readiness("docs-site")["checks"]["provides-api"], json!({"outcome": "not-applicable"}));

    // Neither the Resource, the API, the groups nor the users are on a card. The users have
    // no `spec.type`: the `web` card's `applies` fails for both, one warning for the card.
    for card in ["readiness", "web"] {
        for r in
            ["resource:default/ledger-db", "api:default/payments-rest", "group:default/payments", "user:default/jdoe"]
        {
            assert!(sc["cards"][card]["entities"].get(r).is_none(), "{r} is not on {card}");
        }
    }
    let diags = json_lines(&run);
    let applies: Vec<&Value> = diags.iter().filter(|d| d["code"] == "scorecard-applies").collect();
    assert_eq!(applies.len(), 1, "{diags:#?}");
    assert_eq!(applies[0]["severity"], "warning");
    assert_eq!(applies[0]["file"], "portico.yaml");
    let message = applies[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the `applies` of card `web` could not be evaluated for 2 entities, which the card leaves out (first: user:default/"),
        "{message}"
    );
    // Nothing else is wrong with the fixture but the missing owner and the empty TechDocs
    // annotation.
    let mut codes: Vec<String> = diags
        .iter()
        .filter(|d| d["code"] != "scorecard-applies")
        .map(|d| format!("{} {}", d["file"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "services/fraud-scorer/catalog-info.yaml dangling-ref",
            "services/search-indexer/catalog-info.yaml invalid-techdocs-ref"
        ],
        "{diags:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Each outcome.
// ---------------------------------------------------------------------------------------------

/// A Component descriptor; `head` goes before `apiVersion` (comments move `metadata.name`
/// down), `metadata` is more of `metadata` (indented by two).
fn descriptor(head: &str, name: &str, owner: &str, metadata: &str) -> String {
    format!(
        "{head}apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{metadata}spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

const ORG_SMALL: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: jdoe
spec:
  memberOf:
    - team-a
";

#[test]
fn issue_14_an_expression_that_does_not_evaluate_is_unknown_with_its_reason() {
    let f = Fixture::empty()
        .file(
            "portico.yaml",
            r#"title: Unknowns
scorecards:
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
    deep-field:
      title: Tier set
      expr: 'entity.spec.nosuch.deeper == 1'
    lifecycle-text:
      title: Lifecycle as text
      expr: 'entity.spec.lifecycle'
    guarded:
      title: Tier set, guarded
      expr: 'has(entity.spec.nosuch) && entity.spec.nosuch.deeper == 1'
    has-runbook:
      title: Has a runbook
      file: docs/runbook.md
  cards:
    readiness:
      title: Production readiness
      levels:
        bronze: [team-owned]
        silver: [deep-field, lifecycle-text]
        gold: [guarded, has-runbook]
"#,
        )
        .file("org/catalog-info.yaml", ORG_SMALL)
        .file("svc/orders/catalog-info.yaml", &descriptor("", "orders", "team-a", ""))
        .file("svc/orders/docs/runbook.md", "# Runbook\n");
    f.build(&[]).assert_code(0);
    let sc = scorecards_json(&f);
    assert_eq!(
        *result(&sc, "readiness", "component:default/orders"),
        json!({
            // Unknown does not reach a level: silver's checks are all unknown.
            "level": "bronze",
            // 2 passed of 5 (unknown counts against the score like a failure).
            "score": 0.4,
            "checks": {
                "team-owned": {"outcome": "pass"},
                "deep-field": {"outcome": "unknown", "reason": "no value `nosuch` (missing data)"},
                "lifecycle-text": {
                    "outcome": "unknown",
                    "reason": "`entity.spec.lifecycle` gave the string \"production\", not true or false"
                },
                "guarded": {"outcome": "fail"},
                "has-runbook": {"outcome": "pass"}
            }
        })
    );
    // A card without `applies` is on every entity: the group and the user too.
    let entities = sc["cards"]["readiness"]["entities"].as_object().unwrap();
    let refs: Vec<&str> = entities.keys().map(String::as_str).collect();
    assert_eq!(refs, ["component:default/orders", "group:default/team-a", "user:default/jdoe"]);
    assert_eq!(
        entities["group:default/team-a"]["checks"]["lifecycle-text"],
        json!({"outcome": "unknown", "reason": "no value `lifecycle` (missing data)"})
    );
}

const PLUGIN: &str = include_str!("../fixtures/plugins/ci_plugin.py");

#[test]
fn issue_14_a_fact_the_plugin_did_not_give_is_unknown_and_applies_false_is_not_applicable() {
    let with_pipeline = |p: &str| format!("  annotations:\n    ci.example.com/pipeline: {p}\n");
    let f = Fixture::empty()
        .file("tools/ci_plugin.py", PLUGIN)
        .file(
            "portico.yaml",
            r#"title: Facts
plugins:
  - id: ci-runs
    command: [python3, tools/ci_plugin.py]
    config: {server: 'https://ci.example.com'}
    timeout: 30
scorecards:
  levels: [bronze, silver]
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
    ci-green:
      title: CI passes
      fact: ci-runs.green
      applies: '"ci.example.com/pipeline" in entity.metadata.annotations'
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned]
        silver: [ci-green]
    ci:
      title: Continuous integration
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [ci-green]
"#,
        )
        .file("org/catalog-info.yaml", ORG_SMALL)
        // Green: the last run passed.
        .file("svc/a/catalog-info.yaml", &descriptor("", "svc-a", "team-a", &with_pipeline("svc-a-main")))
        .file(
            "ci/svc-a-main.json",
            r#"[{"id": 12, "branch": "main", "result": "passed"}, {"id": 11, "branch": "main", "result": "failed"}]"#,
        )
        // No pipeline: the check does not apply.
        .file("svc/b/catalog-info.yaml", &descriptor("", "svc-b", "team-a", ""))
        // A pipeline without runs: the plugin gives no facts.
        .file("svc/c/catalog-info.yaml", &descriptor("", "svc-c", "team-a", &with_pipeline("svc-c-main")))
        // Red: the last run failed.
        .file("svc/d/catalog-info.yaml", &descriptor("", "svc-d", "team-a", &with_pipeline("svc-d-main")))
        .file("ci/svc-d-main.json", r#"[{"id": 7, "branch": "main", "result": "failed"}]"#);
    let run = f.build(&[]);
    run.assert_code(0);
    let facts: Value = serde_json::from_str(&f.read("public/api/facts.json")).unwrap();
    assert!(facts.get("component:default/svc-c").is_none(), "the plugin said nothing of svc-c: {facts:#}");
    let sc = scorecards_json(&f);
    let ci_green =
        |name: &str| result(&sc, "readiness", &format!("component:default/{name}"))["checks"]["ci-green"].clone();
    assert_eq!(ci_green("svc-a"), json!({"outcome": "pass"}));
    assert_eq!(ci_green("svc-b"), json!({"outcome": "not-applicable"}));
    assert_eq!(ci_green("svc-c"), json!({"outcome": "unknown", "reason": "no value `ci-runs` (missing data)"}));
    assert_eq!(ci_green("svc-d"), json!({"outcome": "fail"}));
    let level_score = |card: &str, name: &str| {
        let r = result(&sc, card, &format!("component:default/{name}"));
        (r["level"].as_str().unwrap().to_owned(), r["score"].clone())
    };
    // Not applicable lets the level through and leaves the score alone.
    assert_eq!(level_score("readiness", "svc-a"), ("silver".into(), json!(1.0)));
    assert_eq!(level_score("readiness", "svc-b"), ("silver".into(), json!(1.0)));
    assert_eq!(level_score("readiness", "svc-c"), ("bronze".into(), json!(0.5)));
    assert_eq!(level_score("readiness", "svc-d"), ("bronze".into(), json!(0.5)));
    // On a card where nothing applies, the level is reached and there is no score.
    assert_eq!(level_score("ci", "svc-b"), ("bronze".into(), Value::Null));
    assert_eq!(level_score("ci", "svc-c"), ("none".into(), json!(0.0)));
    assert_eq!(sc["levels"], json!(["bronze", "silver"]));
}

/// A card's `applies` may read what a check reads: `owner`, `relations` and `facts`, not only
/// `entity` (the README lists the variables for every expression).
#[test]
fn issue_14_a_cards_applies_reads_owner_relations_and_facts() {
    let f = Fixture::empty()
        .file(
            "portico.yaml",
            r#"title: Applies
scorecards:
  checks:
    described:
      title: Has a description
      field: metadata.description
  cards:
    team-services:
      title: Team services
      applies: 'owner != null && owner.kind == "Group"'
      levels:
        bronze: [described]
    owned:
      title: Owned things
      applies: 'relations.exists(r, r.type == "ownedBy")'
      levels:
        bronze: [described]
    with-facts:
      title: With facts
      applies: 'size(facts) == 0'
      levels:
        bronze: [described]
"#,
        )
        .file("org/catalog-info.yaml", ORG_SMALL)
        .file("svc/orders/catalog-info.yaml", &descriptor("", "orders", "team-a", ""))
        .file("svc/tool/catalog-info.yaml", &descriptor("", "tool", "user:jdoe", ""));
    let run = f.build(&["--format", "json"]);
    run.assert_code(0);
    let diags = json_lines(&run);
    assert_eq!(with_code(&diags, "scorecard-applies"), Vec::<String>::new(), "{diags:#?}");
    let sc = scorecards_json(&f);
    let on =
        |card: &str| -> Vec<String> { sc["cards"][card]["entities"].as_object().unwrap().keys().cloned().collect() };
    assert_eq!(on("team-services"), ["component:default/orders"]);
    assert_eq!(on("owned"), ["component:default/orders", "component:default/tool"]);
    assert_eq!(on("with-facts").len(), 4, "no plugin: no entity has facts");
}

const EXEMPTIONS_CONFIG: &str = r#"title: Exemptions
scorecards:
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
    has-desc:
      title: Has a description
      field: metadata.description
    has-runbook:
      title: Has a runbook
      file: docs/runbook.md
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned]
        silver: [has-desc]
        gold: [has-runbook]
  exemptions:
    - entity: legacy
      check: has-desc
      reason: Retired at the end of the year
      expires: 2027-01-01
"#;

/// Line 4 is the second exemption; its mapping starts at column 3.
const ORDERS_EXEMPTIONS: &str = "# Agreed with the SRE team.
- check: team-owned
  reason: It passes anyway, so this changes nothing
- check: has-runbook
  reason: The runbook is being written
  expires: 2026-06-01
";

fn exemptions_fixture() -> Fixture {
    let described = "  description: Something useful\n";
    Fixture::empty()
        .file("portico.yaml", EXEMPTIONS_CONFIG)
        .file("org/catalog-info.yaml", ORG_SMALL)
        .file("svc/orders/catalog-info.yaml", &descriptor("", "orders", "team-a", described))
        .file("svc/orders/portico-exemptions.yaml", ORDERS_EXEMPTIONS)
        // No exemptions here: the ones of svc/orders do not reach it.
        .file("svc/plain/catalog-info.yaml", &descriptor("", "plain", "team-a", described))
        // No description, exempted centrally.
        .file("svc/legacy/catalog-info.yaml", &descriptor("", "legacy", "team-a", ""))
        // Two entities in one directory, one of them named by the exemption.
        .file(
            "svc/pair/catalog-info.yaml",
            &format!(
                "{}---\n{}",
                descriptor("", "pair-one", "team-a", described),
                descriptor("", "pair-two", "team-a", described)
            ),
        )
        .file(
            "svc/pair/portico-exemptions.yaml",
            "- entity: component:default/pair-two\n  check: has-runbook\n  reason: Shares the runbook of pair-one's team\n",
        )
}

/// (name, level, score, outcomes) of each entity of [`exemptions_fixture`].
fn exemption_results(sc: &Value) -> Vec<(String, String, Value, Value)> {
    ["orders", "plain", "legacy", "pair-one", "pair-two"]
        .iter()
        .map(|name| {
            let r = result(sc, "readiness", &format!("component:default/{name}"));
            (name.to_string(), r["level"].as_str().unwrap().to_owned(), r["score"].clone(), r["checks"].clone())
        })
        .collect()
}

#[test]
fn issue_14_an_exemption_makes_a_failing_check_exempt_until_the_day_it_expires() {
    let f = exemptions_fixture();
    let pass = json!({"outcome": "pass"});
    let fail = json!({"outcome": "fail"});
    let runbook_exempt =
        json!({"outcome": "exempt", "reason": "The runbook is being written", "expires": "2026-06-01"});
    let desc_exempt = json!({"outcome": "exempt", "reason": "Retired at the end of the year", "expires": "2027-01-01"});
    let pair_exempt = json!({"outcome": "exempt", "reason": "Shares the runbook of pair-one's team"});
    let checks = |t: &Value, d: &Value, r: &Value| json!({"team-owned": t, "has-desc": d, "has-runbook": r});
    let row = |name: &str, level: &str, score: Value, c: Value| (name.to_owned(), level.to_owned(), score, c);

    // The day before it expires: exempt, which reaches the level and leaves the score to the
    // other checks. An exemption from a check that passes leaves it passing.
    let run = run_on(&f, "2026-05-31", &["build", ".", "--quiet", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(with_code(&json_lines(&run), "expired-exemption"), Vec::<String>::new());
    assert_eq!(
        exemption_results(&scorecards_json(&f)),
        [
            row("orders", "gold", json!(1.0), checks(&pass, &pass, &runbook_exempt)),
            row("plain", "silver", json!(0.667), checks(&pass, &pass, &fail)),
            row("legacy", "silver", json!(0.5), checks(&pass, &desc_exempt, &fail)),
            row("pair-one", "silver", json!(0.667), checks(&pass, &pass, &fail)),
            row("pair-two", "gold", json!(1.0), checks(&pass, &pass, &pair_exempt)),
        ]
    );

    // The day it expires: a warning at the exemption, and the check fails again.
    let run = run_on(&f, "2026-06-01", &["build", ".", "--quiet", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        with_code(&json_lines(&run), "expired-exemption"),
        ["svc/orders/portico-exemptions.yaml:4:3 warning expired-exemption"]
    );
    let results = exemption_results(&scorecards_json(&f));
    assert_eq!(results[0], row("orders", "silver", json!(0.667), checks(&pass, &pass, &fail)));
    assert_eq!(results[2].3["has-desc"], desc_exempt, "the central exemption still applies");
    // What a user reads.
    let human = run_on(&f, "2026-06-01", &["check", "."]);
    human.assert_code(0);
    assert!(
        human.stderr.contains(
            "warning: the exemption from `has-runbook` expired on 2026-06-01 [expired-exemption]\n --> svc/orders/portico-exemptions.yaml:4:3\n  |\n4 | - check: has-runbook\n"
        ),
        "{}",
        human.stderr
    );

    // The central exemption (portico.yaml, line 22) expires on New Year's day.
    let run = run_on(&f, "2027-01-01", &["check", ".", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(
        with_code(&json_lines(&run), "expired-exemption"),
        [
            "portico.yaml:22:7 warning expired-exemption",
            "svc/orders/portico-exemptions.yaml:4:3 warning expired-exemption"
        ]
    );
}

#[test]
fn issue_14_an_exemption_without_a_reason_is_an_error_and_the_files_other_exemptions_apply() {
    let f = exemptions_fixture().file(
        "svc/orders/portico-exemptions.yaml",
        "- check: has-runbook\n  expires: 2030-01-01\n- check: has-desc\n  reason: Written next sprint\n",
    );
    // orders has a description here: exempting it changes nothing; give it none.
    let f = f.file("svc/orders/catalog-info.yaml", &descriptor("", "orders", "team-a", ""));
    let run = run_on(&f, "2026-05-31", &["check", ".", "--format", "json"]);
    run.assert_code(1);
    let diags = json_lines(&run);
    assert_eq!(
        with_code(&diags, "invalid-exemptions"),
        ["svc/orders/portico-exemptions.yaml:1:3 error invalid-exemptions"]
    );
    let d = diags.iter().find(|d| d["code"] == "invalid-exemptions").unwrap();
    assert_eq!(d["message"], "the exemption from `has-runbook` gives no reason");
    run_on(&f, "2026-05-31", &["build", ".", "--quiet"]).assert_code(0);
    let sc = scorecards_json(&f);
    let r = result(&sc, "readiness", "component:default/orders");
    assert_eq!(r["checks"]["has-desc"], json!({"outcome": "exempt", "reason": "Written next sprint"}));
    assert_eq!(r["checks"]["has-runbook"], json!({"outcome": "fail"}));
    assert_eq!(r["level"], "silver");
}

#[test]
fn issue_14_a_broken_exemptions_file_is_an_error_at_its_line_and_the_rest_builds() {
    let f = exemptions_fixture().file(
        "svc/orders/portico-exemptions.yaml",
        "- check: has-runbook\n  reason: \"not closed\n  expires: 2030-01-01\n",
    );
    let run = run_on(&f, "2026-05-31", &["build", ".", "--quiet", "--format", "json"]);
    run.assert_code(0);
    let diags = json_lines(&run);
    // The quote opens at line 2, column 11.
    assert_eq!(
        with_code(&diags, "invalid-exemptions"),
        ["svc/orders/portico-exemptions.yaml:2:11 error invalid-exemptions"]
    );
    let sc = scorecards_json(&f);
    // The file's exemption is lost; every other one applies, and every entity is scored.
    assert_eq!(
        result(&sc, "readiness", "component:default/orders")["checks"]["has-runbook"],
        json!({"outcome": "fail"})
    );
    assert_eq!(result(&sc, "readiness", "component:default/pair-two")["checks"]["has-runbook"]["outcome"], "exempt");
    assert_eq!(result(&sc, "readiness", "component:default/legacy")["checks"]["has-desc"]["outcome"], "exempt");
    assert_eq!(sc["cards"]["readiness"]["entities"].as_object().unwrap().len(), 5);
    for name in ["orders", "plain", "legacy", "pair-one", "pair-two"] {
        assert!(exists(&f, &format!("public/catalog/default/component/{name}/scorecards/index.html")), "{name}");
    }
    run_on(&f, "2026-05-31", &["check", "."]).assert_code(1);
}

// ---------------------------------------------------------------------------------------------
// The CI gate.
// ---------------------------------------------------------------------------------------------

const GATE_CONFIG: &str = r#"title: Gate
scorecards:
  levels: [bronze, silver]
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
      remediation: Set spec.owner to your team
    tier-set:
      title: Tier set
      expr: 'entity.metadata.labels.tier != ""'
    has-runbook:
      title: Has a runbook
      file: docs/runbook.md
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned, tier-set]
        silver: [has-runbook]
      required:
        - team-owned
        - tier-set
        - check: has-runbook
          required_from: 2027-03-01
"#;

const TIER: &str = "  labels:\n    tier: \"1\"\n";

fn gate_fixture() -> Fixture {
    Fixture::empty()
        .file("portico.yaml", GATE_CONFIG)
        .file("org/catalog-info.yaml", ORG_SMALL)
        // Owned by a user: fails a required check. Two comment lines put `name` on line 6.
        .file(
            "svc/orders/catalog-info.yaml",
            &descriptor("# Orders\n# Owned by Jane while the team forms\n", "orders", "user:jdoe", TIER),
        )
        .file("svc/orders/docs/runbook.md", "# Runbook\n")
        // Passes everything.
        .file("svc/payments/catalog-info.yaml", &descriptor("", "payments", "team-a", TIER))
        .file("svc/payments/docs/runbook.md", "# Runbook\n")
        // No runbook: only the campaign's check fails.
        .file("svc/billing/catalog-info.yaml", &descriptor("", "billing", "team-a", TIER))
        // No tier label: a required check that cannot be evaluated.
        .file("svc/search/catalog-info.yaml", &descriptor("", "search", "team-a", ""))
        .file("svc/search/docs/runbook.md", "# Runbook\n")
        // The second document's owner is a user: its `name` is on line 15 of the file (10 lines, `---`, 4).
        .file(
            "svc/pair/catalog-info.yaml",
            &format!(
                "{}---\n{}",
                descriptor("", "pair-one", "team-a", TIER),
                descriptor("", "pair-two", "user:jdoe", TIER)
            ),
        )
        .file("svc/pair/docs/runbook.md", "# Runbook\n")
}

fn scorecard_diags(run: &Run) -> Vec<String> {
    let diags = json_lines(run);
    let mut out = [with_code(&diags, "scorecard-required"), with_code(&diags, "scorecard-unknown")].concat();
    out.sort();
    out
}

#[test]
fn issue_14_a_failing_required_check_fails_check_at_the_entitys_name() {
    let f = gate_fixture();
    let run = run_on(&f, "2027-02-28", &["check", ".", "--format", "json"]);
    run.assert_code(1);
    assert_eq!(
        scorecard_diags(&run),
        [
            "svc/billing/catalog-info.yaml:4:9 warning scorecard-required",
            "svc/orders/catalog-info.yaml:6:9 error scorecard-required",
            "svc/pair/catalog-info.yaml:15:9 error scorecard-required",
            "svc/search/catalog-info.yaml:4:9 warning scorecard-unknown",
        ]
    );
    let diags = json_lines(&run);
    let message = |file: &str| {
        let d =
            diags.iter().find(|d| d["file"] == file && d["code"].as_str().unwrap().starts_with("scorecard")).unwrap();
        (d["message"].as_str().unwrap().to_owned(), d["hint"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        message("svc/orders/catalog-info.yaml"),
        (
            "component:default/orders fails the required check `team-owned` (Owned by a team) of scorecard `readiness`"
                .into(),
            "Set spec.owner to your team".into()
        )
    );
    assert_eq!(
        message("svc/search/catalog-info.yaml").0,
        "the required check `tier-set` (Tier set) of scorecard `readiness` cannot be evaluated for component:default/search: no value `tier` (missing data)"
    );
    // What a user reads.
    let human = run_on(&f, "2027-02-28", &["check", "."]);
    human.assert_code(1);
    assert!(
        human.stderr.contains(
            "error: component:default/orders fails the required check `team-owned` (Owned by a team) of scorecard `readiness` [scorecard-required]\n --> svc/orders/catalog-info.yaml:6:9\n  |\n6 |   name: orders\n  |         ^^^^^^\n"
        ),
        "{}",
        human.stderr
    );
    // An exemption lifts the gate.
    let f = f.file("svc/orders/portico-exemptions.yaml", "- check: team-owned\n  reason: The team is being formed\n");
    let run = run_on(&f, "2027-02-28", &["check", ".", "--format", "json"]);
    assert!(!scorecard_diags(&run).iter().any(|d| d.starts_with("svc/orders/")), "{:?}", scorecard_diags(&run));
}

#[test]
fn issue_14_a_campaign_warns_before_its_date_and_fails_check_from_it() {
    // Only billing: it fails the campaign's check alone.
    let f = Fixture::empty()
        .file("portico.yaml", GATE_CONFIG)
        .file("org/catalog-info.yaml", ORG_SMALL)
        .file("svc/billing/catalog-info.yaml", &descriptor("", "billing", "team-a", TIER));
    let before = run_on(&f, "2027-02-28", &["check", ".", "--format", "json"]);
    before.assert_code(0);
    assert_eq!(scorecard_diags(&before), ["svc/billing/catalog-info.yaml:4:9 warning scorecard-required"]);
    assert_eq!(
        json_lines(&before)[0]["message"],
        "component:default/billing fails `has-runbook` (Has a runbook) of scorecard `readiness`, which is required from 2027-03-01"
    );
    run_on(&f, "2027-02-28", &["check", ".", "--strict"]).assert_code(1);
    for day in ["2027-03-01", "2027-03-02"] {
        let from = run_on(&f, day, &["check", ".", "--format", "json"]);
        from.assert_code(1);
        assert_eq!(scorecard_diags(&from), ["svc/billing/catalog-info.yaml:4:9 error scorecard-required"], "{day}");
        assert_eq!(
            json_lines(&from)[0]["message"],
            "component:default/billing fails the required check `has-runbook` (Has a runbook) of scorecard `readiness`"
        );
    }
}

#[test]
fn issue_14_build_writes_the_site_when_a_required_check_fails() {
    let f = gate_fixture();
    let run = run_on(&f, "2027-03-01", &["build", ".", "--quiet", "--format", "json"]);
    run.assert_code(0);
    assert!(scorecard_diags(&run).contains(&"svc/orders/catalog-info.yaml:6:9 error scorecard-required".to_owned()));
    let sc = scorecards_json(&f);
    let orders = result(&sc, "readiness", "component:default/orders");
    assert_eq!(orders["level"], "none");
    assert_eq!(orders["checks"]["team-owned"], json!({"outcome": "fail"}));
    assert!(exists(&f, "public/catalog/default/component/orders/scorecards/index.html"));
    assert!(exists(&f, "public/catalog/default/component/orders/index.html"));
    assert!(exists(&f, "public/index.html"));
    run_on(&f, "2027-03-01", &["build", ".", "--quiet", "--strict"]).assert_code(1);
}

/// Runs git in the fixture.

#[test]
fn issue_14_changed_since_gates_only_the_entities_whose_directory_changed() {
    // Three services that each fail a required check.
    let mut f = Fixture::empty()
        .file("portico.yaml", GATE_CONFIG)
        .file(".gitignore", "public/\n.portico/\n")
        .file("org/catalog-info.yaml", ORG_SMALL);
    for name in ["a", "b", "c"] {
        f = f
            .file(&format!("svc/{name}/catalog-info.yaml"), &descriptor("", &format!("svc-{name}"), "user:jdoe", TIER))
            .file(&format!("svc/{name}/docs/runbook.md"), "# Runbook\n")
            .file(&format!("svc/{name}/README.md"), &format!("# svc-{name}\n"));
    }
    f.git(&["init", "-q"]);
    f.git(&["config", "user.email", "dev@example.com"]);
    f.git(&["config", "user.name", "Dev"]);
    f.git(&["add", "."]);
    f.git(&["commit", "-q", "-m", "Services"]);
    let gated = |f: &Fixture, args: &[&str]| {
        let mut all = vec!["check", ".", "--format", "json"];
        all.extend_from_slice(args);
        let run = run_on(f, "2027-01-01", &all);
        (run.code, scorecard_diags(&run))
    };
    let error = |name: &str| format!("svc/{name}/catalog-info.yaml:4:9 error scorecard-required");

    // Without the option every entity is gated; with it and no change, none.
    assert_eq!(gated(&f, &[]), (1, vec![error("a"), error("b"), error("c")]));
    assert_eq!(gated(&f, &["--changed-since", "HEAD"]), (0, vec![]));

    // A modified file of svc/b, then a new (untracked) file of svc/c.
    f = f.file("svc/b/README.md", "# svc-b\n\nNow with a paragraph.\n");
    assert_eq!(gated(&f, &["--changed-since", "HEAD"]), (1, vec![error("b")]));
    f = f.file("svc/c/notes.md", "Notes\n");
    assert_eq!(gated(&f, &["--changed-since", "HEAD"]), (1, vec![error("b"), error("c")]));

    // Committed changes count from the revision given.
    f.git(&["add", "."]);
    f.git(&["commit", "-q", "-m", "Notes"]);
    assert_eq!(gated(&f, &["--changed-since", "HEAD~1"]), (1, vec![error("b"), error("c")]));
    assert_eq!(gated(&f, &["--changed-since", "HEAD"]), (0, vec![]));

    // `build` takes it too, and still writes every entity's scorecard.
    let run = run_on(&f, "2027-01-01", &["build", ".", "--quiet", "--format", "json", "--changed-since", "HEAD~1"]);
    run.assert_code(0);
    assert_eq!(scorecard_diags(&run), [error("b"), error("c")]);
    assert_eq!(scorecards_json(&f)["cards"]["readiness"]["entities"].as_object().unwrap().len(), 3);

    // A revision git does not know: an error, and every entity is gated.
    let run = run_on(&f, "2027-01-01", &["check", ".", "--format", "json", "--changed-since", "no-such-rev"]);
    run.assert_code(1);
    assert_eq!(with_code(&json_lines(&run), "changed-since").len(), 1);
    assert_eq!(scorecard_diags(&run), [error("a"), error("b"), error("c")]);
}

// ---------------------------------------------------------------------------------------------
// Invalid rules.
// ---------------------------------------------------------------------------------------------

/// Valid rules; each case below replaces one line.
const RULES: &str = r#"title: Rules
scorecards:
  levels: [bronze, silver, gold]
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
    in-production:
      title: In production
      expr: 'entity.spec.lifecycle == "production"'
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned]
        silver: [in-production]
      required: [team-owned]
"#;

#[test]
fn issue_14_invalid_rules_are_configuration_errors_at_their_line_and_column() {
    let with_line = |n: usize, text: &str| -> String {
        RULES
            .lines()
            .enumerate()
            .map(|(i, l)| if i + 1 == n { format!("{text}\n") } else { format!("{l}\n") })
            .collect()
    };
    // The valid rules build cleanly.
    let f = Fixture::empty().file("portico.yaml", RULES).file("org/catalog-info.yaml", ORG_SMALL);
    f.check(&[]).assert_code(0);

    // (line replaced, its new text, where the error is, what it says)
    let cases = [
        (
            17,
            "        silver: [in-production, has-pager]",
            "17:33",
            "card `readiness` names check `has-pager`, which is not defined",
        ),
        (10, "      expr: 'entity.spec.lifecycle = \"production\"'", "10:13", "is not a valid CEL expression"),
        (14, "      applies: 'entity.kind == \"Component'", "14:16", "is not a valid CEL expression"),
        (
            7,
            "      owner_kind: Group\n      expr: 'true'",
            "8:13",
            "check `team-owned` has both `owner_kind` and `expr`",
        ),
        (
            17,
            "        platinum: [in-production]",
            "17:20",
            "card `readiness` uses level `platinum`, which `levels` does not list",
        ),
        (
            18,
            "      required: [team-owned, has-pager]",
            "18:30",
            "card `readiness` requires `has-pager`, which is not one of its checks",
        ),
        (
            18,
            "      required: [{check: team-owned, required_from: 2027-02-30}]",
            "18:18",
            "`required_from: 2027-02-30` is not a date",
        ),
        (3, "  levels: [bronze, silver, bronze]", "3:28", "level `bronze` is listed twice"),
    ];
    for (line, text, at, message) in cases {
        let f = Fixture::empty().file("portico.yaml", &with_line(line, text)).file("org/catalog-info.yaml", ORG_SMALL);
        let run = f.check(&["--format", "json"]);
        run.assert_code(2);
        let diags = json_lines(&run);
        assert_eq!(summary(&diags), [format!("portico.yaml:{at} error invalid-config")], "{text}");
        let got = diags[0]["message"].as_str().unwrap();
        assert!(got.starts_with("invalid scorecards: ") && got.contains(message), "{text}: {got}");
        // The human form points there too, and `build` refuses the same way.
        let human = f.check(&[]);
        assert!(human.stderr.contains(&format!("--> portico.yaml:{at}\n")), "{text}:\n{}", human.stderr);
        f.build(&[]).assert_code(2);
        assert!(!exists(&f, "public/index.html"), "{text}: nothing is written");
    }
}

// ---------------------------------------------------------------------------------------------
// Pages.
// ---------------------------------------------------------------------------------------------

#[test]
fn issue_14_the_scorecards_tab_and_badge_exist_only_where_a_card_applies() {
    let f = Fixture::empty()
        .file(
            "portico.yaml",
            r#"title: Pages
scorecards:
  checks:
    team-owned:
      title: Owned by a team
      owner_kind: Group
    tier-set:
      title: Tier set
      expr: 'entity.metadata.labels.tier != ""'
    has-runbook:
      title: Has a runbook
      file: docs/runbook.md
      remediation: Write the runbook
  cards:
    readiness:
      title: Production readiness
      applies: 'entity.kind == "Component"'
      levels:
        bronze: [team-owned]
        silver: [has-runbook]
        gold: [tier-set]
"#,
        )
        .file(
            "org/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: api-guild\nspec:\n  type: guild\n  children: []\n",
        )
        .file(
            "svc/orders/catalog-info.yaml",
            &format!(
                "{}  providesApis:\n    - orders-api\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: api-guild\n  definition: |\n    openapi: 3.0.0\n    info:\n      title: Orders\n      version: 1.0.0\n    paths: {{}}\n",
                descriptor("", "orders", "team-a", "")
            ),
        )
        .file("svc/orders/docs/runbook.md", "# Runbook\n")
        .file("svc/billing/catalog-info.yaml", &descriptor("", "billing", "user:nobody", ""));
    f.build(&[]).assert_code(0);
    let base = "public/catalog/default/component/orders/";

    // The tab: the level reached, the check that stands in the way and why.
    let tab = f.read(&format!("{base}scorecards/index.html"));
    assert!(tab.contains("aria-current=\"page\">Scorecards</a>"), "the tab bar marks the tab:\n{tab}");
    assert!(tab.contains("Production readiness"), "{tab}");
    assert!(tab.contains("title=\"Level reached\">silver</span>"), "the level:\n{tab}");
    assert!(tab.contains("no value `tier` (missing data)"), "the unknown's reason:\n{tab}");
    // The Overview links it.
    let overview = f.read(&format!("{base}index.html"));
    assert!(overview.contains("href=\"/catalog/default/component/orders/scorecards/\">Scorecards</a>"), "{overview}");
    // The badge.
    let badge = f.read(&format!("{base}scorecards/readiness.svg"));
    assert!(badge.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{badge}");
    assert!(badge.contains("aria-label=\"Production readiness: silver\""), "{badge}");
    assert!(badge.contains(">silver</text>"), "{badge}");
    let none = f.read("public/catalog/default/component/billing/scorecards/readiness.svg");
    assert!(none.contains(">none</text>") && none.contains("#9f9f9f"), "below the first level, grey:\n{none}");
    let billing_tab = f.read("public/catalog/default/component/billing/scorecards/index.html");
    assert!(billing_tab.contains("Write the runbook"), "the remediation of a failing check:\n{billing_tab}");

    // Neither the API nor a group that owns nothing on a card has the tab or a link to it.
    for url in ["catalog/default/api/orders-api/", "catalog/default/group/api-guild/"] {
        assert!(!exists(&f, &format!("public/{url}scorecards/index.html")), "{url}");
        assert!(!exists(&f, &format!("public/{url}scorecards/readiness.svg")), "{url}");
        let overview = f.read(&format!("public/{url}index.html"));
        assert!(!overview.contains(&format!("href=\"/{url}scorecards/\"")), "{url}:\n{overview}");
    }
    assert!(
        overview.contains(&format!("href=\"/{}scorecards/\"", &base["public/".len()..])),
        "the check above can fail"
    );
}

/// A rebuild with the build cache sees a new file and a new day as a clean build does.
#[test]
fn issue_14_a_rebuild_with_the_cache_follows_files_and_the_day() {
    let f = exemptions_fixture();
    let level = |f: &Fixture| result(&scorecards_json(f), "readiness", "component:default/plain")["level"].clone();
    let badge = |f: &Fixture| f.read("public/catalog/default/component/plain/scorecards/readiness.svg");
    run_on(&f, "2026-05-31", &["build", ".", "--quiet"]).assert_code(0);
    assert_eq!(level(&f), "silver");
    assert!(badge(&f).contains(">silver</text>"));
    let f = f.file("svc/plain/docs/runbook.md", "# Runbook\n");
    run_on(&f, "2026-05-31", &["build", ".", "--quiet"]).assert_code(0);
    assert_eq!(level(&f), "gold");
    assert!(badge(&f).contains(">gold</text>"));
    let tab = f.read("public/catalog/default/component/plain/scorecards/index.html");
    assert!(tab.contains("title=\"Level reached\">gold</span>"), "{tab}");
    // The exemption of orders expires between two builds with nothing else changed.
    let orders = |f: &Fixture| f.read("public/catalog/default/component/orders/scorecards/index.html");
    assert!(orders(&f).contains("title=\"Level reached\">gold</span>"));
    run_on(&f, "2026-06-01", &["build", ".", "--quiet"]).assert_code(0);
    assert_eq!(result(&scorecards_json(&f), "readiness", "component:default/orders")["level"], "silver");
    assert!(orders(&f).contains("title=\"Level reached\">silver</span>"), "{}", orders(&f));
}

/// The warning for a card's `applies` that fails names the first entity in catalog order,
/// whichever thread got there first: here the first user is the slowest to evaluate (a long
/// description to scan), so the others' failures are reported before its own.
#[test]
fn issue_14_the_applies_warning_is_the_same_on_every_run() {
    let users: String = (1..=200)
        .map(|i| {
            let description = if i == 1 { "lorem ipsum ".repeat(50_000) } else { "short".to_owned() };
            format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: u{i:03}\n  description: {}\nspec:\n  memberOf: []\n",
                description.trim()
            )
        })
        .collect();
    let f = Fixture::empty()
        .file(
            "portico.yaml",
            r#"title: Users
scorecards:
  checks:
    t:
      expr: 'true'
  cards:
    web:
      applies: 'entity.metadata.description.matches("^[a-z ]*[0-9]$") || entity.spec.type == "website"'
      levels:
        bronze: [t]
"#,
        )
        .file("catalog-info.yaml", &users);
    for _ in 0..20 {
        let diags = f.diagnostics();
        let d = diags.iter().find(|d| d["code"] == "scorecard-applies").expect("the warning");
        assert_eq!(
            d["message"],
            "the `applies` of card `web` could not be evaluated for 200 entities, which the card leaves out (first: user:default/u001: no value `type` (missing data))"
        );
    }
}

/// git quotes paths with bytes outside ASCII (`"svc/caf\303\251/README.md"`) unless told not
/// to; a service in such a directory must still count as changed.
#[test]
fn issue_14_changed_since_sees_changes_in_a_directory_with_a_non_ascii_name() {
    let f = Fixture::empty()
        .file("portico.yaml", GATE_CONFIG)
        .file(".gitignore", "public/\n.portico/\n")
        .file("org/catalog-info.yaml", ORG_SMALL)
        .file("svc/café/catalog-info.yaml", &descriptor("", "cafe", "user:jdoe", TIER))
        .file("svc/café/docs/runbook.md", "# Runbook\n")
        .file("svc/plain/catalog-info.yaml", &descriptor("", "plain", "user:jdoe", TIER))
        .file("svc/plain/docs/runbook.md", "# Runbook\n");
    f.git(&["init", "-q"]);
    f.git(&["config", "user.email", "dev@example.com"]);
    f.git(&["config", "user.name", "Dev"]);
    f.git(&["add", "."]);
    f.git(&["commit", "-q", "-m", "Services"]);
    // A modified file, then an untracked one.
    let f = f.file("svc/café/docs/runbook.md", "# Runbook\n\nRoll back.\n");
    let run = run_on(&f, "2027-01-01", &["check", ".", "--format", "json", "--changed-since", "HEAD"]);
    assert_eq!(scorecard_diags(&run), ["svc/café/catalog-info.yaml:4:9 error scorecard-required"]);
    f.git(&["add", "."]);
    f.git(&["commit", "-q", "-m", "Runbook"]);
    let f = f.file("svc/café/notes.md", "Notes\n");
    let run = run_on(&f, "2027-01-01", &["check", ".", "--format", "json", "--changed-since", "HEAD"]);
    assert_eq!(scorecard_diags(&run), ["svc/café/catalog-info.yaml:4:9 error scorecard-required"]);
}

/// A `portico-exemptions.yaml` speaks for the entities of its directory: `entity:` picks one of
/// them, it cannot exempt an entity described elsewhere (whose owners never see the file).
#[test]
fn issue_14_an_exemption_beside_one_descriptor_cannot_exempt_another_directorys_entity() {
    let f = gate_fixture().file(
        "svc/payments/portico-exemptions.yaml",
        "- entity: component:default/orders\n  check: team-owned\n  reason: Not ours to decide\n",
    );
    let run = run_on(&f, "2027-02-28", &["check", ".", "--format", "json"]);
    run.assert_code(1);
    assert!(
        scorecard_diags(&run).contains(&"svc/orders/catalog-info.yaml:6:9 error scorecard-required".to_owned()),
        "{:?}",
        scorecard_diags(&run)
    );
    run_on(&f, "2027-02-28", &["build", ".", "--quiet"]).assert_code(0);
    assert_eq!(
        result(&scorecards_json(&f), "readiness", "component:default/orders")["checks"]["team-owned"],
        json!({"outcome": "fail"})
    );
}

/// The organisation's pages agree with `api/scorecards.json`: the dashboard's distribution per
/// card, a check's page (the entities that do not pass it, with their owners, and its
/// exemptions), and a group's roll-up over the groups below it.
#[test]
fn issue_14_dashboard_check_pages_and_group_rollups_agree_with_the_json() {
    let f = model_fixture();
    f.build(&[]).assert_code(0);
    let sc = scorecards_json(&f);
    let dashboard = f.read("public/scorecards/index.html");
    for (card, results) in sc["cards"].as_object().unwrap() {
        let entities = results["entities"].as_object().unwrap();
        assert!(dashboard.contains(&format!("{} entities</span>", entities.len())), "{card}: count on the dashboard");
        for level in ["none", "bronze", "silver", "gold"] {
            let n = entities.values().filter(|e| e["level"] == level).count();
            let legend = format!("{}{level} {n}</span>", ""); // legend entries: `<i …></i>level n`
            assert!(dashboard.contains(&legend), "{card}: {level} {n} in the legend");
        }
    }
    // The runbook check's page lists exactly the entities that fail it, each with its owner.
    let page = f.read("public/scorecards/checks/has-runbook/index.html");
    let failing: Vec<&str> = sc["cards"]["readiness"]["entities"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, e)| e["checks"]["has-runbook"]["outcome"] == "fail")
        .map(|(r, _)| r.as_str())
        .collect();
    assert!(!failing.is_empty());
    for r in &failing {
        let name = r.rsplit('/').next().unwrap();
        assert!(page.contains(&format!("/catalog/default/component/{name}/scorecards/\">")), "{r} listed:\n{page}");
    }
    // Every card listing the check counts: one row per entity and card that does not pass.
    let rows: usize = sc["cards"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|c| c["entities"].as_object().unwrap().values())
        .filter(|e| matches!(e["checks"]["has-runbook"]["outcome"].as_str(), Some("fail" | "unknown")))
        .count();
    assert!(page.contains(&format!("Not passing <span class=\"count\">{rows}</span>")), "{rows} rows:\n{page}");
    // `platform` rolls up `payments` (and `payments-api` below it) and `web-team`.
    let group = f.read("public/catalog/default/group/platform/scorecards/index.html");
    assert!(group.contains("Owned by") && group.contains("and the groups below it"), "{group}");
    assert!(
        group.contains("/catalog/default/component/payments-gateway/scorecards/"),
        "a sub-group's entity is in the matrix"
    );
}

/// Every exemption is listed on its check's page and on the dashboard, expired ones marked.
#[test]
fn issue_14_exemptions_are_listed_on_their_checks_page() {
    let f = exemptions_fixture();
    run_on(&f, "2026-07-01", &["build", "."]).assert_code(0);
    let page = f.read("public/scorecards/checks/has-runbook/index.html");
    assert!(page.contains("The runbook is being written") && page.contains("2026-06-01"), "{page}");
    assert!(page.contains("svc/orders/portico-exemptions.yaml:4"), "where it is written:\n{page}");
    assert!(page.contains("expired"), "expired on 2026-06-01, built on 2026-07-01:\n{page}");
    assert!(
        page.contains("Shares the runbook of pair-one&#39;s team")
            || page.contains("Shares the runbook of pair-one's team")
    );
    let desc = f.read("public/scorecards/checks/has-desc/index.html");
    assert!(desc.contains("Retired at the end of the year") && desc.contains("portico.yaml:"), "{desc}");
    let dashboard = f.read("public/scorecards/index.html");
    assert!(dashboard.contains("Exemptions <span class=\"count\">4</span>"), "{dashboard}");
}

/// `--history FILE` appends this build's row to the previous deployment's series: the first
/// row lists every entity, the next only those whose level changed, and the dashboard draws
/// the trend.
#[test]
fn issue_14_history_appends_a_row_per_build() {
    let f = exemptions_fixture();
    run_on(&f, "2026-05-01", &["build", "."]).assert_code(0);
    let first = f.read("public/api/scorecards-history.jsonl");
    assert_eq!(first.lines().count(), 1);
    let row: Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(row["date"], "2026-05-01");
    assert_eq!(row["changed"]["readiness"].as_object().unwrap().len(), 5, "the first row lists every entity: {row}");
    std::fs::write(f.path().join("previous.jsonl"), &first).unwrap();
    // A month later the orders exemption has expired: orders drops from gold.
    run_on(&f, "2026-06-02", &["build", ".", "--history", "previous.jsonl"]).assert_code(0);
    let series = f.read("public/api/scorecards-history.jsonl");
    let rows: Vec<Value> = series.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2, "{series}");
    assert_eq!(rows[0], row, "the earlier row is kept as it was");
    assert_eq!(rows[1]["date"], "2026-06-02");
    assert_eq!(rows[1]["changed"], json!({"readiness": {"component:default/orders": "silver"}}), "{series}");
    let dashboard = f.read("public/scorecards/index.html");
    assert!(dashboard.contains("<polyline class=\"level-line rank-3\""), "the trend over two builds:\n{dashboard}");
}
