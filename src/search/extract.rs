//! The searchable documents of a portal: entities, docs sections and API operations.
//!
//! Input: a [`Portal`]. Output: [`Doc`]s in a fixed order (the *ordinal* of a document, its
//! identity in the index, the exported files and the browser; also the order of equal scores):
//! first every entity, in reference order (so by kind); then the API operations, then the docs
//! sections, each by the words of their title, sorted (`GET /deploys` of every API together;
//! `Deploy Canary` and `Canary Deploy Limit` neighbours), ties in portal order (per entity its
//! operations, then its docs sites; sites whose entity is missing last). What a search finds
//! is then close together, in few result metadata chunks: entities of one kind, the same
//! operation of many APIs, docs sections sharing title words — the best results of a query of
//! several words have several of them in their title. Text extraction runs in parallel
//! (rayon); the output does not depend on the thread count.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::html::{self, excerpt};
use super::tokenize::phrase_terms;
use super::{FILTER_KEYS, Field, Meta};
use crate::catalog::kinds::{OWNED_BY, PART_OF};
use crate::catalog::{Entity, EntityRef};
use crate::docs::{DocPage, DocSite};
use crate::render::views::entity_path;
use crate::resolve::Portal;

/// Characters of an excerpt.
const EXCERPT_CHARS: usize = 64;

/// One searchable document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Doc {
    pub meta: Meta,
    /// Values of each text field ([`Field`] order).
    pub text: [Vec<String>; Field::TEXT.len()],
    /// Whole lower-case names this document is found by exactly (entities: name and reference).
    pub exact: Vec<String>,
    /// Filter values: (index into [`FILTER_KEYS`], lower-case value). Shared: the documents of
    /// an entity inherit its values, and a copy each would be a tenth of the documents' memory.
    pub filters: Vec<(usize, Arc<str>)>,
    /// Whether the document is an entity (they come first).
    pub entity: bool,
}

impl Doc {
    fn push(&mut self, field: Field, value: impl Into<String>) {
        let value = value.into();
        if !value.trim().is_empty() {
            self.text[field as usize].push(value);
        }
    }

    fn filter(&mut self, key: &str, value: &str) {
        if let Some(value) = filter_value(key, value) {
            self.filter_shared(&value);
        }
    }

    fn filter_shared(&mut self, value: &(usize, Arc<str>)) {
        if !self.filters.contains(value) {
            self.filters.push(value.clone());
        }
    }
}

/// What documents of an entity inherit from it.
struct Context {
    owner_label: Option<String>,
    owner_names: Vec<String>,
    /// The filter values documents inherit (owner, system, lifecycle, namespace, tags).
    filters: Vec<(usize, Arc<str>)>,
}

/// A filter value as stored: (index into [`FILTER_KEYS`], trimmed lower-case value), or `None`
/// when empty.
fn filter_value(key: &str, value: &str) -> Option<(usize, Arc<str>)> {
    let index = FILTER_KEYS.iter().position(|k| *k == key).expect("known filter key");
    let value = value.trim().to_lowercase();
    (!value.is_empty()).then(|| (index, value.into()))
}

impl Context {
    fn apply(&self, doc: &mut Doc) {
        for owner in &self.owner_names {
            doc.push(Field::Owner, owner.clone());
        }
        doc.meta.owner = self.owner_label.clone();
        for value in &self.filters {
            doc.filter_shared(value);
        }
    }
}

