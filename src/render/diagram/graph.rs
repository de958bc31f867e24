//! The catalog graph: an entity's neighbourhood over several hops, in layers along the arrows.
//!
//! Layers follow the edges (longest path from the sources, after turning around the edges that
//! close a cycle), so most arrows point right and a chain such as owner -> system -> consumer ->
//! API -> provider reads left to right. The theme's `graph.js` lays out the same data the same
//! way in the browser when the depth or the relation types change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::layered::{Layered, place};
use super::*;

/// Draws the graph of `nodes` and `edges` around the node `center` (an id of `nodes`). Edges
/// naming an unknown node are skipped.
pub fn graph_diagram(center: &str, nodes: &[DiagramNode], edges: &[DiagramEdge]) -> String {
    render(&graph_layout(center, nodes, edges))
}

pub(super) fn graph_layout(center: &str, nodes: &[DiagramNode], edges: &[DiagramEdge]) -> Layout {
    let mut sorted: Vec<&DiagramNode> = nodes.iter().collect();
    sort_unique(&mut sorted);
    let index: BTreeMap<&str, usize> = sorted.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut links: BTreeSet<(usize, usize, &DiagramEdge)> = BTreeSet::new();
    for e in edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
            && a != b
        {
            links.insert((a, b, e));
        }
    }
    let links: Vec<(usize, usize, &DiagramEdge)> = links.into_iter().collect();
    let rank = ranks(sorted.len(), &links);
    let layer_count = rank.iter().max().map_or(0, |r| r + 1);
    let mut layers = vec![Vec::new(); layer_count];
    for (i, &r) in rank.iter().enumerate() {
        layers[r].push(i);
    }
    let all: Vec<(DiagramNode, Role)> =
        sorted.iter().map(|n| ((*n).clone(), if n.id == center { Role::Center } else { Role::Plain })).collect();
    let title = sorted.iter().find(|n| n.id == center).map_or(center, |n| n.label.as_str());
    let key: String = sorted.iter().map(|n| format!("{}\n", n.id)).collect();
    let mut l = Layout {
        prefix: id_prefix("dgg", center, &key),
        title: format!("Catalog graph of {title} ({center})"),
        desc: graph_desc(&all, &links),
        ..Layout::default()
    };
    place(&mut l, Layered { all, column_of: rank, layers, links, names: None });
    l
}

/// The layer of each of `n` nodes: 0 for a node no edge points at, else one more than the
/// largest layer of the nodes pointing at it, over the edges that remain once each edge closing
/// a cycle (found depth-first, from nodes in order) is turned around.
fn ranks(n: usize, links: &[(usize, usize, &DiagramEdge)]) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b, _) in links {
        out[a].push(b);
    }
    // Depth-first, iteratively: 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut dag: Vec<(usize, usize)> = Vec::with_capacity(links.len());
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = out[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        dag.push((v, w));
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => dag.push((w, v)),
                    _ => dag.push((v, w)),
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Longest path over the acyclic edges, in topological order (Kahn).
    let mut indegree = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &dag {
        succ[a].push(b);
        indegree[b] += 1;
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &w in &succ[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    rank
}

fn graph_desc(all: &[(DiagramNode, Role)], links: &[(usize, usize, &DiagramEdge)]) -> String {
    let mut desc =
        format!("{}, {}.", plural(all.len(), "entity", "entities"), plural(links.len(), "relation", "relations"));
    for &(a, b, e) in links.iter().take(20) {
        let _ = write!(desc, " {} {} {}.", all[a].0.label, e.label, all[b].0.label);
    }
    if links.len() > 20 {
        let _ = write!(desc, " And {} more.", plural(links.len() - 20, "relation", "relations"));
    }
    desc
}
