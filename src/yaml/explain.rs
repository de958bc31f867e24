//! Hints for YAML syntax errors: what rule the text broke and how to write it instead.
//!
//! Input: the parser's message, the file's text and the error's position. Output: a sentence
//! for the diagnostic's hint, as helpful as the messages of the `yaml` library Backstage reads
//! descriptors with ("plain value cannot start with directive indicator character %"), for the
//! mistakes people make in hand-written descriptors: an unquoted value starting with `%`, `@`
//! or a backtick, a `: ` inside an unquoted value, a tab, an unclosed quote or bracket, a line
//! indented out of step with its siblings, a duplicate key.

use crate::diagnostics::Pos;

/// The hint for `message` at `pos` in `text`, when the mistake is a known one.
pub fn explain(message: &str, text: &str, pos: Option<Pos>) -> Option<String> {
    let line = pos.and_then(|p| text.lines().nth(p.line.saturating_sub(1) as usize)).unwrap_or_default();
    let column = pos.map_or(0, |p| p.column.saturating_sub(1) as usize);
    let at = line.get(column..).unwrap_or_default();
    let quote_it = |value: &str| {
        let value = value.trim_end();
        format!("quote the value: `{}\"{}\"`", &line[..column.min(line.len())].trim_start(), value.replace('"', "\\\""))
    };
    if let Some(c) = message.strip_prefix("unexpected character: `").and_then(|r| r.chars().next()) {
        let rule = match c {
            '%' => "a plain (unquoted) value cannot start with the directive indicator `%`".to_owned(),
            '@' => "`@` is reserved in YAML: a plain (unquoted) value cannot start with it".to_owned(),
            '`' => "the backtick is reserved in YAML: a plain (unquoted) value cannot start with it".to_owned(),
            _ => format!("a plain (unquoted) value cannot start with `{c}`"),
        };
        return Some(format!("{rule}; {}", quote_it(at)));
    }
    if message.starts_with("tabs disallowed")
        || message.contains("found character that cannot start any token") && line.contains('\t')
    {
        return Some(
            "YAML indents with spaces only: replace the tab characters at the start of this line with spaces".into(),
        );
    }
    if message.starts_with("unclosed quote") {
        return Some(
            "the quoted value that starts here has no closing quote; inside double quotes write `\\\"` for a quote, inside single quotes `''`".into(),
        );
    }
    if message.starts_with("unclosed bracket") {
        return Some(format!(
            "the flow list or mapping opened here is never closed: close it, or, if the bracket is text, {}",
            quote_it(at)
        ));
    }
    if message.starts_with("invalid trailing content after") {
        return Some("a quoted value ends at its closing quote: quote the whole value, e.g. `'\"v2\" beta'`".into());
    }
    if message.starts_with("mapping values are not allowed") {
        // A `: ` inside a value (`description: Note: this breaks`) or a key out of step.
        let key_end = line.find(": ").or_else(|| line.trim_end().ends_with(':').then(|| line.trim_end().len() - 1));
        return Some(match key_end {
            Some(k) if k < column => {
                let value = line[k + 1..].trim();
                format!("an unquoted value cannot contain `: ` (a colon and a space): {}", {
                    let key = &line[..k + 1];
                    format!("quote it: `{}\"{}\"`", key.trim_start().to_owned() + " ", value.replace('"', "\\\""))
                })
            }
            _ => {
                "this key is indented more than the keys before it: keys of one mapping start in the same column".into()
            }
        });
    }
    if message.contains("did not find expected key") {
        return Some(
            "this line is out of step with the mapping above it: check its indentation, and that list items (`- `) are not mixed with keys at the same level".into(),
        );
    }
    if message.contains("did not find expected '-' indicator") {
        return Some(
            "a list is open here: its items start with `- ` in the same column; a key after the list must line up with the key that owns the list".into(),
        );
    }
    if message.starts_with("duplicate mapping key") {
        return Some(
            "a key may appear once in a mapping (Backstage rejects duplicates too): remove or rename one".into(),
        );
    }
    if message.contains("recursion limit exceeded") {
        return Some("the YAML nests lists or mappings deeper than Portico reads (a few hundred levels): descriptors never need that many".into());
    }
    if message.contains("unknown anchor") {
        return Some("`*name` refers to an anchor `&name` defined earlier in the same document; to write a value starting with `*`, quote it".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_mistakes_are_explained() {
        let cases: &[(&str, &str)] = &[
            (
                "a: 1\nd: %d of requests\n",
                "cannot start with the directive indicator `%`; quote the value: `d: \"%d of requests\"`",
            ),
            ("a: 1\nd: @team owns it\n", "`@` is reserved in YAML"),
            ("a: `make build`\n", "the backtick is reserved"),
            ("a:\n\tb: 1\n", "YAML indents with spaces only"),
            ("a: \"unclosed\nb: 1\n", "has no closing quote"),
            ("a: [1, 2\n", "never closed"),
            ("a: \"v2\" beta\n", "a quoted value ends at its closing quote"),
            ("m:\n  description: Note: this breaks\n", "quote it: `description: \"Note: this breaks\"`"),
            ("m:\n  name: a\n   title: x\n", "indented more than the keys before it"),
            ("a:\n    b: 1\n  c: 2\n", "out of step with the mapping above it"),
            ("a:\n  - x\n  b: y\n", "a list is open here"),
            ("a: 1\na: 2\n", "a key may appear once"),
            ("a: *missing\n", "anchor `&name`"),
        ];
        for (text, want) in cases {
            let (_, errors) = crate::yaml::parse_documents(text);
            let e = errors.first().unwrap_or_else(|| panic!("{text:?} parses"));
            let hint =
                explain(&e.message, text, e.pos).unwrap_or_else(|| panic!("{text:?}: no hint for {}", e.message));
            assert!(hint.contains(want), "{text:?}: {hint}");
        }
    }
}
