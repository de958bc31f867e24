//! Real Backstage monorepos build into a complete portal on the first try (issue 10): a build
//! publishes everything valid and lists the rest on the problems page, Backstage's own
//! registrations in app-config are read, URLs into the repository are local files, scaffolder
//! skeletons are told from Templates precisely, and Backstage's demo and create-app examples
//! build with zero config.

use std::collections::BTreeSet;

use crate::support::{Fixture, backstage_examples, component, group};

/// The refs of every entity in the built `api/catalog.json`.
fn built_refs(f: &Fixture, out: &str) -> BTreeSet<String> {
    let catalog: Vec<serde_json::Value> = serde_json::from_str(&f.read(&format!("{out}/api/catalog.json"))).unwrap();
    catalog
        .iter()
        .map(|e| {
            format!(
                "{}:{}/{}",
                e["kind"].as_str().unwrap().to_lowercase(),
                e["metadata"]["namespace"].as_str().unwrap(),
                e["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

fn problems(f: &Fixture) -> Vec<serde_json::Value> {
    serde_json::from_str(&f.read("public/api/problems.json")).unwrap()
}

const PAYMENTS_TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: payments-service
  title: Payments service
  description: A new service on the payments platform
spec:
  owner: group:team-payments
  type: service
  parameters:
    - title: Service
      required: [name, owner]
      properties:
        name:
          title: Name
          type: string
          pattern: '^[a-z0-9-]+$'
        owner:
          title: Owner
          type: string
          ui:field: OwnerPicker
  steps:
    - id: fetch
      name: Fetch skeleton
      action: fetch:template
      input:
        url: ./skeleton
        values:
          name: ${{ parameters.name }}
          owner: ${{ parameters.owner }}
    - id: register
      name: Register
      action: catalog:register
      input:
        repoContentsUrl: ${{ steps['publish'].output.repoContentsUrl }}
        catalogInfoPath: '/catalog-info.yaml'
  output:
    links:
      - title: Open in catalog
        icon: catalog
        entityRef: ${{ steps['register'].output.entityRef }}
"#;

/// A platform monorepo with the defects the issue found in real ones.
fn messy_monorepo() -> Fixture {
    let group_with_comment_annotations = |name: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n  annotations:\n    # github.com/team-slug: acme/{name}\n    # pagerduty.com/service-id: TODO\nspec:\n  type: team\n  children: []\n"
        )
    };
    Fixture::empty()
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: acme-root\n  description: Everything the platform team registers\nspec:\n  targets:\n    - ./org/teams.yaml\n    - ./catalog/legacy/*.yaml\n",
        )
        .file("org/teams.yaml", &format!("{}---\n{}---\n{}---\n{}", group("team-payments"), group("team-search"), group_with_comment_annotations("team-data"), group_with_comment_annotations("team-infra")))
        .file("services/payments-api/catalog-info.yaml", &component("payments-api", "team-payments"))
        .file("services/search-indexer/catalog-info.yaml", &component("search-indexer", "team-search"))
        // A copy-pasted descriptor: same name as payments-api.
        .file("services/payments-api-v2/catalog-info.yaml", &component("payments-api", "team-payments"))
        .file("services/warehouse/catalog-info.yaml", &component("warehouse", "team-data"))
        .file("templates/payments-service/catalog-info.yaml", PAYMENTS_TEMPLATE)
        .file(
            "templates/payments-service/skeleton/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {{ values.name }}\n  annotations:\n    github.com/project-slug: acme/{{ values.name }}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: {{ values.owner }}\n",
        )
        .file(
            "templates/payments-service/skeleton/docs/catalog-info.yaml",
            "{% if values.docs %}\napiVersion: backstage.io/v1alpha1\nkind: Component\n{% endif %}\n",
        )
}

#[test]
fn issue_10_a_build_publishes_everything_valid_and_lists_the_rest() {
    let f = messy_monorepo();
    let run = f.run(&["build", "."]);
    run.assert_code(0);
    assert!(run.stderr.contains("build succeeded with problems"), "{}", run.stderr);
    let refs = built_refs(&f, "public");
    for present in [
        "component:default/payments-api",
        "component:default/search-indexer",
        "component:default/warehouse",
        "group:default/team-payments",
        "group:default/team-search",
        "template:default/payments-service",
        "location:default/acme-root",
    ] {
        assert!(refs.contains(present), "{present} missing from {refs:?}");
    }
    assert!(!refs.contains("group:default/team-data"), "invalid groups are left out");
    assert_eq!(refs.len(), 7, "{refs:?}");

    // The problems page and its JSON name every problem at its file, line and column, with the
    // team that owns the file.
    let problems = problems(&f);
    let summary: BTreeSet<String> = problems
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| {
            format!("{}:{}:{} {}", p["file"].as_str().unwrap(), p["line"], p["column"], p["code"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        summary,
        BTreeSet::from([
            "catalog-info.yaml:9:7 location-not-found".to_owned(),
            "org/teams.yaml:21:3 invalid-type".to_owned(),
            "org/teams.yaml:32:3 invalid-type".to_owned(),
            "services/payments-api/catalog-info.yaml:4:9 duplicate-entity".to_owned(),
        ])
    );
    let duplicate = problems.iter().find(|p| p["code"] == "duplicate-entity").unwrap();
    assert_eq!(duplicate["owner"], "group:default/team-payments");
    let page = f.read("public/problems/index.html");
    for text in [
        "Entities left out",
        "group:default/team-data",
        "org/teams.yaml",
        "Location target `./catalog/legacy/*.yaml` matches no file",
    ] {
        assert!(page.contains(text), "{text} not on the problems page");
    }
    assert!(f.read("public/index.html").contains("problems/"), "the home page links the problems page");

    // `check` keeps failing on errors; `--strict` builds nothing.
    f.check(&[]).assert_code(1);
    let strict = Fixture::copy_of(f.path());
    std::fs::remove_dir_all(strict.path().join("public")).unwrap();
    strict.build(&["--strict"]).assert_code(1);
    assert!(!strict.path().join("public").exists());
}

#[test]
fn issue_10_templates_in_walked_descriptors_are_kept_and_skeletons_skipped_with_the_reason() {
    let f = messy_monorepo();
    let run = f.check(&["--format", "json"]);
    let skipped: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| d["code"] == "skipped-skeleton")
        .collect();
    let files: Vec<&str> = skipped.iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "templates/payments-service/skeleton/catalog-info.yaml",
            "templates/payments-service/skeleton/docs/catalog-info.yaml"
        ]
    );
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .contains("skeleton `templates/payments-service/skeleton` of template:default/payments-service"),
        "{}",
        skipped[0]
    );
    f.build(&[]).assert_code(0);
    let page = f.read("public/catalog/default/template/payments-service/index.html");
    assert!(page.contains("Payments service"));

    // Outside a Template's skeleton, a file is a skeleton only for its own fields' syntax; a
    // Template next to it in the same file is still read.
    let f = Fixture::empty().file("catalog-info.yaml", &group("team-payments")).file(
        "tools/generator/catalog-info.yaml",
        &format!("{PAYMENTS_TEMPLATE}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{{{ values.name }}}}\nspec:\n  type: service\n  lifecycle: production\n  owner: ${{{{ values.owner }}}}\n"),
    );
    let diags = f.diagnostics();
    let skipped: Vec<_> = diags.iter().filter(|d| d["code"] == "skipped-skeleton").collect();
    assert_eq!(skipped.len(), 1, "{diags:?}");
    assert!(
        skipped[0]["message"].as_str().unwrap().contains("`metadata.name` holds template syntax `${{ values.name }}`")
    );
    assert_eq!(skipped[0]["line"], 43, "the skipped document, not the file");
    f.build(&[]).assert_code(0);
    assert!(f.path().join("public/catalog/default/template/payments-service/index.html").is_file());
}

#[test]
fn issue_10_an_empty_folder_is_a_failed_build_not_an_empty_portal() {
    let f = Fixture::empty().file("README.md", "# Not a monorepo\n");
    let run = f.run(&["build", "."]);
    run.assert_code(1);
    assert!(run.stderr.contains("no catalog file found"), "{}", run.stderr);
    assert!(!f.path().join("public").exists());
    f.check(&[]).assert_code(1);
}

/// The catalog section of create-app's `app-config.yaml` (`packages/create-app/templates/
/// default-app/app-config.yaml.hbs`): targets relative to `packages/backend`.
const CREATE_APP_CONFIG: &str = "app:
  title: Scaffolded Backstage App
backend:
  baseUrl: http://localhost:7007
catalog:
  import:
    entityFilename: catalog-info.yaml
    pullRequestBranchName: backstage-integration
  rules:
    - allow: [Component, System, API, Resource, Location]
  locations:
    # Local example data, file locations are relative to the backend process, typically `packages/backend`
    - type: file
      target: ../../examples/entities.yaml

    # Local example template
    - type: file
      target: ../../examples/template/template.yaml
      rules:
        - allow: [Template]

    # Local example organizational data
    - type: file
      target: ../../examples/org.yaml
      rules:
        - allow: [User, Group]
";

#[test]
fn issue_10_create_app_builds_with_zero_config_and_every_entity() {
    let examples = backstage_examples().join("create-app/templates/default-app/examples");
    let f = Fixture::empty()
        .file("app-config.yaml", CREATE_APP_CONFIG)
        .file("packages/backend/package.json", "{\"name\": \"backend\"}\n");
    crate::support::copy_dir(&examples, &f.path().join("examples"));
    let run = f.run(&["build", "."]);
    run.assert_code(0);
    assert!(run.stderr.contains("locations from app-config.yaml"), "{}", run.stderr);
    assert_eq!(
        built_refs(&f, "public"),
        BTreeSet::from(
            [
                "api:default/example-grpc-api",
                "component:default/example-website",
                "group:default/guests",
                "system:default/examples",
                "template:default/example-nodejs-template",
                "user:default/guest",
            ]
            .map(str::to_owned)
        )
    );
    // The template's skeleton (examples/template/content) is not an entity.
    assert!(run.stderr.contains("examples/template/content/catalog-info.yaml"), "{}", run.stderr);
}

#[test]
fn issue_10_app_config_rules_local_overrides_and_the_switch() {
    let f = Fixture::empty()
        .file("app-config.yaml", "catalog:\n  rules:\n    - allow: [Component, API, Location]\n  locations:\n    - type: file\n      target: ../../catalog/all.yaml\n")
        .file(
            "packages/backend/app-config.local.yaml",
            "catalog:\n  locations:\n    - type: file\n      target: ../../catalog/*.yaml\n    - type: file\n      target: ../../catalog/org.yaml\n      rules:\n        - allow: [Group, User]\n",
        )
        .file("catalog/all.yaml", &component("orders", "team-orders"))
        .file("catalog/org.yaml", &group("team-orders"))
        .file("catalog/extra.yaml", &format!("{}---\n{}", component("billing", "team-orders"), group("team-rogue")));
    let run = f.run(&["build", "."]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("locations from app-config.yaml + packages/backend/app-config.local.yaml"),
        "{}",
        run.stderr
    );
    // The local file's list replaces the base one; org.yaml brings its Group through its own
    // rule; a Group in extra.yaml is not allowed by the global rules.
    let refs = built_refs(&f, "public");
    assert!(refs.contains("component:default/orders") && refs.contains("component:default/billing"), "{refs:?}");
    assert!(refs.contains("group:default/team-orders"), "{refs:?}");
    assert!(!refs.contains("group:default/team-rogue"), "{refs:?}");
    let problems = problems(&f);
    let rogue = problems.iter().find(|p| p["code"] == "kind-not-allowed").unwrap();
    assert_eq!(rogue["file"], "catalog/extra.yaml");
    assert!(rogue["hint"].as_str().unwrap().contains("allowed here: API, Component, Location"), "{rogue}");

    // Turned off: only walked files (none here) are read.
    let off = Fixture::copy_of(f.path()).file("portico.yaml", "catalog:\n  app_config: false\n");
    off.check(&[]).assert_code(1);
    // portico.yaml's own locations replace app-config's.
    let own = Fixture::copy_of(f.path()).file("portico.yaml", "catalog:\n  locations: [catalog/all.yaml]\n");
    let run = own.run(&["build", ".", "--out", ".site"]);
    assert!(!run.stderr.contains("app-config"), "{}", run.stderr);
    assert_eq!(built_refs(&own, ".site"), BTreeSet::from(["component:default/orders".to_owned()]));
    // Named files, e.g. the production config.
    let named = Fixture::copy_of(f.path())
        .file(
            "app-config.production.yaml",
            "catalog:\n  rules: [{allow: [Component]}]\n  locations: [{type: file, target: ../../catalog/all.yaml}]\n",
        )
        .file("portico.yaml", "catalog:\n  app_config: [app-config.production.yaml]\n");
    named.build(&["--out", ".site"]).assert_code(0);
    assert_eq!(built_refs(&named, ".site"), BTreeSet::from(["component:default/orders".to_owned()]));
}

#[test]
fn issue_10_urls_into_this_repository_are_read_from_the_checkout() {
    let demo = backstage_examples().join("demo");
    let f = Fixture::copy_of(&demo)
        .file(".git/config", "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@github.com:backstage/demo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n")
        // The catalog section of backstage/demo's app-config.yaml: every target is a URL.
        .file(
            "app-config.yaml",
            "catalog:\n  rules:\n    - allow: [Component, API, System, Domain, Resource, Location, User, Group, AiResource]\n  locations:\n    - type: url\n      target: https://github.com/backstage/backstage/blob/master/packages/catalog-model/examples/all-components.yaml\n    - type: url\n      target: https://github.com/backstage/demo/blob/master/catalog-info.yaml\n    - type: url\n      target: https://github.com/backstage/demo/blob/master/examples/ai-resources.yaml\n    - type: url\n      target: https://github.com/backstage/demo/blob/master/examples/mcp-server-api.yaml\n    - type: url\n      target: https://github.com/backstage/demo/blob/master/demo-template/template/template.yaml\n      rules:\n        - allow: [Template]\n",
        );
    let run = f.run(&["build", ".", "--format", "json"]);
    run.assert_code(0);
    let refs = built_refs(&f, "public");
    assert_eq!(refs.len(), 10, "{refs:?}");
    for kind in ["component:", "api:", "airesource:", "template:"] {
        assert!(refs.iter().any(|r| r.starts_with(kind)), "no {kind} in {refs:?}");
    }
    // Another repository's URL is reported, not fetched.
    assert!(run.stdout.contains("backstage/backstage/blob/master/packages/catalog-model/examples/all-components.yaml"));

    // `$text` placeholders and Location targets with URLs into the repository, recognised from
    // `source_url` when there is no git remote.
    let f = Fixture::empty()
        .file("portico.yaml", "source_url: https://gitlab.acme.io/platform/portal/-/blob/main/{path}\n")
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  type: url\n  targets:\n    - https://gitlab.acme.io/platform/portal/-/blob/main/org/teams.yaml\n    - https://gitlab.acme.io/platform/portal/-/tree/main/services\n",
        )
        .file("org/teams.yaml", &group("team-a"))
        .file(
            "services/orders/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: https://gitlab.acme.io/platform/portal/-/raw/main/services/orders/openapi.yaml\n",
        )
        .file("services/orders/openapi.yaml", "openapi: 3.0.0\ninfo: {title: Orders, version: '1'}\npaths: {}\n");
    assert_eq!(f.diagnostics(), Vec::<serde_json::Value>::new());
    f.build(&[]).assert_code(0);
    let catalog = f.read("public/api/catalog.json");
    assert!(catalog.contains("openapi: 3.0.0"), "the definition was read from the checkout");
}

#[test]
fn issue_10_backstage_software_templates_all_build() {
    let f = Fixture::copy_of(&backstage_examples().join("software-templates"))
        .file("portico.yaml", "catalog:\n  files: ['**/template.yaml', '**/catalog-info.yaml']\n")
        .file("org.yaml", "");
    let run = f.run(&["build", ".", "--format", "json"]);
    run.assert_code(0);
    let refs = built_refs(&f, "public");
    assert_eq!(refs.iter().filter(|r| r.starts_with("template:")).count(), 9, "{refs:?}");
    assert_eq!(refs.len(), 9, "skeleton descriptors are not entities: {refs:?}");
}

#[test]
fn issue_10_diagnostics_explain_yaml_rules_suggest_names_and_point_at_the_field() {
    let f = Fixture::empty()
        .file("catalog-info.yaml", &group("team-a"))
        .file(
            "services/metrics/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: metrics\n  description: %d of requests fail\nspec: {type: service, lifecycle: production, owner: team-a}\n",
        )
        .file(
            "services/ledger/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n  description: Note: balances are eventually consistent\nspec: {type: service, lifecycle: production, owner: team-a}\n",
        )
        .file(
            "services/payments/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Payments Gateway\nspec:\n  type: service\n  owner: team-a\n",
        )
        .file(
            "services/orders/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\nspec:\n  type: service\n  owner: team-a\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-events\nspec:\n  type: asyncapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n    asyncapi: 2.6.0\n    info: [broken\n",
        )
        .file("services/orders/openapi.yaml", "openapi: 3.0.3\ninfo:\n  title: Orders\n  version: [1\n");
    let diags = f.diagnostics();
    let find = |file: &str| diags.iter().find(|d| d["file"] == file).unwrap_or_else(|| panic!("{file}: {diags:?}"));
    let metrics = find("services/metrics/catalog-info.yaml");
    assert_eq!((metrics["line"].as_u64(), metrics["column"].as_u64()), (Some(5), Some(16)));
    assert!(metrics["hint"].as_str().unwrap().contains("cannot start with the directive indicator `%`"), "{metrics}");
    assert!(metrics["hint"].as_str().unwrap().contains("description: \"%d of requests fail\""), "{metrics}");
    let ledger = find("services/ledger/catalog-info.yaml");
    assert!(ledger["hint"].as_str().unwrap().contains("cannot contain `: `"), "{ledger}");
    let payments = find("services/payments/catalog-info.yaml");
    assert_eq!(payments["code"], "invalid-format");
    assert!(payments["hint"].as_str().unwrap().starts_with("write it as `payments-gateway`"), "{payments}");
    let orders = find("services/orders/catalog-info.yaml");
    assert_eq!(orders["code"], "missing-field");
    assert_eq!(orders["hint"], "add it, e.g. `lifecycle: production`");
    // A definition problem points into the file the definition came from, or at the inline
    // definition, never at the document start.
    let openapi = find("services/orders/openapi.yaml");
    assert_eq!(openapi["code"], "api-definition");
    assert_eq!((openapi["line"].as_u64(), openapi["column"].as_u64()), (Some(4), Some(12)), "{openapi}");
    let inline = diags
        .iter()
        .find(|d| d["code"] == "api-definition" && d["file"] == "services/orders/catalog-info.yaml")
        .unwrap();
    // `info: [broken` is line 2 of the block that starts at 29:5: the bracket is at 30:11.
    assert_eq!((inline["line"].as_u64(), inline["column"].as_u64()), (Some(30), Some(11)), "{inline}");
}

#[test]
fn issue_10_techdocs_url_refs_into_this_repository_are_built_from_the_checkout() {
    let descriptor = |name: &str, reference: &str| {
        component(name, "team-a")
            .replace("metadata:\n", &format!("metadata:\n  annotations:\n    backstage.io/techdocs-ref: {reference}\n"))
    };
    let f = Fixture::empty()
        .file(".git/config", "[remote \"origin\"]\n\turl = https://github.com/acme/platform.git\n")
        .file(
            "services/orders/catalog-info.yaml",
            &descriptor("orders", "url:https://github.com/acme/platform/tree/main/services/orders"),
        )
        .file("services/orders/mkdocs.yml", "site_name: Orders\n")
        .file("services/orders/docs/index.md", "# Orders\n\nHow orders flow.\n")
        .file(
            "catalog-info.yaml",
            &format!(
                "{}---\n{}",
                descriptor("platform", "url:https://github.com/acme/platform/tree/main"),
                group("team-a")
            ),
        )
        .file("mkdocs.yml", "site_name: Platform\n")
        .file("docs/index.md", "# Platform handbook\n")
        .file(
            "services/billing/catalog-info.yaml",
            &descriptor("billing", "url:https://github.com/other/repo/tree/main"),
        );
    let diags = f.diagnostics();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["techdocs-url"], "{diags:?}");
    f.build(&[]).assert_code(0);
    assert!(f.read("public/docs/default/component/orders/index.html").contains("How orders flow."));
    assert!(f.read("public/docs/default/component/platform/index.html").contains("Platform handbook"));
}
