//! The theme: templates and assets. The default theme (`themes/default/`) is compiled into the
//! binary, so a built `portico` needs nothing beside it and reads nothing from the network. A
//! user theme directory (`theme:` in portico.yaml) overrides it file by file: a template in
//! `<theme>/templates/` replaces the default one of the same name (or adds one for `{% include %}`),
//! `<theme>/assets/style.css`, `portico.js`, `search.js`, `search-page.js` and `scaffold.js`
//! replace the default stylesheet, script, search client, search results page and template
//! form, and any other file of `<theme>/assets/` is published under `assets/` as is.
//!
//! Output: a minijinja [`Environment`] with every template loaded and checked, and the assets with
//! content-hashed file names (`assets/style.3f2a9c1b.css`), so they can be cached forever.

use std::path::Path;

use minijinja::Environment;

use crate::diagnostics::Diagnostic;

/// Templates of the default theme, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("macros.html", include_str!("../../themes/default/templates/macros.html")),
    ("home.html", include_str!("../../themes/default/templates/home.html")),
    ("catalog.html", include_str!("../../themes/default/templates/catalog.html")),
    ("entity.html", include_str!("../../themes/default/templates/entity.html")),
    ("group-cards.html", include_str!("../../themes/default/templates/group-cards.html")),
    ("orphans.html", include_str!("../../themes/default/templates/orphans.html")),
    ("docs.html", include_str!("../../themes/default/templates/docs.html")),
    ("teams.html", include_str!("../../themes/default/templates/teams.html")),
    ("apis.html", include_str!("../../themes/default/templates/apis.html")),
    ("templates.html", include_str!("../../themes/default/templates/templates.html")),
    ("docs-index.html", include_str!("../../themes/default/templates/docs-index.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("problems.html", include_str!("../../themes/default/templates/problems.html")),
    ("related.html", include_str!("../../themes/default/templates/related.html")),
    ("entity-tab.html", include_str!("../../themes/default/templates/entity-tab.html")),
    ("entity-graph.html", include_str!("../../themes/default/templates/entity-graph.html")),
    ("entity-scorecards.html", include_str!("../../themes/default/templates/entity-scorecards.html")),
    ("scorecards.html", include_str!("../../themes/default/templates/scorecards.html")),
    ("scorecard-check.html", include_str!("../../themes/default/templates/scorecard-check.html")),
    ("scorecard-macros.html", include_str!("../../themes/default/templates/scorecard-macros.html")),
    ("entity-definition.html", include_str!("../../themes/default/templates/entity-definition.html")),
    ("plugin-page.html", include_str!("../../themes/default/templates/plugin-page.html")),
    ("block-markdown.html", include_str!("../../themes/default/templates/block-markdown.html")),
    ("block-html.html", include_str!("../../themes/default/templates/block-html.html")),
    ("block-kv.html", include_str!("../../themes/default/templates/block-kv.html")),
    ("block-table.html", include_str!("../../themes/default/templates/block-table.html")),
    ("block-stat.html", include_str!("../../themes/default/templates/block-stat.html")),
    ("block-status.html", include_str!("../../themes/default/templates/block-status.html")),
    ("block-links.html", include_str!("../../themes/default/templates/block-links.html")),
    ("block-code.html", include_str!("../../themes/default/templates/block-code.html")),
    ("block-image.html", include_str!("../../themes/default/templates/block-image.html")),
    ("block-sparkline.html", include_str!("../../themes/default/templates/block-sparkline.html")),
];

const STYLE: &str = include_str!("../../themes/default/assets/style.css");
const SCRIPT: &str = include_str!("../../themes/default/assets/portico.js");
/// The search client: the browser half of [`crate::search`], which it must match.
const SEARCH: &str = include_str!("../../themes/default/assets/search.js");
/// The search results page (`search/?q=`), over `search.js`.
const SEARCH_PAGE: &str = include_str!("../../themes/default/assets/search-page.js");
/// The template page's form (`portico scaffold` command, values file, `?formData=` link).
const SCAFFOLD: &str = include_str!("../../themes/default/assets/scaffold.js");
/// The catalog graph page's depth and relation filters, and its layout.
const GRAPH: &str = include_str!("../../themes/default/assets/graph.js");
/// mermaid 11 (MIT), see `themes/default/assets/vendor/README.md`.
const MERMAID: &[u8] = include_bytes!("../../themes/default/assets/vendor/mermaid.min.js");

/// An asset with its output path.
pub struct Asset {
    /// Path relative to the site root.
    pub path: String,
    pub content: Vec<u8>,
}

pub struct Theme {
    pub env: Environment<'static>,
    /// Hash of every template (name and source): a rendered page depends on nothing else of
    /// the theme but its assets' paths, which are in the page's view.
    pub key: crate::cache::Key,
    pub style: Asset,
    pub script: Asset,
    /// The search box's client (`search.js`).
    pub search: Asset,
    /// The search results page (`search-page.js`).
    pub search_page: Asset,
    /// The template form (`scaffold.js`).
    pub scaffold: Asset,
    /// The catalog graph page (`graph.js`).
    pub graph: Asset,
    /// Code highlighting colours (light and dark), from [`crate::highlight::stylesheet`].
    pub highlight: Asset,
    /// The diagram renderer, written only when some page needs it.
    pub mermaid: Asset,
    /// Further files of a user theme's `assets/`, published as they are.
    pub extra: Vec<Asset>,
    /// `'sha256-…'` sources of the templates' static inline scripts, for the
    /// Content-Security-Policy (see [`csp`]).
    pub inline_script_hashes: Vec<String>,
}

/// The Content-Security-Policy of every page: scripts only from the site itself and the
/// theme's own static inline scripts (by hash), so a script that reached a page through user
/// content would not run; no plugins, no `<base>` rewriting, forms only to the site. Styles
/// may be inline (diagrams use them); images may come from anywhere over http(s) (docs embed
/// badges). With `docs.allow_raw_html` (trusted repositories), inline scripts of docs pages may
/// run too.
pub fn csp(theme: &Theme, allow_raw_html: bool) -> String {
    let mut script = vec!["'self'".to_owned()];
    if allow_raw_html {
        script.push("'unsafe-inline'".into());
    } else {
        script.extend(theme.inline_script_hashes.iter().cloned());
    }
    format!(
        "default-src 'self'; script-src {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: http: https:; font-src 'self' data:; connect-src 'self'; frame-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'",
        script.join(" ")
    )
}

/// The `'sha256-…'` CSP source of every `<script>` block of `source` whose body is static
/// (holds no template syntax, so the page carries exactly these bytes).
fn inline_script_hashes(source: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("<script>") {
        let body_start = start + "<script>".len();
        let Some(len) = rest[body_start..].find("</script>") else { break };
        let body = &rest[body_start..body_start + len];
        if !body.contains("{{") && !body.contains("{%") {
            let digest = sha2::Sha256::digest(body.as_bytes());
            out.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &rest[body_start + len..];
    }
    out
}

fn theme_error(message: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("theme-error", message))
}

impl Theme {
    /// The default theme, overridden by the files of the `theme:` directory when configured.
    /// Templates are compiled at load time, so a broken template is a clear error before any page
    /// renders. Nothing outside the portal root is read: a theme directory, `templates/`,
    /// `assets/` or file that leads out of it through a symbolic link is an error.
    pub fn load(config: &crate::config::Config) -> Result<Theme, Box<Diagnostic>> {
        let (user_dir, root) = (config.theme.as_deref(), &config.root);
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        let mut style = STYLE.as_bytes().to_vec();
        let mut script = strip_script(SCRIPT).into_bytes();
        let mut search = strip_script(SEARCH).into_bytes();
        let mut search_page = strip_script(SEARCH_PAGE).into_bytes();
        let mut scaffold = strip_script(SCAFFOLD).into_bytes();
        let mut graph = strip_script(GRAPH).into_bytes();
        let mut extra = Vec::new();
        let mut templates: Vec<(String, String)> =
            TEMPLATES.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        if let Some(dir) = user_dir {
            if !dir.is_dir() {
                return Err(theme_error(format!("theme directory {} does not exist", dir.display())));
            }
            inside_root(dir, root)?;
            for (name, source) in read_dir_files(&dir.join("templates"), root)? {
                let text = String::from_utf8(source)
                    .map_err(|_| theme_error(format!("theme template {name} is not UTF-8")))?;
                match templates.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = text,
                    None => templates.push((name, text)),
                }
            }
            for (name, content) in read_dir_files(&dir.join("assets"), root)? {
                match name.as_str() {
                    "style.css" => style = content,
                    "portico.js" => script = content,
                    "search.js" => search = content,
                    "search-page.js" => search_page = content,
                    "scaffold.js" => scaffold = content,
                    "graph.js" => graph = content,
                    _ => extra.push(Asset { path: format!("assets/{name}"), content }),
                }
            }
        }
        let mut hasher = crate::cache::KeyHasher::default();
        for (name, source) in &templates {
            hasher.add(name.as_bytes());
            hasher.add(source.as_bytes());
        }
        let key = hasher.finish();
        let mut inline_script_hashes: Vec<String> =
            templates.iter().flat_map(|(_, source)| inline_script_hashes(source)).collect();
        inline_script_hashes.sort();
        inline_script_hashes.dedup();
        for (name, source) in templates {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| theme_error(format!("theme template {name} does not compile: {e}")))?;
        }
        // Diagram colours follow the stylesheet, whoever wrote it.
        style.extend_from_slice(b"\n");
        style.extend_from_slice(super::diagram::stylesheet().as_bytes());
        Ok(Theme {
            env,
            key,
            style: hashed("assets/style", "css", style),
            script: hashed("assets/portico", "js", script),
            search: hashed("assets/search", "js", search),
            search_page: hashed("assets/search-page", "js", search_page),
            scaffold: hashed("assets/scaffold", "js", scaffold),
            graph: hashed("assets/graph", "js", graph),
            highlight: hashed("assets/highlight", "css", crate::highlight::stylesheet().into_bytes()),
            mermaid: hashed("assets/mermaid", "js", MERMAID.to_vec()),
            extra,
            inline_script_hashes,
        })
    }
}

