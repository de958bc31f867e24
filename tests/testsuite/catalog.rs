//! The catalog on real data: Backstage's own examples, content-example, Location following and
//! placeholders.

use std::collections::BTreeMap;

use crate::support::{Fixture, backstage_examples, component, group, summary};

fn catalog_json(f: &Fixture) -> Vec<serde_json::Value> {
    serde_json::from_str(&f.read("public/api/catalog.json")).expect("catalog.json is JSON")
}

fn kind_counts(entities: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in entities {
        *counts.entry(e["kind"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    counts
}

#[test]
fn backstage_catalog_model_examples_build_with_exact_counts_and_no_dangling_relation() {
    let f = Fixture::copy_of(&backstage_examples().join("backstage/packages/catalog-model/examples"))
        .file("portico.yaml", "catalog:\n  locations: [all.yaml, acme-corp.yaml]\n");
    let diags = f.diagnostics();
    let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!diags.iter().any(|d| d["code"] == "dangling-ref"), "{diags:#?}");
    // The only warnings: three `$text` placeholders that are URLs (not fetched at build time).
    assert_eq!(
        summary(&diags),
        [
            "apis/spotify-api.yaml:17:12 warning placeholder-url",
            "apis/wayback-archive-api.yaml:11:12 warning placeholder-url",
            "apis/wayback-search-api.yaml:11:12 warning placeholder-url",
        ]
    );

    f.build(&[]).assert_code(0);
    let entities = catalog_json(&f);
    let want: BTreeMap<String, usize> = [
        ("API", 10),
        ("AiResource", 2),
        ("Component", 13),
        ("Domain", 3),
        ("Group", 9),
        ("Location", 9),
        ("Resource", 1),
        ("System", 3),
        ("User", 17),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_owned(), n))
    .collect();
    assert_eq!(kind_counts(&entities), want);

    // Every relation target is an entity of the catalog.
    let refs: std::collections::HashSet<String> = entities
        .iter()
        .map(|e| {
            format!(
                "{}:{}/{}",
                e["kind"].as_str().unwrap().to_lowercase(),
                e["metadata"]["namespace"].as_str().unwrap(),
                e["metadata"]["name"].as_str().unwrap().to_lowercase()
            )
        })
        .collect();
    for e in &entities {
        for r in e["relations"].as_array().unwrap() {
            assert!(refs.contains(r["targetRef"].as_str().unwrap()), "dangling {r} on {}", e["metadata"]["name"]);
        }
    }
    // The guest user exists twice, in two namespaces, and memberOf crosses namespaces.
    let guest_dev = entities
        .iter()
        .find(|e| {
            e["kind"] == "User" && e["metadata"]["name"] == "guest" && e["metadata"]["namespace"] == "development"
        })
        .expect("development/guest");
    let rels: Vec<String> =
        guest_dev["relations"].as_array().unwrap().iter().map(|r| format!("{}", r["targetRef"])).collect();
    assert_eq!(rels, ["\"group:default/team-a\""]);
}

/// Each example set of the shared fixtures checks with zero errors and builds. (They are separate
/// catalogs: create-app's org and the acme org both define `user:default/guest`.)
#[test]
fn every_backstage_example_set_checks_with_zero_errors() {
    let sets: &[(&str, &str, usize)] = &[
        (
            "create-app/templates/default-app/examples",
            "catalog:\n  locations: [entities.yaml, org.yaml, template/template.yaml]\n",
            6,
        ),
        ("demo", "catalog:\n  locations: ['examples/*.yaml', demo-template/template/template.yaml]\n", 10),
        ("software-templates", "catalog:\n  locations: ['scaffolder-templates/*/template.yaml']\n", 9),
    ];
    for (dir, config, count) in sets {
        let f = Fixture::copy_of(&backstage_examples().join(dir)).file("portico.yaml", config);
        let diags = f.diagnostics();
        let errors: Vec<_> = diags.iter().filter(|d| d["severity"] == "error").collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
        f.build(&[]).assert_code(0);
        assert_eq!(catalog_json(&f).len(), *count, "{dir}");
    }
}

#[test]
fn content_example_checks_with_zero_diagnostics() {
    let f = Fixture::copy_of(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"));
    let diags = f.diagnostics();
    let problems: Vec<_> = diags.iter().filter(|d| d["severity"] != "info").collect();
    assert!(problems.is_empty(), "{problems:#?}");
    f.check(&["--strict"]).assert_code(0);
}

#[test]
fn location_globs_cycles_and_files_reached_twice_are_read_once() {
    let f = Fixture::empty()
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./teams/*.yaml, ./svc/a/catalog-info.yaml, ./loop.yaml]\n",
        )
        .file("teams/a.yaml", &group("team-a"))
        .file("teams/b.yaml", &group("team-b"))
        .file("teams/nested/c.yaml", &group("team-c"))
        .file("svc/a/catalog-info.yaml", &component("a", "team-a"))
        .file(
            "loop.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: loop\nspec:\n  targets: [./catalog-info.yaml, ./loop.yaml]\n",
        );
    assert_eq!(summary(&f.diagnostics()), Vec::<String>::new());
    f.build(&[]).assert_code(0);
    let names: Vec<String> =
        catalog_json(&f).iter().map(|e| e["metadata"]["name"].as_str().unwrap().to_owned()).collect();
    // `*` does not cross `/`: nested/c.yaml is not matched. The component is found by walking and
    // by the Location, and read once.
    assert_eq!(names, ["a", "team-a", "team-b", "loop", "root"]);
}

#[test]
fn managed_by_location_annotations_name_the_file_and_its_origin() {
    let f = Fixture::empty()
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  target: ./org/teams.yaml\n",
        )
        .file("org/teams.yaml", &group("team-a"));
    f.build(&[]).assert_code(0);
    let team = catalog_json(&f).into_iter().find(|e| e["kind"] == "Group").unwrap();
    let ann = &team["metadata"]["annotations"];
    assert_eq!(ann["backstage.io/managed-by-location"], "file:org/teams.yaml");
    assert_eq!(ann["backstage.io/managed-by-origin-location"], "file:catalog-info.yaml");
}

#[test]
fn placeholders_resolve_relative_to_the_descriptor_and_from_the_root() {
    let f = Fixture::empty()
        .file("shared/owners.json", "{\"primary\": \"team-a\", \"list\": [1, 2]}")
        .file("shared/extra.yaml", "nested:\n  value: 7\n")
        .file("svc/api/openapi.yaml", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
        .file("org.yaml", &group("team-a"))
        .file(
            "svc/api/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: x-api\n  annotations:\n    team-data: '1'\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n  owners:\n    $json: /shared/owners.json\n  extra:\n    $yaml: ../../shared/extra.yaml\n  untouched:\n    $other: ./nothing\n",
        )
        .file("portico.yaml", "catalog:\n  files: ['**/catalog-info.yaml', org.yaml]\n");
    assert_eq!(summary(&f.diagnostics()), Vec::<String>::new());
    f.build(&[]).assert_code(0);
    let api = catalog_json(&f).into_iter().find(|e| e["kind"] == "API").unwrap();
    assert!(api["spec"]["definition"].as_str().unwrap().starts_with("openapi: 3.0.0"));
    assert_eq!(api["spec"]["owners"]["primary"], "team-a");
    assert_eq!(api["spec"]["extra"]["nested"]["value"], 7);
    assert_eq!(api["spec"]["untouched"]["$other"], "./nothing");
}

#[test]
fn scaffolder_skeletons_found_by_walking_are_skipped_with_a_note() {
    let f = Fixture::empty().file("catalog-info.yaml", &group("team-a")).file(
        "templates/t/skeleton/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\n",
    );
    assert_eq!(summary(&f.diagnostics()), ["templates/t/skeleton/catalog-info.yaml:1:1 info skipped-skeleton"]);
}

/// Issue 16: a group's page lists what it owns as tables, each entity once: directly, and with
/// its sub-groups (the aggregated list, behind a switch); the relation tables do not repeat them.
#[test]
fn ownership_pages_aggregate_over_sub_groups() {
    let f = Fixture::empty()
        .file(
            "org.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: org}\nspec: {type: org, children: [team-a], profile: {email: org@example.com}}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, parent: org, children: [], members: [ann]}\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: ann, description: Tech lead}\nspec: {memberOf: [team-a], profile: {email: ann@example.com}}\n",
        )
        .file("svc/catalog-info.yaml", &component("svc", "team-a"))
        .file("top/catalog-info.yaml", &component("top", "org"))
        .file("orphan/catalog-info.yaml", &component("lonely", "nobody"))
        .file("portico.yaml", "catalog:\n  locations: [org.yaml]\n");
    f.build(&[]).assert_code(0);
    let org = f.read("public/catalog/default/group/org/index.html");
    let section = |id: &str| {
        let start = org.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}"));
        let rest = &org[start..];
        rest[..rest.find("</table>").map_or(rest.len(), |e| e + 8)].to_owned()
    };
    let direct = section("owned-direct-list");
    let aggregated = section("owned-aggregated-list");
    assert_eq!(direct.matches("/component/top/\"").count(), 1, "org owns top directly: {direct}");
    assert!(!direct.contains("/component/svc/"), "org owns nothing else directly");
    assert_eq!(aggregated.matches("/component/svc/\"").count(), 1, "aggregated ownership lists svc once");
    assert_eq!(aggregated.matches("/component/top/\"").count(), 1, "and top once");
    assert!(
        aggregated
            .contains("<th scope=\"col\">Lifecycle</th><th scope=\"col\">System</th><th scope=\"col\">Owner</th>")
    );
    // Without JavaScript the direct list is the one shown: its radio button is checked.
    assert!(org.contains("id=\"owned-direct\" value=\"direct\" checked>"));
    // The relation tables do not repeat what the cards show (with nothing else, there is no
    // relations card at all).
    let relations = org.find("id=\"relations\"").map_or("", |at| &org[at..]);
    assert!(!relations.contains("Owner of") && !relations.contains("Parent of"), "{relations}");
    // Members as a table, with email and the user's description.
    let team = f.read("public/catalog/default/group/team-a/index.html");
    assert!(
        team.contains(
            "<a href=\"mailto:ann@example.com\">ann@example.com</a></td><td class=\"rel-desc\">Tech lead</td>"
        )
    );
    assert!(team.contains("Parent group: <a href=\"/catalog/default/group/org/\""), "the profile names the parent");
    assert!(org.contains("Child groups: <a href=\"/catalog/default/group/team-a/\""), "and the children");
    let ann = f.read("public/catalog/default/user/ann/index.html");
    assert!(ann.contains("catalog/default/component/svc/"), "the user page lists what the user's group owns");
    // A user's groups are on the profile card, not again in a relation table.
    assert!(ann.contains("Member of <a href=\"/catalog/default/group/team-a/\""), "the profile names the group");
    assert!(!ann.contains("id=\"relations\""), "no relations card repeating the membership");
    let orphans = f.read("public/orphans/index.html");
    assert!(orphans.contains("catalog/default/component/lonely/") && orphans.contains("nobody"));
    assert!(!orphans.contains("component/svc/"));
    // The groups file behind "my team": each group once in tree order, with what it owns.
    let groups_file = std::fs::read_dir(f.path().join("public/catalog"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("groups."))
        .expect("a groups file");
    let groups: serde_json::Value = serde_json::from_slice(&std::fs::read(groups_file).unwrap()).unwrap();
    assert_eq!(
        groups["groups"],
        serde_json::json!([
            ["group:default/org", "org", "catalog/default/group/org/", 0, "org", [1, 0, 0, 1], [2, 0, 0, 2]],
            ["group:default/team-a", "team-a", "catalog/default/group/team-a/", 1, "team", [1, 0, 0, 1], [1, 0, 0, 1]]
        ])
    );
}

/// A spec field that fails its schema emits no relation (Backstage rejects the entity), so a
/// malformed `dependsOn` is one error, not an error plus a dangling reference and an edge.
#[test]
fn fields_that_fail_validation_emit_no_relations() {
    let f = Fixture::empty().file("org.yaml", &group("team-a")).file(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\nspec: {type: service, lifecycle: production, owner: team-a, dependsOn: 'resource:db'}\n",
    )
    .file("portico.yaml", "catalog:\n  locations: [org.yaml]\n");
    assert_eq!(summary(&f.diagnostics()), ["catalog-info.yaml:4:72 error invalid-type"]);
}

#[test]
fn users_and_groups_are_shown_by_their_profile_display_name() {
    let f = Fixture::empty().file(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: [], members: [ann], profile: {displayName: The A Team}}\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: ann}\nspec: {memberOf: [team-a], profile: {displayName: Ann Smith}}\n",
    );
    f.build(&[]).assert_code(0);
    let group = f.read("public/catalog/default/group/team-a/index.html");
    assert!(group.contains("<h1>The A Team "), "group heading");
    assert!(group.contains(">Ann Smith</a>"), "member listed by display name");
}

