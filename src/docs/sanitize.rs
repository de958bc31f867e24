//! Sanitising rendered docs HTML with ammonia: raw HTML in Markdown may not bring scripts,
//! event handlers, `javascript:` URLs, forms or frames into the portal. What Portico itself
//! generates (admonitions, tabs, highlighted code, heading permalinks, task lists, footnotes,
//! mermaid blocks) passes. `docs.allow_raw_html: true` in portico.yaml skips this for trusted
//! repositories.

use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags([
        "details",
        "summary",
        "mark",
        "ins",
        "abbr",
        "input",
        "label",
        "figure",
        "figcaption",
        "kbd",
        "section",
        "dl",
        "dt",
        "dd",
        "sub",
        "sup",
        "del",
        "s",
        "span",
        "div",
        "pre",
        "code",
        "time",
    ]);
    b.add_generic_attributes(["class", "id", "title", "data-lang", "data-linenos", "data-tabs", "align", "lang"]);
    b.add_tag_attributes("input", ["type", "name", "checked", "disabled"]);
    b.add_tag_attributes("label", ["for"]);
    b.add_tag_attributes("details", ["open"]);
    b.add_tag_attributes("img", ["loading", "width", "height", "alt", "src"]);
    // `<a name>` anchors (terraform-docs, hand-written HTML) stay link targets.
    b.add_tag_attributes("a", ["href", "target", "name"]);
    b.add_tag_attributes("th", ["style"]);
    b.add_tag_attributes("td", ["style"]);
    b.add_tag_attributes("ol", ["start"]);
    b.add_tag_attributes("time", ["datetime"]);
    // Relative URLs are the norm in docs; schemes are limited to safe ones.
    // The URL policy of `crate::urls`.
    b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
    b.link_rel(Some("noopener"));
    b.id_prefix(None);
    b.strip_comments(true);
    b
});

/// Returns `html` with everything unsafe removed.
pub fn clean(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="x()">hi<script>alert(1)</script><a href="javascript:alert(1)">a</a><iframe src="https://x"></iframe><img src=x onerror=alert(1)></p>"#;
        let out = clean(dirty);
        for bad in ["script", "onclick", "javascript:", "iframe", "onerror"] {
            assert!(!out.contains(bad), "{bad} survived: {out}");
        }
        assert!(out.contains("<p>hi"));
    }

    #[test]
    fn generated_markup_survives() {
        let ours = r##"<div class="admonition note"><p class="admonition-title">Note</p></div><details class="admonition tip" open><summary>T</summary></details><div class="tabbed-set" data-tabs="1"><div class="tabbed-block"><input type="radio" name="__tabbed_1" id="__tabbed_1_1" checked><label for="__tabbed_1_1">Go</label></div></div><h2 id="a-b">A<a class="headerlink" href="#a-b" title="Permanent link">¶</a></h2><span class="hl-keyword">fn</span><mark>m</mark><ins>i</ins><abbr title="x">X</abbr>"##;
        let out = clean(ours);
        for keep in [
            "class=\"admonition note\"",
            "<details",
            "open",
            "type=\"radio\"",
            "checked",
            "for=\"__tabbed_1_1\"",
            "id=\"a-b\"",
            "href=\"#a-b\"",
            "hl-keyword",
            "<mark>",
            "<ins>",
            "<abbr title=\"x\">",
        ] {
            assert!(out.contains(keep), "{keep} lost: {out}");
        }
    }
}
