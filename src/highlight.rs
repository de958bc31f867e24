//! Syntax highlighting of code blocks; the only module that touches syntect (swap it here).
//!
//! Engine: syntect with the Oniguruma regex engine and two-face's syntax set (its onig build,
//! which also has `JavaScript (Babel)`). Grammars are loaded and their regexes compiled on first
//! use: the first block of a language costs 2-35 ms, with fancy-regex it cost up to 0.5 s and
//! 90 MB for TypeScript (`cargo bench --bench docs` measures it per language).
//!
//! Input: the text of a fenced code block and the language name written after the fence
//! (Pygments, MkDocs or GitHub spelling, any case). Output: a [`Highlighted`] block, one HTML
//! string per source line, with `hl-`-prefixed classes that [`stylesheet`] colours for a light and
//! a dark theme.
//!
//! Invariants:
//! - Lines are split like [`str::lines`]: `\n` or `\r\n` ends a line, a final line ending adds no
//!   empty line, empty code gives no lines. No output line contains a line ending.
//! - Every output line is self-contained: spans still open at the end of a line are closed there
//!   and reopened at the start of the next, so a caller can wrap or number single lines.
//! - All source text is HTML-escaped (`&`, `<`, `>`, `"`, `'`).
//! - Highlighting never fails and never panics: an unknown or missing language, a diagram language
//!   (`mermaid`, `plantuml`, `dot`, ...), a line longer than [`MAX_LINE_BYTES`] or a grammar error
//!   gives escaped plain text with `language: None`.
//! - Results are cached process-wide by (syntax, blake3 of the code); equal input returns the same
//!   `Arc`. Highlighting runs outside the cache locks, so rayon workers do not serialise on it.
//! - [`stylesheet`] returns the same string on every call.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use syntect::html::{ClassStyle, css_for_theme_with_class_style};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use two_face::theme::EmbeddedThemeName;

/// A highlighted code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    /// One HTML string per source line, without the line ending, with balanced `<span>` tags.
    pub lines: Vec<String>,
    /// The syntax used (e.g. `"TypeScript"`), or `None` when the block is plain text.
    pub language: Option<String>,
}

/// Lines longer than this (in bytes) make the whole block plain text: backtracking grammars are
/// slow on minified files (with fancy-regex a 16 KiB JavaScript line took ~150 ms), and nobody
/// reads such a line.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Blocks larger than this are shown plain: highlighting is linear, but a 20 MB block would
/// hold the build for a minute for colours nobody reads.
pub const MAX_BLOCK_BYTES: usize = 512 * 1024;

/// Class prefix of every span; [`stylesheet`] uses the same prefix.
const CLASS_PREFIX: &str = "hl-";
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: CLASS_PREFIX };

/// Light theme: applied by default and under `[data-theme="light"]`.
const LIGHT_THEME: EmbeddedThemeName = EmbeddedThemeName::InspiredGithub;
/// Dark theme: applied under `[data-theme="dark"]` and when the system prefers dark.
const DARK_THEME: EmbeddedThemeName = EmbeddedThemeName::OneHalfDark;

/// Languages that are never highlighted (diagram sources are rendered by the caller).
const PLAIN: &[&str] =
    &["text", "plain", "plaintext", "txt", "none", "nohighlight", "mermaid", "plantuml", "puml", "dot", "graphviz"];

/// Fence names that `find_syntax_by_token` (extension, then syntax name) does not resolve, or
/// resolves to the wrong syntax. Keys are lower case; values are syntax names in the set.
const ALIASES: &[(&str, &str)] = &[
    ("c#", "C#"),
    ("cjs", "JavaScript (Babel)"),
    ("console", "Bourne Again Shell (bash)"),
    ("containerfile", "Dockerfile"),
    ("csharp", "C#"),
    ("docker", "Dockerfile"),
    ("dotenv", "DotENV"),
    ("golang", "Go"),
    ("h", "C"),
    ("jinja", "Jinja2"),
    ("json5", "JSON"),
    ("jsonc", "JSON"),
    ("javascript", "JavaScript (Babel)"),
    ("jsx", "JavaScript (Babel)"),
    ("ksh", "Bourne Again Shell (bash)"),
    ("mjs", "JavaScript (Babel)"),
    ("mysql", "SQL"),
    ("objc", "Objective-C"),
    ("postgres", "SQL"),
    ("postgresql", "SQL"),
    ("psql", "SQL"),
    ("python3", "Python"),
    ("shell", "Bourne Again Shell (bash)"),
    ("shell-session", "Bourne Again Shell (bash)"),
    ("shellsession", "Bourne Again Shell (bash)"),
    ("sh-session", "Bourne Again Shell (bash)"),
    ("sqlite", "SQL"),
];

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);
static CACHE: LazyLock<Cache> = LazyLock::new(Cache::default);
static STYLESHEET: LazyLock<String> = LazyLock::new(build_stylesheet);

