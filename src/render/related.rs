//! Full relation lists: an entity page shows the first [`LIST_SHOWN`] targets of each relation
//! type; when there are more (a library thousands of components depend on, a team that owns
//! thousands of entities), every target is listed on `<entity page>related/<type>/`, paginated by
//! [`PER_PAGE`] (`related/<type>/page/2/`, ...), so no page grows with the catalog.
//!
//! Input: the entities and their relations. Output: the pages, only for lists longer than
//! [`LIST_SHOWN`] (the URLs [`super::views::related_url`] gives the entity page).

use rayon::prelude::*;
use serde::Serialize;

use super::Renderer;
use super::paginate::{self, Pager};
use super::views::{EntityLink, LIST_SHOWN, ViewBuilder, related_url, relation_label};
use crate::catalog::{Entity, EntityRef};
use crate::diagnostics::Diagnostic;

/// Targets per related page.
pub const PER_PAGE: usize = 500;

/// The context of `related.html`.
#[derive(Serialize)]
struct RelatedPage<'a> {
    entity: &'a EntityLink,
    relation: Relation<'a>,
    targets: Vec<EntityLink>,
    pager: Pager,
}

#[derive(Clone, Copy, Serialize)]
struct Relation<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    label: &'a str,
}

/// The related pages of every entity with a relation list longer than [`LIST_SHOWN`].
pub fn pages(renderer: &Renderer, builder: &ViewBuilder, entities: &[&Entity]) -> Result<(), Box<Diagnostic>> {
    let lists: Vec<(&Entity, &'static str, Vec<&EntityRef>)> = entities
        .iter()
        .flat_map(|e| {
            let mut by_kind: Vec<(&'static str, Vec<&EntityRef>)> = Vec::new();
            for rel in builder.portal.relations_of(&e.entity_ref) {
                match by_kind.last_mut() {
                    Some((k, list)) if *k == rel.kind => list.push(&rel.target),
                    _ => by_kind.push((rel.kind, vec![&rel.target])),
                }
            }
            by_kind.into_iter().filter(|(_, list)| list.len() > LIST_SHOWN).map(move |(k, list)| (*e, k, list))
        })
        .collect();
    lists.par_iter().try_for_each(|(e, kind, targets)| {
        let entity = builder.link(&e.entity_ref);
        let base = related_url(entity.url.as_deref().unwrap_or_default(), kind);
        let relation = Relation { kind, label: relation_label(kind) };
        paginate::paginate(&base, targets.clone(), PER_PAGE)
            .into_iter()
            .map(|(pager, refs)| {
                let targets = refs.into_iter().map(|r| builder.link(r)).collect();
                let view = RelatedPage { entity: &entity, relation, targets, pager };
                renderer.page(paginate::path_of(&view.pager.url), "related.html", &view)
            })
            .collect::<Result<(), _>>()
    })
}
