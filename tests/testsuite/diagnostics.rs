//! One fixture per diagnostic (tests/fixtures/invalid/<code>/) and the three output formats.
//!
//! Each fixture is a tiny monorepo that is valid apart from the problem it is named after. The
//! expected positions below were worked out from the fixture files (1-based line and character
//! column of the token the diagnostic is about), not copied from the tool's output.

use serde_json::Value;

use crate::support::{Fixture, Run, fixtures_dir, summary};

fn fixture(name: &str) -> Fixture {
    Fixture::named(&format!("invalid/{name}"))
}

/// `file:line:col severity code` of every diagnostic `check` reports for the fixture.
fn summary_of(name: &str) -> Vec<String> {
    summary(&fixture(name).diagnostics())
}

/// The diagnostics of a run that used `--format json` (for runs `diagnostics()` refuses: exit 2).
fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect()
}

/// A stage line of the human output (`parse  5 entities from 3 files, 0 problems`), without its
/// timing.
fn stage_line(run: &Run, stage: &str) -> String {
    let line = run
        .stderr
        .lines()
        .map(str::trim)
        .find(|l| l.split_whitespace().next() == Some(stage))
        .unwrap_or_else(|| panic!("no `{stage}` line in stderr:\n{}", run.stderr));
    let end = line.rfind(" (").unwrap_or(line.len());
    line[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Stage lines carry a duration; everything else in the human output is stable.
fn redact_durations() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\(\d+(\.\d+)? m?s\)", "([duration])");
    settings
}

// ---------------------------------------------------------------------------------------------
// One test per fixture: exactly which diagnostics, where.
// ---------------------------------------------------------------------------------------------

#[test]
fn yaml_error_in_fifth_document_reports_absolute_line() {
    let f = fixture("invalid-yaml");
    // Line 40 is `  description: Payments: cards and invoices`, in the fifth document (starting
    // at line 36); the second `:` (column 24) is what the YAML parser rejects.
    assert_eq!(summary(&f.diagnostics()), ["catalog-info.yaml:40:24 error invalid-yaml"]);
    // The four documents before the broken one are still read.
    assert_eq!(stage_line(&f.check(&[]), "parse"), "parse 4 entities from 1 files, 1 problems");
}

#[test]
fn documents_that_are_a_list_or_a_scalar_are_not_entities() {
    // Document 2 is a list starting at 9:1, document 3 a plain string at 12:1.
    assert_eq!(
        summary_of("not-an-entity"),
        ["catalog-info.yaml:9:1 error not-an-entity", "catalog-info.yaml:12:1 error not-an-entity"]
    );
}

#[test]
fn relations_and_status_at_the_root_are_unknown_root_fields_with_a_hint() {
    let diags = fixture("unknown-root-field").diagnostics();
    assert_eq!(
        summary(&diags),
        ["catalog-info.yaml:9:1 error unknown-root-field", "catalog-info.yaml:12:1 error unknown-root-field"]
    );
    for d in &diags {
        assert_eq!(d["hint"], "relations and status are computed by the catalog: remove this field");
    }
}

#[test]
fn missing_required_fields_point_at_the_mapping_that_lacks_them() {
    // Group without spec.children (spec mapping starts at 6:3), User without spec.memberOf
    // (13:3), API without spec.definition (21:3), Component without metadata.name (28:3).
    assert_eq!(
        summary_of("missing-field"),
        [
            "catalog-info.yaml:6:3 error missing-field",
            "catalog-info.yaml:13:3 error missing-field",
            "catalog-info.yaml:21:3 error missing-field",
            "catalog-info.yaml:28:3 error missing-field",
        ]
    );
}

#[test]
fn fields_of_the_wrong_type_point_at_the_value() {
    let diags = fixture("invalid-type").diagnostics();
    // tags as a string (5:9), an annotation that is a number (7:23), lifecycle as a list (10:14),
    // a System whose spec is a string (25:7).
    assert_eq!(
        summary(&diags),
        [
            "catalog-info.yaml:5:9 error invalid-type",
            "catalog-info.yaml:7:23 error invalid-type",
            "catalog-info.yaml:10:14 error invalid-type",
            "catalog-info.yaml:25:7 error invalid-type",
        ]
    );
    assert_eq!(diags[1]["hint"], "quote the value: numbers and booleans are not strings in YAML");
}

#[test]
fn malformed_name_namespace_tag_label_annotation_and_link_are_invalid_format() {
    let diags = fixture("invalid-format").diagnostics();
    assert_eq!(
        summary(&diags),
        [
            "catalog-info.yaml:4:9 error invalid-format",   // name: Checkout Service!
            "catalog-info.yaml:14:14 error invalid-format", // namespace: Payments
            "catalog-info.yaml:26:7 error invalid-format",  // tag: Type Script
            "catalog-info.yaml:28:5 error invalid-format",  // label key: Acme.com/tier
            "catalog-info.yaml:30:5 error invalid-format",  // annotation key: acme.com/a/b
            "catalog-info.yaml:32:12 error invalid-format", // link url: not a url
        ]
    );
    assert_eq!(diags[2]["hint"], "write it as `type-script`");
}

#[test]
fn api_version_the_kind_does_not_accept_is_unsupported() {
    // backstage.io/v2 on a Component, backstage.io/v1alpha1 on a Template (v1beta3 only).
    assert_eq!(
        summary_of("unsupported-api-version"),
        [
            "catalog-info.yaml:1:13 error unsupported-api-version",
            "catalog-info.yaml:10:13 error unsupported-api-version",
        ]
    );
}

#[test]
fn unknown_kinds_are_errors_as_in_backstage_and_a_case_mismatch_suggests_the_builtin_kind() {
    let diags = fixture("unknown-kind").diagnostics();
    assert_eq!(
        summary(&diags),
        ["catalog-info.yaml:2:7 error unknown-kind", "catalog-info.yaml:9:7 error unknown-kind"]
    );
    assert_eq!(
        diags[0]["message"],
        "no processor recognized the entity service:default/billing as valid, possibly caused by a foreign kind or apiVersion (`Service`, `backstage.io/v1alpha1`)"
    );
    assert!(diags[0]["hint"].as_str().unwrap().contains("declare it in `catalog.custom_kinds`"), "{}", diags[0]);
    assert_eq!(diags[1]["hint"], "kinds are case-sensitive: did you mean `Component`?");
}

#[test]
fn issue_10_custom_kinds_declared_in_portico_yaml_get_a_generic_page() {
    let f = fixture("unknown-kind").file("portico.yaml", "catalog:\n  custom_kinds: [Service]\n");
    assert_eq!(summary(&f.diagnostics()), ["catalog-info.yaml:9:7 error unknown-kind"]);
    f.build(&[]).assert_code(0);
    let page = f.read("public/catalog/default/service/billing/index.html");
    assert!(page.contains("billing"));
    assert!(!f.path().join("public/catalog/default/component/web").exists(), "`component` is still left out");
}

#[test]
fn kind_outside_the_configured_allow_list_is_reported_and_left_out() {
    let diags = fixture("kind-not-allowed").diagnostics();
    // portico.yaml allows only Component: the Group (document 2, at 10:1) is reported, and since
    // it is left out of the catalog the Component's owner (8:10) no longer resolves: a note
    // pointing at the root cause (issue 16), not a second problem.
    assert_eq!(
        summary(&diags),
        ["catalog-info.yaml:8:10 info ref-to-invalid", "catalog-info.yaml:11:7 error kind-not-allowed"]
    );
    assert!(
        diags[0]["message"].as_str().unwrap().ends_with("which was left out for the errors of catalog-info.yaml:10"),
        "{}",
        diags[0]
    );
    assert_eq!(diags[1]["message"], "kind `Group` is not allowed: entity group:default/team-a is left out");
}

#[test]
fn entity_refs_differing_only_in_case_are_duplicates_across_files() {
    let diags = fixture("duplicate-entity").diagnostics();
    // `Checkout` in services/checkout is read first (files are sorted); `checkout`, the second
    // document of services/legacy (its name at 12:9), is the duplicate; the message points at the
    // first definition's name.
    assert_eq!(summary(&diags), ["services/legacy/catalog-info.yaml:12:9 error duplicate-entity"]);
    assert_eq!(
        diags[0]["message"],
        "duplicate entity component:default/checkout: already defined in services/checkout/catalog-info.yaml:4:9; this definition is left out"
    );
}

#[test]
fn depends_on_without_a_kind_is_an_invalid_ref() {
    // `resource:orders-db` (10:7) is fine; `orders-db` (11:7) names no kind and dependsOn has
    // no default one.
    assert_eq!(summary_of("invalid-ref"), ["catalog-info.yaml:11:7 error invalid-ref"]);
}

#[test]
fn references_to_missing_entities_are_dangling_ref_warnings_at_the_field() {
    let diags = fixture("dangling-ref").diagnostics();
    assert_eq!(
        summary(&diags),
        ["catalog-info.yaml:8:10 warning dangling-ref", "catalog-info.yaml:9:11 warning dangling-ref"]
    );
    assert_eq!(diags[0].get("hint"), None, "no entity is named team-ghost");
    assert_eq!(diags[1]["hint"], "did you mean component:default/payments?");
}

#[test]
fn text_placeholder_climbing_out_of_the_root_is_refused() {
    assert_eq!(summary_of("placeholder-outside-root"), ["catalog-info.yaml:10:12 error placeholder-outside-root"]);
}

#[cfg(unix)]
#[test]
fn text_placeholder_through_a_symlink_leaving_the_root_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "password: hunter2\n").unwrap();
    let f = fixture("placeholder-outside-root-symlink");
    std::os::unix::fs::symlink(outside.path().join("secret.yaml"), f.path().join("openapi.yaml")).unwrap();
    assert_eq!(summary(&f.diagnostics()), ["catalog-info.yaml:10:12 error placeholder-outside-root"]);
}

