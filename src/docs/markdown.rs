//! Markdown -> HTML for one docs page, with the techdocs-core extension set.
//!
//! Input: a [`Preprocessed`] page, the site's [`Extensions`] settings and a link resolver.
//! Output: [`Rendered`]: the page body HTML (not yet sanitised), its headings with
//! Python-Markdown-compatible ids (explicit `{#id}` kept), the title MkDocs takes from the page
//! (its h1 when that is the first element), every anchor (`id`, `<a name>`), the links whose
//! `#anchor` must be checked once every page is known, and problems at page positions.
//! pulldown-cmark does CommonMark, tables, footnotes, task lists, definition lists,
//! strikethrough, `~sub~`, `^sup^`, heading attributes, GitHub alerts and (for `smarty`) smart
//! punctuation; this module adds fenced-code attributes (`title=`, `linenums=`, `hl_lines=`),
//! highlighting through [`crate::highlight`], inline `#!lang code`, mermaid and `attr_list` on
//! links and images; [`super::inline`] decorates text (emoji, keys, abbreviations, magic links).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::LazyLock;

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use regex::Regex;

use super::inline::Inline;
use super::mkdocs::Extensions;
use super::preprocess::Preprocessed;
use super::slug::{Slugger, slugify};
use crate::diagnostics::{Pos, Severity};

/// A heading of the page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// What the resolver says about a link destination.
#[derive(Clone, Debug)]
pub struct Resolved<K> {
    /// The href to write.
    pub href: String,
    /// A page and anchor to check once all pages are parsed.
    pub anchor: Option<(K, String)>,
    /// Why the link is broken, if it is.
    pub problem: Option<String>,
}

/// A link whose anchor is checked later.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AnchorUse<K> {
    pub pos: Pos,
    pub target: K,
    pub anchor: String,
    /// The destination as written.
    pub written: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub code: &'static str,
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug)]
pub struct Rendered<K> {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Text of the page's h1 when it is the first element of the page (MkDocs' title).
    pub title: Option<String>,
    pub anchors: Vec<AnchorUse<K>>,
    /// Every `id` on the page (headings, footnotes, explicit ids), for anchor checks.
    pub ids: BTreeSet<String>,
    pub mermaid: bool,
    pub problems: Vec<Problem>,
}

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_GFM)
    .union(Options::ENABLE_DEFINITION_LIST)
    .union(Options::ENABLE_SUPERSCRIPT)
    .union(Options::ENABLE_SUBSCRIPT);

static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([#.][\w-]+)|([\w-]+)=("[^"]*"|'[^']*'|[^\s}]+)"#).expect("static pattern"));

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Renders a page with the site's extension settings. `resolve(dest, is_image)` rewrites link
/// destinations.
pub fn render<K: Clone>(
    pre: &Preprocessed,
    ext: Extensions,
    resolve: &dyn Fn(&str, bool) -> Resolved<K>,
) -> Rendered<K> {
    let options = if ext.smarty { OPTIONS.union(Options::ENABLE_SMART_PUNCTUATION) } else { OPTIONS };
    // Text split over several events (at escapes, entities, line starts) is one text for emoji,
    // abbreviations, magic links and attribute lists.
    let events: Vec<(Event, std::ops::Range<usize>)> =
        pulldown_cmark::TextMergeWithOffset::new(Parser::new_ext(&pre.text, options).into_offset_iter()).collect();
    // MkDocs takes a page's title from an h1 only when it is the page's first element.
    let leading_h1 = matches!(events.first(), Some((Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }), _)));
    let mut r = Renderer {
        pre,
        resolve,
        out: Vec::with_capacity(events.len()),
        headings: Vec::new(),
        anchors: Vec::new(),
        ids: BTreeSet::new(),
        mermaid: false,
        problems: Vec::new(),
        slugger: Slugger::new(),
        inline: Inline::new(ext, &pre.abbreviations),
        linenums: ext.linenums,
        link_depth: 0,
        refused_links: Vec::new(),
        strip_next: None,
        footnote_order: Vec::new(),
        footnote_refs: std::collections::HashMap::new(),
        footnote_defs: std::collections::HashMap::new(),
    };
    r.run(&events);
    r.footnotes();
    let mut html = String::with_capacity(pre.text.len() * 2);
    pulldown_cmark::html::push_html(&mut html, r.out.into_iter());
    let title = if leading_h1 { r.headings.first().map(|h| h.text.clone()) } else { None };
    Rendered {
        html,
        title,
        headings: r.headings,
        anchors: r.anchors,
        ids: r.ids,
        mermaid: r.mermaid,
        problems: r.problems,
    }
}

