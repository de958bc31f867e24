//! Rendering one docs page: its Markdown (with snippets) through [`super::preprocess`] and
//! [`super::markdown`], its front matter, its title as MkDocs gives it, and the sanitiser.
//! Rendered pages are cached by their inputs for `serve`.

use std::sync::Arc;

use super::links::LinkContext;
use super::mkdocs::{self, NavItem};
use super::site::Plan;
use super::{DocPage, PageKey, markdown, preprocess, sanitize};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Pos};
use crate::discover::Inventory;
use crate::packed::Packed;

/// Front matter fields TechDocs pages use.
#[derive(Default)]
struct FrontMatter {
    title: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
}

fn front_matter(text: &str, first_line: u32, file: &str, diags: &mut Vec<Diagnostic>) -> FrontMatter {
    let (mut docs, errors) = crate::yaml::parse_documents(text);
    if let Some(e) = errors.first() {
        // Positions inside the front matter are shifted to the page's own lines.
        let pos = e.pos.map(|p| Pos::new(p.line + first_line - 1, p.column));
        diags.push(
            Diagnostic::error("invalid-front-matter", format!("invalid front matter: {}", e.message)).at(file, pos),
        );
        return FrontMatter::default();
    }
    let Some(doc) = docs.pop() else { return FrontMatter::default() };
    let get = |k: &str| doc.root.get(k).and_then(crate::yaml::Node::as_str).map(str::to_owned);
    let tags = doc
        .root
        .get("tags")
        .and_then(crate::yaml::Node::as_seq)
        .map(|s| s.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    FrontMatter { title: get("title"), description: get("description"), tags }
}

/// Everything a page's rendering reads besides its own text and snippets: every site's pages,
/// assets, URLs and navigation, the inventory (links to files) and the configuration.
pub(super) fn link_context_key(config: &Config, inventory: &Inventory, plans: &[Plan]) -> crate::cache::Key {
    let mut h = blake3::Hasher::new();
    for part in [
        config.base_path.as_str(),
        config.source_url.as_deref().unwrap_or(""),
        if config.docs_allow_raw_html { "1" } else { "0" },
    ] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
    for f in &inventory.files {
        h.update(f.as_bytes());
        h.update(b"\n");
    }
    for p in plans {
        h.update(
            format!(
                "{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}\n",
                p.entity,
                p.url_base,
                p.mkdocs.use_directory_urls,
                p.mkdocs.extensions,
                p.pages,
                p.assets,
                p.nav,
                p.snippet_dirs
            )
            .as_bytes(),
        );
    }
    h.finalize()
}

pub(super) fn render_page_cached(
    ctx: &LinkContext,
    key: PageKey,
    cache: &crate::cache::BuildCache,
    link_key: crate::cache::Key,
) -> (Arc<DocPage>, Vec<Diagnostic>) {
    let plan = &ctx.plans[key.0];
    let (src, file) = &plan.pages[key.1];
    let text = crate::input::read(&ctx.config.root.join(file), ctx.config.limits.file).unwrap_or_default();
    let page_key = crate::cache::key(&[&text, link_key.as_bytes(), src.as_bytes(), plan.url_base.as_bytes()]);
    let slot = (plan.url_base.clone(), file.clone());
    if let Some(hit) = cache.docs.lock().expect("cache lock").get(&slot) {
        let fresh = hit.key == page_key
            && hit.snippets.iter().all(|(f, k)| crate::cache::BuildCache::file_key(&ctx.config.root, f) == *k);
        if fresh {
            return (hit.page.clone(), hit.diags.clone());
        }
    }
    let (page, diags, snippets) = render_page(ctx, key);
    let page = Arc::new(page);
    // A missing snippet may appear later: such pages are not cached.
    if !diags.iter().any(|d| d.code == "snippet-missing" || d.code == "unreadable-file") {
        let snippets =
            snippets.iter().map(|f| (f.clone(), crate::cache::BuildCache::file_key(&ctx.config.root, f))).collect();
        let entry = crate::cache::DocsPage { key: page_key, snippets, page: page.clone(), diags: diags.clone() };
        cache.docs.lock().expect("cache lock").insert(slot, entry);
    }
    (page, diags)
}

pub(super) fn render_page(ctx: &LinkContext, key: PageKey) -> (DocPage, Vec<Diagnostic>, Vec<String>) {
    let (s, p) = key;
    let plan = &ctx.plans[s];
    let (src, file) = &plan.pages[p];
    let mut diags = Vec::new();
    let text = match crate::input::read_to_string(&ctx.config.root.join(file), ctx.config.limits.file) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error("unreadable-file", format!("cannot read docs page: {e}")).at(file, None));
            String::new()
        }
    };
    // Snippets resolve from the (sub-)site's project directory, as pymdownx.snippets' default
    // `base_path: .` does when MkDocs runs there (TechDocs runs it there).
    let (project, _docs_dir) = plan
        .snippet_dirs
        .iter()
        .filter(|(proj, _)| proj.is_empty() || file.starts_with(&format!("{proj}/")))
        .max_by_key(|(proj, _)| proj.len())
        .cloned()
        .unwrap_or_default();
    let bases = [project.clone()];
    let scope = preprocess::SnippetScope {
        root: &ctx.config.root,
        bases: &bases,
        boundary: &project,
        page: file,
        limit: ctx.config.limits.file,
    };
    let pre = preprocess::preprocess(&text, &scope);
    for (pos, code, message) in &pre.problems {
        diags.push(Diagnostic::warning(code, message.clone()).at(file, Some(*pos)));
    }
    let fm = match &pre.front_matter {
        Some((yaml, line)) => front_matter(yaml, *line, file, &mut diags),
        None => FrontMatter::default(),
    };
    let resolve = |dest: &str, _image: bool| ctx.resolve(key, file, dest);
    let rendered = markdown::render(&pre, plan.mkdocs.extensions, &resolve);
    for pr in &rendered.problems {
        diags.push(Diagnostic::new(pr.severity, pr.code, pr.message.clone()).at(file, Some(pr.pos)));
    }
    // MkDocs 1.6 `Page.title`: the nav's title, front matter, a leading h1, else from the name.
    let homepage = matches!(src.as_str(), "index.md" | "README.md") && !in_section(&plan.nav, src);
    let title = nav_title(&plan.nav, src)
        .or(fm.title)
        .or(rendered.title.clone())
        .unwrap_or_else(|| default_title(src, homepage));
    // Portico's own output escapes all text and filters URL schemes; only pages with their
    // author's raw HTML need the (costly) sanitiser.
    let html =
        if pre.raw_html && !ctx.config.docs_allow_raw_html { sanitize::clean(&rendered.html) } else { rendered.html };
    let page = DocPage {
        src: src.clone(),
        file: file.clone(),
        url: mkdocs::page_url(src, plan.mkdocs.use_directory_urls),
        title,
        description: fm.description,
        tags: fm.tags,
        html_key: blake3::hash(html.as_bytes()),
        has_h1: html.contains("<h1"),
        body: Packed::new(&html),
        headings: rendered.headings,
        ids: rendered.ids,
        mermaid: rendered.mermaid,
        anchors: rendered.anchors,
    };
    (page, diags, pre.snippets)
}

