//! Exemptions: `- {check, reason, expires}` in `portico-exemptions.yaml` beside an entity's
//! descriptor (for the entities of that directory, or the one `entity:` names), or under
//! `scorecards.exemptions` in portico.yaml (each naming its `entity`).
//!
//! The reason is required. An exemption past its `expires` date no longer applies and is a
//! warning at its line; a file that cannot be read is an error at its line, and only that
//! file's exemptions are lost.

use serde::Deserialize;

use crate::catalog::EntityRef;
use crate::diagnostics::{Diagnostic, Pos};
use crate::yaml::At;

/// The file of exemptions beside a descriptor.
pub const FILE: &str = "portico-exemptions.yaml";

/// One exemption as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExemption {
    /// The entity (`component:default/orders`, or `orders` for a Component in `default`).
    pub entity: Option<At<String>>,
    pub check: At<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: from this day on the exemption no longer applies.
    pub expires: Option<At<String>>,
}

#[derive(Clone, Debug)]
pub struct Exemption {
    /// `None`: every entity of the file's directory.
    pub entity: Option<At<String>>,
    pub check: At<String>,
    pub reason: String,
    pub expires: Option<chrono::NaiveDate>,
    /// Where it was written (root-relative file; the config file for central ones).
    pub file: String,
    pub pos: Pos,
    /// The directory of the exemptions file (`None` for central ones).
    pub dir: Option<String>,
}

/// A `YYYY-MM-DD` date.
pub fn date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Checks one exemption as written; `central` ones must name their entity.
pub fn accept(raw: At<RawExemption>, central: bool) -> Result<Exemption, (Pos, String)> {
    let pos = raw.pos;
    let raw = raw.value;
    let reason = raw
        .reason
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| (pos, format!("the exemption from `{}` gives no reason", raw.check.value)))?;
    if central && raw.entity.is_none() {
        return Err((pos, format!("the exemption from `{}` names no entity", raw.check.value)));
    }
    let expires = match &raw.expires {
        None => None,
        Some(e) => {
            Some(date(&e.value).ok_or_else(|| (e.pos, format!("`expires: {}` is not a date (YYYY-MM-DD)", e.value)))?)
        }
    };
    Ok(Exemption { entity: raw.entity, check: raw.check, reason, expires, file: String::new(), pos, dir: None })
}

impl Exemption {
    pub fn expired(&self, today: chrono::NaiveDate) -> bool {
        self.expires.is_some_and(|e| e <= today)
    }

    /// The entity it names, parsed (a Component in `default` unless it says otherwise).
    pub fn entity_ref(&self) -> Option<Result<EntityRef, String>> {
        self.entity.as_ref().map(|e| {
            EntityRef::parse(&e.value, Some("component"), "default").map_err(|err| format!("`{}`: {err}", e.value))
        })
    }
}

/// Reads the exemption files beside the descriptors of `dirs` (root-relative directories,
/// `""` for the root). Problems are diagnostics; a broken file contributes nothing.
pub fn load(
    root: &std::path::Path,
    files: &[String],
    dirs: &std::collections::BTreeSet<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Exemption> {
    let mut out = Vec::new();
    for dir in dirs {
        let rel = if dir.is_empty() { FILE.to_owned() } else { format!("{dir}/{FILE}") };
        if files.binary_search(&rel).is_err() {
            continue;
        }
        let text = match crate::input::read_to_string(&root.join(&rel), crate::input::Limits::default().file) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error("invalid-exemptions", format!("cannot read {rel}: {e}")).at(&rel, None));
                continue;
            }
        };
        let raw = match crate::yaml::from_str::<Vec<At<RawExemption>>>(&text) {
            Ok(raw) => raw.unwrap_or_default(),
            Err(e) => {
                diags.push(
                    Diagnostic::error("invalid-exemptions", format!("invalid exemptions: {}", e.message))
                        .at(&rel, e.pos)
                        .hint("the file is a list of `{check, reason, expires: YYYY-MM-DD}`; its exemptions are not applied"),
                );
                continue;
            }
        };
        for r in raw {
            match accept(r, false) {
                Ok(mut e) => {
                    e.file = rel.clone();
                    e.dir = Some((*dir).to_owned());
                    out.push(e);
                }
                Err((pos, m)) => diags.push(
                    Diagnostic::error("invalid-exemptions", m)
                        .at(&rel, Some(pos))
                        .hint("an exemption is `{check, reason, expires: YYYY-MM-DD}`; the reason is required"),
                ),
            }
        }
    }
    out
}