/// Documents extracted together, in portal order.
enum Piece<'a> {
    /// The operations of an API.
    Operations(&'a Entity),
    /// Pages of a docs site, with its entity (`None` when missing).
    Pages(Option<&'a Entity>, &'a DocSite, std::ops::Range<usize>),
    /// The tabs plugins gave an entity.
    Tabs(&'a Entity),
    /// A search document of a plugin.
    PluginDoc(&'a crate::plugins::SearchDoc),
}

/// The documents of a portal in batches, extracted one batch at a time, so that the index
/// never holds the text of the whole portal: batch `i` is [`Batches::docs`]`(i)`. Batches are
/// in portal order (entities, then per entity its operations and docs sections, then sites
/// whose entity is missing); the index puts the documents in ordinal order with [`order_key`].
pub(crate) struct Batches<'a> {
    portal: &'a Portal,
    entities: Vec<&'a Entity>,
    pieces: Vec<Piece<'a>>,
    /// Every batch: a range of `entities` (`true`) or of `pieces`.
    batches: Vec<(bool, std::ops::Range<usize>)>,
}

/// Documents per batch, estimated: a batch is tokenized as one chunk (its own term table), so
/// batches are large, yet several per thread so that threads stay busy.
fn batch_weight(total: usize) -> usize {
    total.div_ceil(rayon::current_num_threads().max(1) * 8).clamp(64, 2048)
}

/// Sections per docs page, estimated (only to size batches).
const SECTIONS_PER_PAGE: usize = 4;

/// Splits `weights` into consecutive ranges of about `target` each.
fn split(
    weights: impl Iterator<Item = usize>,
    target: usize,
    what: bool,
    out: &mut Vec<(bool, std::ops::Range<usize>)>,
) {
    let (mut start, mut sum, mut end) = (0, 0, 0);
    for w in weights {
        end += 1;
        sum += w;
        if sum >= target {
            out.push((what, start..end));
            (start, sum) = (end, 0);
        }
    }
    if start < end {
        out.push((what, start..end));
    }
}

impl<'a> Batches<'a> {
    pub(crate) fn new(portal: &'a Portal) -> Self {
        let mut sites_of: BTreeMap<&EntityRef, Vec<&DocSite>> = BTreeMap::new();
        let mut orphans = Vec::new();
        for site in &portal.docs.sites {
            if portal.entities.contains_key(&site.entity) {
                sites_of.entry(&site.entity).or_default().push(site);
            } else {
                orphans.push(site);
            }
        }
        let entities: Vec<&Entity> = portal.entities.values().map(|e| &**e).collect();
        let total = entities.len()
            + portal.apis.values().map(|a| a.operations.len()).sum::<usize>()
            + portal.docs.sites.iter().map(|s| s.pages.len() * SECTIONS_PER_PAGE).sum::<usize>();
        let target = batch_weight(total);
        // A large site is split so that one batch never holds much more than `target`.
        let pages_per_piece = (target / SECTIONS_PER_PAGE).max(1);
        let mut pieces = Vec::new();
        let site_pieces = |entity: Option<&'a Entity>, site: &'a DocSite, pieces: &mut Vec<Piece<'a>>| {
            for start in (0..site.pages.len()).step_by(pages_per_piece) {
                pieces.push(Piece::Pages(entity, site, start..(start + pages_per_piece).min(site.pages.len())));
            }
        };
        for entity in &entities {
            if entity.kind.eq_ignore_ascii_case("api") {
                pieces.push(Piece::Operations(entity));
            }
            for site in sites_of.remove(&entity.entity_ref).unwrap_or_default() {
                site_pieces(Some(entity), site, &mut pieces);
            }
            if portal.plugins.tabs.contains_key(&entity.entity_ref) {
                pieces.push(Piece::Tabs(entity));
            }
        }
        pieces.extend(portal.plugins.search_docs.iter().map(Piece::PluginDoc));
        for site in orphans {
            site_pieces(None, site, &mut pieces);
        }
        let weight = |piece: &Piece| match piece {
            Piece::Operations(api) => 1 + portal.apis.get(&api.entity_ref).map_or(0, |a| a.operations.len()),
            Piece::Pages(_, _, pages) => pages.len() * SECTIONS_PER_PAGE,
            Piece::Tabs(_) | Piece::PluginDoc(_) => 1,
        };
        let mut batches = Vec::new();
        split(entities.iter().map(|_| 1), target, true, &mut batches);
        split(pieces.iter().map(weight), target, false, &mut batches);
        Batches { portal, entities, pieces, batches }
    }

    pub(crate) fn len(&self) -> usize {
        self.batches.len()
    }

    /// The documents of batch `i`, in portal order. Text extraction runs in parallel.
    pub(crate) fn docs(&self, i: usize) -> Vec<Doc> {
        let portal = self.portal;
        let (entities, range) = &self.batches[i];
        if *entities {
            return self.entities[range.clone()]
                .par_iter()
                .map(|entity| {
                    let mut doc = entity_doc(portal, entity, &context(portal, entity));
                    doc.entity = true;
                    doc
                })
                .collect();
        }
        let none = Context { owner_label: None, owner_names: Vec::new(), filters: Vec::new() };
        self.pieces[range.clone()]
            .par_iter()
            .flat_map_iter(|piece| match piece {
                Piece::Operations(api) => operation_docs(portal, api, &context(portal, api)),
                Piece::Tabs(entity) => tab_docs(portal, entity),
                Piece::PluginDoc(doc) => vec![plugin_doc(portal, doc)],
                Piece::Pages(entity, site, pages) => {
                    let context = entity.map(|e| context(portal, e));
                    site.pages[pages.clone()]
                        .par_iter()
                        .flat_map_iter(|page| page_docs(site, page, *entity, context.as_ref().unwrap_or(&none)))
                        .collect()
                }
            })
            .collect()
    }
}

