//! Paths written by users (Location targets, `$text` placeholders, docs references), resolved
//! inside the portal root.
//!
//! Input: the directory of the file that names the path (relative to the root) and the path as
//! written. Output: a normalised root-relative path. Invariant: the result never leaves the root,
//! neither lexically (`../..`) nor through a symbolic link; `/` at the start means the root.

use std::path::Path;

/// Why a written path was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The path goes above the root (`../` too far) or resolves outside it through a symlink.
    EscapesRoot,
    /// A URL (`https://...`): Portico reads nothing from the network.
    Url,
}

/// Whether `target` is an absolute URL such as `https://host/x` (and not a Windows drive letter).
pub fn is_url(target: &str) -> bool {
    match target.split_once("://") {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Resolves `target` written in a file whose directory is `base_dir` (root-relative, `""` for the
/// root) to a root-relative path, lexically. The file need not exist.
pub fn resolve_lexically(base_dir: &str, target: &str) -> Result<String, PathError> {
    if is_url(target) {
        return Err(PathError::Url);
    }
    let target = target.strip_prefix("file:").unwrap_or(target);
    let (start, rest): (&str, &str) = match target.strip_prefix('/') {
        Some(rest) => ("", rest),
        None => (base_dir, target),
    };
    let mut parts: Vec<&str> = start.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in rest.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathError::EscapesRoot);
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// [`resolve_lexically`], then checks that what exists on disk at the result is really inside
/// the root (a symlink inside the root may point outside it).
pub fn resolve_inside(root: &Path, base_dir: &str, target: &str) -> Result<String, PathError> {
    let rel = resolve_lexically(base_dir, target)?;
    check_no_symlink_escape(root, &rel)?;
    Ok(rel)
}

/// Errors when `rel` exists and its real location is outside `root` (which must be canonical).
pub fn check_no_symlink_escape(root: &Path, rel: &str) -> Result<(), PathError> {
    match root.join(rel).canonicalize() {
        Ok(real) if !real.starts_with(root) => Err(PathError::EscapesRoot),
        _ => Ok(()),
    }
}

/// The directory part of a root-relative file path (`""` for files at the root).
pub fn parent_dir(rel_file: &str) -> &str {
    rel_file.rfind('/').map_or("", |i| &rel_file[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_resolution() {
        let cases: &[(&str, &str, Result<&str, PathError>)] = &[
            ("services/a", "./openapi.yaml", Ok("services/a/openapi.yaml")),
            ("services/a", "openapi.yaml", Ok("services/a/openapi.yaml")),
            ("services/a", "../b/x.yaml", Ok("services/b/x.yaml")),
            ("services/a", "/shared/x.yaml", Ok("shared/x.yaml")),
            ("services/a", "../../x.yaml", Ok("x.yaml")),
            ("services/a", "../../../x.yaml", Err(PathError::EscapesRoot)),
            ("", "../x", Err(PathError::EscapesRoot)),
            ("", "./a/./b//c", Ok("a/b/c")),
            ("a", "https://example.com/x.yaml", Err(PathError::Url)),
            ("a", "file:./x.yaml", Ok("a/x.yaml")),
        ];
        for (base, target, want) in cases {
            assert_eq!(
                resolve_lexically(base, target).as_deref().map_err(Clone::clone),
                want.clone(),
                "{base} + {target}"
            );
        }
    }

    #[test]
    fn urls() {
        assert!(is_url("https://github.com/x"));
        assert!(is_url("git+ssh://host/x"));
        assert!(!is_url("./a://b"));
        assert!(!is_url("C://x"));
        assert!(!is_url("a.yaml"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_out_of_root_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "x").unwrap();
        let root = tempfile::tempdir().unwrap();
        let root_path = root.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), root_path.join("link.txt")).unwrap();
        std::fs::write(root_path.join("fine.txt"), "x").unwrap();
        assert_eq!(resolve_inside(&root_path, "", "link.txt"), Err(PathError::EscapesRoot));
        assert_eq!(resolve_inside(&root_path, "", "fine.txt"), Ok("fine.txt".to_owned()));
    }
}
