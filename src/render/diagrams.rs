//! The catalog's diagrams: which entities and edges an entity page and a system page draw.
//!
//! Input: the [`Portal`]. Output: inline SVG from [`super::diagram`] (the layout and drawing).
//! Relations are drawn in their reading direction: an entity's outgoing relations (`dependsOn`,
//! `providesApi`, `partOf`, `ownedBy`, ...) on the right, and the inverses stored on it
//! (`dependencyOf`, `apiProvidedBy`, `hasPart`, `ownerOf`, ...) as the other entity's forward
//! relation pointing at it, on the left.

use super::diagram::{DiagramEdge, DiagramNode, relation_diagram, system_diagram};
use super::views::relation_label;
use crate::catalog::EntityRef;
use crate::config::Config;
use crate::resolve::Portal;

/// The forward relation of an inverse one (`dependencyOf` -> `dependsOn`).
fn forward_of(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "ownerOf" => "ownedBy",
        "hasPart" => "partOf",
        "dependencyOf" => "dependsOn",
        "apiProvidedBy" => "providesApi",
        "apiConsumedBy" => "consumesApi",
        "hasMember" => "memberOf",
        "parentOf" => "childOf",
        _ => return None,
    })
}

fn node(portal: &Portal, config: &Config, r: &EntityRef) -> DiagramNode {
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
            let edge = match forward_of(rel.kind) {
                Some(forward) => DiagramEdge {
                    from: other.id.clone(),
                    to: center.id.clone(),
                    label: relation_label(forward).to_owned(),
                },
                None => DiagramEdge {
                    from: center.id.clone(),
                    to: other.id.clone(),
                    label: relation_label(rel.kind).to_owned(),
                },
            };
            (edge, other)
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
            if forward_of(rel.kind).is_none()
                && matches!(rel.kind, "dependsOn" | "providesApi" | "consumesApi" | "partOf")
                && parts.contains(&&rel.target)
            {
                edges.push(DiagramEdge {
                    from: p.to_string(),
                    to: rel.target.to_string(),
                    label: relation_label(rel.kind).to_owned(),
                });
            }
        }
    }
    let title = portal.entities.get(system).map_or_else(|| system.to_string(), |e| e.display_name().to_owned());
    Some(DiagramInput::System { title, nodes, edges })
}
