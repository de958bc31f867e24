use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use tempfile::TempDir;

use super::*;
use crate::plugins::Mode;
use crate::plugins::protocol::RequestSource;

/// HEAD's time in the fixture: 2024-06-01T12:00:00Z.
const HEAD: i64 = 1_717_243_200;
const HOUR: i64 = 3_600;
/// A name to escape (git itself drops `<` and `>` from names).
const DAVE: &str = r#"Dave "D" & O'Co"#;

fn have_git() -> bool {
    let ok = Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: `git` is not installed");
    }
    ok
}

/// Runs git in `dir` for a fixture: no user or system config, the identity and date given.
fn git_in(dir: &Path, args: &[&str], who: Option<(&str, &str, i64)>) {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    if let Some((name, email, time)) = who {
        let date = format!("@{time} +0000");
        for (key, value) in [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_AUTHOR_DATE", &date),
            ("GIT_COMMITTER_DATE", &date),
        ] {
            cmd.env(key, value);
        }
    }
    let out = cmd.output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Writes `files` (each with new content) and commits them as `name <email>` at `time`.
fn commit(dir: &Path, name: &str, email: &str, time: i64, files: &[&str]) {
    for file in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{name} at {time}\n")).unwrap();
    }
    git_in(dir, &["add", "-A"], None);
    git_in(dir, &["commit", "-q", "-m", &format!("{name} {time}")], Some((name, email, time)));
}

/// A repository with nested entity directories, over 120 days before `HEAD`, ending in a merge:
///
/// | age      | author            | files                                       |
/// |----------|-------------------|---------------------------------------------|
/// | 120 d    | Alice             | catalog-info.yaml, README.md, svc/a/…, svc/a/sub/… |
/// | 100 d    | Robert (bob@)     | svc/a/my file.txt                           |
/// | 90 d 6 h | Carol             | svc/a/sub/notes ünï.md                      |
/// | 89 d     | Carol             | svc/a/sub/notes ünï.md                      |
/// | 60 d     | Robert (bob@)     | svc/a/my file.txt, svc/a/sub/notes ünï.md   |
/// | 20 d     | Alice             | svc/ab/x.txt, svc/b/y.txt                   |
/// | 10 d     | Bob (BOB@)        | svc/a/my file.txt                           |
/// | 3 d      | `DAVE`            | svc/a/my file.txt, svc/a/other.txt          |
/// | 12 h     | Alice (main)      | README.md                                   |
/// | 1 d      | Erin (side branch)| svc/a/sub/catalog-info.yaml                 |
/// | 0        | Mona merges side  | (HEAD)                                      |
fn fixture() -> Option<TempDir> {
    if !have_git() {
        return None;
    }
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git_in(dir, &["init", "-q"], None);
    let alice = ("Alice", "alice@example.com");
    commit(
        dir,
        alice.0,
        alice.1,
        HEAD - 120 * DAY,
        &["catalog-info.yaml", "README.md", "svc/a/catalog-info.yaml", "svc/a/sub/catalog-info.yaml"],
    );
    commit(dir, "Robert", "bob@example.com", HEAD - 100 * DAY, &["svc/a/my file.txt"]);
    commit(dir, "Carol", "carol@example.com", HEAD - 90 * DAY - 6 * HOUR, &["svc/a/sub/notes ünï.md"]);
    commit(dir, "Carol", "carol@example.com", HEAD - 89 * DAY, &["svc/a/sub/notes ünï.md"]);
    commit(dir, "Robert", "bob@example.com", HEAD - 60 * DAY, &["svc/a/my file.txt", "svc/a/sub/notes ünï.md"]);
    commit(dir, alice.0, alice.1, HEAD - 20 * DAY, &["svc/ab/x.txt", "svc/b/y.txt"]);
    commit(dir, "Bob", "BOB@example.com", HEAD - 10 * DAY, &["svc/a/my file.txt"]);
    commit(dir, DAVE, "dave@example.com", HEAD - 3 * DAY, &["svc/a/my file.txt", "svc/a/other.txt"]);
    git_in(dir, &["branch", "side"], None);
    commit(dir, alice.0, alice.1, HEAD - 12 * HOUR, &["README.md"]);
    git_in(dir, &["checkout", "-q", "side"], None);
    commit(dir, "Erin", "erin@example.com", HEAD - DAY, &["svc/a/sub/catalog-info.yaml"]);
    git_in(dir, &["checkout", "-q", "main"], None);
    git_in(dir, &["merge", "-q", "--no-ff", "-m", "merge side", "side"], Some(("Mona", "mona@example.com", HEAD)));
    Some(repo)
}

