//! Diagnostics: the one type every stage reports problems with, and the one function that prints them.
//!
//! Input: problems found by any stage (a file relative to the portal root, a 1-based line and
//! column, a message and an optional hint). Output: human text with a source snippet, GitHub
//! Actions annotations, or JSON lines. Invariant: a stage never stops at the first problem; it
//! pushes a [`Diagnostic`] and keeps going, and the caller decides the exit code from the list.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How bad a problem is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something the user may want to know (a skipped scaffolder skeleton); never fails a build.
    Info,
    /// Suspicious input that still builds (dangling reference, unknown kind); fails `--strict`.
    Warning,
    /// Invalid input: the entity or file does not follow the rules; fails `check` and `build`.
    Error,
}

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

/// One problem, pointing at the user's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `invalid-name`, `dangling-ref`.
    #[serde(deserialize_with = "crate::cache::disk::static_str")]
    pub code: crate::cache::disk::Interned,
    /// Path relative to the portal root, with `/` separators. `None` for problems of no file.
    pub file: Option<String>,
    /// Position in `file`; `None` when the problem concerns the whole file.
    #[serde(flatten)]
    pub pos: Option<Pos>,
    pub message: String,
    /// How to fix it, when there is something useful to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { severity, code, file: None, pos: None, message: message.into(), hint: None }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    /// Points the diagnostic at `file` (relative to the root), at `pos` when known.
    pub fn at(mut self, file: &str, pos: Option<Pos>) -> Self {
        self.file = Some(file.to_owned());
        self.pos = pos;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    fn sort_key(&self) -> (Option<&str>, Option<Pos>, &str, &str) {
        (self.file.as_deref(), self.pos, self.code, &self.message)
    }
}

/// The list every stage appends to. Sorted and de-duplicated before printing, so output is
/// deterministic even though stages run in parallel.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file, position, code and message; exact duplicates removed.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then(b.severity.cmp(&a.severity)));
        self.items.dedup();
        self.items
    }
}

/// Output format of `portico check` (and of diagnostics printed by `build` and `serve`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text with a source snippet.
    #[default]
    Human,
    /// GitHub Actions workflow commands (`::error file=..,line=..,col=..::message`).
    Github,
    /// One JSON object per line.
    Json,
}

/// Where diagnostics are printed from: the portal root as the user named it, so printed paths
/// are ones the user can open (`content-example/services/a/catalog-info.yaml:3:9`).
pub struct Printer {
    /// Canonical portal root, to read snippets from.
    pub root: PathBuf,
    pub display_root: PathBuf,
    pub format: Format,
    pub color: bool,
}

impl Printer {
    /// Renders every diagnostic in `list` in the chosen format; the one code path for build,
    /// check and serve.
    pub fn render(&self, list: &[Diagnostic]) -> String {
        let mut out = String::new();
        // Skipped skeleton files are one note on a terminal, however many there are (machine
        // formats list each).
        let skeletons: Vec<&Diagnostic> = list.iter().filter(|d| d.code == "skipped-skeleton").collect();
        let list: Vec<&Diagnostic> = match self.format {
            Format::Human if skeletons.len() > 1 => list.iter().filter(|d| d.code != "skipped-skeleton").collect(),
            _ => list.iter().collect(),
        };
        let summary = (self.format == Format::Human && skeletons.len() > 1).then(|| {
            let first = skeletons[0].file.as_deref().map(|f| self.display_path(f)).unwrap_or_default();
            Diagnostic::info(
                "skipped-skeleton",
                format!("{} files of template skeletons were skipped, not entities (the first: {first})", skeletons.len()),
            )
            .hint("files of a template's skeleton become entities only once the template runs; `--format json` lists each")
        });
        for d in list.into_iter().chain(summary.as_ref()) {
            match self.format {
                Format::Human => self.human(&mut out, d),
                Format::Github => self.github(&mut out, d),
                Format::Json => {
                    let mut value = serde_json::to_value(d).expect("diagnostics serialise");
                    if let (Some(file), Some(obj)) = (&d.file, value.as_object_mut()) {
                        obj.insert("file".into(), self.display_path(file).into());
                    }
                    out.push_str(&value.to_string());
                    out.push('\n');
                }
            }
        }
        out
    }

    fn display_path(&self, file: &str) -> String {
        let joined = self.display_root.join(file);
        let s = joined.to_string_lossy().replace('\\', "/");
        s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
    }

