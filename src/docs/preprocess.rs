//! The MkDocs block syntax CommonMark does not know, rewritten before Markdown parsing.
//!
//! Input: a page's text. Output: CommonMark text plus a line map from every output line to the
//! line and column of the page it came from, so diagnostics found later point into the user's
//! file. Handles front matter (`---` YAML at the top, kept as data), snippets (`--8<-- "file"`,
//! also inside fences, as pymdownx.snippets does), and, outside code, the inline marks
//! `==mark==`, `^^insert^^`, `~sub~` and `^sup^` (pymdownx, also with escaped spaces) and
//! backslash-escaped spaces. The block structure (fences, admonitions, tabs, lists as
//! truly-sane lists reads them) is [`super::blocks`].

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::blocks::{Out, blocks};
use crate::diagnostics::Pos;

/// Where an output line came from: 1-based line in the page, and how many columns further
/// right its characters are in the page (indentation removed, less indentation added).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub line: u32,
    pub shift: i32,
}

#[derive(Debug, Default)]
pub struct Preprocessed {
    pub text: String,
    /// One entry per output line.
    pub lines: Vec<Origin>,
    /// Abbreviations defined on the page: (abbreviation, expansion).
    pub abbreviations: Vec<(String, String)>,
    /// The YAML front matter's text and the line it starts on, if any.
    pub front_matter: Option<(String, u32)>,
    /// Snippet files included (root-relative).
    pub snippets: Vec<String>,
    /// Problems: position in the page, diagnostic code and message.
    pub problems: Vec<(Pos, &'static str, String)>,
    /// Whether the page (outside code) contains raw HTML of its author, which must be sanitised.
    pub raw_html: bool,
}

impl Preprocessed {
    /// The page position of a byte offset in `text`.
    pub fn pos_of(&self, offset: usize) -> Pos {
        let before = &self.text[..offset.min(self.text.len())];
        let line_idx = before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() as u32 + 1;
        match self.lines.get(line_idx) {
            Some(o) => Pos::new(o.line, (col as i32 + o.shift).max(1) as u32),
            None => Pos::new(self.lines.last().map_or(1, |o| o.line), col),
        }
    }
}

/// Where snippets may be read from.
pub struct SnippetScope<'a> {
    /// Canonical portal root.
    pub root: &'a Path,
    /// Directories (root-relative) tried in order for a snippet path (the directory of
    /// mkdocs.yml).
    pub bases: &'a [String],
    /// Snippets must stay inside this directory (root-relative): the mkdocs.yml directory.
    pub boundary: &'a str,
    /// The page being read (root-relative): a snippet that includes it is a cycle.
    pub page: &'a str,
    /// The most text snippets may add to one page (bytes); also the largest snippet file.
    pub limit: u64,
}

/// How deep snippets may include snippets.
const SNIPPET_DEPTH: usize = 8;
/// Containers (list items, block quotes, admonitions, tabs, details) a page may nest, counted
/// as 4 columns of indentation or one `>` each: deeper pages are shown as plain text, since every
/// Markdown stage (and the browser) would walk them recursively.
pub const MAX_NESTING: usize = 64;

/// A line of the page (or of a snippet) and where it came from.
#[derive(Clone)]
pub(super) struct Line {
    pub text: String,
    pub origin: Origin,
}

static SNIPPET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^([ \t]*)(;?)--8<--[ \t]+(["'])(.+?)(["'])[ \t]*$"#).unwrap());
static SNIPPET_BLOCK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([ \t]*)--8<--[ \t]*$").unwrap());
static MARK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"==([^\s=](?:[^=]*?[^\s=])?)==").unwrap());
static INS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\^\^([^\s^](?:[^^]*?[^\s^])?)\^\^").unwrap());
// pymdownx.tilde / caret also accept `H~2~O` and `x^2^` inside words, which CommonMark's
// flanking rules (pulldown-cmark) do not: single delimiters around a run without spaces, where
// a backslash-escaped space counts as part of the run (`^a\ b^`).
static SUB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(^|[^~\\])~((?:[^\s~\\]|\\[^\n])+)~($|[^~])").unwrap());
static SUP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[^\^\\])\^((?:[^\s^\]\[\\]|\\[^\n])+)\^($|[^\^])").unwrap());