#[cfg(unix)]
#[test]
fn text_placeholder_through_a_symlink_inside_the_root_is_read() {
    // The same fixture with the link pointing inside the root: the refusal above is about where
    // the link leads, not about links.
    let f = fixture("placeholder-outside-root-symlink")
        .file("specs/orders.yaml", "openapi: 3.0.0\ninfo: {title: Orders, version: '1'}\npaths: {}\n");
    std::os::unix::fs::symlink(f.path().join("specs/orders.yaml"), f.path().join("openapi.yaml")).unwrap();
    assert_eq!(summary(&f.diagnostics()), Vec::<String>::new());
}

#[test]
fn placeholder_naming_a_missing_file_is_unreadable() {
    assert_eq!(summary_of("placeholder-unreadable"), ["catalog-info.yaml:10:12 error placeholder-unreadable"]);
}

#[test]
fn json_placeholder_with_bad_json_and_yaml_placeholder_with_two_documents_are_invalid() {
    assert_eq!(
        summary_of("placeholder-invalid"),
        ["catalog-info.yaml:10:12 error placeholder-invalid", "catalog-info.yaml:21:12 error placeholder-invalid"]
    );
}

#[test]
fn url_placeholder_is_a_warning_and_is_not_fetched() {
    assert_eq!(summary_of("placeholder-url"), ["catalog-info.yaml:10:12 warning placeholder-url"]);
}

