//! The catalog's diagrams: which entities and edges an entity page and a system page draw.
//!
//! Input: the [`Portal`]. Output: inline SVG from [`super::diagram`] (the layout and drawing).
//! Each relation pair is drawn one way ([`PAIRS`]), labelled with a verb that reads in the arrow's
//! direction: in an entity's diagram, arrows pointing at the entity come from the left, arrows
//! leaving it go to the right.

use super::diagram::{DiagramEdge, DiagramNode, relation_diagram, system_diagram};
use crate::catalog::EntityRef;
use crate::config::Config;
use crate::resolve::Portal;

/// Backstage's relation pairs, each drawn one way only: the first of the pair, as Backstage's
/// catalog graph draws it, so a diagram reads as a flow (owner -> system -> consumer -> API ->
/// provider -> dependency). The verb reads from the arrow's tail to its head: "Team A owns
/// Orders", "Orders API provided by Orders service", "Customer BFF depends on Order service".
pub const PAIRS: [(&str, &str, &str); 7] = [
    ("ownerOf", "ownedBy", "owns"),
    ("hasPart", "partOf", "has part"),
    ("consumesApi", "apiConsumedBy", "consumes API"),
    ("apiProvidedBy", "providesApi", "provided by"),
    ("dependsOn", "dependencyOf", "depends on"),
    ("parentOf", "childOf", "parent of"),
    ("hasMember", "memberOf", "has member"),
];

/// How a relation stored on an entity is drawn: the relation type of the arrow, and whether the
/// arrow points at the entity (the stored type is the second of its pair). A type outside the
/// pairs is drawn as stored, leaving the entity.
pub fn orient(kind: &str) -> (&str, bool) {
    match PAIRS.iter().find(|(drawn, inverse, _)| *drawn == kind || *inverse == kind) {
        Some((drawn, inverse, _)) => (drawn, *inverse == kind),
        None => (kind, false),
    }
}

/// The label of an arrow of relation type `drawn` (see [`PAIRS`]).
pub fn verb(drawn: &str) -> &str {
    PAIRS.iter().find(|(d, _, _)| *d == drawn).map_or(drawn, |(_, _, verb)| verb)
}

/// The edge drawn for the relation `kind` stored on `entity` towards `other`.
pub fn edge(entity: &str, kind: &str, other: &str) -> DiagramEdge {
    let (drawn, reversed) = orient(kind);
    let (from, to) = if reversed { (other, entity) } else { (entity, other) };
    DiagramEdge { from: from.to_owned(), to: to.to_owned(), label: verb(drawn).to_owned(), relation: drawn.to_owned() }
}

pub(super) fn node(portal: &Portal, config: &Config, r: &EntityRef) -> DiagramNode {
    match portal.entities.get(r) {
        Some(e) => DiagramNode {
            id: r.to_string(),
            label: e.display_name().to_owned(),
            kind: e.kind.clone(),
            subtitle: e.spec_str("type").map(str::to_owned),
            url: Some(format!("{}{}", config.base_path, super::views::entity_path(e))),
        },
        None => DiagramNode { id: r.to_string(), label: r.short(), kind: r.kind.clone(), subtitle: None, url: None },
    }
}

/// What a diagram shows, before it is laid out and drawn (which costs far more): the render
/// cache compares inputs and draws only diagrams whose input changed.
#[derive(Clone, Debug, serde::Serialize)]
pub enum DiagramInput {
    /// An entity and its direct neighbours.
    Relations { center: DiagramNode, neighbours: Vec<(DiagramEdge, DiagramNode)> },
    /// A system's parts and the edges between them.
    System { title: String, nodes: Vec<DiagramNode>, edges: Vec<DiagramEdge> },
}

impl DiagramInput {
    /// The inline SVG.
    pub fn draw(&self) -> String {
        match self {
            DiagramInput::Relations { center, neighbours } => relation_diagram(center, neighbours),
            DiagramInput::System { title, nodes, edges } => system_diagram(title, nodes, edges),
        }
    }
}

/// The entity and its direct neighbours, by relation.
pub fn entity_diagram(portal: &Portal, config: &Config, r: &EntityRef) -> String {
    entity_input(portal, config, r).map(|d| d.draw()).unwrap_or_default()
}

/// The input of [`entity_diagram`]; `None` when there is nothing to draw.
pub fn entity_input(portal: &Portal, config: &Config, r: &EntityRef) -> Option<DiagramInput> {
    let center = node(portal, config, r);
    let neighbours: Vec<(DiagramEdge, DiagramNode)> = portal
        .relations_of(r)
        .map(|rel| {
            let other = node(portal, config, &rel.target);
            (edge(&center.id, rel.kind, &other.id), other)
        })
        .collect();
    if neighbours.is_empty() {
        return None;
    }
    Some(DiagramInput::Relations { center, neighbours })
}

/// A system's components, APIs and resources and the relations between them.
pub fn system(portal: &Portal, config: &Config, system: &EntityRef) -> String {
    system_input(portal, config, system).map(|d| d.draw()).unwrap_or_default()
}

/// The input of [`system`]; `None` when there is nothing to draw.
pub fn system_input(portal: &Portal, config: &Config, system: &EntityRef) -> Option<DiagramInput> {
    let parts: Vec<&EntityRef> =
        portal.targets(system, "hasPart").filter(|p| portal.entities.contains_key(*p)).collect();
    if parts.is_empty() {
        return None;
    }
    let nodes: Vec<DiagramNode> = parts.iter().map(|p| node(portal, config, p)).collect();
    let mut edges = Vec::new();
    for p in &parts {
        for rel in portal.relations_of(p) {
            // Each pair once: from the side that stores the drawn type.
            if matches!(rel.kind, "dependsOn" | "apiProvidedBy" | "consumesApi" | "hasPart")
                && parts.contains(&&rel.target)
            {
                edges.push(edge(&p.to_string(), rel.kind, &rel.target.to_string()));
            }
        }
    }
    let title = portal.entities.get(system).map_or_else(|| system.to_string(), |e| e.display_name().to_owned());
    Some(DiagramInput::System { title, nodes, edges })
}
