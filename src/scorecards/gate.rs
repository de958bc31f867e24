//! The CI gate: a required check that fails is an error at the entity's descriptor (so `portico
//! check` exits 1), a campaign's check (`required_from: DATE`) is a warning before its date and
//! an error from it on, and a required check that cannot be evaluated is a warning.
//! `--changed-since REV` limits all of this to entities whose directory has a file changed
//! since REV (committed, staged, unstaged or untracked), so one team's gap does not block
//! another team's change.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Outcome, Scorecards};
use crate::diagnostics::Diagnostic;
use crate::resolve::Portal;

/// The files (root-relative) changed since `rev` in the git repository around `root`.
pub fn changed_since(root: &Path, rev: &str) -> Result<BTreeSet<String>, String> {
    let run = |args: &[&str]| crate::repo::git(root, args).map(|o| String::from_utf8_lossy(&o).into_owned());
    if rev.starts_with('-') {
        return Err(format!("`{rev}` is not a revision"));
    }
    let mut files: BTreeSet<String> = BTreeSet::new();
    // NUL-separated: names as they are, not quoted (`"caf\303\251"`) as git prints them otherwise.
    for out in [
        run(&["diff", "-z", "--name-only", "--relative", "--no-renames", rev, "--"])?,
        run(&["ls-files", "-z", "--others", "--exclude-standard"])?,
    ] {
        files.extend(out.split('\0').filter(|l| !l.is_empty()).map(str::to_owned));
    }
    Ok(files)
}

/// Whether a file of `dir` (root-relative, `""` the root) is in `changed`.
fn dir_changed(changed: &BTreeSet<String>, dir: &str) -> bool {
    if dir.is_empty() {
        return !changed.is_empty();
    }
    let prefix = format!("{dir}/");
    changed.range(prefix.clone()..).next().is_some_and(|f| f.starts_with(&prefix))
}

/// The gate's diagnostics; `changed`: only entities with changes (`--changed-since`).
pub fn diagnostics(scorecards: &Scorecards, portal: &Portal, changed: Option<&BTreeSet<String>>) -> Vec<Diagnostic> {
    let (Some(rules), Some(today)) = (&scorecards.rules, scorecards.today) else { return Vec::new() };
    let mut out = Vec::new();
    for (card, results) in rules.cards.iter().zip(&scorecards.cards) {
        if card.required.is_empty() {
            continue;
        }
        for (r, result) in results {
            let Some(entity) = portal.entities.get(r) else { continue };
            if changed.is_some_and(|c| !dir_changed(c, &entity.dir)) {
                continue;
            }
            for req in &card.required {
                let Some(i) = card.checks.iter().position(|(k, _)| *k == req.check) else { continue };
                let check = &rules.checks[req.check];
                let what = format!("`{}` ({}) of scorecard `{}`", check.id, check.title, card.id);
                let d = match &result.outcomes[i] {
                    Outcome::Fail => match req.from {
                        Some(from) if from > today => Diagnostic::warning(
                            "scorecard-required",
                            format!("{r} fails {what}, which is required from {from}"),
                        ),
                        _ => Diagnostic::error("scorecard-required", format!("{r} fails the required check {what}")),
                    },
                    Outcome::Unknown(why) => Diagnostic::warning(
                        "scorecard-unknown",
                        format!("the required check {what} cannot be evaluated for {r}: {why}"),
                    ),
                    _ => continue,
                };
                let hint = check.remediation.clone().unwrap_or_else(|| match &check.shorthand {
                    Some(s) => format!("the check asks for `{s}`; or add an exemption with a reason to portico-exemptions.yaml beside the descriptor"),
                    None => format!("the check is `{}`; or add an exemption with a reason to portico-exemptions.yaml beside the descriptor", check.expr.source),
                });
                out.push(d.at(&entity.source.file, Some(entity.source.name_pos)).hint(hint));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_directory_changed_when_a_file_below_it_did() {
        let changed: std::collections::BTreeSet<String> =
            ["services/a/x.md", "services/ab/y.md", "README.md"].into_iter().map(String::from).collect();
        for (dir, expected) in [
            ("services/a", true),
            ("services/ab", true),
            ("services/abc", false),
            ("services", true),
            ("", true),
            ("other", false),
        ] {
            assert_eq!(super::dir_changed(&changed, dir), expected, "{dir}");
        }
        assert!(!super::dir_changed(&Default::default(), ""));
    }
}
