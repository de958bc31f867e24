//! The block structure of a page as Python-Markdown with techdocs-core's extensions reads it,
//! written out as CommonMark for pulldown-cmark.
//!
//! Input: the page's lines (front matter blanked, snippets expanded), each with its origin in
//! the page. Output: lines appended to [`Out`], each with the line and column shift of where it
//! came from, so positions found later point into the user's file. Handles fenced code (kept as
//! written), admonitions (`!!! type "title"`), collapsible blocks (`???`, `???+`), content tabs
//! (`=== "Tab"`), abbreviation definitions (`*[HTML]: ...`) and lists. Admonitions and tabs
//! become HTML blocks around their (still Markdown) bodies; block syntax nests.
//!
//! Lists follow `mdx_truly_sane_lists` (nested_indent 2, which techdocs-core enables), not
//! CommonMark, and are re-indented so that CommonMark sees the same tree:
//!
//! - a nested item is indented 2 (or 3) columns more than its parent's marker, also under
//!   `1.` items (CommonMark wants the parent's content column, 3 there);
//! - a block after a blank line belongs to the deepest item whose indentation it reaches: 2
//!   columns per level for items where truly-sane lists puts them (CommonMark's content column
//!   for other items), and is read relative to it (4 more columns make indented code; an
//!   admonition or fence at 0-3 is one);
//! - a line right after an item's text (no blank line) continues that item, also a fence, an
//!   admonition or a heading at column 0 (pymdownx.superfences finds fences at any
//!   indentation before lists are parsed);
//! - fences and admonitions inside items are written at the item's content column, fence bodies
//!   keep their indentation relative to the opening fence.
//!
//! Where truly-sane lists turns list syntax into plain text (an item indented 4 under a `-`
//! item, a list right after a paragraph line), CommonMark's reading is kept: it is what the
//! author meant and what GitHub shows. Outside lists, lines are passed through unchanged.

use std::sync::LazyLock;

use regex::Regex;

use super::preprocess::{Line, Origin, Preprocessed, has_raw_html, inline_marks};

/// Lines written so far.
pub(super) struct Out {
    pub text: String,
    pub lines: Vec<Origin>,
    pub tab_sets: usize,
    /// Columns every non-blank line is indented by (the content column of the list item a
    /// nested block is written into).
    pub indent: usize,
}

impl Out {
    pub fn new(capacity: usize) -> Self {
        Out { text: String::with_capacity(capacity), lines: Vec::new(), tab_sets: 0, indent: 0 }
    }

    fn push(&mut self, text: &str, origin: Origin) {
        let mut shift = origin.shift;
        if !text.is_empty() && self.indent > 0 {
            self.text.extend(std::iter::repeat_n(' ', self.indent));
            shift -= self.indent as i32;
        }
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(Origin { line: origin.line, shift });
    }

    /// Writes `rel` at column `col`.
    fn push_at(&mut self, col: usize, rel: &Rel, origin: Origin) {
        let mut text = String::with_capacity(col + rel.text.len());
        text.extend(std::iter::repeat_n(' ', col));
        text.push_str(&rel.text);
        self.push(&text, Origin { line: origin.line, shift: origin.shift + rel.shift - col as i32 });
    }
}

static ADMONITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^(!!!|\?\?\?\+?)[ \t]+([\w-]+(?:[ \t]+[\w-]+)*)(?:[ \t]+"(.*)")?[ \t]*$"#).unwrap());
static TAB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^===(!|\+)?[ \t]+"(.*)"[ \t]*$"#).unwrap());
static ABBR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\*\[([^\]]+)\]:[ \t]*(.*)$").unwrap());

/// Width of a line's leading whitespace (a tab goes to the next multiple of 4, as
/// Python-Markdown expands them) and its length in bytes.
fn indent_of(text: &str) -> (usize, usize) {
    let mut width = 0;
    let mut bytes = 0;
    for b in text.bytes() {
        match b {
            b' ' => width += 1,
            b'\t' => width += 4 - width % 4,
            _ => break,
        }
        bytes += 1;
    }
    (width, bytes)
}

/// A line relative to a container: its text with `cols` columns of indentation removed (all
/// of it when it has fewer), and how many columns further right its characters are in the page.
struct Rel {
    text: String,
    shift: i32,
}

