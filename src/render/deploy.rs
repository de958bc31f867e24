//! Files static hosts expect: `sitemap.xml`, `robots.txt` and `.nojekyll` (GitHub Pages would
//! otherwise skip files and directories starting with `_`). `404.html` is a template page.
//!
//! Input: the HTML pages of the site and the configured base URL. Output: file contents.
//! Sitemap URLs are absolute when `base_url` names a host (as the protocol requires), else
//! root-relative paths under the base path.

use std::fmt::Write as _;

use crate::config::Config;

/// The public URL prefix of every page: `https://host/base/` or `/base/`.
pub fn url_prefix(config: &Config) -> String {
    match url::Url::parse(&config.base_url) {
        Ok(u) if u.has_host() => {
            let origin = u.origin().ascii_serialization();
            format!("{origin}{}", config.base_path)
        }
        _ => config.base_path.clone(),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// `sitemap.xml` listing every page (paths of `index.html` files become directory URLs).
pub fn sitemap<'a>(config: &Config, pages: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let prefix = url_prefix(config);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in pages {
        if path == "404.html" {
            continue;
        }
        let loc = path.strip_suffix("index.html").unwrap_or(path);
        let _ = writeln!(out, "  <url><loc>{}</loc></url>", xml_escape(&format!("{prefix}{loc}")));
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

pub fn robots(config: &Config) -> Vec<u8> {
    format!("User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n", url_prefix(config)).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let overrides = crate::config::Overrides { base_url: Some(base_url.into()), ..Default::default() };
        Config::load(dir.path(), &overrides).unwrap()
    }

    #[test]
    fn sitemap_urls_are_absolute_when_the_host_is_known() {
        let c = config("https://acme.github.io/portal");
        let xml =
            String::from_utf8(sitemap(&c, ["index.html", "catalog/a/index.html", "404.html"].into_iter())).unwrap();
        assert!(xml.contains("<loc>https://acme.github.io/portal/</loc>"));
        assert!(xml.contains("<loc>https://acme.github.io/portal/catalog/a/</loc>"));
        assert!(!xml.contains("404"));
        let r = String::from_utf8(robots(&c)).unwrap();
        assert!(r.ends_with("Sitemap: https://acme.github.io/portal/sitemap.xml\n"));
    }

    #[test]
    fn without_a_host_paths_are_root_relative() {
        let c = config("/docs/");
        let xml = String::from_utf8(sitemap(&c, ["a/index.html"].into_iter())).unwrap();
        assert!(xml.contains("<loc>/docs/a/</loc>"));
    }
}