fn nav_title(nav: &[NavItem], src: &str) -> Option<String> {
    nav.iter().find_map(|item| match item {
        NavItem::Page { title, src: s } if s == src => title.clone(),
        NavItem::Section { children, .. } => nav_title(children, src),
        _ => None,
    })
}

/// Whether the nav lists `src` inside a section (MkDocs: the page has a parent).
fn in_section(nav: &[NavItem], src: &str) -> bool {
    nav.iter().any(|item| match item {
        NavItem::Section { children, .. } => {
            children.iter().any(|c| matches!(c, NavItem::Page { src: s, .. } if s == src)) || in_section(children, src)
        }
        _ => false,
    })
}

/// MkDocs' title for a page without a nav title, front matter title or leading h1: "Home" for
/// the site's home page, else the file's name (`index` for `index.md` and `README.md`, also in
/// a sub-directory) with dashes and underscores as spaces, capitalised when all lower-case.
fn default_title(src: &str, homepage: bool) -> String {
    if homepage {
        return "Home".to_owned();
    }
    let file = src.rsplit('/').next().unwrap_or(src);
    let stem = file.strip_suffix(".md").or_else(|| file.strip_suffix(".markdown")).unwrap_or(file);
    mkdocs::name_to_title(if stem == "README" { "index" } else { stem })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_titles() {
        assert_eq!(default_title("index.md", true), "Home");
        // MkDocs 1.6 names every other index page after its file, not its directory.
        assert_eq!(default_title("guide/index.md", false), "Index");
        assert_eq!(default_title("guide/README.md", false), "Index");
        assert_eq!(default_title("index.md", false), "Index");
        assert_eq!(default_title("run-book.md", false), "Run book");
        assert_eq!(default_title("on_call/API_keys.md", false), "API keys");
    }

    #[test]
    fn pages_in_nav_sections_are_not_the_home_page() {
        let page = |src: &str| NavItem::Page { title: None, src: src.to_owned() };
        let nav = vec![page("a.md"), NavItem::Section { title: "S".into(), children: vec![page("index.md")] }];
        assert!(in_section(&nav, "index.md"));
        assert!(!in_section(&nav, "a.md"));
        assert!(!in_section(&nav, "missing.md"));
    }
}
