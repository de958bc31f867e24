//! `git-history`: when and by whom each entity's directory changed, from one `git log` pass.
//!
//! Input: the portal root and every entity's `source.dir`. Output: for each entity with at least
//! one commit, an `Activity` card (last change, commits and contributors in 90 days, commits per
//! week for 13 weeks, top contributors) and the same numbers as facts; or, when the history
//! cannot be read or is cut short (a shallow clone), one warning and nothing else — never wrong
//! dates.
//!
//! [`History::read`] asks `git rev-parse` whether the root is in a repository, whether it is
//! shallow and which commit HEAD is, `git show -s` for HEAD's commit time, then walks the
//! history once:
//!
//! ```text
//! git -C ROOT log --no-merges --no-renames --relative --name-only -z --no-color --encoding=UTF-8
//!     --format=%x00%ct%x00%aN%x00%aE HEAD -- .
//! ```
//!
//! - `-- .` and `--relative`: only commits that changed something under the root (which may be
//!   a subdirectory of the repository), with paths relative to the root. Merges into the root's
//!   history are simplified as `git log -- DIR` does.
//! - `--no-merges`: a change counts once, for the person who wrote it; a merge commit only brings
//!   commits that are themselves listed (and `--name-only` lists no files for merges anyway).
//!   `--first-parent` would instead credit whoever merged a branch, not its authors.
//! - `-z`: NUL after every field and path, paths unquoted: spaces, newlines and non-ASCII names
//!   arrive as they are. Each commit opens with an empty field (no path is empty).
//! - `%aN`/`%aE`: author name and e-mail after `.mailmap`; contributors are told apart by
//!   e-mail (case-insensitively) and shown by the name of their newest commit.
//! - `-c` settings pin what a user's git config could change (`log.showSignature` adds lines,
//!   `log.follow` would follow one path, `log.showRoot=false` would hide the first commit's files).
//!
//! Invariants: time windows end at HEAD's commit time (committer time), not at the clock, so two
//! builds of the same commit are byte-identical; changes are attributed to the entities whose
//! `source.dir` is the longest directory prefix of the path (`""` at the root), by walking up a
//! map of directories (files × depth); everything is sorted.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::fmt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{Map, Value, json};

use super::{BuiltIn, Input};
use crate::plugins::protocol::{
    Block, Cell, Contribution, DiagnosticLevel, Fact, KvItem, PROTOCOL, PluginDiagnostic, RequestEntity, Response,
};

pub const PLUGIN: BuiltIn = BuiltIn { id: "git-history", version: "1", inputs: &[".mailmap"], run };

const DAY: i64 = 86_400;
/// Commits and contributors are counted over this many days before HEAD.
const WINDOW_DAYS: i64 = 90;
/// The weekly series: this many weeks before HEAD, oldest first.
const WEEKS: usize = 13;
/// Contributors listed on the card and in the facts.
const TOP: usize = 5;

/// Settings a user's git config could otherwise change the output of `git log` with.
const PINNED: &[&str] = &["-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "log.showRoot=true"];

fn run(input: &Input) -> Response {
    respond(input.entities, (*shared(input.root)).clone())
}

/// Root-relative path → unix time of the newest commit touching it (for "last updated" on
/// docs pages), from the same single `git log` pass; the message when there is no usable
/// history (not a repository, no `git`, a shallow clone).
pub fn file_times(root: &Path) -> Result<BTreeMap<String, i64>, String> {
    match &*shared(root) {
        Ok(history) => Ok(history.file_times()),
        Err(e) => Err(e.to_string()),
    }
}

type Shared = std::sync::Arc<Result<History, NoHistory>>;

/// The history of `root` at its checked-out commit, read once per process and commit: the
/// plugin and the docs pages' "last updated" share one `git log` pass, which [`prefetch`] may
/// have started while the catalog was being read. Only the last commit's is kept.
fn shared(root: &Path) -> Shared {
    use std::sync::{Arc, Mutex, OnceLock};
    type Slot = Arc<OnceLock<Shared>>;
    static LAST: Mutex<Option<((std::path::PathBuf, String), Slot)>> = Mutex::new(None);
    let Some(commit) = crate::repo::head(root).0 else { return Arc::new(History::read(root)) };
    let key = (root.to_path_buf(), commit);
    let slot = {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        match &*last {
            Some((k, slot)) if *k == key => slot.clone(),
            _ => {
                let slot: Slot = Arc::default();
                *last = Some((key, slot.clone()));
                slot
            }
        }
    };
    slot.get_or_init(|| Arc::new(History::read(root))).clone()
}

/// Starts reading the history of `root` on another thread (the build goes on; the plugin then
/// finds it read, or waits for the rest).
pub fn prefetch(root: &Path) {
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        shared(&root);
    });
}