fn entity(r: &str, dir: &str) -> RequestEntity {
    RequestEntity {
        entity_ref: r.to_owned(),
        kind: r.split(':').next().unwrap().to_owned(),
        metadata: json!({"name": r.rsplit('/').next().unwrap()}),
        spec: json!({}),
        relations: Vec::new(),
        source: RequestSource {
            file: if dir.is_empty() { "catalog-info.yaml".into() } else { format!("{dir}/catalog-info.yaml") },
            dir: dir.to_owned(),
        },
    }
}

fn entities() -> Vec<RequestEntity> {
    vec![
        entity("api:default/a-api", "svc/a"),
        entity("component:default/a", "svc/a"),
        entity("component:default/lonely", "lonely"),
        entity("component:default/root", ""),
        entity("component:default/sub", "svc/a/sub"),
    ]
}

fn run_on(root: &Path, entities: &[RequestEntity]) -> Response {
    (PLUGIN.run)(&Input { root, config: &Value::Null, entities, mode: Mode::Build, commit: None })
}

fn facts<'a>(response: &'a Response, entity: &str) -> Option<&'a Map<String, Value>> {
    response.facts.iter().find(|f| f.entity == entity).map(|f| &f.values)
}

fn card<'a>(response: &'a Response, entity: &str) -> Option<&'a [Block]> {
    response.contributions.iter().find_map(|c| match c {
        Contribution::EntityCard { entity: e, id, title, blocks } if e == entity => {
            assert_eq!((id.as_str(), title.as_str()), ("git-history", "Activity"));
            Some(blocks.as_slice())
        }
        _ => None,
    })
}

fn series(response: &Response, entity: &str) -> Vec<f64> {
    card(response, entity)
        .unwrap_or_else(|| panic!("no card for {entity}"))
        .iter()
        .find_map(|b| match b {
            Block::Sparkline { label, values } => {
                assert_eq!(label, "commits per week, last 13 weeks");
                Some(values.clone())
            }
            _ => None,
        })
        .expect("a sparkline")
}

