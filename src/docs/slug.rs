//! Heading ids exactly as MkDocs/TechDocs produce them.
//!
//! TechDocs pages are rendered by MkDocs with the Python-Markdown `toc` extension
//! (Markdown 3.10.3 as installed by `pip install mkdocs-techdocs-core` 1.7.1, which
//! pins `Markdown>=3.2,<3.11`). `mkdocs-techdocs-core` (`techdocs_core/core.py`, lines
//! 112-115) appends `toc` with `{"permalink": True}` and **no custom `slugify`**, so ids
//! come from `markdown.extensions.toc.slugify` with separator `-` unless a site's
//! `mkdocs.yml` overrides `mdx_configs.toc` (user overrides are merged back, core.py
//! lines 207-212).
//!
//! What `toc` does (`markdown/extensions/toc.py`, 3.10.3):
//!
//! * `slugify(value, separator)` (lines 38-45): `unicodedata.normalize('NFKD', value)`,
//!   `.encode('ascii', 'ignore')` (every non-ASCII char is dropped, so accents lose
//!   their marks, `ß`, CJK, Greek, Cyrillic and emoji vanish, `ﬁ` becomes `fi`, `²`
//!   becomes `2`), then `re.sub(r'[^\w\s-]', '', value).strip().lower()`, then
//!   `re.sub(r'[-\s]+', '-', ...)`. On ASCII text Python's `\w` is `[A-Za-z0-9_]`
//!   (underscores survive) and `\s` / `str.strip()` are `[\t\n\x0b\x0c\r\x1c-\x1f ]`
//!   (note `\x1c`-`\x1f`, which Rust's `char::is_whitespace` lacks). Stripping happens
//!   before collapsing, so leading/trailing hyphens survive: `- a -` gives `-a-`.
//! * `unique(id, ids)` (lines 53-65): while the id is taken **or empty**, if it matches
//!   `^(.*)_([0-9]+)$` bump the number (`foo_1` -> `foo_2`, `foo_01` -> `foo_2`), else
//!   append `_1`. An empty slug therefore becomes `_1`, then `_2`, ...
//! * `TocTreeprocessor.run` (lines 365-381): first every `id` attribute already in
//!   the element tree is put in `used_ids` (attr_list `{#id}` on headings *and* other
//!   elements, footnote ids, ...; raw HTML is stashed so its ids are not seen). Then,
//!   per heading in document order, an existing `id` is kept verbatim (never
//!   slugified, never de-duplicated); otherwise
//!   `unique(slugify(html.unescape(strip_tags(render_inner_html(heading)))), used_ids)`.
//! * The text fed to `slugify` (lines 99-148, 376-377): the heading's inner HTML after
//!   all inline processing (footnote refs removed by `remove_fnrefs`, backslash escapes
//!   resolved, raw HTML restored by the postprocessors), then `strip_tags` (drops
//!   `<!-- -->` comments, then every `<...>`, then `' '.join(text.split())`), then
//!   `html.unescape`. So code-span text is included, markup is not, entities are decoded
//!   (`&amp;` -> `&`, `&nbsp;` -> U+00A0 which NFKD turns into a space).
//!
//! Consequences for a renderer with the techdocs-core extension set (verified with the
//! real extensions, see the test table): `pymdownx.emoji` shortcodes (`:rocket:`)
//! render as `<img>` and contribute nothing; `pymdownx.smartsymbols` turns `(c)`/`(r)`
//! into `©`/`®` (dropped) and `(tm)` into `™` (NFKD `TM`); `__init__` is strong
//! emphasis, so its underscores vanish.
//!
//! [`slugify`] mirrors `toc.slugify`; [`Slugger`] mirrors `unique` plus the id
//! registry. To reproduce the pre-scan, [`Slugger::register`] every explicit id of the
//! page before the first [`Slugger::unique`] call (an explicit `{#intro}` further down
//! makes an earlier `## Intro` become `intro_1`). [`heading_text_from_html`] mirrors
//! `html.unescape(strip_tags(inner_html))` for inner HTML as pulldown-cmark writes it.
//!
//! Known gaps: NFKD tables follow the `unicode-normalization` crate's Unicode version,
//! not Python 3.11's Unicode 14 (only characters added since differ);
//! [`heading_text_from_html`] decodes numeric references and a common subset of named
//! entities, not all 2,231 of HTML5.
//!
//! The expected values in the tests were produced by the real Python-Markdown toc
//! extension with techdocs-core's configuration (`benches/mkdocs-reference.py
//! slug-cases`).

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// The `toc` extension's default word separator.
pub const SEPARATOR: char = '-';

