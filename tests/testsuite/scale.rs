//! Issue 18: pages stay small however large the catalog. A catalog of about 4,000 small entities,
//! written by the test, with hubs (a team that owns most of them, a library and an API that every
//! component uses, a system with every component, users of the big team, hundreds of orphans and
//! problems, long titles) is rendered in-process; no HTML page may reach 1 MB, every list is
//! complete across its pages, and the sitemaps are valid. Before issue 18 this catalog's table
//! page was 2.5 MB, the big team's page 1.8 MB, the system's 1.4 MB and the library's 1.2 MB.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use portico::render::Content;

use crate::support::Fixture;

const COMPONENTS: usize = 3000;
const APIS: usize = 300;
const TEMPLATES: usize = 70;
const DOCS_SITES: usize = 210;
const DEPARTMENTS: usize = 20;
const SQUADS: usize = 30;
const ONE_MB: usize = 1_000_000;

/// A title of about 250 characters: long labels make every uncapped list show.
fn title(what: &str, i: usize) -> String {
    format!("{what} {i} {}", "that handles checkout ledger reconciliation and payment routing ".repeat(4).trim_end())
}

fn catalog() -> Fixture {
    let mut components = String::new();
    for i in 0..COMPONENTS {
        // Every fifth component names an owner that does not exist: an orphan and a warning.
        let owner = if i % 5 == 4 {
            format!("gone-{i}")
        } else if i % 4 == 0 {
            format!("squad-{}-{}", i % DEPARTMENTS, i % SQUADS)
        } else {
            "team-big".into()
        };
        let docs = if i < DOCS_SITES {
            format!("\n  annotations:\n    backstage.io/techdocs-ref: dir:sites/d{i}")
        } else {
            String::new()
        };
        let _ = write!(
            components,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{i}\n  title: {}\n  description: Service {i} handles requests for the checkout flow and its ledger.\n  tags: [t{}, go]{docs}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n  system: sys-big\n  dependsOn: [component:lib-core]\n  consumesApi: [api-core]\n  providesApi: [api-{}]\n",
            title("Service", i),
            i % 7,
            i % APIS
        );
    }
    components.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: lib-core\nspec:\n  type: library\n  lifecycle: production\n  owner: team-big\n");
    let mut apis = String::new();
    for i in 0..APIS {
        let _ = write!(
            apis,
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{i}\n  title: {}\nspec:\n  type: grpc\n  lifecycle: production\n  owner: team-big\n  system: sys-big\n  definition: 'syntax = \"proto3\";'\n",
            title("API", i)
        );
    }
    apis.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-core\nspec:\n  type: grpc\n  lifecycle: production\n  owner: team-big\n  definition: 'syntax = \"proto3\";'\n");
    let mut org = String::from(
        "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-big\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: sys-big\nspec:\n  owner: team-big\n",
    );
    for d in 0..DEPARTMENTS {
        let _ = write!(
            org,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: dept-{d}\nspec:\n  type: department\n  parent: team-big\n  children: []\n"
        );
        for s in 0..SQUADS {
            let _ = write!(
                org,
                "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: squad-{d}-{s}\nspec:\n  type: team\n  parent: dept-{d}\n  children: []\n"
            );
        }
    }
    for u in 0..3 {
        let _ = write!(
            org,
            "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: user-{u}\nspec:\n  memberOf: [team-big]\n"
        );
    }
    for t in 0..TEMPLATES {
        let _ = write!(
            org,
            "---\napiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: template-{t}\n  title: {}\nspec:\n  owner: team-big\n  type: service\n  parameters: []\n  steps: []\n",
            title("Template", t)
        );
    }
    let mut f = Fixture::empty()
        .file("portico.yaml", "catalog:\n  locations: [components.yaml, apis.yaml, org.yaml]\n")
        .file("components.yaml", &components)
        .file("apis.yaml", &apis)
        .file("org.yaml", &org);
    for i in 0..DOCS_SITES {
        f = f
            .file(&format!("sites/d{i}/mkdocs.yml"), &format!("site_name: Docs {i}\n"))
            .file(&format!("sites/d{i}/docs/index.md"), &format!("# Docs {i}\n\nHow service {i} works.\n"));
    }
    f
}

/// Builds the catalog in memory (render only: the search index is not what this test is about).
fn render(f: &Fixture) -> BTreeMap<String, Content> {
    let config = portico::config::Config::for_root(f.path());
    let log = portico::pipeline::StageLog::new(portico::pipeline::Verbosity::Quiet);
    let checked = portico::pipeline::check(&config, &log).expect("check runs");
    let theme = portico::render::theme::Theme::load(&config).expect("default theme");
    portico::render::render(&config, &checked.portal, &theme).expect("render runs").files
}