/// Highlights `code` as `lang`; see the module docs for the guarantees.
pub fn highlight(code: &str, lang: Option<&str>) -> Arc<Highlighted> {
    let syntax = lang.and_then(resolve_syntax);
    let key = (syntax.map(|s| s.name.as_str()), *blake3::hash(code.as_bytes()).as_bytes());
    if let Some(hit) = CACHE.get(&key) {
        return hit;
    }
    CACHE.insert(key, Arc::new(render(code, syntax)))
}

/// Empties the block cache, so that [`highlight`] works again on every block (for benchmarks).
#[doc(hidden)]
pub fn clear_cache() {
    for shard in &CACHE.shards {
        shard.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// CSS for the `hl-` classes: the light theme by default and under `[data-theme="light"]`, the
/// dark theme under `[data-theme="dark"]` and for `prefers-color-scheme: dark` unless the page is
/// forced light. Each theme sits under its own mutually exclusive selectors, so a scope that only
/// one theme colours never leaks into the other. `data-theme` belongs on the root `<html>` element;
/// put class `hl-code` on the `<pre>` to get the theme's foreground and background.
pub fn stylesheet() -> String {
    STYLESHEET.clone()
}

/// Whether blocks of fence language `lang` get colours (small enough ones).
pub fn is_highlighted(lang: &str) -> bool {
    resolve_syntax(lang).is_some()
}

/// Finds the syntax for a fence language name, or `None` for plain text.
fn resolve_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    if lang.is_empty() || PLAIN.contains(&lang.as_str()) {
        return None;
    }
    let syntaxes: &'static SyntaxSet = &SYNTAXES;
    let syntax = match ALIASES.iter().find(|(alias, _)| *alias == lang) {
        Some((_, name)) => syntaxes.find_syntax_by_name(name),
        None => syntaxes.find_syntax_by_token(&lang),
    }?;
    (syntax.name != "Plain Text").then_some(syntax)
}

fn render(code: &str, syntax: Option<&SyntaxReference>) -> Highlighted {
    let lines: Vec<&str> = code.lines().collect();
    if let Some(syntax) = syntax
        && code.len() <= MAX_BLOCK_BYTES
        && lines.iter().all(|line| line.len() <= MAX_LINE_BYTES)
        // A grammar bug must cost one block its colours, not the build.
        && let Ok(Some(html)) = panic::catch_unwind(AssertUnwindSafe(|| highlight_lines(&lines, syntax)))
    {
        return Highlighted { lines: html, language: Some(syntax.name.clone()) };
    }
    let lines = lines
        .iter()
        .map(|line| {
            let mut html = String::with_capacity(line.len());
            push_escaped(&mut html, line);
            html
        })
        .collect();
    Highlighted { lines, language: None }
}

/// Parses line by line and emits spans lazily: before each text run the spans open on this
/// output line are synced with the parser's scope stack, and all are closed at the end of the line.
/// Returns `None` on a grammar error.
fn highlight_lines(lines: &[&str], syntax: &SyntaxReference) -> Option<Vec<String>> {
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut classes = Classes::default();
    let mut open: Vec<Scope> = Vec::new();
    let mut input = String::new();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        // The `newlines` grammars expect every line to end with `\n`.
        input.clear();
        input.push_str(line);
        input.push('\n');
        let ops = state.parse_line(&input, &SYNTAXES).ok()?;
        let mut html = String::with_capacity(line.len() * 2);
        let mut pos = 0;
        for (at, op) in &ops {
            let at = (*at).min(line.len());
            if at > pos {
                sync_spans(&mut html, &mut open, stack.as_slice(), &mut classes);
                push_escaped(&mut html, &line[pos..at]);
                pos = at;
            }
            stack.apply(op).ok()?;
        }
        if pos < line.len() {
            sync_spans(&mut html, &mut open, stack.as_slice(), &mut classes);
            push_escaped(&mut html, &line[pos..]);
        }
        for _ in open.drain(..) {
            html.push_str("</span>");
        }
        out.push(html);
    }
    Some(out)
}

