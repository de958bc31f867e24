//! Tests over real portals: `content-example` and the Backstage catalog-model examples.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::*;
use crate::config::{Config, Overrides};
use crate::pipeline::{StageLog, Verbosity, check};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn backstage_examples() -> PathBuf {
    manifest_dir().join("../shared/fixtures/backstage-examples/backstage/packages/catalog-model/examples")
}

/// Builds the portal of `root`, with `config` as its portico.yaml when given.
fn portal(root: &Path, config: Option<&str>) -> Portal {
    let dir = tempfile::tempdir().expect("temp dir");
    let overrides = Overrides {
        config_file: config.map(|text| {
            let path = dir.path().join("portico.yaml");
            std::fs::write(&path, text).expect("write config");
            path
        }),
        base_url: None,
        out_dir: Some(dir.path().join("out")),
        ..Overrides::default()
    };
    let config = Config::load(root, &overrides).expect("config");
    check(&config, &StageLog::new(Verbosity::Quiet)).expect("check").portal
}

pub(super) fn content_example() -> &'static (Portal, SearchIndex) {
    static CELL: OnceLock<(Portal, SearchIndex)> = OnceLock::new();
    CELL.get_or_init(|| {
        let portal = portal(&manifest_dir().join("content-example"), None);
        let index = SearchIndex::build(&portal);
        (portal, index)
    })
}

pub(super) fn backstage() -> &'static (Portal, SearchIndex) {
    static CELL: OnceLock<(Portal, SearchIndex)> = OnceLock::new();
    CELL.get_or_init(|| {
        let portal = portal(&backstage_examples(), Some("catalog:\n  locations: [all.yaml, acme-corp.yaml]\n"));
        let index = SearchIndex::build(&portal);
        (portal, index)
    })
}

fn titles(index: &SearchIndex, q: &str, limit: usize) -> Vec<String> {
    index.query(q, &QueryOptions { limit }).into_iter().map(|h| format!("{} {}", h.meta.kind, h.meta.title)).collect()
}

#[test]
fn indexes_entities_docs_and_operations() {
    let (portal, index) = content_example();
    let kinds: std::collections::BTreeSet<&str> = index.index.metas.iter().map(|m| m.kind.as_str()).collect();
    assert!(kinds.contains("docs") && kinds.contains("operation") && kinds.contains("Component"), "{kinds:?}");
    assert!(index.len() > portal.entities.len() + portal.docs.page_count());
}

#[test]
fn exact_entity_name_ranks_first() {
    for (portal, index) in [content_example(), backstage()] {
        for entity in portal.entities.values() {
            let hits = index.query(&entity.name, &QueryOptions { limit: 5 });
            let first = hits.first().unwrap_or_else(|| panic!("no hit for {}", entity.name));
            let same_name: Vec<String> = portal
                .entities
                .values()
                .filter(|e| e.name.eq_ignore_ascii_case(&entity.name))
                .map(|e| crate::render::views::entity_path(e))
                .collect();
            assert!(
                same_name.contains(&first.meta.url),
                "{}: first hit {:?}, expected one of {same_name:?}",
                entity.name,
                first
            );
        }
    }
}

#[test]
fn nonsense_finds_nothing() {
    let (_, index) = content_example();
    for q in ["xyzzyqwv", "qqqq zzzz", "kind:nokind", "\"order xyzzy\"", "kind:nokind payment xyzzyqwv"] {
        assert_eq!(titles(index, q, 10), Vec::<String>::new(), "{q}");
    }
}

