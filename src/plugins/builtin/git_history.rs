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
    respond(input.entities, &shared(input.root))
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
    /// The root is not in a git repository (a source archive, a copy): nothing to fix (the
    /// reason, as git gives it).
    Outside(String),
    /// `git` could not be run, or git failed (the reason).
    Unavailable(String),
    /// The checkout is shallow: its oldest commits stand in for all that came before.
    Shallow,
}

impl NoHistory {
    fn code(&self) -> &'static str {
        match self {
            NoHistory::Outside(_) | NoHistory::Unavailable(_) => "git-history-unavailable",
            NoHistory::Shallow => "git-history-shallow",
        }
    }
}

impl fmt::Display for NoHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoHistory::Outside(reason) | NoHistory::Unavailable(reason) => {
                write!(f, "no git history, so no activity is shown: {reason}")
            }
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
        // Git's own messages untranslated: [`failed`] reads them.
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| NoHistory::Unavailable(format!("`git` could not be run ({e}); install git to see activity")))
}

/// A failed git command, with the first line git printed about it.
fn failed(what: &str, output: &Output) -> NoHistory {
    let stderr = String::from_utf8_lossy(&output.stderr);
    match stderr.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) if line.contains("not a git repository") => {
            NoHistory::Outside(format!("`{what}` in the portal root failed: {line}"))
        }
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
fn respond(entities: &[RequestEntity], history: &Result<History, NoHistory>) -> Response {
    let mut response = Response { protocol: PROTOCOL, ..Response::default() };
    let history = match history {
        Ok(history) => history,
        Err(why) => {
            // Outside a repository there is nothing to fix: a note.
            let outside = matches!(why, NoHistory::Outside(_));
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
    let activity = activities(history, head_time, &dirs);
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
#[path = "git_history_tests.rs"]
mod tests;