/// One non-merge commit that changed something under the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Commit {
    /// Committer time, unix seconds.
    pub time: i64,
    /// Author name and e-mail, after `.mailmap`.
    pub name: String,
    pub email: String,
    /// Changed paths, relative to the root.
    pub files: Vec<String>,
}

/// The history of the root's subtree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct History {
    /// HEAD's committer time, the end of every window (`None` before the first commit).
    pub head_time: Option<i64>,
    /// Newest first, in `git log` order.
    pub commits: Vec<Commit>,
}

/// Why there are no dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NoHistory {
    /// `git` could not be run, the root is not in a repository, or git failed (the reason).
    Unavailable(String),
    /// The checkout is shallow: its oldest commits stand in for all that came before.
    Shallow,
}

impl NoHistory {
    fn code(&self) -> &'static str {
        match self {
            NoHistory::Unavailable(_) => "git-history-unavailable",
            NoHistory::Shallow => "git-history-shallow",
        }
    }
}

impl fmt::Display for NoHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoHistory::Unavailable(reason) => write!(f, "no git history, so no activity is shown: {reason}"),
            NoHistory::Shallow => f.write_str(
                "the git checkout is shallow (`git rev-parse --is-shallow-repository` is true): its history is cut \
                 short and change dates would be wrong, so no activity is shown; fetch the whole history (GitHub \
                 Actions: `actions/checkout` with `fetch-depth: 0`; elsewhere `git fetch --unshallow`)",
            ),
        }
    }
}

impl History {
    /// The history of `root`'s subtree (see the module comment for the commands).
    pub fn read(root: &Path) -> Result<History, NoHistory> {
        read_with(OsStr::new("git"), root)
    }

    /// Every path → the time of the newest commit that touched it.
    pub fn file_times(&self) -> BTreeMap<String, i64> {
        let mut times = BTreeMap::new();
        for commit in &self.commits {
            for file in &commit.files {
                let time = times.entry(file.clone()).or_insert(commit.time);
                *time = (*time).max(commit.time);
            }
        }
        times
    }
}

/// [`History::read`] with the `git` program named (a test names one that does not exist).
fn read_with(program: &OsStr, root: &Path) -> Result<History, NoHistory> {
    let probe = git(
        program,
        root,
        &["rev-parse", "--is-shallow-repository", "--show-prefix", "--verify", "--quiet", "HEAD^{commit}"],
    )?;
    let stdout = String::from_utf8_lossy(&probe.stdout);
    let mut lines = stdout.lines();
    match lines.next() {
        Some("false") => {}
        Some("true") => return Err(NoHistory::Shallow),
        _ => return Err(failed("git rev-parse", &probe)),
    }
    // The root's path in the repository (empty at its top).
    let prefix = lines.next().unwrap_or_default().to_owned();
    // In a repository, `--verify --quiet` fails without a word only while HEAD has no commit.
    let Some(head) = lines.next().filter(|h| probe.status.success() && h.bytes().all(|b| b.is_ascii_hexdigit())) else {
        return Ok(History::default());
    };
    let shown = git(program, root, &["show", "-s", "--format=%ct", head])?;
    if !shown.status.success() {
        return Err(failed("git show", &shown));
    }
    let head_time = String::from_utf8_lossy(&shown.stdout)
        .trim()
        .parse::<i64>()
        .map_err(|_| NoHistory::Unavailable(format!("`git show` printed no commit time for HEAD ({head})")))?;
    let mut args = vec![
        "log",
        "--no-merges",
        "--no-renames",
        "--name-only",
        "-z",
        "--no-color",
        "--encoding=UTF-8",
        "--format=%x00%ct%x00%aN%x00%aE",
        head,
    ];
    // Below the top of the repository, only the root's subtree, with paths relative to it. At
    // the top every commit is the root's: no pathspec, which costs git a second tree
    // comparison per commit (two thirds more time).
    if !prefix.is_empty() {
        args.splice(1..1, ["--relative"]);
        args.extend(["--", "."]);
    }
    let log = git(program, root, &args)?;
    if !log.status.success() {
        return Err(failed("git log", &log));
    }
    let commits = parse_log(&log.stdout).map_err(NoHistory::Unavailable)?;
    Ok(History { head_time: Some(head_time), commits })
}

/// Runs `git -C root ARGS` with the pinned settings, outside any repository the environment
/// names (a git hook sets `GIT_DIR`).
fn git(program: &OsStr, root: &Path, args: &[&str]) -> Result<Output, NoHistory> {
    Command::new(program)
        .arg("-C")
        .arg(root)
        .args(PINNED)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_COMMON_DIR")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| NoHistory::Unavailable(format!("`git` could not be run ({e}); install git to see activity")))
}