fn relative(text: &str, cols: usize) -> Rel {
    let (width, bytes) = indent_of(text);
    let keep = width.saturating_sub(cols);
    let mut out = String::with_capacity(keep + text.len() - bytes);
    out.extend(std::iter::repeat_n(' ', keep));
    out.push_str(&text[bytes..]);
    Rel { text: out, shift: bytes as i32 - keep as i32 }
}

pub(super) fn is_fence_open(text: &str) -> Option<(char, usize)> {
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

/// The body following a block directive indented `base` columns: blank lines and lines
/// indented by at least `base + 4`, relative to that; trailing blank lines excluded. Returns the
/// body and the number of lines consumed.
fn body_of(lines: &[Line], base: usize) -> (Vec<Line>, usize) {
    let mut end = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.text.trim().is_empty() {
            continue;
        }
        if indent_of(&l.text).0 >= base + 4 {
            end = i + 1;
        } else {
            break;
        }
    }
    let body = lines[..end]
        .iter()
        .map(|l| {
            let rel = relative(&l.text, base + 4);
            Line { text: rel.text, origin: Origin { line: l.origin.line, shift: l.origin.shift + rel.shift } }
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

/// A list item marker: `-`, `*`, `+` or `1.` followed by a space or the end of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Marker {
    /// Column of the marker.
    indent: usize,
    ordered: bool,
    /// The bullet character, or the number of an ordered item.
    bullet: u8,
    number: u64,
    /// Columns from the marker to the item's content.
    content: usize,
    /// Nothing follows the marker.
    empty: bool,
}

impl Marker {
    /// Whether CommonMark lets this item start a list right after a paragraph line.
    fn can_interrupt(&self) -> bool {
        !self.empty && (!self.ordered || self.number == 1)
    }
}

fn is_thematic_break(text: &str) -> bool {
    let t = text.trim();
    let Some(c) = t.chars().next().filter(|c| matches!(c, '-' | '*' | '_')) else { return false };
    t.chars().all(|x| x == c || x == ' ' || x == '\t') && t.chars().filter(|&x| x == c).count() >= 3
}

fn list_marker(text: &str) -> Option<Marker> {
    let (indent, bytes) = indent_of(text);
    let rest = &text[bytes..];
    let (ordered, bullet, number, len) = match rest.as_bytes().first()? {
        b @ (b'-' | b'*' | b'+') => (false, *b, 0, 1),
        b'0'..=b'9' => {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 9 || rest.as_bytes().get(digits) != Some(&b'.') {
                return None;
            }
            (true, b'.', rest[..digits].parse().ok()?, digits + 1)
        }
        _ => return None,
    };
    let after = &rest[len..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    if !ordered && is_thematic_break(rest) {
        return None;
    }
    let empty = after.trim().is_empty();
    let spaces = indent_of(after).0;
    let content = len + if empty || spaces > 4 { 1 } else { spaces };
    Some(Marker { indent, ordered, bullet, number, content, empty })
}

/// An open list item.
#[derive(Clone, Copy, Debug)]
struct Item {
    /// Column of its marker in the input.
    marker: usize,
    /// Column of its content in the input.
    content: usize,
    /// Indentation of a later block of this item: 2 per level where truly-sane lists expects
    /// the item, else its content column.
    strip: usize,
    /// Column of its content in the output.
    col: usize,
    ordered: bool,
    bullet: u8,
}

/// What the lines after an item's marker line are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The item's own text (no blank line since its marker): every line continues the item.
    Text,
    /// A block after a blank line, indented `strip` columns; `code` when it is indented code.
    Block { strip: usize, code: bool },
}

/// The open items, outermost first: the chain of last items a later line may belong to.
#[derive(Default)]
struct Lists {
    items: Vec<Item>,
}

impl Lists {
    /// Opens an item for `m` (on `line`) under the first `depth` items, replacing the item
    /// that was at that depth (its sibling) if any, and writes its marker line.
    fn open(&mut self, depth: usize, m: &Marker, line: &Line, out: &mut Out, pre: &mut Preprocessed) {
        let sibling = self.items.get(depth).copied();
        self.items.truncate(depth);
        let level = depth + 1;
        let col = self.items.last().map_or(0, |p| p.col);
        let aligned = (2 * (level - 1)..2 * level).contains(&m.indent);
        let mut rel = relative(&line.text, usize::MAX);
        // Python-Markdown keeps `*`, `+` and `-` items in one list; CommonMark would split it.
        let bullet = match sibling {
            Some(s) if !s.ordered && !m.ordered => {
                rel.text.replace_range(..1, &(s.bullet as char).to_string());
                s.bullet
            }
            _ => m.bullet,
        };
        self.items.push(Item {
            marker: m.indent,
            content: m.indent + m.content,
            strip: if aligned { 2 * level } else { m.indent + m.content },
            col: col + m.content,
            ordered: m.ordered,
            bullet,
        });
        text_line(out, pre, col, rel, line.origin);
    }

    /// Where a marker line right after other lines of the list goes: the depth to open it at,
    /// or `None` when it is text of the current item (indented past its content).
    fn tight_depth(&self, m: &Marker) -> Option<usize> {
        let mut k = self.items.len();
        while k > 0 && self.items[k - 1].marker > m.indent {
            k -= 1;
        }
        if k == 0 {
            return Some(0);
        }
        let top = &self.items[k - 1];
        if m.indent < top.marker + 2 {
            Some(k - 1)
        } else if m.indent <= top.content + 3 {
            Some(k)
        } else {
            None
        }
    }
}

/// Writes the block structure of `lines` to `out`.
pub(super) fn blocks(lines: &[Line], out: &mut Out, pre: &mut Preprocessed) {
    let mut lists = Lists::default();
    let mut mode = Mode::Text;
    let mut blank_before = true;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.text.trim().is_empty() {
            out.push("", line.origin);
            blank_before = true;
            i += 1;
            continue;
        }
        let indent = indent_of(&line.text).0;
        let marker = list_marker(&line.text);
        if lists.items.is_empty() {
            match marker {
                Some(m) if m.indent <= 3 && (blank_before || m.can_interrupt()) => {
                    lists.open(0, &m, line, out, pre);
                    mode = Mode::Text;
                    i += 1;
                }
                _ => i = top_level(lines, i, out, pre),
            }
            blank_before = false;
            continue;
        }
        if blank_before {
            // The deepest open item this block is indented into.
            let level = lists.items.iter().rposition(|it| indent >= it.strip).map_or(0, |p| p + 1);
            if level == 0 {
                if let Some(m) = marker.filter(|m| m.indent <= 3) {
                    lists.open(0, &m, line, out, pre);
                    mode = Mode::Text;
                    blank_before = false;
                    i += 1;
                } else {
                    // The list ended; the line is read again outside it.
                    lists.items.clear();
                }
                continue;
            }
            let strip = lists.items[level - 1].strip;
            let rel = indent - strip;
            match marker {
                Some(m) if rel <= 3 => {
                    lists.open(level, &m, line, out, pre);
                    mode = Mode::Text;
                    blank_before = false;
                    i += 1;
                    continue;
                }
                _ => {
                    lists.items.truncate(level);
                    mode = Mode::Block { strip, code: rel >= 4 };
                }
            }
        } else {
            if let Mode::Block { strip, code: true } = mode
                && indent < strip + 4
            {
                mode = Mode::Block { strip, code: false };
            }
            let code = matches!(mode, Mode::Block { code: true, .. });
            if let Some(depth) = marker.filter(|_| !code).and_then(|m| lists.tight_depth(&m)) {
                lists.open(depth, &marker.expect("filtered"), line, out, pre);
                mode = Mode::Text;
                i += 1;
                continue;
            }
        }
        blank_before = false;
        i = item_line(lines, i, &lists, mode, out, pre);
    }
}

/// A line outside lists (a fence, admonition, tab set, abbreviation or text); returns the
/// index of the next line.
fn top_level(lines: &[Line], i: usize, out: &mut Out, pre: &mut Preprocessed) -> usize {
    let line = &lines[i];
    if let Some(fence) = is_fence_open(&line.text) {
        out.push(&line.text, line.origin);
        let mut i = i + 1;
        while i < lines.len() {
            let l = &lines[i];
            out.push(&l.text, l.origin);
            i += 1;
            if closes_fence(&l.text, fence) {
                break;
            }
        }
        return i;
    }
    if ADMONITION.is_match(&line.text) {
        return admonition(lines, i, 0, out, pre);
    }
    if TAB.is_match(&line.text) {
        return tabs(lines, i, 0, out, pre);
    }
    if let Some(c) = ABBR.captures(&line.text) {
        pre.abbreviations.push((c[1].to_owned(), c[2].trim().to_owned()));
        out.push("", line.origin);
        return i + 1;
    }
    text_line(out, pre, 0, Rel { text: line.text.clone(), shift: 0 }, line.origin);
    i + 1
}

/// A line of the innermost open item (its text, or a block after a blank line); returns the
/// index of the next line.
fn item_line(lines: &[Line], i: usize, lists: &Lists, mode: Mode, out: &mut Out, pre: &mut Preprocessed) -> usize {
    let line = &lines[i];
    let item = lists.items.last().expect("an open item");
    let depth = lists.items.len();
    let (indent, _) = indent_of(&line.text);
    let (strip, code) = match mode {
        // Python-Markdown removes 2 columns per level from an item's text.
        Mode::Text => (2 * (depth - 1), false),
        Mode::Block { strip, code } => (strip, code),
    };
    let rel = indent.saturating_sub(strip);
    let bare = relative(&line.text, usize::MAX);
    if code {
        out.push_at(item.col, &relative(&line.text, strip), line.origin);
        return i + 1;
    }
    // pymdownx.superfences finds fences at any indentation before lists are parsed.
    if let Some(fence) = is_fence_open(&bare.text).filter(|_| mode == Mode::Text || rel <= 3) {
        out.push_at(item.col, &bare, line.origin);
        let mut i = i + 1;
        while i < lines.len() {
            let l = &lines[i];
            let body = relative(&l.text, indent);
            out.push_at(item.col, &body, l.origin);
            i += 1;
            if closes_fence(&body.text, fence) {
                break;
            }
        }
        return i;
    }
    if rel <= 3 && ADMONITION.is_match(&bare.text) {
        return admonition(lines, i, item.col, out, pre);
    }
    if rel <= 3 && TAB.is_match(&bare.text) {
        return tabs(lines, i, item.col, out, pre);
    }
    match mode {
        Mode::Text => text_line(out, pre, item.col, bare, line.origin),
        Mode::Block { .. } => text_line(out, pre, item.col, relative(&line.text, strip), line.origin),
    }
    i + 1
}

/// Writes a line of Markdown text at column `col`, with `==mark==`-style inline marks.
fn text_line(out: &mut Out, pre: &mut Preprocessed, col: usize, mut rel: Rel, origin: Origin) {
    if !pre.raw_html && has_raw_html(&rel.text) {
        pre.raw_html = true;
    }
    // `:tada: Released` at the start of a line is an emoji: Python-Markdown's def_list wants a
    // space after the colon of a definition, pulldown-cmark does not.
    let spaces = rel.text.len() - rel.text.trim_start_matches(' ').len();
    if spaces <= 3
        && rel.text[spaces..].starts_with(':')
        && rel.text[spaces + 1..].starts_with(|c: char| !c.is_whitespace())
    {
        rel.text.insert(spaces, '\\');
        rel.shift -= 1;
    }
    let marked = Rel { text: inline_marks(&rel.text), shift: rel.shift };
    out.push_at(col, &marked, origin);
}

/// Writes the lines of `body` (a block's body, relative to it) at column `col`.
fn nested(body: &[Line], col: usize, out: &mut Out, pre: &mut Preprocessed) {
    out.indent += col;
    blocks(body, out, pre);
    out.indent -= col;
}

/// An admonition or collapsible block whose header is line `i` (at any indentation), written
/// at column `col`; returns the index of the next line.
fn admonition(lines: &[Line], i: usize, col: usize, out: &mut Out, pre: &mut Preprocessed) -> usize {
    let line = &lines[i];
    let (base, bytes) = indent_of(&line.text);
    let Some(c) = ADMONITION.captures(&line.text[bytes..]) else { return i };
    let marker = c.get(1).map_or("", |m| m.as_str());
    let mut classes = c[2].split_whitespace();
    let kind = classes.next().unwrap_or("note").to_lowercase();
    let extra: Vec<&str> = classes.collect();
    let class = std::iter::once(kind.as_str()).chain(extra.iter().copied()).collect::<Vec<_>>().join(" ");
    let title = match c.get(3) {
        Some(t) => t.as_str().to_owned(),
        None => title_case(&kind),
    };
    let (body, used) = body_of(&lines[i + 1..], base);
    let o = line.origin;
    let at = |text: String| Rel { text, shift: bytes as i32 };
    if marker == "!!!" {
        out.push_at(col, &at(format!("<div class=\"admonition {}\">", escape(&class))), o);
        if !title.is_empty() {
            out.push_at(col, &at(format!("<p class=\"admonition-title\">{}</p>", escape(&title))), o);
        }
    } else {
        let open = if marker == "???+" { " open" } else { "" };
        out.push_at(col, &at(format!("<details class=\"admonition {}\"{open}>", escape(&class))), o);
        let summary = escape(if title.is_empty() { &kind } else { &title });
        out.push_at(col, &at(format!("<summary>{summary}</summary>")), o);
    }
    out.push("", o);
    nested(&body, col, out, pre);
    out.push("", o);
    out.push_at(col, &at((if marker == "!!!" { "</div>" } else { "</details>" }).to_owned()), o);
    out.push("", o);
    i + 1 + used
}

/// A set of content tabs starting at line `i` (at any indentation), written at column `col`;
/// returns the index of the next line.
fn tabs(lines: &[Line], mut i: usize, col: usize, out: &mut Out, pre: &mut Preprocessed) -> usize {
    let (base, bytes) = indent_of(&lines[i].text);
    fn header(l: &Line, base: usize) -> Option<regex::Captures<'_>> {
        let (w, b) = indent_of(&l.text);
        if w == base { TAB.captures(&l.text[b..]) } else { None }
    }
    let at = |text: String| Rel { text, shift: bytes as i32 };
    out.tab_sets += 1;
    let set = out.tab_sets;
    let o = lines[i].origin;
    out.push_at(col, &at(format!("<div class=\"tabbed-set\" data-tabs=\"{set}\">")), o);
    out.push("", o);
    let mut n = 0;
    while i < lines.len() {
        let Some(c) = header(&lines[i], base) else { break };
        if n > 0 && c.get(1).is_some_and(|m| m.as_str() == "!") {
            break; // `===!` starts a new set
        }
        n += 1;
        let to = lines[i].origin;
        let checked = if n == 1 { " checked" } else { "" };
        out.push_at(
            col,
            &at(format!(
                "<div class=\"tabbed-block\"><input type=\"radio\" name=\"__tabbed_{set}\" id=\"__tabbed_{set}_{n}\"{checked}><label for=\"__tabbed_{set}_{n}\">{}</label>",
                escape(&c[2])
            )),
            to,
        );
        out.push_at(col, &at("<div class=\"tabbed-content\">".to_owned()), to);
        out.push("", to);
        let (body, used) = body_of(&lines[i + 1..], base);
        nested(&body, col, out, pre);
        out.push("", to);
        out.push_at(col, &at("</div></div>".to_owned()), to);
        out.push("", to);
        i += 1 + used;
        // Blank lines between tabs of one set.
        let mut j = i;
        while j < lines.len() && lines[j].text.trim().is_empty() {
            j += 1;
        }
        if j < lines.len() && header(&lines[j], base).is_some_and(|c| c.get(1).is_none_or(|m| m.as_str() != "!")) {
            i = j;
        } else {
            break;
        }
    }
    out.push_at(col, &at("</div>".to_owned()), o);
    out.push("", o);
    i
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Pos;
    use crate::docs::markdown::{Resolved, render};
    use crate::docs::preprocess::{Preprocessed, SnippetScope, preprocess};

    fn pre(md: &str) -> Preprocessed {
        let scope = SnippetScope {
            root: std::path::Path::new("/nonexistent"),
            bases: &[],
            boundary: "",
            page: "p.md",
            limit: 1 << 20,
        };
        preprocess(md, &scope)
    }

    /// The page's HTML without newlines, code blocks reduced to their text.
    fn html(md: &str) -> String {
        let resolve = |d: &str, _| Resolved::<()> { href: d.to_owned(), anchor: None, problem: None };
        let html = render(&pre(md), Default::default(), &resolve).html.replace('\n', "");
        let code =
            regex::Regex::new(r#"<div class="highlight"[^>]*><pre class="hl-code"><code>(.*?)</code></pre></div>"#)
                .unwrap();
        let tags = regex::Regex::new(r"<span[^>]*>|</span>").unwrap();
        code.replace_all(&html, |c: &regex::Captures| format!("<code>{}</code>", tags.replace_all(&c[1], "")))
            .into_owned()
    }

    #[test]
    fn lists_nest_by_two_columns_as_truly_sane_lists() {
        let cases = [
            // A `1.` item's children at 2 columns (CommonMark wants 3).
            (
                "1. Check out\n  - the repo\n  - the branch\n2. Build\n",
                "<ol><li>Check out<ul><li>the repo</li><li>the branch</li></ul></li><li>Build</li></ol>",
            ),
            ("- a\n  - b\n    - c\n- d\n", "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>"),
            ("1. a\n   1. b\n2. c\n", "<ol><li>a<ol><li>b</li></ol></li><li>c</li></ol>"),
            // `*`, `+` and `-` make one list.
            ("- a\n* b\n+ c\n", "<ul><li>a</li><li>b</li><li>c</li></ul>"),
            // 4 columns under `-` nest too (truly-sane lists would make it text: `a - b`).
            ("- a\n    - b\n    - c\n", "<ul><li>a<ul><li>b</li><li>c</li></ul></li></ul>"),
            // A line after an item, without a blank line, continues it.
            ("- a\n  - b\nmore\n", "<ul><li>a<ul><li>b\nmore</li></ul></li></ul>"),
            // An unindented paragraph after a blank line ends the list.
            ("- a\n  - b\n\nAfter\n", "<ul><li>a<ul><li>b</li></ul></li></ul><p>After</p>"),
            // A paragraph indented 2 per level belongs to that level.
            (
                "- a\n  - b\n\n    more b\n\n  more a\n",
                "<ul><li><p>a</p><ul><li><p>b</p><p>more b</p></li></ul><p>more a</p></li></ul>",
            ),
            // 4 more columns are indented code.
            ("- a\n\n      code\n", "<ul><li><p>a</p><code>code\n</code></li></ul>"),
            ("Intro:\n- a\n- b\n", "<p>Intro:</p><ul><li>a</li><li>b</li></ul>"),
            // `:emoji:` at the start of a line is no definition.
            ("Released\n:tada: today\n", "<p>Released<span class=\"emoji\" title=\":tada:\">🎉</span> today</p>"),
        ];
        for (md, want) in cases {
            assert_eq!(html(md).replace("\n", ""), want.replace("\n", ""), "{md}");
        }
    }

    #[test]
    fn fences_and_admonitions_stay_in_their_list_item() {
        let cases = [
            (
                "1. Install:\n  ```bash\n  brew install jq\n  ```\n2. Run\n",
                "<ol><li>Install:<code>brew install jq\n</code></li><li>Run</li></ol>",
            ),
            (
                "1. Install:\n\n    ```bash\n    brew install jq\n    ```\n\n2. Run\n",
                "<ol><li><p>Install:</p><code>brew install jq\n</code></li><li><p>Run</p></li></ol>",
            ),
            // superfences finds a fence at column 0 right after an item: it is the item's.
            ("- Run:\n```\nmake\n```\n- Done\n", "<ul><li>Run:<code>make\n</code></li><li>Done</li></ul>"),
            // A closing fence less indented than the opening one still closes it (CommonMark
            // would end the item there and open a fence that runs to the end of the page).
            (
                "- Build:\n  ```\n  make\n```\n\n## Next\n",
                "<ul><li>Build:<code>make\n</code></li></ul><h2 id=\"next\">Next<a class=\"headerlink\" href=\"#next\" title=\"Permanent link\">&para;</a></h2>",
            ),
            // Body lines less indented than the fence stay in it.
            (
                "- Write:\n  ```\n  cat <<EOF\nkey: value\n  EOF\n  ```\n- Done\n",
                "<ul><li>Write:<code>cat &lt;&lt;EOF\nkey: value\nEOF\n</code></li><li>Done</li></ul>",
            ),
            (
                "1. Deploy:\n\n  !!! warning \"Production\"\n      Announce it first.\n\n2. Verify\n",
                "<ol><li><p>Deploy:</p><div class=\"admonition warning\"><p class=\"admonition-title\">Production</p><p>Announce it first.</p></div></li><li><p>Verify</p></li></ol>",
            ),
            (
                "- a\n  - b\n\n    ??? note\n        - x\n          - y\n",
                "<ul><li>a<ul><li><p>b</p><details class=\"admonition note\"><summary>Note</summary><ul><li>x<ul><li>y</li></ul></li></ul></details></li></ul></li></ul>",
            ),
        ];
        for (md, want) in cases {
            assert_eq!(html(md), want.replace("\n", ""), "{md}");
        }
    }

    #[test]
    fn re_indented_lines_keep_their_page_positions() {
        let p = pre("1. a\n  - see [x](y.md)\n\n  ```\n  code\n  ```\n");
        let at = p.text.find("[x]").unwrap();
        assert_eq!(p.pos_of(at), crate::diagnostics::Pos::new(2, 9));
        let code = p.text.find("code").unwrap();
        assert_eq!(p.pos_of(code), Pos::new(5, 3));
    }
}