#[test]
fn missing_location_target_and_glob_matching_nothing_are_not_found() {
    // ./teams/teams.yaml (7:7) exists; ./services/checkout.yaml (8:7) does not; ./apis/*.yaml
    // (9:7) matches nothing.
    assert_eq!(
        summary_of("location-not-found"),
        ["catalog-info.yaml:8:7 error location-not-found", "catalog-info.yaml:9:7 error location-not-found"]
    );
}

#[test]
fn location_targets_above_the_root_are_refused() {
    // `../shared/...` and `/../other-repo/...` (`/` is the root, so `..` climbs out of it).
    assert_eq!(
        summary_of("location-outside-root"),
        ["catalog-info.yaml:7:7 error location-outside-root", "catalog-info.yaml:8:7 error location-outside-root"]
    );
}

#[test]
fn url_targets_and_url_typed_locations_are_warnings_and_not_read() {
    assert_eq!(
        summary_of("location-url"),
        ["catalog-info.yaml:6:11 warning location-url", "catalog-info.yaml:14:11 warning location-url"]
    );
}

#[test]
fn malformed_location_glob_is_reported_at_the_target() {
    assert_eq!(summary_of("location-invalid-glob"), ["catalog-info.yaml:6:11 error location-invalid-glob"]);
}

#[test]
fn unknown_config_key_exits_2_and_points_at_the_key() {
    let run = fixture("invalid-config").check(&["--format", "json"]);
    run.assert_code(2);
    // `  fils:` is line 4 of portico.yaml, the key at column 3.
    assert_eq!(summary(&json_lines(&run)), ["portico.yaml:4:3 error invalid-config"]);
}

#[test]
fn invalid_glob_in_config_exits_2_naming_the_file() {
    let run = fixture("invalid-config-glob").check(&["--format", "json"]);
    run.assert_code(2);
    assert_eq!(summary(&json_lines(&run)), ["portico.yaml:3:7 error invalid-config"]);
}

