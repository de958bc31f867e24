use serde_json::{Value, json};

use super::*;
use crate::plugins::Mode;
use crate::plugins::protocol::RequestSource;

fn entity(entity_ref: &str, kind: &str, metadata: Value, spec: Value, file: &str) -> RequestEntity {
    RequestEntity {
        entity_ref: entity_ref.into(),
        kind: kind.into(),
        metadata,
        spec,
        relations: Vec::new(),
        source: RequestSource { file: file.into(), dir: file.rsplit_once('/').map_or("", |(d, _)| d).into() },
    }
}

fn component(name: &str, owner: Option<&str>, file: &str) -> RequestEntity {
    let spec = match owner {
        Some(o) => json!({"type": "service", "lifecycle": "production", "owner": o}),
        None => json!({"type": "service", "lifecycle": "production"}),
    };
    entity(&format!("component:default/{name}"), "Component", json!({"name": name}), spec, file)
}

/// Runs the plugin in a fresh root holding `files`.
fn run_with(files: &[(&str, &[u8])], config: Value, entities: &[RequestEntity]) -> Response {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    run(&Input { root: &root, config: &config, entities, mode: Mode::Build, commit: None })
}

const CODEOWNERS: &str = "\
# Code owners of the Acme monorepo.
# The last matching rule wins.