/// Issue 16: several words of which no document has all give the best partial matches: the
/// documents having some of them, scored by the words they have; a document with more of the
/// words ranks above one with fewer of the same words.
#[test]
fn several_words_without_a_common_document_give_partial_matches() {
    let (_, index) = content_example();
    let (hits, partial) = query::run_partial(&index.index, "payment xyzzyqwv", 10);
    assert!(partial);
    let (alone, partial_alone) = query::run_partial(&index.index, "payment xyzzyqwv ", 10);
    assert!(partial_alone && alone == hits);
    let (payment, whole) = query::run_partial(&index.index, "payment ", 10);
    assert!(!whole);
    assert_eq!(hits, payment, "an unknown word adds nothing");
    // Two words that never meet: each document has one, and both words' best appear.
    let (words, partial) = query::run_partial(&index.index, "xyzzyqwv payment warehouse", 50);
    assert!(partial);
    let titles: Vec<&str> = words.iter().map(|&(d, _)| index.index.metas[d as usize].title.as_str()).collect();
    assert!(titles.iter().any(|t| t.to_lowercase().contains("payment")), "{titles:?}");
    assert!(titles.iter().any(|t| t.to_lowercase().contains("warehouse")), "{titles:?}");
    let (both, partial) = query::run_partial(&index.index, "payment gateway", 10);
    assert!(!partial && !both.is_empty(), "documents with every word: no partial matches");
    // Filters still apply to partial matches.
    let (none, _) = query::run_partial(&index.index, "kind:nokind payment xyzzyqwv", 10);
    assert!(none.is_empty());
}

/// Issue 16: a query that is a word of entity names puts those entities first, above the
/// operations and docs sections that mention it.
#[test]
fn a_word_of_entity_names_ranks_those_entities_first() {
    let (portal, index) = content_example();
    let named: Vec<String> = portal
        .entities
        .values()
        .filter(|e| e.name.split('-').any(|w| w == "payments"))
        .map(|e| format!("{} {}", e.kind, e.display_name()))
        .collect();
    assert!(named.len() >= 2, "{named:?}");
    let first = titles(index, "payments", named.len());
    for title in &named {
        assert!(first.contains(title), "{title} not among the first {}: {first:?}", named.len());
    }
}

/// The queries of one `[section]` of `tests/search/queries.txt`.
fn parity_queries(section: &str) -> Vec<String> {
    let text = std::fs::read_to_string(manifest_dir().join("tests/search/queries.txt")).expect("queries.txt");
    let mut current = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.to_owned();
        } else if current == section {
            out.push(line.to_owned());
        }
    }
    out
}