struct Renderer<'p, 'e, K> {
    pre: &'p Preprocessed,
    resolve: &'p dyn Fn(&str, bool) -> Resolved<K>,
    out: Vec<Event<'e>>,
    headings: Vec<Heading>,
    anchors: Vec<AnchorUse<K>>,
    ids: BTreeSet<String>,
    mermaid: bool,
    problems: Vec<Problem>,
    slugger: Slugger,
    inline: Inline,
    /// Line numbers on code blocks unless a block says otherwise (`pymdownx.highlight`).
    linenums: bool,
    link_depth: usize,
    /// For each open link: whether its URL was refused (it is written as a `<span>`).
    refused_links: Vec<bool>,
    /// An attribute list consumed from the text after a link or image: (first event index,
    /// bytes still to drop). pulldown-cmark may split that text over several events.
    strip_next: Option<(usize, usize)>,
    /// Footnotes: labels in order of first reference, references seen per label, and each
    /// definition's rendered events.
    footnote_order: Vec<String>,
    footnote_refs: std::collections::HashMap<String, usize>,
    footnote_defs: std::collections::HashMap<String, Vec<Event<'e>>>,
}

/// The plain text of a run of inline events (for heading ids and titles).
fn plain_text(events: &[(Event, std::ops::Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// The heading text toc slugifies: emoji and icon shortcodes render as images (no text), and
/// pymdownx.smartsymbols turns `(c)` and `(r)` into symbols that slugify drops.
fn slug_text(inline: &Inline, text: &str) -> String {
    let mut out = inline.without_shortcodes(text);
    for sym in ["(c)", "(C)", "(r)", "(R)"] {
        out = out.replace(sym, "");
    }
    out
}

/// Parses a trailing `{: #id .class key=value }` attribute list at the start of `text`.
/// Returns the attributes as HTML and the length consumed.
/// Whether `resolved` is a URL the policy refused (rather than a broken link).
fn is_refused<K>(resolved: &Resolved<K>, written: &str) -> bool {
    resolved.problem.is_some() && crate::urls::check(written).is_err()
}

/// Attributes that hold URLs a browser follows or loads.
const URL_ATTRIBUTES: [&str; 9] =
    ["action", "formaction", "xlink:href", "poster", "background", "cite", "data", "longdesc", "ping"];

fn leading_attr_list(text: &str) -> Option<(String, usize)> {
    let rest = text.strip_prefix('{')?;
    let end = rest.find('}')?;
    let inner = rest[..end].trim_start_matches(':').trim();
    if inner.is_empty() {
        return None;
    }
    let mut id = None;
    let mut classes = Vec::new();
    let mut attrs = Vec::new();
    let mut matched = 0;
    for c in ATTR.captures_iter(inner) {
        matched += c[0].len();
        if let Some(sel) = c.get(1) {
            let sel = sel.as_str();
            if let Some(i) = sel.strip_prefix('#') {
                id = Some(i.to_owned());
            } else {
                classes.push(sel[1..].to_owned());
            }
        } else {
            let v = c[3].trim_matches(|ch| ch == '"' || ch == '\'');
            attrs.push((c[2].to_owned(), v.to_owned()));
        }
    }
    // Only whitespace may separate the recognised parts.
    if matched + inner.matches(char::is_whitespace).count() < inner.len() {
        return None;
    }
    let mut html = String::new();
    if let Some(id) = id {
        let _ = write!(html, " id=\"{}\"", escape(&id));
    }
    if !classes.is_empty() {
        let _ = write!(html, " class=\"{}\"", escape(&classes.join(" ")));
    }
    for (k, v) in attrs {
        let key = k.to_ascii_lowercase();
        // No event handlers; no second `href`/`src` beside the one the link resolved; no URL
        // attribute the URL policy refuses.
        if key.starts_with("on") || matches!(key.as_str(), "href" | "src" | "srcdoc" | "srcset") {
            continue;
        }
        if URL_ATTRIBUTES.contains(&key.as_str()) && crate::urls::check(&v).is_err() {
            continue;
        }
        let _ = write!(html, " {}=\"{}\"", escape(&k), escape(&v));
    }
    Some((html, end + 2))
}

impl<'p, 'e, K: Clone> Renderer<'p, 'e, K> {
    fn html(&mut self, s: String) {
        self.out.push(Event::Html(CowStr::from(s)));
    }

    fn problem(&mut self, severity: Severity, code: &'static str, offset: usize, message: String) {
        self.problems.push(Problem { severity, code, pos: self.pre.pos_of(offset), message });
    }

    fn run(&mut self, events: &[(Event<'e>, std::ops::Range<usize>)]) {
        // Python-Markdown's toc reserves every explicit id of the page before it generates any.
        for (e, _) in events {
            if let Event::Start(Tag::Heading { id: Some(id), .. }) = e {
                self.slugger.register(id.to_string());
            }
        }
        let mut i = 0;
        let mut heading_stack: Vec<(u8, String)> = Vec::new();
        while i < events.len() {
            let (event, range) = &events[i];
            match event {
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    let end = find_end(events, i);
                    let raw = plain_text(&events[i + 1..end]);
                    let level = *level as u8;
                    // What the toc shows: emoji (images in MkDocs) contribute no text.
                    let text = self.inline.without_shortcodes(&raw).split_whitespace().collect::<Vec<_>>().join(" ");
                    let hid = match id {
                        Some(explicit) => explicit.to_string(),
                        None => self.slugger.unique(slugify(&slug_text(&self.inline, &raw))),
                    };
                    self.headings.push(Heading { level, id: hid.clone(), text: text.trim().to_owned() });
                    self.ids.insert(hid.clone());
                    let mut tag = format!("<h{level} id=\"{}\"", escape(&hid));
                    if !classes.is_empty() {
                        let cls: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
                        let _ = write!(tag, " class=\"{}\"", escape(&cls.join(" ")));
                    }
                    for (k, v) in attrs {
                        if !k.to_ascii_lowercase().starts_with("on") {
                            let _ = write!(tag, " {}=\"{}\"", escape(k), escape(v.as_deref().unwrap_or("")));
                        }
                    }
                    tag.push('>');
                    self.html(tag);
                    heading_stack.push((level, hid));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, hid)) = heading_stack.pop() {
                        self.html(format!(
                            "<a class=\"headerlink\" href=\"#{}\" title=\"Permanent link\">&para;</a></h{level}>\n",
                            escape(&hid)
                        ));
                    }
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let end = find_end(events, i);
                    let mut code = String::new();
                    for (e, _) in &events[i + 1..end] {
                        if let Event::Text(t) = e {
                            code.push_str(t);
                        }
                    }
                    let info = match kind {
                        CodeBlockKind::Fenced(info) => info.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    let html = self.code_block(&info, &code, range.start);
                    self.html(html);
                    i = end + 1;
                    continue;
                }
                Event::Code(code) => {
                    let html = inline_code(code);
                    self.html(html);
                }
                Event::Start(Tag::Link { dest_url, title, .. }) => {
                    let resolved = (self.resolve)(dest_url, false);
                    self.note_link(&resolved, dest_url, range.start);
                    let end = find_end(events, i);
                    let attrs = self.attrs_after(events, end);
                    // A URL the policy refused: its text, not a link.
                    let refused = is_refused(&resolved, dest_url);
                    self.refused_links.push(refused);
                    if refused {
                        self.html("<span class=\"refused-link\">".into());
                        self.link_depth += 1;
                        i += 1;
                        continue;
                    }
                    let mut tag = format!("<a href=\"{}\"", escape(&resolved.href));
                    if !title.is_empty() {
                        let _ = write!(tag, " title=\"{}\"", escape(title));
                    }
                    tag.push_str(&attrs);
                    tag.push('>');
                    self.html(tag);
                    self.link_depth += 1;
                }
                Event::End(TagEnd::Link) => {
                    let refused = self.refused_links.pop().unwrap_or(false);
                    self.html(if refused { "</span>" } else { "</a>" }.into());
                    self.link_depth = self.link_depth.saturating_sub(1);
                }
                Event::Start(Tag::Image { dest_url, title, .. }) => {
                    let end = find_end(events, i);
                    let alt = plain_text(&events[i + 1..end]);
                    let resolved = (self.resolve)(dest_url, true);
                    self.note_link(&resolved, dest_url, range.start);
                    let attrs = self.attrs_after(events, end);
                    if is_refused(&resolved, dest_url) {
                        self.html(format!("<span class=\"refused-link\">{}</span>", escape(&alt)));
                        i = end + 1;
                        continue;
                    }
                    let mut tag = format!("<img src=\"{}\" alt=\"{}\"", escape(&resolved.href), escape(&alt));
                    if !title.is_empty() {
                        let _ = write!(tag, " title=\"{}\"", escape(title));
                    }
                    tag.push_str(&attrs);
                    tag.push_str(" loading=\"lazy\">");
                    self.html(tag);
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => {
                    let (class, title) = alert(*kind);
                    self.html(format!(
                        "<div class=\"admonition {class}\">\n<p class=\"admonition-title\">{title}</p>\n"
                    ));
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => self.html("</div>\n".into()),
                Event::Text(t) => {
                    let skip = match self.strip_next {
                        Some((at, left)) if at <= i => {
                            let n = left.min(t.len());
                            self.strip_next = (left > n).then_some((i + 1, left - n));
                            n
                        }
                        _ => 0,
                    };
                    let html = self.inline.text(&t[skip..], self.link_depth > 0);
                    self.html(html);
                }
                Event::FootnoteReference(label) => {
                    let label = label.to_string();
                    if !self.footnote_order.contains(&label) {
                        self.footnote_order.push(label.clone());
                    }
                    let n = self.footnote_order.iter().position(|l| *l == label).unwrap_or(0) + 1;
                    let count = self.footnote_refs.entry(label.clone()).or_default();
                    *count += 1;
                    let ref_id = if *count == 1 { format!("fnref:{label}") } else { format!("fnref{count}:{label}") };
                    self.ids.insert(ref_id.clone());
                    self.html(format!(
                        "<sup id=\"{}\"><a class=\"footnote-ref\" href=\"#fn:{}\">{n}</a></sup>",
                        escape(&ref_id),
                        escape(&label)
                    ));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let end = find_end(events, i);
                    let mark = self.out.len();
                    // Render the definition's content into the output, then move it aside.
                    let inner = &events[i + 1..end];
                    self.run(inner);
                    let rendered: Vec<Event<'e>> = self.out.drain(mark..).collect();
                    self.footnote_defs.insert(label.to_string(), rendered);
                    i = end + 1;
                    continue;
                }
                Event::TaskListMarker(checked) => {
                    let c = if *checked { " checked" } else { "" };
                    self.html(format!("<input type=\"checkbox\" disabled{c}>"));
                }
                Event::Start(Tag::Item) if is_task_item(events, i) => self.html("<li class=\"task-list-item\">".into()),
                Event::Start(Tag::List(None)) if events.get(i + 1).is_some_and(|_| is_task_item(events, i + 1)) => {
                    self.html("<ul class=\"task-list\">\n".into())
                }
                Event::Html(h) | Event::InlineHtml(h) => {
                    for id in html_ids(h) {
                        self.ids.insert(id);
                    }
                    self.out.push(event.clone());
                }
                _ => self.out.push(event.clone()),
            }
            i += 1;
        }
    }

    /// Records a link's problem or the anchor to check later.
    fn note_link(&mut self, resolved: &Resolved<K>, written: &str, offset: usize) {
        if let Some(problem) = &resolved.problem {
            let code = if is_refused(resolved, written) { "unsafe-url" } else { "broken-link" };
            self.problem(Severity::Warning, code, offset, problem.clone());
        }
        if let Some((target, anchor)) = &resolved.anchor {
            self.anchors.push(AnchorUse {
                pos: self.pre.pos_of(offset),
                target: target.clone(),
                anchor: anchor.clone(),
                written: written.to_owned(),
            });
        }
    }

    /// An `attr_list` right after a link or image (`[a](b){: .c}`): returns the attributes and
    /// removes the list from the text that carries it (which may span several text events).
    fn attrs_after(&mut self, events: &[(Event<'e>, std::ops::Range<usize>)], end: usize) -> String {
        let mut following = String::new();
        for (e, _) in &events[end + 1..] {
            match e {
                Event::Text(t) => following.push_str(t),
                _ => break,
            }
        }
        match leading_attr_list(&following) {
            Some((attrs, len)) => {
                self.strip_next = Some((end + 1, len));
                attrs
            }
            None => String::new(),
        }
    }

    /// Python-Markdown's footnotes block: in order of first reference (then unreferenced
    /// definitions), `fn:<label>` ids and back-references.
    fn footnotes(&mut self) {
        let mut labels = self.footnote_order.clone();
        let mut unreferenced: Vec<&String> = self.footnote_defs.keys().filter(|l| !labels.contains(l)).collect();
        unreferenced.sort();
        labels.extend(unreferenced.into_iter().cloned());
        let labels: Vec<String> = labels.into_iter().filter(|l| self.footnote_defs.contains_key(l)).collect();
        if labels.is_empty() {
            return;
        }
        self.html("<div class=\"footnote\">\n<hr>\n<ol>\n".into());
        for (n, label) in labels.iter().enumerate() {
            let mut body = self.footnote_defs.remove(label).unwrap_or_default();
            self.ids.insert(format!("fn:{label}"));
            let back = format!(
                "&nbsp;<a class=\"footnote-backref\" href=\"#fnref:{}\" title=\"Jump back to footnote {} in the text\">&#8617;</a>",
                escape(label),
                n + 1
            );
            match body.iter().rposition(|e| matches!(e, Event::End(TagEnd::Paragraph))) {
                Some(p) => body.insert(p, Event::Html(CowStr::from(back))),
                None => body.push(Event::Html(CowStr::from(back))),
            }
            self.html(format!("<li id=\"fn:{}\">", escape(label)));
            self.out.extend(body);
            self.html("</li>\n".into());
        }
        self.html("</ol>\n</div>\n".into());
    }

    fn code_block(&mut self, info: &str, code: &str, offset: usize) -> String {
        let info = info.trim();
        let (lang, attrs) = match info.split_once(char::is_whitespace) {
            _ if info.starts_with('{') => ("", info),
            Some((l, rest)) => (l, rest),
            None => (info, ""),
        };
        let lang = lang.trim_start_matches('.');
        let mut title = None;
        // techdocs-core turns on `linenums` for every block unless the site's
        // `pymdownx.highlight` turns it off; `linenums="N"` starts at N either way.
        let mut linenums: Option<usize> = self.linenums.then_some(1);
        let mut hl: BTreeSet<usize> = BTreeSet::new();
        for c in ATTR.captures_iter(attrs) {
            let (Some(k), Some(v)) = (c.get(2), c.get(3)) else { continue };
            let v = v.as_str().trim_matches(|ch| ch == '"' || ch == '\'');
            match k.as_str() {
                "title" => title = Some(v.to_owned()),
                "linenums" => linenums = v.parse().ok().filter(|n| *n > 0),
                "hl_lines" => {
                    for part in v.split_whitespace() {
                        match part.split_once('-') {
                            Some((a, b)) => {
                                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                                    hl.extend(a..=b.min(a + 10_000));
                                }
                            }
                            None => hl.extend(part.parse::<usize>().ok()),
                        }
                    }
                }
                _ => {}
            }
        }
        let lower = lang.to_ascii_lowercase();
        if lower == "mermaid" {
            self.mermaid = true;
            return format!("<pre class=\"mermaid\">{}</pre>\n", escape(code));
        }
        if matches!(lower.as_str(), "dot" | "graphviz" | "plantuml" | "puml") {
            self.problem(
                Severity::Warning,
                "diagram-not-rendered",
                offset,
                format!("`{lang}` diagrams are not rendered at build time; shown as code"),
            );
        }
        if code.len() > crate::highlight::MAX_BLOCK_BYTES && crate::highlight::is_highlighted(lang) {
            self.problem(
                Severity::Info,
                "code-not-highlighted",
                offset,
                format!(
                    "this `{lang}` block is {} KB, over the {} KB Portico highlights: it is shown as plain text",
                    code.len() / 1024,
                    crate::highlight::MAX_BLOCK_BYTES / 1024
                ),
            );
        }
        let highlighted = crate::highlight::highlight(code, (!lang.is_empty()).then_some(lang));
        let mut html = String::with_capacity(code.len() * 3);
        let data_lang =
            highlighted.language.as_deref().map(|l| format!(" data-lang=\"{}\"", escape(l))).unwrap_or_default();
        let _ = write!(html, "<div class=\"highlight\"{data_lang}>");
        if let Some(t) = &title {
            let _ = write!(html, "<span class=\"filename\">{}</span>", escape(t));
        }
        html.push_str("<pre class=\"hl-code\"><code>");
        for (n, line) in highlighted.lines.iter().enumerate() {
            let number = n + 1;
            if hl.contains(&number) {
                html.push_str("<span class=\"hll\">");
            }
            if let Some(start) = linenums {
                let _ = write!(html, "<span class=\"linenos\" data-linenos=\"{} \"></span>", start + n);
            }
            html.push_str(line);
            html.push('\n');
            if hl.contains(&number) {
                html.push_str("</span>");
            }
        }
        html.push_str("</code></pre></div>\n");
        html
    }
}

/// `#!python print(1)` becomes highlighted inline code (pymdownx.inlinehilite); the marker is
/// dropped also for languages it cannot highlight.
fn inline_code(code: &str) -> String {
    if let Some((lang, src)) = code.strip_prefix("#!").and_then(|rest| rest.split_once(' '))
        && !lang.is_empty()
        && lang.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '+' | '#' | '.'))
    {
        let h = crate::highlight::highlight(src, Some(lang));
        let body = if h.language.is_some() { h.lines.join(" ") } else { escape(src) };
        return format!("<code class=\"highlight\">{body}</code>");
    }
    format!("<code>{}</code>", escape(code))
}

/// Whether the list item starting at `i` begins with a task-list checkbox.
fn is_task_item(events: &[(Event, std::ops::Range<usize>)], i: usize) -> bool {
    if !matches!(events.get(i), Some((Event::Start(Tag::Item), _))) {
        return false;
    }
    match events.get(i + 1) {
        Some((Event::TaskListMarker(_), _)) => true,
        Some((Event::Start(Tag::Paragraph), _)) => matches!(events.get(i + 2), Some((Event::TaskListMarker(_), _))),
        _ => false,
    }
}

fn alert(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("danger", "Caution"),
    }
}

/// The anchors of a raw HTML fragment, as MkDocs counts them: `id` of any element, `name` of
/// an `<a>` (terraform-docs writes `<a name="input_region"></a>`).
fn html_ids(html: &str) -> Vec<String> {
    static ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>=`]+))"#).expect("static pattern")
    });
    static A_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<a\s[^>]*?\bname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>=`]+))"#).expect("static pattern")
    });
    let value = |c: regex::Captures| c.get(1).or(c.get(2)).or(c.get(3)).map(|m| m.as_str().to_owned());
    ID.captures_iter(html).chain(A_NAME.captures_iter(html)).filter_map(value).filter(|v| !v.is_empty()).collect()
}

/// Index of the `End` event matching the `Start` at `start`.
fn find_end(events: &[(Event, std::ops::Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}
