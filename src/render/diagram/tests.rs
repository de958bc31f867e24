use super::draw::{num, render};
use super::graph;
use super::relation::relation_layout;
use super::system::system_layout;
use super::*;

fn node(id: &str, label: &str, kind: &str, url: bool) -> DiagramNode {
    DiagramNode {
        id: id.to_owned(),
        label: label.to_owned(),
        kind: kind.to_owned(),
        subtitle: None,
        url: url.then(|| format!("/catalog/{}/", id.replace(':', "/"))),
    }
}

fn edge(from: &str, to: &str, label: &str) -> DiagramEdge {
    DiagramEdge { from: from.to_owned(), to: to.to_owned(), label: label.to_owned(), relation: label.replace(' ', "") }
}

fn center() -> DiagramNode {
    DiagramNode { subtitle: Some("service".to_owned()), ..node("component:default/a", "a", "Component", true) }
}

fn out(to: DiagramNode, label: &str) -> (DiagramEdge, DiagramNode) {
    (edge("component:default/a", &to.id, label), to)
}

fn inc(from: DiagramNode, label: &str) -> (DiagramEdge, DiagramNode) {
    (edge(&from.id, "component:default/a", label), from)
}

fn sample_neighbours() -> Vec<(DiagramEdge, DiagramNode)> {
    vec![
        out(node("component:default/db-client", "db-client", "Component", true), "depends on"),
        out(node("resource:default/orders-db", "orders-db", "Resource", true), "depends on"),
        out(node("api:default/orders-api", "orders-api", "API", true), "provides API"),
        out(node("api:default/payments", "payments", "API", false), "consumes API"),
        out(node("group:default/team-orders", "team-orders", "Group", true), "owned by"),
        out(node("system:default/shop", "shop", "System", true), "part of"),
        inc(node("component:default/web", "web", "Component", true), "depends on"),
        inc(node("component:default/mobile-bff", "mobile-bff", "Component", true), "depends on"),
    ]
}

fn sample_system() -> (Vec<DiagramNode>, Vec<DiagramEdge>) {
    let sub = |mut n: DiagramNode, s: &str| {
        n.subtitle = Some(s.to_owned());
        n
    };
    let nodes = vec![
        sub(node("component:default/web", "web", "Component", true), "website"),
        sub(node("component:default/orders", "orders", "Component", true), "service"),
        sub(node("component:default/payments", "payments", "Component", true), "service"),
        sub(node("component:default/mobile-bff", "mobile-bff", "Component", true), "service"),
        sub(node("api:default/orders-api", "orders-api", "API", true), "openapi"),
        sub(node("api:default/payments-api", "payments-api", "API", true), "grpc"),
        sub(node("resource:default/orders-db", "orders-db", "Resource", true), "database"),
        sub(
            node("resource:default/queue", "events-queue-with-a-really-long-name-that-gets-cut", "Resource", false),
            "queue",
        ),
    ];
    let edges = vec![
        edge("component:default/orders", "api:default/orders-api", "provides API"),
        edge("component:default/payments", "api:default/payments-api", "provides API"),
        edge("component:default/web", "api:default/orders-api", "consumes API"),
        edge("component:default/mobile-bff", "api:default/orders-api", "consumes API"),
        edge("component:default/orders", "api:default/payments-api", "consumes API"),
        edge("component:default/orders", "resource:default/orders-db", "depends on"),
        edge("component:default/payments", "resource:default/queue", "depends on"),
        edge("component:default/web", "component:default/mobile-bff", "depends on"),
        edge("component:default/web", "component:default/unknown", "depends on"),
    ];
    (nodes, edges)
}

fn on_border(b: &Placed, (x, y): (f64, f64)) -> bool {
    let near = |p: f64, q: f64| (p - q).abs() < 0.01;
    (near(x, b.x) || near(x, b.x + b.w)) && y >= b.y && y <= b.y + b.h
}