fn text(files: &BTreeMap<String, Content>, path: &str) -> String {
    String::from_utf8(files.get(path).unwrap_or_else(|| panic!("no {path}")).to_vec()).unwrap()
}

/// Links of a page (`href` values), base path removed.
fn hrefs(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r##"href="/([^"#?]*)"##).unwrap();
    re.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

/// The pages of a paginated list at `base`, following the "Next" links from page 1.
fn pages_of(files: &BTreeMap<String, Content>, base: &str) -> Vec<String> {
    let next = regex::Regex::new(r#"<a href="/([^"]*)" rel="next">"#).unwrap();
    let mut out = vec![format!("{base}index.html")];
    loop {
        let html = text(files, out.last().unwrap());
        match next.captures(&html) {
            Some(c) => out.push(format!("{}index.html", &c[1])),
            None => return out,
        }
        assert!(out.len() < 1000, "pages of {base} do not end");
    }
}

/// `<url>`/`<sitemap>` locations of a sitemap file after checking it is well-formed XML with
/// the given root element in the sitemaps.org namespace.
fn sitemap_locs(xml: &str, root: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut locs = Vec::new();
    let mut roots = 0;
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed: {e}")) {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if stack.is_empty() {
                    roots += 1;
                    assert_eq!(name, root);
                    let ns = e.try_get_attribute("xmlns").unwrap().expect("xmlns");
                    assert_eq!(ns.value.as_ref(), b"http://www.sitemaps.org/schemas/sitemap/0.9");
                }
                stack.push(name);
            }
            Event::End(e) => {
                assert_eq!(stack.pop().as_deref().map(str::as_bytes), Some(e.name().as_ref()), "unbalanced");
            }
            Event::Text(t) if stack.last().is_some_and(|n| n == "loc") => {
                locs.push(String::from_utf8(t.into_inner().into_owned()).unwrap());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    assert_eq!(roots, 1);
    locs
}

#[test]
fn issue_18_no_page_above_1_mb_every_list_complete_and_valid_sitemaps_on_a_large_catalog() {
    let f = catalog();
    let started = std::time::Instant::now();
    let files = render(&f);
    eprintln!("rendered {} files in {:.1?}", files.len(), started.elapsed());

    // No HTML page reaches 1 MB.
    let mut sizes: Vec<(usize, &str)> =
        files.iter().filter(|(p, _)| p.ends_with(".html")).map(|(p, c)| (c.len(), p.as_str())).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    eprintln!("largest pages: {:?}", &sizes[..5]);
    let too_big: Vec<_> = sizes.iter().filter(|(n, _)| *n >= ONE_MB).collect();
    assert!(too_big.is_empty(), "pages of 1 MB or more: {too_big:?}");

    // The static catalog pages list every entity once, in pages of 100.
    let entities: Vec<serde_json::Value> = serde_json::from_str(&text(&files, "api/catalog.json")).unwrap();
    let row = regex::Regex::new(r#"<tr><td><a href="/(catalog/[^"]+)">"#).unwrap();
    let pages = pages_of(&files, "catalog/");
    assert_eq!(pages.len(), entities.len().div_ceil(100));
    let listed: Vec<String> = pages
        .iter()
        .flat_map(|p| row.captures_iter(&text(&files, p)).map(|c| c[1].to_owned()).collect::<Vec<_>>())
        .collect();
    assert_eq!(listed.len(), entities.len());
    assert_eq!(listed.iter().collect::<BTreeSet<_>>().len(), entities.len(), "an entity listed twice");

    // The catalog's data: a manifest and shards of one kind each that hold every entity once.
    let catalog = text(&files, "catalog/index.html");
    let src = regex::Regex::new(r#"data-src="/(catalog/entities\.[0-9a-f]{8}\.json)""#).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text(&files, &src.captures(&catalog).unwrap()[1])).unwrap();
    assert_eq!(manifest["total"], entities.len());
    let mut refs = BTreeSet::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let data: serde_json::Value = serde_json::from_str(&text(&files, shard["url"].as_str().unwrap())).unwrap();
        let rows = data["rows"].as_array().unwrap();
        assert!(rows.len() <= 500 && rows.len() as u64 == shard["rows"].as_u64().unwrap());
        assert_eq!(shard["kinds"].as_array().unwrap().len(), 1, "{shard}");
        assert!(rows.iter().all(|r| r[1] == shard["kinds"][0]));
        refs.extend(rows.iter().map(|r| r[0].as_str().unwrap().to_owned()));
    }
    assert_eq!(refs.len(), entities.len());
    let owners = manifest["facets"]["owner"].as_array().unwrap();
    assert!(owners.iter().any(|o| o[0] == "group:default/team-big"), "owner facet");

    // The other index pages are paginated and complete.
    let count_on = |pages: &[String], pattern: &str| -> usize {
        let re = regex::Regex::new(pattern).unwrap();
        pages.iter().map(|p| re.find_iter(&text(&files, p)).count()).sum()
    };
    let apis = pages_of(&files, "apis/");
    assert_eq!((apis.len(), count_on(&apis, r"<tr><td><a ")), ((APIS + 1).div_ceil(100), APIS + 1));
    let templates = pages_of(&files, "templates/");
    assert_eq!((templates.len(), count_on(&templates, r#"<li class="card">"#)), (2, TEMPLATES));
    let docs = pages_of(&files, "docs/");
    assert_eq!((docs.len(), count_on(&docs, r"<tr><td><a ")), (2, DOCS_SITES));
    let orphans = pages_of(&files, "orphans/");
    assert_eq!((orphans.len(), count_on(&orphans, r"<tr><td>")), (2, COMPONENTS / 5));
    let groups = 1 + DEPARTMENTS * (1 + SQUADS);
    let teams = pages_of(&files, "teams/");
    assert_eq!(teams.len(), 2);
    assert_eq!(count_on(&teams, r#"<li style="--depth: \d+">"#), groups, "every group once, not continued");
    assert!(text(&files, &teams[1]).contains("continued from the previous page"), "ancestors of the second page");
    let problems = pages_of(&files, "problems/");
    assert_eq!(count_on(&problems, r#"<li class="problem "#), COMPONENTS / 5);
    assert_eq!(problems.len(), 2);

    // Hubs show the first 100 of each list and link to every entry on their related pages.
    let lib = text(&files, "catalog/default/component/lib-core/index.html");
    assert!(lib.contains(&format!(
        "and {} more: <a href=\"/catalog/default/component/lib-core/related/dependencyof/\">see all {COMPONENTS}</a>",
        COMPONENTS - 100
    )));
    let dependents = pages_of(&files, "catalog/default/component/lib-core/related/dependencyof/");
    assert_eq!(dependents.len(), COMPONENTS.div_ceil(500));
    assert_eq!(count_on(&dependents, r#"<li><span class="kind">Component</span>"#), COMPONENTS);
    let team = text(&files, "catalog/default/group/team-big/index.html");
    assert!(team.contains("/catalog/default/group/team-big/related/ownerof/"), "owned list links to all");
    let user = text(&files, "catalog/default/user/user-0/index.html");
    assert!(user.contains("/catalog/default/group/team-big/related/ownerof/"), "user's group list links to all");

    // Every link of every paginated or related page leads to a page of the site.
    for (path, content) in files.iter().filter(|(p, _)| p.contains("/page/") || p.contains("/related/")) {
        let html = std::str::from_utf8(content).unwrap();
        for href in hrefs(html).into_iter().filter(|h| h.ends_with('/') || h.is_empty()) {
            assert!(files.contains_key(&format!("{href}index.html")), "{path} links to missing /{href}");
        }
    }

    // Sitemaps: an index of well-formed urlsets of at most 50,000 URLs listing every page.
    let index = sitemap_locs(&text(&files, "sitemap.xml"), "sitemapindex");
    let listed_files: BTreeSet<&str> =
        files.keys().filter(|p| p.starts_with("sitemap-") && p.ends_with(".xml")).map(String::as_str).collect();
    assert_eq!(index.iter().map(|l| l.trim_start_matches('/')).collect::<BTreeSet<_>>(), listed_files);
    let mut urls = BTreeSet::new();
    for file in &listed_files {
        let xml = text(&files, file);
        assert!(xml.len() <= 50 * 1024 * 1024);
        let locs = sitemap_locs(&xml, "urlset");
        assert!(locs.len() <= 50_000, "{file}: {} URLs", locs.len());
        urls.extend(locs);
    }
    // Every page but the 404 page and the search page (which has no content of its own).
    let pages: BTreeSet<String> = files
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html" && *p != "search/index.html")
        .map(|p| format!("/{}", p.strip_suffix("index.html").unwrap_or(p)))
        .collect();
    assert_eq!(urls.len(), pages.len());
    assert!(
        urls == pages,
        "in the sitemaps only: {:?}; not in them: {:?}",
        urls.difference(&pages).take(5).collect::<Vec<_>>(),
        pages.difference(&urls).take(5).collect::<Vec<_>>()
    );
    assert!(text(&files, "robots.txt").contains("Sitemap: /sitemap.xml"));
}

/// Issue 12: a build holds the pages it is rendering, not the site. 300 APIs share one small
/// OpenAPI definition (`$text`) whose 40 operations each answer with an object of 150 fields:
/// each API page shows every operation's fields, about 1 MB, so the site written is about
/// 300 MB from 22 KB of definition. Before pages were written as they were rendered, the whole
/// site was in memory before the first file was written (peak memory above the site's size).
#[cfg(target_os = "linux")]
#[test]
fn issue_12_a_build_holds_much_less_memory_than_the_site_it_writes() {
    const APIS: usize = 300;
    let mut spec = String::from("openapi: 3.0.3\ninfo:\n  title: Shared\n  version: 1.0.0\npaths:\n");
    for i in 0..40 {
        let _ = write!(
            spec,
            "  /resources/r{i}:\n    get:\n      operationId: getResource{i}\n      summary: Reads resource {i}\n      responses:\n        '200':\n          description: The resource\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Big'\n"
        );
    }
    spec.push_str("components:\n  schemas:\n    Big:\n      type: object\n      properties:\n");
    for j in 0..150 {
        let _ = write!(spec, "        field{j}:\n          type: string\n          description: Field {j}\n");
    }
    let mut apis = crate::support::group("team-a");
    for i in 0..APIS {
        let _ = write!(
            apis,
            "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{i}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./shared-openapi.yaml\n"
        );
    }
    let f = Fixture::empty().file("shared-openapi.yaml", &spec).file("catalog-info.yaml", &apis);
    let (_, peak_mb) = crate::support::run_peak_mb(f.path(), &["build", ".", "--no-cache"]);
    let mut site_bytes = 0u64;
    let mut stack = vec![f.path().join("public")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                site_bytes += meta.len();
            }
        }
    }
    let site_mb = site_bytes / ONE_MB as u64;
    eprintln!("site {site_mb} MB, peak memory {peak_mb} MB");
    assert!(site_mb >= 250, "the site should be large: {site_mb} MB");
    assert!(
        peak_mb * 2 < site_mb,
        "peak memory {peak_mb} MB for a site of {site_mb} MB: the build holds too much of it"
    );
}

/// Issue 12: the search index reads the portal a batch of documents at a time. One docs site
/// holds 300 MB of text in long words: the portal keeps its pages compressed and the index keeps
/// about 12 bytes per word, so a build that held every section's text at once (as it did before
/// the documents were streamed into the index, and as it would if one site were one batch)
/// would peak above the text's size.
#[cfg(target_os = "linux")]
#[test]
fn issue_12_the_search_index_never_holds_the_text_of_every_page() {
    const PAGES: usize = 300;
    const PAGE_BYTES: usize = 1_000_000;
    // 676 different words of 100 letters: compressible, but every one is indexed.
    let words: Vec<String> = (0..676)
        .map(|i| {
            format!(
                "{}{}{}",
                "reconciliation".repeat(7),
                char::from(b'a' + (i / 26) as u8),
                char::from(b'a' + (i % 26) as u8)
            )
        })
        .collect();
    let mut page = String::with_capacity(PAGE_BYTES + 200);
    let mut i = 0usize;
    while page.len() < PAGE_BYTES {
        page.push_str(&words[i % words.len()]);
        page.push(if i % 10 == 9 { '\n' } else { ' ' });
        if i % 500 == 499 {
            page.push('\n');
        }
        i += 1;
    }
    let mut f = Fixture::empty().file(
        "catalog-info.yaml",
        &format!(
            "{}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: big-docs\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
            crate::support::group("team-a")
        ),
    );
    f = f.file("mkdocs.yml", "site_name: Big docs\n");
    for p in 0..PAGES {
        f = f.file(&format!("docs/page-{p}.md"), &format!("# Page {p}\n\n{page}"));
    }
    let (log, peak_mb) = crate::support::run_peak_mb(f.path(), &["build", ".", "--no-cache"]);
    let text_mb = (PAGES * PAGE_BYTES / ONE_MB) as u64;
    eprintln!("{log}\ntext {text_mb} MB, peak memory {peak_mb} MB");
    assert!(log.contains(&format!("{} documents", PAGES + 2)), "every page is indexed:\n{log}");
    assert!(peak_mb * 2 < text_mb, "peak memory {peak_mb} MB for {text_mb} MB of text: the index holds the text");
}
