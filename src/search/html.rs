//! Plain text of sanitised docs HTML, split into heading sections.
//!
//! Input: a page body as the docs stage renders it (`<h2 id="…">Text<a class="headerlink">¶</a></h2>`,
//! highlighted code in `<span>`s, tables, admonitions) and its heading list. Output: one
//! [`Section`] per heading of level 1 to [`SPLIT_LEVEL`], plus one for text before the first such
//! heading; each with the text between it and the next one. Heading text is not repeated in the
//! section text (it is the section's title). Inline elements join their text to the neighbours
//! (`fo<mark>o</mark>` is one word); every other tag separates words. Character references are
//! decoded.

use crate::docs::markdown::Heading;

/// Headings of this level or above start a section; deeper ones stay inside it.
pub(crate) const SPLIT_LEVEL: u8 = 3;

/// A part of a page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Section<'h> {
    /// The heading starting the section; `None` for text before the first heading.
    pub heading: Option<&'h Heading>,
    pub text: String,
}

/// Splits `html` at its headings of level ≤ [`SPLIT_LEVEL`] whose id is in `headings`.
pub(crate) fn sections<'h>(html: &str, headings: &'h [Heading]) -> Vec<Section<'h>> {
    // The text of all sections in one buffer; section `i` starts at `starts[i].1`.
    let mut buf = String::with_capacity(html.len() / 2);
    let mut starts: Vec<(Option<&'h Heading>, usize)> = vec![(None, 0)];
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    while !rest.is_empty() {
        let start = starts.last().expect("one section").1;
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                push_text(&mut buf, start, rest);
            }
            break;
        };
        if skip_until.is_none() {
            push_text(&mut buf, start, &rest[..lt]);
        }
        rest = &rest[lt..];
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = &rest[end..];
        let (name, closing) = tag_name(tag);
        if let Some(until) = skip_until {
            if closing && name.eq_ignore_ascii_case(until) {
                skip_until = None;
            }
            continue;
        }
        if !closing && let Some(level) = heading_level(name) {
            let id = attr(tag, "id");
            let heading = id.and_then(|id| headings.iter().find(|h| h.id == id && h.level == level));
            if let Some(heading) = heading.filter(|h| h.level <= SPLIT_LEVEL) {
                if starts.len() == 1 && starts[0].0.is_none() && buf.trim().is_empty() {
                    buf.clear();
                    starts[0].0 = Some(heading);
                } else {
                    starts.push((Some(heading), buf.len()));
                }
                skip_until = Some(HEADING_TAGS[level as usize - 1]);
                continue;
            }
        }
        if !closing && let Some(skipped) = SKIPPED.iter().find(|s| name.eq_ignore_ascii_case(s)) {
            skip_until = Some(skipped);
            continue;
        }
        if !is_inline(name) && buf.len() > start && !buf.ends_with(' ') {
            buf.push(' ');
        }
    }
    let mut out: Vec<Section<'h>> = starts
        .iter()
        .enumerate()
        .map(|(i, &(heading, start))| {
            let end = starts.get(i + 1).map_or(buf.len(), |s| s.1);
            Section { heading, text: buf[start..end].trim_end().to_owned() }
        })
        .collect();
    if out.len() > 1 && out[0].heading.is_none() && out[0].text.is_empty() {
        out.remove(0);
    }
    out
}

/// Elements whose content is not text.
const SKIPPED: [&str; 4] = ["script", "style", "svg", "template"];

const HEADING_TAGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];

fn heading_level(name: &str) -> Option<u8> {
    let b = name.as_bytes();
    (b.len() == 2 && (b[0] == b'h' || b[0] == b'H') && (b'1'..=b'6').contains(&b[1])).then(|| b[1] - b'0')
}

/// End (exclusive) of the tag or comment starting at `s[0] == '<'`.
fn tag_end(s: &str) -> usize {
    if s.starts_with("<!--") {
        return s.find("-->").map_or(s.len(), |i| i + 3);
    }
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The element name of a tag and whether it is a closing tag.
fn tag_name(tag: &str) -> (&str, bool) {
    let inner = tag.trim_start_matches('<');
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let end = inner.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(inner.len());
    (&inner[..end], closing)
}

/// The value of attribute `name` in `tag` (double- or single-quoted), undecoded.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    while let Some(i) = rest.find(name) {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + name.len()..];
        rest = after;
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else { continue };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            let value = &value[1..];
            return value.find(quote).map(|end| &value[..end]);
        }
        return Some(&value[..value.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(value.len())]);
    }
    None
}

