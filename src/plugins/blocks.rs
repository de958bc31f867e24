//! Blocks made safe to draw: what a plugin sent, checked and turned into the values the theme's
//! `blocks/<kind>.html` templates read.
//!
//! Markdown is rendered (CommonMark with tables, strikethrough and task lists) and sanitised like
//! raw HTML in docs; `html` blocks are sanitised the same way; every URL follows the portal's
//! URL policy (`crate::urls`: a `javascript:` link is shown as text). A block also gives its
//! text for search.

use serde::Serialize;

use super::protocol::{Block, Cell, StatusLevel};

/// A block ready for its template: `kind` names the template, the other fields are its values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct BlockView {
    /// `markdown`, `kv`, `table`, `stat`, `status`, `links`, `code`, `image` or `html`.
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Trusted HTML (markdown and html blocks, after sanitising).
    #[serde(default)]
    pub html: String,
    /// Text (code, status text, stat label, image alt).
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub language: Option<String>,
    /// Table columns.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Table rows; a kv block's pairs are rows of two cells; a links block's items are rows of
    /// one cell.
    #[serde(default)]
    pub rows: Vec<Vec<CellView>>,
    /// A stat's value.
    #[serde(default)]
    pub value: Option<CellView>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub trend: Option<String>,
    /// A status level (`ok`, `warning`, `error`, `unknown`, `info`).
    #[serde(default)]
    pub level: Option<String>,
    /// A link (status, image source).
    #[serde(default)]
    pub url: Option<String>,
    /// Whether `url` is relative to the site root (the template puts the base path before it).
    #[serde(default)]
    pub local: bool,
    /// A sparkline's points (`x,y x,y …` in a 120 × 24 box).
    #[serde(default)]
    pub points: String,
}

/// A cell: text, with a URL when it is a link the policy allows.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct CellView {
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
    /// Whether `url` is relative to the site root.
    #[serde(default)]
    pub local: bool,
}

/// Whether `url` is relative to the site root (`plugins/x/report.html`), not absolute, rooted or
/// a fragment.
fn is_local(url: &str) -> bool {
    crate::urls::scheme(url).is_none() && !url.starts_with('/') && !url.starts_with('#')
}

/// The URL when the policy allows it, and whether it is relative to the site root.
fn checked(url: &str) -> (Option<String>, bool) {
    let url = safe(url);
    let local = url.as_deref().is_some_and(is_local);
    (url, local)
}

fn link(text: String, url: &str) -> CellView {
    let (url, local) = checked(url);
    CellView { text, url, local }
}

fn text_cell(text: String) -> CellView {
    CellView { text, url: None, local: false }
}

fn view(kind: &str) -> BlockView {
    BlockView { kind: kind.to_owned(), ..BlockView::default() }
}

/// `values` as the points of a polyline in a 120 × 24 box (y grows downwards; the largest
/// value touches the top, zero the bottom).
fn sparkline_points(values: &[f64]) -> String {
    let finite: Vec<f64> = values.iter().map(|v| if v.is_finite() { v.max(0.0) } else { 0.0 }).collect();
    let max = finite.iter().copied().fold(0.0, f64::max);
    let step = if finite.len() > 1 { 120.0 / (finite.len() - 1) as f64 } else { 0.0 };
    finite
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = if max > 0.0 { 23.0 - v / max * 22.0 } else { 23.0 };
            format!("{:.1},{:.1}", i as f64 * step, y)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The URL when the policy allows it (`None` for a `javascript:` link and the like).
fn safe(url: &str) -> Option<String> {
    crate::urls::is_safe(url).then(|| url.to_owned())
}

fn cell(c: &Cell) -> CellView {
    match c {
        Cell::Link { text, url } => link(text.clone(), url),
        Cell::Text(t) => text_cell(t.clone()),
        Cell::Number(n) => text_cell(n.to_string()),
        Cell::Bool(b) => text_cell(if *b { "yes" } else { "no" }.to_owned()),
        Cell::Null => text_cell("—".to_owned()),
    }
}

/// Markdown to sanitised HTML.
pub fn markdown_html(text: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(text, options));
    crate::docs::sanitize::clean(&html)
}