/// A failed git command, with the first line git printed about it.
fn failed(what: &str, output: &Output) -> NoHistory {
    let stderr = String::from_utf8_lossy(&output.stderr);
    match stderr.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) => NoHistory::Unavailable(format!("`{what}` in the portal root failed: {line}")),
        None => NoHistory::Unavailable(format!("`{what}` in the portal root failed ({})", output.status)),
    }
}

/// The commits of `git log -z --name-only --format=%x00%ct%x00%aN%x00%aE`: each is an empty
/// field, time, name, e-mail, then its paths (the first after a newline) up to the next empty
/// field.
fn parse_log(out: &[u8]) -> Result<Vec<Commit>, String> {
    let unexpected = || "`git log` printed something Portico cannot read".to_owned();
    let text = |field: &[u8]| String::from_utf8_lossy(field).into_owned();
    let mut fields = out.split(|&b| b == 0);
    match fields.next() {
        Some([]) | None => {}
        Some(_) => return Err(unexpected()),
    }
    let mut commits = Vec::new();
    while let Some(time) = fields.next() {
        let time = std::str::from_utf8(time).ok().and_then(|t| t.parse::<i64>().ok()).ok_or_else(unexpected)?;
        let (Some(name), Some(email)) = (fields.next(), fields.next()) else { return Err(unexpected()) };
        let mut files = Vec::new();
        for field in fields.by_ref() {
            match field {
                [] => break,
                [b'\n', path @ ..] if files.is_empty() => files.push(text(path)),
                path => files.push(text(path)),
            }
        }
        commits.push(Commit { time, name: text(name), email: text(email), files });
    }
    Ok(commits)
}

/// What the commits touching one directory add up to.
#[derive(Clone, Debug, Default)]
struct Activity {
    /// The newest commit: time and author name.
    last: Option<(i64, String)>,
    commits: u64,
    /// By identity (lower-case e-mail): commits in the window.
    contributors: HashMap<String, Contributor>,
    /// Commits per week, oldest first.
    weeks: [u64; WEEKS],
}

#[derive(Clone, Debug)]
struct Contributor {
    /// The name of the newest commit, and its time.
    name: String,
    time: i64,
    commits: u64,
}

impl Activity {
    fn add(&mut self, commit: &Commit, head_time: i64) {
        if self.last.as_ref().is_none_or(|(t, _)| commit.time > *t) {
            self.last = Some((commit.time, commit.name.clone()));
        }
        // A commit dated after HEAD (a skewed clock) is as new as HEAD.
        let age = (head_time - commit.time).max(0);
        let week = age / (7 * DAY);
        if week < WEEKS as i64 {
            self.weeks[WEEKS - 1 - week as usize] += 1;
        }
        if age < WINDOW_DAYS * DAY {
            self.commits += 1;
            let id =
                if commit.email.is_empty() { format!("name:{}", commit.name) } else { commit.email.to_lowercase() };
            let c = self.contributors.entry(id).or_insert_with(|| Contributor {
                name: commit.name.clone(),
                time: commit.time,
                commits: 0,
            });
            c.commits += 1;
            if commit.time > c.time {
                c.name.clone_from(&commit.name);
                c.time = commit.time;
            }
        }
    }

    /// The top contributors: most commits first, then by name.
    fn top(&self) -> Vec<(&str, u64)> {
        let mut all: Vec<(&String, &Contributor)> = self.contributors.iter().collect();
        all.sort_by(|(a_id, a), (b_id, b)| (b.commits, &a.name, a_id).cmp(&(a.commits, &b.name, b_id)));
        all.into_iter().take(TOP).map(|(_, c)| (c.name.as_str(), c.commits)).collect()
    }
}

/// `dir` as a key: no `./`, no trailing `/`, `""` for the root.
fn normalise(dir: &str) -> &str {
    let dir = dir.trim_start_matches("./").trim_end_matches('/');
    if dir == "." { "" } else { dir }
}

/// The directory of `path` (`""` at the root).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The activity of each directory of `dirs`: a path counts for the longest of them that is a
/// directory prefix of it; a commit counts once per directory.
fn activities<'a>(history: &History, head_time: i64, dirs: &[&'a str]) -> HashMap<&'a str, Activity> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for &dir in dirs {
        let next = index.len();
        index.entry(dir).or_insert(next);
    }
    let mut out = vec![Activity::default(); index.len()];
    // The commit a directory was last counted for, to count each commit once.
    let mut seen = vec![usize::MAX; index.len()];
    let mut touched = Vec::new();
    for (n, commit) in history.commits.iter().enumerate() {
        touched.clear();
        for file in &commit.files {
            let mut dir = parent(file);
            let owner = loop {
                if let Some(&i) = index.get(dir) {
                    break Some(i);
                }
                if dir.is_empty() {
                    break None;
                }
                dir = parent(dir);
            };
            if let Some(i) = owner
                && seen[i] != n
            {
                seen[i] = n;
                touched.push(i);
            }
        }
        for &i in &touched {
            out[i].add(commit, head_time);
        }
    }
    let mut by_dir: HashMap<&str, Activity> = HashMap::new();
    for (dir, i) in index {
        by_dir.insert(dir, std::mem::take(&mut out[i]));
    }
    by_dir
}