*                       @acme/platform
/services/              @acme/backend
/services/payments/     @acme/payments jane@acme.com   # money moves here
docs/*                  @acme/docs
apps/                   @octocat
**/legacy/**            @acme/archaeology
/tools/generated
!services/keep/         @acme/nobody
*.[ch]                  @acme/c
\\#notes                @acme/notes
/web/                   frontend-team
";

/// The catalog of the tests: components all over the tree, and the Groups and Users that
/// owners map to.
fn catalog() -> Vec<RequestEntity> {
    let org = "org/catalog-info.yaml";
    vec![
        component("payments", Some("payments"), "services/payments/catalog-info.yaml"),
        component("orders", Some("group:default/backend"), "services/orders/catalog-info.yaml"),
        component("guide", Some("docs-team"), "docs/catalog-info.yaml"),
        component("nested-guide", Some("platform-team"), "docs/guides/catalog-info.yaml"),
        component("mobile", Some("user:octo"), "clients/apps/mobile/catalog-info.yaml"),
        component("old", Some("archaeology"), "services/legacy/old/catalog-info.yaml"),
        component("generated", Some("platform-team"), "tools/generated/catalog-info.yaml"),
        component("keep", None, "services/keep/catalog-info.yaml"),
        entity("resource:default/bare", "Resource", json!({"name": "bare"}), json!({}), "tools/generated/bare.yaml"),
        entity(
            "group:default/platform-team",
            "Group",
            json!({"name": "platform-team", "annotations": {"github.com/team-slug": "Acme/Platform"}}),
            json!({"type": "team"}),
            org,
        ),
        entity("group:default/backend", "Group", json!({"name": "backend"}), json!({"type": "team"}), org),
        entity(
            "group:default/server-team",
            "Group",
            json!({"name": "server-team", "annotations": {"github.com/team-slug": "acme/backend"}}),
            json!({"type": "team"}),
            org,
        ),
        entity("group:default/payments", "Group", json!({"name": "Payments"}), json!({"type": "team"}), org),
        entity(
            "group:other/archaeology",
            "Group",
            json!({"name": "archaeology", "namespace": "other"}),
            json!({}),
            org,
        ),
        entity(
            "user:default/jane",
            "User",
            json!({"name": "jane"}),
            json!({"profile": {"email": "Jane@Acme.com"}}),
            org,
        ),
        entity(
            "user:default/octo",
            "User",
            json!({"name": "octo", "annotations": {"github.com/user-login": "OctoCat"}}),
            json!({}),
            org,
        ),
    ]
}

fn acme() -> Response {
    run_with(&[(".github/CODEOWNERS", CODEOWNERS.as_bytes())], Value::Null, &catalog())
}

fn fact<'a>(r: &'a Response, entity: &str) -> Option<&'a Map<String, Value>> {
    r.facts.iter().find(|f| f.entity == entity).map(|f| &f.values)
}

fn card<'a>(r: &'a Response, entity: &str) -> &'a [Block] {
    r.contributions
        .iter()
        .find_map(|c| match c {
            Contribution::EntityCard { entity: e, id, title, blocks } if e == entity => {
                assert_eq!((id.as_str(), title.as_str()), ("codeowners", "Code owners"));
                Some(&blocks[..])
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no card for {entity}"))
}

fn page(r: &Response) -> &[Block] {
    let pages: Vec<_> = r
        .contributions
        .iter()
        .filter_map(|c| match c {
            Contribution::Page { path, title, blocks } => Some((path, title, blocks)),
            _ => None,
        })
        .collect();
    assert_eq!(pages.len(), 1);
    assert_eq!((pages[0].0.as_str(), pages[0].1.as_str()), ("", "Code ownership"));
    pages[0].2
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn link(text: &str, url: &str) -> Cell {
    Cell::Link { text: text.into(), url: url.into() }
}

/// GitHub's own examples (docs.github.com, "About code owners") and gitignore's rules.
#[test]
fn patterns_match_like_github() {
    let cases: &[(&str, &str, bool)] = &[
        // No slash: any depth, the name of a file or of a directory above it.
        ("*", "README.md", true),
        ("*", "a/b/c.txt", true),
        ("*.js", "app.js", true),
        ("*.js", "web/src/app.js", true),
        ("*.js", "web/src/app.ts", false),
        ("*.js", "app.jsx", false),
        ("foo", "foo", true),
        ("foo", "bar/foo/baz", true),
        ("foo", "foo.txt", false),
        ("foo", "bar/food", false),
        // A leading slash anchors at the root; a named directory owns what is under it.
        ("/build/logs/", "build/logs/a.log", true),
        ("/build/logs/", "build/logs/deep/a.log", true),
        ("/build/logs/", "src/build/logs/a.log", false),
        ("/build/logs/", "build/logs", false),
        ("/apps/github", "apps/github/x.yaml", true),
        ("/apps/github", "apps/github", true),
        ("/apps/github", "apps/githubx/a", false),
        // A middle slash anchors too.
        ("foo/bar", "foo/bar/baz", true),
        ("foo/bar", "x/foo/bar", false),
        // A trailing slash with no other: any directory of that name, at any depth.
        ("apps/", "apps/a.txt", true),
        ("apps/", "src/apps/deep/a.txt", true),
        ("apps/", "apps", false),
        ("apps/", "myapps/a.txt", false),
        // `docs/*`: files directly in docs/, not nested ones (GitHub's exception).
        ("docs/*", "docs/getting-started.md", true),
        ("docs/*", "docs/build-app/troubleshooting.md", false),
        ("docs/*", "x/docs/a.md", false),
        ("/*", "README.md", true),
        ("/*", "src/main.rs", false),
        ("/*/", "src/main.rs", true),
        // `*` and `?` stay in a segment; `**` crosses them.
        ("foo/*.txt", "foo/a.txt", true),
        ("foo/*.txt", "foo/a/b.txt", false),
        ("foo/*/baz", "foo/bar/baz", true),
        ("foo/*/baz", "foo/bar/qux/baz", false),
        ("f?o", "foo", true),
        ("f?o", "f/o", false),
        ("**/logs", "build/logs/a.log", true),
        ("**/logs", "deeply/nested/logs/x", true),
        ("**/logs", "logs/x", true),
        ("**/logs", "logsx/a", false),
        ("foo/**/bar", "foo/bar", true),
        ("foo/**/bar", "foo/a/b/bar/c", true),
        ("foo/**/bar", "x/foo/bar", false),
        ("foo/**", "foo/a/b", true),
        ("foo/**", "foo", false),
        ("**", "a/b", true),
        ("**/", "a/b", true),
        ("**/", "a", false),
        // Escapes and regex metacharacters are literal.
        ("f\\*o", "f*o", true),
        ("f\\*o", "foo", false),
        ("a+b(c).txt", "a+b(c).txt", true),
        ("a+b(c).txt", "aab(c).txt", false),
        ("path\\ with\\ spaces/", "path with spaces/a", true),
        // Paths are case-sensitive.
        ("/Docs/", "docs/a.md", false),
    ];
    for (pattern, path, want) in cases {
        let re = Regex::new(&pattern_regex(pattern)).unwrap();
        assert_eq!(re.is_match(path), *want, "{pattern} on {path} ({})", re.as_str());
    }
}

