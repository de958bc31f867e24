//! This repository's own URLs: which `https://…` addresses name files of the checkout.
//!
//! Backstage reads `url:` Location targets, `url:` TechDocs refs and URL placeholders over the
//! network; most of them point back into the very repository Portico is reading. Input: the
//! `source_url`/`edit_url` templates of portico.yaml, else the `origin` remote of the checkout's
//! `.git/config` (read as a file: no `git` process, no network). Output: a [`Repository`] that
//! maps such a URL to a root-relative path, or `None` for URLs elsewhere.
//!
//! Recognised forms, for a repository at `host/owner/name`: `…/blob/<ref>/<path>`,
//! `…/tree/<ref>/<path>`, `…/raw/<ref>/<path>`, `…/edit/<ref>/<path>` (GitHub, Gitea),
//! `…/-/blob/<ref>/<path>` and `…/-/tree/…` (GitLab), `…/src/<ref>/<path>` (Bitbucket),
//! `raw.githubusercontent.com/owner/name/<ref>/<path>`. A branch name may contain `/`: the
//! first split whose path exists in the checkout wins. Query strings and fragments are dropped.

use std::path::Path;

/// How to recognise URLs of this repository.
#[derive(Clone, Debug, Default)]
pub struct Repository {
    /// URL prefixes that are followed directly by a root-relative path (from `{path}`
    /// templates), e.g. `https://github.com/acme/repo/blob/main/`.
    prefixes: Vec<String>,
    /// `host/owner/name`, lower-case, from the templates or the `origin` remote.
    slug: Option<String>,
}

impl Repository {
    /// From the `{path}` URL templates of portico.yaml, else the checkout's `origin` remote.
    pub fn detect(root: &Path, templates: &[&str]) -> Repository {
        let prefixes: Vec<String> =
            templates.iter().filter_map(|t| t.split_once("{path}").map(|(p, _)| p.to_owned())).collect();
        let slug = prefixes
            .iter()
            .find_map(|p| slug_of_url(p))
            .or_else(|| origin_remote(root).and_then(|u| slug_of_remote(&u)));
        Repository { prefixes, slug }
    }

    /// The page of the root-relative file `rel` on GitHub or GitLab (default branch), when the
    /// repository is there.
    pub fn file_url(&self, rel: &str) -> Option<String> {
        let slug = self.slug.as_deref()?;
        let path = crate::docs::links::encode_path(rel);
        match slug.split_once('/')?.0 {
            "github.com" => Some(format!("https://{slug}/blob/HEAD/{path}")),
            "gitlab.com" => Some(format!("https://{slug}/-/blob/HEAD/{path}")),
            _ => None,
        }
    }

    /// The root-relative path `url` names in this repository (checked to exist under `root`),
    /// or `None` for another repository, a non-file URL or a path not in the checkout.
    pub fn local_path(&self, url: &str, root: &Path) -> Option<String> {
        let url = url.split(['?', '#']).next().unwrap_or(url);
        let exists = |rel: &str| {
            crate::paths::resolve_inside(root, "", rel).ok().filter(|r| !r.is_empty() && root.join(r).exists())
        };
        for prefix in &self.prefixes {
            if let Some(rest) = url.strip_prefix(prefix.as_str())
                && let Some(rel) = exists(&percent_decode(rest))
            {
                return Some(rel);
            }
        }
        let slug = self.slug.as_deref()?;
        let (host, path) = split_url(url)?;
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (owner_repo, rest): (&[&str], &[&str]) = if host == "raw.githubusercontent.com" {
            (segments.get(..2)?, &segments[2..])
        } else {
            let n = slug.split('/').count() - 1; // path segments of the slug after the host
            let (repo, rest) = (segments.get(..n)?, &segments[n..]);
            if format!("{host}/{}", repo.join("/")).to_ascii_lowercase() != slug {
                return None;
            }
            let rest = match rest {
                ["-", "blob" | "tree" | "raw", tail @ ..] => tail,
                ["blob" | "tree" | "raw" | "edit" | "src", tail @ ..] => tail,
                _ => return None,
            };
            (repo, rest)
        };
        if host == "raw.githubusercontent.com"
            && format!("github.com/{}", owner_repo.join("/")).to_ascii_lowercase() != slug
        {
            return None;
        }
        // `<ref>/<path>`: the ref may have slashes; the first split naming a file that exists wins.
        // A URL with a ref and no path (`…/tree/main`) names the root itself ("").
        if rest.len() == 1 {
            return Some(String::new());
        }
        (1..rest.len()).find_map(|i| exists(&percent_decode(&rest[i..].join("/"))))
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// `(host, path)` of an `http(s)://` URL, host lower-case and without port.
fn split_url(url: &str) -> Option<(String, &str)> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
    Some((host, path))
}

/// `host/owner/name` of a web URL into a repository (`https://github.com/acme/repo/blob/…`).
fn slug_of_url(url: &str) -> Option<String> {
    let (host, path) = split_url(url)?;
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let end = segments.iter().position(|s| matches!(*s, "-" | "blob" | "tree" | "raw" | "edit" | "src"))?;
    (end >= 2).then(|| format!("{host}/{}", segments[..end].join("/")).to_ascii_lowercase())
}

/// `host/owner/name` of a git remote: `https://host/owner/name(.git)`, `git@host:owner/name.git`,
/// `ssh://git@host(:port)/owner/name.git`.
fn slug_of_remote(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let (host, path) = if let Some(rest) = remote.strip_prefix("ssh://").or_else(|| remote.strip_prefix("git://")) {
        let (authority, path) = rest.split_once('/')?;
        (authority.rsplit('@').next()?.split(':').next()?.to_owned(), path.to_owned())
    } else if remote.starts_with("http://") || remote.starts_with("https://") {
        let (host, path) = split_url(remote)?;
        (host, path.to_owned())
    } else {
        let (authority, path) = remote.split_once(':')?;
        (authority.rsplit('@').next()?.to_owned(), path.to_owned())
    };
    let path = path.trim_matches('/').trim_end_matches(".git");
    (path.contains('/') && !host.is_empty()).then(|| format!("{host}/{path}").to_ascii_lowercase())
}

/// The URL of the `origin` remote in the checkout's git configuration (following a worktree's
/// `.git` file to its common directory).
/// The checkout's git directories: its own (HEAD) and the common one (config, refs), which
/// differ in a linked worktree.
fn git_dirs(root: &Path) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let dot_git = root.join(".git");
    if dot_git.is_file() {
        let text = crate::input::read_to_string(&dot_git, 1 << 20).ok()?;
        let dir = root.join(text.trim().strip_prefix("gitdir:")?.trim());
        let common = match crate::input::read_to_string(&dir.join("commondir"), 1 << 20) {
            Ok(common) => dir.join(common.trim()),
            Err(_) => dir.clone(),
        };
        Some((dir, common))
    } else {
        dot_git.is_dir().then(|| (dot_git.clone(), dot_git))
    }
}

