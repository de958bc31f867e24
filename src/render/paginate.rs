//! Static pagination, as Hugo and Zola do it: a long list becomes `<base>` (page 1),
//! `<base>page/2/`, `<base>page/3/`, ... with links between them that work without JavaScript.
//!
//! Input: the list, its base URL (relative to the site's base path, ending in `/`) and the page
//! size. Output: one [`Pager`] per page with the slice it shows. A list that fits on one page
//! gives exactly one page at `<base>`; an empty list gives one empty page (the template says
//! "none"), so every index page exists whatever the catalog holds.

use serde::Serialize;

/// Where a page stands in its list: the `pager` of every paginated template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pager {
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// Items in the whole list.
    pub total: usize,
    /// 1-based positions of the first and last item of this page (0 and 0 when empty).
    pub start: usize,
    pub end: usize,
    /// URLs relative to the site's base path.
    pub url: String,
    pub first_url: String,
    pub last_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// Page links around this one (first, last and two either side), in order; a gap is an
    /// entry without `number`.
    pub window: Vec<PageLink>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PageLink {
    /// None for a gap ("…").
    pub number: Option<usize>,
    pub url: String,
    pub current: bool,
}

/// URL of page `page` (1-based) of the list at `base`.
pub fn page_url(base: &str, page: usize) -> String {
    if page <= 1 { base.to_owned() } else { format!("{base}page/{page}/") }
}

/// The page that shows item `index` (0-based).
pub fn page_of(index: usize, per_page: usize) -> usize {
    index / per_page.max(1) + 1
}

/// Output path of a page URL (`apis/page/2/` -> `apis/page/2/index.html`).
pub fn path_of(url: &str) -> String {
    format!("{url}index.html")
}

/// Splits `items` into pages of `per_page` (at least 1).
pub fn paginate<T>(base: &str, items: Vec<T>, per_page: usize) -> Vec<(Pager, Vec<T>)> {
    let per_page = per_page.max(1);
    let total = items.len();
    let pages = total.div_ceil(per_page).max(1);
    let mut out = Vec::with_capacity(pages);
    let mut items = items.into_iter();
    for page in 1..=pages {
        let slice: Vec<T> = items.by_ref().take(per_page).collect();
        let start = if slice.is_empty() { 0 } else { (page - 1) * per_page + 1 };
        let end = if slice.is_empty() { 0 } else { start + slice.len() - 1 };
        out.push((pager(base, page, pages, total, start, end), slice));
    }
    out
}

/// The [`Pager`] of page `page` of `pages`.
pub fn pager(base: &str, page: usize, pages: usize, total: usize, start: usize, end: usize) -> Pager {
    let mut window = Vec::new();
    let mut last_shown = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(page) <= 2 {
            if n > last_shown + 1 {
                window.push(PageLink { number: None, url: String::new(), current: false });
            }
            window.push(PageLink { number: Some(n), url: page_url(base, n), current: n == page });
            last_shown = n;
        }
    }
    Pager {
        page,
        pages,
        total,
        start,
        end,
        url: page_url(base, page),
        first_url: page_url(base, 1),
        last_url: page_url(base, pages),
        prev_url: (page > 1).then(|| page_url(base, page - 1)),
        next_url: (page < pages).then(|| page_url(base, page + 1)),
        window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(p: &Pager) -> Vec<String> {
        p.window.iter().map(|l| l.number.map_or("…".into(), |n| n.to_string())).collect()
    }

    #[test]
    fn lists_split_into_pages_with_links_between_them() {
        // (items, per page) -> pages, (start, end) of the last page
        let cases = [
            (0, 10, 1, (0, 0)),
            (1, 10, 1, (1, 1)),
            (10, 10, 1, (1, 10)),
            (11, 10, 2, (11, 11)),
            (25, 10, 3, (21, 25)),
        ];
        for (n, per, pages, last) in cases {
            let out = paginate("apis/", (0..n).collect(), per);
            assert_eq!(out.len(), pages, "{n} items by {per}");
            let (p, items) = out.last().unwrap();
            assert_eq!((p.start, p.end), last, "{n} items by {per}");
            assert_eq!(items.len(), if n == 0 { 0 } else { p.end - p.start + 1 });
            assert_eq!(out.iter().map(|(_, i)| i.len()).sum::<usize>(), n);
        }
        let out = paginate("apis/", (0..25).collect::<Vec<_>>(), 10);
        let (first, second, third) = (&out[0].0, &out[1].0, &out[2].0);
        assert_eq!(
            (first.url.as_str(), first.prev_url.as_deref(), first.next_url.as_deref()),
            ("apis/", None, Some("apis/page/2/"))
        );
        assert_eq!((second.prev_url.as_deref(), second.next_url.as_deref()), (Some("apis/"), Some("apis/page/3/")));
        assert_eq!(
            (third.url.as_str(), third.next_url.as_deref(), third.last_url.as_str()),
            ("apis/page/3/", None, "apis/page/3/")
        );
        assert_eq!(path_of(&third.url), "apis/page/3/index.html");
    }

    #[test]
    fn the_window_shows_first_last_and_neighbours_with_gaps() {
        let cases: [(usize, usize, &[&str]); 5] = [
            (1, 1, &["1"]),
            (1, 3, &["1", "2", "3"]),
            (1, 10, &["1", "2", "3", "…", "10"]),
            (6, 10, &["1", "…", "4", "5", "6", "7", "8", "…", "10"]),
            (10, 10, &["1", "…", "8", "9", "10"]),
        ];
        for (page, pages, want) in cases {
            let p = pager("catalog/", page, pages, pages * 10, 0, 0);
            assert_eq!(numbers(&p), want, "page {page} of {pages}");
            assert_eq!(p.window.iter().filter(|l| l.current).count(), 1);
        }
        assert_eq!(page_of(0, 100), 1);
        assert_eq!(page_of(99, 100), 1);
        assert_eq!(page_of(100, 100), 2);
    }
}
