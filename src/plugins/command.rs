//! Running a command plugin: one process per call, with a deadline, an output cap and its
//! stderr passed on line by line with the plugin's id in front.
//!
//! The process runs in its own process group from the portal root, with a small environment
//! (`PATH`, `HOME`, `LANG`, `LC_ALL`, `TMPDIR` and the variables the plugin's `env` lists: a CI
//! token is not handed to every plugin). At the deadline the whole group is killed, so a plugin
//! that started children of its own leaves nothing running.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Largest stdout read from a plugin.
pub const MAX_OUTPUT: usize = 256 * 1024 * 1024;

/// Variables every plugin gets (when set).
const BASE_ENV: [&str; 5] = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"];

/// Why a run gave no output.
#[derive(Debug)]
pub enum Failure {
    /// The command could not be started.
    Spawn(std::io::Error),
    /// It ran past its deadline and was killed.
    Timeout(Duration),
    /// It printed more than [`MAX_OUTPUT`] bytes.
    TooLarge,
    /// It exited unsuccessfully (stdout so far kept for the message).
    Exit(ExitStatus),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Spawn(e) => write!(f, "could not be started: {e}"),
            Failure::Timeout(t) => write!(f, "did not finish within {} s and was stopped", t.as_secs_f64()),
            Failure::TooLarge => write!(f, "printed more than {} MB", MAX_OUTPUT / (1024 * 1024)),
            Failure::Exit(status) => match status.code() {
                Some(code) => write!(f, "exited with status {code}"),
                None => write!(f, "was killed by a signal ({status})"),
            },
        }
    }
}

/// Runs `argv` in `root` with `input` on stdin; returns its stdout.
pub fn run(
    id: &str,
    argv: &[String],
    root: &Path,
    env: &[String],
    input: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let (program, args) = argv.split_first().ok_or_else(|| Failure::Spawn(std::io::Error::other("empty command")))?;
    // A program given as a relative path with a separator is relative to the root; a bare name
    // is looked up on PATH.
    let program = if program.contains('/') && !Path::new(program).is_absolute() {
        root.join(program).into_os_string()
    } else {
        program.into()
    };
    let mut command = Command::new(program);
    command.args(args).current_dir(root).env_clear();
    for name in BASE_ENV.iter().copied().chain(env.iter().map(String::as_str)) {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(Failure::Spawn)?;
    let started = Instant::now();

    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    // A plugin may exit without reading its input: a broken pipe is not an error.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    // The pipes are read on threads that report through channels: a process that escaped the
    // group (setsid) may keep them open, and is then given up on at the deadline.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let read = (&mut stdout).take(MAX_OUTPUT as u64 + 1).read_to_end(&mut out);
        // Drain what is left so that the plugin is not blocked on a full pipe.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        let _ = out_tx.send(read.map(|_| out));
    });
    let stderr = child.stderr.take().expect("piped stderr");
    let prefix = format!("[plugin:{id}] ");
    let (err_tx, err_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stderr);
        let mut line = Vec::new();
        while std::io::BufRead::read_until(&mut lines, b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line);
            eprintln!("{prefix}{}", text.trim_end_matches(['\n', '\r']));
            line.clear();
        }
        let _ = err_tx.send(());
    });

    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() >= timeout => {
                kill_group(&mut child);
                break Err(Failure::Timeout(timeout));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => break Err(Failure::Spawn(e)),
        }
    };
    // The group may still hold the pipes (a child of the plugin): kill it before joining.
    if status.is_ok() {
        kill_group(&mut child);
    }
    let left = || timeout.saturating_sub(started.elapsed()).max(Duration::from_millis(100));
    let out = match out_rx.recv_timeout(left()) {
        Ok(read) => read.unwrap_or_default(),
        Err(_) => return Err(status.err().unwrap_or(Failure::Timeout(timeout))),
    };
    let _ = err_rx.recv_timeout(left());
    // Not joined: it ends when the pipe breaks, which a process that escaped the group may delay.
    drop(writer);
    let status = status?;
    if out.len() > MAX_OUTPUT {
        return Err(Failure::TooLarge);
    }
    if !status.success() {
        return Err(Failure::Exit(status));
    }
    Ok(out)
}

/// Kills the process group of `child` (and the child itself), then reaps it.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals the process group the child leads
    // (process_group(0) made its pid the group id); no memory is touched.
    unsafe {
        libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}