/// The block as its template draws it.
pub fn prepare(block: &Block) -> BlockView {
    match block {
        Block::Markdown { text } => BlockView { html: markdown_html(text), ..view("markdown") },
        Block::Html { html } => BlockView { html: crate::docs::sanitize::clean(html), ..view("html") },
        Block::Kv { title, items } => BlockView {
            title: title.clone(),
            rows: items.iter().map(|i| vec![text_cell(i.key.clone()), cell(&i.value)]).collect(),
            ..view("kv")
        },
        Block::Table { title, columns, rows } => BlockView {
            title: title.clone(),
            columns: columns.clone(),
            // Every row as wide as the header: short rows are padded, long ones cut.
            rows: rows
                .iter()
                .map(|r| {
                    (0..columns.len().max(1)).map(|i| r.get(i).map_or_else(|| text_cell(String::new()), cell)).collect()
                })
                .collect(),
            ..view("table")
        },
        Block::Stat { label, value, unit, trend } => BlockView {
            text: label.clone(),
            value: Some(cell(value)),
            unit: unit.clone(),
            trend: trend.clone(),
            ..view("stat")
        },
        Block::Status { level, text, url } => {
            let (url, local) = url.as_deref().map_or((None, false), checked);
            BlockView { text: text.clone(), level: Some(level_name(*level).to_owned()), url, local, ..view("status") }
        }
        Block::Links { items } => {
            BlockView { rows: items.iter().map(|l| vec![link(l.title.clone(), &l.url)]).collect(), ..view("links") }
        }
        Block::Sparkline { label, values } => {
            BlockView { text: label.clone(), points: sparkline_points(values), ..view("sparkline") }
        }
        Block::Code { language, text } => BlockView { text: text.clone(), language: language.clone(), ..view("code") },
        Block::Image { src, alt } => {
            let (url, local) = checked(src);
            BlockView { text: alt.clone(), url, local, ..view("image") }
        }
    }
}

fn level_name(level: StatusLevel) -> &'static str {
    match level {
        StatusLevel::Ok => "ok",
        StatusLevel::Warning => "warning",
        StatusLevel::Error => "error",
        StatusLevel::Unknown => "unknown",
        StatusLevel::Info => "info",
    }
}

/// The words of a block, for search.
pub fn text(block: &BlockView) -> String {
    let mut out = String::new();
    let mut push = |s: &str| {
        if !s.trim().is_empty() {
            out.push_str(s.trim());
            out.push(' ');
        }
    };
    for part in [block.title.as_deref().unwrap_or(""), &block.text, block.unit.as_deref().unwrap_or("")] {
        push(part);
    }
    if !block.html.is_empty() {
        push(&crate::search::html_text(&block.html));
    }
    for c in &block.columns {
        push(c);
    }
    for row in &block.rows {
        for c in row {
            push(&c.text);
        }
    }
    if let Some(v) = &block.value {
        push(&v.text);
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::protocol::{KvItem, LinkItem};

    #[test]
    fn markdown_and_html_are_sanitised() {
        let md = prepare(&Block::Markdown { text: "**ok** <script>alert(1)</script> [x](javascript:alert(1))".into() });
        assert!(md.html.contains("<strong>ok</strong>"), "{}", md.html);
        assert!(!md.html.contains("<script") && !md.html.contains("javascript:"), "{}", md.html);
        let html = prepare(&Block::Html { html: "<p onclick=\"x()\">hi</p><img src=x onerror=y>".into() });
        assert!(!html.html.contains("onclick") && !html.html.contains("onerror"), "{}", html.html);
        assert!(html.html.contains("<p>hi</p>"), "{}", html.html);
    }

    #[test]
    fn sparklines_scale_to_their_box() {
        let b = prepare(&Block::Sparkline { label: "commits".into(), values: vec![0.0, 2.0, 4.0] });
        assert_eq!(b.points, "0.0,23.0 60.0,12.0 120.0,1.0");
        assert_eq!(prepare(&Block::Sparkline { label: "x".into(), values: vec![] }).points, "");
    }

    #[test]
    fn links_follow_the_url_policy() {
        let links = prepare(&Block::Links {
            items: vec![
                LinkItem { title: "Runs".into(), url: "https://ci.example.com/runs".into() },
                LinkItem { title: "Bad".into(), url: "javascript:alert(1)".into() },
            ],
        });
        assert_eq!(links.rows[0][0].url.as_deref(), Some("https://ci.example.com/runs"));
        assert_eq!(links.rows[1][0].url, None);
        assert_eq!(links.rows[1][0].text, "Bad");
    }

    #[test]
    fn tables_are_rectangular_and_text_is_searchable() {
        let table = prepare(&Block::Table {
            title: Some("Runs".into()),
            columns: vec!["run".into(), "result".into()],
            rows: vec![
                vec![Cell::Number(42.into())],
                vec![Cell::Text("43".into()), Cell::Bool(true), Cell::Text("extra".into())],
            ],
        });
        assert!(table.rows.iter().all(|r| r.len() == 2));
        assert_eq!(table.rows[1][1].text, "yes");
        assert_eq!(text(&table), "Runs run result 42 43 yes");
        let kv = prepare(&Block::Kv {
            title: None,
            items: vec![KvItem { key: "branch".into(), value: Cell::Text("main".into()) }],
        });
        assert_eq!(text(&kv), "branch main");
    }
}
