//! Built-in plugins: Rust implementations of the same request and response as command plugins,
//! enabled by `- id: NAME` without a `command` in portico.yaml.

pub mod codeowners;
pub mod git_history;

use std::path::Path;

use serde_json::Value;

use super::Mode;
use super::protocol::{RequestEntity, Response};

/// What a built-in plugin is given: the request's content.
pub struct Input<'a> {
    /// The portal root (absolute, canonical).
    pub root: &'a Path,
    /// `config` from portico.yaml (`null` when absent).
    pub config: &'a Value,
    /// Every entity, sorted by reference.
    pub entities: &'a [RequestEntity],
    pub mode: Mode,
    /// The commit checked out, when known.
    pub commit: Option<&'a str>,
}

/// A built-in plugin.
pub struct BuiltIn {
    pub id: &'static str,
    pub version: &'static str,
    /// Root-relative files (or globs) whose content its response depends on besides the request:
    /// they are in the cache key, and `serve` runs it again when one changes.
    pub inputs: &'static [&'static str],
    pub run: fn(&Input) -> Response,
}

/// Every built-in plugin.
pub const ALL: &[BuiltIn] = &[codeowners::PLUGIN, git_history::PLUGIN];

/// The built-in plugin `id`.
pub fn get(id: &str) -> Option<&'static BuiltIn> {
    ALL.iter().find(|b| b.id == id)
}
