//! The MkDocs model of a TechDocs site: `mkdocs.yml`, page URLs and navigation, as MkDocs 1.6
//! with mkdocs-techdocs-core and mkdocs-monorepo-plugin computes them.
//!
//! Input: the text of `mkdocs.yml` (or none: the TechDocs default `docs_dir: docs`) and the list
//! of Markdown files of the site. Output: [`MkdocsConfig`], page URLs, and the navigation tree
//! ([`NavItem`]) — from `nav` when given (titles, sections, external links, `!include` of
//! sub-sites), else MkDocs' default order: per directory `index.md`/`README.md` first, then
//! files by name, directories as sections titled from their names.

use crate::diagnostics::Pos;
use crate::yaml::{self, Node, Value};

/// What Portico reads from `mkdocs.yml`; everything else (theme, plugins, other extensions) is
/// the TechDocs default and ignored.
#[derive(Clone, Debug)]
pub struct MkdocsConfig {
    pub site_name: Option<String>,
    /// Relative to the directory of mkdocs.yml.
    pub docs_dir: String,
    pub use_directory_urls: bool,
    pub repo_url: Option<String>,
    pub edit_uri: Option<String>,
    pub nav: Option<Node>,
    pub extensions: Extensions,
    /// `repo_url`/`edit_uri` values the URL policy refused (left out): where, and why.
    pub refused: Vec<(Pos, String)>,
}

impl Default for MkdocsConfig {
    fn default() -> Self {
        MkdocsConfig {
            site_name: None,
            docs_dir: "docs".into(),
            use_directory_urls: true,
            repo_url: None,
            edit_uri: None,
            nav: None,
            extensions: Extensions::default(),
            refused: Vec::new(),
        }
    }
}

/// The site's own `markdown_extensions` settings that change what a page looks like, on top of
/// techdocs-core's set (which appends its extensions to the site's list and merges the site's
/// settings back over its own defaults). Extensions Portico does not know are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Extensions {
    /// `pymdownx.highlight: {linenums: ...}`; techdocs-core turns line numbers on.
    pub linenums: bool,
    /// `pymdownx.keys`: `++ctrl+alt+del++` as keyboard keys.
    pub keys: bool,
    /// `smarty`: curly quotes, en and em dashes, ellipses.
    pub smarty: bool,
    /// `pymdownx.emoji` with Material's index (`emoji_index:
    /// !!python/name:material.extensions.emoji.twemoji`): icon shortcodes such as
    /// `:material-check:` or `:fontawesome-brands-github:` are icons, not text.
    pub icons: bool,
}

impl Default for Extensions {
    fn default() -> Self {
        Extensions { linenums: true, keys: false, smarty: false, icons: false }
    }
}

/// Reads `markdown_extensions` (a list of names, or of one-key maps name -> settings).
/// `!!python/name:` values are not kept by the YAML reader, so Material's emoji index is
/// recognised in the file's text.
fn extensions(root: &Node, text: &str) -> Extensions {
    static MATERIAL_INDEX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)^[^#\n]*\bemoji_index:\s*!!python/name:materialx?\.(?:extensions\.)?emoji\.twemoji\b")
            .expect("static pattern")
    });
    let mut ext = Extensions::default();
    let Some(list) = root.get("markdown_extensions").and_then(Node::as_seq) else { return ext };
    for item in list {
        let (name, settings) = match &item.value {
            Value::Str(s) => (s.as_str(), None),
            Value::Map(m) if m.len() == 1 => (m[0].0.name.as_str(), Some(&m[0].1)),
            _ => continue,
        };
        match name.trim_start_matches("markdown.extensions.") {
            "pymdownx.highlight" => {
                if let Some(Value::Bool(b)) = settings.and_then(|s| s.get("linenums")).map(|n| &n.value) {
                    ext.linenums = *b;
                }
            }
            "pymdownx.keys" => ext.keys = true,
            "smarty" => ext.smarty = true,
            "pymdownx.emoji" => ext.icons = MATERIAL_INDEX.is_match(text),
            _ => {}
        }
    }
    ext
}

/// Reads `mkdocs.yml`. Unknown keys and custom tags (`!ENV`, `!!python/name:`) are ignored.
pub fn parse_config(text: &str) -> Result<MkdocsConfig, (Option<Pos>, String)> {
    let (mut docs, errors) = yaml::parse_documents(text);
    if let Some(e) = errors.into_iter().next() {
        return Err((e.pos, e.message));
    }
    let mut config = MkdocsConfig::default();
    let Some(doc) = docs.pop() else { return Ok(config) };
    let root = doc.root;
    if root.as_map().is_none() {
        return Err((Some(root.pos), format!("expected a mapping, found {}", root.type_name())));
    }
    let string = |key: &str| root.get(key).and_then(Node::as_str).map(str::to_owned);
    config.site_name = string("site_name");
    if let Some(d) = string("docs_dir") {
        config.docs_dir = d;
    }
    if let Some(Value::Bool(b)) = root.get("use_directory_urls").map(|n| &n.value) {
        config.use_directory_urls = *b;
    }
    for (key, slot) in [("repo_url", &mut config.repo_url), ("edit_uri", &mut config.edit_uri)] {
        let Some(node) = root.get(key) else { continue };
        let Some(value) = node.as_str() else { continue };
        match crate::urls::check(value) {
            Ok(()) => *slot = Some(value.to_owned()),
            Err(scheme) => config.refused.push((node.pos, crate::urls::refused(&format!("`{key}`"), value, &scheme))),
        }
    }
    config.nav = root.get("nav").cloned();
    config.extensions = extensions(&root, text);
    Ok(config)
}

