//! The catalog graph page of an entity, `catalog/<ns>/<kind>/<name>/graph/`: its neighbourhood
//! over several hops, like Backstage's catalog-graph page, with a depth and relation filters.
//!
//! Input: the [`Portal`]. Output: for each entity with relations beyond one hop, a page with the
//! graph drawn at build time at [`DEFAULT_DEPTH`] (it works without JavaScript) and the
//! neighbourhood to [`MAX_DEPTH`] hops as JSON, from which the theme's `graph.js` draws the graph
//! again when the depth or the relation types change (one small layout, not one drawing per
//! combination: 3 depths x 2^7 relation sets would not be bounded).
//!
//! Invariants: the neighbourhood is found breadth first, nearest entities first, and holds at
//! most [`MAX_NODES`] entities, so a page stays small whatever the size of the catalog (the page
//! says when it is cut); each relation pair is one edge, drawn one way ([`super::diagrams::PAIRS`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::diagram::{DiagramEdge, DiagramNode, graph_diagram};
use super::diagrams::{self, orient, verb};
use super::tabs::TabEntity;
use crate::catalog::{Entity, EntityRef};
use crate::config::Config;
use crate::resolve::Portal;

/// The depth drawn at build time.
pub const DEFAULT_DEPTH: usize = 2;
/// The deepest the page can show.
pub const MAX_DEPTH: usize = 3;
/// Most entities in a graph page.
pub const MAX_NODES: usize = 30;
/// Past this many relations, an entity other than the graph's own is shown but not followed.
const HUB_EXPAND: usize = 24;
/// Past this many relations, an entity's edges are found from the other ends (inverses are
/// stored on both), so a team owning thousands of entities costs no more than its neighbours.
const HUB_DEGREE: usize = 400;

/// An entity's neighbourhood: what a graph page shows, before it is drawn.
#[derive(Clone, Debug, Serialize)]
pub struct Neighbourhood {
    pub center: String,
    /// Nearest first; the center first, at depth 0.
    pub nodes: Vec<(DiagramNode, usize)>,
    pub edges: Vec<DiagramEdge>,
    /// Whether entities were left out at [`MAX_NODES`].
    pub capped: bool,
}

impl Neighbourhood {
    /// Whether the graph shows more than the entity page's diagram (relations beyond one hop).
    pub fn beyond_one_hop(&self) -> bool {
        self.nodes.iter().any(|(_, depth)| *depth >= 2)
    }

    /// The graph down to `depth` hops over every relation type.
    fn draw(&self, depth: usize) -> String {
        let nodes: Vec<DiagramNode> = self.nodes.iter().filter(|(_, d)| *d <= depth).map(|(n, _)| n.clone()).collect();
        let shown: BTreeSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
        let edges: Vec<DiagramEdge> = self
            .edges
            .iter()
            .filter(|e| shown.contains(e.from.as_str()) && shown.contains(e.to.as_str()))
            .cloned()
            .collect();
        graph_diagram(&self.center, &nodes, &edges)
    }
}

/// The neighbourhood of `r` to [`MAX_DEPTH`] hops, at most [`MAX_NODES`] entities: each hop
/// takes the unseen ends of the relations of the entities found at the hop before, in catalog
/// order, until the cap. Entities missing from the catalog are drawn dashed and not followed;
/// groups and users other than `r` are ends too: a team links every entity it owns, so going
/// through it would fill every graph with the team's other entities (they are on its own
/// graph), and so is an entity with more than [`HUB_EXPAND`] relations (a library everything
/// depends on).
pub fn neighbourhood<'a>(portal: &'a Portal, config: &Config, r: &'a EntityRef) -> Neighbourhood {
    let mut depth_of: rustc_hash::FxHashMap<&EntityRef, usize> = [(r, 0)].into_iter().collect();
    let mut order: Vec<&EntityRef> = vec![r];
    let mut frontier: Vec<&EntityRef> = vec![r];
    let mut capped = false;
    let degree = |e: &EntityRef| portal.relations.get(e).map_or(0, BTreeSet::len);
    // Found by reference and named once at the end: most relations are met from both ends.
    let mut edges: rustc_hash::FxHashSet<(&EntityRef, &EntityRef, &str)> = Default::default();
    let mut add = |from: &'a EntityRef, kind: &'static str, to: &'a EntityRef| {
        let (drawn, reversed) = orient(kind);
        let (a, b) = if reversed { (to, from) } else { (from, to) };
        edges.insert((a, b, drawn));
    };
    'hops: for depth in 1..=MAX_DEPTH {
        let mut next = Vec::new();
        for from in &frontier {
            if depth > 1 && (matches!(from.kind.as_str(), "group" | "user") || degree(from) > HUB_EXPAND) {
                continue;
            }
            for rel in portal.relations_of(from) {
                if !depth_of.contains_key(&rel.target) {
                    if order.len() >= MAX_NODES {
                        capped = true;
                        break 'hops;
                    }
                    depth_of.insert(&rel.target, depth);
                    order.push(&rel.target);
                    next.push(&rel.target);
                }
                add(from, rel.kind, &rel.target);
            }
        }
        frontier = next;
    }
    // The other edges between the entities found (from the last hop, or left when the cap was
    // reached): each relation from its end with fewer relations.
    let hubs: Vec<&EntityRef> = order.iter().copied().filter(|e| degree(e) > HUB_DEGREE).collect();
    for from in order.iter().filter(|e| degree(e) <= HUB_DEGREE) {
        for rel in portal.relations_of(from) {
            if depth_of.contains_key(&rel.target) {
                add(from, rel.kind, &rel.target);
            }
        }
    }
    for a in &hubs {
        for b in &hubs {
            for rel in portal.relations_of(a).filter(|rel| rel.target == **b) {
                add(a, rel.kind, b);
            }
        }
    }
    let mut edges: Vec<(String, String, &str)> =
        edges.into_iter().map(|(from, to, drawn)| (from.to_string(), to.to_string(), drawn)).collect();
    edges.sort_unstable();
    Neighbourhood {
        center: r.to_string(),
        nodes: order.iter().map(|e| (diagrams::node(portal, config, e), depth_of[e])).collect(),
        edges: edges
            .into_iter()
            .map(|(from, to, drawn)| DiagramEdge {
                from,
                to,
                label: verb(drawn).to_owned(),
                relation: drawn.to_owned(),
            })
            .collect(),
        capped,
    }
}

