//! Files static hosts expect: the sitemaps, `robots.txt` and `.nojekyll` (GitHub Pages would
//! otherwise skip files and directories starting with `_`). `404.html` is a template page.
//!
//! Input: the HTML pages of the site and the configured base URL. Output: file contents.
//! Sitemap URLs are absolute when `base_url` names a host (as the protocol requires), else
//! root-relative paths under the base path.
//!
//! `sitemap.xml` is always a sitemap index (sitemaps.org protocol 0.9) listing `sitemap-1.xml`,
//! `sitemap-2.xml`, ...: each a `<urlset>` of at most [`MAX_URLS`] URLs and [`MAX_BYTES`] bytes,
//! the protocol's limits. One shape for every site, so the file robots.txt names never changes
//! kind when a catalog grows past the limit, and the split is exercised by every build.

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

/// URLs per sitemap file, and its size in bytes (uncompressed): the protocol's limits.
pub const MAX_URLS: usize = 50_000;
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const URLSET_OPEN: &str = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// `sitemap.xml` (the index) and `sitemap-<n>.xml` listing every page but `404.html` and the
/// search page, which has no content of its own (paths of `index.html` files become directory
/// URLs).
pub fn sitemaps<'a>(config: &Config, pages: impl Iterator<Item = &'a str>) -> Vec<(String, Vec<u8>)> {
    split_sitemaps(&url_prefix(config), pages, MAX_URLS, MAX_BYTES)
}

/// [`sitemaps`] with the limits as parameters (for tests).
fn split_sitemaps<'a>(
    prefix: &str,
    pages: impl Iterator<Item = &'a str>,
    max_urls: usize,
    max_bytes: usize,
) -> Vec<(String, Vec<u8>)> {
    let frame = XML_DECL.len() + URLSET_OPEN.len() + URLSET_CLOSE.len();
    let mut files: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut urls = 0;
    for path in pages.filter(|p| *p != "404.html" && *p != "search/index.html") {
        let loc = path.strip_suffix("index.html").unwrap_or(path);
        let entry = format!("  <url><loc>{}</loc></url>\n", xml_escape(&format!("{prefix}{loc}")));
        if urls > 0 && (urls == max_urls || frame + current.len() + entry.len() > max_bytes) {
            files.push(std::mem::take(&mut current));
            urls = 0;
        }
        current.push_str(&entry);
        urls += 1;
    }
    if urls > 0 || files.is_empty() {
        files.push(current);
    }
    let mut index = format!("{XML_DECL}<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut out = Vec::with_capacity(files.len() + 1);
    for (i, body) in files.into_iter().enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        let _ = writeln!(index, "  <sitemap><loc>{}</loc></sitemap>", xml_escape(&format!("{prefix}{name}")));
        out.push((name, format!("{XML_DECL}{URLSET_OPEN}{body}{URLSET_CLOSE}").into_bytes()));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, ("sitemap.xml".to_owned(), index.into_bytes()));
    out
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

    fn text(files: &[(String, Vec<u8>)], name: &str) -> String {
        String::from_utf8(files.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1.clone())
            .unwrap()
    }

    /// `<loc>` values of an XML file, in order.
    fn locs(xml: &str) -> Vec<&str> {
        xml.split("<loc>").skip(1).map(|s| s.split("</loc>").next().unwrap()).collect()
    }

    #[test]
    fn sitemap_urls_are_absolute_when_the_host_is_known() {
        let c = config("https://acme.github.io/portal");
        let files = sitemaps(&c, ["index.html", "catalog/a/index.html", "404.html"].into_iter());
        assert_eq!(locs(&text(&files, "sitemap.xml")), ["https://acme.github.io/portal/sitemap-1.xml"]);
        let xml = text(&files, "sitemap-1.xml");
        assert_eq!(locs(&xml), ["https://acme.github.io/portal/", "https://acme.github.io/portal/catalog/a/"]);
        assert!(!xml.contains("404"));
        let r = String::from_utf8(robots(&c)).unwrap();
        assert!(r.ends_with("Sitemap: https://acme.github.io/portal/sitemap.xml\n"));
    }

    #[test]
    fn without_a_host_paths_are_root_relative() {
        let c = config("/docs/");
        let files = sitemaps(&c, ["a/index.html"].into_iter());
        assert_eq!(locs(&text(&files, "sitemap.xml")), ["/docs/sitemap-1.xml"]);
        assert_eq!(locs(&text(&files, "sitemap-1.xml")), ["/docs/a/"]);
    }

    #[test]
    fn sitemaps_split_at_the_url_and_byte_limits_and_the_index_lists_them_all() {
        let pages: Vec<String> = (0..7).map(|i| format!("p{i}/index.html")).collect();
        let entry = "  <url><loc>/p0/</loc></url>\n".len();
        let frame = XML_DECL.len() + URLSET_OPEN.len() + URLSET_CLOSE.len();
        // (max URLs, max bytes) -> URLs per file
        let cases: [(usize, usize, &[usize]); 5] = [
            (3, MAX_BYTES, &[3, 3, 1]),
            (7, MAX_BYTES, &[7]),
            (100, MAX_BYTES, &[7]),
            (100, frame + 2 * entry, &[2, 2, 2, 1]),
            // A URL longer than the byte limit still gets a file of its own.
            (100, 1, &[1, 1, 1, 1, 1, 1, 1]),
        ];
        for (max_urls, max_bytes, want) in cases {
            let files = split_sitemaps("/", pages.iter().map(String::as_str), max_urls, max_bytes);
            let index = String::from_utf8(files[0].1.clone()).unwrap();
            assert_eq!(files[0].0, "sitemap.xml");
            assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
            let names: Vec<String> = (1..=want.len()).map(|i| format!("/sitemap-{i}.xml")).collect();
            assert_eq!(locs(&index), names, "{max_urls} URLs, {max_bytes} bytes");
            let sizes: Vec<usize> =
                files[1..].iter().map(|(_, b)| locs(std::str::from_utf8(b).unwrap()).len()).collect();
            assert_eq!(sizes, want, "{max_urls} URLs, {max_bytes} bytes");
            let all: Vec<String> = files[1..]
                .iter()
                .flat_map(|(_, b)| {
                    locs(std::str::from_utf8(b).unwrap()).into_iter().map(str::to_owned).collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(all, (0..7).map(|i| format!("/p{i}/")).collect::<Vec<_>>());
            if max_bytes > 1 {
                assert!(files[1..].iter().all(|(_, b)| b.len() <= max_bytes));
            }
        }
        // No pages: an index with one empty urlset, still valid.
        let files = split_sitemaps("/", std::iter::empty(), 3, MAX_BYTES);
        assert_eq!(files.len(), 2);
        assert!(
            String::from_utf8(files[1].1.clone())
                .unwrap()
                .ends_with("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n</urlset>\n")
        );
    }

    #[test]
    fn special_characters_in_urls_are_escaped() {
        let files = split_sitemaps("https://h/?a=1&b=2/", ["x'y/index.html"].into_iter(), MAX_URLS, MAX_BYTES);
        assert_eq!(locs(&text(&files, "sitemap-1.xml")), ["https://h/?a=1&amp;b=2/x&apos;y/"]);
    }
}