/// Writes `files` under `dir` (as a site root).
fn write_export(files: &SearchFiles, dir: &Path) {
    for (path, bytes) in &files.files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

fn plan_json(plan: &query::Plan) -> serde_json::Value {
    let groups: Vec<serde_json::Value> = plan
        .groups
        .iter()
        .map(|g| match g {
            query::Group::Term { term, prefix } => serde_json::json!({"term": term, "prefix": prefix}),
            query::Group::Phrase(terms) => serde_json::json!({ "phrase": terms }),
        })
        .collect();
    serde_json::json!({"groups": groups, "exact": plan.exact, "filters": plan.filters})
}

/// Runs the browser client in Node over the exported files, answering range requests (or, with
/// `no_ranges`, sending whole files as a server without ranges does); `None` when Node is
/// missing and browser tests are skipped explicitly.
fn run_client(files: &SearchFiles, queries: &[String], no_ranges: bool) -> Option<Vec<serde_json::Value>> {
    let dir = tempfile::tempdir().expect("temp dir");
    write_export(files, dir.path());
    let list = dir.path().join("queries.txt");
    std::fs::write(&list, queries.join("\n")).expect("write queries");
    let script = manifest_dir().join("tests/search/parity.mjs");
    let mut node = std::process::Command::new("node");
    if no_ranges {
        node.env("PORTICO_NO_RANGES", "1");
    }
    let output = match node.arg(&script).arg(dir.path()).arg(&files.manifest).arg(&list).output() {
        Ok(output) => output,
        Err(e) if std::env::var_os("PORTICO_SKIP_BROWSER_TESTS").is_some() => {
            eprintln!("skipping the search parity test: {e}");
            return None;
        }
        Err(e) => panic!("cannot run node ({e}); set PORTICO_SKIP_BROWSER_TESTS=1 to skip"),
    };
    assert!(output.status.success(), "parity.mjs failed: {}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), queries.len());
    Some(lines)
}

/// Asserts that the browser client returns exactly `query()`'s top 10 for each query.
fn assert_parity(label: &str, index: &SearchIndex, queries: &[String]) -> usize {
    assert_parity_of(label, index, index.export(), queries, false).0
}

/// [`assert_parity`] with the client reading `files` (an export of `index`); returns the number
/// of queries compared and the names of the files each fetched.
fn assert_parity_of(
    label: &str,
    index: &SearchIndex,
    files: &SearchFiles,
    queries: &[String],
    no_ranges: bool,
) -> (usize, Vec<String>) {
    let Some(results) = run_client(files, queries, no_ranges) else { return (0, Vec::new()) };
    let fetched: Vec<String> = results
        .iter()
        .flat_map(|js| js["files"].as_array().into_iter().flatten().filter_map(|f| f.as_str().map(str::to_owned)))
        .collect();
    for (q, js) in queries.iter().zip(results) {
        assert_eq!(js["plan"], plan_json(&query::parse(q)), "{label} {q:?}: parsed differently");
        let (rust, partial) = query::run_partial(&index.index, q, 10);
        assert_eq!(js["partial"].as_bool(), Some(partial), "{label} {q:?}: partial matches or not");
        let js_hits = js["hits"].as_array().expect("hits");
        let got: Vec<(u64, String)> = js_hits
            .iter()
            .map(|h| (h["ord"].as_u64().expect("ord"), h["bits"].as_str().expect("bits").to_owned()))
            .collect();
        let expected: Vec<(u64, String)> =
            rust.iter().map(|&(ord, score)| (u64::from(ord), format!("{:016x}", score.to_bits()))).collect();
        assert_eq!(got, expected, "{label} {q:?}: browser top 10 differs from query()");
        for h in js_hits {
            let meta = &index.index.metas[h["ord"].as_u64().expect("ord") as usize];
            assert_eq!((h["title"].as_str(), h["url"].as_str()), (Some(meta.title.as_str()), Some(meta.url.as_str())));
            assert_eq!(h["kind"].as_str(), Some(meta.kind.as_str()));
        }
    }
    (queries.len(), fetched)
}

/// Parity over `PORTICO_SEARCH_ROOT` (e.g. a generated monorepo) for the queries of
/// `PORTICO_SEARCH_QUERIES`: `cargo test --release --lib search::tests::parity_at_scale -- --ignored`.
#[test]
#[ignore]
fn parity_at_scale() {
    let (Some(root), Some(file)) =
        (std::env::var_os("PORTICO_SEARCH_ROOT"), std::env::var_os("PORTICO_SEARCH_QUERIES"))
    else {
        return;
    };
    let index = SearchIndex::build(&portal(Path::new(&root), None));
    let queries: Vec<String> = std::fs::read_to_string(file)
        .expect("queries")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert_eq!(assert_parity("scale", &index, &queries), queries.len());
}

#[test]
fn browser_client_ranks_exactly_like_query() {
    let mut compared = 0;
    for (section, (_, index)) in [("content-example", content_example()), ("backstage", backstage())] {
        let queries = parity_queries(section);
        assert!(queries.len() >= 20, "{section}: {} queries", queries.len());
        compared += assert_parity(section, index, &queries);
    }
    assert!(compared >= 40 || std::env::var_os("PORTICO_SKIP_BROWSER_TESTS").is_some());
}

/// Limits under which records of the small portals list few documents.
fn tiny_limits() -> terms::Limits {
    terms::Limits {
        list_all: 3,
        top: 2,
        list_max: 12,
        ties: 1,
        tier_first: 1,
        tier_growth: 4,
        out_of_line: 40,
        stub_docs: 1,
    }
}

/// Terms whose records split their tiers under [`tiny_limits`], with the best score of an
/// unlisted entity and of another unlisted document: those where the entities' is higher
/// first, alternating.
fn split_terms(index: &index::Index) -> Vec<(String, (f32, f32))> {
    let (mut higher, mut lower) = (Vec::new(), Vec::new());
    for (term, t) in split_records(index) {
        let entry = (term, t.split_bounds);
        if t.split_bounds.0 > t.split_bounds.1 { higher.push(entry) } else { lower.push(entry) }
    }
    let mut out = Vec::new();
    for k in 0..higher.len().max(lower.len()) {
        out.extend(higher.get(k).cloned());
        out.extend(lower.get(k).cloned());
    }
    out
}

/// The records with split tiers under [`tiny_limits`] (pieces left uncompressed), by term.
fn split_records(index: &index::Index) -> Vec<(String, terms::TermData)> {
    let n = index.num_docs();
    let norms: Vec<score::FieldNorms> = index.total_tokens.iter().map(|&t| score::FieldNorms::new(t, n)).collect();
    (0..index.vocab.len())
        .map(|i| {
            (index.vocab[i].term.clone(), terms::term_data(index, &norms, &[0], &tiny_limits(), i, &|b| b.to_vec()))
        })
        .filter(|(_, t)| t.extra & terms::EXTRA_SPLIT != 0)
        .collect()
}

/// Two-word phrases that occur, each with a term of `split` first or second: in a docs page, and
/// in an entity (also filtered to components).
fn split_phrases(index: &index::Index, split: &[String]) -> Vec<String> {
    let mut at: std::collections::HashMap<(u32, usize, u32), usize> = Default::default();
    for i in 0..index.vocab.len() {
        for f in Field::TEXT {
            let p = index.postings_at(i, f as usize);
            for (k, &d) in p.docs.iter().enumerate() {
                for &pos in p.positions(k) {
                    at.insert((d, f as usize, pos), i);
                }
            }
        }
    }
    let mut out = Vec::new();
    for t in split.iter().take(24) {
        let Some(i) = index.vocab.iter().position(|v| &v.term == t) else { continue };
        // One in a docs page (the last documents) and one in an entity, that one also filtered
        // to components.
        for entity in [false, true] {
            'found: for f in Field::TEXT {
                let p = index.postings_at(i, f as usize);
                let docs: Vec<(usize, u32)> = if entity {
                    p.docs.iter().copied().enumerate().filter(|&(_, d)| d < index.entities).collect()
                } else {
                    p.docs.iter().copied().enumerate().rev().collect()
                };
                for (k, d) in docs {
                    for &pos in p.positions(k) {
                        let next = at.get(&(d, f as usize, pos + 1));
                        let prev = pos.checked_sub(1).and_then(|q| at.get(&(d, f as usize, q)));
                        if let (Some(&a), Some(&b)) = (prev, next) {
                            let (before, after) = (&index.vocab[a].term, &index.vocab[b].term);
                            out.push(format!("\"{before} {t}\""));
                            out.push(format!("\"{t} {after}\""));
                            if entity {
                                out.push(format!("kind:component \"{before} {t}\""));
                                out.push(format!("kind:component \"{t} {after}\""));
                            }
                            break 'found;
                        }
                    }
                }
            }
        }
    }
    out
}

/// A record capped below its entities splits its tiers: the entities' first, then the other
/// documents', each sequence by score with its own bounds.
#[test]
fn capped_records_split_their_tiers_into_entities_and_other_documents() {
    let index = &backstage().1.index;
    let varint = |b: &[u8], i: &mut usize| {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[*i];
            *i += 1;
            v |= u64::from(byte & 127) << shift;
            shift += 7;
            if byte < 128 {
                return v;
            }
        }
    };
    let split = split_records(index);
    for (_, t) in &split {
        assert!(t.extra & (terms::EXTRA_ENTITIES | terms::EXTRA_SHORT_COMPLETE) == 0);
        assert!(t.entity_tiers >= 1 && t.entity_tiers < t.tiers.len());
        let mut at = 0;
        let mut best = [f32::INFINITY; 2];
        for (k, &(len, after)) in t.tiers.iter().enumerate() {
            let seq = usize::from(k >= t.entity_tiers);
            // Each sequence's bounds fall; its last tier has nothing after it.
            assert!(after <= best[seq]);
            best[seq] = after;
            let last = k + 1 == t.entity_tiers || k + 1 == t.tiers.len();
            assert_eq!(after == f32::NEG_INFINITY, last, "tier {k} of {}", t.tiers.len());
            let piece = &t.tail[at..at + len];
            at += len;
            let (mut i, mut ord) = (0, 0);
            for _ in 0..varint(piece, &mut i) {
                ord += varint(piece, &mut i) as u32;
                assert_eq!(ord < index.entities, seq == 0, "ordinal {ord} in tier {k}");
            }
        }
        assert!(t.split_bounds.0 <= t.bound.unwrap() && t.split_bounds.1 <= t.bound.unwrap());
        assert!(t.split_bounds.0 == t.bound.unwrap() || t.split_bounds.1 == t.bound.unwrap());
    }
    assert!(!split.is_empty(), "no record split its tiers");
}

