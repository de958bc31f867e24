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

/// The entity and its direct neighbours, by relation.
pub fn entity_diagram(portal: &Portal, config: &Config, r: &EntityRef) -> String {
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
        return String::new();
    }
    relation_diagram(&center, &neighbours)
}

/// A system's components, APIs and resources and the relations between them.
pub fn system(portal: &Portal, config: &Config, system: &EntityRef) -> String {
    let parts: Vec<&EntityRef> =
        portal.targets(system, "hasPart").filter(|p| portal.entities.contains_key(*p)).collect();
    if parts.is_empty() {
        return String::new();
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
    system_diagram(&title, &nodes, &edges)
}
