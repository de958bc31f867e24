//! The relation diagram: an entity in the middle, its direct neighbours grouped by relation.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;

/// One relation group of the relation diagram: its edge (label and relation type), caption, the
/// total count and the drawn members.
struct Group {
    edge: DiagramEdge,
    caption: String,
    total: usize,
    members: Vec<(DiagramNode, Role)>,
}

impl Group {
    /// The caption reads in the arrows' direction too, naming the center: "depends on Orders (2)"
    /// over entities left of Orders, "Orders depends on (3)" over entities right of it.
    fn new(
        center: &DiagramNode,
        incoming: bool,
        edge: DiagramEdge,
        total: usize,
        members: Vec<(DiagramNode, Role)>,
    ) -> Group {
        let count = format!(" ({total})");
        let room = MAX_W - text_w(&count, CAPTION_CHAR_W);
        let name = fit(&center.label, CAPTION_CHAR_W, room - text_w(&edge.label, CAPTION_CHAR_W) - CAPTION_CHAR_W);
        let sentence = if incoming { format!("{} {name}", edge.label) } else { format!("{name} {}", edge.label) };
        let caption = format!("{}{count}", fit(&sentence, CAPTION_CHAR_W, room));
        Group { edge, caption, total, members }
    }

    fn height(&self) -> f64 {
        let nodes: f64 = self.members.iter().map(|(n, r)| node_size(n, *r).1 + GAP_Y).sum();
        CAPTION_H + nodes - GAP_Y + GROUP_PAD
    }
}

pub(super) fn relation_layout(center: &DiagramNode, neighbours: &[(DiagramEdge, DiagramNode)]) -> Layout {
    let mut grouped: BTreeMap<(bool, &str, &str), Vec<&DiagramNode>> = BTreeMap::new();
    for (edge, node) in neighbours {
        let incoming = edge.to == center.id && edge.from != center.id;
        grouped.entry((incoming, edge.label.as_str(), edge.relation.as_str())).or_default().push(node);
    }
    // sides[0]: incoming, drawn left; sides[1]: outgoing, drawn right.
    let mut sides: [Vec<Group>; 2] = Default::default();
    for ((incoming, label, relation), mut list) in grouped {
        sort_unique(&mut list);
        let members = capped(&list, MAX_PER_GROUP);
        let edge =
            DiagramEdge { from: String::new(), to: String::new(), label: label.into(), relation: relation.into() };
        sides[usize::from(!incoming)].push(Group::new(center, incoming, edge, list.len(), members));
    }

    let mut l = Layout {
        prefix: id_prefix("dg", &center.id, &center.id),
        title: format!("Relations of {} ({})", center.label, center.id),
        desc: relation_desc(center, &sides),
        ..Layout::default()
    };
    let col_w = |groups: &[Group]| {
        let widths = groups.iter().flat_map(|g| {
            let caption = text_w(&g.caption, CAPTION_CHAR_W);
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

    // Each group's verb is written on the edge of its middle member, once all boxes are placed.
    let mut labelled = Vec::new();
    for (side, groups) in sides.iter().enumerate() {
        let (x, w) = if side == 0 { (MARGIN + GROUP_PAD, left_w) } else { (right_x, right_w) };
        let mut y = MARGIN + (content_h - side_h(groups)) / 2.0;
        for (gi, group) in groups.iter().enumerate() {
            l.frames.push((x - GROUP_PAD, y, w + GROUP_PAD * 2.0, group.height()));
            l.captions.push(Caption { x, y: y + 16.0, text: group.caption.clone() });
            let port = center_y + center_h * (gi as f64 + 1.0) / (groups.len() as f64 + 1.0);
            let mut node_y = y + CAPTION_H;
            labelled.push(l.edges.len() + group.members.len() / 2);
            for (node, role) in &group.members {
                let b = l.push_box(node.clone(), *role, x, node_y, w);
                let mid = node_y + l.boxes[b].h / 2.0;
                if side == 0 {
                    l.push_edge((b, c), (true, false), (mid, port), &[], &group.edge);
                } else {
                    l.push_edge((c, b), (true, false), (port, mid), &[], &group.edge);
                }
                node_y += l.boxes[b].h + GAP_Y;
            }
            y += group.height() + GROUP_GAP;
        }
    }
    let mut taken: Vec<(f64, f64, f64, f64)> = l.boxes.iter().map(|b| (b.x, b.y, b.w, b.h)).collect();
    taken.extend(l.frames.iter().copied());
    let height = l.height;
    for e in labelled {
        let edge = &mut l.edges[e];
        edge.label = super::layered::place_label(&edge.points[..4], &edge.text, height, &mut taken);
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
                let _ = write!(desc, "{n}, each “{}” {}: {list}. ", g.edge.label, center.id);
            } else {
                let _ = write!(desc, "{} “{}” {n}: {list}. ", center.id, g.edge.label);
            }
        }
    }
    desc.trim_end().to_owned()
}