/// Where a document goes among the documents: entities first (`None`, in portal order), then
/// operations, then docs sections, each by the words of their title, sorted; ties in portal
/// order.
pub(crate) fn order_key(doc: &Doc) -> Option<(bool, String)> {
    (!doc.entity).then(|| {
        let mut words = phrase_terms(&doc.meta.title);
        words.sort_unstable();
        (doc.meta.kind != "operation", words.join(" "))
    })
}

/// Every document of `portal`, in ordinal order (all at once: for tests).
#[cfg(test)]
pub(crate) fn documents(portal: &Portal) -> Vec<Doc> {
    let batches = Batches::new(portal);
    let all: Vec<Doc> = (0..batches.len()).flat_map(|i| batches.docs(i)).collect();
    let keys: Vec<Option<(bool, String)>> = all.iter().map(order_key).collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    // `None` (entities) sorts first; the sort is stable.
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut slots: Vec<Option<Doc>> = all.into_iter().map(Some).collect();
    order.into_iter().map(|i| slots[i].take().expect("each document once")).collect()
}

/// How an entity is shown as an owner: its name, with the namespace unless it is `default`.
fn ref_label(portal: &Portal, r: &EntityRef) -> String {
    let name = portal.entities.get(r).map_or(r.name.as_str(), |e| e.name.as_str());
    if r.namespace == crate::catalog::entity_ref::DEFAULT_NAMESPACE {
        name.to_owned()
    } else {
        format!("{}/{name}", r.namespace)
    }
}

fn context(portal: &Portal, entity: &Entity) -> Context {
    let owner = portal.targets(&entity.entity_ref, OWNED_BY).next();
    let mut owner_names = Vec::new();
    let mut owner_filters = Vec::new();
    if let Some(owner) = owner {
        owner_names.push(ref_label(portal, owner));
        if let Some(e) = portal.entities.get(owner)
            && e.display_name() != e.name
        {
            owner_names.push(e.display_name().to_owned());
        }
        owner_filters = ref_filters(owner);
    }
    let system_filters: Vec<String> =
        portal.targets(&entity.entity_ref, PART_OF).filter(|r| r.kind == "system").flat_map(ref_filters).collect();
    let mut filters: Vec<(usize, Arc<str>)> = Vec::new();
    let values = owner_filters
        .iter()
        .map(|v| ("owner", v.as_str()))
        .chain(system_filters.iter().map(|v| ("system", v.as_str())))
        .chain(entity.spec_str("lifecycle").map(|v| ("lifecycle", v)))
        .chain([("namespace", entity.namespace.as_str())])
        .chain(entity.tags.iter().map(|v| ("tag", v.as_str())));
    for (key, value) in values {
        if let Some(value) = filter_value(key, value)
            && !filters.contains(&value)
        {
            filters.push(value);
        }
    }
    Context { owner_label: owner.map(|o| ref_label(portal, o)), owner_names, filters }
}