/// Python's `str.isspace()` (also what `\s` matches in a `str` regex): Unicode
/// White_Space plus the ASCII information separators `\x1c`-`\x1f`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `markdown.extensions.toc.slugify(text, '-')`: the id Python-Markdown gives a heading
/// whose plain text is `text`. The result may be empty; [`Slugger::unique`] turns an
/// empty slug into `_1`.
pub fn slugify(text: &str) -> String {
    slugify_with_separator(text, SEPARATOR)
}

/// `toc.slugify(text, separator)` for a custom `separator` (a `toc` option). The
/// separator joins the whitespace class when collapsing runs (`[{sep}\s]+`) while `-`
/// is still kept by the character filter, exactly as in Python.
pub fn slugify_with_separator(text: &str, separator: char) -> String {
    // NFKD, drop non-ASCII, drop [^\w\s-]. All remaining chars are ASCII.
    let kept: String = text
        .nfkd()
        .filter(|c| c.is_ascii() && (c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || is_py_space(*c)))
        .collect();
    // .strip() then .lower()
    let trimmed = kept.trim_matches(is_py_space).to_ascii_lowercase();
    // re.sub(r'[{sep}\s]+', sep, value)
    let mut out = String::with_capacity(trimmed.len());
    let mut in_run = false;
    for c in trimmed.chars() {
        if c == separator || is_py_space(c) {
            if !in_run {
                out.push(separator);
                in_run = true;
            }
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

/// Splits `id` as `^(.*)_([0-9]+)$` (Python `re`: `.` excludes `\n`, `$` also matches
/// before one trailing `\n`). Returns (prefix, digits).
fn split_counter(id: &str) -> Option<(&str, &str)> {
    let body = id.strip_suffix('\n').unwrap_or(id);
    let us = body.rfind('_')?;
    let (prefix, digits) = (&body[..us], &body[us + 1..]);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || prefix.contains('\n') {
        return None;
    }
    Some((prefix, digits))
}

/// `'%d' % (int(digits) + 1)` for an arbitrarily long ASCII digit string.
fn increment_decimal(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    let mut bytes: Vec<u8> = trimmed.bytes().collect();
    let mut i = bytes.len();
    loop {
        if i == 0 {
            bytes.insert(0, b'1');
            break;
        }
        i -= 1;
        if bytes[i] == b'9' {
            bytes[i] = b'0';
        } else {
            bytes[i] += 1;
            break;
        }
    }
    String::from_utf8(bytes).expect("ASCII digits")
}

/// The set of ids used on one page, handing out unique heading ids like
/// `markdown.extensions.toc.unique`. Use one `Slugger` per page.
#[derive(Debug, Default, Clone)]
pub struct Slugger {
    ids: HashSet<String>,
}

impl Slugger {
    /// An empty registry (a new page).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an explicit id (attr_list `{#id}` on a heading or any other element,
    /// a footnote id, ...) and returns it unchanged. Explicit ids are never
    /// de-duplicated: two `{#x}` headings both keep `x`. Python-Markdown collects all
    /// of a page's ids before generating any, so register every explicit id first.
    pub fn register(&mut self, id: String) -> String {
        self.ids.insert(id.clone());
        id
    }

    /// Whether `id` is already taken on this page.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// `toc.unique(slug, ids)`: returns `slug`, or `slug_1`, `slug_2`, ... (bumping an
    /// existing `_N` suffix) if taken; an empty slug becomes `_1`. Records the result.
    pub fn unique(&mut self, slug: String) -> String {
        let mut id = slug;
        while id.is_empty() || self.ids.contains(&id) {
            id = match split_counter(&id) {
                Some((prefix, digits)) => format!("{prefix}_{}", increment_decimal(digits)),
                None => format!("{id}_1"),
            };
        }
        self.ids.insert(id.clone());
        id
    }

    /// `unique(slugify(text))`: the id of a heading with plain text `text` and no
    /// explicit id.
    pub fn slug(&mut self, text: &str) -> String {
        self.unique(slugify(text))
    }
}

/// `toc.strip_tags`: removes `<!-- ... -->` comments, then every `<...>`, then
/// collapses whitespace runs (Python `str.split()` semantics) to one space and trims.
/// HTML entities are left alone.
pub fn strip_tags(html: &str) -> String {
    let mut text = html.to_owned();
    while let Some(start) = text.find("<!--") {
        let Some(rel) = text[start..].find("-->") else { break };
        text.replace_range(start..start + rel + 3, "");
    }
    while let Some(start) = text.find('<') {
        let Some(rel) = text[start..].find('>') else { break };
        text.replace_range(start..start + rel + 1, "");
    }
    text.split(is_py_space).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Named entities decoded by [`unescape_html`]: a common subset of HTML5's list,
/// including the ones pymdownx.smartsymbols emits. `true` marks the legacy names that
/// HTML5 (and Python) also accept without the semicolon.
const NAMED_ENTITIES: &[(&str, &str, bool)] = &[
    ("amp", "&", true),
    ("AMP", "&", true),
    ("LT", "<", true),
    ("GT", ">", true),
    ("QUOT", "\"", true),
    ("COPY", "\u{a9}", true),
    ("REG", "\u{ae}", true),
    ("lt", "<", true),
    ("gt", ">", true),
    ("quot", "\"", true),
    ("apos", "'", false),
    ("nbsp", "\u{a0}", true),
    ("copy", "\u{a9}", true),
    ("reg", "\u{ae}", true),
    ("trade", "\u{2122}", false),
    ("plusmn", "\u{b1}", true),
    ("ne", "\u{2260}", false),
    ("rarr", "\u{2192}", false),
    ("larr", "\u{2190}", false),
    ("harr", "\u{2194}", false),
    ("frac12", "\u{bd}", true),
    ("frac14", "\u{bc}", true),
    ("frac34", "\u{be}", true),
    ("hellip", "\u{2026}", false),
    ("ndash", "\u{2013}", false),
    ("mdash", "\u{2014}", false),
    ("lsquo", "\u{2018}", false),
    ("rsquo", "\u{2019}", false),
    ("ldquo", "\u{201c}", false),
    ("rdquo", "\u{201d}", false),
    ("laquo", "\u{ab}", true),
    ("raquo", "\u{bb}", true),
    ("times", "\u{d7}", true),
    ("divide", "\u{f7}", true),
    ("deg", "\u{b0}", true),
    ("middot", "\u{b7}", true),
    ("bull", "\u{2022}", false),
    ("para", "\u{b6}", true),
    ("sect", "\u{a7}", true),
    ("euro", "\u{20ac}", false),
    ("shy", "\u{ad}", true),
    ("ensp", "\u{2002}", false),
    ("emsp", "\u{2003}", false),
    ("thinsp", "\u{2009}", false),
    ("zwnj", "\u{200c}", false),
    ("zwj", "\u{200d}", false),
];

/// Python's `html._invalid_charrefs` for 0x80..=0x9F (Windows-1252 remapping).
const CP1252: [char; 32] = [
    '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2c6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}', '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}',
    '\u{201d}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}',
    '\u{17e}', '\u{178}',
];

/// Python `html._replace_charref` for a numeric reference; `None` means "dropped".
fn numeric_charref(num: Option<u32>) -> Option<char> {
    let Some(n) = num else { return Some('\u{fffd}') }; // overflow: > 0x10FFFF
    match n {
        0 => Some('\u{fffd}'),
        0x0d => Some('\r'),
        0x80..=0x9f => Some(CP1252[(n - 0x80) as usize]),
        0xd800..=0xdfff | 0x11_0000.. => Some('\u{fffd}'),
        0x1..=0x8 | 0xb | 0xe..=0x1f | 0x7f | 0xfdd0..=0xfdef => None,
        _ if n & 0xfffe == 0xfffe => None,
        _ => char::from_u32(n),
    }
}

/// Python's `html.unescape`, exact for numeric references (`&#38;`, `&#x26;`,
/// semicolon optional, Windows-1252 remapping, invalid code points replaced or
/// dropped) and for the named entities in a common subset (legacy names also without
/// semicolon, longest prefix wins as in `&ampfoo` -> `&foo`). Other names are kept.
pub fn unescape_html(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp + 1..];
        if let Some(num) = tail.strip_prefix('#') {
            let (hex, digits_src) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len =
                digits_src.bytes().take_while(|b| if hex { b.is_ascii_hexdigit() } else { b.is_ascii_digit() }).count();
            if len > 0 {
                let digits = &digits_src[..len];
                out.extend(numeric_charref(u32::from_str_radix(digits, if hex { 16 } else { 10 }).ok()));
                let consumed = 1 + usize::from(hex) + len;
                rest = &tail[consumed..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
                continue;
            }
        } else {
            // [^\t\n\f <&#;]{1,32};?
            let name_len = tail
                .char_indices()
                .take_while(|(_, c)| !matches!(c, '\t' | '\n' | '\x0c' | ' ' | '<' | '&' | '#' | ';'))
                .take(32)
                .last()
                .map_or(0, |(i, c)| i + c.len_utf8());
            if name_len > 0 {
                let name = &tail[..name_len];
                if tail[name_len..].starts_with(';')
                    && let Some((_, value, _)) = NAMED_ENTITIES.iter().find(|(n, _, _)| *n == name)
                {
                    out.push_str(value);
                    rest = &tail[name_len + 1..];
                    continue;
                }
                // A legacy name without `;`: the whole name, else its longest prefix
                // (Python tries `s[:x]` for x from len(s)-1 down to 2).
                let hit = NAMED_ENTITIES
                    .iter()
                    .filter(|(n, _, legacy)| *legacy && n.len() >= 2 && name.starts_with(n))
                    .max_by_key(|(n, _, _)| n.len());
                if let Some((n, value, _)) = hit {
                    out.push_str(value);
                    rest = &tail[n.len()..];
                    continue;
                }
            }
        }
        out.push('&');
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// `html.unescape(strip_tags(inner_html))`: the text `toc` feeds to `slugify` for a
/// heading whose rendered inner HTML (without the permalink) is `inner_html`.
pub fn heading_text_from_html(inner_html: &str) -> String {
    unescape_html(&strip_tags(inner_html))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (heading Markdown source, text Python-Markdown fed to slugify, resulting id).
    /// Generated by `python3 benches/mkdocs-reference.py slug-cases` (Markdown 3.10.3,
    /// pymdown-extensions 11.0.1, mkdocs 1.6.1, mkdocs-techdocs-core 1.7.1, Python 3.11).
    const CASES: &[(&str, &str, &str)] = &[
        // @generated-cases-start
        ("Hello World", "Hello World", "hello-world"),
        ("Héllo Wörld", "Héllo Wörld", "hello-world"),
        ("Crème brûlée & café", "Crème brûlée & café", "creme-brulee-cafe"),
        ("Ärger mit Öl und Übergrößen", "Ärger mit Öl und Übergrößen", "arger-mit-ol-und-ubergroen"),
        ("Straße", "Straße", "strae"),
        ("Emoji 🚀 rocket", "Emoji 🚀 rocket", "emoji-rocket"),
        ("🎉", "🎉", "_1"),
        ("Deploy :rocket: now", "Deploy now", "deploy-now"),
        ("What's new?", "What's new?", "whats-new"),
        ("Hello, World! (v2.0)", "Hello, World! (v2.0)", "hello-world-v20"),
        ("Use `foo_bar()` here", "Use foo_bar() here", "use-foo_bar-here"),
        ("`<div>` tags", "<div> tags", "div-tags"),
        ("snake_case_name", "snake_case_name", "snake_case_name"),
        ("__init__ method", "init method", "init-method"),
        ("1. Introduction", "1. Introduction", "1-introduction"),
        ("2024 roadmap", "2024 roadmap", "2024-roadmap"),
        ("日本語の見出し", "日本語の見出し", "_1"),
        ("API 日本語 guide", "API 日本語 guide", "api-guide"),
        ("Multiple   spaces   here", "Multiple spaces here", "multiple-spaces-here"),
        ("Tabs\tand spaces", "Tabs and spaces", "tabs-and-spaces"),
        ("pre-existing -- hyphens", "pre-existing -- hyphens", "pre-existing-hyphens"),
        ("- leading hyphen", "- leading hyphen", "-leading-hyphen"),
        ("trailing hyphen -", "trailing hyphen -", "trailing-hyphen-"),
        ("Foo - Bar", "Foo - Bar", "foo-bar"),
        ("A &amp; B", "A & B", "a-b"),
        ("A & B", "A & B", "a-b"),
        ("Less &lt;than&gt; more", "Less <than> more", "less-than-more"),
        ("Non&nbsp;breaking", "Non\u{a0}breaking", "non-breaking"),
        ("En–dash and em—dash", "En–dash and em—dash", "endash-and-emdash"),
        ("**Bold** and *italic*", "Bold and italic", "bold-and-italic"),
        ("[Link text](https://example.com)", "Link text", "link-text"),
        ("Version 1.2.3", "Version 1.2.3", "version-123"),
        ("C++ / C# / F#", "C++ / C# / F", "c-c-f"),
        ("100% done", "100% done", "100-done"),
        ("ＦＵＬＬ ｗｉｄｔｈ", "ＦＵＬＬ ｗｉｄｔｈ", "full-width"),
        ("ﬁle ligature", "ﬁle ligature", "file-ligature"),
        ("x² + y²", "x² + y²", "x2-y2"),
        ("½ cup", "½ cup", "12-cup"),
        ("Copyright (c) 2024", "Copyright © 2024", "copyright-2024"),
        ("Brand(tm)", "Brand™", "brandtm"),
        ("Registered (r) mark", "Registered ® mark", "registered-mark"),
        ("a --> b", "a → b", "a-b"),
        ("1st place", "1st place", "1st-place"),
        ("==marked== text", "marked text", "marked-text"),
        ("~~deleted~~ text", "deleted text", "deleted-text"),
        ("H~2~O and x^2^", "H2O and x2", "h2o-and-x2"),
        ("Escaped \\*star\\*", "Escaped *star*", "escaped-star"),
        ("Inline <span>html</span> tag", "Inline html tag", "inline-html-tag"),
        ("Comment <!-- hidden --> here", "Comment here", "comment-here"),
        ("UPPER lower MiXeD", "UPPER lower MiXeD", "upper-lower-mixed"),
        ("Ünïcödé İstanbul", "Ünïcödé İstanbul", "unicode-istanbul"),
        ("Ελληνικά", "Ελληνικά", "_1"),
        ("Привет мир", "Привет мир", "_1"),
        ("Tab\u{a0}nbsp literal", "Tab nbsp literal", "tab-nbsp-literal"),
        ("Heading with trailing hashes ##", "Heading with trailing hashes", "heading-with-trailing-hashes"),
        ("Footnote ref[^1]", "Footnote ref", "footnote-ref"),
        ("O'Reilly \"quoted\"", "O'Reilly \"quoted\"", "oreilly-quoted"),
        ("https://example.com/path", "https://example.com/path", "httpsexamplecompath"),
        ("path/to/file.md", "path/to/file.md", "pathtofilemd"),
        ("key=value; other", "key=value; other", "keyvalue-other"),
        ("Ünder_score-and-hyphen", "Ünder_score-and-hyphen", "under_score-and-hyphen"),
        // @generated-cases-end
    ];

    /// (heading Markdown, toc name HTML = strip_tags(inner html), text fed to slugify).
    const TOC_NAMES: &[(&str, &str, &str)] = &[
        // @generated-names-start
        ("Hello World", "Hello World", "Hello World"),
        ("Héllo Wörld", "Héllo Wörld", "Héllo Wörld"),
        ("Crème brûlée & café", "Crème brûlée &amp; café", "Crème brûlée & café"),
        ("Ärger mit Öl und Übergrößen", "Ärger mit Öl und Übergrößen", "Ärger mit Öl und Übergrößen"),
        ("Straße", "Straße", "Straße"),
        ("Emoji 🚀 rocket", "Emoji 🚀 rocket", "Emoji 🚀 rocket"),
        ("🎉", "🎉", "🎉"),
        ("Deploy :rocket: now", "Deploy now", "Deploy now"),
        ("What's new?", "What's new?", "What's new?"),
        ("Hello, World! (v2.0)", "Hello, World! (v2.0)", "Hello, World! (v2.0)"),
        ("Use `foo_bar()` here", "Use foo_bar() here", "Use foo_bar() here"),
        ("`<div>` tags", "&lt;div&gt; tags", "<div> tags"),
        ("snake_case_name", "snake_case_name", "snake_case_name"),
        ("__init__ method", "init method", "init method"),
        ("1. Introduction", "1. Introduction", "1. Introduction"),
        ("2024 roadmap", "2024 roadmap", "2024 roadmap"),
        ("日本語の見出し", "日本語の見出し", "日本語の見出し"),
        ("API 日本語 guide", "API 日本語 guide", "API 日本語 guide"),
        ("Multiple   spaces   here", "Multiple spaces here", "Multiple spaces here"),
        ("Tabs\tand spaces", "Tabs and spaces", "Tabs and spaces"),
        ("pre-existing -- hyphens", "pre-existing -- hyphens", "pre-existing -- hyphens"),
        ("- leading hyphen", "- leading hyphen", "- leading hyphen"),
        ("trailing hyphen -", "trailing hyphen -", "trailing hyphen -"),
        ("Foo - Bar", "Foo - Bar", "Foo - Bar"),
        ("A &amp; B", "A &amp; B", "A & B"),
        ("A & B", "A &amp; B", "A & B"),
        ("Less &lt;than&gt; more", "Less &lt;than&gt; more", "Less <than> more"),
        ("Non&nbsp;breaking", "Non&nbsp;breaking", "Non\u{a0}breaking"),
        ("En–dash and em—dash", "En–dash and em—dash", "En–dash and em—dash"),
        ("**Bold** and *italic*", "Bold and italic", "Bold and italic"),
        ("[Link text](https://example.com)", "Link text", "Link text"),
        ("Version 1.2.3", "Version 1.2.3", "Version 1.2.3"),
        ("C++ / C# / F#", "C++ / C# / F", "C++ / C# / F"),
        ("100% done", "100% done", "100% done"),
        ("ＦＵＬＬ ｗｉｄｔｈ", "ＦＵＬＬ ｗｉｄｔｈ", "ＦＵＬＬ ｗｉｄｔｈ"),
        ("ﬁle ligature", "ﬁle ligature", "ﬁle ligature"),
        ("x² + y²", "x² + y²", "x² + y²"),
        ("½ cup", "½ cup", "½ cup"),
        ("Copyright (c) 2024", "Copyright &copy; 2024", "Copyright © 2024"),
        ("Brand(tm)", "Brand&trade;", "Brand™"),
        ("Registered (r) mark", "Registered &reg; mark", "Registered ® mark"),
        ("a --> b", "a &rarr; b", "a → b"),
        ("1st place", "1st place", "1st place"),
        ("==marked== text", "marked text", "marked text"),
        ("~~deleted~~ text", "deleted text", "deleted text"),
        ("H~2~O and x^2^", "H2O and x2", "H2O and x2"),
        ("Escaped \\*star\\*", "Escaped *star*", "Escaped *star*"),
        ("Inline <span>html</span> tag", "Inline html tag", "Inline html tag"),
        ("Comment <!-- hidden --> here", "Comment here", "Comment here"),
        ("UPPER lower MiXeD", "UPPER lower MiXeD", "UPPER lower MiXeD"),
        ("Ünïcödé İstanbul", "Ünïcödé İstanbul", "Ünïcödé İstanbul"),
        ("Ελληνικά", "Ελληνικά", "Ελληνικά"),
        ("Привет мир", "Привет мир", "Привет мир"),
        ("Tab\u{a0}nbsp literal", "Tab nbsp literal", "Tab nbsp literal"),
        ("Heading with trailing hashes ##", "Heading with trailing hashes", "Heading with trailing hashes"),
        ("Footnote ref[^1]", "Footnote ref", "Footnote ref"),
        ("O'Reilly \"quoted\"", "O'Reilly \"quoted\"", "O'Reilly \"quoted\""),
        ("https://example.com/path", "https://example.com/path", "https://example.com/path"),
        ("path/to/file.md", "path/to/file.md", "path/to/file.md"),
        ("key=value; other", "key=value; other", "key=value; other"),
        ("Ünder_score-and-hyphen", "Ünder_score-and-hyphen", "Ünder_score-and-hyphen"),
        // @generated-names-end
    ];

    /// (Python `toc.slugify(input, '-')` input, output) for raw strings.
    const RAW: &[(&str, &str)] = &[
        // @generated-raw-start
        ("a\u{1c}b", "a-b"),
        (" \u{1f}x\u{1f} ", "x"),
        ("a\u{2028}b", "ab"),
        ("x\u{b}x", "x-x"),
        ("a_b-c d", "a_b-c-d"),
        ("--x--", "-x-"),
        ("\t-A B-\n", "-a-b-"),
        ("é", "e"),
        ("ﬀ", "ff"),
        ("Å", "a"),
        ("Ǆ", "dz"),
        ("ⅷ", "viii"),
        ("⑫", "12"),
        ("ß", ""),
        ("ı", ""),
        ("ŉ", "n"),
        ("µ", ""),
        // @generated-raw-end
    ];

    /// (input, Python `html.unescape(input)`).
    const UNESCAPE: &[(&str, &str)] = &[
        // @generated-unescape-start
        ("A &amp; B", "A & B"),
        ("&lt;div&gt;", "<div>"),
        ("&quot;q&quot; &apos;a&apos;", "\"q\" 'a'"),
        ("&copy; &reg; &trade;", "© ® ™"),
        ("&#38;&#x26;&#X26;", "&&&"),
        ("&#65&#66;", "AB"),
        ("&amp", "&"),
        ("&ampfoo", "&foo"),
        ("&amp;foo", "&foo"),
        ("&nbsp;x", "\u{a0}x"),
        ("&nbspx", "\u{a0}x"),
        ("&unknown; &", "&unknown; &"),
        ("& amp;", "& amp;"),
        ("&#;", "&#;"),
        ("&#x;", "&#x;"),
        ("&#0;", "\u{fffd}"),
        ("&#128;&#x9f;", "€Ÿ"),
        ("&#x81;", "\u{81}"),
        ("&#13;", "\r"),
        ("&#1;x", "x"),
        ("&#xD800;", "\u{fffd}"),
        ("&#x110000;", "\u{fffd}"),
        ("&#99999999999999;", "\u{fffd}"),
        ("&#xFFFE;", ""),
        ("&#xFDD0;", ""),
        ("&rarr; &larr; &harr; &ne; &plusmn;", "→ ← ↔ ≠ ±"),
        ("&frac12;&frac14;&frac34;", "½¼¾"),
        ("&mdash;&ndash;&hellip;", "—–…"),
        ("&copyright", "©right"),
        ("&lt;&lt", "<<"),
        ("&AMP;", "&"),
        ("&#x1F600;", "😀"),
        ("a&b&c", "a&b&c"),
        // @generated-unescape-end
    ];

    /// Whole documents: heading sources in order, ids Python-Markdown assigned.
    const UNIQUE: &[(&str, &[&str], &[&str])] = &[
        // @generated-unique-start
        ("duplicates", &["Setup", "Setup", "Setup"], &["setup", "setup_1", "setup_2"]),
        ("explicit _1 taken first", &["Foo", "Foo_1", "Foo"], &["foo", "foo_1", "foo_2"]),
        ("counter suffix bumps", &["Foo_1", "Foo_1", "Foo_1"], &["foo_1", "foo_2", "foo_3"]),
        ("empty slugs", &["🎉", "🎉", "日本"], &["_1", "_2", "_3"]),
        ("attr_list id reserved before auto ids", &["Intro", "Other {#intro}"], &["intro_1", "intro"]),
        ("attr_list duplicates are not deduplicated", &["A {#x}", "B {#x}", "X"], &["x", "x", "x_1"]),
        ("leading zeros in counter", &["Foo_01", "Foo_01"], &["foo_01", "foo_2"]),
        ("case folds into same slug", &["API", "api", "Api"], &["api", "api_1", "api_2"]),
        ("punctuation variants collide", &["Hello!", "Hello?", "hello"], &["hello", "hello_1", "hello_2"]),
        // @generated-unique-end
    ];

    #[test]
    fn slugify_matches_python_markdown() {
        assert!(CASES.len() >= 30);
        for (md, text, id) in CASES {
            let got = Slugger::new().slug(text);
            assert_eq!(&got, id, "heading {md:?} (text {text:?})");
        }
    }

    #[test]
    fn unescape_matches_python() {
        for (input, output) in UNESCAPE {
            assert_eq!(&unescape_html(input), output, "input {input:?}");
        }
    }

    #[test]
    fn raw_slugify_matches_python() {
        for (input, slug) in RAW {
            assert_eq!(&slugify(input), slug, "input {input:?}");
        }
    }

    #[test]
    fn heading_text_from_toc_name() {
        for (md, name, text) in TOC_NAMES {
            assert_eq!(&heading_text_from_html(name), text, "heading {md:?}");
        }
    }

    /// Splits a `## Heading {#id}` source like attr_list does for these simple cases.
    fn explicit_id(src: &str) -> Option<&str> {
        let open = src.find("{#")?;
        Some(src[open + 2..].trim_end_matches('}').trim())
    }

    #[test]
    fn unique_matches_python_markdown() {
        for (name, headings, ids) in UNIQUE {
            let mut slugger = Slugger::new();
            // toc pre-collects every id already in the tree.
            for h in *headings {
                if let Some(id) = explicit_id(h) {
                    slugger.register(id.to_owned());
                }
            }
            let got: Vec<String> = headings
                .iter()
                .map(|h| match explicit_id(h) {
                    Some(id) => slugger.register(id.to_owned()),
                    None => slugger.slug(h),
                })
                .collect();
            assert_eq!(got, ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{name}");
        }
    }

    /// Every heading id MkDocs produced for the reference sites
    /// (`tests/fixtures/mkdocs-reference/*.json`, see `benches/mkdocs-reference.py`).
    #[test]
    fn reference_sites_heading_ids() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mkdocs-reference");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("reference dir") {
            let path = entry.expect("dir entry").path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let site: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
            for page in site["pages"].as_array().expect("pages") {
                let heads = page["headings"].as_array().expect("headings");
                let explicit = |h: &serde_json::Value| h["explicit"].as_bool().expect("explicit");
                let mut slugger = Slugger::new();
                for h in heads.iter().filter(|h| explicit(h)) {
                    slugger.register(h["id"].as_str().expect("id").to_owned());
                }
                for h in heads.iter().filter(|h| !explicit(h)) {
                    let text = h["text"].as_str().expect("text");
                    let id = slugger.slug(text);
                    assert_eq!(id, h["id"].as_str().expect("id"), "{} {} {text:?}", path.display(), page["src"]);
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "only {checked} headings checked");
    }

    #[test]
    fn unique_counter_rules() {
        let mut s = Slugger::new();
        assert_eq!(s.unique(String::new()), "_1");
        assert_eq!(s.unique(String::new()), "_2");
        assert_eq!(s.unique("a_9".into()), "a_9");
        assert_eq!(s.unique("a_9".into()), "a_10");
        assert_eq!(s.unique("a_b".into()), "a_b");
        assert_eq!(s.unique("a_b".into()), "a_b_1");
        let long = format!("x_{}", "9".repeat(40));
        assert_eq!(s.unique(long.clone()), long);
        assert_eq!(s.unique(long), format!("x_1{}", "0".repeat(40)));
        assert!(s.contains("a_10"));
        assert_eq!(increment_decimal("0"), "1");
        assert_eq!(increment_decimal("007"), "8");
        assert_eq!(split_counter("a\nb_1"), None);
        assert_eq!(split_counter("ab_1\n"), Some(("ab", "1")));
    }

    #[test]
    fn custom_separator() {
        // Python: toc.slugify('Foo_bar - baz', '_') == 'foo_bar_-_baz'
        assert_eq!(slugify_with_separator("Foo_bar - baz", '_'), "foo_bar_-_baz");
        assert_eq!(slugify_with_separator("Foo  bar", '_'), "foo_bar");
    }

    #[test]
    fn strip_tags_rules() {
        assert_eq!(strip_tags("a <b>bold</b>  <!-- c <i> -->d"), "a bold d");
        assert_eq!(strip_tags("unclosed <tag"), "unclosed <tag");
        assert_eq!(strip_tags("x\u{1c}y\u{a0}z"), "x y z");
        assert_eq!(unescape_html("&#38;&#x26;&#65&unknown;&amp"), "&&A&unknown;&");
    }
}
