//! The system diagram: a system's entities in layers by kind, with the edges between them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::layered::{Layered, place};
use super::*;

const LAYER_NAMES: [&str; 4] = ["Components", "APIs", "Resources", "Other"];

fn layer_of(kind: &str) -> usize {
    ["component", "api", "resource"].iter().position(|k| kind.eq_ignore_ascii_case(k)).unwrap_or(3)
}

pub(super) fn system_layout(title: &str, nodes: &[DiagramNode], edges: &[DiagramEdge]) -> Layout {
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
    let mut links: BTreeSet<(usize, usize, &DiagramEdge)> = BTreeSet::new();
    for e in edges {
        if let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&e.to))
            && a != b
        {
            links.insert((a, b, e));
        }
    }
    let links: Vec<(usize, usize, &DiagramEdge)> = links.into_iter().collect();
    let mut l = Layout {
        prefix: id_prefix("dgs", title, &key),
        title: title.to_owned(),
        desc: system_desc(title, &by_kind, &all, &links),
        ..Layout::default()
    };
    place(&mut l, Layered { all, column_of, layers, links, names: Some(names) });
    l
}

fn system_desc(
    title: &str,
    by_kind: &[Vec<&DiagramNode>; 4],
    all: &[(DiagramNode, Role)],
    links: &[(usize, usize, &DiagramEdge)],
) -> String {
    let kinds = [("component", "components"), ("API", "APIs"), ("resource", "resources"), ("other entity", "others")];
    let counts: Vec<String> = by_kind
        .iter()
        .zip(kinds)
        .filter(|(list, _)| !list.is_empty())
        .map(|(list, (one, many))| plural(list.len(), one, many))
        .collect();
    let mut desc = format!("{title}: {}; {}.", counts.join(", "), plural(links.len(), "relation", "relations"));
    for &(a, b, e) in links.iter().take(20) {
        let _ = write!(desc, " {} {} {}.", all[a].0.label, e.label, all[b].0.label);
    }
    if links.len() > 20 {
        let _ = write!(desc, " And {} more.", plural(links.len() - 20, "relation", "relations"));
    }
    desc
}
