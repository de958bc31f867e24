//! Portico: a static Backstage. Reads Backstage catalog descriptors and TechDocs from a monorepo
//! and writes a static developer portal.
//!
//! The build is a pipeline of stages, one module each (see [`pipeline`]):
//! [`discover`] -> [`parse`] -> [`resolve`] -> [`render`] -> [`write`].

pub mod apiref;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod docs;
pub mod highlight;
pub mod html;
pub mod input;
pub mod packed;
pub mod parse;
pub mod paths;
pub mod pipeline;
pub mod plugins;
pub mod render;
pub mod repo;
pub mod resolve;
pub mod scaffold;
pub mod scorecards;
pub mod search;
pub mod serve;
pub mod urls;
pub mod write;
pub mod yaml;