/// A page's URL relative to the site, from its path relative to the docs directory:
/// `index.md` -> ``, `a.md` -> `a/`, `d/index.md` -> `d/` (or `a.html`, `d/index.html` without
/// directory URLs). `README.md` counts as `index.md`.
pub fn page_url(src: &str, use_directory_urls: bool) -> String {
    let (dir, file) = match src.rfind('/') {
        Some(i) => (&src[..=i], &src[i + 1..]),
        None => ("", src),
    };
    let stem = file.strip_suffix(".md").or_else(|| file.strip_suffix(".markdown")).unwrap_or(file);
    let is_index = stem == "index" || stem == "README";
    match (use_directory_urls, is_index) {
        (true, true) => dir.to_owned(),
        (true, false) => format!("{dir}{stem}/"),
        (false, true) => format!("{dir}index.html"),
        (false, false) => format!("{dir}{stem}.html"),
    }
}

/// MkDocs' `dirname_to_title` (also used for file names): dashes and underscores to spaces,
/// capitalised when all lower-case.
pub fn name_to_title(name: &str) -> String {
    let title = name.replace(['-', '_'], " ");
    if title.to_lowercase() == title {
        let mut c = title.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => title,
        }
    } else {
        title
    }
}

/// An entry of the navigation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavItem {
    /// A page of the site, by its path relative to the docs directory; `title` when the nav
    /// names one (else the page's own title is used).
    Page {
        title: Option<String>,
        src: String,
    },
    /// An external link.
    Link {
        title: String,
        url: String,
    },
    Section {
        title: String,
        children: Vec<NavItem>,
    },
}

/// An `!include` of a sub-site (mkdocs-monorepo-plugin) found in `nav`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Include {
    /// Path of the sub-site's mkdocs.yml, relative to the including mkdocs.yml's directory.
    pub path: String,
    pub pos: Pos,
}

/// Loads an `!include`d sub-site: its alias (URL prefix) and navigation.
pub type IncludeSite<'a> = dyn FnMut(&Include) -> Option<(String, Vec<NavItem>)> + 'a;

/// A nav entry that names no page of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavProblem {
    pub pos: Pos,
    pub message: String,
}

/// Builds the navigation from `nav`. `include` is called for each `!include` and returns the
/// sub-site's alias (URL prefix) and its own navigation.
pub fn nav_from_config(
    nav: &Node,
    has_page: &dyn Fn(&str) -> bool,
    include: &mut IncludeSite,
    problems: &mut Vec<NavProblem>,
) -> Vec<NavItem> {
    let Some(items) = nav.as_seq() else {
        problems.push(NavProblem { pos: nav.pos, message: "`nav` must be a list".into() });
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match &item.value {
            Value::Str(s) => out.extend(nav_leaf(None, s, item.pos, has_page, include, problems)),
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                match &value.value {
                    Value::Seq(_) => out.push(NavItem::Section {
                        title: key.name.clone(),
                        children: nav_from_config(value, has_page, include, problems),
                    }),
                    Value::Str(s) => out.extend(nav_leaf(Some(&key.name), s, value.pos, has_page, include, problems)),
                    _ => problems.push(NavProblem {
                        pos: value.pos,
                        message: format!("nav entry `{}` must be a page path, a URL or a list", key.name),
                    }),
                }
            }
            _ => problems.push(NavProblem {
                pos: item.pos,
                message: "a nav entry is a page path, `Title: path` or `Section: [...]`".into(),
            }),
        }
    }
    out
}

fn nav_leaf(
    title: Option<&str>,
    target: &str,
    pos: Pos,
    has_page: &dyn Fn(&str) -> bool,
    include: &mut IncludeSite,
    problems: &mut Vec<NavProblem>,
) -> Option<NavItem> {
    let target = target.trim();
    if let Some(path) = target.strip_prefix("!include") {
        let inc = Include { path: path.trim().to_owned(), pos };
        let (alias, children) = include(&inc)?;
        return Some(NavItem::Section { title: title.map_or(alias, str::to_owned), children });
    }
    if crate::urls::scheme(target).is_some() {
        if let Err(scheme) = crate::urls::check(target) {
            problems.push(NavProblem { pos, message: crate::urls::refused("nav link", target, &scheme) });
            return None;
        }
        return Some(NavItem::Link { title: title.unwrap_or(target).to_owned(), url: target.to_owned() });
    }
    let src = target.trim_start_matches("./").to_owned();
    if !has_page(&src) {
        problems
            .push(NavProblem { pos, message: format!("nav names `{src}`, which is not a page of the docs directory") });
        return None;
    }
    Some(NavItem::Page { title: title.map(str::to_owned), src })
}