/// Rewrites `text` (a page at root-relative `file`).
pub fn preprocess(text: &str, scope: &SnippetScope) -> Preprocessed {
    let mut pre = Preprocessed::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| Line {
            text: l.strip_suffix('\r').unwrap_or(l).to_owned(),
            origin: Origin { line: i as u32 + 1, shift: 0 },
        })
        .collect();
    if text.ends_with('\n') {
        lines.pop();
    }

    // Front matter: kept as data, replaced by blank lines so numbering stays.
    if lines.first().is_some_and(|l| l.text.trim_end() == "---")
        && let Some(end) = lines.iter().skip(1).position(|l| matches!(l.text.trim_end(), "---" | "..."))
    {
        let body: Vec<&str> = lines[1..=end].iter().map(|l| l.text.as_str()).collect();
        pre.front_matter = Some((body.join("\n"), 2));
        for l in &mut lines[..=end + 1] {
            l.text.clear();
        }
    }

    let mut stack = vec![scope.page.to_owned()];
    let mut budget = scope.limit;
    let mut expanded = expand_snippets(lines, scope, &mut pre, &mut stack, &mut budget);
    if let Some(line) = expanded.iter().find(|l| nesting(&l.text) > MAX_NESTING) {
        pre.problems.push((
            Pos::new(line.origin.line, 1),
            "too-deep",
            format!("the page nests blocks more than {MAX_NESTING} levels deep: it is shown as plain text"),
        ));
        let fence = "`".repeat(expanded.iter().map(|l| longest_run(&l.text, '`')).max().unwrap_or(0).max(2) + 1);
        let origin = Origin { line: 1, shift: 0 };
        expanded.insert(0, Line { text: format!("{fence}text"), origin });
        expanded.push(Line { text: fence, origin });
    }
    let mut out = Out::new(text.len() + 256);
    blocks(&expanded, &mut out, &mut pre);
    pre.text = out.text;
    pre.lines = out.lines;
    pre
}

/// How deeply a line nests: its indentation in steps of 4 columns plus its `>` markers.
fn nesting(line: &str) -> usize {
    let mut columns = 0;
    let mut quotes = 0;
    for c in line.chars() {
        match c {
            ' ' => columns += 1,
            '\t' => columns += 4 - columns % 4,
            '>' => quotes += 1,
            _ => break,
        }
    }
    columns / 4 + quotes
}

