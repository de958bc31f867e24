//! Hostile input ends fast, in bounded memory, with a diagnostic (issue 11): each case of the
//! corpus runs the real binary and checks the expected diagnostic, the exit code, and limits on
//! time and peak memory (max RSS of the process, from `wait4`). The limits are generous for a
//! debug build on a loaded 2-core machine; what they catch is hanging and exponential work.

use std::path::Path;
use std::time::Duration;

#[cfg(target_os = "linux")]
use crate::support::{Cost, run_measured};
use crate::support::{Fixture, component, group};

/// `check --format json` under the corpus limits: 1 GB, and a deadline that catches hanging and
/// exponential work but not the noise of a debug build on a busy machine (the README gives the
/// release timings).
#[cfg(target_os = "linux")]
fn check_within_limits(f: &Fixture) -> Cost {
    let cost = run_measured(f.path(), &["check", ".", "--format", "json"], Duration::from_secs(120));
    assert!(cost.code >= 0, "killed by signal {} (a crash)", -cost.code);
    assert!(cost.max_rss_mb < 1024, "peak memory {} MB", cost.max_rss_mb);
    cost
}

fn codes(cost: &Cost) -> Vec<String> {
    cost.stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].as_str().unwrap().to_owned())
        .collect()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[cfg(target_os = "linux")]
#[test]
fn issue_11_fifos_are_refused_not_waited_for() {
    let f = Fixture::empty()
        .file("org.yaml", &group("team-a"))
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./org.yaml, ./pipe.yaml]\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.fifo\n",
        )
        .file("app-config.yaml", "catalog:\n  locations: []\n");
    mkfifo(&f.path().join("pipe.yaml"));
    mkfifo(&f.path().join("openapi.fifo"));
    mkfifo(&f.path().join("app-config.local.yaml"));
    mkfifo(&f.path().join("services/x/catalog-info.yaml"));
    let cost = check_within_limits(&f);
    let found = codes(&cost);
    for want in ["location-not-a-file", "placeholder-unreadable", "app-config-unreadable"] {
        assert!(found.iter().any(|c| c == want), "{want} missing: {}", cost.stdout);
    }
    assert!(cost.stdout.contains("FIFO"), "{}", cost.stdout);
}

#[cfg(target_os = "linux")]
#[test]
fn issue_11_one_large_text_file_referenced_a_thousand_times_is_capped() {
    // 1 MB of OpenAPI description referenced by 1,000 APIs: 1 GB of text if copied per use.
    let mut spec = String::from("openapi: 3.0.0\ninfo: {title: Big, version: '1'}\npaths: {}\nx-notes: |\n");
    while spec.len() < 1 << 20 {
        spec.push_str("  Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n");
    }
    let mut docs = vec![group("team-a")];
    for i in 0..1000 {
        docs.push(format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{i}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./big.yaml\n"
        ));
    }
    let f = Fixture::empty().file("catalog-info.yaml", &docs.join("---\n")).file("big.yaml", &spec);
    let cost = check_within_limits(&f);
    let found = codes(&cost);
    assert!(found.iter().any(|c| c == "placeholder-budget"), "{}", &cost.stdout[..cost.stdout.len().min(2000)]);
    // The limit is configurable.
    let f = f.file("portico.yaml", "limits:\n  placeholder_total_mb: 4\n");
    let cost = check_within_limits(&f);
    let fits = (4 << 20) / spec.len();
    assert_eq!(codes(&cost).iter().filter(|c| *c == "placeholder-budget").count(), 1000 - fits);
}

#[cfg(target_os = "linux")]
#[test]
fn issue_11_a_file_over_the_size_limit_is_refused() {
    let f = Fixture::empty()
        .file("portico.yaml", "limits:\n  file_mb: 1\n")
        .file("catalog-info.yaml", &format!("{}# {}\n", component("a", "team-a"), "x".repeat(2 << 20)))
        .file("services/b/catalog-info.yaml", &component("b", "team-a"));
    let cost = check_within_limits(&f);
    assert!(cost.stdout.contains("over the limit of 1 MB"), "{}", &cost.stdout[..cost.stdout.len().min(2000)]);
}