/// A relation type's checkbox.
#[derive(Serialize)]
struct RelationFilter {
    id: String,
    /// The verb on its arrows.
    label: String,
    count: usize,
}

/// The context of `entity-graph.html`.
#[derive(Serialize)]
pub struct GraphPage<'a> {
    entity: TabEntity<'a>,
    /// Inline SVG at [`DEFAULT_DEPTH`] (trusted markup generated by Portico).
    svg: String,
    /// The neighbourhood as JSON for `graph.js`, safe inside `<script type="application/json">`.
    data: String,
    depth: usize,
    depths: Vec<usize>,
    relations: Vec<RelationFilter>,
    /// Entities in the data, and at the default depth.
    nodes: usize,
    shown: usize,
    capped: bool,
    max_nodes: usize,
}

/// The page of `n`, the neighbourhood of `entity`.
pub fn page<'a>(entity: &'a Entity, n: &Neighbourhood) -> GraphPage<'a> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &n.edges {
        *counts.entry(e.relation.as_str()).or_default() += 1;
    }
    // Pairs in their order, then any other type.
    let known = diagrams::PAIRS.iter().map(|(drawn, _, _)| *drawn).filter(|d| counts.contains_key(d));
    let others = counts.keys().copied().filter(|k| !diagrams::PAIRS.iter().any(|(d, _, _)| d == k));
    let relations = known
        .chain(others)
        .map(|id| RelationFilter { id: id.to_owned(), label: verb(id).to_owned(), count: counts[id] })
        .collect();
    GraphPage {
        entity: TabEntity::of(entity),
        svg: n.draw(DEFAULT_DEPTH),
        data: data_json(n),
        depth: DEFAULT_DEPTH,
        depths: (1..=MAX_DEPTH).collect(),
        relations,
        nodes: n.nodes.len(),
        shown: n.nodes.iter().filter(|(_, d)| *d <= DEFAULT_DEPTH).count(),
        capped: n.capped,
        max_nodes: MAX_NODES,
    }
}

/// `{"center": 0, "nodes": [{id, label, kind, sub?, url?}], "edges": [[from, to, type]],
/// "verbs": {type: verb}}`, nodes by index; `<` escaped so no string can end the script element.
fn data_json(n: &Neighbourhood) -> String {
    let index: BTreeMap<&str, usize> = n.nodes.iter().enumerate().map(|(i, (node, _))| (node.id.as_str(), i)).collect();
    let nodes: Vec<serde_json::Value> = n
        .nodes
        .iter()
        .map(|(node, _)| {
            let mut v = serde_json::json!({ "id": node.id, "label": node.label, "kind": node.kind });
            if let Some(sub) = &node.subtitle {
                v["sub"] = sub.as_str().into();
            }
            if let Some(url) = &node.url {
                v["url"] = url.as_str().into();
            }
            v
        })
        .collect();
    let edges: Vec<(usize, usize, &str)> =
        n.edges.iter().map(|e| (index[e.from.as_str()], index[e.to.as_str()], e.relation.as_str())).collect();
    let verbs: BTreeMap<&str, &str> = n.edges.iter().map(|e| (e.relation.as_str(), e.label.as_str())).collect();
    let json = serde_json::json!({ "center": 0, "nodes": nodes, "edges": edges, "verbs": verbs });
    json.to_string().replace('<', "\\u003c")
}

/// The URL of `entity`'s graph page, relative to the base path.
pub fn url(entity: &Entity) -> String {
    format!("{}graph/", super::views::entity_path(entity))
}