fn longest_run(text: &str, c: char) -> usize {
    text.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

/// Replaces snippet directives by the files they name (recursively, at most
/// [`SNIPPET_DEPTH`] deep). A snippet that is already being expanded (the page itself or one of
/// the snippets including it) is a cycle and is not included again; all snippets of a page add
/// at most `budget` bytes.
fn expand_snippets(
    lines: Vec<Line>,
    scope: &SnippetScope,
    pre: &mut Preprocessed,
    stack: &mut Vec<String>,
    budget: &mut u64,
) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let mut files: Vec<(String, String)> = Vec::new(); // (indent, path)
        let mut consumed = 1;
        if let Some(c) = SNIPPET.captures(&line.text) {
            if &c[2] == ";" {
                // Escaped: `;--8<--` shows the directive itself.
                out.push(Line { text: line.text.replacen(";--8<--", "--8<--", 1), origin: line.origin });
                i += 1;
                continue;
            }
            files.push((c[1].to_owned(), c[4].to_owned()));
        } else if let Some(c) = SNIPPET_BLOCK.captures(&line.text)
            && let Some(end) = lines[i + 1..].iter().position(|l| SNIPPET_BLOCK.is_match(&l.text))
        {
            for l in &lines[i + 1..i + 1 + end] {
                let p = l.text.trim();
                if !p.is_empty() && !p.starts_with(';') {
                    files.push((c[1].to_owned(), p.to_owned()));
                }
            }
            consumed = end + 2;
        }
        if files.is_empty() {
            out.push(line.clone());
            i += 1;
            continue;
        }
        let origin = line.origin;
        for (indent, path) in files {
            let at = Pos::new(origin.line, 1);
            match read_snippet(&path, scope) {
                Some((rel, _)) if stack.contains(&rel) => pre.problems.push((
                    at,
                    "snippet-cycle",
                    format!("snippet `{path}` includes itself (through {}); it is not included again", stack.join(" -> ")),
                )),
                Some((_, content)) if content.len() as u64 > *budget => pre.problems.push((
                    at,
                    "snippet-limit",
                    format!("snippet `{path}` was not included: the page's snippets reached the limit of text (`limits.file_mb`)"),
                )),
                Some((rel, content)) if stack.len() <= SNIPPET_DEPTH => {
                    *budget -= content.len() as u64;
                    pre.snippets.push(rel.clone());
                    let inner: Vec<Line> =
                        content.lines().map(|t| Line { text: format!("{indent}{t}"), origin }).collect();
                    stack.push(rel);
                    out.extend(expand_snippets(inner, scope, pre, stack, budget));
                    stack.pop();
                }
                Some(_) => pre.problems.push((at, "snippet-limit", format!("snippet `{path}` nests too deeply"))),
                None => pre.problems.push((
                    Pos::new(origin.line, (origin.shift + 1).max(1) as u32),
                    "snippet-missing",
                    format!("snippet `{path}` not found: snippet paths are relative to the directory of mkdocs.yml"),
                )),
            }
        }
        i += consumed;
    }
    out
}

fn read_snippet(path: &str, scope: &SnippetScope) -> Option<(String, String)> {
    for base in scope.bases {
        let Ok(rel) = crate::paths::resolve_inside(scope.root, base, path) else { continue };
        let inside =
            scope.boundary.is_empty() || rel == scope.boundary || rel.starts_with(&format!("{}/", scope.boundary));
        if !inside {
            continue;
        }
        if let Ok(content) = crate::input::read_to_string(&scope.root.join(&rel), scope.limit) {
            return Some((rel, content));
        }
    }
    None
}

