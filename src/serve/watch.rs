//! Watching the monorepo for `serve`: native file events (notify) or polling (`--poll`, for
//! containers and network mounts where events are missed), debounced into batches.
//!
//! Output: batches of changed paths relative to the root, without `.git`, the output directory,
//! Portico's temporary directories and other hidden paths (but for the hidden files built-in
//! plugins read, [`HIDDEN_INPUTS`]). A burst (an editor's write-and-rename,
//! a `git checkout` of 500 files) arrives as one batch: the batch closes after a short quiet
//! period, or at the latest after one second.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// Hidden files that are inputs (of the built-in plugins `codeowners` and `git-history`).
pub const HIDDEN_INPUTS: [&str; 2] = [".github/CODEOWNERS", ".mailmap"];

/// Quiet time that closes a batch.
const QUIET: Duration = Duration::from_millis(25);
/// Longest a batch waits.
const MAX_WAIT: Duration = Duration::from_secs(1);
/// Time between two scans of `--poll`.
const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// Starts watching `root`; batches of changed root-relative paths arrive on the returned channel.
/// The watcher lives as long as the returned handle.
pub fn watch(
    root: &Path,
    out_dir: &Path,
    poll: bool,
) -> notify::Result<(Box<dyn std::any::Any + Send>, mpsc::Receiver<Vec<String>>)> {
    let (raw_tx, raw_rx) = mpsc::channel::<PathBuf>();
    let event_tx = raw_tx.clone();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for p in event.paths {
                let _ = event_tx.send(p);
            }
        }
    };
    let watcher: Box<dyn std::any::Any + Send> = if poll {
        Box::new(Poller::start(root, out_dir, POLL_INTERVAL, raw_tx))
    } else {
        let mut w = notify::recommended_watcher(handler)?;
        w.watch(root, RecursiveMode::Recursive)?;
        Box::new(w)
    };

    let (tx, rx) = mpsc::channel();
    let root = root.to_path_buf();
    let out_dir = out_dir.to_path_buf();
    std::thread::spawn(move || {
        while let Ok(first) = raw_rx.recv() {
            let started = Instant::now();
            let mut batch = BTreeSet::new();
            let mut add = |p: PathBuf| {
                if let Some(rel) = relevant(&root, &out_dir, &p) {
                    batch.insert(rel);
                }
            };
            add(first);
            while started.elapsed() < MAX_WAIT {
                match raw_rx.recv_timeout(QUIET) {
                    Ok(p) => add(p),
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            if !batch.is_empty() && tx.send(batch.into_iter().collect()).is_err() {
                return;
            }
        }
    });
    Ok((watcher, rx))
}

/// `--poll`: scans the tree every `interval` and reports every path whose modification time (to
/// the nanosecond), size or type changed, appeared or disappeared. Written here because notify
/// 8.2's `PollWatcher` compares modification times in whole seconds and so misses a second save
/// within the same second (fixed in notify 9, still a release candidate). Stops when the
/// receiver is gone or the handle is dropped.
struct Poller {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

type Stamp = (Option<std::time::SystemTime>, u64, bool);

impl Poller {
    fn start(root: &Path, out_dir: &Path, interval: Duration, tx: mpsc::Sender<PathBuf>) -> Poller {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let out_dir = out_dir.to_path_buf();
        // The first scan happens before `start` returns, so no edit after it is missed.
        let mut known = scan(&root, &out_dir);
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(interval);
                let now = scan(&root, &out_dir);
                let changed = now
                    .iter()
                    .filter(|(p, stamp)| known.get(*p) != Some(stamp))
                    .map(|(p, _)| p)
                    .chain(known.keys().filter(|p| !now.contains_key(*p)));
                for p in changed {
                    if tx.send(p.clone()).is_err() {
                        return;
                    }
                }
                known = now;
            }
        });
        Poller { stop }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Every path under `root` (hidden ones and the output directory excluded) with its stamp.
fn scan(root: &Path, out_dir: &Path) -> std::collections::HashMap<PathBuf, Stamp> {
    let out_dir = out_dir.to_path_buf();
    let walk = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(true)
        .filter_entry(move |e| !e.path().starts_with(&out_dir))
        .build();
    let mut found: std::collections::HashMap<PathBuf, Stamp> = walk
        .filter_map(Result::ok)
        .filter(|e| e.depth() > 0)
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((e.into_path(), (meta.modified().ok(), meta.len(), meta.is_dir())))
        })
        .collect();
    for rel in HIDDEN_INPUTS {
        if let Ok(meta) = std::fs::metadata(root.join(rel)) {
            found.insert(root.join(rel), (meta.modified().ok(), meta.len(), meta.is_dir()));
        }
    }
    found
}

/// The root-relative path of a changed file, unless it is never an input.
fn relevant(root: &Path, out_dir: &Path, path: &Path) -> Option<String> {
    if path.starts_with(out_dir) {
        return None;
    }
    let rel = crate::discover::relative(root, path)?;
    let hidden = rel.split('/').any(|part| part.starts_with('.')) && !HIDDEN_INPUTS.contains(&rel.as_str());
    (!rel.is_empty() && !hidden).then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_git_output_and_hidden_paths() {
        let root = Path::new("/repo");
        let out = Path::new("/repo/public");
        assert_eq!(relevant(root, out, Path::new("/repo/a/catalog-info.yaml")).as_deref(), Some("a/catalog-info.yaml"));
        for p in ["/repo/.git/index", "/repo/public/index.html", "/repo/a/.portico-x/y", "/repo/.swp", "/elsewhere/x"] {
            assert_eq!(relevant(root, out, Path::new(p)), None, "{p}");
        }
        // Hidden files the built-in plugins read.
        for p in [".github/CODEOWNERS", ".mailmap"] {
            assert_eq!(relevant(root, out, &root.join(p)).as_deref(), Some(p));
        }
        assert_eq!(relevant(root, out, Path::new("/repo/.github/workflows/ci.yml")), None);
    }

    #[test]
    fn polling_sees_every_save_even_within_one_second() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/index.md"), "one").unwrap();
        let (tx, rx) = mpsc::channel();
        let _poller = Poller::start(root, &root.join("public"), Duration::from_millis(20), tx);
        let next = || rx.recv_timeout(Duration::from_secs(10)).expect("a change is reported");
        // Same size, same second: only the sub-second time differs.
        std::thread::sleep(Duration::from_millis(5));
        std::fs::write(root.join("docs/index.md"), "two").unwrap();
        assert_eq!(next(), root.join("docs/index.md"));
        std::fs::create_dir_all(root.join("public")).unwrap();
        std::fs::write(root.join("public/index.html"), "out").unwrap();
        std::fs::write(root.join(".hidden"), "x").unwrap();
        std::fs::create_dir_all(root.join(".github")).unwrap();
        std::fs::write(root.join(".github/CODEOWNERS"), "* @acme/platform\n").unwrap();
        std::fs::remove_file(root.join("docs/index.md")).unwrap();
        let mut seen = vec![next()];
        while let Ok(p) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(p);
        }
        assert!(seen.contains(&root.join("docs/index.md")), "{seen:?}");
        assert!(seen.contains(&root.join(".github/CODEOWNERS")), "a hidden input is seen: {seen:?}");
        assert!(seen.iter().all(|p| !p.starts_with(root.join("public")) && !p.ends_with(".hidden")), "{seen:?}");
    }
}
