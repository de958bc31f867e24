//! The fixture harness: a monorepo in a temporary directory, built from files written inline,
//! from `tests/fixtures/<name>/`, or from the shared Backstage examples, and a runner for the
//! `portico` binary with the fixture as working directory (so printed paths are short and
//! stable for snapshots).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Fixture {
    dir: tempfile::TempDir,
}

/// What a run of `portico` printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The project's `tests/fixtures` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `../shared/fixtures/backstage-examples` next to the project.
pub fn backstage_examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/backstage-examples")
}

impl Fixture {
    pub fn empty() -> Self {
        Fixture { dir: tempfile::tempdir().unwrap() }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn named(name: &str) -> Self {
        Self::copy_of(&fixtures_dir().join(name))
    }

    /// A copy of any directory.
    pub fn copy_of(dir: &Path) -> Self {
        let f = Self::empty();
        copy_dir(dir, f.dir.path());
        f
    }

    /// Writes (or overwrites) a file, creating its directories.
    pub fn file(self, rel: &str, content: &str) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs `portico <args>` in the fixture directory.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// [`Fixture::run`] with further environment variables.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(args)
            .current_dir(self.path())
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .expect("portico runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `git <args>` in the fixture directory (a repository of its own: no system config,
    /// a fixed identity, `main` as the first branch); panics when git fails.
    pub fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `portico check . <args>`.
    pub fn check(&self, args: &[&str]) -> Run {
        let mut all = vec!["check", "."];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `portico build . --out <tmp>/public <args>`; the output lands in `public/`.
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build", ".", "--quiet"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// The diagnostics of `check --format json`, one JSON value each.
    pub fn diagnostics(&self) -> Vec<serde_json::Value> {
        let run = self.check(&["--format", "json"]);
        assert!(run.code == 0 || run.code == 1, "check failed to run: {run:?}");
        run.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect()
    }
}

impl Run {
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// `file:line:col code` of each diagnostic, the compact form most tests compare.
/// Writes the shared synthetic monorepo (`../shared/bench/gen-monorepo.py`) into `dir` with
/// the generator's `args` (`--components 1000`, …).
pub fn generate_monorepo(dir: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen-monorepo.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "gen-monorepo.py {args:?} failed");
}

pub fn summary(diags: &[serde_json::Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["file"].as_str().unwrap_or("-"),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

/// A minimal valid Component descriptor named `name`, owned by `owner`.
pub fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

/// A minimal valid Group descriptor.
pub fn group(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n"
    )
}

/// Runs `portico <args>` in `dir` with `PORTICO_TRACE=1` (no `--quiet` in `args`) and returns
/// its stderr and its own peak memory in MB (the highest `peak` of its stage lines, read from
/// `/proc/self/status` by the build). Not `wait4`'s figure: for a child started by vfork it
/// includes the test process's peak, which the in-process tests make large.
#[cfg(target_os = "linux")]
pub fn run_peak_mb(dir: &Path, args: &[&str]) -> (String, u64) {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .current_dir(dir)
        .env("CI", "true")
        .env("PORTICO_TRACE", "1")
        .output()
        .expect("portico runs");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?} failed:\n{log}");
    let peak = log
        .lines()
        .filter_map(|l| l.split(", peak ").nth(1)?.split(' ').next()?.parse().ok())
        .max()
        .unwrap_or_else(|| panic!("no stage line with memory:\n{log}"));
    (log, peak)
}

/// What a run cost.
pub struct Cost {
    pub code: i32,
    pub stdout: String,
    pub max_rss_mb: u64,
}

/// Runs `portico <args>` in `dir`, killed after `deadline`; measures peak RSS.
#[cfg(target_os = "linux")]
pub fn run_measured(dir: &Path, args: &[&str], deadline: Duration) -> Cost {
    use std::io::Read;
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .current_dir(dir)
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child; `status` and `usage` are valid out-pointers.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("{args:?} still running after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -libc::WTERMSIG(status) };
    Cost { code, stdout: reader.join().unwrap(), max_rss_mb: usage.ru_maxrss as u64 / 1024 }
}