/// Filter values naming `r`: `name`, `kind:name` (default namespace), `kind:namespace/name`.
fn ref_filters(r: &EntityRef) -> Vec<String> {
    let mut out = vec![r.name.clone(), r.to_string()];
    if r.namespace == crate::catalog::entity_ref::DEFAULT_NAMESPACE {
        out.push(format!("{}:{}", r.kind, r.name));
    } else {
        out.push(format!("{}/{}", r.namespace, r.name));
    }
    out
}

fn entity_doc(portal: &Portal, entity: &Entity, context: &Context) -> Doc {
    let mut doc = Doc::default();
    doc.push(Field::Name, entity.name.clone());
    if entity.display_name() != entity.name {
        doc.push(Field::Title, entity.display_name().to_owned());
    }
    for tag in &entity.tags {
        doc.push(Field::Tags, tag.clone());
    }
    context.apply(&mut doc);
    let spec_type = entity.spec_str("type");
    doc.push(Field::Meta, entity.kind.clone());
    for value in [spec_type, entity.spec_str("lifecycle")].into_iter().flatten() {
        doc.push(Field::Meta, value.to_owned());
    }
    for system in portal.targets(&entity.entity_ref, PART_OF) {
        doc.push(Field::Meta, system.name.clone());
    }
    if entity.namespace != crate::catalog::entity_ref::DEFAULT_NAMESPACE {
        doc.push(Field::Meta, entity.namespace.clone());
    }
    let description = entity.description.clone().unwrap_or_default();
    doc.push(Field::Body, description.clone());
    doc.exact = vec![entity.name.to_lowercase(), entity.entity_ref.to_string()];
    doc.filter("kind", &entity.kind);
    if let Some(t) = spec_type {
        doc.filter("type", t);
    }
    doc.meta = Meta {
        kind: entity.kind.clone(),
        title: entity.display_name().to_owned(),
        url: entity_path(entity),
        owner: context.owner_label.clone(),
        context: spec_type.map(str::to_owned),
        excerpt: excerpt(&description, EXCERPT_CHARS),
    };
    doc
}

/// The operations of `api`'s reference, as the resolve stage rendered it.
fn operation_docs(portal: &Portal, api: &Entity, context: &Context) -> Vec<Doc> {
    let Some(reference) = portal.apis.get(&api.entity_ref) else { return Vec::new() };
    let base = entity_path(api);
    reference
        .operations
        .iter()
        .map(|op| {
            let mut doc = Doc::default();
            doc.push(Field::Name, op.id.strip_prefix("op-").unwrap_or(&op.id).to_owned());
            doc.push(Field::Name, op.path.clone());
            doc.push(Field::Title, op.summary.clone());
            for tag in &op.tags {
                doc.push(Field::Tags, tag.clone());
            }
            context.apply(&mut doc);
            doc.push(Field::Meta, op.method.clone());
            doc.push(Field::Meta, api.name.clone());
            if api.display_name() != api.name {
                doc.push(Field::Meta, api.display_name().to_owned());
            }
            doc.filter("kind", "operation");
            doc.meta = Meta {
                kind: "operation".to_owned(),
                title: format!("{} {}", op.method, op.path).trim().to_owned(),
                url: format!("{base}definition/#{}", op.id),
                owner: context.owner_label.clone(),
                context: Some(api.display_name().to_owned()),
                excerpt: excerpt(&op.summary, EXCERPT_CHARS),
            };
            doc
        })
        .collect()
}