/// With tiny limits, records list few documents: the client needs tails, `body` positions and
/// its bounds (pending documents, phrases, filters, capped records) on these small portals too.
#[test]
fn browser_client_ranks_exactly_like_query_from_tails() {
    let limits = tiny_limits();
    let extra: Vec<String> = [
        "payment order",
        "\"order service\"",
        "team payments",
        "owner:team-payments order",
        "kind:docs payment",
        "kind:api order status",
        "\"payment gateway\" api",
        "lifecycle:production service ",
        "service api ",
    ]
    .iter()
    .map(|q| (*q).to_owned())
    .collect();
    let mut compared = 0;
    let mut fetched = Vec::new();
    for (section, (_, index)) in [("content-example", content_example()), ("backstage", backstage())] {
        // Terms whose tiers are split, each alone, filtered to entities or docs, and paired.
        let split: Vec<String> = split_terms(&index.index).into_iter().map(|(t, _)| t).collect();
        let probes = split.iter().take(24).flat_map(|t| {
            let other = &split[(split.iter().position(|s| s == t).unwrap() + 1) % split.len()];
            [
                t.clone(),
                format!("kind:component {t}"),
                format!("kind:docs {t}"),
                format!("{t} {other}"),
                format!("\"{t} {other}\""),
            ]
        });
        let queries: Vec<String> = parity_queries(section)
            .into_iter()
            .chain(extra.iter().cloned())
            .chain(probes)
            .chain(split_phrases(&index.index, &split))
            .collect();
        let files = export::export_with(&index.index, &limits);
        let (n, mut files_fetched) = assert_parity_of(section, index, &files, &queries, false);
        compared += n;
        fetched.append(&mut files_fetched);
        // The same from a server that ignores range requests.
        assert_parity_of(section, index, &files, &queries, true);
    }
    if compared > 0 {
        // The queries needed tail, positions and metadata pieces.
        for kind in ["p-", "x-", "m-"] {
            assert!(fetched.iter().any(|f| f.starts_with(kind)), "no {kind} file fetched");
        }
    }
    assert!(compared >= 40 || std::env::var_os("PORTICO_SKIP_BROWSER_TESTS").is_some());
}