/// The commit and branch checked out at `root` (read from `.git` as files: no `git` process).
/// A detached HEAD has no branch.
pub fn head(root: &Path) -> (Option<String>, Option<String>) {
    let Some((dir, common)) = git_dirs(root) else { return (None, None) };
    let Ok(head) = crate::input::read_to_string(&dir.join("HEAD"), 1 << 20) else { return (None, None) };
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return (Some(head.to_owned()).filter(|h| h.len() >= 40), None);
    };
    let branch = reference.strip_prefix("refs/heads/").map(str::to_owned);
    let loose = crate::input::read_to_string(&common.join(reference), 1 << 20).ok().map(|c| c.trim().to_owned());
    let commit = loose.or_else(|| {
        let packed = crate::input::read_to_string(&common.join("packed-refs"), 64 << 20).ok()?;
        packed.lines().find_map(|l| {
            let (hash, name) = l.split_once(' ')?;
            (name.trim() == reference).then(|| hash.to_owned())
        })
    });
    (commit, branch)
}

fn origin_remote(root: &Path) -> Option<String> {
    let (_, git_dir) = git_dirs(root)?;
    let config = crate::input::read_to_string(&git_dir.join("config"), 1 << 20).ok()?;
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(' ', "") == "[remote\"origin\"]";
        } else if in_origin && let Some((key, value)) = line.split_once('=') {
            if key.trim() == "url" {
                return Some(value.trim().trim_matches('"').to_owned());
            }
        }
    }
    None
}

/// Runs `git -C root ARGS` (messages untranslated): its standard output, or what it said on
/// failure. For the commands that ask git about the checkout (`scorecards --changed-since`,
/// `scaffold`'s commits and earlier versions).
pub fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() { Ok(out.stdout) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes() {
        for (remote, want) in [
            ("git@github.com:Acme/Monorepo.git", Some("github.com/acme/monorepo")),
            ("https://github.com/acme/monorepo.git", Some("github.com/acme/monorepo")),
            ("https://user@gitlab.example.com/group/sub/repo", Some("gitlab.example.com/group/sub/repo")),
            ("ssh://git@gitlab.example.com:2222/group/repo.git", Some("gitlab.example.com/group/repo")),
            ("/srv/git/repo.git", None),
        ] {
            assert_eq!(slug_of_remote(remote).as_deref(), want, "{remote}");
        }
    }

    #[test]
    fn urls_into_the_checkout() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("catalog/teams")).unwrap();
        std::fs::write(root.join("catalog/all.yaml"), "").unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(
            root.join(".git/config"),
            "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@github.com:other/x.git\n[remote \"origin\"]\n\turl = git@github.com:Acme/portal.git\n",
        )
        .unwrap();
        let repo = Repository::detect(root, &[]);
        for (url, want) in [
            ("https://github.com/acme/portal/blob/main/catalog/all.yaml", Some("catalog/all.yaml")),
            ("https://github.com/Acme/Portal/blob/feature/x/catalog/all.yaml", Some("catalog/all.yaml")),
            ("https://github.com/acme/portal/tree/main/catalog/teams", Some("catalog/teams")),
            ("https://github.com/acme/portal/tree/main", Some("")),
            ("https://github.com/acme/portal/tree/main/", Some("")),
            ("https://github.com/acme/portal/blob/main/catalog/all.yaml?plain=1#L3", Some("catalog/all.yaml")),
            ("https://raw.githubusercontent.com/acme/portal/main/catalog/all.yaml", Some("catalog/all.yaml")),
            ("https://github.com/acme/portal/blob/main/catalog/missing.yaml", None),
            ("https://github.com/acme/portal/blob/main/../../etc/passwd", None),
            ("https://github.com/other/x/blob/main/catalog/all.yaml", None),
            ("https://example.com/catalog/all.yaml", None),
        ] {
            assert_eq!(repo.local_path(url, root).as_deref(), want, "{url}");
        }
        let gitlab = Repository::detect(root, &["https://gitlab.acme.io/platform/portal/-/blob/main/{path}"]);
        assert_eq!(
            gitlab.local_path("https://gitlab.acme.io/platform/portal/-/blob/main/catalog/all.yaml", root).as_deref(),
            Some("catalog/all.yaml")
        );
        assert_eq!(
            gitlab.local_path("https://gitlab.acme.io/platform/portal/-/tree/v2/catalog/teams", root).as_deref(),
            Some("catalog/teams")
        );
        assert_eq!(gitlab.local_path("https://github.com/acme/portal/blob/main/catalog/all.yaml", root), None);
    }
}