#[test]
fn lines_parse_like_github() {
    let ok = |pattern: &str, owners: &[&str]| {
        Ok(Some((pattern.to_owned(), owners.iter().map(|o| (*o).to_owned()).collect())))
    };
    let cases: &[(&str, Result<Line, ()>)] = &[
        ("", Ok(None)),
        ("   \t", Ok(None)),
        ("# a comment @x", Ok(None)),
        ("  # an indented comment", Ok(None)),
        ("*.js @js-owner", ok("*.js", &["@js-owner"])),
        ("*.js\t@a  @org/team-1 docs@example.com", ok("*.js", &["@a", "@org/team-1", "docs@example.com"])),
        ("*.js @js-owner #This is an inline comment.", ok("*.js", &["@js-owner"])),
        ("*.js @a @a", ok("*.js", &["@a"])),
        ("/apps/github", ok("/apps/github", &[])),
        ("/apps/github   # cleared", ok("/apps/github", &[])),
        ("path\\ with\\ spaces/ @space", ok("path\\ with\\ spaces/", &["@space"])),
        ("!*.md @x", Err(())),
        ("*.[ch] @x", Err(())),
        ("\\#notes @x", Err(())),
        ("foo\\", Err(())),
        ("*.md team", Err(())),
        ("*.md @", Err(())),
        ("*.md @org/", Err(())),
        ("*.md @a/b/c", Err(())),
        ("*.md user@localhost", Err(())),
    ];
    for (line, want) in cases {
        assert_eq!(parse_line(line).map_err(|_| ()), *want, "{line:?}");
    }
    assert_eq!(owner_kind("@acme/web"), Some(Owner::Team("acme/web", "web")));
    assert_eq!(owner_kind("@octocat"), Some(Owner::User("octocat")));
    assert_eq!(owner_kind("a.b+c@example.co.uk"), Some(Owner::Email("a.b+c@example.co.uk")));
}

#[test]
fn the_file_is_found_in_githubs_order() {
    let entities = [component("a", None, "a/catalog-info.yaml")];
    let owners_of_a = |files: &[(&str, &[u8])]| {
        let r = run_with(files, Value::Null, &entities);
        fact(&r, "component:default/a").map(|f| f["owners"].clone())
    };
    let github: (&str, &[u8]) = (".github/CODEOWNERS", b"* @from-github\n");
    let root: (&str, &[u8]) = ("CODEOWNERS", b"* @from-root\n");
    let docs: (&str, &[u8]) = ("docs/CODEOWNERS", b"* @from-docs\n");
    assert_eq!(owners_of_a(&[docs, root, github]), Some(json!(["@from-github"])));
    assert_eq!(owners_of_a(&[docs, root]), Some(json!(["@from-root"])));
    assert_eq!(owners_of_a(&[docs]), Some(json!(["@from-docs"])));
    // A directory named CODEOWNERS is not the file.
    assert_eq!(owners_of_a(&[("CODEOWNERS/x", b"* @dir"), docs]), Some(json!(["@from-docs"])));

    let none = run_with(&[("src/OWNERS", b"* @x\n")], Value::Null, &entities);
    assert!(none.facts.is_empty() && none.contributions.is_empty(), "{none:?}");
    assert_eq!(none.protocol, PROTOCOL);
    assert_eq!(none.diagnostics.len(), 1);
    assert_eq!(none.diagnostics[0].level, DiagnosticLevel::Info);
    assert_eq!(none.diagnostics[0].code, "codeowners-missing");
}

