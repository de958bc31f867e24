//! Links in docs pages: a relative `.md` link becomes the URL of the page it names (in this
//! site first, then in any site of the portal), a file of a docs directory the URL of its copy,
//! and a link with an unsafe scheme or to a missing file a problem. Input: the [`Plan`]s of
//! every site; output: [`Resolved`] per link.

use std::collections::HashMap;

use super::markdown::Resolved;
use super::site::Plan;
use super::{PageKey, mkdocs};
use crate::config::Config;
use crate::discover::Inventory;
use crate::paths;

pub(super) struct LinkContext<'a> {
    pub(super) config: &'a Config,
    pub(super) inventory: &'a Inventory,
    pub(super) plans: &'a [Plan],
    /// Every page of every site by file, for links across sites.
    pub(super) by_file: HashMap<&'a str, PageKey>,
    /// Per site, its own pages by file: links resolve within the page's site first (two
    /// entities may document themselves from one directory).
    pub(super) own_files: Vec<HashMap<&'a str, usize>>,
    pub(super) asset_owner: HashMap<&'a str, (usize, &'a str)>,
}

impl<'a> LinkContext<'a> {
    pub(super) fn new(config: &'a Config, inventory: &'a Inventory, plans: &'a [Plan]) -> Self {
        let mut by_file: HashMap<&str, PageKey> = HashMap::new();
        for (s, plan) in plans.iter().enumerate() {
            for (p, (_, file)) in plan.pages.iter().enumerate() {
                by_file.entry(file.as_str()).or_insert((s, p));
            }
        }
        let asset_owner = plans
            .iter()
            .enumerate()
            .flat_map(|(s, plan)| plan.assets.iter().map(move |(file, out)| (file.as_str(), (s, out.as_str()))))
            .collect();
        let own_files = plans
            .iter()
            .map(|plan| plan.pages.iter().enumerate().map(|(p, (_, file))| (file.as_str(), p)).collect())
            .collect();
        LinkContext { config, inventory, plans, by_file, own_files, asset_owner }
    }
}

impl LinkContext<'_> {
    fn page_href(&self, (s, p): PageKey) -> String {
        let plan = &self.plans[s];
        let src = &plan.pages[p].0;
        let url = mkdocs::page_url(src, plan.mkdocs.use_directory_urls);
        format!("{}{}{}", self.config.base_path, plan.url_base, encode_path(&url))
    }

    /// Rewrites a link written in `from` (root-relative Markdown file of page `key`).
    pub(super) fn resolve(&self, key: PageKey, from: &str, dest: &str) -> Resolved<PageKey> {
        let keep = |href: &str| Resolved { href: href.to_owned(), anchor: None, problem: None };
        if crate::urls::scheme(dest).is_some() {
            if let Err(scheme) = crate::urls::check(dest) {
                return Resolved {
                    href: String::new(),
                    anchor: None,
                    problem: Some(crate::urls::refused("link", dest, &scheme)),
                };
            }
            return keep(dest);
        }
        if dest.is_empty() || dest.starts_with("//") || dest.starts_with('/') {
            return keep(dest);
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            let anchor = fragment.unwrap_or_default().to_owned();
            return Resolved { href: dest.to_owned(), anchor: Some((key, anchor)), problem: None };
        }
        let decoded = percent_decode(path);
        let Ok(target) = paths::resolve_lexically(paths::parent_dir(from), &decoded) else {
            return Resolved {
                href: dest.to_owned(),
                anchor: None,
                problem: Some(format!("link `{dest}` leaves the portal root")),
            };
        };
        let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        // A page, or a directory with an index page; in this site first.
        let lookup = |file: &str| -> Option<PageKey> {
            self.own_files[key.0].get(file).map(|&p| (key.0, p)).or_else(|| self.by_file.get(file).copied())
        };
        let page =
            lookup(&target).or_else(|| ["index.md", "README.md"].iter().find_map(|i| lookup(&format!("{target}/{i}"))));
        if let Some(k) = page {
            return Resolved {
                href: format!("{}{frag}", self.page_href(k)),
                anchor: fragment.filter(|f| !f.is_empty()).map(|f| (k, f.to_owned())),
                problem: None,
            };
        }
        if let Some((s, out)) = self.asset_owner.get(target.as_str()) {
            return keep(&format!("{}{}{}{frag}", self.config.base_path, self.plans[*s].url_base, encode_path(out)));
        }
        let exists = self.inventory.files.binary_search(&target).is_ok();
        if exists {
            if let Some(template) = &self.config.source_url {
                return keep(&template.replace("{path}", &target));
            }
            return Resolved {
                href: dest.to_owned(),
                anchor: None,
                problem: Some(format!(
                    "link `{dest}` points at `{target}`, which is not part of any docs site and is not published"
                )),
            };
        }
        Resolved {
            href: dest.to_owned(),
            anchor: None,
            problem: Some(format!("link `{dest}` points at `{target}`, which does not exist")),
        }
    }
}

/// Percent-encodes a URL path (spaces and other characters not allowed in URLs), keeping `/`.
pub fn encode_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'<').add(b'>').add(b'`').add(b'#').add(b'?').add(b'{').add(b'}').add(b'%');
    utf8_percent_encode(path, PATH).to_string()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}
