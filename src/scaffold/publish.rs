//! `--publish`: what a template's `publish:*` step would do, handed to `git` and `gh` after the
//! files are written. Portico never sees a token: `git` and `gh` use their own credentials.
//!
//! - `branch`: a new branch `scaffold/<dir>` of the repository with one commit of `--out`;
//! - `pr`: that branch pushed to `origin` and a pull request opened with `gh pr create`;
//! - `repo`: `--out` as a new repository (`git init`, one commit), created and pushed with `gh
//!   repo create OWNER/REPO --source … --push`, OWNER/REPO from the publish step's `repoUrl`
//!   (`repoVisibility` as in Backstage, private by default).

use std::path::Path;
use std::process::Command;

use serde_json::Value as Json;

/// Where the generated files go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Publish {
    Branch,
    Pr,
    Repo,
}

fn run(program: &str, dir: &Path, args: &[&str]) -> Result<String, String> {
    let out =
        Command::new(program).current_dir(dir).args(args).output().map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!("`{program} {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Publishes `out` (already written) as `how` says; returns what was done, for the user.
pub fn publish(how: Publish, out: &Path, template: &str, step: Option<&(String, Json)>) -> Result<String, String> {
    let out = out.canonicalize().map_err(|e| format!("cannot open {}: {e}", out.display()))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "scaffold".into());
    let message = format!("Add {name} from {template}\n\nMade with `portico scaffold`.");
    match how {
        Publish::Branch | Publish::Pr => {
            let top = run("git", &out, &["rev-parse", "--show-toplevel"]).map_err(|e| {
                format!(
                    "--publish {} needs --out inside a git repository: {e}",
                    if how == Publish::Pr { "pr" } else { "branch" }
                )
            })?;
            let top = Path::new(&top);
            let branch = format!("scaffold/{name}");
            run("git", top, &["switch", "-c", &branch])?;
            let rel = out
                .strip_prefix(top.canonicalize().unwrap_or(top.to_path_buf()))
                .unwrap_or(&out)
                .to_string_lossy()
                .into_owned();
            let rel = if rel.is_empty() { ".".to_owned() } else { rel };
            run("git", top, &["add", "--", &rel])?;
            run("git", top, &["commit", "-q", "-m", &message, "--", &rel])?;
            if how == Publish::Branch {
                return Ok(format!("committed {rel} on the new branch {branch}"));
            }
            run("git", top, &["push", "-u", "origin", &branch])?;
            let url = run("gh", top, &["pr", "create", "--fill", "--head", &branch])?;
            Ok(format!("opened {url} from the branch {branch}"))
        }
        Publish::Repo => {
            let input = step.map(|(_, i)| i).ok_or("--publish repo needs a publish:* step with a repoUrl")?;
            let url = input.get("repoUrl").and_then(Json::as_str).ok_or("the publish step has no repoUrl")?;
            let query =
                url.split_once('?').map(|(_, q)| q).ok_or_else(|| format!("`{url}` is not host?owner=…&repo=…"))?;
            let field = |k: &str| {
                url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == k).map(|(_, v)| v.into_owned())
            };
            let owner =
                field("owner").or_else(|| field("organization")).ok_or_else(|| format!("`{url}` names no owner"))?;
            let repo = field("repo").ok_or_else(|| format!("`{url}` names no repo"))?;
            let visibility = match input.get("repoVisibility").and_then(Json::as_str) {
                Some("public") => "--public",
                Some("internal") => "--internal",
                _ => "--private",
            };
            run("git", &out, &["init", "-q", "-b", "main"])?;
            run("git", &out, &["add", "-A"])?;
            run("git", &out, &["commit", "-q", "-m", &message])?;
            let full = format!("{owner}/{repo}");
            let done = run("gh", &out, &["repo", "create", &full, visibility, "--source", ".", "--push"])?;
            Ok(format!("created {full}{}", if done.is_empty() { String::new() } else { format!(": {done}") }))
        }
    }
}