/// Two entities documented from one directory share one site, at the URL of the first by
/// reference; links inside it stay in it (issue 10).
#[test]
fn two_entities_sharing_a_docs_directory_share_one_site() {
    let f = Fixture::empty()
        .file("org.yaml", &group("team-a"))
        .file(
            "svc/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations: {backstage.io/techdocs-ref: 'dir:.'}\nspec: {type: service, lifecycle: production, owner: team-a}\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: sys\n  annotations: {backstage.io/techdocs-ref: 'dir:.'}\nspec: {owner: team-a}\n",
        )
        .file("svc/docs/index.md", "# Home\n\nSee [setup](setup.md).\n")
        .file("svc/docs/setup.md", "# Setup\n")
        .file("portico.yaml", "catalog:\n  locations: [org.yaml]\n");
    f.build(&[]).assert_code(0);
    assert!(!f.path().join("public/docs/default/system").exists(), "one site");
    let svc = f.read("public/docs/default/component/svc/index.html");
    assert!(svc.contains("href=\"/docs/default/component/svc/setup/\""));
    let sys = f.read("public/catalog/default/system/sys/index.html");
    assert!(
        sys.contains("<dt>Docs</dt><dd><a href=\"/docs/default/component/svc/\""),
        "the system links to the shared site"
    );
}

