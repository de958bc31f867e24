//! The MkDocs block syntax CommonMark does not know, rewritten before Markdown parsing.
//!
//! Input: a page's text. Output: CommonMark text plus a line map from every output line to the
//! line and column of the page it came from, so diagnostics found later point into the user's
//! file. Handles, outside fenced code: front matter (`---` YAML at the top, kept as data),
//! snippets (`--8<-- "file"`, also inside fences, as pymdownx.snippets does), admonitions
//! (`!!! type "title"`), collapsible blocks (`??? type`, `???+ type`), content tabs
//! (`=== "Tab"`), abbreviation definitions (`*[HTML]: ...`) and the inline marks `==mark==` and
//! `^^insert^^` (outside code spans). Block syntax nests (an admonition inside a tab).
//! Admonitions and tabs become HTML blocks around their (still Markdown) bodies.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::Pos;

/// Where an output line came from: 1-based line in the page, and how many columns of
/// indentation were removed before it reached the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub line: u32,
    pub dedent: u32,
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
    /// Problems: position in the page and message.
    pub problems: Vec<(Pos, String)>,
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
            Some(o) => Pos::new(o.line, col + o.dedent),
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
}

#[derive(Clone)]
struct Line {
    text: String,
    origin: Origin,
}

struct Out {
    text: String,
    lines: Vec<Origin>,
    tab_sets: usize,
}

impl Out {
    fn push(&mut self, text: &str, origin: Origin) {
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(origin);
    }
}

static ADMONITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^(!!!|\?\?\?\+?)[ \t]+([\w-]+(?:[ \t]+[\w-]+)*)(?:[ \t]+"(.*)")?[ \t]*$"#).unwrap());
static TAB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^===(!|\+)?[ \t]+"(.*)"[ \t]*$"#).unwrap());
static ABBR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\*\[([^\]]+)\]:[ \t]*(.*)$").unwrap());
static SNIPPET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^([ \t]*)(;?)--8<--[ \t]+(["'])(.+?)(["'])[ \t]*$"#).unwrap());
static SNIPPET_BLOCK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([ \t]*)--8<--[ \t]*$").unwrap());
static MARK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"==([^\s=](?:[^=]*?[^\s=])?)==").unwrap());
static INS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\^\^([^\s^](?:[^^]*?[^\s^])?)\^\^").unwrap());
// pymdownx.tilde / caret also accept `H~2~O` and `x^2^` inside words, which CommonMark's
// flanking rules (pulldown-cmark) do not: single delimiters around a run without spaces.
static SUB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(^|[^~\\])~([^\s~]+)~($|[^~])").unwrap());
static SUP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(^|[^\^\\])\^([^\s^\]\[]+)\^($|[^\^])").unwrap());