/// Whether a line has something that looks like an HTML tag, comment or autolink outside
/// code spans (over-approximates: such pages are sanitised).
pub(super) fn has_raw_html(line: &str) -> bool {
    let mut in_code = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'<' if !in_code
                && bytes.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?')) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// `==mark==`, `^^insert^^`, `~sub~`, `^sup^` and escaped spaces outside code spans.
pub(super) fn inline_marks(line: &str) -> String {
    if !line.contains("==") && !line.contains('^') && !line.contains('~') && !line.contains("\\ ") {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    // Alternate between text outside and inside backtick code spans.
    loop {
        match rest.find('`') {
            Some(start) => {
                out.push_str(&mark_text(&rest[..start]));
                let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
                let after = &rest[start + ticks..];
                let closing = "`".repeat(ticks);
                match after.find(&closing) {
                    Some(end) => {
                        out.push_str(&rest[start..start + ticks + end + ticks]);
                        rest = &after[end + ticks..];
                    }
                    None => {
                        out.push_str(&rest[start..]);
                        return out;
                    }
                }
            }
            None => {
                out.push_str(&mark_text(rest));
                return out;
            }
        }
    }
}

fn mark_text(s: &str) -> String {
    let s = MARK.replace_all(s, "<mark>$1</mark>");
    let s = INS.replace_all(&s, "<ins>$1</ins>");
    let s = SUB.replace_all(&s, "$1<sub>$2</sub>$3");
    let s = SUP.replace_all(&s, "$1<sup>$2</sup>$3");
    unescape_spaces(&s)
}

/// `\ ` is a space: pymdownx.caret and pymdownx.tilde (both on in techdocs-core) make the
/// space escapable everywhere. An escaped backslash (`\\`) stays as written.
fn unescape_spaces(s: &str) -> String {
    if !s.contains("\\ ") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(' ')) => {
                out.push(' ');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push_str("\\\\");
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Preprocessed {
        let scope =
            SnippetScope { root: Path::new("/nonexistent"), bases: &[], boundary: "", page: "p.md", limit: 1 << 20 };
        preprocess(text, &scope)
    }

    #[test]
    fn admonitions_become_html_blocks_around_markdown() {
        let p = run("Intro\n\n!!! warning \"Mind the gap\"\n    Body **bold**.\n\n    More.\n\nAfter\n");
        assert_eq!(
            p.text,
            "Intro\n\n<div class=\"admonition warning\">\n<p class=\"admonition-title\">Mind the gap</p>\n\nBody **bold**.\n\nMore.\n\n</div>\n\n\nAfter\n"
        );
        // "Body" is on line 4 of the page, dedented by 4.
        let at = p.text.find("Body").unwrap();
        assert_eq!(p.pos_of(at), Pos::new(4, 5));
    }

    #[test]
    fn collapsible_blocks_and_default_titles() {
        let p = run("??? tip\n    Hidden\n???+ note \"Open\"\n    Shown\n");
        assert!(p.text.contains("<details class=\"admonition tip\">\n<summary>Tip</summary>"), "{}", p.text);
        assert!(p.text.contains("<details class=\"admonition note\" open>\n<summary>Open</summary>"));
    }

    #[test]
    fn tabs_form_one_set_until_a_new_one_starts() {
        let p = run("=== \"Go\"\n    go code\n\n=== \"Rust\"\n    rust code\n\n===! \"Other\"\n    x\n");
        assert_eq!(p.text.matches("class=\"tabbed-set\"").count(), 2, "{}", p.text);
        assert!(p.text.contains("id=\"__tabbed_1_2\""));
        assert!(p.text.contains("<label for=\"__tabbed_2_1\">Other</label>"));
    }

    #[test]
    fn nothing_inside_fences_is_rewritten() {
        let p = run("```md\n!!! note\n    x ==y==\n```\n");
        assert_eq!(p.text, "```md\n!!! note\n    x ==y==\n```\n");
    }

    #[test]
    fn marks_skip_code_spans_and_front_matter_is_data() {
        let p = run("---\ntitle: T\n---\n==hi== `==no==` ^^ins^^\n*[HTML]: Hyper Text\n");
        assert_eq!(p.front_matter, Some(("title: T".to_owned(), 2)));
        assert!(p.text.contains("<mark>hi</mark> `==no==` <ins>ins</ins>"), "{}", p.text);
        let q = run("CO~2~ and x^2^, ~~gone~~, `a~b~c` and [^1]\n");
        assert_eq!(q.text, "CO<sub>2</sub> and x<sup>2</sup>, ~~gone~~, `a~b~c` and [^1]\n");
        // Escaped spaces: inside `^...^` / `~...~` (pymdownx.caret, tilde), and anywhere else.
        let e = run("T^max\\ load^ at H~2\\ gas~, a\\ b, `c\\ d` and \\\\ e\n");
        assert_eq!(e.text, "T<sup>max load</sup> at H<sub>2 gas</sub>, a b, `c\\ d` and \\\\ e\n");
        assert_eq!(p.abbreviations, vec![("HTML".to_owned(), "Hyper Text".to_owned())]);
        assert_eq!(p.lines.len(), 5);
    }

    #[test]
    fn nested_blocks_keep_positions() {
        let p = run("=== \"A\"\n    !!! note\n        deep [x](y.md)\n");
        let at = p.text.find("[x]").unwrap();
        assert_eq!(p.pos_of(at), Pos::new(3, 14));
    }

    #[test]
    fn raw_html_is_noticed_outside_code_only() {
        assert!(!run("a < b and `<script>`\n```\n<div>\n```\n").raw_html);
        assert!(run("text <span onclick=x>hi</span>\n").raw_html);
        assert!(run("!!! note\n    <img src=x>\n").raw_html);
    }

    #[test]
    fn missing_snippets_are_problems_at_the_directive() {
        let p = run("a\n--8<-- \"nope.md\"\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].0, Pos::new(2, 1));
    }
}