/// Closes the spans in `open` that are not a prefix of `stack` and opens the rest of `stack`.
fn sync_spans(html: &mut String, open: &mut Vec<Scope>, stack: &[Scope], classes: &mut Classes) {
    let common = open.iter().zip(stack).take_while(|(a, b)| a == b).count();
    for _ in common..open.len() {
        html.push_str("</span>");
    }
    open.truncate(common);
    for &scope in &stack[common..] {
        html.push_str("<span class=\"");
        html.push_str(classes.get(scope));
        html.push_str("\">");
        open.push(scope);
    }
}

/// Class attribute values per scope (`source.go` -> `hl-source hl-go`), as syntect's
/// `ClassStyle::SpacedPrefixed` spells them. Memoised per block: naming a scope locks syntect's
/// global scope repository.
#[derive(Default)]
struct Classes(HashMap<Scope, String>);

impl Classes {
    fn get(&mut self, scope: Scope) -> &str {
        self.0.entry(scope).or_insert_with(|| {
            let mut class = String::new();
            for atom in scope.build_string().split('.').filter(|atom| !atom.is_empty()) {
                if !class.is_empty() {
                    class.push(' ');
                }
                class.push_str(CLASS_PREFIX);
                push_escaped(&mut class, atom);
            }
            class
        })
    }
}

fn push_escaped(html: &mut String, text: &str) {
    crate::html::escape_into(html, text)
}