fn hits(q: &str) -> Vec<Hit> {
    content_example().1.query(q, &QueryOptions { limit: 50 })
}

#[test]
fn filters_restrict_and_combine() {
    let apis = hits("kind:api");
    assert_eq!(apis.len(), 6);
    assert!(apis.iter().all(|h| h.meta.kind == "API" && h.score == 0.0));
    let kinds = |q: &str| hits(q).into_iter().map(|h| h.meta.kind).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(kinds("kind:api kind:operation payment"), ["API", "operation"].map(str::to_owned).into());
    assert_eq!(kinds("kind:docs runbook"), ["docs"].map(str::to_owned).into());
    // An owner by name or by reference; docs and operations inherit their entity's owner.
    let by_name = hits("owner:team-payments");
    assert!(!by_name.is_empty() && by_name.iter().all(|h| h.meta.owner.as_deref() == Some("team-payments")));
    assert_eq!(hits("owner:group:default/team-payments"), by_name);
    assert_eq!(hits("Owner:GROUP:team-payments"), by_name);
    assert!(by_name.iter().any(|h| h.meta.kind == "docs") && by_name.iter().any(|h| h.meta.kind == "operation"));
    let production = hits("lifecycle:production tracking");
    assert!(!production.is_empty() && production.len() < hits("tracking").len());
    assert!(hits("tag:go").iter().any(|h| h.meta.title == "Payment Gateway"));
    assert!(hits("type:service order").iter().all(|h| h.meta.kind == "Component"));
    assert!(hits("kind:nokind").is_empty() && hits("owner:nobody payment").is_empty());
}

#[test]
fn typos_of_one_edit_in_names_and_titles() {
    for typo in ["paymnet", "paymetn", "pyament", "gatewy", "gateawy"] {
        let first = hits(typo).into_iter().next().unwrap_or_else(|| panic!("nothing for {typo}"));
        assert_eq!(first.meta.title, "Payment Gateway", "{typo}");
    }
    // Four letters, digits, or two edits: no typo tolerance.
    assert!(hits("ordr ").is_empty());
    assert!(hits("trakcingg").is_empty());
    assert!(hits("paymnt-gatewy").is_empty());
    assert_eq!(hits("payment-gatewy").first().map(|h| h.meta.title.as_str()), Some("Payment Gateway"));
    // A word that exists in a name or title is not widened.
    assert!(hits("scanner ").iter().all(|h| !h.meta.title.to_lowercase().contains("scanned")));
}