/// Issue 16: a dangling reference names the nearest entities of its kind ("did you mean"), and a
/// reference to an entity left out for its own errors is a note pointing there, not a second
/// problem.
#[test]
fn issue_16_dangling_refs_suggest_the_nearest_names_and_point_at_the_root_cause() {
    let f = Fixture::empty().file(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-payments\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\nspec:\n  type: service\n  lifecycle: production\n  owner: team-paymnets\n  dependsOn: [component:broken-svc, component:checkuot]\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: broken-svc\nspec:\n  type: service\n  lifecycle: 42\n  owner: team-payments\n",
    );
    let diags = f.diagnostics();
    assert_eq!(
        summary(&diags),
        [
            "catalog-info.yaml:16:10 warning dangling-ref",
            "catalog-info.yaml:17:15 info ref-to-invalid",
            "catalog-info.yaml:17:37 warning dangling-ref",
            "catalog-info.yaml:25:14 error invalid-type"
        ]
    );
    assert_eq!(diags[0]["hint"], "did you mean group:default/team-payments?");
    assert_eq!(diags[2]["hint"], "did you mean component:default/checkout?");
    assert!(
        diags[1]["message"].as_str().unwrap().ends_with("left out for the errors of catalog-info.yaml:19"),
        "{}",
        diags[1]
    );
}

/// Issue 16: an API whose definition is a URL (not fetched) says so and links it.
#[test]
fn issue_16_an_api_defined_by_a_url_links_it() {
    let f = Fixture::empty().file("catalog-info.yaml", &format!(
        "{}---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: remote-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: https://specs.example.com/remote.yaml\n",
        group("team-a")
    ));
    let diags = f.diagnostics();
    assert!(summary(&diags).iter().any(|l| l.ends_with("warning placeholder-url")), "{diags:?}");
    f.build(&[]).assert_code(0);
    let page = f.read("public/catalog/default/api/remote-api/index.html");
    assert!(
        page.contains("published at <a href=\"https://specs.example.com/remote.yaml\" rel=\"noopener\">https://specs.example.com/remote.yaml</a>"),
        "{page}"
    );
    assert!(!f.path().join("public/catalog/default/api/remote-api/definition/index.html").exists());
}