#[test]
fn non_utf8_catalog_file_is_unreadable() {
    assert_eq!(summary_of("unreadable-file"), ["catalog-info.yaml:0:0 error unreadable-file"]);
}

#[test]
fn walked_scaffolder_skeleton_is_skipped_with_a_note_that_never_fails() {
    let f = fixture("skipped-skeleton");
    assert_eq!(summary(&f.diagnostics()), ["templates/service/skeleton/catalog-info.yaml:1:1 info skipped-skeleton"]);
    f.check(&["--strict"]).assert_code(0);
}

#[test]
fn location_cycle_reads_each_file_once_without_diagnostics() {
    // catalog-info.yaml -> catalog/a.yaml -> catalog/b.yaml -> catalog/a.yaml
    let f = fixture("location-cycle");
    assert_eq!(summary(&f.diagnostics()), Vec::<String>::new());
    let run = f.check(&[]);
    run.assert_code(0);
    assert_eq!(stage_line(&run, "parse"), "parse 5 entities from 3 files, 0 problems");

    f.build(&[]).assert_code(0);
    let catalog: Vec<Value> = serde_json::from_str(&f.read("public/api/catalog.json")).unwrap();
    let mut entities: Vec<String> = catalog
        .iter()
        .map(|e| {
            format!(
                "{}:{} from {}",
                e["kind"].as_str().unwrap(),
                e["metadata"]["name"].as_str().unwrap(),
                e["metadata"]["annotations"]["backstage.io/managed-by-location"].as_str().unwrap()
            )
        })
        .collect();
    entities.sort();
    assert_eq!(
        entities,
        [
            "Component:checkout from file:catalog/b.yaml",
            "Group:team-a from file:catalog/a.yaml",
            "Location:a from file:catalog/a.yaml",
            "Location:b from file:catalog/b.yaml",
            "Location:root from file:catalog-info.yaml",
        ]
    );
}

#[test]
fn optional_location_with_missing_targets_is_silent() {
    let f = fixture("location-optional-missing");
    assert_eq!(summary(&f.diagnostics()), Vec::<String>::new());
    f.check(&["--strict"]).assert_code(0);
}

