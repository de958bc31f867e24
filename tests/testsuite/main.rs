//! The integration test suite: one binary, a fixture harness over small monorepos, and the real
//! `portico` executable run as a user runs it.

mod support;

mod browser;
mod build;
mod catalog;
mod diagnostics;
mod distribution;
mod docs;
mod graph;
mod hostile;
mod incremental;
mod links;
mod mkdocs_parity;
mod monorepos;
mod nunjucks_parity;
mod plugins;
mod safety;
mod scaffold;
mod scale;
mod scorecards;
mod search;
mod serve;
mod techdocs_core;
mod xss;