#[cfg(target_os = "linux")]
#[test]
fn issue_11_a_group_chain_5000_deep_is_near_linear() {
    let n = 5000;
    let mut docs = Vec::new();
    for i in 0..n {
        let parent = if i > 0 { format!("  parent: g{}\n", i - 1) } else { String::new() };
        let children = if i + 1 < n { format!("[g{}]", i + 1) } else { "[]".into() };
        docs.push(format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g{i}\nspec:\n  type: team\n{parent}  children: {children}\n"
        ));
    }
    for i in (0..n).step_by(10) {
        docs.push(component(&format!("c{i}"), &format!("g{i}")));
    }
    let f = Fixture::empty().file("catalog-info.yaml", &docs.join("---\n"));
    let cost = check_within_limits(&f);
    assert_eq!(cost.code, 0, "{}", cost.stdout);
    // The top group's page says how many it aggregates and lists the first ones.
    f.build(&[]).assert_code(0);
    let page = f.read("public/catalog/default/group/g0/index.html");
    assert!(page.contains("(4999 groups below in all)"), "sub-groups counted");
    assert!(page.contains("Aggregated: with sub-groups (500)"), "owned entities counted");
    assert!(
        page.contains(
            "… and 400 more: <a href=\"/catalog/default/group/g0/related/ownerof-aggregated/\">see all 500</a>"
        )
    );
    let all = f.read("public/catalog/default/group/g0/related/ownerof-aggregated/index.html");
    assert_eq!(all.matches("href=\"/catalog/default/component/c").count(), 500, "every entity below, once");
    assert!(page.len() < 200_000, "{} bytes", page.len());
    // The team tree is paginated (issue 18): a page starting deep in the chain repeats only a
    // few ancestors, so the 5,000 groups take 11 pages and the last one has the deepest group.
    let pages: Vec<String> = (1..)
        .map(
            |n| if n == 1 { "public/teams/index.html".to_owned() } else { format!("public/teams/page/{n}/index.html") },
        )
        .take_while(|p| f.path().join(p).exists())
        .collect();
    assert_eq!(pages.len(), 11);
    assert!(f.read(pages.last().unwrap()).contains("g4999"));
}

#[test]
fn issue_11_svg_and_html_docs_assets_are_published_without_scripts() {
    let descriptor = component("a", "team-a")
        .replace("metadata:\n", "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n");
    let f = Fixture::empty()
        .file("catalog-info.yaml", &format!("{descriptor}---\n{}", group("team-a")))
        .file("docs/index.md", "# A\n\n![architecture](architecture.svg)\n\n[Report](report.html)\n")
        .file(
            "docs/architecture.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.domain)\"><script>alert(1)</script><rect width=\"4\" height=\"4\"/></svg>",
        )
        .file("docs/report.html", "<h1>Report</h1><img src=x onerror=alert(1)><script>alert(2)</script>")
        .file("docs/broken.svg", "<svg><g></svg>");
    let run = f.run(&["build", ".", "--format", "json"]);
    run.assert_code(0);
    assert!(run.stdout.contains("\"code\":\"unsafe-asset\""), "{}", run.stdout);
    let svg = f.read("public/docs/default/component/a/architecture.svg");
    assert!(svg.contains("<rect width=\"4\" height=\"4\"/>") && !svg.contains("alert"), "{svg}");
    let html = f.read("public/docs/default/component/a/report.html");
    assert!(html.contains("<h1>Report</h1>") && !html.contains("alert"), "{html}");
    assert!(!f.path().join("public/docs/default/component/a/broken.svg").exists());
    // Trusted repositories keep them as written.
    let trusted = Fixture::copy_of(f.path()).file("portico.yaml", "docs:\n  allow_raw_html: true\n");
    std::fs::remove_dir_all(trusted.path().join("public")).unwrap();
    trusted.build(&[]).assert_code(0);
    assert!(trusted.read("public/docs/default/component/a/architecture.svg").contains("<script>alert(1)</script>"));
}