/// One of the default theme's scripts without its comment lines and indentation (a fifth less
/// to download, gzipped). Lines are kept, so automatic semicolons stay where they were; this is
/// safe for our own scripts because none has a string spanning lines (tested), which is all a
/// full minifier would add to it. User scripts are published as written.
fn strip_script(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Refuses `path` when what it really is (symbolic links followed) lies outside `root`.
fn inside_root(path: &Path, root: &Path) -> Result<(), Box<Diagnostic>> {
    match path.canonicalize() {
        Ok(real) if !real.starts_with(root) => Err(theme_error(format!(
            "theme path {} leads outside the portal root (to {}) through a symbolic link; nothing outside the root is published",
            path.display(),
            real.display()
        ))),
        _ => Ok(()),
    }
}

/// Files directly in `dir` (sorted by name), or none when it does not exist. Symbolic links are
/// followed only while they stay inside `root`.
fn read_dir_files(dir: &Path, root: &Path) -> Result<Vec<(String, Vec<u8>)>, Box<Diagnostic>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    inside_root(dir, root)?;
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if is_link {
            inside_root(&entry.path(), root)?;
        }
        if entry.path().is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let content = crate::input::read(&entry.path(), crate::input::Limits::default().data_file)
                .map_err(|e| theme_error(format!("cannot read theme file {}: {e}", entry.path().display())))?;
            out.push((name, content));
        }
    }
    out.sort();
    Ok(out)
}

