//! `portico scaffold` (issue 15): Backstage's `scaffolder.backstage.io/v1beta3` templates run
//! locally. Every example template of Backstage's `software-templates` and the demo repository
//! either runs end to end or is refused precisely; values are checked against the parameter
//! pages before anything renders; `--dry-run` plans exactly what a real run writes; the
//! templating follows Backstage (Nunjucks with `${{ }}`); a failure writes nothing.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Fixture, Run, backstage_examples, copy_dir, group};

/// Backstage's example templates (`templates/`) and demo repository (`demo/`) in one monorepo,
/// registered by a root Location, with the group `team-a` as an owner.
fn examples() -> Fixture {
    let f = Fixture::empty()
        .file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./templates/*/template.yaml\n    - ./demo/demo-template/template/template.yaml\n    - ./org.yaml\n",
        )
        .file("org.yaml", &group("team-a"));
    copy_dir(&backstage_examples().join("software-templates/scaffolder-templates"), &f.path().join("templates"));
    copy_dir(&backstage_examples().join("demo"), &f.path().join("demo"));
    f
}

/// A monorepo whose catalog holds the template at `dir/template.yaml`.
fn with_template(dir: &str, template: &str) -> Fixture {
    Fixture::empty()
        .file(
            "catalog-info.yaml",
            &format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./{dir}/template.yaml]\n---\n{}",
                group("team-a")
            ),
        )
        .file(&format!("{dir}/template.yaml"), template)
}

/// `portico scaffold TEMPLATE -v V… EXTRA…`.
fn scaffold(f: &Fixture, template: &str, values: &[&str], extra: &[&str]) -> Run {
    let mut args = vec!["scaffold", template];
    for v in values {
        args.extend(["-v", v]);
    }
    args.extend_from_slice(extra);
    f.run(&args)
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// Every file under `dir`, relative to it, sorted (empty when `dir` does not exist).
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// `(id or action, status)` of each step of a report.
fn step_statuses(report: &Value) -> Vec<(String, String)> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["id"].as_str().or(s["action"].as_str()).unwrap().to_owned();
            (id, s["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// `(path, action)` of each file of a report.
fn planned(report: &Value) -> Vec<(String, String)> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["action"].as_str().unwrap().to_owned()))
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// Backstage's example templates.
// ---------------------------------------------------------------------------------------------

#[test]
fn issue_15_list_reports_every_fixture_template_and_what_blocks_it() {
    let f = examples();
    let run = f.run(&["scaffold", "list", "--format", "json"]);
    run.assert_code(0);
    let rows: Vec<(String, String, bool, Vec<String>)> = json(&run)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ref"].as_str().unwrap().to_owned(),
                r["file"].as_str().unwrap().to_owned(),
                r["runnable"].as_bool().unwrap(),
                r["blockers"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect();
    let runs = |r: &str, file: &str| (format!("template:default/{r}"), file.to_owned(), true, Vec::new());
    assert_eq!(
        rows,
        [
            runs("create-react-app-template", "templates/create-react-app/template.yaml"),
            (
                "template:default/demo-template".into(),
                "demo/demo-template/template/template.yaml".into(),
                false,
                strings(&[
                    "enable-pages: the action `github:pages:enable` is not supported",
                    "dispatch-workflow: the action `github:actions:dispatch` is not supported",
                    "notify: the action `notification:send` is not supported",
                ]),
            ),
            runs("docs-template", "templates/docs-template/template.yaml"),
            runs("docs-template-cookiecutter", "templates/docs-template-cookiecutter/template.yaml"),
            runs("gitlab-merge-request", "templates/gitlab-merge-request/template.yaml"),
            (
                "template:default/pull-request".into(),
                "templates/pull-request/template.yaml".into(),
                false,
                strings(&[
                    "fetch-docs: its skeleton is remote (https://github.com/backstage/community/tree/main/backstage-community-sessions): Portico never fetches",
                ]),
            ),
            (
                "template:default/rails-demo".into(),
                "templates/rails-demo/template.yaml".into(),
                false,
                strings(&["fetch-base: the action `fetch:rails` is not supported"]),
            ),
            runs("react-ssr-template", "templates/react-ssr-template/template.yaml"),
            // Runnable as far as its actions go; its skeleton fails to render (see below).
            runs("scaffold-bancolombia-java", "templates/clean-architecture-app/template.yaml"),
            runs("springboot-template", "templates/springboot-grpc-template/template.yaml"),
        ]
    );

    let human = f.run(&["scaffold", "list"]);
    human.assert_code(0);
    let rails = human.stdout.lines().find(|l| l.starts_with("rails-demo ")).expect("a line for rails-demo");
    assert!(rails.ends_with("cannot run: fetch-base: the action `fetch:rails` is not supported"), "{rails}");
    let docs = human.stdout.lines().find(|l| l.starts_with("docs-template ")).expect("a line for docs-template");
    assert!(docs.contains("Documentation Template") && docs.ends_with(" runs"), "{docs}");
}

#[test]
fn issue_15_show_lists_parameters_and_flags_unsupported_steps() {
    let f = examples();
    let run = f.run(&["scaffold", "show", "rails-demo", "--format", "json"]);
    run.assert_code(0);
    let shown = json(&run);
    assert_eq!(shown["ref"], "template:default/rails-demo");
    assert_eq!(shown["file"], "templates/rails-demo/template.yaml");
    let params: Vec<&str> =
        shown["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(params, ["name", "owner", "system", "repoUrl", "dryRun", "railsArguments"]);
    let steps: Vec<(Value, &str, bool)> = shown["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].clone(), s["action"].as_str().unwrap(), s["supported"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!("fetch-base"), "fetch:rails", false),
            (Value::Null, "catalog:write", true),
            (json!("publish"), "publish:github", true),
            (json!("register"), "catalog:register", true),
            (Value::Null, "debug:log", true),
        ]
    );

    let human = f.run(&["scaffold", "show", "template:default/docs-template"]);
    human.assert_code(0);
    assert!(human.stdout.starts_with("Documentation Template (template:default/docs-template)\n"), "{}", human.stdout);
    assert!(
        human.stdout.contains("  name required (Name: Unique name of the component; a string)\n"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("  owner (Owner: Owner of the component; a string)\n"), "{}", human.stdout);

    let unknown = f.run(&["scaffold", "nosuch"]);
    unknown.assert_code(1);
    assert!(
        unknown.stderr.contains(
            "error: no template `nosuch`; the catalog's templates are create-react-app-template, demo-template, docs-template, docs-template-cookiecutter, gitlab-merge-request, pull-request, rails-demo, react-ssr-template, scaffold-bancolombia-java, springboot-template [scaffold-template]"
        ),
        "{}",
        unknown.stderr
    );
}

/// One example template run: its values, the files it must write and exact contents.
struct Case {
    template: &'static str,
    values: &'static [&'static str],
    out: &'static str,
    files: &'static [&'static str],
    contents: &'static [(&'static str, &'static str)],
    /// Files copied byte for byte from the skeleton (`out` path, skeleton path).
    verbatim: &'static [(&'static str, &'static str)],
    steps: &'static [(&'static str, &'static str)],
}

#[test]
fn issue_15_every_runnable_fixture_template_runs_end_to_end() {
    let f = examples();
    let cases = [
        Case {
            template: "create-react-app-template",
            values: &[
                "component_id=web-app",
                "description=A website",
                "owner=team-a",
                "repoUrl=github.com?owner=acme&repo=web-app",
            ],
            out: "apps/web-app",
            files: &[".portico-answers.yaml", "README.md", "catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
            contents: &[
                (
                    "catalog-info.yaml",
                    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"web-app\"\n  description: \"A website\"\n  annotations:\n    github.com/project-slug: acme/web-app\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: website\n  lifecycle: experimental\n  owner: \"team-a\"\n",
                ),
                (
                    "mkdocs.yml",
                    "site_name: \"web-app\"\nsite_description: \"A website\"\n\nnav:\n  - Introduction: index.md\n\nplugins:\n  - techdocs-core\n",
                ),
            ],
            verbatim: &[("README.md", "templates/create-react-app/skeleton/README.md")],
            steps: &[("template", "run"), ("publish", "not-published"), ("register", "not-needed")],
        },
        Case {
            // Without the optional description: the `{%- if %}` drops its line.
            template: "react-ssr-template",
            values: &["component_id=ssr-app", "owner=team-a", "repoUrl=github.com?owner=acme&repo=ssr-app"],
            out: "apps/ssr-app",
            files: &[".portico-answers.yaml", "README.md", "catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
            contents: &[(
                "catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"ssr-app\"\n  annotations:\n    github.com/project-slug: acme/ssr-app\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: website\n  lifecycle: experimental\n  owner: \"team-a\"\n",
            )],
            verbatim: &[],
            steps: &[("template", "run"), ("publish", "not-published"), ("register", "not-needed")],
        },
        Case {
            template: "springboot-template",
            values: &[
                "component_id=grpc-svc",
                "java_package_name=io.acme.grpc",
                "description=Greets over gRPC",
                "owner=group:default/team-a",
                "repoUrl=github.com?owner=acme&repo=grpc-svc",
            ],
            out: "services/grpc-svc",
            files: &[".portico-answers.yaml", "README.md", "catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
            contents: &[
                (
                    "catalog-info.yaml",
                    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"grpc-svc\"\n  description: \"Greets over gRPC\"\n  annotations:\n    github.com/project-slug: acme/grpc-svc\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: experimental\n  owner: \"group:default/team-a\"\n",
                ),
                ("README.md", "# grpc-svc\n\nGreets over gRPC\n"),
            ],
            verbatim: &[],
            steps: &[("template", "run"), ("publish", "not-published"), ("register", "not-needed")],
        },
        Case {
            // fetch:cookiecutter: `{{ cookiecutter.x }}` and `jsonify`.
            template: "docs-template-cookiecutter",
            values: &[
                "name=cc-docs",
                "description=Cookie docs",
                "owner=team-a",
                "repoUrl=github.com?owner=acme&repo=cc-docs",
            ],
            out: "docs/cc-docs",
            files: &[".portico-answers.yaml", "catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
            contents: &[
                (
                    "catalog-info.yaml",
                    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"cc-docs\"\n  description: \"Cookie docs\"\n  annotations:\n    github.com/project-slug: acme/cc-docs\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: documentation\n  lifecycle: experimental\n  owner: \"team-a\"\n",
                ),
                (
                    "mkdocs.yml",
                    "site_name: \"cc-docs\"\nsite_description: \"Cookie docs\"\n\nnav:\n  - Introduction: index.md\n\nplugins:\n  - techdocs-core\n",
                ),
            ],
            verbatim: &[],
            steps: &[("fetch", "run"), ("publish", "not-published"), ("register", "not-needed")],
        },
        Case {
            // `targetPath` from a parameter; publish:gitlab:merge-request is left to the user.
            template: "gitlab-merge-request",
            values: &["name=mr-comp", "targetPath=sub/dir", "repoUrl=gitlab.com?owner=acme&repo=mr"],
            out: "mr",
            files: &[".portico-answers.yaml", "sub/dir/catalog-info.yaml"],
            contents: &[(
                "sub/dir/catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"mr-comp\"\nspec:\n  type: website\n  lifecycle: experimental\n  owner: user:guest\n",
            )],
            verbatim: &[],
            steps: &[("template", "run"), ("publish", "not-published")],
        },
    ];
    for case in &cases {
        let run = scaffold(&f, case.template, case.values, &["--out", case.out, "--format", "json"]);
        run.assert_code(0);
        let report = json(&run);
        assert_eq!(report["template"], format!("template:default/{}", case.template));
        assert_eq!(report["dry_run"], false);
        assert_eq!(tree(&f.path().join(case.out)), case.files, "{}", case.template);
        for (path, expected) in case.contents {
            assert_eq!(f.read(&format!("{}/{path}", case.out)), *expected, "{}: {path}", case.template);
        }
        for (path, skeleton) in case.verbatim {
            assert_eq!(
                std::fs::read(f.path().join(case.out).join(path)).unwrap(),
                std::fs::read(f.path().join(skeleton)).unwrap(),
                "{}: {path}",
                case.template
            );
        }
        let expected: Vec<(String, String)> = case.steps.iter().map(|(i, s)| ((*i).into(), (*s).into())).collect();
        assert_eq!(step_statuses(&report), expected, "{}", case.template);
        let answers = f.read(&format!("{}/.portico-answers.yaml", case.out));
        assert!(answers.contains(&format!("\ntemplate: template:default/{}\n", case.template)), "{answers}");
        assert!(answers.contains("\ncommit: null\n"), "not a git repository: {answers}");
    }
    // The output's catalog link comes from catalog:register, which reads the new descriptor.
    let run = scaffold(
        &f,
        "create-react-app-template",
        cases[0].values,
        &["--out", "apps/again", "--dry-run", "--format", "json"],
    );
    run.assert_code(0);
    assert_eq!(
        json(&run)["output"],
        json!({"links": [{"title": "Repository"}, {"title": "Open in catalog", "icon": "catalog", "entityRef": "component:default/web-app"}]})
    );
    let grpc_index = f.read("services/grpc-svc/docs/index.md");
    assert!(grpc_index.starts_with("## grpc-svc\n\nGreets over gRPC\n\n## Getting started\n"), "{grpc_index}");
    let ssr_readme = f.read("apps/ssr-app/README.md");
    assert!(ssr_readme.starts_with("# ssr-app\n\n## Description\n\n\n\n## Develop\n"), "{ssr_readme}");
}

#[test]
fn issue_15_unrunnable_fixture_templates_are_refused_at_the_blocking_step_and_write_nothing() {
    let f = examples();
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "rails-demo",
            &["name=shop", "owner=team-a", "repoUrl=github.com?owner=acme&repo=shop"],
            &[
                "error: step `fetch-base` cannot run here: the action `fetch:rails` is not supported [scaffold-unsupported]\n   --> templates/rails-demo/template.yaml:118:7\n",
            ],
        ),
        (
            "pull-request",
            &["name=pr", "repoUrl=github.com?owner=acme&repo=pr"],
            &[
                "error: step `fetch-docs` cannot run here: its skeleton is remote (https://github.com/backstage/community/tree/main/backstage-community-sessions): Portico never fetches [scaffold-unsupported]\n  --> templates/pull-request/template.yaml:51:7\n",
            ],
        ),
        (
            "demo-template",
            &[
                "name=Ann",
                "mode=dark",
                "topics=input-examples,builtin-actions",
                "repoUrl=github.com?owner=acme&repo=landing",
            ],
            &[
                "error: step `enable-pages` cannot run here: the action `github:pages:enable` is not supported [scaffold-unsupported]\n   --> demo/demo-template/template/template.yaml:136:7\n",
                "error: step `dispatch-workflow` cannot run here: the action `github:actions:dispatch` is not supported [scaffold-unsupported]\n   --> demo/demo-template/template/template.yaml:145:7\n",
                "error: step `notify` cannot run here: the action `notification:send` is not supported [scaffold-unsupported]\n   --> demo/demo-template/template/template.yaml:153:7\n",
            ],
        ),
    ];
    for (template, values, errors) in cases {
        for extra in [&["--out", "gen"][..], &["--out", "gen", "--dry-run", "--format", "json"][..]] {
            let run = scaffold(&f, template, values, extra);
            run.assert_code(1);
            assert_eq!(run.stdout, "", "{template}: no report");
            for e in errors {
                assert!(run.stderr.contains(e), "{template}: expected\n{e}\nin\n{}", run.stderr);
            }
            assert_eq!(run.stderr.matches("[scaffold-unsupported]").count(), errors.len(), "{}", run.stderr);
            assert!(
                run.stderr.contains("= help: `portico scaffold` runs fetch:template, fetch:plain"),
                "{}",
                run.stderr
            );
            assert!(!f.path().join("gen").exists(), "{template}: nothing written");
        }
    }
    insta::assert_snapshot!(scaffold(&f, "rails-demo", cases[0].1, &["--out", "gen"]).stderr, @r"
    error: step `fetch-base` cannot run here: the action `fetch:rails` is not supported [scaffold-unsupported]
       --> templates/rails-demo/template.yaml:118:7
        |
    118 |     - id: fetch-base
        |       ^^^^^^^^^^^^^^
        |
        = help: `portico scaffold` runs fetch:template, fetch:plain, fetch:plain:file, fetch:cookiecutter, catalog:write, catalog:register, debug:log, debug:wait from skeletons beside the template, and reports publish:*
    ");
}

/// The clean-architecture skeleton renders `values.destination.owner + "/"`, but the template
/// never passes `destination`: Nunjucks would write `undefined/undefined`; Portico names the
/// expression at the skeleton's line and writes nothing.
#[test]
fn issue_15_clean_architecture_template_names_the_undefined_destination_in_its_skeleton() {
    let f = examples();
    let values = [
        "name=clean-app",
        "package=co.com.acme",
        "projectType=imperative",
        "coverage=jacoco",
        "owner=team-a",
        "repoUrl=github.com?owner=acme&repo=clean-app",
    ];
    let run = scaffold(&f, "scaffold-bancolombia-java", &values, &["--out", "clean-app"]);
    run.assert_code(1);
    assert!(!f.path().join("clean-app").exists(), "nothing written");
    insta::assert_snapshot!(run.stderr, @r#"
    error: step `fetch-base` (fetch:template) in `values.destination.owner + "/"`: invalid operation: tried to use + operator on unsupported types undefined and string (`values.destination` is undefined) [scaffold-action]
     --> templates/clean-architecture-app/skeleton/catalog-info.yaml:6:1
      |
    6 |     github.com/project-slug: ${{values.destination.owner + "/" + values.destination.repo}}
      | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    "#);
    let dry =
        scaffold(&f, "scaffold-bancolombia-java", &values, &["--out", "clean-app", "--dry-run", "--format", "json"]);
    dry.assert_code(1);
    assert_eq!(dry.stdout, "", "no plan for a template that does not render");
    assert!(dry.stderr.contains("[scaffold-action]"), "{}", dry.stderr);
}

#[test]
fn issue_15_docs_template_output_joins_the_catalog_passes_check_and_builds() {
    let f = examples();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(f.path())
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "templates"]);
    let template_commit = git(&["rev-parse", "HEAD"]);
    // A later commit outside the template's directory is not the template's commit.
    std::fs::write(f.path().join("NOTES.md"), "notes\n").unwrap();
    git(&["add", "NOTES.md"]);
    git(&["commit", "-qm", "notes"]);
    assert_ne!(git(&["rev-parse", "HEAD"]), template_commit);

    let before = f.check(&[]);
    before.assert_code(0);
    let run = scaffold(
        &f,
        "docs-template",
        &["name=my-docs", "description=My docs", "owner=team-a", "repoUrl=github.com?owner=acme&repo=my-docs"],
        &["--out", "services/my-docs"],
    );
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("wrote 4 files into services/my-docs (.portico-answers.yaml records the template and values)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        tree(&f.path().join("services/my-docs")),
        [".portico-answers.yaml", "catalog-info.yaml", "docs/index.md", "mkdocs.yml"]
    );
    assert_eq!(
        f.read("services/my-docs/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"my-docs\"\n  description: \"My docs\"\n  annotations:\n    github.com/project-slug: acme/my-docs\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: documentation\n  lifecycle: experimental\n  owner: \"team-a\"\n"
    );
    assert_eq!(
        f.read("services/my-docs/.portico-answers.yaml"),
        format!(
            "# Written by `portico scaffold`: the template and values this directory was made from.\n# `portico scaffold update` reads it to bring in later versions of the template.\ntemplate: template:default/docs-template\ntemplate_file: templates/docs-template/template.yaml\ncommit: {template_commit}\nvalues:\n  name: my-docs\n  description: My docs\n  owner: team-a\n  repoUrl: github.com?owner=acme&repo=my-docs\n"
        )
    );
    assert!(f.read("services/my-docs/docs/index.md").starts_with("## my-docs\n\nMy docs\n\n## Getting started\n"));

    // The whole monorepo still checks, and nothing is reported about the new directory.
    let diags = f.diagnostics();
    assert!(!diags.iter().any(|d| d["severity"] == "error"), "{diags:#?}");
    let about_new: Vec<_> =
        diags.iter().filter(|d| d["file"].as_str().is_some_and(|p| p.starts_with("services/"))).collect();
    assert!(about_new.is_empty(), "{about_new:#?}");
    f.check(&[]).assert_code(0);

    // The new component is in the catalog with its docs.
    f.build(&[]).assert_code(0);
    let catalog: Vec<Value> = serde_json::from_str(&f.read("public/api/catalog.json")).unwrap();
    let docs: Vec<&Value> = catalog
        .iter()
        .filter(|e| {
            e["kind"] == "Component" && e["metadata"]["name"] == "my-docs" && e["metadata"]["namespace"] == "default"
        })
        .collect();
    assert_eq!(docs.len(), 1, "component:default/my-docs is in the catalog once");
    let annotations = &docs[0]["metadata"]["annotations"];
    assert_eq!(annotations["backstage.io/techdocs-ref"], "dir:.");
    assert_eq!(annotations["github.com/project-slug"], "acme/my-docs");
    assert_eq!(annotations["backstage.io/managed-by-location"], "file:services/my-docs/catalog-info.yaml");
    assert_eq!(docs[0]["spec"]["owner"], "team-a");
    assert_eq!(docs[0]["relations"], json!([{"type": "ownedBy", "targetRef": "group:default/team-a"}]));
    let page = f.read("public/docs/default/component/my-docs/index.html");
    assert!(page.contains("<h2 id=\"getting-started\">Getting started"), "the techdocs site is built");
}

/// Nunjucks' `dump` of an undefined value is `JSON.stringify(undefined)`, which renders empty;
/// react-ssr-template's `site_description: ${{values.description | dump}}` without a description.
#[test]
fn issue_15_dump_of_an_undefined_value_renders_empty_as_in_nunjucks() {
    let f = examples();
    let run = scaffold(
        &f,
        "react-ssr-template",
        &["component_id=ssr-app", "owner=team-a", "repoUrl=github.com?owner=acme&repo=ssr-app"],
        &["--out", "ssr"],
    );
    run.assert_code(0);
    assert_eq!(
        f.read("ssr/mkdocs.yml"),
        "site_name: \"ssr-app\"\nsite_description: \n\nnav:\n  - Introduction: index.md\n\nplugins:\n  - techdocs-core\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Values.
// ---------------------------------------------------------------------------------------------

/// Three pages: a pattern and an enum, a property dependency, and `if`/`then`/`else`.
const CHECKED_TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: checked
  title: Checked values
spec:
  owner: team-a
  type: service
  parameters:
    - title: Basics
      required: [name, tier]
      properties:
        name:
          title: Name
          type: string
          description: The service name
          pattern: '^[a-z][a-z0-9-]*$'
        tier:
          title: Tier
          type: string
          enum: [gold, silver]
        public:
          title: Public
          type: boolean
          default: false
        replicas:
          title: Replicas
          type: integer
          default: 1
    - title: Exposure
      properties:
        exposed:
          title: Exposed
          type: boolean
        hostname:
          title: Hostname
          type: string
      dependencies:
        exposed: [hostname]
    - title: Storage
      properties:
        storage:
          title: Storage
          type: string
          enum: [none, database]
          default: none
      if:
        properties:
          storage: { const: database }
      then:
        properties:
          engine:
            title: Engine
            type: string
            enum: [postgres, mysql]
        required: [engine]
      else:
        properties:
          cache:
            title: Cache
            type: boolean
  steps:
    - id: fetch
      name: Fetch
      action: fetch:template
      input:
        url: ./skeleton
        values:
          name: ${{ parameters.name }}
          tier: ${{ parameters.tier }}
          public: ${{ parameters.public }}
          replicas: ${{ parameters.replicas }}
          storage: ${{ parameters.storage }}
"#;

fn checked() -> Fixture {
    with_template("tpl", CHECKED_TEMPLATE).file(
        "tpl/skeleton/values.txt",
        "name: ${{ values.name }}\ntier: ${{ values.tier }}\nreplicas: ${{ values.replicas }}\nstorage: ${{ values.storage }}\n",
    )
}

#[test]
fn issue_15_invalid_values_are_refused_naming_the_parameter_and_write_nothing() {
    let f = checked();
    let unknown = "the template has no parameter `nope`; its parameters are name, tier, public, replicas, exposed, hostname, storage, engine, cache";
    let cases: [(&[&str], &[&str]); 9] = [
        (&["tier=gold"], &["missing value for `name` (Name: The service name; a string; matching ^[a-z][a-z0-9-]*$)"]),
        (&["name=svc"], &["missing value for `tier` (Tier; a string; one of \"gold\", \"silver\")"]),
        (&["name=svc", "tier=gold", "public=maybe"], &["parameter `public` expects true or false, not `maybe`"]),
        (&["name=svc", "tier=gold", "replicas=two"], &["parameter `replicas` expects a whole number, not `two`"]),
        (
            &["name=Svc_1", "tier=bronze"],
            &[
                "parameter `name`: \"Svc_1\" does not match \"^[a-z][a-z0-9-]*$\"",
                "parameter `tier`: \"bronze\" is not one of \"gold\" or \"silver\"",
            ],
        ),
        (&["name=svc", "tier=gold", "nope=1"], &[unknown]),
        // Page 2: `dependencies`.
        (&["name=svc", "tier=gold", "exposed=true"], &["missing value for `hostname` (Hostname; a string)"]),
        // Page 3: `if`/`then`/`else`.
        (
            &["name=svc", "tier=gold", "storage=database"],
            &["missing value for `engine` (Engine; a string; one of \"postgres\", \"mysql\")"],
        ),
        (
            &["name=svc", "tier=gold", "storage=database", "engine=oracle"],
            &["parameter `engine`: \"oracle\" is not one of \"postgres\" or \"mysql\""],
        ),
    ];
    for (values, messages) in cases {
        for extra in [&["--out", "gen"][..], &["--out", "gen", "--dry-run", "--format", "json"][..]] {
            let run = scaffold(&f, "checked", values, extra);
            run.assert_code(1);
            assert_eq!(run.stdout, "", "{values:?}");
            let errors: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("error: ")).collect();
            let expected: Vec<String> = messages.iter().map(|m| format!("error: {m} [scaffold-values]")).collect();
            assert_eq!(errors, expected, "{values:?}");
            assert!(run.stderr.contains(" = note: in tpl/template.yaml"), "{}", run.stderr);
            assert!(!f.path().join("gen").exists(), "{values:?}: nothing written");
        }
    }
    // The same values, valid: the `then` branch and the dependency hold.
    let run = scaffold(
        &f,
        "checked",
        &["name=svc", "tier=gold", "exposed=yes", "hostname=svc.example.com", "storage=database", "engine=mysql"],
        &["--out", "gen"],
    );
    run.assert_code(0);
    assert_eq!(f.read("gen/values.txt"), "name: svc\ntier: gold\nreplicas: 1\nstorage: database\n");
}

#[test]
fn issue_15_values_file_is_read_and_dash_v_overrides_it() {
    let f = checked()
        .file("answers.yaml", "name: from-file\ntier: silver\nreplicas: 3\npublic: true\n")
        .file("unknown.yaml", "name: from-file\ntier: silver\nbogus: 3\n")
        .file("mistyped.yaml", "name: from-file\ntier: silver\nreplicas: three\n");
    let dry = scaffold(
        &f,
        "checked",
        &["name=from-cli"],
        &["--values", "answers.yaml", "--out", "gen", "--dry-run", "--format", "json"],
    );
    dry.assert_code(0);
    assert_eq!(
        json(&dry)["values"],
        json!({"name": "from-cli", "tier": "silver", "replicas": 3, "public": true, "storage": "none"})
    );
    assert!(!f.path().join("gen").exists());
    let run = scaffold(&f, "checked", &["name=from-cli", "replicas=5"], &["--values", "answers.yaml", "--out", "gen"]);
    run.assert_code(0);
    assert_eq!(f.read("gen/values.txt"), "name: from-cli\ntier: silver\nreplicas: 5\nstorage: none\n");
    let answers = f.read("gen/.portico-answers.yaml");
    assert!(
        answers
            .ends_with("values:\n  name: from-cli\n  tier: silver\n  replicas: 5\n  public: true\n  storage: none\n"),
        "{answers}"
    );

    for (file, message) in [
        (
            "unknown.yaml",
            "the template has no parameter `bogus`; its parameters are name, tier, public, replicas, exposed, hostname, storage, engine, cache",
        ),
        ("mistyped.yaml", "parameter `replicas`: \"three\" is not of type \"integer\""),
    ] {
        let run = scaffold(&f, "checked", &[], &["--values", file, "--out", "bad"]);
        run.assert_code(1);
        assert!(run.stderr.contains(&format!("error: {message} [scaffold-values]")), "{file}: {}", run.stderr);
        assert!(!f.path().join("bad").exists());
    }
    let missing = scaffold(&f, "checked", &[], &["--values", "nope.yaml", "--out", "bad"]);
    missing.assert_code(1);
    assert!(missing.stderr.contains("error: cannot read the values file nope.yaml: "), "{}", missing.stderr);
}

/// `--interactive` asks for each parameter without a value, in page order, on stderr; an empty
/// answer keeps the default, `-v` values are not asked for.
#[test]
fn issue_15_interactive_asks_for_missing_values_from_standard_input() {
    use std::io::Write;
    let f = checked();
    let ask = |args: &[&str], answers: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(args)
            .current_dir(f.path())
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(answers.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    // name is given; tier, public (default kept), replicas are answered; the input then ends.
    let run = ask(
        &["scaffold", "checked", "-v", "name=svc", "--interactive", "--out", "gen", "--dry-run", "--format", "json"],
        "silver\n\n4\n",
    );
    run.assert_code(0);
    assert_eq!(
        json(&run)["values"],
        json!({"name": "svc", "tier": "silver", "public": false, "replicas": 4, "storage": "none"})
    );
    assert!(!run.stderr.contains("name (Name"), "a given value is not asked for:\n{}", run.stderr);
    assert!(run.stderr.contains("tier (Tier; a string; one of \"gold\", \"silver\"): "), "{}", run.stderr);
    assert!(run.stderr.contains("public (Public; a boolean) [false]: "), "{}", run.stderr);
    // An answer of the wrong type is refused like `-v`.
    let run = ask(&["scaffold", "checked", "-v", "name=svc", "--interactive", "--out", "gen"], "gold\nno\nmany\n");
    run.assert_code(1);
    assert!(run.stderr.contains("error: `replicas` expects a whole number [scaffold-values]"), "{}", run.stderr);
    assert!(!f.path().join("gen").exists());
}

// ---------------------------------------------------------------------------------------------
// Templating, the plan and what a run writes.
// ---------------------------------------------------------------------------------------------

const SEMANTICS_TEMPLATE: &str = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: semantics
  title: Templating semantics
spec:
  owner: team-a
  type: service
  parameters:
    - title: Service
      required: [name]
      properties:
        name:
          type: string
        modules:
          type: array
          items: { type: string }
          default: [api, worker]
        extras:
          type: boolean
          default: false
        docs:
          type: boolean
          default: false
        replace:
          type: boolean
          default: false
        broken:
          type: boolean
          default: false
        target:
          type: string
          default: app
  steps:
    - id: fetch
      name: Fetch skeleton
      action: fetch:template
      input:
        url: ./skeleton
        targetPath: ${{ parameters.target }}
        copyWithoutTemplating: ['raw/**']
        replace: ${{ parameters.replace }}
        values:
          name: ${{ parameters.name }}
          docs: ${{ parameters.docs }}
          modules: ${{ parameters.modules }}
    - id: extras
      name: Extras
      if: ${{ parameters.extras }}
      action: fetch:plain
      input:
        url: ./extras
        targetPath: ${{ parameters.target }}/extras
    - id: modules
      name: One directory per module
      each: ${{ parameters.modules }}
      action: fetch:template
      input:
        url: ./module
        targetPath: ${{ parameters.target }}/modules/${{ each.value }}
        values:
          module: ${{ each.value }}
    - id: njk
      name: Only .njk files
      action: fetch:template
      input:
        url: ./njk
        targetPath: ${{ parameters.target }}/njk
        templateFileExtension: true
        values:
          name: ${{ parameters.name }}
    - id: broken
      name: Broken skeleton
      if: ${{ parameters.broken }}
      action: fetch:template
      input:
        url: ./broken
        targetPath: ${{ parameters.target }}/broken
        values:
          name: ${{ parameters.name }}
    - id: write
      name: Write catalog info
      action: catalog:write
      input:
        filePath: ${{ parameters.target }}/catalog-info.yaml
        entity:
          apiVersion: backstage.io/v1alpha1
          kind: Component
          metadata:
            name: ${{ parameters.name }}
            description: ${{ parameters.description }}
          spec:
            type: service
            lifecycle: experimental
            owner: group:default/team-a
    - id: register
      name: Register
      action: catalog:register
      input:
        catalogInfoPath: /${{ parameters.target }}/catalog-info.yaml
    - id: log
      name: Log
      action: debug:log
      input:
        message: registered ${{ steps.register.output.entityRef }} (${{ steps.extras.output.anything }})
    - id: publish
      name: Publish
      action: publish:github
      input:
        repoUrl: github.com?owner=acme&repo=${{ parameters.name }}
  output:
    links:
      - title: Open in catalog
        entityRef: ${{ steps.register.output.entityRef }}
      - title: Repository
        url: ${{ steps.publish.output.remoteUrl }}
"#;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0${{ values.name }}\0\xff";

/// The semantics template with its skeletons: a rendered README and file name, a directory and a
/// root file whose names render empty unless `docs`, a literal `raw/` directory, an executable
/// script, a binary file, a dotfile; one skeleton per module; `.njk` files; a broken skeleton.
fn semantics() -> Fixture {
    let f = with_template("t", SEMANTICS_TEMPLATE)
        .file(
            "t/skeleton/README.md",
            "# ${{ values.name.replace('-', '_') | upper }}\n\nShout: ${{ values.name.toUpperCase() }}\n{% if values.docs === true %}with docs{% elseif values.name === 'my-order-svc' %}my-order-svc without docs{% else %}other{% endif %}\nModules: ${{ values.modules | join(', ') }}\nLiteral braces: {{ not.a.value }}\n",
        )
        .file("t/skeleton/${{ values.name }}.txt", "name: ${{ values.name }}\n")
        .file("t/skeleton/{% if values.docs %}docs{% endif %}/index.md", "# Docs of ${{ values.name }}\n")
        .file("t/skeleton/{% if values.docs %}DOCS.md{% endif %}", "Root docs\n")
        .file("t/skeleton/raw/ci.yml", "on: push\nrun: echo ${{ github.sha }}\n")
        .file("t/skeleton/run.sh", "#!/bin/sh\necho ${{ values.name }}\n")
        .file("t/skeleton/.gitignore", "/target\n")
        .file("t/module/module.txt", "module ${{ values.module }}\n")
        .file("t/njk/rendered.md.njk", "njk ${{ values.name }}\n")
        .file("t/njk/plain.md", "kept ${{ values.name }}\n")
        .file("t/extras/extra.txt", "extra ${{ values.name }}\n")
        .file("t/broken/bad.txt", "line one\nline two\nvalue: ${{ values.name | nosuchfilter }}\n");
    std::fs::write(f.path().join("t/skeleton/logo.png"), PNG).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(f.path().join("t/skeleton/run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    f
}

const SEMANTICS_FILES: [&str; 12] = [
    "app/.gitignore",
    "app/README.md",
    "app/catalog-info.yaml",
    "app/logo.png",
    "app/modules/api/module.txt",
    "app/modules/worker/module.txt",
    "app/my-order-svc.txt",
    "app/njk/plain.md",
    "app/njk/rendered.md",
    "app/raw/ci.yml",
    "app/run.sh",
    ".portico-answers.yaml",
];

#[test]
fn issue_15_templating_follows_backstage_semantics() {
    let f = semantics();
    let run = scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out", "--format", "json"]);
    run.assert_code(0);
    let mut expected: Vec<&str> = SEMANTICS_FILES.to_vec();
    expected.sort();
    assert_eq!(tree(&f.path().join("out")), expected);
    // JS string methods (`replace` the first occurrence), filters, `===`, `{% elseif %}`, a list
    // value, `{{ }}` left alone.
    assert_eq!(
        f.read("out/app/README.md"),
        "# MY_ORDER-SVC\n\nShout: MY-ORDER-SVC\nmy-order-svc without docs\nModules: api, worker\nLiteral braces: {{ not.a.value }}\n"
    );
    // A rendered file name.
    assert_eq!(f.read("out/app/my-order-svc.txt"), "name: my-order-svc\n");
    // copyWithoutTemplating: the contents are copied as they are.
    assert_eq!(f.read("out/app/raw/ci.yml"), "on: push\nrun: echo ${{ github.sha }}\n");
    // templateFileExtension: only `.njk` files are rendered, and lose the extension.
    assert_eq!(f.read("out/app/njk/rendered.md"), "njk my-order-svc\n");
    assert_eq!(f.read("out/app/njk/plain.md"), "kept ${{ values.name }}\n");
    // `each`: one directory per item.
    assert_eq!(f.read("out/app/modules/api/module.txt"), "module api\n");
    assert_eq!(f.read("out/app/modules/worker/module.txt"), "module worker\n");
    // A binary file is copied byte for byte; an executable stays executable.
    assert_eq!(std::fs::read(f.path().join("out/app/logo.png")).unwrap(), PNG);
    assert_eq!(f.read("out/app/run.sh"), "#!/bin/sh\necho my-order-svc\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.path().join("out/app/run.sh")).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
        let mode = std::fs::metadata(f.path().join("out/app/README.md")).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0, "not executable: {mode:o}");
    }
    // catalog:write: the entity with the template's annotation; an empty value drops its key.
    assert_eq!(
        f.read("out/app/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: my-order-svc\n  annotations:\n    backstage.io/source-template: template:default/semantics\nspec:\n  type: service\n  lifecycle: experimental\n  owner: group:default/team-a\n"
    );
    let report = json(&run);
    // `if` false skips; catalog:register's `entityRef` reaches a later step and the output; a
    // skipped step's output is undefined, and renders empty.
    assert_eq!(
        step_statuses(&report),
        [
            ("fetch", "run"),
            ("extras", "skipped"),
            ("modules", "run"),
            ("njk", "run"),
            ("broken", "skipped"),
            ("write", "run"),
            ("register", "not-needed"),
            ("log", "run"),
            ("publish", "not-published"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(report["steps"][1]["note"], "its `if` is false");
    assert_eq!(report["log"], json!(["registered component:default/my-order-svc ()"]));
    assert_eq!(
        report["output"],
        json!({"links": [{"title": "Open in catalog", "entityRef": "component:default/my-order-svc"}, {"title": "Repository"}]})
    );
    // Paths that render empty are skipped, and said so.
    assert_eq!(
        report["skipped"],
        json!([
            {"path": "app/{% if values.docs %}DOCS.md{% endif %}", "reason": "its path renders empty"},
            {"path": "app/{% if values.docs %}docs{% endif %}/index.md", "reason": "its path renders empty"},
        ])
    );

    // The other branches: `docs` renders both paths, `extras` runs, `-v modules=a,b` is a list.
    let run = scaffold(
        &f,
        "semantics",
        &["name=billing", "docs=true", "extras=true", "modules=ledger,invoices,tax", "target=svc"],
        &["--out", "other", "--format", "json"],
    );
    run.assert_code(0);
    let report = json(&run);
    assert_eq!(report["skipped"], json!([]));
    assert_eq!(report["steps"][1]["status"], "run");
    let files = tree(&f.path().join("other"));
    for path in [
        "svc/DOCS.md",
        "svc/docs/index.md",
        "svc/extras/extra.txt",
        "svc/modules/ledger/module.txt",
        "svc/modules/invoices/module.txt",
        "svc/modules/tax/module.txt",
    ] {
        assert!(files.contains(&path.to_owned()), "{path} in {files:?}");
    }
    assert!(!files.iter().any(|p| p.contains("/modules/api/")), "{files:?}");
    assert_eq!(f.read("other/svc/docs/index.md"), "# Docs of billing\n");
    // fetch:plain copies without rendering.
    assert_eq!(f.read("other/svc/extras/extra.txt"), "extra ${{ values.name }}\n");
    assert!(f.read("other/svc/README.md").contains("\nwith docs\nModules: ledger, invoices, tax\n"));
}

#[test]
fn issue_15_dry_run_plans_exactly_what_a_real_run_writes() {
    let f = semantics();
    let dry = scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out", "--dry-run", "--format", "json"]);
    dry.assert_code(0);
    assert!(!f.path().join("out").exists(), "a dry run writes nothing");
    let plan = json(&dry);
    assert_eq!(plan["template"], "template:default/semantics");
    assert_eq!(plan["out"], "out");
    assert_eq!(plan["dry_run"], true);
    assert_eq!(
        plan["values"],
        json!({"name": "my-order-svc", "modules": ["api", "worker"], "extras": false, "docs": false, "replace": false, "broken": false, "target": "app"})
    );
    let mut want: Vec<(String, String)> = SEMANTICS_FILES
        .iter()
        .filter(|p| !p.starts_with(".portico"))
        .map(|p| ((*p).to_owned(), "create".to_owned()))
        .collect();
    want.sort();
    let mut got = planned(&plan);
    got.sort();
    assert_eq!(got, want);
    let from: Vec<(&str, &str)> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["from"].as_str().unwrap()))
        .collect();
    assert!(from.contains(&("app/njk/rendered.md", "t/njk/rendered.md.njk")), "{from:?}");
    assert!(from.contains(&("app/my-order-svc.txt", "t/skeleton/${{ values.name }}.txt")), "{from:?}");
    assert!(from.contains(&("app/catalog-info.yaml", "step write")), "{from:?}");
    assert_eq!(plan["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(plan["steps"][6]["status"], "not-needed");
    assert_eq!(plan["steps"][6]["note"], "in a monorepo the next build discovers the new catalog-info.yaml");
    assert_eq!(plan["steps"][8]["status"], "not-published");
    assert_eq!(plan["log"], json!(["registered component:default/my-order-svc ()"]));

    // The human dry run prints the plan on stderr and nothing on stdout.
    let human = scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out", "--dry-run"]);
    human.assert_code(0);
    assert_eq!(human.stdout, "");
    assert!(human.stderr.contains("  create  out/app/logo.png (31 bytes)\n"), "{}", human.stderr);
    assert!(human.stderr.contains("  skip    app/{% if values.docs %}DOCS.md{% endif %}: its path renders empty\n"));
    assert!(human.stderr.contains("[debug:log] registered component:default/my-order-svc ()\n"));
    assert!(human.stderr.ends_with("dry run: nothing was written\n"), "{}", human.stderr);
    assert!(!f.path().join("out").exists(), "a dry run writes nothing");

    // The real run writes exactly the planned files, with the planned sizes, and reports the same.
    let real = scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out", "--format", "json"]);
    real.assert_code(0);
    let report = json(&real);
    let mut without_flag = report.clone();
    without_flag["dry_run"] = json!(true);
    assert_eq!(without_flag, plan, "the real run's report is the plan");
    let mut written = tree(&f.path().join("out"));
    written.retain(|p| p != ".portico-answers.yaml");
    let mut planned_paths: Vec<String> = got.iter().map(|(p, _)| p.clone()).collect();
    planned_paths.sort();
    assert_eq!(written, planned_paths);
    for file in plan["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        let size = std::fs::metadata(f.path().join("out").join(path)).unwrap().len();
        assert_eq!(Some(size), file["size"].as_u64(), "{path}");
    }
    assert_eq!(
        plan["files"].as_array().unwrap().iter().find(|f| f["path"] == "app/logo.png").unwrap()["size"],
        PNG.len()
    );

    // Planned again over the written tree: every file exists and is kept (no `replace: true`),
    // except what catalog:write writes.
    let again =
        json(&scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out", "--dry-run", "--format", "json"]));
    for (path, action) in planned(&again) {
        let expected = if path == "app/catalog-info.yaml" { "replace" } else { "keep" };
        assert_eq!(action, expected, "{path}");
    }
}

#[test]
fn issue_15_existing_files_are_kept_unless_the_step_says_replace() {
    let f = semantics().file("out/app/README.md", "mine\n").file("out/app/my-order-svc.txt", "also mine\n");
    let plan =
        json(&scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out", "--dry-run", "--format", "json"]));
    let actions: Vec<(String, String)> = planned(&plan)
        .into_iter()
        .filter(|(p, _)| p == "app/README.md" || p == "app/my-order-svc.txt" || p == "app/run.sh")
        .collect();
    assert_eq!(
        actions,
        [("app/README.md", "keep"), ("app/my-order-svc.txt", "keep"), ("app/run.sh", "create")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    scaffold(&f, "semantics", &["name=my-order-svc"], &["--out", "out"]).assert_code(0);
    assert_eq!(f.read("out/app/README.md"), "mine\n", "kept without `replace: true`");
    assert_eq!(f.read("out/app/my-order-svc.txt"), "also mine\n");
    assert_eq!(f.read("out/app/run.sh"), "#!/bin/sh\necho my-order-svc\n", "new files are written");

    let plan = json(&scaffold(
        &f,
        "semantics",
        &["name=my-order-svc", "replace=true"],
        &["--out", "out", "--dry-run", "--format", "json"],
    ));
    let readme = plan["files"].as_array().unwrap().iter().find(|f| f["path"] == "app/README.md").unwrap();
    assert_eq!(readme["action"], "replace");
    assert_eq!(f.read("out/app/README.md"), "mine\n", "a dry run replaces nothing");
    scaffold(&f, "semantics", &["name=my-order-svc", "replace=true"], &["--out", "out"]).assert_code(0);
    assert!(f.read("out/app/README.md").starts_with("# MY_ORDER-SVC\n"), "replaced with `replace: true`");
    assert_eq!(f.read("out/app/my-order-svc.txt"), "name: my-order-svc\n");
    // No temporary or backup file is left behind.
    assert!(!tree(&f.path().join("out")).iter().any(|p| p.contains(".portico-tmp") || p.contains(".portico-bak")));
}

#[test]
fn issue_15_a_skeleton_render_error_names_file_line_and_expression_and_writes_nothing() {
    let f = semantics().file("out/existing.txt", "untouched\n");
    let run = scaffold(&f, "semantics", &["name=my-order-svc", "broken=true"], &["--out", "out"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.stderr, @r"
    error: step `broken` (fetch:template) in `nosuchfilter`: unknown filter: filter nosuchfilter is unknown [scaffold-action]
     --> t/broken/bad.txt:3:1
      |
    3 | value: ${{ values.name | nosuchfilter }}
      | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
    // Every earlier step rendered, and still nothing is written.
    assert_eq!(tree(&f.path().join("out")), ["existing.txt"]);
    assert_eq!(f.read("out/existing.txt"), "untouched\n");
    let dry = scaffold(
        &f,
        "semantics",
        &["name=my-order-svc", "broken=true"],
        &["--out", "out", "--dry-run", "--format", "json"],
    );
    dry.assert_code(1);
    assert_eq!(dry.stdout, "");
}

#[test]
fn issue_15_a_step_input_render_error_points_at_the_template_string() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: bad-input\nspec:\n  owner: team-a\n  type: service\n  parameters:\n    - properties:\n        name: { type: string, default: x }\n  steps:\n    - id: write\n      action: catalog:write\n      input:\n        entity:\n          apiVersion: backstage.io/v1alpha1\n          kind: Component\n          metadata:\n            name: ${{ parameters.name }}\n    - id: log\n      action: debug:log\n      input:\n        message: hello ${{ parameters.name | nosuchfilter }}\n",
    );
    let run = scaffold(&f, "bad-input", &[], &["--out", "out"]);
    run.assert_code(1);
    insta::assert_snapshot!(run.stderr, @r"
    error: step `log` (debug:log) does not render in `nosuchfilter`: unknown filter: filter nosuchfilter is unknown [scaffold-render]
      --> t/template.yaml:23:18
       |
    23 |         message: hello ${{ parameters.name | nosuchfilter }}
       |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
    assert!(!f.path().join("out").exists(), "the catalog:write before it is not written either");
}

#[test]
fn issue_15_paths_leaving_the_output_directory_are_refused_and_write_nothing() {
    let f = semantics().file("out/existing.txt", "untouched\n");
    for (target, message) in [
        ("../escape", "the path `../escape` leaves the output directory"),
        ("a/../../escape", "the path `a/../../escape` leaves the output directory"),
        ("/abs", "the path `/abs` is absolute"),
    ] {
        let run = scaffold(&f, "semantics", &["name=my-order-svc", &format!("target={target}")], &["--out", "out"]);
        run.assert_code(1);
        assert!(
            run.stderr.contains(&format!(
                "error: step `fetch` (fetch:template): {message} [scaffold-action]\n  --> t/template.yaml:35:7\n"
            )),
            "{target}: {}",
            run.stderr
        );
        assert_eq!(tree(&f.path().join("out")), ["existing.txt"], "{target}");
        assert!(!f.path().join("escape").exists(), "{target}");
    }
    // A skeleton beside the template's directory (`../common`, as Backstage allows) is read;
    // one above the repository is refused.
    let template = |url: &str| {
        format!(
            "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: outside\nspec:\n  owner: team-a\n  type: service\n  parameters:\n    - properties:\n        unused: {{ type: string }}\n  steps:\n    - id: steal\n      action: fetch:plain\n      input:\n        url: {url}\n"
        )
    };
    let f = with_template("t", &template("../common")).file("common/shared.txt", "shared\n");
    let run = scaffold(&f, "outside", &[], &["--out", "out"]);
    run.assert_code(0);
    assert_eq!(tree(&f.path().join("out")), [".portico-answers.yaml", "shared.txt"]);
    let f = with_template("t", &template("../../secrets"));
    let run = scaffold(&f, "outside", &[], &["--out", "out"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("error: step `steal` (fetch:plain): the skeleton `../../secrets` is outside the repository [scaffold-action]\n  --> t/template.yaml:12:7\n"),
        "{}",
        run.stderr
    );
    assert!(!f.path().join("out").exists());
}

#[test]
fn issue_15_root_and_out_are_relative_to_the_working_directory() {
    let f = Fixture::empty();
    copy_dir(checked().path(), &f.path().join("repo"));
    let run = scaffold(&f, "checked", &["name=svc", "tier=gold"], &["--root", "repo", "--out", "generated/svc"]);
    run.assert_code(0);
    assert_eq!(tree(&f.path().join("generated/svc")), [".portico-answers.yaml", "values.txt"]);
    assert!(!f.path().join("repo/generated").exists());
    assert!(f.read("generated/svc/.portico-answers.yaml").contains("\ntemplate_file: tpl/template.yaml\n"));
    // Diagnostics name files as seen from the working directory.
    let run = scaffold(&f, "checked", &["tier=gold"], &["--root", "repo", "--out", "generated/bad"]);
    run.assert_code(1);
    assert!(run.stderr.contains(" = note: in repo/tpl/template.yaml"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Bugs found while writing these tests (ignored until fixed).
// ---------------------------------------------------------------------------------------------

/// Backstage's documented way of conditional fields is `dependencies` with `oneOf`; when a
/// branch's required field is missing, the message must name it, as for the other schemas.
#[test]

fn issue_15_a_one_of_dependency_names_the_missing_parameter() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: one-of\nspec:\n  owner: team-a\n  type: service\n  parameters:\n    - title: Exposure\n      properties:\n        exposed:\n          title: Exposed\n          type: boolean\n      dependencies:\n        exposed:\n          oneOf:\n            - properties:\n                exposed: { const: false }\n            - properties:\n                exposed: { const: true }\n                hostname:\n                  title: Hostname\n                  type: string\n              required: [hostname]\n  steps:\n    - id: log\n      action: debug:log\n      input:\n        message: ${{ parameters.hostname }}\n",
    );
    let run = scaffold(&f, "one-of", &["exposed=true"], &["--out", "out"]);
    run.assert_code(1);
    assert!(run.stderr.contains("`hostname`"), "the message names `hostname`:\n{}", run.stderr);
    assert!(!run.stderr.contains("{\"exposed\":true}"), "not the values object:\n{}", run.stderr);
}

/// Backstage's fetch:template renders neither the contents nor the path of what the deprecated
/// `copyWithoutRender` matches (only `copyWithoutTemplating` renders the path).
#[test]

fn issue_15_copy_without_render_keeps_matched_paths_unrendered() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: cwr\nspec:\n  owner: team-a\n  type: service\n  parameters:\n    - properties:\n        unused: { type: string }\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./skeleton\n        copyWithoutRender: ['raw/*']\n        values:\n          name: x\n",
    )
    .file("t/skeleton/raw/${{ values.name }}.txt", "raw ${{ values.name }}\n");
    scaffold(&f, "cwr", &[], &["--out", "out"]).assert_code(0);
    assert_eq!(tree(&f.path().join("out")), [".portico-answers.yaml", "raw/${{ values.name }}.txt"]);
}

/// The module says symbolic links in a skeleton are followed when they stay inside the
/// repository (Backstage copies them); a link to a file beside it is silently left out instead,
/// neither written nor reported as skipped.
#[cfg(unix)]
#[test]

fn issue_15_a_symlink_inside_the_skeleton_is_not_silently_dropped() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: links\nspec:\n  owner: team-a\n  type: service\n  parameters:\n    - properties:\n        unused: { type: string }\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./skeleton\n",
    )
    .file("t/skeleton/real.txt", "plain\n");
    std::os::unix::fs::symlink("real.txt", f.path().join("t/skeleton/link.txt")).unwrap();
    let plan = json(&scaffold(&f, "links", &[], &["--out", "out", "--dry-run", "--format", "json"]));
    let paths: Vec<String> = planned(&plan).into_iter().map(|(p, _)| p).collect();
    let skipped: Vec<&str> = plan["skipped"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"link.txt".to_owned()) || skipped.contains(&"link.txt"), "{plan:#}");
    scaffold(&f, "links", &[], &["--out", "out"]).assert_code(0);
    assert_eq!(f.read("out/link.txt"), "plain\n");
}

/// Nunjucks renders JavaScript values: `false`, `true`, an empty string for `null`, `a,b` for a
/// list and `2` for the number 2.0. A skeleton's `enabled: ${{ values.flag }}` or
/// `const debug = ${{ values.debug }};` must not become `False` / `True` (Python's spelling).
#[test]
fn issue_15_booleans_null_and_lists_render_as_nunjucks_does() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: scalars\nspec:\n  owner: team-a\n  type: service\n  parameters:\n    - properties:\n        flag: { type: boolean, default: false }\n        list: { type: array, default: [a, b] }\n        n: { type: number, default: 2.0 }\n        nothing: { type: 'null', default: null }\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./skeleton\n        values:\n          flag: ${{ parameters.flag }}\n          list: ${{ parameters.list }}\n          n: ${{ parameters.n }}\n          nothing: ${{ parameters.nothing }}\n",
    )
    .file(
        "t/skeleton/out.txt",
        "flag=${{ values.flag }}\nnot=${{ not values.flag }}\nlist=${{ values.list }}\nn=${{ values.n }}\nnothing=${{ values.nothing }}\n",
    );
    scaffold(&f, "scalars", &[], &["--out", "out"]).assert_code(0);
    assert_eq!(f.read("out/out.txt"), "flag=false\nnot=true\nlist=a,b\nn=2\nnothing=\n");
}

/// `spec.parameters` is optional in Backstage; a template without it runs with no values.
#[test]
fn issue_15_a_template_without_parameters_runs() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: bare\nspec:\n  owner: team-a\n  type: service\n  steps:\n    - id: fetch\n      action: fetch:plain\n      input:\n        url: ./skeleton\n",
    )
    .file("t/skeleton/hello.txt", "hello\n");
    let run = scaffold(&f, "bare", &[], &["--out", "out"]);
    run.assert_code(0);
    assert_eq!(f.read("out/hello.txt"), "hello\n");
}

/// `scaffold update`: the template's later changes come in, the team's edits stay, a change of
/// the same line by both is a conflict with git's markers (exit 1), a file the template added
/// is created, and the answers move to the template's new commit.
#[test]
fn issue_15_update_merges_the_templates_changes_with_the_teams_edits() {
    let f = examples();
    f.git(&["init", "-q"]);
    f.git(&["add", "-A"]);
    f.git(&["commit", "-q", "-m", "templates"]);
    let values = ["name=alpha", "description=Alpha docs", "repoUrl=github.com?owner=acme&repo=alpha"];
    scaffold(&f, "docs-template", &values, &["--out", "docs/alpha"]).assert_code(0);
    let answers = f.read("docs/alpha/.portico-answers.yaml");
    // The team edits a page; the template changes the lifecycle and adds a file.
    let index = f.path().join("docs/alpha/docs/index.md");
    std::fs::write(&index, format!("{}\nOur own notes.\n", f.read("docs/alpha/docs/index.md"))).unwrap();
    let skeleton = f.path().join("templates/docs-template/skeleton");
    let info = std::fs::read_to_string(skeleton.join("catalog-info.yaml")).unwrap();
    std::fs::write(
        skeleton.join("catalog-info.yaml"),
        info.replace("lifecycle: experimental", "lifecycle: production"),
    )
    .unwrap();
    std::fs::write(skeleton.join("CONTRIBUTING.md"), "# Contributing to ${{ values.name }}\n").unwrap();
    f.git(&["add", "-A", "templates"]);
    f.git(&["commit", "-q", "-m", "template v2"]);
    let dry = f.run(&["scaffold", "update", "docs/alpha", "--dry-run", "--format", "json"]);
    dry.assert_code(0);
    let plan = json(&dry);
    let outcome = |v: &Value, p: &str| {
        v["files"].as_array().unwrap().iter().find(|c| c["path"] == p).map(|c| c["outcome"].clone())
    };
    assert_eq!(outcome(&plan, "catalog-info.yaml"), Some(json!("updated")), "{plan}");
    assert_eq!(outcome(&plan, "CONTRIBUTING.md"), Some(json!("created")), "{plan}");
    assert_eq!(outcome(&plan, "docs/index.md"), Some(json!("unchanged")), "{plan}");
    assert!(!f.path().join("docs/alpha/CONTRIBUTING.md").exists(), "a dry run writes nothing");
    f.run(&["scaffold", "update", "docs/alpha"]).assert_code(0);
    assert!(f.read("docs/alpha/catalog-info.yaml").contains("lifecycle: production"));
    assert!(f.read("docs/alpha/docs/index.md").ends_with("Our own notes.\n"), "the team's edit stays");
    assert_eq!(f.read("docs/alpha/CONTRIBUTING.md"), "# Contributing to alpha\n");
    assert_ne!(f.read("docs/alpha/.portico-answers.yaml"), answers, "the answers name the new commit");
    // Both change the same line: a conflict, marked and listed.
    let catalog = f.path().join("docs/alpha/catalog-info.yaml");
    std::fs::write(
        &catalog,
        f.read("docs/alpha/catalog-info.yaml").replace("lifecycle: production", "lifecycle: deprecated"),
    )
    .unwrap();
    let info = std::fs::read_to_string(skeleton.join("catalog-info.yaml")).unwrap();
    std::fs::write(skeleton.join("catalog-info.yaml"), info.replace("lifecycle: production", "lifecycle: retired"))
        .unwrap();
    f.git(&["add", "-A", "templates"]);
    f.git(&["commit", "-q", "-m", "template v3"]);
    let run = f.run(&["scaffold", "update", "docs/alpha"]);
    run.assert_code(1);
    assert!(run.stderr.contains("conflict") && run.stderr.contains("docs/alpha/catalog-info.yaml"), "{}", run.stderr);
    let merged = f.read("docs/alpha/catalog-info.yaml");
    assert!(
        merged.contains(
            "<<<<<<< yours\n  lifecycle: deprecated\n=======\n  lifecycle: retired\n>>>>>>> current template\n"
        ),
        "{merged}"
    );
}

/// `portico check` lints templates: a broken expression of a step and of a skeleton file, and a
/// step `portico scaffold` cannot run, are warnings at their lines.
#[test]
fn issue_15_check_lints_every_template() {
    let f = with_template(
        "t",
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: lint-me\nspec:\n  owner: team-a\n  type: service\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./skeleton\n        values:\n          name: ${{ parameters.name | }}\n    - id: rails\n      action: fetch:rails\n",
    )
    .file("t/skeleton/README.md", "# ${{ values.name }}\n\n{% if values.x %}never closed\n");
    let diags = f.diagnostics();
    let found: Vec<String> = diags
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["file"].as_str().unwrap_or(""),
                d["line"],
                d["severity"].as_str().unwrap_or(""),
                d["code"].as_str().unwrap_or("")
            )
        })
        .collect();
    for expected in [
        "t/template.yaml:14 warning template-expression",
        "t/template.yaml:15 warning scaffold-unsupported",
        "t/skeleton/README.md:3 warning template-expression",
    ] {
        assert!(found.iter().any(|l| l == expected), "{expected} in {found:#?}");
    }
    f.check(&[]).assert_code(0);
}

/// `--publish`: `branch` commits `--out` on a new branch; `pr` also pushes it and opens a pull
/// request with `gh`; `repo` makes `--out` a repository and creates it with `gh repo create`
/// from the publish step's `repoUrl`. `gh` is a stand-in here that records its arguments.
#[test]
fn issue_15_publish_hands_the_result_to_git_and_gh() {
    let f = examples();
    f.git(&["init", "-q"]);
    f.git(&["add", "-A"]);
    f.git(&["commit", "-q", "-m", "templates"]);
    let origin = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("git").args(["init", "-q", "--bare"]).arg(origin.path()).status().unwrap();
    assert!(status.success());
    f.git(&["remote", "add", "origin", &origin.path().display().to_string()]);
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("gh.log");
    let gh = bin.path().join("gh");
    std::fs::write(
        &gh,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\n[ \"$1\" = pr ] && echo https://github.com/acme/monorepo/pull/7\nexit 0\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let run = |name: &str, how: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["scaffold", "docs-template", "-v", &format!("name={name}"), "-v", "description=D"])
            .args([
                "-v",
                &format!("repoUrl=github.com?owner=acme&repo={name}"),
                "--out",
                &format!("docs/{name}"),
                "--publish",
                how,
            ])
            .current_dir(f.path())
            .env("PATH", &path)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let git_out = |args: &[&str]| {
        let o = std::process::Command::new("git").args(args).current_dir(f.path()).output().unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    };
    let (code, err) = run("alpha", "branch");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("published: committed docs/alpha on the new branch scaffold/alpha"), "{err}");
    assert_eq!(git_out(&["branch", "--show-current"]), "scaffold/alpha");
    assert_eq!(
        git_out(&["show", "--name-only", "--format=%s", "HEAD"]).lines().next(),
        Some("Add alpha from template:default/docs-template")
    );
    assert!(git_out(&["show", "--name-only", "--format=", "HEAD"]).lines().all(|l| l.starts_with("docs/alpha/")));
    let (code, err) = run("beta", "pr");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("published: opened https://github.com/acme/monorepo/pull/7 from the branch scaffold/beta"),
        "{err}"
    );
    let pushed = std::process::Command::new("git")
        .arg("-C")
        .arg(origin.path())
        .args(["branch", "--list", "scaffold/beta"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&pushed.stdout).contains("scaffold/beta"), "the branch was pushed to origin");
    let (code, err) = run("gamma", "repo");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("published: created acme/gamma"), "{err}");
    assert!(f.path().join("docs/gamma/.git").is_dir(), "a repository of its own");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        ["pr create --fill --head scaffold/beta", "repo create acme/gamma --private --source . --push"]
    );
}