#[test]
fn rendering_is_deterministic() {
    let mut shuffled = sample_neighbours();
    shuffled.reverse();
    let first = relation_diagram(&center(), &sample_neighbours());
    assert_eq!(first, relation_diagram(&center(), &sample_neighbours()));
    assert_eq!(first, relation_diagram(&center(), &shuffled));
    let (nodes, edges) = sample_system();
    let (mut rev_nodes, mut rev_edges) = (nodes.clone(), edges.clone());
    rev_nodes.reverse();
    rev_edges.reverse();
    let system = system_diagram("shop", &nodes, &edges);
    assert_eq!(system, system_diagram("shop", &nodes, &edges));
    assert_eq!(system, system_diagram("shop", &rev_nodes, &rev_edges));
}

#[test]
fn numbers_have_at_most_one_decimal() {
    let cases = [(0.0, "0"), (-0.04, "0"), (1.25, "1.3"), (12.0, "12"), (3.04, "3"), (-2.5, "-2.5")];
    for (v, want) in cases {
        assert_eq!(num(v), want, "{v}");
    }
    let svg = relation_diagram(&center(), &sample_neighbours());
    let long_decimal = regex::Regex::new(r"\d\.\d\d").expect("pattern");
    assert!(!long_decimal.is_match(&svg), "{svg}");
}