/// The response for `entities` given the history (or why there is none).
fn respond(entities: &[RequestEntity], history: Result<History, NoHistory>) -> Response {
    let mut response = Response { protocol: PROTOCOL, ..Response::default() };
    let history = match history {
        Ok(history) => history,
        Err(why) => {
            // Outside a repository (a source archive, a copy) there is nothing to fix: a note.
            let outside = matches!(&why, NoHistory::Unavailable(r) if r.contains("not a git repository"));
            response.diagnostics.push(PluginDiagnostic {
                level: if outside { DiagnosticLevel::Info } else { DiagnosticLevel::Warning },
                code: why.code().to_owned(),
                message: why.to_string(),
                entity: None,
                file: None,
                line: None,
                column: None,
            });
            return response;
        }
    };
    let Some(head_time) = history.head_time else { return response };
    let dirs: Vec<&str> = entities.iter().map(|e| normalise(&e.source.dir)).collect();
    let activity = activities(&history, head_time, &dirs);
    let mut order: Vec<usize> = (0..entities.len()).collect();
    order.sort_by(|&a, &b| entities[a].entity_ref.cmp(&entities[b].entity_ref));
    for i in order {
        let Some(a) = activity.get(dirs[i]) else { continue };
        let Some((last_time, last_name)) = &a.last else { continue };
        let entity = &entities[i].entity_ref;
        let (datetime, date) = utc(*last_time);
        let top = a.top();
        let mut blocks = vec![
            Block::Html {
                html: format!(
                    "Last change <time datetime=\"{datetime}\">{date}</time> by {}",
                    crate::html::escape(last_name)
                ),
            },
            stat("commits in 90 days", a.commits),
            stat("contributors in 90 days", a.contributors.len() as u64),
            Block::Sparkline {
                label: "commits per week, last 13 weeks".to_owned(),
                values: a.weeks.iter().map(|&n| n as f64).collect(),
            },
        ];
        if !top.is_empty() {
            blocks.push(Block::Kv {
                title: Some("Top contributors, 90 days".to_owned()),
                items: top
                    .iter()
                    .map(|(name, n)| KvItem { key: (*name).to_owned(), value: Cell::Number((*n).into()) })
                    .collect(),
            });
        }
        response.contributions.push(Contribution::EntityCard {
            entity: entity.clone(),
            id: "git-history".to_owned(),
            title: "Activity".to_owned(),
            blocks,
        });
        let mut values = Map::new();
        values.insert("last_change".to_owned(), Value::String(datetime));
        values.insert("commits_90d".to_owned(), json!(a.commits));
        values.insert("contributors_90d".to_owned(), json!(a.contributors.len()));
        values.insert(
            "top_contributors".to_owned(),
            top.iter().map(|(name, n)| json!({"name": name, "commits": n})).collect(),
        );
        response.facts.push(Fact { entity: entity.clone(), values });
    }
    response
}

fn stat(label: &str, n: u64) -> Block {
    Block::Stat { label: label.to_owned(), value: Cell::Number(n.into()), unit: None, trend: None }
}

/// Unix time `t` in UTC: `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DD`.
pub fn utc(t: i64) -> (String, String) {
    let (days, secs) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let date = format!("{year:04}-{month:02}-{day:02}");
    let datetime = format!("{date}T{:02}:{:02}:{:02}Z", secs / 3_600, secs / 60 % 60, secs % 60);
    (datetime, date)
}

#[cfg(test)]
mod tests {
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
        let response = respond(&[entity("component:default/x", "svc")], Ok(history));
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
        let html = "Last change <time datetime=\"2024-05-29T12:00:00Z\">2024-05-29</time> by Dave &quot;D&quot; &amp; O&#39;Co";
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
        let message = unavailable(&respond(&entities(), no_git), DiagnosticLevel::Warning);
        assert!(message.contains("`git` could not be run"), "{message}");
        // A repository without a commit yet has no activity, and nothing is wrong.
        git_in(plain.path(), &["init", "-q"], None);
        let response = run_on(plain.path(), &entities());
        assert!(response.diagnostics.is_empty() && response.facts.is_empty() && response.contributions.is_empty());
        assert_eq!(file_times(plain.path()), Ok(BTreeMap::new()));
    }
}
