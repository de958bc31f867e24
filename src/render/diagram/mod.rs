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

use std::collections::BTreeSet;
use std::fmt::Write as _;

mod draw;
mod graph;
pub use graph::graph_diagram;
mod layered;
mod order;
mod relation;
mod system;
#[cfg(test)]
mod tests;

use draw::render;
use relation::relation_layout;
use system::system_layout;

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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct DiagramEdge {
    pub from: String,
    pub to: String,
    /// E.g. `depends on`: reads from `from` to `to`.
    pub label: String,
    /// The relation type drawn, e.g. `dependsOn` (`data-rel` of the edge, for filters).
    pub relation: String,
}

/// More neighbours than this in one relation group are cut to the first ones plus a "+K more" box.
const MAX_PER_GROUP: usize = 24;
/// The same cap per layer of a system diagram.
const MAX_PER_LAYER: usize = 30;
/// Barycenter passes (each one down and one up) when ordering system layers.
const SWEEPS: usize = 3;

/// Font sizes for width estimates: a node's name (13 px, bold), its kind and type lines and edge
/// labels (11 px at most), group captions (11 px, bold).
const LABEL_CHAR_W: f64 = 13.0 * 1.1;
const SMALL_CHAR_W: f64 = 11.0;
const CAPTION_CHAR_W: f64 = 11.0 * 1.1;
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
    /// Where the text is drawn, if it is (a relation diagram labels one edge of each group).
    label: Option<(f64, f64)>,
    /// The verb, reading from `from` to `to`.
    text: String,
    /// The relation type (`data-rel`).
    relation: String,
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
        edge: &DiagramEdge,
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
        self.edges.push(PlacedEdge {
            from: ends.0,
            to: ends.1,
            points,
            label: None,
            text: edge.label.clone(),
            relation: edge.relation.clone(),
        });
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

/// Width of a character in ems, on the wide side of common sans-serif fonts (DejaVu Sans, the
/// usual `system-ui` on Linux, is the widest): an estimate that errs towards room to spare.
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | 'I' | '!' | '|' | '.' | ',' | ':' | ';' | '\'' | '`' => 0.32,
        ' ' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' => 0.44,
        'm' | 'w' => 0.98,
        'M' | 'W' => 1.0,
        'A'..='Z' => 0.76,
        'a'..='z' | '0'..='9' | '_' | '+' | '=' | '?' | '#' | '$' | '&' | '*' => 0.64,
        c if c.is_ascii() => 0.7,
        // Wide scripts (CJK, emoji) take a full em; other letters are like Latin capitals.
        c if (c as u32) >= 0x2E80 => 1.0,
        _ => 0.78,
    }
}

/// Estimated width of `text` at `px` (a font size, larger for bold).
fn text_w(text: &str, px: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * px
}

/// Cuts `text` to what fits in `max_px` at `px`, ending with an ellipsis (the full text is in
/// the element's `<title>`).
fn fit(text: &str, px: f64, max_px: f64) -> String {
    if text_w(text, px) <= max_px {
        return text.to_owned();
    }
    let room = max_px - char_em('…') * px;
    let mut cut = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        w += char_em(c) * px;
        if w > room && !cut.is_empty() {
            break;
        }
        cut.push(c);
    }
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