#[test]
fn text_and_attributes_are_escaped() {
    let evil = r#"<script>&"x'"#;
    let mut bad = node("component:default/evil", evil, "Com<p>onent", true);
    bad.url = Some(r#"/x?a=1&b="><script>"#.to_owned());
    bad.subtitle = Some(evil.to_owned());
    let svg = relation_diagram(&center(), &[out(bad.clone(), evil)]);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains(r#"&""#));
    assert!(svg.contains("&lt;script&gt;&amp;&quot;x&#39;"));
    assert!(svg.contains(r#"href="/x?a=1&amp;b=&quot;&gt;&lt;script&gt;""#));
    assert!(svg.contains("dg-kind-com-p-onent"));
    let system = system_diagram(evil, &[bad.clone()], &[]);
    assert!(!system.contains("<script"), "{system}");
    bad.url = Some(" JavaScript:alert(1)".to_owned());
    assert!(!relation_diagram(&center(), &[out(bad, "x")]).contains("alert"));
}

#[test]
fn missing_nodes_are_dashed_and_not_linked() {
    let missing = node("api:default/gone", "gone", "API", false);
    let svg = relation_diagram(&center(), &[out(missing, "consumes API")]);
    let start = svg.find("dg-missing").expect("missing node drawn");
    let group = &svg[start..start + svg[start..].find("</g>").expect("closed")];
    assert!(!group.contains("<a"), "{group}");
    assert!(group.contains(r#"stroke-dasharray="5 3""#), "{group}");
    assert!(svg.contains("dg-edge dg-edge-missing"));
    // Only the center is a link.
    assert_eq!(svg.matches("<a ").count(), 1);
    let alone = system_diagram("s", &[node("component:default/x", "x", "Component", false)], &[]);
    assert!(alone.contains(r#"role="img""#) && !alone.contains("<a "));
}

#[test]
fn edges_start_and_end_on_their_boxes() {
    let relation = relation_layout(&center(), &sample_neighbours());
    let (nodes, mut edges) = sample_system();
    let system = system_layout("shop", &nodes, &edges);
    edges.push(edge("resource:default/orders-db", "component:default/web", "backwards"));
    let backwards = system_layout("shop", &nodes, &edges);
    for layout in [&relation, &system, &backwards] {
        assert!(!layout.edges.is_empty());
        for e in &layout.edges {
            assert!(on_border(&layout.boxes[e.from], e.points[0]), "{e:?}");
            assert!(on_border(&layout.boxes[e.to], e.points[e.points.len() - 1]), "{e:?}");
            assert_eq!(e.points.len() % 3, 1, "whole segments");
        }
        for b in &layout.boxes {
            assert!(b.x >= 0.0 && b.y >= 0.0 && b.x + b.w <= layout.width && b.y + b.h <= layout.height);
        }
    }
    // Incoming relations on the left of the center, outgoing on the right.
    let c = &relation.boxes[0];
    assert_eq!(c.role, Role::Center);
    for e in &relation.edges {
        let (from, to) = (&relation.boxes[e.from], &relation.boxes[e.to]);
        assert!(from.x < to.x, "arrows point left to right: {e:?}");
        let other = if e.from == 0 { to } else { from };
        let incoming = e.to == 0;
        assert_eq!(other.x < c.x, incoming, "{}", other.node.label);
    }
    // The unknown edge target is skipped; the same-layer edge loops on the right side.
    assert_eq!(system.edges.len(), 8);
    let back = backwards.edges.iter().find(|e| e.text == "backwards").expect("drawn");
    assert!(back.points.len() == 10 && back.points[0].0 > back.points[9].0, "through one waypoint, leftwards");
    let within = system.edges.iter().find(|e| e.text == "depends on" && e.points[0].0 == e.points[3].0);
    assert!(within.is_some());
}

#[test]
fn boxes_do_not_overlap() {
    let (nodes, edges) = sample_system();
    for layout in [relation_layout(&center(), &sample_neighbours()), system_layout("shop", &nodes, &edges)] {
        for (i, a) in layout.boxes.iter().enumerate() {
            for b in &layout.boxes[i + 1..] {
                let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                assert!(apart, "{} overlaps {}", a.node.label, b.node.label);
            }
        }
    }
}

#[test]
fn large_groups_are_capped_with_a_more_box() {
    let many: Vec<_> = (0..30)
        .map(|i| out(node(&format!("component:default/n{i:02}"), &format!("n{i:02}"), "Component", true), "depends on"))
        .collect();
    let layout = relation_layout(&center(), &many);
    assert_eq!(layout.boxes.len(), 1 + MAX_PER_GROUP);
    let more = layout.boxes.last().expect("boxes");
    assert_eq!((more.role, more.node.label.as_str()), (Role::More, "+7 more"));
    // The first ones by label are shown.
    assert_eq!(layout.boxes[1].node.label, "n00");
    assert_eq!(layout.boxes[MAX_PER_GROUP - 1].node.label, "n22");
    let svg = render(&layout);
    assert!(svg.contains(">a depends on (30)</text>") && svg.contains("+7 more"));
    assert!(svg.contains("component:default/a “depends on” 30 entities: n00, n01"), "{svg}");
    // One label for the group, on its middle edge.
    assert_eq!(svg.matches(r#"<text class="dg-edge-label""#).count(), 1);
    assert!(svg.contains("<title>a depends on n12</title><path"));
    assert_eq!(svg.matches("<a ").count(), MAX_PER_GROUP, "center and 23 neighbours are links");
    let mut nodes: Vec<_> = many.into_iter().map(|(_, n)| n).collect();
    assert_eq!(system_layout("full", &nodes, &[]).boxes.len(), MAX_PER_LAYER, "30 fit");
    nodes.push(node("component:default/n30", "n30", "Component", true));
    let system = system_layout("big", &nodes, &[]);
    assert_eq!(system.boxes.len(), MAX_PER_LAYER);
    assert_eq!(system.boxes.last().map(|b| b.node.label.as_str()), Some("+2 more"));
}

#[test]
fn no_neighbours_draws_only_the_center() {
    let svg = relation_diagram(&center(), &[]);
    assert_eq!(svg.matches("<rect").count(), 1);
    assert_eq!(svg.matches("<path").count(), 1, "only the marker");
    assert!(svg.contains("a (component:default/a) has no relations."));
    assert!(system_diagram("empty", &[], &[]).starts_with("<svg"));
}

#[test]
fn structure_of_a_small_relation_diagram() {
    let neighbours = [
        out(node("component:default/b", "b", "Component", true), "depends on"),
        out(node("component:default/c", "c", "Component", false), "depends on"),
        inc(node("component:default/d", "d", "Component", true), "depends on"),
    ];
    let svg = relation_diagram(&center(), &neighbours);
    // Two group frames and four boxes; three edges and the marker; center, b and d linked.
    assert_eq!(svg.matches("<rect").count(), 6);
    assert_eq!(svg.matches("<path").count(), 4);
    assert_eq!(svg.matches("<a ").count(), 3);
    assert_eq!(svg.matches("marker-end=").count(), 1, "on the edges' group");
    let p = "dg-component-default-a-";
    assert!(svg.starts_with(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dg" role="group" aria-labelledby="dg-component-default-a-"#
    ));
    assert!(svg.contains(&format!(r#"<marker id="{p}"#)) && svg.contains(r#"style="max-width:100%;min-width:"#));
    let desc =
        "1 entity, each “depends on” component:default/a: d. component:default/a “depends on” 2 entities: b, c.</desc>";
    // Captions read in the arrows' direction: d depends on a, a depends on b and c.
    assert!(svg.contains(">depends on a (1)</text>") && svg.contains(">a depends on (2)</text>"), "{svg}");
    assert!(svg.contains(desc), "{svg}");
    assert!(svg.contains(r#"class="dg-node dg-kind-component dg-center""#));
    assert!(svg.contains(r#"<text class="dg-group-label" x="20" y="#));
    assert!(svg.ends_with("</g></svg>"));
}

#[test]
fn ids_differ_between_diagrams() {
    let a = relation_layout(&center(), &[]).prefix;
    let b = relation_layout(&node("component:default/a-b", "x", "Component", true), &[]).prefix;
    let c = relation_layout(&node("component:default/a/b", "x", "Component", true), &[]).prefix;
    assert!(a.starts_with("dg-component-default-a-"));
    assert!(a != b && b != c, "{a} {b} {c}");
    let s = system_layout("Shop", &[], &[]).prefix;
    assert!(s.starts_with("dgs-shop-"));
}

#[test]
fn barycenter_ordering_removes_crossings() {
    // Label order puts x before y, but x's API sits below y's.
    let nodes = [
        node("component:default/x", "x", "Component", true),
        node("component:default/y", "y", "Component", true),
        node("api:default/a", "a", "API", true),
        node("api:default/b", "b", "API", true),
    ];
    let edges = [edge("component:default/x", "api:default/b", "p"), edge("component:default/y", "api:default/a", "p")];
    let layout = system_layout("s", &nodes, &edges);
    for e in &layout.edges {
        assert!((e.points[0].1 - e.points[3].1).abs() < 0.01, "straight edge {e:?}");
    }
}

#[test]
fn stylesheet_has_light_and_dark_rules() {
    let css = stylesheet();
    assert!(css.contains("@media (prefers-color-scheme: dark)"));
    assert!(css.contains(r#"[data-theme="dark"] .dg{"#));
    for class in ["dg-node", "dg-edge", "dg-center", "dg-missing", "dg-more", "dg-group-label", "dg-kind-component"] {
        assert!(css.contains(class), "{class}");
    }
}

/// Writes sample diagrams to `/tmp/diagram-*.svg` and `.html` (light and dark) to look at:
/// `cargo test --lib diagram -- --ignored`.
#[test]
#[ignore]
fn write_samples() {
    let (nodes, edges) = sample_system();
    let mut neighbours = sample_neighbours();
    neighbours.push(out(
        DiagramNode {
            subtitle: Some("library".to_owned()),
            ..node("component:default/long", "a-component-with-a-very-long-name-indeed-yes", "Component", true)
        },
        "depends on",
    ));
    let mut big: Vec<_> = (0..30)
        .map(|i| {
            inc(
                node(&format!("component:default/c{i:02}"), &format!("consumer-{i:02}"), "Component", true),
                "depends on",
            )
        })
        .collect();
    big.push(inc(node("group:default/t", "team", "Group", true), "owner of"));
    big.push(inc(node("api:default/x", "x-api", "API", true), "api consumed by"));
    big.extend(sample_neighbours().into_iter().filter(|(e, _)| e.from == "component:default/a"));
    let (mut big_nodes, mut big_edges) = sample_system();
    for i in 0..8 {
        let id = format!("component:default/w{i}");
        big_nodes.push(node(&id, &format!("worker-{i}"), "Component", true));
        let api = if i % 2 == 0 { "api:default/orders-api" } else { "api:default/payments-api" };
        big_edges.push(edge(&id, api, "consumes API"));
        if i % 3 == 0 {
            big_edges.push(edge(&id, "resource:default/orders-db", "depends on"));
        }
    }
    big_nodes.push(node("system:default/other", "other-system", "System", true));
    big_edges.push(edge("resource:default/orders-db", "system:default/other", "part of"));
    big_edges.push(edge("resource:default/queue", "component:default/mobile-bff", "feeds"));
    let samples = [
        ("relation", relation_diagram(&center(), &neighbours)),
        ("system", system_diagram("System shop", &nodes, &edges)),
        ("empty", relation_diagram(&center(), &[])),
        ("big", relation_diagram(&center(), &big)),
        ("big-system", system_diagram("big", &big_nodes, &big_edges)),
    ];
    for (name, svg) in samples {
        std::fs::write(format!("/tmp/diagram-{name}.svg"), &svg).expect("write svg");
        for theme in ["light", "dark"] {
            let html = format!(
                "<!doctype html><html data-theme=\"{theme}\"><head><meta charset=\"utf-8\"><style>body{{margin:16px;background:{};font-family:system-ui}}{}</style></head><body>{svg}</body></html>",
                if theme == "dark" { "#0d1117" } else { "#fff" },
                stylesheet()
            );
            std::fs::write(format!("/tmp/diagram-{name}-{theme}.html"), html).expect("write html");
        }
    }
}

#[test]
fn graph_layers_follow_the_arrows_and_survive_cycles() {
    let nodes = [
        node("group:default/t", "team", "Group", true),
        node("system:default/s", "shop", "System", true),
        node("component:default/a", "a", "Component", true),
        node("api:default/x", "x-api", "API", true),
        node("component:default/b", "b", "Component", true),
        node("component:default/c", "c", "Component", false),
    ];
    let mut edges = vec![
        edge("group:default/t", "system:default/s", "owns"),
        edge("system:default/s", "component:default/a", "has part"),
        edge("component:default/a", "api:default/x", "consumes API"),
        edge("api:default/x", "component:default/b", "provided by"),
        edge("component:default/b", "component:default/c", "depends on"),
        edge("group:default/t", "component:default/b", "owns"),
        edge("component:default/a", "component:default/gone", "depends on"),
    ];
    let layout = graph::graph_layout("component:default/a", &nodes, &edges);
    let x = |label: &str| layout.boxes.iter().find(|b| b.node.label == label).expect(label).x;
    // A chain reads left to right; the skipping edge (team owns b) runs through waypoints.
    let order = ["team", "shop", "a", "x-api", "b", "c"];
    assert!(order.windows(2).all(|w| x(w[0]) < x(w[1])), "{order:?}");
    assert_eq!(layout.edges.len(), 6, "the edge to an unknown node is skipped");
    assert!(layout.edges.iter().all(|e| layout.boxes[e.from].x < layout.boxes[e.to].x));
    assert_eq!(layout.boxes.iter().filter(|b| b.role == Role::Center).count(), 1);
    // A cycle still gets layers, and every edge still starts and ends on its boxes.
    edges.push(edge("component:default/c", "group:default/t", "depends on"));
    let cyclic = graph::graph_layout("component:default/a", &nodes, &edges);
    assert_eq!(cyclic.edges.len(), 7);
    for e in &cyclic.edges {
        assert!(on_border(&cyclic.boxes[e.from], e.points[0]), "{e:?}");
        assert!(on_border(&cyclic.boxes[e.to], e.points[e.points.len() - 1]), "{e:?}");
    }
    for b in &cyclic.boxes {
        assert!(b.x + b.w <= cyclic.width && b.y + b.h <= cyclic.height);
    }
    let svg = graph_diagram("component:default/a", &nodes, &edges);
    assert!(svg.contains(r#"data-rel="consumesAPI"><title>a consumes API x-api</title>"#), "{svg}");
}

#[test]
fn long_names_are_cut_with_an_ellipsis_within_their_box() {
    let wide = "W".repeat(40);
    let cases = [("short", false), (wide.as_str(), true), ("a-component-with-a-very-long-name-indeed-yes", true)];
    for (label, cut) in cases {
        let n = node("component:default/x", label, "Component", true);
        let (w, _) = node_size(&n, Role::Plain);
        let shown = fit(label, LABEL_CHAR_W, w - 2.0 * PAD_X);
        assert_eq!(shown.ends_with('…'), cut, "{shown}");
        assert!(text_w(&shown, LABEL_CHAR_W) <= w - 2.0 * PAD_X, "{shown} fits {w}");
        assert!(w <= MAX_W);
    }
    // Wide letters take more room than narrow ones.
    assert!(text_w("WWWW", LABEL_CHAR_W) > 2.0 * text_w("iiii", LABEL_CHAR_W));
}

/// The sifting of `order_layers` as it was first written: every place of every node scored by
/// counting all crossings again. The fast sifting must choose exactly the same orders.
fn sift_by_counting(layers: &mut [Vec<usize>], column_of: &[usize], spans: &[(usize, usize)]) {
    let mut best_crossings = super::order::crossings(layers, column_of, spans);
    for _ in 0..SWEEPS {
        let mut improved = false;
        for col in 0..layers.len() {
            for node in layers[col].clone() {
                let from = layers[col].iter().position(|&i| i == node).unwrap();
                layers[col].remove(from);
                let (mut best_at, mut fewest) = (from, best_crossings);
                for at in 0..=layers[col].len() {
                    layers[col].insert(at, node);
                    let count = super::order::crossings(layers, column_of, spans);
                    if count < fewest {
                        (best_at, fewest) = (at, count);
                    }
                    layers[col].remove(at);
                }
                layers[col].insert(best_at, node);
                improved |= fewest < best_crossings;
                best_crossings = fewest;
            }
        }
        if !improved {
            break;
        }
    }
}

proptest::proptest! {
    #[test]
    fn sifting_matches_counting_every_crossing(
        sizes in proptest::collection::vec(1usize..7, 2..5),
        picks in proptest::collection::vec((0usize..64, 0usize..64), 0..40),
    ) {
        let mut layers = Vec::new();
        let mut column_of = Vec::new();
        for (col, &n) in sizes.iter().enumerate() {
            layers.push((column_of.len()..column_of.len() + n).collect::<Vec<_>>());
            column_of.extend(std::iter::repeat_n(col, n));
        }
        // Edges between neighbouring layers, repeats allowed (two relations, one pair of boxes).
        let spans: Vec<(usize, usize)> = picks
            .iter()
            .map(|&(a, b)| {
                let col = a % (sizes.len() - 1);
                (layers[col][a % sizes[col]], layers[col + 1][b % sizes[col + 1]])
            })
            .collect();
        let mut fast = layers.clone();
        super::order::sift(&mut fast, &column_of, &spans);
        sift_by_counting(&mut layers, &column_of, &spans);
        proptest::prop_assert_eq!(fast, layers);
    }
}

proptest::proptest! {
    #[test]
    fn numbers_are_written_as_float_formatting_would(v in -1e7f64..1e7) {
        let r = (v * 10.0).round() / 10.0;
        let want = if r == r.trunc() { format!("{}", r as i64) } else { format!("{r:.1}") };
        proptest::prop_assert_eq!(num(v), want);
    }
}