#[test]
fn the_last_matching_rule_decides_and_a_rule_without_owners_clears() {
    let r = acme();
    let rule = |e: &str| fact(&r, e).map(|f| (f["owners"].clone(), f["rule"].clone()));
    let at = |line: u32, pattern: &str| json!({"file": ".github/CODEOWNERS", "line": line, "pattern": pattern});
    let cases: &[(&str, Value, Value)] = &[
        ("payments", json!(["@acme/payments", "jane@acme.com"]), at(6, "/services/payments/")),
        ("orders", json!(["@acme/backend"]), at(5, "/services/")),
        ("guide", json!(["@acme/docs"]), at(7, "docs/*")),
        // `docs/*` is not recursive: the default rule owns nested docs.
        ("nested-guide", json!(["@acme/platform"]), at(4, "*")),
        ("mobile", json!(["@octocat"]), at(8, "apps/")),
        // A later `**` rule wins over the earlier `/services/`.
        ("old", json!(["@acme/archaeology"]), at(9, "**/legacy/**")),
        // `/tools/generated` has no owners: it clears the default owners.
        ("generated", json!([]), at(10, "/tools/generated")),
        // The invalid `!services/keep/` line is skipped.
        ("keep", json!(["@acme/backend"]), at(5, "/services/")),
    ];
    for (name, owners, rule_at) in cases {
        assert_eq!(rule(&format!("component:default/{name}")), Some((owners.clone(), rule_at.clone())), "{name}");
    }
    // Without `spec.owner` and without owners, an entity has no facts.
    assert_eq!(fact(&r, "resource:default/bare"), None);
}

/// Rules too many for one regex set are tried one by one, with the same answers.
#[test]
fn rules_without_a_regex_set_decide_the_same() {
    let mut diags = Vec::new();
    let mut rules = Rules::parse("CODEOWNERS", CODEOWNERS, &mut diags);
    assert!(rules.set.is_some());
    let paths =
        ["a.md", "services/x/y", "services/payments/a", "docs/a", "docs/a/b", "tools/generated/x", "q/legacy/r"];
    let with_set: Vec<_> = paths.iter().map(|p| rules.owning(p).map(|r| r.line)).collect();
    rules.set = None;
    let one_by_one: Vec<_> = paths.iter().map(|p| rules.owning(p).map(|r| r.line)).collect();
    assert_eq!(with_set, one_by_one);
    assert_eq!(one_by_one, [Some(4), Some(5), Some(6), Some(7), Some(4), Some(10), Some(9)]);
}

#[test]
fn unsupported_syntax_is_skipped_with_a_warning() {
    let r = acme();
    let got: Vec<_> = r.diagnostics.iter().map(|d| (d.level, d.code.as_str(), d.file.as_deref(), d.line)).collect();
    let warning = |line| (DiagnosticLevel::Warning, "codeowners-invalid", Some(".github/CODEOWNERS"), Some(line));
    assert_eq!(got, [warning(11), warning(12), warning(13), warning(14)]);
    assert!(r.diagnostics[0].message.contains("`!` to negate"), "{}", r.diagnostics[0].message);
    assert!(r.diagnostics[1].message.contains("`[ ]`"), "{}", r.diagnostics[1].message);
    assert!(r.diagnostics[3].message.contains("`frontend-team` is not an owner"), "{}", r.diagnostics[3].message);
    // `*.[ch]` owns nothing: a C file keeps the default owners.
    let entities = [component("c", None, "src/main.c")];
    let c = run_with(&[("CODEOWNERS", CODEOWNERS.as_bytes())], Value::Null, &entities);
    assert_eq!(fact(&c, "component:default/c").unwrap()["owners"], json!(["@acme/platform"]));
}

