//! Relation diagrams drawn at build time as inline SVG: no JavaScript, no layout engine.
//!
//! Input: plain data ([`DiagramNode`], [`DiagramEdge`]) that the caller builds from the catalog.
//! Output: an SVG string to inline into a page; [`stylesheet`] colours it for light and dark themes.
//!
//! Invariants: the same input gives the same bytes (everything is sorted by label then id, numbers
//! have at most one decimal); every text and attribute is escaped; element ids start with a prefix
//! derived from the diagram's subject, so several diagrams can share a page; nodes with a URL are
//! links, nodes without one are drawn dashed and are not.
//!
//! Both diagrams are first laid out into a [`Layout`] (boxes, edges as chains of Bézier points,
//! captions) and then written by one renderer, so tests can check geometry without parsing SVG.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One entity in a diagram.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DiagramNode {
    /// Canonical entity ref, e.g. `component:default/a`.
    pub id: String,
    pub label: String,
    /// `Component`, `API`, `Group`, ...: shown as a caption and used for the colour class.
    pub kind: String,
    /// Second line, e.g. `spec.type`.
    pub subtitle: Option<String>,
    /// Link target; `None` for entities not in the catalog, which are drawn dashed.
    pub url: Option<String>,
}

/// A directed relation between two nodes, by id.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DiagramEdge {
    pub from: String,
    pub to: String,
    /// E.g. `depends on`.
    pub label: String,
}

/// More neighbours than this in one relation group are cut to the first ones plus a "+K more" box.
const MAX_PER_GROUP: usize = 24;
/// The same cap per layer of a system diagram.
const MAX_PER_LAYER: usize = 30;
/// Barycenter passes (each one down and one up) when ordering system layers.
const SWEEPS: usize = 3;

const LABEL_CHAR_W: f64 = 8.0;
const SMALL_CHAR_W: f64 = 6.2;
const CAPTION_CHAR_W: f64 = 6.6;
const PAD_X: f64 = 10.0;
const MIN_W: f64 = 120.0;
const MAX_W: f64 = 260.0;
const NODE_H: f64 = 40.0;
const NODE_H_SUBTITLE: f64 = 54.0;
const MORE_H: f64 = 32.0;
const GAP_Y: f64 = 10.0;
const GAP_X: f64 = 150.0;
const MARGIN: f64 = 12.0;
const GROUP_PAD: f64 = 8.0;
const GROUP_GAP: f64 = 14.0;
const CAPTION_H: f64 = 24.0;
const PORT_STEP: f64 = 16.0;
const EDGE_LABEL_H: f64 = 14.0;
const WAYPOINT_H: f64 = 8.0;

/// Draws `center` in the middle column and its direct neighbours around it, grouped by edge label:
/// edges pointing at the center (`edge.to == center.id`) on the left, all others on the right with
/// the arrow leaving the center. A neighbour related in two ways appears in both groups. The center
/// is never drawn dashed; it is a link when it has a URL.
pub fn relation_diagram(center: &DiagramNode, neighbours: &[(DiagramEdge, DiagramNode)]) -> String {
    render(&relation_layout(center, neighbours))
}

/// Draws a system's entities in layers from left to right by kind (Component, API, Resource, other)
/// with the edges between them. Edges naming an unknown node are skipped.
pub fn system_diagram(title: &str, nodes: &[DiagramNode], edges: &[DiagramEdge]) -> String {
    render(&system_layout(title, nodes, edges))
}

/// CSS for the `dg-` classes: light by default and under `[data-theme="light"]`, dark under
/// `[data-theme="dark"]` (on the root element) and for `prefers-color-scheme: dark` unless the page
/// is forced light. Colours are `--dg-*` custom properties on `.dg`, so a theme can override them.
pub fn stylesheet() -> &'static str {
    STYLESHEET
}

/// The dark palette, used under two selectors.
macro_rules! dark_palette {
    () => {
        "--dg-fg:#e6edf3;--dg-muted:#9198a1;--dg-bg:#0d1117;--dg-line:#6e7681;--dg-edge:#8b949e;--dg-frame:#161b22;--dg-frame-line:#30363d;--dg-accent:#4493f8;--dg-fill-component:#0c2d6b;--dg-fill-api:#3c1e70;--dg-fill-resource:#04260f;--dg-fill-system:#3b2300;--dg-fill-domain:#5d0f12;--dg-fill-group:#4c1c02;--dg-fill-user:#4c1c02;--dg-fill-other:#21262d"
    };
}