fn is_inline(name: &str) -> bool {
    const INLINE: [&str; 22] = [
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q",
        "s", "samp", "small", "span", "strong", "sub",
    ];
    INLINE.iter().chain(&["sup", "u", "var", "time", "wbr"]).any(|i| name.eq_ignore_ascii_case(i))
}

/// Appends `raw` (HTML text) to `out` with character references decoded and runs of
/// whitespace collapsed to one space (none at the start of the section starting at `start`).
fn push_text(out: &mut String, start: usize, raw: &str) {
    let mut rest = raw;
    while !rest.is_empty() {
        let (chunk, next) = match rest.find('&') {
            Some(0) => match decode_reference(rest) {
                Some((decoded, len)) => {
                    push_collapsed(out, start, decoded.encode_utf8(&mut [0; 4]));
                    rest = &rest[len..];
                    continue;
                }
                None => (&rest[..1], &rest[1..]),
            },
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        push_collapsed(out, start, chunk);
        rest = next;
    }
}

fn push_collapsed(out: &mut String, start: usize, text: &str) {
    let mut run = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (space, len) = if b < 0x80 {
            (matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'), 1)
        } else {
            let c = text[i..].chars().next().expect("a character");
            (c.is_whitespace(), c.len_utf8())
        };
        if space {
            out.push_str(&text[run..i]);
            if out.len() > start && !out.ends_with(' ') {
                out.push(' ');
            }
            run = i + len;
        }
        i += len;
    }
    out.push_str(&text[run..]);
}

/// Decodes the character reference at the start of `s` (`&amp;`, `&#39;`, `&#x27;`), returning
/// the character and the reference's length.
fn decode_reference(s: &str) -> Option<(char, usize)> {
    let end = s[1..].find(';')? + 1;
    if end > 12 {
        return None;
    }
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "para" => '¶',
            "hellip" => '…',
            "mdash" => '—',
            "ndash" => '–',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            "laquo" => '«',
            "raquo" => '»',
            "copy" => '©',
            "reg" => '®',
            "trade" => '™',
            "times" => '×',
            "rarr" => '→',
            "larr" => '←',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// The first `max` characters of `text`, cut at a word boundary, with `…` when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > cut.len() / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, id: &str, text: &str) -> Heading {
        Heading { level, id: id.to_owned(), text: text.to_owned() }
    }

    #[test]
    fn splits_at_headings_and_strips_tags() {
        let headings = vec![h(1, "title", "Title"), h(2, "setup", "Set up"), h(4, "deep", "Deep")];
        let html = concat!(
            "<h1 id=\"title\">Title<a class=\"headerlink\" href=\"#title\">&para;</a></h1>\n",
            "<p>Intro <strong>bold</strong> fo<mark>o</mark> &amp; more.</p>",
            "<h2 id=\"setup\">Set up<a class=\"headerlink\" href=\"#setup\">&para;</a></h2>",
            "<table><tr><td>a</td><td>b</td></tr></table>",
            "<pre class=\"hl-code\"><span class=\"k\">fn</span> main() {}</pre>",
            "<h4 id=\"deep\">Deep</h4><p>x &#39;y&#x27; <!-- c<d --></p>"
        );
        let got = sections(html, &headings);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].heading.map(|h| h.id.as_str()), Some("title"));
        assert_eq!(got[0].text, "Intro bold foo & more.");
        assert_eq!(got[1].heading.map(|h| h.id.as_str()), Some("setup"));
        assert_eq!(got[1].text, "a b fn main() {} Deep x 'y'");
    }

    #[test]
    fn text_before_the_first_heading_is_its_own_section() {
        let headings = vec![h(2, "a", "A")];
        let got = sections("<p>lead</p><h2 id=\"a\">A</h2><p>body</p>", &headings);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].heading, got[0].text.as_str()), (None, "lead"));
        assert_eq!(got[1].text, "body");
        assert_eq!(sections("", &[]).len(), 1);
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("one two three four", 10), "one two…");
    }
}