#[test]
fn owners_map_to_groups_and_users() {
    let r = acme();
    let mapped = |e: &str| fact(&r, &format!("component:default/{e}")).unwrap()["owner_entities"].clone();
    // By name (case-insensitive), and by email (case-insensitive).
    assert_eq!(mapped("payments"), json!(["group:default/payments", "user:default/jane"]));
    // By team slug annotation, before a Group named `backend`.
    assert_eq!(mapped("orders"), json!(["group:default/server-team"]));
    // By team slug annotation, case-insensitive.
    assert_eq!(mapped("nested-guide"), json!(["group:default/platform-team"]));
    // By login annotation, case-insensitive.
    assert_eq!(mapped("mobile"), json!(["user:default/octo"]));
    // By name in another namespace; not at all.
    assert_eq!(mapped("old"), json!(["group:other/archaeology"]));
    assert_eq!(mapped("guide"), json!([]));

    assert_eq!(
        card(&r, "component:default/payments"),
        [
            Block::Links {
                items: vec![
                    LinkItem { title: "@acme/payments".into(), url: "catalog/default/group/Payments/".into() },
                    LinkItem { title: "jane@acme.com".into(), url: "catalog/default/user/jane/".into() },
                ]
            },
            Block::Kv {
                title: None,
                items: vec![KvItem {
                    key: "Rule".into(),
                    value: text(".github/CODEOWNERS line 6: /services/payments/")
                }]
            },
        ]
    );
    assert_eq!(
        card(&r, "component:default/guide"),
        [
            Block::Kv {
                title: Some("Not in the catalog".into()),
                items: vec![KvItem {
                    key: "@acme/docs".into(),
                    value: text("no Group with annotation github.com/team-slug: acme/docs, nor named docs")
                }]
            },
            Block::Kv {
                title: None,
                items: vec![KvItem { key: "Rule".into(), value: text(".github/CODEOWNERS line 7: docs/*") }]
            },
        ]
    );
    assert_eq!(
        card(&r, "component:default/generated"),
        [
            Block::Status { level: StatusLevel::Warning, text: "No code owners".into(), url: None },
            Block::Kv {
                title: None,
                items: vec![KvItem { key: "Rule".into(), value: text(".github/CODEOWNERS line 10: /tools/generated") }]
            },
        ]
    );
}

#[test]
fn spec_owner_is_checked_against_the_code_owners() {
    let r = acme();
    let matches = |e: &str| fact(&r, &format!("component:default/{e}")).unwrap()["matches_owner"].clone();
    assert_eq!(matches("payments"), json!(true)); // `payments` is group:default/payments
    assert_eq!(matches("mobile"), json!(true)); // `user:octo` is @octocat
    assert_eq!(matches("nested-guide"), json!(true));
    assert_eq!(matches("orders"), json!(false)); // @acme/backend is group:default/server-team
    assert_eq!(matches("guide"), json!(false)); // @acme/docs is not in the catalog
    assert_eq!(matches("old"), json!(false)); // `archaeology` is in namespace default, not other
    assert_eq!(matches("generated"), json!(false));
    assert_eq!(matches("keep"), json!(false)); // no spec.owner
}

#[test]
fn the_page_lists_mismatches_and_unowned_entities() {
    let r = acme();
    let page = page(&r);
    let url = |name: &str| format!("catalog/default/component/{name}/");
    assert_eq!(
        page[1],
        Block::Stat { label: "Owner mismatches".into(), value: Cell::Number(3.into()), unit: None, trend: None }
    );
    assert_eq!(
        page[2],
        Block::Stat {
            label: "Entities without code owners".into(),
            value: Cell::Number(2.into()),
            unit: None,
            trend: None
        }
    );
    let Block::Table { title, columns, rows } = &page[3] else { panic!("{:?}", page[3]) };
    assert_eq!(title.as_deref(), Some("Owner mismatches"));
    assert_eq!(columns, &["Entity", "spec.owner", "CODEOWNERS owners", "Rule"]);
    assert_eq!(
        rows,
        &[
            vec![
                link("component:guide", &url("guide")),
                text("docs-team"),
                text("@acme/docs"),
                text(".github/CODEOWNERS line 7: docs/*")
            ],
            vec![
                link("component:old", &url("old")),
                text("archaeology"),
                text("@acme/archaeology"),
                text(".github/CODEOWNERS line 9: **/legacy/**")
            ],
            vec![
                link("component:orders", &url("orders")),
                text("group:default/backend"),
                text("@acme/backend"),
                text(".github/CODEOWNERS line 5: /services/")
            ],
        ]
    );
    let Block::Table { title, columns, rows } = &page[4] else { panic!("{:?}", page[4]) };
    assert_eq!(title.as_deref(), Some("Entities without code owners"));
    assert_eq!(columns, &["Entity", "Directory"]);
    assert_eq!(
        rows,
        &[
            vec![link("component:generated", &url("generated")), text("tools/generated")],
            vec![link("resource:bare", "catalog/default/resource/bare/"), text("tools/generated")],
        ]
    );
}