#[test]
fn dates_are_utc_civil_dates() {
    for (t, datetime) in [
        (0, "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (HEAD, "2024-06-01T12:00:00Z"),
        (HEAD - 3 * DAY + 1, "2024-05-29T12:00:01Z"),
        (4_102_444_799, "2099-12-31T23:59:59Z"),
    ] {
        assert_eq!(utc(t), (datetime.to_owned(), datetime[..10].to_owned()), "{t}");
    }
}

#[test]
fn log_output_is_split_on_nul_only() {
    let out = b"\x001700000000\x00Ann\x00ann@x\x00\na b.txt\x00\nstarts with newline\x00\
                \x001600000000\x00\x00e@x\x00\
                \x001500000000\x00Bo\x00bo@x\x00\n\xc3\xa9 z\x00";
    let commit = |time, name: &str, email: &str, files: &[&str]| Commit {
        time,
        name: name.into(),
        email: email.into(),
        files: files.iter().map(|f| (*f).to_owned()).collect(),
    };
    assert_eq!(
        parse_log(out),
        Ok(vec![
            commit(1_700_000_000, "Ann", "ann@x", &["a b.txt", "\nstarts with newline"]),
            commit(1_600_000_000, "", "e@x", &[]),
            commit(1_500_000_000, "Bo", "bo@x", &["é z"]),
        ])
    );
    assert_eq!(parse_log(b""), Ok(vec![]));
    assert!(parse_log(b"\x00yesterday\x00A\x00a@x\x00").is_err());
    assert!(parse_log(b"\x001700000000\x00A").is_err());
}

#[test]
fn top_contributors_are_five_by_commits_then_name() {
    let people = [("Zed <z>", 3), ("Amy", 3), ("Cy", 2), ("Dee", 1), ("Bea", 1), ("Cal", 1), ("Abe", 1)];
    let mut commits = Vec::new();
    for (i, (name, n)) in people.iter().enumerate() {
        for k in 0..*n {
            commits.push(Commit {
                time: HEAD - (i as i64 * 10 + k) * HOUR,
                name: (*name).to_owned(),
                email: format!("{}@example.com", name.to_lowercase()),
                files: vec!["svc/x.txt".to_owned()],
            });
        }
    }
    let history = History { head_time: Some(HEAD), commits };
    let response = respond(&[entity("component:default/x", "svc")], &Ok(history));
    // The newest commit is Zed's, at HEAD; the name is escaped.
    let Some([Block::Html { html }, ..]) = card(&response, "component:default/x") else { panic!("no card") };
    assert!(html.ends_with(">2024-06-01</time> by Zed &lt;z&gt;"), "{html}");
    let values = facts(&response, "component:default/x").expect("facts");
    assert_eq!(values["commits_90d"], json!(12));
    assert_eq!(values["contributors_90d"], json!(7));
    assert_eq!(
        values["top_contributors"],
        json!([
            {"name": "Amy", "commits": 3}, {"name": "Zed <z>", "commits": 3}, {"name": "Cy", "commits": 2},
            {"name": "Abe", "commits": 1}, {"name": "Bea", "commits": 1}
        ])
    );
}

#[test]
fn changes_go_to_the_entities_of_the_longest_directory_prefix() {
    let Some(repo) = fixture() else { return };
    let response = run_on(repo.path(), &entities());
    assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);
    let with_facts: Vec<&str> = response.facts.iter().map(|f| f.entity.as_str()).collect();
    // `lonely` has no commits; the others in reference order.
    assert_eq!(
        with_facts,
        ["api:default/a-api", "component:default/a", "component:default/root", "component:default/sub"]
    );
    assert_eq!(response.contributions.len(), 4);
    // svc/a and its API share a directory; svc/a/sub is claimed by `sub`, not by `a`;
    // svc/ab and svc/b are not under svc/a, so only the root entity gets them.
    assert_eq!(series(&response, "component:default/a"), series(&response, "api:default/a-api"));
    assert_eq!(series(&response, "component:default/a"), [0., 0., 0., 0., 1., 0., 0., 0., 0., 0., 0., 1., 1.]);
    assert_eq!(series(&response, "component:default/root"), [0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 0., 1.]);
    assert_eq!(series(&response, "component:default/sub"), [2., 0., 0., 0., 1., 0., 0., 0., 0., 0., 0., 0., 1.]);
    // Two runs over the same commit are identical.
    let again = run_on(repo.path(), &entities());
    assert_eq!(serde_json::to_string(&response).unwrap(), serde_json::to_string(&again).unwrap());
}

