//! Never lose a user's files, never publish a file from outside the repository (issue 17): the
//! `--out` rules, paths read from the theme, the output swap, `spec: null`, and `check` as strict
//! as `build`. (The preview server's cases are in `serve.rs`.)

use std::fs;

use crate::support::{Fixture, component, group};

fn repo() -> Fixture {
    Fixture::empty()
        .file("org.yaml", &group("team-a"))
        .file("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./org.yaml]\n")
        .file("services/a/catalog-info.yaml", &component("a", "team-a"))
}

#[test]
fn issue_17_out_over_the_sources_is_refused_and_nothing_is_touched() {
    let f = repo().file("services/a/mkdocs.yml", "site_name: a\n").file("docs/index.md", "# Handbook\n");
    let descriptor = f.read("services/a/catalog-info.yaml");
    for out in ["services", "docs", "services/a"] {
        let run = f.build(&["--out", out]);
        run.assert_code(2);
        assert!(run.stderr.contains("inside the portal root and not ignored"), "{out}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("/{out}/")), "the message says what to ignore: {}", run.stderr);
    }
    assert_eq!(f.read("services/a/catalog-info.yaml"), descriptor);
    assert_eq!(f.read("docs/index.md"), "# Handbook\n");
    assert_eq!(f.read("services/a/mkdocs.yml"), "site_name: a\n");

    // Ignored, but not Portico's: still refused, and still untouched.
    let f = f.file(".gitignore", "/docs/\n");
    let run = f.build(&["--out", "docs"]);
    run.assert_code(2);
    assert!(run.stderr.contains("was not written by Portico"), "{}", run.stderr);
    assert_eq!(f.read("docs/index.md"), "# Handbook\n");
}

#[test]
fn issue_17_out_that_names_a_file_or_a_foreign_directory_is_refused() {
    let f = repo().file(".gitignore", "/notes.txt\n/public/\n");
    let f = f.file("notes.txt", "mine");
    let run = f.build(&["--out", "notes.txt"]);
    run.assert_code(2);
    assert!(run.stderr.contains("it is a file, not a directory"), "{}", run.stderr);
    assert_eq!(f.read("notes.txt"), "mine");

    // Outside the root: an existing non-empty directory without the marker.
    let elsewhere = tempfile::tempdir().unwrap();
    let theirs = elsewhere.path().join("site");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("CNAME"), "docs.acme.com").unwrap();
    let run = f.build(&["--out", theirs.to_str().unwrap()]);
    run.assert_code(2);
    assert!(run.stderr.contains("has no .portico-output file"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(theirs.join("CNAME")).unwrap(), "docs.acme.com");
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 1, "nothing written beside it");

    // An empty directory, or one Portico wrote, is fine, again and again.
    let fresh = elsewhere.path().join("fresh");
    fs::create_dir(&fresh).unwrap();
    f.build(&["--out", fresh.to_str().unwrap()]).assert_code(0);
    assert!(fresh.join(".portico-output").is_file());
    f.build(&["--out", fresh.to_str().unwrap()]).assert_code(0);
    assert!(fresh.join("index.html").is_file());
}

#[test]
fn issue_17_ignored_directories_inside_the_root_are_accepted() {
    let f = repo().file(".gitignore", "/site/\n").file("portico.yaml", "ignore: [build-output]\n");
    for out in ["site", "build-output", "public", ".portal"] {
        f.build(&["--out", out]).assert_code(0);
        f.build(&["--out", out]).assert_code(0);
        assert!(f.path().join(out).join("catalog/default/component/a/index.html").is_file(), "{out}");
    }
    let run = f.build(&["--out", "site-2"]);
    run.assert_code(2);
    assert!(run.stderr.contains("Add `/site-2/` to .gitignore"), "{}", run.stderr);
}