/// MkDocs' navigation when `nav` is absent, from page paths relative to the docs directory.
pub fn default_nav(pages: &[String]) -> Vec<NavItem> {
    let mut sorted: Vec<&String> = pages.iter().collect();
    sorted.sort_by_key(|p| sort_key(p));
    let mut root: Vec<NavItem> = Vec::new();
    for src in sorted {
        let parts: Vec<&str> = src.split('/').collect();
        let mut level = &mut root;
        for dir in &parts[..parts.len() - 1] {
            let title = name_to_title(dir);
            let idx = level.iter().position(|n| matches!(n, NavItem::Section { title: t, .. } if *t == title));
            let idx = match idx {
                Some(i) => i,
                None => {
                    level.push(NavItem::Section { title, children: Vec::new() });
                    level.len() - 1
                }
            };
            level = match &mut level[idx] {
                NavItem::Section { children, .. } => children,
                _ => unreachable!("position() matched a section"),
            };
        }
        level.push(NavItem::Page { title: None, src: src.clone() });
    }
    root
}

/// `file_sort_key` of MkDocs: directory parts, index before others, then the file name.
fn sort_key(src: &str) -> (Vec<String>, bool, String) {
    let parts: Vec<&str> = src.split('/').collect();
    let (dirs, file) = parts.split_at(parts.len() - 1);
    let stem = file[0].strip_suffix(".md").unwrap_or(file[0]);
    (dirs.iter().map(|s| s.to_string()).collect(), !(stem == "index" || stem == "README"), file[0].to_owned())
}

/// Pages of a navigation tree in reading order (for previous/next links).
pub fn flatten<'a>(nav: &'a [NavItem], out: &mut Vec<&'a str>) {
    for item in nav {
        match item {
            NavItem::Page { src, .. } => out.push(src),
            NavItem::Section { children, .. } => flatten(children, out),
            NavItem::Link { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_like_mkdocs() {
        let cases = [
            ("index.md", true, ""),
            ("README.md", true, ""),
            ("setup.md", true, "setup/"),
            ("guide/index.md", true, "guide/"),
            ("guide/run-book.md", true, "guide/run-book/"),
            ("index.md", false, "index.html"),
            ("guide/a.md", false, "guide/a.html"),
        ];
        for (src, dir_urls, want) in cases {
            assert_eq!(page_url(src, dir_urls), want, "{src}");
        }
    }

    #[test]
    fn titles_from_names() {
        assert_eq!(name_to_title("getting-started"), "Getting started");
        assert_eq!(name_to_title("API_reference"), "API reference");
    }

    #[test]
    fn default_nav_puts_index_first_and_nests_directories() {
        let pages: Vec<String> =
            ["b.md", "index.md", "guide/z.md", "guide/index.md", "a.md"].iter().map(|s| s.to_string()).collect();
        let nav = default_nav(&pages);
        let mut order = Vec::new();
        flatten(&nav, &mut order);
        assert_eq!(order, ["index.md", "a.md", "b.md", "guide/index.md", "guide/z.md"]);
        assert!(matches!(&nav[3], NavItem::Section { title, .. } if title == "Guide"));
    }

    #[test]
    fn config_tolerates_custom_tags_and_defaults() {
        let c = parse_config("site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\nextra:\n  k: !ENV [HOME, x]\n").unwrap();
        assert_eq!(c.site_name.as_deref(), Some("x"));
        assert_eq!(c.docs_dir, "docs");
        assert!(c.use_directory_urls);
        // Material's emoji index, named by a `!!python/name:` tag.
        assert_eq!(c.extensions, Extensions { icons: true, ..Extensions::default() });
    }

    #[test]
    fn markdown_extensions_settings_are_read() {
        let c = parse_config(
            "markdown_extensions:\n  - admonition\n  - pymdownx.highlight:\n      linenums: false\n      anchor_linenums: true\n  - pymdownx.keys\n  - markdown.extensions.smarty\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n  - some.unknown.extension:\n      x: 1\n",
        )
        .unwrap();
        assert_eq!(c.extensions, Extensions { linenums: false, keys: true, smarty: true, icons: true });
        let defaults = parse_config("markdown_extensions:\n  - pymdownx.emoji\n# emoji_index: !!python/name:material.extensions.emoji.twemoji\n").unwrap();
        assert_eq!(defaults.extensions, Extensions::default());
    }

    #[test]
    fn nav_with_sections_links_and_missing_pages() {
        let (docs, _) = yaml::parse_documents(
            "- index.md\n- Guide:\n    - Setup: setup.md\n    - Missing: nope.md\n- GitHub: https://github.com/x\n",
        );
        let mut problems = Vec::new();
        let nav = nav_from_config(&docs[0].root, &|p| p == "index.md" || p == "setup.md", &mut |_| None, &mut problems);
        assert_eq!(nav.len(), 3);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pos, Pos::new(4, 16));
    }
}