#[test]
fn several_problems_in_two_files_are_sorted_by_file_and_position() {
    assert_eq!(
        summary_of("several-problems"),
        [
            // `checkout` is left out (its tag and its reference are errors): its owner is no
            // longer looked up.
            "catalog-info.yaml:5:20 error invalid-format",
            "catalog-info.yaml:10:15 error invalid-ref",
            "services/orders/catalog-info.yaml:2:7 error unknown-kind",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Exit codes.
// ---------------------------------------------------------------------------------------------

/// Fixtures with at least one error (the symlink fixture without its link reports its
/// placeholder as unreadable).
const WITH_ERRORS: &[&str] = &[
    "duplicate-entity",
    "invalid-format",
    "invalid-ref",
    "invalid-type",
    "invalid-yaml",
    "kind-not-allowed",
    "location-invalid-glob",
    "location-not-found",
    "location-outside-root",
    "missing-field",
    "not-an-entity",
    "placeholder-invalid",
    "placeholder-outside-root",
    "placeholder-outside-root-symlink",
    "placeholder-unreadable",
    "several-problems",
    "scorecard-required",
    "invalid-exemptions",
    "unknown-kind",
    "unknown-root-field",
    "unreadable-file",
    "unsupported-api-version",
];

/// Fixtures whose only diagnostics are warnings.
const WARNINGS_ONLY: &[&str] = &["dangling-ref", "expired-exemption", "location-url", "placeholder-url"];

/// Fixtures with nothing above info level.
const CLEAN: &[&str] = &["location-cycle", "location-optional-missing", "skipped-skeleton"];

/// Fixtures whose configuration cannot be loaded.
const BAD_CONFIG: &[&str] = &["invalid-config", "invalid-config-glob"];

#[test]
fn scorecard_problems_point_at_the_descriptor_and_the_exemptions_file() {
    // `  name: orders` is line 4 of the descriptor, its value at column 9.
    assert_eq!(summary_of("scorecard-required"), ["svc/orders/catalog-info.yaml:4:9 error scorecard-required"]);
    // The exemption's mapping starts at `check` (2:3); the campaign's date is far ahead, so the
    // failing check is a warning.
    assert_eq!(
        summary_of("expired-exemption"),
        [
            "svc/orders/catalog-info.yaml:4:9 warning scorecard-required",
            "svc/orders/portico-exemptions.yaml:2:3 warning expired-exemption"
        ]
    );
    // `reason: [not, a, reason]`: the list starts at column 11 of line 2.
    assert_eq!(summary_of("invalid-exemptions"), ["svc/orders/portico-exemptions.yaml:2:11 error invalid-exemptions"]);
}

#[test]
fn every_invalid_fixture_is_classified_for_the_exit_code_tests() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixtures_dir().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> =
        [WITH_ERRORS, WARNINGS_ONLY, CLEAN, BAD_CONFIG].concat().into_iter().map(str::to_owned).collect();
    listed.sort();
    assert_eq!(listed, on_disk);
}

#[test]
fn check_exits_1_when_there_are_errors() {
    for name in WITH_ERRORS {
        let run = fixture(name).check(&[]);
        assert_eq!(run.code, 1, "{name}: {run:?}");
        assert!(run.stderr.lines().any(|l| l.starts_with("check failed: ")), "{name}: {}", run.stderr);
    }
}

#[test]
fn check_exits_0_when_there_are_only_warnings() {
    for name in WARNINGS_ONLY {
        let f = fixture(name);
        let severities: Vec<Value> = f.diagnostics().iter().map(|d| d["severity"].clone()).collect();
        assert!(!severities.is_empty() && severities.iter().all(|s| s == "warning"), "{name}: {severities:?}");
        let run = f.check(&[]);
        assert_eq!(run.code, 0, "{name}: {run:?}");
    }
}

#[test]
fn strict_check_exits_1_when_there_are_only_warnings() {
    for name in WARNINGS_ONLY {
        let run = fixture(name).check(&["--strict"]);
        assert_eq!(run.code, 1, "{name}: {run:?}");
    }
}

#[test]
fn strict_check_exits_0_without_warnings() {
    for name in CLEAN {
        let run = fixture(name).check(&["--strict"]);
        assert_eq!(run.code, 0, "{name}: {run:?}");
    }
}

#[test]
fn check_exits_2_when_the_configuration_is_invalid() {
    for name in BAD_CONFIG {
        for args in [&[][..], &["--strict"], &["--format", "json"]] {
            let run = fixture(name).check(args);
            assert_eq!(run.code, 2, "{name} {args:?}: {run:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What users see: the human output on stderr, GitHub annotations and JSON lines on stdout.
// ---------------------------------------------------------------------------------------------

#[test]
fn human_output_of_a_yaml_error_shows_the_line_of_the_fifth_document() {
    let run = fixture("invalid-yaml").check(&[]);
    run.assert_code(1);
    assert_eq!(run.stdout, "");
    redact_durations().bind(|| insta::assert_snapshot!("human_invalid_yaml", run.stderr));
}

#[test]
fn human_output_of_dangling_refs_shows_warnings_hint_and_a_passed_check() {
    let run = fixture("dangling-ref").check(&[]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    redact_durations().bind(|| insta::assert_snapshot!("human_dangling_ref", run.stderr));
}

#[test]
fn human_output_of_an_invalid_config_shows_the_unknown_key() {
    let run = fixture("invalid-config").check(&[]);
    run.assert_code(2);
    assert_eq!(run.stdout, "");
    redact_durations().bind(|| insta::assert_snapshot!("human_invalid_config", run.stderr));
}

#[test]
fn human_output_of_several_problems_lists_them_in_order_with_hints() {
    let run = fixture("several-problems").check(&[]);
    run.assert_code(1);
    assert_eq!(run.stdout, "");
    redact_durations().bind(|| insta::assert_snapshot!("human_several_problems", run.stderr));
}

#[test]
fn github_output_annotates_each_problem_with_file_line_and_column() {
    let run = fixture("several-problems").check(&["--format", "github"]);
    run.assert_code(1);
    assert_eq!(run.stderr, "", "machine formats print nothing else");
    insta::assert_snapshot!("github_several_problems", run.stdout);
}

#[test]
fn json_output_is_one_object_per_problem() {
    let run = fixture("several-problems").check(&["--format", "json"]);
    run.assert_code(1);
    assert_eq!(run.stderr, "", "machine formats print nothing else");
    insta::assert_snapshot!("json_several_problems", run.stdout);
}