#[cfg(target_os = "linux")]
#[test]
fn issue_11_deep_yaml_and_long_location_chains_end_fast() {
    let n = 100_000;
    let f = Fixture::empty()
        .file(
            "catalog-info.yaml",
            &format!("{}  extra: {}{}\n", component("a", "team-a"), "[".repeat(n), "]".repeat(n)),
        )
        .file("services/b/catalog-info.yaml", &component("b", "team-a"));
    let cost = check_within_limits(&f);
    assert!(cost.stdout.contains("nests lists or mappings deeper"), "{}", cost.stdout);

    let mut f = Fixture::empty().file(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  target: ./l0.yaml\n",
    );
    for i in 0..3000 {
        let next = if i < 2999 { format!("  target: ./l{}.yaml\n", i + 1) } else { "  targets: []\n".into() };
        f = f.file(
            &format!("l{i}.yaml"),
            &format!("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l{i}\nspec:\n{next}"),
        );
    }
    let cost = check_within_limits(&f);
    assert_eq!(cost.code, 0, "{}", cost.stdout);
}

/// The seed monorepo of the mutation test: realistic files of every kind Portico reads.
const SEEDS: &[(&str, &str)] = &[
    (
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments-api\n  title: Payments API\n  description: Takes card payments\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n    github.com/project-slug: acme/payments\n  tags: [java, payments]\n  links:\n    - url: https://grafana.acme.io/d/payments\n      title: Dashboard\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team-payments\n  system: checkout\n  providesApis: [payments]\n  dependsOn: ['resource:payments-db']\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-payments\n  definition:\n    $text: ./openapi.yaml\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-payments\nspec:\n  type: team\n  parent: org\n  children: []\n  members: [ann]\n",
    ),
    (
        "openapi.yaml",
        "openapi: 3.0.3\ninfo:\n  title: Payments\n  version: '2.1'\npaths:\n  /payments:\n    post:\n      operationId: createPayment\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Payment'}\n      responses:\n        '201': {description: Created}\ncomponents:\n  schemas:\n    Payment:\n      type: object\n      required: [amount]\n      properties:\n        amount: {type: integer, minimum: 1}\n        currency: {type: string, enum: [EUR, USD]}\n",
    ),
    (
        "mkdocs.yml",
        "site_name: Payments\nnav:\n  - Home: index.md\n  - Runbook: runbook.md\nmarkdown_extensions:\n  - admonition\n  - pymdownx.superfences\n  - pymdownx.tabbed\n",
    ),
    (
        "docs/index.md",
        "# Payments\n\nTakes card payments for [checkout](runbook.md#incidents).\n\n- Steps:\n  1. Authorise\n  2. Capture\n     ```bash\n     curl -X POST https://payments/capture\n     ```\n\n!!! warning \"PCI\"\n    Never log card numbers.\n\n=== \"Java\"\n    ```java\n    class A {}\n    ```\n=== \"Go\"\n    ```go\n    package main\n    ```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA footnote[^1].\n\n[^1]: Here.\n",
    ),
    (
        "docs/runbook.md",
        "# Runbook\n\n## Incidents\n\n<a name=\"pager\"></a>Page the on-call.\n\n--8<-- \"docs/snippet.md\"\n",
    ),
    ("docs/snippet.md", "Shared *snippet*.\n"),
];

/// Byte strings that matter to the parsers, spliced in by the mutations.
const TOKENS: &[&str] = &[
    "${{ values.name }}",
    "{% if x %}",
    "---\n",
    ": ",
    "- ",
    "  ",
    "\t",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!!binary ",
    "%",
    "@",
    "`",
    "\"",
    "'",
    "\n",
    "$text: ./openapi.yaml",
    "!!! note\n    ",
    "=== \"T\"\n    ",
    "```\n",
    "~~~",
    "<script>alert(1)</script>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "{: onclick=\"alert(1)\" }",
    "[x](javascript:alert(1))",
    "--8<-- \"docs/index.md\"\n",
    "> [!NOTE]\n> ",
    "^^",
    "~~",
    "==",
    ":smile:",
    "$ref",
    "#/components/schemas/Payment",
    "\u{0}",
    "\u{feff}",
    "é",
    "\u{202e}",
];

/// A small deterministic generator (SplitMix64): the test is reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at.min(end)..end);
            }
            1 if !out.is_empty() => {
                let start = at.min(out.len() - 1);
                let end = (start + 1 + rng.below(200)).min(out.len());
                let copy = out[start..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy.iter().copied().cycle().take(copy.len() * (1 + rng.below(8))));
            }
            2 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out
}