#[test]
fn windows_end_at_head_and_count_authors_by_email() {
    let Some(repo) = fixture() else { return };
    let response = run_on(repo.path(), &entities());
    let counts = |e: &str| {
        let v = facts(&response, e).unwrap_or_else(|| panic!("no facts for {e}"));
        (v["commits_90d"].clone(), v["contributors_90d"].clone(), v["top_contributors"].clone())
    };
    // Carol's commit 90 days and 6 hours before HEAD (the merge) is out, though it is within
    // 90 days of the newest commit listed (Alice's, 12 hours before HEAD).
    assert_eq!(
        counts("component:default/sub"),
        (
            json!(3),
            json!(3),
            json!([{"name": "Carol", "commits": 1}, {"name": "Erin", "commits": 1}, {"name": "Robert", "commits": 1}])
        )
    );
    // bob@example.com and BOB@example.com are one contributor, named as in the newest commit;
    // a commit touching two files of `a` counts once.
    assert_eq!(
        counts("component:default/a"),
        (json!(3), json!(2), json!([{"name": "Bob", "commits": 2}, {"name": DAVE, "commits": 1}]))
    );
    assert_eq!(counts("component:default/root"), (json!(2), json!(1), json!([{"name": "Alice", "commits": 2}])));
    // The merge commit's author wrote nothing.
    assert!(!serde_json::to_string(&response).unwrap().contains("Mona"));
}

#[test]
fn the_card_shows_the_last_change_stats_and_top_contributors() {
    let Some(repo) = fixture() else { return };
    let response = run_on(repo.path(), &entities());
    let blocks = card(&response, "component:default/a").expect("a card for a");
    let html =
        "Last change <time datetime=\"2024-05-29T12:00:00Z\">2024-05-29</time> by Dave &quot;D&quot; &amp; O&#39;Co";
    assert_eq!(blocks[0], Block::Html { html: html.to_owned() });
    assert_eq!(blocks[1], stat("commits in 90 days", 3));
    assert_eq!(blocks[2], stat("contributors in 90 days", 2));
    assert!(matches!(blocks[3], Block::Sparkline { .. }));
    assert_eq!(
        blocks[4],
        Block::Kv {
            title: Some("Top contributors, 90 days".to_owned()),
            items: vec![
                KvItem { key: "Bob".into(), value: Cell::Number(2.into()) },
                KvItem { key: DAVE.into(), value: Cell::Number(1.into()) },
            ],
        }
    );
    assert_eq!(blocks.len(), 5);
    // The sanitiser keeps the `<time datetime>`.
    let drawn = crate::plugins::blocks::prepare(&blocks[0]);
    assert!(drawn.html.contains("<time datetime=\"2024-05-29T12:00:00Z\">2024-05-29</time>"), "{}", drawn.html);
    let last = |e: &str| facts(&response, e).unwrap()["last_change"].clone();
    assert_eq!(last("component:default/a"), json!("2024-05-29T12:00:00Z"));
    assert_eq!(last("component:default/sub"), json!("2024-05-31T12:00:00Z"), "Erin, on the merged branch");
    assert_eq!(last("component:default/root"), json!("2024-06-01T00:00:00Z"));
    let keys: Vec<&str> = facts(&response, "component:default/root").unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["last_change", "commits_90d", "contributors_90d", "top_contributors"]);
}

#[test]
fn file_times_are_the_newest_commit_per_file() {
    let Some(repo) = fixture() else { return };
    let times = file_times(repo.path()).expect("a history");
    let expected: BTreeMap<String, i64> = [
        ("README.md", HEAD - 12 * HOUR),
        ("catalog-info.yaml", HEAD - 120 * DAY),
        ("svc/a/catalog-info.yaml", HEAD - 120 * DAY),
        ("svc/a/my file.txt", HEAD - 3 * DAY),
        ("svc/a/other.txt", HEAD - 3 * DAY),
        ("svc/a/sub/catalog-info.yaml", HEAD - DAY),
        ("svc/a/sub/notes ünï.md", HEAD - 60 * DAY),
        ("svc/ab/x.txt", HEAD - 20 * DAY),
        ("svc/b/y.txt", HEAD - 20 * DAY),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_owned(), t))
    .collect();
    assert_eq!(times, expected);
}