const STYLESHEET: &str = concat!(
    r#".dg{--dg-fg:#1b1f24;--dg-muted:#57606a;--dg-bg:#fff;--dg-line:#8c959f;--dg-edge:#6e7781;--dg-frame:#f6f8fa;--dg-frame-line:#d8dee4;--dg-accent:#0969da;--dg-fill-component:#ddf4ff;--dg-fill-api:#fbefff;--dg-fill-resource:#dafbe1;--dg-fill-system:#fff8c5;--dg-fill-domain:#ffebe9;--dg-fill-group:#fff1e5;--dg-fill-user:#fff1e5;--dg-fill-other:#eaeef2;color:var(--dg-fg)}
[data-theme="dark"] .dg{"#,
    dark_palette!(),
    r#"}
@media (prefers-color-scheme: dark){:root:not([data-theme="light"]) .dg{"#,
    dark_palette!(),
    r#"}}
.dg text{fill:var(--dg-fg)}
.dg .dg-kind-component{--dg-fill:var(--dg-fill-component)}
.dg .dg-kind-api{--dg-fill:var(--dg-fill-api)}
.dg .dg-kind-resource{--dg-fill:var(--dg-fill-resource)}
.dg .dg-kind-system{--dg-fill:var(--dg-fill-system)}
.dg .dg-kind-domain{--dg-fill:var(--dg-fill-domain)}
.dg .dg-kind-group{--dg-fill:var(--dg-fill-group)}
.dg .dg-kind-user{--dg-fill:var(--dg-fill-user)}
.dg .dg-node rect{fill:var(--dg-fill,var(--dg-fill-other));stroke:var(--dg-line);stroke-width:1}
.dg .dg-center rect{stroke:var(--dg-accent);stroke-width:2.5}
.dg .dg-missing rect{fill:var(--dg-bg);stroke-dasharray:5 3}
.dg .dg-missing text{fill:var(--dg-muted)}
.dg .dg-more rect{fill:var(--dg-bg);stroke-dasharray:2 3}
.dg .dg-more text{fill:var(--dg-muted)}
.dg .dg-caption{fill:var(--dg-muted);font-size:10px;letter-spacing:.06em}
.dg .dg-label{font-weight:600}
.dg .dg-sub{fill:var(--dg-muted);font-size:11px}
.dg a{outline:none}
.dg a:hover rect{stroke:var(--dg-accent);stroke-width:2}
.dg a:hover .dg-label{text-decoration:underline}
.dg a:focus-visible rect{stroke:var(--dg-accent);stroke-width:3}
.dg .dg-edge path{fill:none;stroke:var(--dg-edge);stroke-width:1.5}
.dg .dg-edge-missing path{stroke-dasharray:5 3}
.dg .dg-marker path{fill:var(--dg-edge)}
.dg .dg-frame{fill:var(--dg-frame);stroke:var(--dg-frame-line)}
.dg .dg-group-label{fill:var(--dg-muted);font-size:11px;font-weight:600}
.dg .dg-edge-label{fill:var(--dg-muted);font-size:11px;paint-order:stroke;stroke:var(--dg-bg);stroke-width:4px;stroke-linejoin:round}
"#
);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Plain,
    Center,
    More,
}

/// A node with its box.
#[derive(Debug)]
struct Placed {
    node: DiagramNode,
    role: Role,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// An edge between two boxes (indices into `Layout::boxes`) as a chain of cubic Béziers.
#[derive(Debug)]
struct PlacedEdge {
    from: usize,
    to: usize,
    /// Start point, then three points per cubic Bézier segment.
    points: Vec<(f64, f64)>,
    /// Text drawn at this position, if any (system diagrams; relation diagrams label the group).
    label: Option<(f64, f64)>,
    text: String,
}

/// A group or layer label.
#[derive(Debug)]
struct Caption {
    x: f64,
    y: f64,
    text: String,
}

#[derive(Debug, Default)]
struct Layout {
    prefix: String,
    title: String,
    desc: String,
    width: f64,
    height: f64,
    frames: Vec<(f64, f64, f64, f64)>,
    captions: Vec<Caption>,
    boxes: Vec<Placed>,
    edges: Vec<PlacedEdge>,
}

impl Layout {
    fn push_box(&mut self, node: DiagramNode, role: Role, x: f64, y: f64, w: f64) -> usize {
        let h = node_size(&node, role).1;
        self.boxes.push(Placed { node, role, x, y, w, h });
        self.boxes.len() - 1
    }

    /// Adds an edge leaving one box on its right (`sides.0`, else left) side at height `ys.0` and
    /// entering another on its right (`sides.1`, else left) side at height `ys.1`, running straight
    /// through each waypoint `(x_in, x_out, y)` in between.
    fn push_edge(
        &mut self,
        ends: (usize, usize),
        sides: (bool, bool),
        ys: (f64, f64),
        via: &[(f64, f64, f64)],
        text: &str,
    ) {
        let (a, b) = (&self.boxes[ends.0], &self.boxes[ends.1]);
        let dir = |right: bool| if right { 1.0 } else { -1.0 };
        let mut points = vec![(if sides.0 { a.x + a.w } else { a.x }, ys.0)];
        let mut out_dir = dir(sides.0);
        for &(x_in, x_out, y) in via {
            let travel = if x_out >= x_in { 1.0 } else { -1.0 };
            curve_to(&mut points, out_dir, (x_in, y), -travel);
            let third = (x_out - x_in) / 3.0;
            points.extend([(x_in + third, y), (x_out - third, y), (x_out, y)]);
            out_dir = travel;
        }
        curve_to(&mut points, out_dir, (if sides.1 { b.x + b.w } else { b.x }, ys.1), dir(sides.1));
        self.edges.push(PlacedEdge { from: ends.0, to: ends.1, points, label: None, text: text.to_owned() });
    }
}

/// Appends a cubic Bézier from the last point, leaving it towards `out_dir` (+1 right, -1 left) and
/// arriving at `end` from the `end_dir` side; a curve leaving and arriving on the same side bulges.
fn curve_to(points: &mut Vec<(f64, f64)>, out_dir: f64, end: (f64, f64), end_dir: f64) {
    let start = *points.last().expect("a start point");
    let d = if out_dir == end_dir {
        30.0 + (end.1 - start.1).abs() * 0.3
    } else {
        ((end.0 - start.0).abs() * 0.5).max(30.0)
    };
    points.extend([(start.0 + out_dir * d, start.1), (end.0 + end_dir * d, end.1), end]);
}

/// An edge ending on one side of a box: the y it heads towards, the edge, whether it starts here.
type PortUse = (f64, usize, bool);

/// One relation group of the relation diagram: its label, the total count and the drawn members.
struct Group {
    label: String,
    total: usize,
    members: Vec<(DiagramNode, Role)>,
}

impl Group {
    fn caption(&self) -> String {
        fit(&format!("{} ({})", self.label, self.total), CAPTION_CHAR_W, MAX_W)
    }

    fn height(&self) -> f64 {
        let nodes: f64 = self.members.iter().map(|(n, r)| node_size(n, *r).1 + GAP_Y).sum();
        CAPTION_H + nodes - GAP_Y + GROUP_PAD
    }
}

fn relation_layout(center: &DiagramNode, neighbours: &[(DiagramEdge, DiagramNode)]) -> Layout {
    let mut grouped: BTreeMap<(bool, &str), Vec<&DiagramNode>> = BTreeMap::new();
    for (edge, node) in neighbours {
        let incoming = edge.to == center.id && edge.from != center.id;
        grouped.entry((incoming, edge.label.as_str())).or_default().push(node);
    }
    // sides[0]: incoming, drawn left; sides[1]: outgoing, drawn right.
    let mut sides: [Vec<Group>; 2] = Default::default();
    for ((incoming, label), mut list) in grouped {
        sort_unique(&mut list);
        let members = capped(&list, MAX_PER_GROUP);
        sides[usize::from(!incoming)].push(Group { label: label.to_owned(), total: list.len(), members });
    }

    let mut l = Layout {
        prefix: id_prefix("dg", &center.id, &center.id),
        title: format!("Relations of {} ({})", center.label, center.id),
        desc: relation_desc(center, &sides),
        ..Layout::default()
    };
    let col_w = |groups: &[Group]| {
        let widths = groups.iter().flat_map(|g| {
            let caption = text_w(&g.caption(), CAPTION_CHAR_W);
            g.members.iter().map(move |(n, r)| node_size(n, *r).0.max(caption))
        });
        widths.fold(0.0, f64::max)
    };
    let side_h = |groups: &[Group]| groups.iter().map(|g| g.height() + GROUP_GAP).sum::<f64>() - GROUP_GAP;
    let (left_w, right_w) = (col_w(&sides[0]), col_w(&sides[1]));
    let ports = sides[0].len().max(sides[1].len()) as f64;
    let (center_w, natural_h) = node_size(center, Role::Center);
    let center_h = natural_h.max(ports * PORT_STEP + 8.0);
    let content_h = side_h(&sides[0]).max(side_h(&sides[1])).max(center_h);

    let center_x = if sides[0].is_empty() { MARGIN } else { MARGIN + GROUP_PAD * 2.0 + left_w + GAP_X };
    let center_y = MARGIN + (content_h - center_h) / 2.0;
    let c = l.push_box(center.clone(), Role::Center, center_x, center_y, center_w);
    l.boxes[c].h = center_h;
    let right_x = center_x + center_w + GAP_X + GROUP_PAD;
    l.width = if sides[1].is_empty() { center_x + center_w + MARGIN } else { right_x + right_w + GROUP_PAD + MARGIN };
    l.height = content_h + MARGIN * 2.0;

    for (side, groups) in sides.iter().enumerate() {
        let (x, w) = if side == 0 { (MARGIN + GROUP_PAD, left_w) } else { (right_x, right_w) };
        let mut y = MARGIN + (content_h - side_h(groups)) / 2.0;
        for (gi, group) in groups.iter().enumerate() {
            l.frames.push((x - GROUP_PAD, y, w + GROUP_PAD * 2.0, group.height()));
            l.captions.push(Caption { x, y: y + 16.0, text: group.caption() });
            let port = center_y + center_h * (gi as f64 + 1.0) / (groups.len() as f64 + 1.0);
            let mut node_y = y + CAPTION_H;
            for (node, role) in &group.members {
                let b = l.push_box(node.clone(), *role, x, node_y, w);
                let mid = node_y + l.boxes[b].h / 2.0;
                if side == 0 {
                    l.push_edge((b, c), (true, false), (mid, port), &[], &group.label);
                } else {
                    l.push_edge((c, b), (true, false), (port, mid), &[], &group.label);
                }
                node_y += l.boxes[b].h + GAP_Y;
            }
            y += group.height() + GROUP_GAP;
        }
    }
    l
}

fn relation_desc(center: &DiagramNode, sides: &[Vec<Group>; 2]) -> String {
    if sides.iter().all(Vec::is_empty) {
        return format!("{} ({}) has no relations.", center.label, center.id);
    }
    let mut desc = String::new();
    for (side, groups) in sides.iter().enumerate() {
        for g in groups {
            let names = g.members.iter().filter(|(_, r)| *r == Role::Plain).map(|(n, _)| n.label.as_str());
            let list = name_list(names, g.total);
            let n = plural(g.total, "entity", "entities");
            if side == 0 {
                let _ = write!(desc, "{n} with relation “{}” to {}: {list}. ", g.label, center.id);
            } else {
                let _ = write!(desc, "{} {} {n}: {list}. ", center.id, g.label);
            }
        }
    }
    desc.trim_end().to_owned()
}

const LAYER_NAMES: [&str; 4] = ["Components", "APIs", "Resources", "Other"];

fn layer_of(kind: &str) -> usize {
    ["component", "api", "resource"].iter().position(|k| kind.eq_ignore_ascii_case(k)).unwrap_or(3)
}

fn system_layout(title: &str, nodes: &[DiagramNode], edges: &[DiagramEdge]) -> Layout {
    let mut sorted: Vec<&DiagramNode> = nodes.iter().collect();
    sort_unique(&mut sorted);
    let key: String = sorted.iter().map(|n| format!("{}\n", n.id)).collect();
    let mut by_kind: [Vec<&DiagramNode>; 4] = Default::default();
    for node in &sorted {
        by_kind[layer_of(&node.kind)].push(node);
    }

    // All drawn nodes, the layer (column) of each, and the node indices per layer in drawing order.
    let mut all: Vec<(DiagramNode, Role)> = Vec::new();
    let mut column_of: Vec<usize> = Vec::new();
    let mut layers: Vec<Vec<usize>> = Vec::new();
    let mut names = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (kind, list) in by_kind.iter().enumerate().filter(|(_, list)| !list.is_empty()) {
        let mut ids = Vec::new();
        for (node, role) in capped(list, MAX_PER_LAYER) {
            if role == Role::Plain {
                index.insert(node.id.clone(), all.len());
            }
            ids.push(all.len());
            column_of.push(layers.len());
            all.push((node, role));
        }
        layers.push(ids);
        names.push(format!("{} ({})", LAYER_NAMES[kind], list.len()));
    }
    let mut links: BTreeSet<(usize, usize, &str)> = BTreeSet::new();
    for e in edges {
        if let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&e.to))
            && a != b
        {
            links.insert((a, b, e.label.as_str()));
        }
    }
    // An edge skipping layers runs through a waypoint (a thin slot, index >= `real`) in each layer
    // in between, so it never passes behind a box; waypoints are ordered like nodes.
    let real = all.len();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for &(a, b, _) in &links {
        let (ca, cb) = (column_of[a], column_of[b]);
        let between: Vec<usize> = if ca < cb { (ca + 1..cb).collect() } else { (cb + 1..ca).rev().collect() };
        let mut chain = vec![a];
        for col in between {
            chain.push(column_of.len());
            layers[col].push(column_of.len());
            column_of.push(col);
        }
        chain.push(b);
        chains.push(chain);
    }
    let pairs: Vec<(usize, usize)> = chains.iter().flat_map(|c| c.windows(2).map(|w| (w[0], w[1]))).collect();
    order_layers(&mut layers, &column_of, &pairs, real);

    let mut l = Layout {
        prefix: id_prefix("dgs", title, &key),
        title: title.to_owned(),
        desc: system_desc(title, &by_kind, &all, &links),
        ..Layout::default()
    };
    let slot_h = |i: usize| if i < real { node_size(&all[i].0, all[i].1).1 } else { WAYPOINT_H };
    let heights: Vec<f64> =
        layers.iter().map(|ids| ids.iter().map(|&i| slot_h(i) + GAP_Y).sum::<f64>() - GAP_Y).collect();
    let content_h = heights.iter().copied().fold(0.0, f64::max);
    // Per node: its box index, or for a waypoint its y; per layer: x and width.
    let (mut box_of, mut waypoint_y) = (vec![0; real], vec![0.0; column_of.len()]);
    let mut columns = Vec::new();
    let mut x = MARGIN + GROUP_PAD;
    for (col, ids) in layers.iter().enumerate() {
        let caption = fit(&names[col], CAPTION_CHAR_W, MAX_W);
        let nodes = ids.iter().filter(|&&i| i < real);
        let w = nodes.map(|&i| node_size(&all[i].0, all[i].1).0).fold(text_w(&caption, CAPTION_CHAR_W), f64::max);
        l.frames.push((x - GROUP_PAD, MARGIN, w + GROUP_PAD * 2.0, CAPTION_H + content_h + GROUP_PAD));
        l.captions.push(Caption { x, y: MARGIN + 16.0, text: caption });
        let mut y = MARGIN + CAPTION_H + (content_h - heights[col]) / 2.0;
        for &i in ids {
            if i < real {
                box_of[i] = l.push_box(all[i].0.clone(), all[i].1, x, y, w);
            } else {
                waypoint_y[i] = y + WAYPOINT_H / 2.0;
            }
            y += slot_h(i) + GAP_Y;
        }
        columns.push((x, w));
        x += w + GROUP_PAD * 2.0 + GAP_X;
    }
    l.width = x - GAP_X - GROUP_PAD + MARGIN;
    l.height = MARGIN * 2.0 + CAPTION_H + content_h + GROUP_PAD;

    // Sides: forward edges leave right and enter left, backward ones the reverse, edges within a
    // layer loop out to the right. Several edges on one side of a box spread over its height,
    // ordered by where their next point is, so they do not cross at the box.
    let centre_y = |i: usize| if i < real { l.boxes[box_of[i]].y + l.boxes[box_of[i]].h / 2.0 } else { waypoint_y[i] };
    let sides: Vec<(bool, bool)> =
        links.iter().map(|&(a, b, _)| (column_of[a] <= column_of[b], column_of[a] >= column_of[b])).collect();
    let mut ports: BTreeMap<(usize, bool), Vec<PortUse>> = BTreeMap::new();
    for (e, chain) in chains.iter().enumerate() {
        let (a, b, n) = (chain[0], chain[chain.len() - 1], chain.len());
        ports.entry((box_of[a], sides[e].0)).or_default().push((centre_y(chain[1]), e, true));
        ports.entry((box_of[b], sides[e].1)).or_default().push((centre_y(chain[n - 2]), e, false));
    }
    let mut ys = vec![(0.0, 0.0); links.len()];
    for ((b, _), mut list) in ports {
        list.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
        let (top, h, n) = (l.boxes[b].y, l.boxes[b].h, list.len() as f64);
        for (k, &(_, e, start)) in list.iter().enumerate() {
            let y = top + h * (k as f64 + 1.0) / (n + 1.0);
            if start { ys[e].0 = y } else { ys[e].1 = y }
        }
    }
    let mut taken: Vec<(f64, f64, f64, f64)> = l.boxes.iter().map(|b| (b.x, b.y, b.w, b.h)).collect();
    for (e, (&(a, b, label), chain)) in links.iter().zip(&chains).enumerate() {
        let via: Vec<(f64, f64, f64)> = chain[1..chain.len() - 1]
            .iter()
            .map(|&v| {
                let (cx, cw) = columns[column_of[v]];
                if sides[e].0 { (cx, cx + cw, waypoint_y[v]) } else { (cx + cw, cx, waypoint_y[v]) }
            })
            .collect();
        l.push_edge((box_of[a], box_of[b]), sides[e], ys[e], &via, label);
        let edge = l.edges.last_mut().expect("just pushed");
        edge.label = place_label(&edge.points[..4], label, &mut taken);
        let right = edge.points.iter().map(|p| p.0).fold(0.0, f64::max);
        l.width = l.width.max(right + MARGIN);
    }
    l
}

/// Orders nodes within layers: starts from the given (label) order, then moves each node to the
/// median position of its neighbours in the layers before it (down pass) or after it (up pass;
/// waypoints, indices from `real` on, follow both neighbours in either pass),
/// keeping the order with the fewest crossings, and finally sifts each node to its best place in
/// its layer. Sorting is stable and only strict improvements move a node, so ties keep the order.
fn order_layers(layers: &mut [Vec<usize>], column_of: &[usize], pairs: &[(usize, usize)], real: usize) {
    let mut adjacent = vec![Vec::new(); column_of.len()];
    for &(a, b) in pairs {
        adjacent[a].push(b);
        adjacent[b].push(a);
    }
    let ranks = |layers: &[Vec<usize>]| {
        let mut rank = vec![0.0; column_of.len()];
        for ids in layers {
            for (k, &i) in ids.iter().enumerate() {
                rank[i] = (k as f64 + 0.5) / ids.len() as f64;
            }
        }
        rank
    };
    // Edges between two different layers, as (upper layer node, lower layer node).
    let spans: Vec<(usize, usize)> = pairs
        .iter()
        .filter(|&&(a, b)| column_of[a] != column_of[b])
        .map(|&(a, b)| if column_of[a] < column_of[b] { (a, b) } else { (b, a) })
        .collect();
    let crossings = |layers: &[Vec<usize>]| {
        let rank = ranks(layers);
        let mut count = 0;
        for (k, &(a1, b1)) in spans.iter().enumerate() {
            for &(a2, b2) in &spans[k + 1..] {
                let same = column_of[a1] == column_of[a2] && column_of[b1] == column_of[b2];
                if same && (rank[a1] - rank[a2]) * (rank[b1] - rank[b2]) < 0.0 {
                    count += 1;
                }
            }
        }
        count
    };
    let mut best = layers.to_vec();
    let mut best_crossings = crossings(layers);
    for pass in 0..SWEEPS * 2 {
        let down = pass % 2 == 0;
        let order: Vec<usize> =
            if down { (1..layers.len()).collect() } else { (0..layers.len()).rev().skip(1).collect() };
        for col in order {
            let rank = ranks(layers);
            let key = |i: usize| {
                let near = adjacent[i]
                    .iter()
                    .filter(|&&j| i >= real || if down { column_of[j] < col } else { column_of[j] > col });
                let mut r: Vec<f64> = near.map(|&j| rank[j]).collect();
                r.sort_by(f64::total_cmp);
                match r.len() {
                    0 => rank[i],
                    n if n % 2 == 1 => r[n / 2],
                    n => (r[n / 2 - 1] + r[n / 2]) / 2.0,
                }
            };
            let mut keyed: Vec<(f64, usize)> = layers[col].iter().map(|&i| (key(i), i)).collect();
            keyed.sort_by(|p, q| p.0.total_cmp(&q.0));
            layers[col] = keyed.into_iter().map(|(_, i)| i).collect();
        }
        let count = crossings(layers);
        if count < best_crossings {
            best = layers.to_vec();
            best_crossings = count;
        }
    }
    layers.clone_from_slice(&best);
    // Then sift: move each node to the place in its layer with the fewest crossings, if better.
    for _ in 0..SWEEPS {
        let mut improved = false;
        for col in 0..layers.len() {
            for node in layers[col].clone() {
                let from = layers[col].iter().position(|&i| i == node).expect("node in its layer");
                layers[col].remove(from);
                let (mut best_at, mut fewest) = (from, best_crossings);
                for at in 0..=layers[col].len() {
                    layers[col].insert(at, node);
                    let count = crossings(layers);
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

/// Puts an edge label at the middle of its first curve, nudged up or down by at most two lines
/// until it overlaps no box and no earlier label. Returns the text's anchor point, or `None` when
/// nothing near is free (the edge's `<title>` still names the relation).
fn place_label(points: &[(f64, f64)], text: &str, taken: &mut Vec<(f64, f64, f64, f64)>) -> Option<(f64, f64)> {
    let [p0, p1, p2, p3] = [points[0], points[1], points[2], points[3]];
    let mid = ((p0.0 + 3.0 * p1.0 + 3.0 * p2.0 + p3.0) / 8.0, (p0.1 + 3.0 * p1.1 + 3.0 * p2.1 + p3.1) / 8.0);
    let w = text_w(text, SMALL_CHAR_W) + 6.0;
    // A loop (both ends on one side) has its middle at its outermost point: put the text beside it.
    let mid = if p0.0 == p3.0 { (mid.0 + (p1.0 - p0.0).signum() * (w / 2.0 + 2.0), mid.1) } else { mid };
    let rect = |dy: f64| (mid.0 - w / 2.0, mid.1 + dy - EDGE_LABEL_H / 2.0, w, EDGE_LABEL_H);
    let overlaps = |r: (f64, f64, f64, f64), o: &(f64, f64, f64, f64)| {
        r.0 < o.0 + o.2 && o.0 < r.0 + r.2 && r.1 < o.1 + o.3 && o.1 < r.1 + r.3
    };
    let dy = (0..5)
        .map(|k| EDGE_LABEL_H * if k % 2 == 0 { k as f64 / 2.0 } else { -(k as f64 + 1.0) / 2.0 })
        .find(|&dy| !taken.iter().any(|o| overlaps(rect(dy), o)))?;
    taken.push(rect(dy));
    Some((mid.0, mid.1 + dy + 4.0))
}

fn system_desc(
    title: &str,
    by_kind: &[Vec<&DiagramNode>; 4],
    all: &[(DiagramNode, Role)],
    links: &BTreeSet<(usize, usize, &str)>,
) -> String {
    let kinds = [("component", "components"), ("API", "APIs"), ("resource", "resources"), ("other entity", "others")];
    let counts: Vec<String> = by_kind
        .iter()
        .zip(kinds)
        .filter(|(list, _)| !list.is_empty())
        .map(|(list, (one, many))| plural(list.len(), one, many))
        .collect();
    let mut desc = format!("{title}: {}; {}.", counts.join(", "), plural(links.len(), "relation", "relations"));
    for &(a, b, label) in links.iter().take(20) {
        let _ = write!(desc, " {} {label} {}.", all[a].0.label, all[b].0.label);
    }
    if links.len() > 20 {
        let _ = write!(desc, " And {} more.", plural(links.len() - 20, "relation", "relations"));
    }
    desc
}

fn render(l: &Layout) -> String {
    let p = &l.prefix;
    let (w, h) = (num(l.width), num(l.height));
    // `img` makes its children presentational, which would hide the links from assistive
    // technology; a diagram with links is a labelled group instead.
    let linked = l.boxes.iter().any(|b| href(b).is_some());
    let role = if linked { "group" } else { "img" };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dg" role="{role}" aria-labelledby="{p}-title" aria-describedby="{p}-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}" style="max-width:100%;height:auto" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="13" fill="currentColor">"#
    );
    let _ = write!(s, r#"<title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#, esc(&l.title), esc(&l.desc));
    let _ = write!(
        s,
        r#"<defs><marker id="{p}-arrow" class="dg-marker" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1L10,5L0,9z"/></marker></defs>"#
    );
    s.push_str(r#"<g class="dg-frames" aria-hidden="true">"#);
    for &(x, y, fw, fh) in &l.frames {
        let _ = write!(s, r#"<rect class="dg-frame" {} rx="8" fill="none"/>"#, area(x, y, fw, fh));
    }
    for c in &l.captions {
        let _ = write!(s, r#"<text class="dg-group-label" x="{}" y="{}">{}</text>"#, num(c.x), num(c.y), esc(&c.text));
    }
    s.push_str(r#"</g><g class="dg-edges" aria-hidden="true">"#);
    for e in &l.edges {
        let (a, b) = (&l.boxes[e.from], &l.boxes[e.to]);
        let missing = [a, b].iter().any(|b| b.role == Role::Plain && b.node.url.is_none());
        let (class, dash) =
            if missing { ("dg-edge dg-edge-missing", r#" stroke-dasharray="5 3""#) } else { ("dg-edge", "") };
        let mut d = format!("M{},{}", num(e.points[0].0), num(e.points[0].1));
        for (k, (x, y)) in e.points[1..].iter().enumerate() {
            let _ = write!(d, "{}{},{}", if k % 3 == 0 { "C" } else { " " }, num(*x), num(*y));
        }
        let _ = write!(
            s,
            r#"<g class="{class}"><title>{} {} {}</title><path d="{d}" fill="none" stroke="currentColor"{dash} marker-end="url(#{p}-arrow)"/>"#,
            esc(&a.node.label),
            esc(&e.text),
            esc(&b.node.label)
        );
        if let Some((x, y)) = e.label {
            let (x, y, text) = (num(x), num(y), esc(&e.text));
            let _ = write!(s, r#"<text class="dg-edge-label" x="{x}" y="{y}" text-anchor="middle">{text}</text>"#);
        }
        s.push_str("</g>");
    }
    s.push_str(r#"</g><g class="dg-nodes">"#);
    for b in &l.boxes {
        render_node(&mut s, b);
    }
    s.push_str("</g></svg>");
    s
}

fn render_node(s: &mut String, b: &Placed) {
    let n = &b.node;
    let kind = sanitize(&n.kind);
    let kind = if kind.is_empty() { "other".to_owned() } else { kind };
    let role = match b.role {
        Role::Center => " dg-center",
        Role::More => " dg-more",
        Role::Plain if n.url.is_none() => " dg-missing",
        Role::Plain => "",
    };
    let _ = write!(s, r#"<g class="dg-node dg-kind-{kind}{role}">"#);
    let link = href(b);
    let name = if n.kind.is_empty() { n.label.clone() } else { format!("{} ({})", n.label, n.kind) };
    if let Some(url) = link {
        let _ = write!(s, r#"<a href="{}" aria-label="{}">"#, esc(url), esc(&name));
    }
    let title = if n.id.is_empty() || b.role == Role::More { name } else { format!("{name}, {}", n.id) };
    let _ = write!(s, "<title>{}</title>", esc(&title));
    let dash = if role == " dg-missing" { r#" stroke-dasharray="5 3""# } else { "" };
    let _ = write!(s, r#"<rect {} rx="6" fill="transparent" stroke="currentColor"{dash}/>"#, area(b.x, b.y, b.w, b.h));
    // Text sits in a nested viewport that clips it to the box should a font run wider than the
    // estimate; coordinates inside are relative to the box.
    let _ = write!(s, r#"<svg {} overflow="hidden">"#, area(b.x, b.y, b.w - 3.0, b.h));
    let (x, inner) = (num(PAD_X), b.w - 2.0 * PAD_X);
    let top = (b.h - node_size(n, b.role).1) / 2.0;
    if b.role == Role::More {
        let label = esc(&fit(&n.label, LABEL_CHAR_W, inner));
        let _ = write!(s, r#"<text class="dg-label" x="{x}" y="{}">{label}</text>"#, num(top + 20.0));
    } else {
        let caption = esc(&fit(&n.kind.to_uppercase(), SMALL_CHAR_W, inner));
        let label = esc(&fit(&n.label, LABEL_CHAR_W, inner));
        let _ =
            write!(s, r#"<text class="dg-caption" x="{x}" y="{}" font-size="10">{caption}</text>"#, num(top + 14.0));
        let _ = write!(s, r#"<text class="dg-label" x="{x}" y="{}">{label}</text>"#, num(top + 30.0));
        if let Some(sub) = &n.subtitle {
            let sub = esc(&fit(sub, SMALL_CHAR_W, inner));
            let _ = write!(s, r#"<text class="dg-sub" x="{x}" y="{}" font-size="11">{sub}</text>"#, num(top + 45.0));
        }
    }
    s.push_str("</svg>");
    if link.is_some() {
        s.push_str("</a>");
    }
    s.push_str("</g>");
}

/// The link target of a box: none for "+K more" boxes, missing entities and script URLs.
fn href(b: &Placed) -> Option<&str> {
    let url = b.node.url.as_deref().filter(|_| b.role != Role::More)?;
    let scheme = url.trim_start().split(':').next().unwrap_or("").to_ascii_lowercase();
    let unsafe_scheme = url.contains(':') && ["javascript", "vbscript", "data"].contains(&scheme.trim());
    (!unsafe_scheme).then_some(url)
}

/// Box size from an approximate text width: the widest line plus padding, within `MIN_W..=MAX_W`.
fn node_size(node: &DiagramNode, role: Role) -> (f64, f64) {
    let label = text_w(&node.label, LABEL_CHAR_W);
    if role == Role::More {
        return ((label + 2.0 * PAD_X).clamp(MIN_W * 0.75, MAX_W), MORE_H);
    }
    let sub = node.subtitle.as_deref().map_or(0.0, |s| text_w(s, SMALL_CHAR_W));
    let kind = text_w(&node.kind, SMALL_CHAR_W);
    let w = (label.max(sub).max(kind) + 2.0 * PAD_X).clamp(MIN_W, MAX_W);
    (w, if node.subtitle.is_some() { NODE_H_SUBTITLE } else { NODE_H })
}

fn text_w(text: &str, char_w: f64) -> f64 {
    text.chars().count() as f64 * char_w
}

/// Cuts `text` to what fits in `max_px`, ending with an ellipsis.
fn fit(text: &str, char_w: f64, max_px: f64) -> String {
    let max_chars = ((max_px / char_w).floor() as usize).max(2);
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max_chars - 1).collect();
    cut.push('…');
    cut
}

/// Sorts by label then id and drops repeated ids.
fn sort_unique(list: &mut Vec<&DiagramNode>) {
    list.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.id.cmp(&b.id)));
    let mut seen = BTreeSet::new();
    list.retain(|n| seen.insert(n.id.as_str()));
}

/// The first `cap - 1` nodes and a "+K more" box when the list is longer than `cap`.
fn capped(list: &[&DiagramNode], cap: usize) -> Vec<(DiagramNode, Role)> {
    if list.len() <= cap {
        return list.iter().map(|&n| (n.clone(), Role::Plain)).collect();
    }
    let mut out: Vec<_> = list[..cap - 1].iter().map(|&n| (n.clone(), Role::Plain)).collect();
    let label = format!("+{} more", list.len() - (cap - 1));
    let more = DiagramNode { id: String::new(), label, kind: String::new(), subtitle: None, url: None };
    out.push((more, Role::More));
    out
}

/// `a, b, c, and 4 more` from the first ten names.
fn name_list<'a>(names: impl Iterator<Item = &'a str>, total: usize) -> String {
    let shown: Vec<&str> = names.take(10).collect();
    let mut list = shown.join(", ");
    if total > shown.len() {
        let _ = write!(list, ", and {} more", total - shown.len());
    }
    list
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `{kind}-{readable part of name}-{hash of key}`: a valid, collision-resistant id prefix.
fn id_prefix(kind: &str, name: &str, key: &str) -> String {
    let hash = key.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    let name: String = sanitize(name).chars().take(40).collect();
    format!("{kind}-{name}-{hash:08x}")
}

/// Lowercase ASCII letters and digits, other runs replaced by one `-`.
fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn esc(text: &str) -> String {
    crate::html::escape(text)
}

/// The `x`, `y`, `width` and `height` attributes of a rectangle.
fn area(x: f64, y: f64, w: f64, h: f64) -> String {
    format!(r#"x="{}" y="{}" width="{}" height="{}""#, num(x), num(y), num(w), num(h))
}

/// A coordinate with at most one decimal, without a trailing `.0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() { format!("{}", r as i64) } else { format!("{r:.1}") }
}

#[cfg(test)]
mod tests {
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
        DiagramEdge { from: from.to_owned(), to: to.to_owned(), label: label.to_owned() }
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
            .map(|i| {
                out(node(&format!("component:default/n{i:02}"), &format!("n{i:02}"), "Component", true), "depends on")
            })
            .collect();
        let layout = relation_layout(&center(), &many);
        assert_eq!(layout.boxes.len(), 1 + MAX_PER_GROUP);
        let more = layout.boxes.last().expect("boxes");
        assert_eq!((more.role, more.node.label.as_str()), (Role::More, "+7 more"));
        // The first ones by label are shown.
        assert_eq!(layout.boxes[1].node.label, "n00");
        assert_eq!(layout.boxes[MAX_PER_GROUP - 1].node.label, "n22");
        let svg = render(&layout);
        assert!(svg.contains("depends on (30)") && svg.contains("+7 more"));
        assert!(svg.contains("depends on 30 entities: n00, n01"), "{svg}");
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
        assert_eq!(svg.matches("marker-end=").count(), 3);
        let p = "dg-component-default-a-";
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="dg" role="group" aria-labelledby="dg-component-default-a-"#));
        assert!(svg.contains(&format!(r#"<marker id="{p}"#)) && svg.contains(r#"style="max-width:100%;height:auto""#));
        let desc = "1 entity with relation “depends on” to component:default/a: d. component:default/a depends on 2 entities: b, c.</desc>";
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
        let edges =
            [edge("component:default/x", "api:default/b", "p"), edge("component:default/y", "api:default/a", "p")];
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
        for class in ["dg-node", "dg-edge", "dg-center", "dg-missing", "dg-more", "dg-group-label", "dg-kind-component"]
        {
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
}