/// Mutation fuzzing on stable Rust, bounded for CI: mutated copies of a realistic monorepo are
/// built in-process; no input may panic, hang or fail the build as a whole (`cargo fuzz` runs
/// the same shape for longer, see `fuzz/`).
#[test]
fn issue_11_mutated_monorepos_never_panic_or_hang() {
    let cases: u64 = std::env::var("PORTICO_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(120);
    for case in 0..cases {
        let mut rng = Rng(0x5eed ^ case);
        let victim = rng.below(SEEDS.len());
        let dir = tempfile::tempdir().unwrap();
        for (i, (path, text)) in SEEDS.iter().enumerate() {
            let bytes = if i == victim { mutate(&mut rng, text.as_bytes()) } else { text.as_bytes().to_vec() };
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, bytes).unwrap();
        }
        let root = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let result = std::panic::catch_unwind(|| {
                let config = portico::config::Config::for_root(&root);
                let log = portico::pipeline::StageLog::new(portico::pipeline::Verbosity::Quiet);
                portico::pipeline::build(&config, &log).map(|b| b.site.files.len())
            });
            let _ = tx.send(result.map(|r| r.map_err(|d| d.message)));
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(Ok(_))) => {}
            Ok(Ok(Err(message))) => {
                panic!("case {case} (mutated {}) failed the whole build: {message}", SEEDS[victim].0)
            }
            Ok(Err(_)) => panic!("case {case} (mutated {}) panicked", SEEDS[victim].0),
            Err(_) => panic!("case {case} (mutated {}) did not finish within 60 s", SEEDS[victim].0),
        }
    }
}

/// A component whose docs are the given pages.
fn docs_site(pages: &[(&str, String)]) -> Fixture {
    let descriptor = component("a", "team-a")
        .replace("metadata:\n", "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n");
    let mut f = Fixture::empty().file("catalog-info.yaml", &format!("{descriptor}---\n{}", group("team-a")));
    for (path, text) in pages {
        f = f.file(&format!("docs/{path}"), text);
    }
    f
}

#[cfg(target_os = "linux")]
#[test]
fn issue_11_deeply_nested_docs_and_self_including_snippets_end_fast() {
    let n = 2000;
    let nested = |marker: &dyn Fn(usize) -> String| {
        let mut s = String::from("# Nested\n\n");
        for i in 0..n {
            s.push_str(&format!("{}{}\n\n", "    ".repeat(i), marker(i)));
        }
        s.push_str(&format!("{}Deep text.\n", "    ".repeat(n)));
        s
    };
    let f = docs_site(&[
        ("index.md", "# Home\n\n--8<-- \"docs/index.md\"\n--8<-- \"docs/loop.md\"\n--8<-- \"docs/index.md\"\n".into()),
        ("loop.md", "Loop\n\n--8<-- \"docs/loop.md\"\n--8<-- \"docs/index.md\"\n".into()),
        ("admonitions.md", nested(&|i| format!("!!! note \"Level {i}\""))),
        ("tabs.md", nested(&|i| format!("=== \"Tab {i}\""))),
        ("details.md", nested(&|i| format!("??? note \"Details {i}\""))),
        (
            "quotes.md",
            format!("# Quotes\n\n{}", (1..3000).map(|i| format!("{} q\n", ">".repeat(i))).collect::<String>()),
        ),
        (
            "lists.md",
            format!("# Lists\n\n{}", (0..3000).map(|i| format!("{}- item\n", "  ".repeat(i))).collect::<String>()),
        ),
        (
            "code.md",
            format!(
                "# Code\n\n```python\n{}```\n",
                "total = compute(items)  # sum of all the line items\n".repeat(80_000)
            ),
        ),
    ]);
    let cost = check_within_limits(&f);
    let found = codes(&cost);
    assert!(found.iter().filter(|c| *c == "too-deep").count() >= 5, "{found:?}");
    assert!(found.iter().any(|c| c == "snippet-cycle"), "{found:?}");
    assert!(found.iter().any(|c| c == "code-not-highlighted"), "{found:?}");
    f.build(&[]).assert_code(0);
    let deep = f.read("public/docs/default/component/a/admonitions/index.html");
    assert!(deep.contains("Deep text."), "the text is still published");
    let code = f.read("public/docs/default/component/a/code/index.html");
    assert!(code.contains("total = compute(items)"));
}
