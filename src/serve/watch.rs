//! Watching the monorepo for `serve`: native file events (notify) or polling (`--poll`, for
//! containers and network mounts where events are missed), debounced into batches.
//!
//! Output: batches of changed paths relative to the root, without `.git`, the output directory,
//! Portico's temporary directories and other hidden paths. A burst (an editor's write-and-rename,
//! a `git checkout` of 500 files) arrives as one batch: the batch closes after a short quiet
//! period, or at the latest after one second.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// Quiet time that closes a batch.
const QUIET: Duration = Duration::from_millis(25);
/// Longest a batch waits.
const MAX_WAIT: Duration = Duration::from_secs(1);

/// Starts watching `root`; batches of changed root-relative paths arrive on the returned channel.
/// The watcher lives as long as the returned handle.
pub fn watch(
    root: &Path,
    out_dir: &Path,
    poll: bool,
) -> notify::Result<(Box<dyn Watcher + Send>, mpsc::Receiver<Vec<String>>)> {
    let (raw_tx, raw_rx) = mpsc::channel::<PathBuf>();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            if matches!(event.kind, notify::EventKind::Access(_)) {
                return;
            }
            for p in event.paths {
                let _ = raw_tx.send(p);
            }
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(300));
        Box::new(notify::PollWatcher::new(handler, config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    watcher.watch(root, RecursiveMode::Recursive)?;

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

/// The root-relative path of a changed file, unless it is never an input.
fn relevant(root: &Path, out_dir: &Path, path: &Path) -> Option<String> {
    if path.starts_with(out_dir) {
        return None;
    }
    let rel = crate::discover::relative(root, path)?;
    let hidden = rel.split('/').any(|part| part.starts_with('.'));
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
    }
}