#[test]
fn a_root_below_the_top_of_the_repository_sees_only_its_subtree() {
    if !have_git() {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git_in(dir, &["init", "-q"], None);
    commit(dir, "Alice", "alice@example.com", HEAD - 30 * DAY, &["portal/svc/x y.txt", "other/z.txt"]);
    commit(dir, "Bob", "bob@example.com", HEAD - 5 * DAY, &["portal/svc/x y.txt"]);
    commit(dir, "Carol", "carol@example.com", HEAD, &["other/z.txt"]);
    let root = dir.join("portal");
    let times = file_times(&root).expect("a history");
    assert_eq!(times, BTreeMap::from([("svc/x y.txt".to_owned(), HEAD - 5 * DAY)]));
    let list = [entity("component:default/svc", "svc/"), entity("component:default/top", "")];
    let response = run_on(&root, &list);
    assert!(response.diagnostics.is_empty(), "{:?}", response.diagnostics);
    assert_eq!(response.facts.len(), 1, "nothing outside svc/ under the root changed");
    let values = facts(&response, "component:default/svc").unwrap();
    assert_eq!(values["commits_90d"], json!(2));
    assert_eq!(values["contributors_90d"], json!(2));
    assert_eq!(values["last_change"], json!(utc(HEAD - 5 * DAY).0));
    // Weeks count back from HEAD (Carol's commit outside the root), not from Bob's.
    assert_eq!(series(&response, "component:default/svc"), [0., 0., 0., 0., 0., 0., 0., 0., 1., 0., 0., 0., 1.]);
}

#[test]
fn a_shallow_clone_gives_one_warning_and_no_dates() {
    let Some(repo) = fixture() else { return };
    let clones = tempfile::tempdir().unwrap();
    let shallow = clones.path().join("shallow");
    let url = format!("file://{}", repo.path().display());
    git_in(clones.path(), &["clone", "-q", "--depth", "1", &url, shallow.to_str().unwrap()], None);
    let response = run_on(&shallow, &entities());
    assert!(response.contributions.is_empty() && response.facts.is_empty());
    assert_eq!(response.diagnostics.len(), 1);
    let d = &response.diagnostics[0];
    assert_eq!((d.level, d.code.as_str()), (DiagnosticLevel::Warning, "git-history-shallow"));
    assert!(d.message.contains("shallow") && d.message.contains("fetch-depth: 0"), "{}", d.message);
    assert!(file_times(&shallow).is_err());
}

#[test]
fn without_a_repository_or_git_there_is_one_warning() {
    if !have_git() {
        return;
    }
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("catalog-info.yaml"), "x").unwrap();
    let in_a_repo = Command::new("git").arg("-C").arg(plain.path()).args(["rev-parse", "--git-dir"]).output();
    if in_a_repo.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: the temporary directory is inside a git repository");
        return;
    }
    let unavailable = |response: &Response, level: DiagnosticLevel| {
        assert!(response.contributions.is_empty() && response.facts.is_empty());
        assert_eq!(response.diagnostics.len(), 1);
        let d = &response.diagnostics[0];
        assert_eq!((d.level, d.code.as_str()), (level, "git-history-unavailable"));
        d.message.clone()
    };
    let message = unavailable(&run_on(plain.path(), &entities()), DiagnosticLevel::Info);
    assert!(message.contains("not a git repository"), "{message}");
    assert!(file_times(plain.path()).is_err());
    let no_git = read_with(OsStr::new("portico-test-no-such-git"), plain.path());
    let message = unavailable(&respond(&entities(), &no_git), DiagnosticLevel::Warning);
    assert!(message.contains("`git` could not be run"), "{message}");
    // A repository without a commit yet has no activity, and nothing is wrong.
    git_in(plain.path(), &["init", "-q"], None);
    let response = run_on(plain.path(), &entities());
    assert!(response.diagnostics.is_empty() && response.facts.is_empty() && response.contributions.is_empty());
    assert_eq!(file_times(plain.path()), Ok(BTreeMap::new()));
}
