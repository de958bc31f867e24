//! The URL policy: what may become an `href` or `src` in a page.
//!
//! Input: a URL as a user wrote it (an entity link, an annotation, a Markdown link, an mkdocs
//! `repo_url`). Output: whether a browser following it would stay a plain navigation. Allowed:
//! `http`, `https`, `mailto`, `tel` and relative URLs (paths, `#fragments`, `?queries`,
//! `//host/` protocol-relative ones). Everything else (`javascript:`, `data:`, `vbscript:`,
//! `file:`, unknown schemes) is refused. The scheme is read as browsers read it (WHATWG URL):
//! leading C0 controls and spaces are skipped, tabs and newlines anywhere are ignored, case does
//! not matter, so `  JaVa\tScRiPt:alert(1)` is `javascript:`.

/// Schemes that only navigate.
const ALLOWED: [&str; 4] = ["http", "https", "mailto", "tel"];

/// The scheme of `url` as a browser reads it, lower-case; `None` for a relative URL.
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let end = cleaned.find(':')?;
    let candidate = &cleaned[..end];
    let mut chars = candidate.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_with_letter && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| candidate.to_ascii_lowercase())
}

/// Whether `url` may be written as an `href`/`src`. `Err` names the refused scheme.
pub fn check(url: &str) -> Result<(), String> {
    match scheme(url) {
        None => Ok(()),
        Some(s) if ALLOWED.contains(&s.as_str()) => Ok(()),
        Some(s) => Err(s),
    }
}

/// Whether `url` may be written as an `href`/`src`.
pub fn is_safe(url: &str) -> bool {
    check(url).is_ok()
}

/// Whether `url` is an `http` or `https` URL.
pub fn is_web(url: &str) -> bool {
    scheme(url).is_some_and(|s| s == "http" || s == "https")
}

/// The URL a well-known annotation that Portico shows as a link holds, as written.
pub fn annotation_url(key: &str, value: &str) -> Option<String> {
    let v = value.trim();
    match key {
        "backstage.io/source-location" => v.strip_prefix("url:").map(str::to_owned),
        "backstage.io/view-url" | "backstage.io/edit-url" | "lighthouse.com/website-url" => Some(v.to_owned()),
        _ => None,
    }
}

/// The warning's message for a refused URL.
pub fn refused(what: &str, url: &str, scheme: &str) -> String {
    let shown: String = url.chars().filter(|c| !c.is_control()).take(60).collect();
    format!(
        "{what} `{shown}` uses the `{scheme}:` scheme, which can run code in the reader's browser: it is shown as text, not as a link"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_as_browsers_read_them() {
        for ok in [
            "https://example.com/x",
            "HTTP://EXAMPLE.COM",
            "mailto:team@acme.com",
            "tel:+15555550100",
            "/catalog/",
            "../docs/index.md",
            "#install",
            "?q=1",
            "//cdn.example.com/x.png",
            "page.md",
            "a/b:c",
            "./x:y",
            "",
        ] {
            assert!(is_safe(ok), "{ok:?}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "\u{0}\u{1f}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "jav\r\nascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:image/svg+xml;base64,PHN2Zz4=",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "blob:https://x/y",
            "custom-app:open",
        ] {
            assert!(!is_safe(bad), "{bad:?}");
        }
        assert_eq!(check("\tJAVASCRIPT:x"), Err("javascript".to_owned()));
    }
}