/// The tabs plugins gave `entity` (those its page shows), one document each.
fn tab_docs(portal: &Portal, entity: &Entity) -> Vec<Doc> {
    let Some(panels) = portal.plugins.tabs.get(&entity.entity_ref) else { return Vec::new() };
    let context = context(portal, entity);
    panels
        .iter()
        .map(|tab| {
            let body: Vec<String> = tab.blocks.iter().map(crate::plugins::blocks::text).collect();
            let body = body.join(" ");
            let mut doc = Doc::default();
            doc.push(Field::Title, tab.title.clone());
            context.apply(&mut doc);
            doc.push(Field::Meta, entity.name.clone());
            if entity.display_name() != entity.name {
                doc.push(Field::Meta, entity.display_name().to_owned());
            }
            doc.push(Field::Meta, tab.plugin.clone());
            doc.push(Field::Body, body.clone());
            doc.filter("kind", "tab");
            doc.meta = Meta {
                kind: "tab".to_owned(),
                title: tab.title.clone(),
                url: format!("{}{}/", entity_path(entity), tab.id),
                owner: context.owner_label.clone(),
                context: Some(entity.display_name().to_owned()),
                excerpt: excerpt(&body, EXCERPT_CHARS),
            };
            doc
        })
        .collect()
}

/// A search document a plugin added.
fn plugin_doc(portal: &Portal, plugin_doc: &crate::plugins::SearchDoc) -> Doc {
    let entity = plugin_doc.entity.as_ref().and_then(|r| portal.entities.get(r));
    let context = match entity {
        Some(e) => context(portal, e),
        None => Context { owner_label: None, owner_names: Vec::new(), filters: Vec::new() },
    };
    let mut doc = Doc::default();
    doc.push(Field::Title, plugin_doc.title.clone());
    context.apply(&mut doc);
    if let Some(e) = entity {
        doc.push(Field::Meta, e.name.clone());
    }
    doc.push(Field::Meta, plugin_doc.plugin.clone());
    doc.push(Field::Body, plugin_doc.text.clone());
    doc.filter("kind", "plugin");
    doc.meta = Meta {
        kind: "plugin".to_owned(),
        title: plugin_doc.title.clone(),
        url: plugin_doc.url.clone(),
        owner: context.owner_label.clone(),
        context: Some(entity.map_or_else(|| plugin_doc.plugin.clone(), |e| e.display_name().to_owned())),
        excerpt: excerpt(&plugin_doc.text, EXCERPT_CHARS),
    };
    doc
}

fn page_docs(site: &DocSite, page: &DocPage, entity: Option<&Entity>, context: &Context) -> Vec<Doc> {
    let page_url = format!("{}{}", site.url_base, page.url);
    html::sections(&page.html(), &page.headings)
        .into_iter()
        .map(|section| {
            let top = section.heading.is_none_or(|h| h.level == 1);
            let title = match section.heading {
                Some(h) if !top => h.text.clone(),
                _ => page.title.clone(),
            };
            let mut doc = Doc::default();
            doc.push(Field::Title, title.clone());
            for tag in &page.tags {
                doc.push(Field::Tags, tag.clone());
            }
            context.apply(&mut doc);
            doc.push(Field::Meta, site.site_name.clone());
            if let Some(e) = entity {
                doc.push(Field::Meta, e.name.clone());
                if e.display_name() != e.name {
                    doc.push(Field::Meta, e.display_name().to_owned());
                }
            }
            if !top {
                doc.push(Field::Meta, page.title.clone());
            } else if let Some(description) = &page.description {
                doc.push(Field::Body, description.clone());
            }
            doc.push(Field::Body, section.text.clone());
            doc.filter("kind", "docs");
            let context_label =
                if top { site.site_name.clone() } else { format!("{} › {}", site.site_name, page.title) };
            doc.meta = Meta {
                kind: "docs".to_owned(),
                title,
                url: match section.heading {
                    Some(h) if !top => format!("{page_url}#{}", h.id),
                    _ => page_url.clone(),
                },
                owner: context.owner_label.clone(),
                context: Some(context_label),
                excerpt: excerpt(&section.text, EXCERPT_CHARS),
            };
            doc
        })
        .collect()
}