/// Rewrites `text` (a page at root-relative `file`).
pub fn preprocess(text: &str, scope: &SnippetScope) -> Preprocessed {
    let mut pre = Preprocessed::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| Line {
            text: l.strip_suffix('\r').unwrap_or(l).to_owned(),
            origin: Origin { line: i as u32 + 1, dedent: 0 },
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

    let expanded = expand_snippets(lines, scope, &mut pre, 0);
    let mut out = Out { text: String::with_capacity(text.len() + 256), lines: Vec::new(), tab_sets: 0 };
    blocks(&expanded, &mut out, &mut pre);
    pre.text = out.text;
    pre.lines = out.lines;
    pre
}

/// Replaces snippet directives by the files they name (recursively, at most 8 deep).
fn expand_snippets(lines: Vec<Line>, scope: &SnippetScope, pre: &mut Preprocessed, depth: usize) -> Vec<Line> {
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
            match read_snippet(&path, scope) {
                Some((rel, content)) if depth < 8 => {
                    pre.snippets.push(rel);
                    let inner: Vec<Line> =
                        content.lines().map(|t| Line { text: format!("{indent}{t}"), origin }).collect();
                    out.extend(expand_snippets(inner, scope, pre, depth + 1));
                }
                Some(_) => pre.problems.push((Pos::new(origin.line, 1), format!("snippet `{path}` nests too deeply"))),
                None => pre.problems.push((
                    Pos::new(origin.line, origin.dedent + 1),
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
        if let Ok(content) = std::fs::read_to_string(scope.root.join(&rel)) {
            return Some((rel, content));
        }
    }
    None
}

fn is_fence_open(text: &str) -> Option<(char, usize)> {
    let t = text.trim_start_matches(' ');
    if text.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

fn closes_fence(text: &str, fence: (char, usize)) -> bool {
    let t = text.trim_start_matches(' ');
    text.len() - t.len() <= 3
        && t.chars().take_while(|&x| x == fence.0).count() >= fence.1
        && t.trim_start_matches(fence.0).trim().is_empty()
}

/// The indented body following a block directive: blank lines and lines indented by 4 spaces
/// (or a tab), dedented; trailing blank lines excluded. Returns the body and lines consumed.
fn body_of(lines: &[Line]) -> (Vec<Line>, usize) {
    let mut end = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.text.trim().is_empty() {
            continue;
        }
        if l.text.starts_with("    ") || l.text.starts_with('\t') {
            end = i + 1;
        } else {
            break;
        }
    }
    let body = lines[..end]
        .iter()
        .map(|l| {
            let (text, removed) = if let Some(t) = l.text.strip_prefix("    ") {
                (t, 4)
            } else if let Some(t) = l.text.strip_prefix('\t') {
                (t, 1)
            } else {
                (l.text.trim_start(), (l.text.len() - l.text.trim_start().len()) as u32)
            };
            Line { text: text.to_owned(), origin: Origin { line: l.origin.line, dedent: l.origin.dedent + removed } }
        })
        .collect();
    (body, end)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn title_case(kind: &str) -> String {
    let mut c = kind.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn blocks(lines: &[Line], out: &mut Out, pre: &mut Preprocessed) {
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if let Some(fence) = is_fence_open(&line.text) {
            out.push(&line.text, line.origin);
            i += 1;
            while i < lines.len() {
                let l = &lines[i];
                out.push(&l.text, l.origin);
                i += 1;
                if closes_fence(&l.text, fence) {
                    break;
                }
            }
            continue;
        }
        if let Some(c) = ADMONITION.captures(&line.text) {
            let marker = c.get(1).map_or("", |m| m.as_str());
            let mut classes = c[2].split_whitespace();
            let kind = classes.next().unwrap_or("note").to_lowercase();
            let extra: Vec<&str> = classes.collect();
            let class = std::iter::once(kind.as_str()).chain(extra.iter().copied()).collect::<Vec<_>>().join(" ");
            let title = match c.get(3) {
                Some(t) => t.as_str().to_owned(),
                None => title_case(&kind),
            };
            let (body, used) = body_of(&lines[i + 1..]);
            let o = line.origin;
            if marker == "!!!" {
                out.push(&format!("<div class=\"admonition {}\">", escape(&class)), o);
                if !title.is_empty() {
                    out.push(&format!("<p class=\"admonition-title\">{}</p>", escape(&title)), o);
                }
            } else {
                let open = if marker == "???+" { " open" } else { "" };
                out.push(&format!("<details class=\"admonition {}\"{open}>", escape(&class)), o);
                out.push(&format!("<summary>{}</summary>", escape(if title.is_empty() { &kind } else { &title })), o);
            }
            out.push("", o);
            blocks(&body, out, pre);
            out.push("", o);
            out.push(if marker == "!!!" { "</div>" } else { "</details>" }, o);
            out.push("", o);
            i += 1 + used;
            continue;
        }
        if TAB.is_match(&line.text) {
            out.tab_sets += 1;
            let set = out.tab_sets;
            let o = line.origin;
            out.push(&format!("<div class=\"tabbed-set\" data-tabs=\"{set}\">"), o);
            out.push("", o);
            let mut n = 0;
            while i < lines.len() {
                let Some(c) = TAB.captures(&lines[i].text) else { break };
                if n > 0 && c.get(1).is_some_and(|m| m.as_str() == "!") {
                    break; // `===!` starts a new set
                }
                n += 1;
                let to = lines[i].origin;
                let checked = if n == 1 { " checked" } else { "" };
                out.push(
                    &format!(
                        "<div class=\"tabbed-block\"><input type=\"radio\" name=\"__tabbed_{set}\" id=\"__tabbed_{set}_{n}\"{checked}><label for=\"__tabbed_{set}_{n}\">{}</label>",
                        escape(&c[2])
                    ),
                    to,
                );
                out.push("<div class=\"tabbed-content\">", to);
                out.push("", to);
                let (body, used) = body_of(&lines[i + 1..]);
                blocks(&body, out, pre);
                out.push("", to);
                out.push("</div></div>", to);
                out.push("", to);
                i += 1 + used;
                // Blank lines between tabs of one set.
                let mut j = i;
                while j < lines.len() && lines[j].text.trim().is_empty() {
                    j += 1;
                }
                if j < lines.len()
                    && TAB.captures(&lines[j].text).is_some_and(|c| c.get(1).is_none_or(|m| m.as_str() != "!"))
                {
                    i = j;
                } else {
                    break;
                }
            }
            out.push("</div>", o);
            out.push("", o);
            continue;
        }
        if let Some(c) = ABBR.captures(&line.text) {
            pre.abbreviations.push((c[1].to_owned(), c[2].trim().to_owned()));
            out.push("", line.origin);
            i += 1;
            continue;
        }
        if !pre.raw_html && has_raw_html(&line.text) {
            pre.raw_html = true;
        }
        out.push(&inline_marks(&line.text), line.origin);
        i += 1;
    }
}

/// Whether a line has something that looks like an HTML tag, comment or autolink outside
/// code spans (over-approximates: such pages are sanitised).
fn has_raw_html(line: &str) -> bool {
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

/// `==mark==` and `^^insert^^` outside code spans.
fn inline_marks(line: &str) -> String {
    if !line.contains("==") && !line.contains('^') && !line.contains('~') {
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
    SUP.replace_all(&s, "$1<sup>$2</sup>$3").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Preprocessed {
        let scope = SnippetScope { root: Path::new("/nonexistent"), bases: &[], boundary: "" };
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