#[test]
fn phrases_need_adjacent_terms_in_order() {
    let phrase = hits("\"database failover\"");
    assert_eq!(phrase.first().map(|h| h.meta.title.as_str()), Some("Database failover"));
    assert!(hits("\"failover database\"").is_empty());
    assert!(hits("failover database").iter().any(|h| h.meta.title == "Database failover"));
    // A phrase of one word is that word, without prefix expansion.
    assert_eq!(hits("\"trac\""), Vec::new());
}

#[test]
fn prefixes_only_while_typing() {
    assert!(hits("trac").iter().any(|h| h.meta.title == "Tracking Service"));
    assert!(hits("trac ").is_empty());
    assert_eq!(hits("Tracking-Serv").first().map(|h| h.meta.title.as_str()), Some("Tracking Service"));
}

#[test]
fn identifiers_are_found_by_parts_and_joins() {
    for q in ["payment gateway", "payment-gateway", "PaymentGateway", "payment_gateway", "paymentgateway"] {
        assert_eq!(hits(q).first().map(|h| h.meta.title.as_str()), Some("Payment Gateway"), "{q}");
    }
    assert!(hits("gateway").iter().any(|h| h.meta.title == "Payment Gateway"));
}

#[test]
fn hits_link_relative_to_the_base_path() {
    for h in hits("payment") {
        assert!(
            !h.meta.url.starts_with('/') && (h.meta.url.starts_with("catalog/") || h.meta.url.starts_with("docs/")),
            "{h:?}"
        );
        if h.meta.kind == "operation" {
            assert!(h.meta.url.contains("#op-"), "{h:?}");
        }
    }
    assert!(hits("certificate rotation").iter().any(|h| h.meta.url.ends_with("#cert-rotation")));
}

#[test]
fn export_is_deterministic_and_named_by_generation() {
    let (portal, index) = content_example();
    let again = SearchIndex::build(portal);
    assert_eq!(index.export().files, again.export().files);
    assert_eq!(index.manifest_path(), again.manifest_path());
    assert_eq!(index.manifest_path(), "search/manifest.bin", "pages name the manifest without a hash");
    let mut generations = std::collections::BTreeSet::new();
    for (path, bytes) in &index.export().files {
        let name = path.strip_prefix("search/").expect("under search/");
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "{path} is gzip");
        if name == "manifest.bin" {
            continue;
        }
        let generation = name.split('.').nth(1).expect("a generation in the name");
        generations.insert(generation.to_owned());
    }
    assert_eq!(generations.len(), 1, "one generation: {generations:?}");
    // Another index, another generation in every name.
    let (_, other) = backstage();
    let other_names: std::collections::BTreeSet<&str> = other.export().files.iter().map(|(p, _)| p.as_str()).collect();
    for (path, _) in &index.export().files {
        assert!(path == "search/manifest.bin" || !other_names.contains(path.as_str()), "{path} in both exports");
    }
}