/// Escapes `& < > " '` only. minijinja's default also escapes `/`, which is safe but turns every
/// URL into `&#x2f;` soup and adds bytes to every link.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(s) if *state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() => {
            let mut last = 0;
            for (i, b) in s.bytes().enumerate() {
                let rep = match b {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    b'\'' => "&#39;",
                    _ => continue,
                };
                out.write_str(&s[last..i])?;
                out.write_str(rep)?;
                last = i + 1;
            }
            out.write_str(&s[last..])?;
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn hashed(stem: &str, ext: &str, content: Vec<u8>) -> Asset {
    let hash = blake3::hash(&content).to_hex();
    Asset { path: format!("{stem}.{}.{ext}", &hash[..8]), content }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stripping keeps every code line: no default script has a template literal or string
    /// spanning lines (where a line starting with `//` or indentation would be content).
    #[test]
    fn default_scripts_are_stripped_of_comment_lines_only() {
        for source in [SCRIPT, SEARCH, SEARCH_PAGE, GRAPH] {
            for (n, line) in source.lines().enumerate() {
                assert_eq!(line.matches('`').count() % 2, 0, "line {}: a template literal spans lines", n + 1);
                assert!(!line.trim_end().ends_with('\\'), "line {}: a string continues on the next line", n + 1);
            }
            let stripped = strip_script(source);
            let code = |s: &str| -> Vec<String> {
                s.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).map(str::to_owned).collect()
            };
            assert_eq!(code(&stripped), code(source));
            assert!(stripped.len() < source.len() * 9 / 10, "comments and indentation are gone");
        }
        assert!(strip_script("  // a\n  let a = 1; // kept\n\n").eq("let a = 1; // kept\n"));
    }
}
