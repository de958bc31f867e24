//! Issue 16, item 2: diagrams that read right. Every arrow of every diagram of a built portal is
//! checked against the catalog: it leaves the box of the relation's subject and ends on the box of
//! its object, its type is the drawn one of Backstage's pair, and its label reads "subject verb
//! object". Nothing sticks out of its box or of the drawing. The catalog graph page reaches beyond
//! one hop and stays bounded on a generated 1,000-component monorepo.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

use crate::support::{Fixture, backstage_examples};

/// The drawn relation of each pair, its verb and its inverse (src/render/diagrams.rs `PAIRS`).
const DRAWN: [(&str, &str, &str); 7] = [
    ("ownerOf", "owns", "ownedBy"),
    ("hasPart", "has part", "partOf"),
    ("consumesApi", "consumes API", "apiConsumedBy"),
    ("apiProvidedBy", "provided by", "providesApi"),
    ("dependsOn", "depends on", "dependencyOf"),
    ("parentOf", "parent of", "childOf"),
    ("hasMember", "has member", "memberOf"),
];

#[derive(Debug)]
struct Box {
    label: String,
    /// None for a "+K more" box.
    entity: Option<String>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Box {
    fn on_border(&self, (x, y): (f64, f64)) -> bool {
        let near = |p: f64, q: f64| (p - q).abs() < 0.11;
        (near(x, self.x) || near(x, self.x + self.w)) && y >= self.y - 0.1 && y <= self.y + self.h + 0.1
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

fn nums(s: &str) -> Vec<f64> {
    Regex::new(r"-?[\d.]+").unwrap().find_iter(s).map(|m| m.as_str().parse().unwrap()).collect()
}

/// The diagrams (`<svg class="dg">`) of a page.
fn diagrams(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(r#"<svg xmlns="http://www.w3.org/2000/svg" class="dg""#) {
        let end = start + rest[start..].find("</g></svg>").expect("a closed diagram") + "</g></svg>".len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Relations of the catalog as (from, type, to), from `api/catalog.json`.
fn relations(site: &Path) -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(site.join("api/catalog.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = BTreeSet::new();
    for e in json.as_array().unwrap() {
        let m = &e["metadata"];
        let r = format!(
            "{}:{}/{}",
            e["kind"].as_str().unwrap().to_lowercase(),
            m["namespace"].as_str().unwrap_or("default"),
            m["name"].as_str().unwrap()
        );
        for rel in e["relations"].as_array().into_iter().flatten() {
            out.insert((r.clone(), rel["type"].as_str().unwrap().into(), rel["targetRef"].as_str().unwrap().into()));
        }
    }
    out
}

/// Checks one diagram; returns the number of arrows checked.
fn check_diagram(svg: &str, catalog: &BTreeSet<(String, String, String)>, page: &str) -> usize {
    let head = Regex::new(r#"viewBox="0 0 ([\d.]+) ([\d.]+)""#).unwrap();
    let caps = head.captures(svg).unwrap_or_else(|| panic!("{page}: no viewBox"));
    let (vw, vh): (f64, f64) = (caps[1].parse().unwrap(), caps[2].parse().unwrap());
    let node = Regex::new(
        r#"<g class="dg-node[^"]*">(?:<a [^>]*>)?<title>([^<]*)</title><rect (x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*")[^>]*/><svg ([^>]*) overflow="hidden">(.*?)</svg>"#,
    )
    .unwrap();
    let text = Regex::new(r#"<text class="(dg-[a-z]+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>"#).unwrap();
    let mut boxes = Vec::new();
    for c in node.captures_iter(svg) {
        let title = unescape(&c[1]);
        let r = nums(&c[2]);
        let inner = nums(&c[3]);
        let (label, entity) = match title.rsplit_once(", ") {
            Some((name, r)) if r.contains(':') => {
                (name.rsplit_once(" (").map_or(name, |(l, _)| l).to_owned(), Some(r.to_owned()))
            }
            _ => (title.clone(), None),
        };
        let b = Box { label, entity, x: r[0], y: r[1], w: r[2], h: r[3] };
        assert!(
            b.x >= 0.0 && b.y >= 0.0 && b.x + b.w <= vw + 0.1 && b.y + b.h <= vh + 0.1,
            "{page}: {b:?} outside {vw}x{vh}"
        );
        // Text starts inside its box, one per line, below one another; a name cut short ends with
        // an ellipsis and is whole in the title.
        assert_eq!((inner[0], inner[1]), (b.x, b.y), "{page}: text viewport of {}", b.label);
        for t in text.captures_iter(&c[4]) {
            let (x, y, shown) = (t[2].parse::<f64>().unwrap(), t[3].parse::<f64>().unwrap(), unescape(&t[4]));
            assert!(x > 0.0 && x < b.w / 2.0 && y > 0.0 && y < b.h, "{page}: text {shown:?} outside its box");
            if &t[1] == "dg-label" && shown != b.label {
                let kept =
                    shown.strip_suffix('…').unwrap_or_else(|| panic!("{page}: {shown:?} cut without an ellipsis"));
                assert!(b.label.starts_with(kept), "{page}: {shown:?} is not the start of {:?}", b.label);
            }
        }
        boxes.push(b);
    }
    assert!(!boxes.is_empty(), "{page}: no boxes");
    let edge =
        Regex::new(r#"<g class="dg-edge[^"]*" data-rel="([^"]*)"><title>([^<]*)</title><path d="([^"]*)""#).unwrap();
    let label =
        Regex::new(r#"<text class="dg-edge-label" x="([\d.]+)" y="([\d.]+)" text-anchor="middle"[^>]*>([^<]*)</text>"#)
            .unwrap();
    let mut checked = 0;
    for c in edge.captures_iter(svg) {
        let (rel, title) = (&c[1], unescape(&c[2]));
        let pair = DRAWN.iter().find(|(d, _, _)| *d == rel);
        let &(_, verb, inverse) =
            pair.unwrap_or_else(|| panic!("{page}: an arrow of {rel}, not the drawn type of its pair"));
        let p = nums(&c[3]);
        let (start, end) = ((p[0], p[1]), (p[p.len() - 2], p[p.len() - 1]));
        let from =
            boxes.iter().find(|b| b.on_border(start)).unwrap_or_else(|| panic!("{page}: {title} starts on no box"));
        let to = boxes.iter().find(|b| b.on_border(end)).unwrap_or_else(|| panic!("{page}: {title} ends on no box"));
        assert_eq!(
            title,
            format!("{} {verb} {}", from.label, to.label),
            "{page}: the arrow runs from {} to {}",
            from.label,
            to.label
        );
        if let (Some(a), Some(b)) = (&from.entity, &to.entity) {
            // Stored on the subject, or as the inverse on the object (when the subject is missing).
            assert!(
                catalog.contains(&(a.clone(), rel.to_owned(), b.clone()))
                    || catalog.contains(&(b.clone(), inverse.to_owned(), a.clone())),
                "{page}: arrow {a} -{rel}-> {b}, which the catalog does not say"
            );
            checked += 1;
        }
    }
    for c in label.captures_iter(svg) {
        let (x, y) = (c[1].parse::<f64>().unwrap(), c[2].parse::<f64>().unwrap());
        // Half the label at 11 px, at most 0.7 em a character, stays in the drawing.
        let half = c[3].chars().count() as f64 * 11.0 * 0.7 / 2.0;
        assert!(x - half >= -0.1 && x + half <= vw + 0.1 && y > 8.0 && y <= vh, "{page}: edge label {} outside", &c[3]);
    }
    checked
}

/// Every diagram of every page of the built site at `site`; returns (diagrams, arrows) checked.
fn check_site(site: &Path) -> (usize, usize) {
    let catalog = relations(site);
    let (mut count, mut arrows) = (0, 0);
    let mut stack = vec![site.join("catalog")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "index.html") {
                let html = std::fs::read_to_string(&path).unwrap();
                let page = path.strip_prefix(site).unwrap().display().to_string();
                for svg in diagrams(&html) {
                    arrows += check_diagram(svg, &catalog, &page);
                    count += 1;
                }
            }
        }
    }
    (count, arrows)
}

#[test]
fn issue_16_arrows_read_subject_verb_object_and_nothing_is_clipped() {
    let sites =
        [(Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example"), 60, 400), (backstage_examples(), 2, 4)];
    for (dir, diagrams, arrows) in sites {
        let f = Fixture::copy_of(&dir);
        f.build(&[]).assert_code(0);
        let (count, checked) = check_site(&f.path().join("public"));
        assert!(count >= diagrams && checked >= arrows, "{}: {count} diagrams, {checked} arrows", dir.display());
    }
}

#[test]
fn issue_16_each_pair_is_one_arrow_in_backstage_direction() {
    let yaml = "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: customer-bff\n  title: Customer BFF\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  system: shop\n  dependsOn: [component:order-service]\n  consumesApis: [orders-api]\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: order-service\n  title: Order Service\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  providesApis: [orders-api]\n  dependsOn: [resource:orders-db]\n---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: orders-db\nspec:\n  type: database\n  owner: team-b\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-b\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: '{}'\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\nspec:\n  owner: team-a\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";
    let f = Fixture::empty().file("catalog-info.yaml", yaml);
    f.build(&[]).assert_code(0);
    let titles = |page: &str| -> BTreeSet<String> {
        let html = f.read(page);
        let re = Regex::new(r#"<g class="dg-edge[^"]*" data-rel="[^"]*"><title>([^<]*)</title>"#).unwrap();
        re.captures_iter(&html).map(|c| unescape(&c[1])).collect()
    };
    // Seen from either end, the same sentences; never the inverse.
    let bff = titles("public/catalog/default/component/customer-bff/index.html");
    let orders = titles("public/catalog/default/component/order-service/index.html");
    for t in [
        "Customer BFF depends on Order Service",
        "team-a owns Customer BFF",
        "shop has part Customer BFF",
        "Customer BFF consumes API orders-api",
    ] {
        assert!(bff.contains(t), "{t}: {bff:?}");
    }
    for t in
        ["Customer BFF depends on Order Service", "orders-api provided by Order Service", "team-a owns Order Service"]
    {
        assert!(orders.contains(t), "{t}: {orders:?}");
    }
    let all: Vec<&String> = bff.iter().chain(&orders).collect();
    assert!(
        all.iter().all(|t| !t.contains("dependency of") && !t.contains("owned by") && !t.contains("part of")),
        "{all:?}"
    );
    // The captions read the same way: what is left of the entity points at it.
    let html = f.read("public/catalog/default/component/order-service/index.html");
    assert!(html.contains(">depends on Order Service (1)</text>"), "caption of the dependents");
    // Two hops: the BFF's graph page reaches the API's other end, and links back.
    let graph = f.read("public/catalog/default/component/customer-bff/graph/index.html");
    assert!(html.contains(r#"href="/catalog/default/component/order-service/graph/">View graph</a>"#));
    let svg = diagrams(&graph)[0];
    assert!(svg.contains("<title>Order Service depends on orders-db</title>"), "{svg}");
    assert!(!svg.contains("team-b"), "three hops away: not drawn at depth 2");
    let data = Regex::new(r#"<script type="application/json" id="graph-data">([^<]*)</script>"#).unwrap();
    let json: serde_json::Value = serde_json::from_str(&data.captures(&graph).unwrap()[1]).unwrap();
    assert_eq!(json["nodes"][0]["id"], "component:default/customer-bff", "the center first");
    assert_eq!(json["nodes"].as_array().unwrap().len(), 7, "team-b is in the data, for depth 3");
    assert!(json["edges"].as_array().unwrap().iter().all(|e| DRAWN.iter().any(|(d, _, _)| e[2] == *d)));
}

#[test]
fn issue_16_an_entity_with_only_direct_relations_has_no_graph_page() {
    let f = Fixture::empty().file(
        "catalog-info.yaml",
        &format!("---\n{}---\n{}", crate::support::component("a", "team-a"), crate::support::group("team-a")),
    );
    f.build(&[]).assert_code(0);
    assert!(!f.path().join("public/catalog/default/component/a/graph").exists());
    assert!(!f.read("public/catalog/default/component/a/index.html").contains("View graph"));
}

/// A generated monorepo of 1,000 components: each entity with relations beyond one hop has a
/// graph page, none holds more than 30 entities, and the largest is small.
#[test]
fn issue_16_graph_pages_are_bounded_on_a_generated_monorepo() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("gen");
    crate::support::generate_monorepo(&generated, &["--components", "1000", "--pages-min", "1", "--pages-max", "1"]);
    let config = portico::config::Config::for_root(&generated);
    let log = portico::pipeline::StageLog::new(portico::pipeline::Verbosity::Quiet);
    let checked = portico::pipeline::check(&config, &log).expect("check runs");
    let theme = portico::render::theme::Theme::load(&config).expect("default theme");
    let files = portico::render::render(&config, &checked.portal, &theme).expect("render runs").files;
    let graphs: BTreeMap<&String, &portico::render::Content> =
        files.iter().filter(|(p, _)| p.ends_with("/graph/index.html")).collect();
    assert!(graphs.len() >= 1000, "{} graph pages", graphs.len());
    let mut largest = (0, String::new());
    let mut capped = 0;
    for (path, content) in &graphs {
        let html = std::str::from_utf8(content).unwrap();
        let boxes = html.matches(r#"<g class="dg-node "#).count();
        assert!(boxes > 2 && boxes <= 30, "{path}: {boxes} boxes");
        capped += usize::from(html.contains(r#"id="graph-capped""#));
        if content.len() > largest.0 {
            largest = (content.len(), (*path).clone());
        }
        let entity = path.trim_end_matches("graph/index.html");
        let page = std::str::from_utf8(&files[&format!("{entity}index.html")]).unwrap();
        assert!(page.contains(&format!("/{entity}graph/\">View graph</a>")), "{entity}: no link to its graph");
    }
    eprintln!("{} graph pages, {capped} capped; the largest is {} ({} KB)", graphs.len(), largest.1, largest.0 / 1000);
    assert!(largest.0 < 400_000, "{}: {} bytes", largest.1, largest.0);
}