/// Prints index statistics of `PORTICO_SEARCH_ROOT` (e.g. a generated monorepo); run with
/// `cargo test --release --lib search::tests::stats -- --ignored --nocapture`.
#[test]
#[ignore]
fn stats() {
    let Some(root) = std::env::var_os("PORTICO_SEARCH_ROOT") else { return };
    let t = std::time::Instant::now();
    let portal = portal(Path::new(&root), None);
    eprintln!("portal: {:?}", t.elapsed());
    // Resident and peak memory (Linux).
    let rss = |when: &str| {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let get = |key: &str| status.lines().find(|l| l.starts_with(key)).unwrap_or("").to_owned();
        eprintln!("{when}: {} {}", get("VmRSS"), get("VmHWM"));
    };
    rss("portal");
    // Process CPU seconds (Linux), besides wall time: the machine may be shared.
    let cpu = || {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let f: Vec<u64> =
            stat.rsplit(')').next().unwrap_or("").split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
        (f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)) as f64 / 100.0
    };
    let (t, c) = (std::time::Instant::now(), cpu());
    let index = SearchIndex::build(&portal);
    eprintln!("index build: {:?}, {:.2} CPU s", t.elapsed(), cpu() - c);
    rss("built");
    let ix = &index.index;
    let mut kinds = std::collections::BTreeMap::new();
    for m in &ix.metas {
        *kinds.entry(m.kind.as_str()).or_insert(0) += 1;
    }
    eprintln!("docs {} {kinds:?}", ix.metas.len());
    eprintln!("vocab {}", ix.vocab.len());
    let mut buckets = [0usize; 8];
    for e in &ix.vocab {
        let df = e.text_df();
        let b = match df {
            0 => 0,
            1 => 1,
            2..=9 => 2,
            10..=63 => 3,
            64..=255 => 4,
            256..=1023 => 5,
            1024..=4095 => 6,
            _ => 7,
        };
        buckets[b] += 1;
    }
    eprintln!("df buckets [0,1,2-9,10-63,64-255,256-1k,1k-4k,4k+] {buckets:?}");
    let postings: Vec<u64> = (0..7).map(|f| ix.vocab.iter().map(|e| u64::from(e.df[f])).sum()).collect();
    eprintln!("postings per field {postings:?} tokens {:?}", ix.total_tokens);
    let meta_bytes: usize = ix
        .metas
        .iter()
        .map(|m| {
            m.title.len()
                + m.url.len()
                + m.excerpt.len()
                + m.context.as_ref().map_or(0, |c| c.len())
                + m.owner.as_ref().map_or(0, |c| c.len())
        })
        .sum();
    eprintln!("meta raw bytes {meta_bytes}");
    let mut top: Vec<_> = ix.vocab.iter().map(|e| (e.text_df(), e.term.as_str())).collect();
    top.sort_by(|a, b| b.cmp(a));
    eprintln!("top terms {:?}", &top[..40]);
    let t = std::time::Instant::now();
    for q in ["deploy", "svc-42", "dep", "deploy canary", "dashbaord", "owner:team-3 cache", "\"circuit breaker\""] {
        let hits = index.query(q, &QueryOptions { limit: 10 });
        eprintln!("{q}: {:?}", hits.iter().map(|h| format!("{}:{}", h.meta.kind, h.meta.title)).collect::<Vec<_>>());
    }
    eprintln!("queries: {:?}", t.elapsed());
    // PORTICO_SEARCH_LIMITS=list_max=512,out_of_line=1024 overrides export limits, to measure
    // them (benches/search-bytes.sh).
    let mut limits = terms::Limits::default();
    for setting in std::env::var("PORTICO_SEARCH_LIMITS").unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
        let (key, value) = setting.split_once('=').expect("key=value");
        let value: usize = value.parse().expect("a number");
        match key {
            "list_all" => limits.list_all = value,
            "top" => limits.top = value,
            "list_max" => limits.list_max = value,
            "ties" => limits.ties = value,
            "tier_first" => limits.tier_first = value,
            "tier_growth" => limits.tier_growth = value,
            "out_of_line" => limits.out_of_line = value,
            "stub_docs" => limits.stub_docs = value,
            _ => panic!("unknown limit {key}"),
        }
    }
    eprintln!("limits {limits:?}");
    let (t, c) = (std::time::Instant::now(), cpu());
    let files = export::export_with(&index.index, &limits);
    eprintln!("export: {:?}, {:.2} CPU s", t.elapsed(), cpu() - c);
    rss("exported");
    let mut by_kind: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    for (path, bytes) in &files.files {
        let kind = path.trim_start_matches("search/").split(['-', '.']).next().unwrap_or("").to_owned();
        let e = by_kind.entry(kind).or_default();
        e.0 += 1;
        e.1 += bytes.len();
        e.2 = e.2.max(bytes.len());
    }
    eprintln!(
        "files {} total {} bytes; by kind (count, bytes, max): {by_kind:?}",
        files.files.len(),
        files.files.iter().map(|f| f.1.len()).sum::<usize>()
    );
    if let Some(out) = std::env::var_os("PORTICO_SEARCH_OUT") {
        let out = Path::new(&out);
        let _ = std::fs::remove_dir_all(out.join("search"));
        for (path, bytes) in &files.files {
            let p = out.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        std::fs::write(out.join("search/manifest-path.txt"), &files.manifest).unwrap();
    }
}