#[test]
fn issue_17_a_theme_outside_the_root_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    fs::create_dir_all(outside.path().join("assets")).unwrap();
    fs::write(outside.path().join("assets/passwd"), "root:x:0:0").unwrap();
    fs::create_dir_all(outside.path().join("templates")).unwrap();
    let abs = outside.path().to_str().unwrap().to_owned();
    for theme in [abs.as_str(), "../x", "a/../../x"] {
        let f = repo().file("portico.yaml", &format!("theme: {theme}\n"));
        for run in [f.build(&[]), f.check(&[])] {
            run.assert_code(2);
            assert!(run.stderr.contains("portico.yaml:1:8"), "{theme}: {}", run.stderr);
        }
        assert!(!f.path().join("public").exists());
    }

    #[cfg(unix)]
    for linked in ["assets", "templates", "assets/passwd", "."] {
        let f = repo().file("portico.yaml", "theme: theme\n").file("theme/templates/.keep", "");
        let target = outside.path().join(linked.trim_start_matches('.'));
        let link = f.path().join("theme").join(linked);
        if linked == "." {
            fs::remove_dir_all(f.path().join("theme")).unwrap();
            std::os::unix::fs::symlink(outside.path(), f.path().join("theme")).unwrap();
        } else {
            fs::create_dir_all(link.parent().unwrap()).unwrap();
            let _ = fs::remove_dir_all(&link);
            std::os::unix::fs::symlink(&target, &link).unwrap();
        }
        let run = f.build(&[]);
        run.assert_code(2);
        let message = if linked == "." { "leaves the portal root" } else { "outside the portal root" };
        assert!(run.stderr.contains(message), "{linked}: {}", run.stderr);
        f.check(&[]).assert_code(2);
        assert!(!f.path().join("public").exists(), "{linked}: nothing published");
    }

    // A symbolic link that stays inside the root is followed.
    #[cfg(unix)]
    {
        let f = repo().file("portico.yaml", "theme: theme\n").file("shared/logo.svg", "<svg/>");
        fs::create_dir_all(f.path().join("theme/assets")).unwrap();
        std::os::unix::fs::symlink(f.path().join("shared/logo.svg"), f.path().join("theme/assets/logo.svg")).unwrap();
        f.build(&[]).assert_code(0);
        assert_eq!(f.read("public/assets/logo.svg"), "<svg/>");
    }
}

#[test]
fn issue_17_a_swap_killed_halfway_is_repaired_on_the_next_run() {
    let f = repo();
    f.build(&[]).assert_code(0);
    // What a kill between the two renames of a swap leaves: the previous site renamed aside
    // (by a process that is gone: beyond Linux's largest pid) and nothing at `public/`.
    fs::rename(f.path().join("public"), f.path().join(".portico-public-old-4194305")).unwrap();
    // Even a build that fails puts the previous site back first.
    let f = f.file(
        "services/b/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: b c\n",
    );
    f.build(&["--strict"]).assert_code(1);
    assert!(f.path().join("public/catalog/default/component/a/index.html").is_file());
    assert!(!f.path().join(".portico-public-old-4194305").exists());
}

#[test]
fn issue_17_spec_null_is_an_error_for_every_built_in_kind() {
    let kinds = [
        ("backstage.io/v1alpha1", "Component", "`spec.type`, `spec.lifecycle`, `spec.owner`"),
        ("backstage.io/v1alpha1", "API", "`spec.type`, `spec.lifecycle`, `spec.owner`, `spec.definition`"),
        ("backstage.io/v1alpha1", "Resource", "`spec.type`, `spec.owner`"),
        ("backstage.io/v1alpha1", "System", "`spec.owner`"),
        ("backstage.io/v1alpha1", "Domain", "`spec.owner`"),
        ("backstage.io/v1alpha1", "Group", "`spec.type`, `spec.children`"),
        ("backstage.io/v1alpha1", "User", "`spec.memberOf`"),
        ("backstage.io/v1alpha1", "Location", ""),
        ("scaffolder.backstage.io/v1beta3", "Template", "`spec.type`, `spec.steps`"),
        ("backstage.io/v1alpha1", "AiResource", "`spec.type`"),
    ];
    for (api_version, kind, needs) in kinds {
        for spec in ["spec:\n", "spec:\n  # filled in later\n", "spec: null\n", "spec: ~\n"] {
            let doc = format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n{spec}");
            let f = Fixture::empty().file("catalog-info.yaml", &doc);
            let run = f.check(&["--format", "json"]);
            run.assert_code(1);
            let d: serde_json::Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
            assert_eq!(d["code"], "invalid-type", "{kind} {spec:?}: {}", run.stdout);
            assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(5), Some(1)), "{kind} {spec:?}");
            assert!(d["message"].as_str().unwrap().contains("`spec` must be a mapping, found null"), "{d}");
            if !needs.is_empty() {
                assert!(d["hint"].as_str().unwrap().contains(needs), "{kind}: {d}");
            }
        }
    }
}