type CacheKey = (Option<&'static str>, [u8; 32]);

/// Process-wide cache of highlighted blocks, sharded by content hash so parallel renders rarely
/// contend. A shard that grows past its cap is cleared (serve mode keeps the process alive).
#[derive(Default)]
struct Cache {
    shards: [Mutex<HashMap<CacheKey, Arc<Highlighted>>>; 16],
}

impl Cache {
    const MAX_ENTRIES_PER_SHARD: usize = 2048;

    fn shard(&self, key: &CacheKey) -> &Mutex<HashMap<CacheKey, Arc<Highlighted>>> {
        &self.shards[usize::from(key.1[0]) % self.shards.len()]
    }

    fn get(&self, key: &CacheKey) -> Option<Arc<Highlighted>> {
        self.shard(key).lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
    }

    /// Inserts `value` unless another thread got there first; returns the cached value.
    fn insert(&self, key: CacheKey, value: Arc<Highlighted>) -> Arc<Highlighted> {
        let mut shard = self.shard(&key).lock().unwrap_or_else(PoisonError::into_inner);
        if shard.len() >= Self::MAX_ENTRIES_PER_SHARD && !shard.contains_key(&key) {
            shard.clear();
        }
        Arc::clone(shard.entry(key).or_insert(value))
    }
}

fn build_stylesheet() -> String {
    let themes = two_face::theme::extra();
    let mut css = String::from("/* Syntax highlighting (hl- classes), generated from syntect themes. */\n");
    for (name, mode, media, media_root) in [
        (LIGHT_THEME, "light", "not all and (prefers-color-scheme: dark)", ":root:not([data-theme=\"dark\"])"),
        (DARK_THEME, "dark", "(prefers-color-scheme: dark)", ":root:not([data-theme=\"light\"])"),
    ] {
        // Only fails on a formatter error; a missing theme must not stop the build.
        let Ok(rules) = css_for_theme_with_class_style(themes.get(name), CLASS_STYLE) else { continue };
        css.push_str(&format!("\n/* {mode}: {name} */\n"));
        push_scoped_rules(&mut css, &rules, &format!("[data-theme=\"{mode}\"]"));
        css.push_str(&format!("@media {media} {{\n"));
        push_scoped_rules(&mut css, &rules, media_root);
        css.push_str("}\n");
    }
    css
}

/// Copies syntect's CSS without its header comment, prefixing every selector with `scope `.
/// Selectors are joined by `", "` (escaped identifiers such as `\2b ` never contain a comma); a
/// rule left without selectors is dropped rather than applied to `scope` itself.
fn push_scoped_rules(css: &mut String, rules: &str, scope: &str) {
    let mut skip_rule = false;
    for line in rules.lines() {
        if line.is_empty() || line.starts_with("/*") || line.starts_with(" *") {
            continue;
        }
        if let Some(selectors) = line.strip_suffix(" {") {
            let scoped: Vec<String> = selectors
                .split(", ")
                .filter(|selector| !selector.trim().is_empty())
                .map(|selector| format!("{scope} {selector}"))
                .collect();
            skip_rule = scoped.is_empty();
            if !skip_rule {
                css.push_str(&scoped.join(", "));
                css.push_str(" {\n");
            }
        } else if !skip_rule {
            css.push_str(line);
            css.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Panics unless `<span ...>` and `</span>` nest properly within `line`.
    fn assert_balanced(line: &str) {
        let mut depth = 0_i32;
        let mut rest = line;
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            if rest.starts_with("<span class=\"") {
                depth += 1;
            } else if rest.starts_with("</span>") {
                depth -= 1;
                assert!(depth >= 0, "unopened </span> in {line:?}");
            } else {
                panic!("unescaped `<` in {line:?}");
            }
            rest = &rest[1..];
        }
        assert_eq!(depth, 0, "unclosed <span> in {line:?}");
        assert_eq!(line.matches("<span").count(), line.matches("</span>").count());
    }

    #[test]
    fn fence_names_resolve_to_syntaxes() {
        let cases = [
            ("ts", Some("TypeScript")),
            ("typescript", Some("TypeScript")),
            ("tsx", Some("TypeScriptReact")),
            ("js", Some("JavaScript (Babel)")),
            ("javascript", Some("JavaScript (Babel)")),
            ("jsx", Some("JavaScript (Babel)")),
            ("mjs", Some("JavaScript (Babel)")),
            ("json", Some("JSON")),
            ("jsonc", Some("JSON")),
            ("json5", Some("JSON")),
            ("yaml", Some("YAML")),
            ("yml", Some("YAML")),
            ("toml", Some("TOML")),
            ("ini", Some("INI")),
            ("sh", Some("Bourne Again Shell (bash)")),
            ("bash", Some("Bourne Again Shell (bash)")),
            ("shell", Some("Bourne Again Shell (bash)")),
            ("zsh", Some("Bourne Again Shell (bash)")),
            ("console", Some("Bourne Again Shell (bash)")),
            ("shell-session", Some("Bourne Again Shell (bash)")),
            ("dockerfile", Some("Dockerfile")),
            ("docker", Some("Dockerfile")),
            ("hcl", Some("Terraform")),
            ("terraform", Some("Terraform")),
            ("tf", Some("Terraform")),
            ("kotlin", Some("Kotlin")),
            ("kt", Some("Kotlin")),
            ("graphql", Some("GraphQL")),
            ("gql", Some("GraphQL")),
            ("proto", Some("Protocol Buffer")),
            ("protobuf", Some("Protocol Buffer")),
            ("sql", Some("SQL")),
            ("go", Some("Go")),
            ("golang", Some("Go")),
            ("rust", Some("Rust")),
            ("rs", Some("Rust")),
            ("python", Some("Python")),
            ("py", Some("Python")),
            ("python3", Some("Python")),
            ("java", Some("Java")),
            ("c", Some("C")),
            ("cpp", Some("C++")),
            ("c++", Some("C++")),
            ("csharp", Some("C#")),
            ("cs", Some("C#")),
            ("ruby", Some("Ruby")),
            ("rb", Some("Ruby")),
            ("php", Some("PHP")),
            ("html", Some("HTML")),
            ("xml", Some("XML")),
            ("css", Some("CSS")),
            ("scss", Some("SCSS")),
            ("diff", Some("Diff")),
            ("patch", Some("Diff")),
            ("make", Some("Makefile")),
            ("makefile", Some("Makefile")),
            ("md", Some("Markdown")),
            ("markdown", Some("Markdown")),
            ("nginx", Some("nginx")),
            ("lua", Some("Lua")),
            ("swift", Some("Swift")),
            ("scala", Some("Scala")),
            ("r", Some("R")),
            ("elixir", Some("Elixir")),
            // Case and surrounding blanks do not matter.
            ("TypeScript", Some("TypeScript")),
            (" YAML ", Some("YAML")),
            ("Dockerfile", Some("Dockerfile")),
            // Plain text, diagrams (rendered by the caller) and unknown names.
            ("text", None),
            ("plain", None),
            ("txt", None),
            ("", None),
            ("mermaid", None),
            ("plantuml", None),
            ("dot", None),
            ("graphviz", None),
            ("no-such-language", None),
        ];
        for (fence, expected) in cases {
            let got = highlight("x = 1\n", Some(fence));
            assert_eq!(got.language.as_deref(), expected, "fence {fence:?}");
        }
        for (alias, name) in ALIASES {
            assert_eq!(alias.to_ascii_lowercase(), *alias, "aliases are matched in lower case");
            assert!(SYNTAXES.find_syntax_by_name(name).is_some(), "alias {alias:?} names a missing syntax {name:?}");
        }
    }

    #[test]
    fn extra_languages_get_token_spans() {
        let cases = [
            ("ts", "interface A { b: string }\nconst x: A = { b: \"c\" };\n"),
            ("tsx", "const e = <Table aria-label=\"x\">{rows}</Table>;\n"),
            ("jsx", "const e = <div className=\"x\">{b}</div>;\n"),
            ("toml", "[package]\nname = \"portico\" # comment\n"),
            ("dockerfile", "FROM rust:1.95 AS build\nRUN cargo build --release\n"),
            ("hcl", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n"),
            ("kotlin", "fun main() {\n    val x = \"hi\"\n}\n"),
            ("graphql", "query Q($id: ID!) {\n  user(id: $id) { name }\n}\n"),
            ("protobuf", "syntax = \"proto3\";\nmessage A { string b = 1; }\n"),
            ("yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component # c\n"),
            ("json", "{\"a\": [1, true, null]}\n"),
            ("sql", "SELECT name FROM users WHERE id = 1;\n"),
            ("shell", "export A=1\nif [ -f x ]; then echo \"$A\"; fi\n"),
        ];
        for (lang, code) in cases {
            let got = highlight(code, Some(lang));
            let html = got.lines.concat();
            // Beyond the whole-block `hl-source ...` span there must be token spans.
            let token_spans =
                html.matches("<span class=\"hl-").count() - html.matches("<span class=\"hl-source").count();
            assert!(token_spans > 0, "{lang}: no token spans in {html}");
            got.lines.iter().for_each(|line| assert_balanced(line));
        }
    }

    #[test]
    fn plain_text_is_escaped() {
        let code = "<script>alert('x') && \"y\"</script>";
        let escaped = "&lt;script&gt;alert(&#39;x&#39;) &amp;&amp; &quot;y&quot;&lt;/script&gt;";
        for lang in [None, Some("no-such-language"), Some("text"), Some("mermaid")] {
            let got = highlight(code, lang);
            assert_eq!(*got, Highlighted { lines: vec![escaped.to_owned()], language: None }, "lang {lang:?}");
        }
    }

    #[test]
    fn highlighted_text_is_escaped() {
        let got = highlight("let s = \"<b>&amp;</b>\"; // <i>'\n", Some("rust"));
        let html = &got.lines[0];
        assert!(html.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;"), "{html}");
        assert!(html.contains("&lt;i&gt;&#39;"), "{html}");
        assert_balanced(html);
    }

    #[test]
    fn spans_are_balanced_on_every_line() {
        let cases = [
            ("go", "/* a\n   multi-line\n   comment */\nfunc f() {}\n"),
            ("python", "s = \"\"\"\nline <one>\nline two\n\"\"\"\n"),
            ("rust", "let s = r#\"\nraw\n\"#;\n"),
            ("js", "const t = `a\n${b}\nc`;\n"),
            ("yaml", "key: |\n  block\n  scalar\nnext: 1\n"),
            ("bash", "cat <<EOF\nhello $USER\nEOF\n"),
            ("html", "<!-- a\nb -->\n<p class=\"x\">\n</p>\n"),
        ];
        for (lang, code) in cases {
            let got = highlight(code, Some(lang));
            assert!(got.language.is_some(), "{lang}");
            assert_eq!(got.lines.len(), code.lines().count(), "{lang}");
            for line in &got.lines {
                assert_balanced(line);
            }
            // Spans open across the line break are reopened.
            assert!(got.lines[1].starts_with("<span class=\"hl-"), "{lang}: {}", got.lines[1]);
        }
    }

    #[test]
    fn line_count_matches_source() {
        let cases = [
            ("", 0),
            ("a", 1),
            ("a\n", 1),
            ("\n", 1),
            ("\n\n", 2),
            ("a\nb", 2),
            ("a\nb\n", 2),
            ("a\r\nb\r\n", 2),
            ("a\r\n\r\nb", 3),
            ("a\n\nb\n", 3),
        ];
        for (code, count) in cases {
            for lang in [Some("go"), Some("yaml"), None] {
                let got = highlight(code, lang);
                assert_eq!(got.lines.len(), count, "{code:?} as {lang:?}");
                assert!(got.lines.iter().all(|line| !line.contains(['\n', '\r'])), "{code:?} as {lang:?}: {got:?}");
            }
        }
    }

    #[test]
    fn odd_input_never_fails() {
        let long_line = format!("x = \"{}\"\n", "a".repeat(MAX_LINE_BYTES));
        let cases = [
            ("go", "\tfunc\tf() {\n\t\treturn\n}\n"),
            ("js", "const r = /[/;\nlet x = ((((\n"),
            ("python", "def f(:\n  \"\"\"unterminated\n"),
            ("json", "{\"a\": \u{0}\u{1b}[31m}\n"),
            ("yaml", "emoji: 🦀 \"é\" \u{200b}\nlone\rcr: x\n"),
            ("sql", "SELECT '\\'; -- ' /*\n"),
            ("python", long_line.as_str()),
        ];
        for (lang, code) in cases {
            let got = highlight(code, Some(lang));
            assert_eq!(got.lines.len(), code.lines().count(), "{lang}: {code:?}");
            got.lines.iter().for_each(|line| assert_balanced(line));
        }
        assert_eq!(highlight(&long_line, Some("python")).language, None, "over-long lines are plain text");
    }

    #[test]
    fn cache_returns_the_same_arc() {
        let code = "package main\n\nfunc main() {}\n";
        let first = highlight(code, Some("go"));
        assert!(Arc::ptr_eq(&first, &highlight(code, Some("go"))));
        assert!(Arc::ptr_eq(&first, &highlight(code, Some("golang"))), "aliases share the entry");
        assert!(!Arc::ptr_eq(&first, &highlight(code, Some("text"))));
        assert!(!Arc::ptr_eq(&first, &highlight("package other\n", Some("go"))));
    }

    #[test]
    fn stylesheet_scopes_both_themes() {
        let css = stylesheet();
        assert_eq!(css, stylesheet(), "stable across calls");
        for needle in [
            "/* light: InspiredGitHub */",
            "/* dark: OneHalfDark */",
            "[data-theme=\"light\"] .hl-comment",
            "[data-theme=\"dark\"] .hl-comment",
            "@media not all and (prefers-color-scheme: dark) {\n:root:not([data-theme=\"dark\"]) .hl-",
            "@media (prefers-color-scheme: dark) {\n:root:not([data-theme=\"light\"]) .hl-",
        ] {
            assert!(css.contains(needle), "missing {needle:?}");
        }
        assert_eq!(css.matches('{').count(), css.matches('}').count());
        // No selector may apply outside its theme's condition.
        for line in css.lines().filter(|line| line.ends_with(" {") && !line.starts_with("@media")) {
            for selector in line.trim_end_matches(" {").split(", ") {
                assert!(
                    selector.starts_with("[data-theme=\"") || selector.starts_with(":root:not([data-theme=\""),
                    "unscoped selector {selector:?}"
                );
            }
        }
    }
}