#[test]
fn the_output_is_deterministic() {
    let first = serde_json::to_string(&acme()).unwrap();
    assert_eq!(first, serde_json::to_string(&acme()).unwrap());
    // The same catalog in another order gives the same response.
    let mut reversed = catalog();
    reversed.reverse();
    let r = run_with(&[(".github/CODEOWNERS", CODEOWNERS.as_bytes())], Value::Null, &reversed);
    assert_eq!(first, serde_json::to_string(&r).unwrap());
    // Cards and facts come in reference order.
    let cards: Vec<&str> = r
        .contributions
        .iter()
        .filter_map(|c| match c {
            Contribution::EntityCard { entity, .. } => Some(entity.as_str()),
            _ => None,
        })
        .collect();
    assert!(cards.is_sorted() && cards.len() == catalog().len(), "{cards:?}");
    assert!(r.facts.iter().map(|f| &f.entity).is_sorted());
}

#[test]
fn unusable_files_give_a_warning() {
    let entities = [component("a", Some("x"), "a/catalog-info.yaml")];
    let warned = |files: &[(&str, &[u8])]| {
        let r = run_with(files, Value::Null, &entities);
        assert!(r.facts.is_empty() && r.contributions.is_empty(), "{r:?}");
        let got: Vec<_> = r.diagnostics.iter().map(|d| (d.level, d.code.as_str(), d.file.clone())).collect();
        assert_eq!(got, [(DiagnosticLevel::Warning, "codeowners-unreadable", Some("CODEOWNERS".to_owned()))]);
        r.diagnostics[0].message.clone()
    };
    assert!(warned(&[("CODEOWNERS", b"* @a\n\xff\xfe @b\n")]).contains("not UTF-8"));
    let huge = "* @a\n".repeat((3 << 20) / 5 + 1);
    assert!(warned(&[("CODEOWNERS", huge.as_bytes())]).contains("3 MB"));
    // Binary junk that is UTF-8 is read line by line without panicking.
    let junk: Vec<u8> = (0u8..128).cycle().take(10_000).collect();
    let r = run_with(&[("CODEOWNERS", &junk)], Value::Null, &entities);
    assert!(r.diagnostics.iter().all(|d| d.code == "codeowners-invalid"));
}

#[test]
fn config_file_replaces_githubs_locations() {
    let entities = [component("a", None, "a/catalog-info.yaml")];
    let files: &[(&str, &[u8])] = &[("CODEOWNERS", b"* @root\n"), ("meta/OWNERS", b"* @meta\n")];
    let r = run_with(files, json!({"file": "meta/OWNERS"}), &entities);
    assert_eq!(fact(&r, "component:default/a").unwrap()["owners"], json!(["@meta"]));
    assert_eq!(fact(&r, "component:default/a").unwrap()["rule"]["file"], json!("meta/OWNERS"));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);

    let codes = |config: Value| {
        let r = run_with(files, config, &entities);
        let owners = fact(&r, "component:default/a").map(|f| f["owners"].clone());
        (owners, r.diagnostics.iter().map(|d| d.code.clone()).collect::<Vec<_>>())
    };
    assert_eq!(codes(json!({"file": "meta/missing"})), (None, vec!["codeowners-missing".to_owned()]));
    assert_eq!(codes(json!({"file": "../outside"})), (None, vec!["codeowners-config".to_owned()]));
    assert_eq!(codes(json!({"fiel": "meta/OWNERS"})), (Some(json!(["@root"])), vec!["codeowners-config".to_owned()]));
    assert_eq!(codes(json!("meta/OWNERS")), (Some(json!(["@root"])), vec!["codeowners-config".to_owned()]));
}

proptest::proptest! {
    /// Any line parses without panicking, and the pattern of every accepted line compiles.
    #[test]
    fn any_line_parses_and_compiles(line in "[a-z*?/\\\\ .#!\\[\\]()+@{}^$|-]{0,24}") {
        if let Ok(Some((pattern, _))) = parse_line(&line) {
            let re = pattern_regex(&pattern);
            proptest::prop_assert!(Regex::new(&re).is_ok(), "{pattern} gives {re}");
        }
    }
}