#[test]
fn issue_17_check_fails_wherever_build_fails() {
    let cases: Vec<(&str, Fixture)> = vec![
        ("missing theme", repo().file("portico.yaml", "theme: no-such-theme\n")),
        ("template syntax error", repo().file("portico.yaml", "theme: t\n").file("t/templates/home.html", "{% if %}")),
        (
            "template error at render time",
            repo().file("portico.yaml", "theme: t\n").file("t/templates/home.html", "{{ no_such_variable.field }}"),
        ),
    ];
    for (what, f) in cases {
        let check = f.check(&[]);
        let build = f.build(&[]);
        assert_ne!(build.code, 0, "{what}: build should fail");
        assert_eq!(check.code, build.code, "{what}: check {} / build {}", check.stderr, build.stderr);
        assert!(!f.path().join("public").exists(), "{what}");
    }
}

#[test]
fn issue_17_a_page_whose_path_is_too_long_fails_check_and_build_alike() {
    // Sixteen folders of 250 bytes under the root's docs: the source exists (about 4,050 bytes),
    // its page under `docs/default/component/<63 characters>/` cannot be written (over 4,095).
    let name = "a".repeat(63);
    let mut page = String::from("docs");
    for i in 0..16 {
        page.push_str(&format!("/{i:02}{}", "x".repeat(248)));
    }
    page.push_str("/page.md");
    let descriptor = component(&name, "team-a")
        .replace("metadata:\n", "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n");
    let f = Fixture::empty()
        .file("catalog-info.yaml", &format!("{descriptor}---\n{}", group("team-a")))
        .file("docs/index.md", "# A\n")
        .file(&page, "# Deep\n");
    let check = f.check(&["--format", "json"]);
    check.assert_code(1);
    assert!(check.stdout.contains("\"code\":\"unwritable-path\""), "{}", check.stdout);
    // `build` publishes the rest and reports the page it cannot write; `--strict` writes nothing.
    let build = f.run(&["build", ".", "--format", "json"]);
    build.assert_code(0);
    assert!(build.stdout.contains("its path would be"), "{}", build.stdout);
    assert!(f.path().join("public/docs/default/component").join(&name).join("index.html").is_file());
    fs::remove_dir_all(f.path().join("public")).unwrap();
    f.build(&["--strict"]).assert_code(1);
    assert!(!f.path().join("public").exists());
}

#[test]
fn issue_17_a_docs_page_200_folders_deep_builds() {
    let mut page = String::from("services/a/docs");
    for i in 0..200 {
        page.push_str(&format!("/f{i}"));
    }
    page.push_str("/page.md");
    let f = repo()
        .file(
            "services/a/catalog-info.yaml",
            &component("a", "team-a")
                .replace("  name: a\n", "  name: a\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n"),
        )
        .file("services/a/docs/index.md", "# A\n")
        .file(&page, "# Deep\n");
    f.check(&[]).assert_code(0);
    f.build(&[]).assert_code(0);
    let url = page.trim_start_matches("services/a/docs/").trim_end_matches(".md");
    let html = f.read(&format!("public/docs/default/component/a/{url}/index.html"));
    assert!(html.contains("<h1 id=\"deep\">Deep<a class=\"headerlink\""), "{html}");
}

#[cfg(unix)]
#[test]
fn issue_17_docs_files_leading_outside_the_root_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("mkdocs.yml"), "site_name: leaked-site-name\n").unwrap();
    fs::write(outside.path().join("secret.txt"), "leaked-secret-text").unwrap();
    let descriptor = component("a", "team-a")
        .replace("metadata:\n", "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n");
    let f = repo()
        .file("services/a/catalog-info.yaml", &descriptor)
        .file("services/a/docs/index.md", "# A\n\n--8<-- \"docs/secret.txt\"\n");
    std::os::unix::fs::symlink(outside.path().join("mkdocs.yml"), f.path().join("services/a/mkdocs.yml")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), f.path().join("services/a/docs/secret.txt")).unwrap();
    let run = f.check(&["--format", "json"]);
    assert!(run.stdout.contains("\"code\":\"docs-outside-root\""), "{}", run.stdout);
    f.build(&[]);
    let out = f.path().join("public");
    if out.exists() {
        for entry in walk(&out) {
            let text = String::from_utf8_lossy(&fs::read(&entry).unwrap()).into_owned();
            assert!(!text.contains("leaked-"), "{} holds a file from outside the root", entry.display());
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}
