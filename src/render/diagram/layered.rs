//! Layered drawing shared by the system and graph diagrams: nodes already assigned to layers
//! (columns, left to right) are ordered within their layers to reduce crossings, placed, and
//! joined by edges; an edge skipping layers runs through a waypoint in each layer between.

use std::collections::BTreeMap;

use super::order::order_layers;
use super::*;

/// Nodes in layers, and the edges between them.
pub(super) struct Layered<'a> {
    /// Every node drawn, with its role.
    pub all: Vec<(DiagramNode, Role)>,
    /// The layer of each node of `all`.
    pub column_of: Vec<usize>,
    /// The indices into `all` of each layer, in starting order.
    pub layers: Vec<Vec<usize>>,
    /// Edges as (from, to, edge), sorted, without repeats; no edge within a layer for the graph.
    pub links: Vec<(usize, usize, &'a DiagramEdge)>,
    /// A framed caption over each layer, or no frames.
    pub names: Option<Vec<String>>,
}

/// Lays out `g` into `l` (its boxes, frames, captions, edges, width and height).
pub(super) fn place(l: &mut Layout, g: Layered) {
    let Layered { all, mut column_of, mut layers, links, names } = g;
    let framed = names.is_some();
    let (top_pad, bottom_pad) = if framed { (CAPTION_H, GROUP_PAD) } else { (0.0, 0.0) };
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

    let slot_h = |i: usize| if i < real { node_size(&all[i].0, all[i].1).1 } else { WAYPOINT_H };
    let heights: Vec<f64> =
        layers.iter().map(|ids| ids.iter().map(|&i| slot_h(i) + GAP_Y).sum::<f64>() - GAP_Y).collect();
    let content_h = heights.iter().copied().fold(0.0, f64::max);
    // Per node: its box index, or for a waypoint its y; per layer: x and width.
    let (mut box_of, mut waypoint_y) = (vec![0; real], vec![0.0; column_of.len()]);
    let mut columns = Vec::new();
    let mut x = MARGIN + GROUP_PAD;
    for (col, ids) in layers.iter().enumerate() {
        let caption = names.as_ref().map(|names| fit(&names[col], CAPTION_CHAR_W, MAX_W));
        let caption_w = caption.as_deref().map_or(0.0, |c| text_w(c, CAPTION_CHAR_W));
        let nodes = ids.iter().filter(|&&i| i < real);
        let w = nodes.map(|&i| node_size(&all[i].0, all[i].1).0).fold(caption_w, f64::max);
        if let Some(text) = caption {
            l.frames.push((x - GROUP_PAD, MARGIN, w + GROUP_PAD * 2.0, CAPTION_H + content_h + GROUP_PAD));
            l.captions.push(Caption { x, y: MARGIN + 16.0, text });
        }
        let mut y = MARGIN + top_pad + (content_h - heights[col]) / 2.0;
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
    l.height = MARGIN * 2.0 + top_pad + content_h + bottom_pad;

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
    for (e, (&(a, b, edge), chain)) in links.iter().zip(&chains).enumerate() {
        let via: Vec<(f64, f64, f64)> = chain[1..chain.len() - 1]
            .iter()
            .map(|&v| {
                let (cx, cw) = columns[column_of[v]];
                if sides[e].0 { (cx, cx + cw, waypoint_y[v]) } else { (cx + cw, cx, waypoint_y[v]) }
            })
            .collect();
        l.push_edge((box_of[a], box_of[b]), sides[e], ys[e], &via, edge);
        let height = l.height;
        let placed = l.edges.last_mut().expect("just pushed");
        placed.label = place_label(&placed.points[..4], &edge.label, height, &mut taken);
        let right = placed.points.iter().map(|p| p.0).fold(0.0, f64::max);
        l.width = l.width.max(right + MARGIN);
    }
    // Labels stand out of their edge's curve by half their width at most.
    let right = taken.iter().map(|r| r.0 + r.2).fold(0.0, f64::max);
    l.width = l.width.max(right + MARGIN);
}

/// Puts an edge label at the middle of its first curve, nudged up or down by at most two lines
/// until it overlaps no box and no earlier label. Returns the text's anchor point, or `None` when
/// nothing near is free (the edge's `<title>` still names the relation).
pub(super) fn place_label(
    points: &[(f64, f64)],
    text: &str,
    height: f64,
    taken: &mut Vec<(f64, f64, f64, f64)>,
) -> Option<(f64, f64)> {
    let [p0, p1, p2, p3] = [points[0], points[1], points[2], points[3]];
    let mid = ((p0.0 + 3.0 * p1.0 + 3.0 * p2.0 + p3.0) / 8.0, (p0.1 + 3.0 * p1.1 + 3.0 * p2.1 + p3.1) / 8.0);
    let w = text_w(text, SMALL_CHAR_W) + 6.0;
    // A loop (both ends on one side) has its middle at its outermost point: put the text beside it.
    let mid = if p0.0 == p3.0 { (mid.0 + (p1.0 - p0.0).signum() * (w / 2.0 + 2.0), mid.1) } else { mid };
    let rect = |dy: f64| (mid.0 - w / 2.0, mid.1 + dy - EDGE_LABEL_H / 2.0, w, EDGE_LABEL_H);
    let overlaps = |r: (f64, f64, f64, f64), o: &(f64, f64, f64, f64)| {
        r.0 < o.0 + o.2 && o.0 < r.0 + r.2 && r.1 < o.1 + o.3 && o.1 < r.1 + r.3
    };
    let dy = (0..5).map(|k| EDGE_LABEL_H * if k % 2 == 0 { k as f64 / 2.0 } else { -(k as f64 + 1.0) / 2.0 }).find(
        |&dy| {
            let r = rect(dy);
            r.1 >= 0.0 && r.1 + r.3 <= height && r.0 >= 0.0 && !taken.iter().any(|o| overlaps(r, o))
        },
    )?;
    taken.push(rect(dy));
    Some((mid.0, mid.1 + dy + 4.0))
}