    fn github(&self, out: &mut String, d: &Diagnostic) {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &d.file {
            props.push(format!("file={}", escape_github_property(&self.display_path(file))));
            if let Some(pos) = d.pos {
                props.push(format!("line={}", pos.line));
                props.push(format!("col={}", pos.column));
            }
        }
        props.push(format!("title={}", escape_github_property(&format!("portico {}", d.code))));
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), escape_github_data(&message));
    }

    fn human(&self, out: &mut String, d: &Diagnostic) {
        use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::NOTE,
        };
        let title = format!("{} [{}]", d.message, d.code);
        let source = d.file.as_ref().and_then(|f| crate::input::read_to_string(&self.root.join(f), 64 << 20).ok());
        let path = d.file.as_ref().map(|f| self.display_path(f));
        let renderer = if self.color { Renderer::styled() } else { Renderer::plain() };

        let mut group = Group::with_title(level.primary_title(title.as_str()));
        let snippet_range = match (&source, d.pos) {
            (Some(src), Some(pos)) => line_span(src, pos),
            _ => None,
        };
        match (&source, &path, snippet_range) {
            (Some(src), Some(path), Some((range, window))) => {
                let text = &src[window.clone()];
                let first_line = src[..window.start].matches('\n').count() + 1;
                let local = (range.start - window.start)..(range.end - window.start);
                group = group.element(
                    Snippet::source(text)
                        .line_start(first_line)
                        .path(path.as_str())
                        .annotation(AnnotationKind::Primary.span(local)),
                );
            }
            (_, Some(path), _) => {
                let at = match d.pos {
                    Some(p) => format!("{path}:{}:{}", p.line, p.column),
                    None => path.clone(),
                };
                group = group.element(Level::NOTE.message(format!("in {at}")));
            }
            _ => {}
        }
        if let Some(hint) = &d.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let _ = writeln!(out, "{}", renderer.render(&[group]));
    }
}

/// The byte range to underline at `pos` and the window of whole lines to show around it (one
/// line before, the line itself). The underline covers the YAML value or key starting there: a
/// quoted string to its closing quote, an item of a flow list or mapping up to `,`, `]` or `}`,
/// a plain scalar to the end of the line (before a ` #` comment), an indicator (`:` `,` `]` `}`,
/// where syntax errors point) alone.
fn line_span(src: &str, pos: Pos) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut starts = vec![0usize];
    starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
    let line_idx = (pos.line as usize).checked_sub(1)?;
    let line_start = *starts.get(line_idx)?;
    let line_end = src[line_start..].find('\n').map_or(src.len(), |i| line_start + i);
    let line = src[line_start..line_end].trim_end_matches('\r');
    let col_byte = line.char_indices().nth((pos.column as usize).saturating_sub(1)).map_or(line.len(), |(i, _)| i);
    let before = &line[..col_byte];
    let rest = &line[col_byte..];
    let in_flow = before.matches(['[', '{']).count() > before.matches([']', '}']).count();
    let len = match rest.chars().next() {
        // Syntax errors point at an indicator: a single caret.
        Some(':' | ',' | ']' | '}') => 1,
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |i| i + 2),
        _ if in_flow => rest.find([',', ']', '}']).unwrap_or(rest.len()),
        _ => rest.find(" #").unwrap_or(rest.len()),
    };
    let len = rest[..len].trim_end().len().max(rest.chars().next().map_or(0, char::len_utf8));
    let start = line_start + col_byte;
    let window_start = starts[line_idx.saturating_sub(1)];
    Some((start..start + len, window_start..line_start + line.len()))
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_separators() {
        let p = Printer {
            root: PathBuf::from("."),
            display_root: PathBuf::from("."),
            format: Format::Github,
            color: false,
        };
        let d = Diagnostic::error("bad", "50% broken\nreally").at("a,b.yaml", Some(Pos::new(2, 3)));
        assert_eq!(p.render(&[d]), "::error file=a%2Cb.yaml,line=2,col=3,title=portico bad::50%25 broken%0Areally\n");
    }

    #[test]
    fn sorted_is_deterministic_and_deduplicated() {
        let mut list = Diagnostics::default();
        let b = Diagnostic::warning("x", "b").at("b.yaml", Some(Pos::new(1, 1)));
        let a = Diagnostic::error("x", "a").at("a.yaml", Some(Pos::new(9, 1)));
        list.push(b.clone());
        list.push(a.clone());
        list.push(b.clone());
        assert_eq!(list.sorted(), vec![a, b]);
    }

    #[test]
    fn span_underlines_the_whole_value() {
        let src = "a: 1\nname: Checkout Service! # why\ntags: [java, Big Data]\nq: 'x, y' z\n";
        let cases = [
            (Pos::new(2, 7), "Checkout Service!"),
            (Pos::new(3, 8), "java"),
            (Pos::new(3, 14), "Big Data"),
            (Pos::new(4, 4), "'x, y'"),
            (Pos::new(2, 1), "name: Checkout Service!"),
            (Pos::new(2, 5), ":"),
        ];
        for (pos, want) in cases {
            let (range, _) = line_span(src, pos).unwrap();
            assert_eq!(&src[range], want, "{pos:?}");
        }
        let (_, window) = line_span(src, Pos::new(2, 7)).unwrap();
        assert_eq!(&src[window], "a: 1\nname: Checkout Service! # why");
    }
}
