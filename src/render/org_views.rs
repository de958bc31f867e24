//! The views of Users and Groups, as Backstage's org plugin shows them: the profile card (a
//! User's groups; a Group's parent and children), a Group's members as a table and what it owns
//! as a table, directly or over all its sub-groups (the "Ownership" card's toggle).
//!
//! Input: the [`Portal`]'s ownership views. Output: [`ProfileView`], [`GroupView`], and the
//! pages listing a group's aggregated lists in full (`related/ownerof-aggregated/`,
//! `related/hasmember-aggregated/`), only for lists longer than [`LIST_SHOWN`]. Every list is
//! sorted by reference and holds each entity once; no page grows with the catalog.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::Renderer;
use super::paginate::{self, Pager};
use super::views::{EntityLink, LIST_SHOWN, RelatedRow, ViewBuilder, related_url};
use crate::catalog::kinds::{CHILD_OF, HAS_MEMBER, MEMBER_OF, OWNER_OF, PARENT_OF};
use crate::catalog::{Entity, EntityRef};
use crate::config::OwnershipMode;
use crate::diagnostics::Diagnostic;

/// Relations a Group's page shows on its own cards, so not again in its relation tables.
pub const GROUP_CARD_RELATIONS: [&str; 4] = [OWNER_OF, HAS_MEMBER, PARENT_OF, CHILD_OF];
/// Relations a User's page shows on its profile and ownership cards.
pub const USER_CARD_RELATIONS: [&str; 2] = [MEMBER_OF, OWNER_OF];

/// The relations `kind`'s page shows on its own cards rather than in its relation tables.
pub fn card_relations(kind: &str) -> &'static [&'static str] {
    if kind.eq_ignore_ascii_case("group") {
        &GROUP_CARD_RELATIONS
    } else if kind.eq_ignore_ascii_case("user") {
        &USER_CARD_RELATIONS
    } else {
        &[]
    }
}

/// Entries of a page listing an aggregated list in full.
pub const PER_PAGE: usize = 500;

/// The profile card of a User or Group (`spec.profile`), as Backstage shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileView {
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// An http(s) picture (other schemes are left out by the URL policy).
    pub picture: Option<String>,
    /// Initials, shown without a picture.
    pub initials: String,
    /// A User's groups (`memberOf`), a Group's parent.
    pub groups: Vec<EntityLink>,
    /// A Group's child groups: the first [`LIST_SHOWN`], how many, and the page listing all
    /// when not all are shown.
    pub children: Vec<EntityLink>,
    pub children_count: usize,
    pub children_url: Option<String>,
}

/// A member of a group, as a row of its members table.
#[derive(Clone, Debug, Serialize)]
pub struct MemberRow {
    pub user: EntityLink,
    /// `spec.profile.email`.
    pub email: Option<String>,
    /// The user's description (often their role), its first line.
    pub description: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupView {
    /// `ownership` of portico.yaml: which list of the ownership card shows first.
    pub mode: OwnershipMode,
    /// The first [`LIST_SHOWN`] of `owned` and `members`, their sizes, and the page listing
    /// all of them when not all are shown (the `ownerOf` and `hasMember` related pages).
    pub owned: Vec<EntityLink>,
    pub owned_count: usize,
    pub owned_url: Option<String>,
    /// `owned` as table rows.
    pub owned_rows: Vec<RelatedRow>,
    /// The first [`crate::resolve::AGGREGATE_SHOWN`] of each aggregated list, the size of the
    /// whole list (`*_count`), and the page listing it all when not all are shown.
    pub owned_aggregated: Vec<EntityLink>,
    pub owned_aggregated_count: usize,
    pub owned_aggregated_url: Option<String>,
    /// `owned_aggregated` as table rows.
    pub owned_aggregated_rows: Vec<RelatedRow>,
    pub members: Vec<EntityLink>,
    pub members_count: usize,
    pub members_url: Option<String>,
    /// `members` as table rows.
    pub members_rows: Vec<MemberRow>,
    pub members_aggregated: Vec<EntityLink>,
    pub members_aggregated_count: usize,
    pub members_aggregated_url: Option<String>,
    /// `members_aggregated` as table rows.
    pub members_aggregated_rows: Vec<MemberRow>,
    pub descendants: Vec<EntityLink>,
    pub descendants_count: usize,
}

/// The page listing everything a group and its sub-groups own: `<group page>related/ownerof-aggregated/`.
pub fn owned_aggregated_url(group_url: &str) -> String {
    format!("{group_url}related/ownerof-aggregated/")
}

/// The page listing the members of a group and its sub-groups.
pub fn members_aggregated_url(group_url: &str) -> String {
    format!("{group_url}related/hasmember-aggregated/")
}

/// The first line of a description, shortened.
fn first_line(d: &str) -> String {
    let line = d.lines().next().unwrap_or_default();
    match line.char_indices().nth(140) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}

fn member_row(builder: &ViewBuilder, r: &EntityRef) -> MemberRow {
    let e = builder.portal.entities.get(r);
    MemberRow {
        user: builder.link(r),
        email: e.and_then(|e| e.json.pointer("/spec/profile/email")).and_then(|v| v.as_str()).map(str::to_owned),
        description: e.and_then(|e| e.description.as_deref()).map(first_line),
    }
}

/// The profile card of a User or Group (none for other kinds).
pub fn profile_view(builder: &ViewBuilder, e: &Entity, url: &str) -> Option<ProfileView> {
    let is_user = e.kind.eq_ignore_ascii_case("user");
    if !is_user && !e.kind.eq_ignore_ascii_case("group") {
        return None;
    }
    let r = &e.entity_ref;
    let profile = e.json.pointer("/spec/profile");
    let field = |k: &str| profile.and_then(|p| p.get(k)).and_then(|v| v.as_str()).map(str::to_owned);
    let display_name = field("displayName");
    let shown = display_name.clone().unwrap_or_else(|| e.display_name().to_owned());
    let initials: String = shown
        .split(|c: char| c.is_whitespace() || c == '-' || c == '.' || c == '_')
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    let relation = if is_user { MEMBER_OF } else { CHILD_OF };
    let children: Vec<&EntityRef> = if is_user { Vec::new() } else { builder.portal.targets(r, PARENT_OF).collect() };
    let (children, children_count, children_url) =
        builder.capped(children.into_iter(), || Some(related_url(url, PARENT_OF)));
    Some(ProfileView {
        display_name,
        email: field("email"),
        picture: field("picture").filter(|p| crate::urls::is_web(p)),
        initials,
        groups: builder.portal.targets(r, relation).map(|g| builder.link(g)).collect(),
        children,
        children_count,
        children_url,
    })
}

/// The ownership and members of a group (none for other entities).
pub fn group_view(builder: &ViewBuilder, r: &EntityRef, url: &str) -> Option<GroupView> {
    let g = builder.portal.ownership.groups.get(r)?;
    let (owned, owned_count, owned_url) = builder.capped(g.owned.iter(), || Some(related_url(url, OWNER_OF)));
    let (members, members_count, members_url) = builder.capped(g.members.iter(), || Some(related_url(url, HAS_MEMBER)));
    let more = |count: usize, shown: usize, page: String| (count > shown).then_some(page);
    Some(GroupView {
        mode: builder.config.ownership,
        owned_rows: g.owned.iter().take(LIST_SHOWN).map(|o| builder.related_row(o)).collect(),
        owned,
        owned_count,
        owned_url,
        owned_aggregated: builder.links(&g.owned_aggregated.first),
        owned_aggregated_rows: g.owned_aggregated.first.iter().map(|o| builder.related_row(o)).collect(),
        owned_aggregated_count: g.owned_aggregated.count,
        owned_aggregated_url: more(g.owned_aggregated.count, g.owned_aggregated.first.len(), owned_aggregated_url(url)),
        members_rows: g.members.iter().take(LIST_SHOWN).map(|m| member_row(builder, m)).collect(),
        members,
        members_count,
        members_url,
        members_aggregated: builder.links(&g.members_aggregated.first),
        members_aggregated_rows: g.members_aggregated.first.iter().map(|m| member_row(builder, m)).collect(),
        members_aggregated_count: g.members_aggregated.count,
        members_aggregated_url: more(
            g.members_aggregated.count,
            g.members_aggregated.first.len(),
            members_aggregated_url(url),
        ),
        descendants: builder.links(&g.descendants.first),
        descendants_count: g.descendants.count,
    })
}

/// The context of `related.html` for an aggregated list.
#[derive(Serialize)]
struct AggregatedPage<'a> {
    entity: &'a EntityLink,
    relation: Relation,
    targets: Vec<EntityLink>,
    pager: Pager,
}

#[derive(Clone, Copy, Serialize)]
struct Relation {
    #[serde(rename = "type")]
    kind: &'static str,
    label: &'static str,
}

/// The pages listing the aggregated lists (owned entities, members) of every group whose list
/// is longer than the group page shows. A group's sub-groups are the entries after it in the
/// group tree's preorder that are deeper than it, so each list is a walk of that range: the
/// work is the size of the lists written, no more.
pub fn aggregated_pages(renderer: &Renderer, builder: &ViewBuilder) -> Result<(), Box<Diagnostic>> {
    let ownership = &builder.portal.ownership;
    let tree = &ownership.tree;
    let position: HashMap<&EntityRef, usize> = tree.iter().enumerate().map(|(i, (g, _))| (g, i)).collect();
    let long: Vec<(&EntityRef, bool)> = ownership
        .groups
        .iter()
        .flat_map(|(g, o)| {
            [(g, true, o.owned_aggregated.count), (g, false, o.members_aggregated.count)]
                .into_iter()
                .filter(|(_, _, count)| *count > LIST_SHOWN)
                .map(|(g, owned, _)| (g, owned))
        })
        .collect();
    long.par_iter().try_for_each(|(g, owned)| {
        let Some(&at) = position.get(g) else { return Ok(()) };
        let depth = tree[at].1;
        let below = tree[at + 1..].iter().take_while(|(_, d)| *d > depth);
        let mut all: BTreeSet<&EntityRef> = BTreeSet::new();
        for (group, _) in std::iter::once(&tree[at]).chain(below) {
            if let Some(o) = ownership.groups.get(group) {
                let list = if *owned { &o.owned } else { &o.members };
                // As the aggregate counts them: entities in the catalog.
                all.extend(list.iter().filter(|r| builder.portal.entities.contains_key(*r)));
            }
        }
        let entity = builder.link(g);
        let Some(page) = entity.url.as_deref() else { return Ok(()) };
        let (base, relation) = if *owned {
            (owned_aggregated_url(page), Relation { kind: OWNER_OF, label: "Owned, including sub-groups" })
        } else {
            (members_aggregated_url(page), Relation { kind: HAS_MEMBER, label: "Members, including sub-groups" })
        };
        paginate::paginate(&base, all.into_iter().collect(), PER_PAGE).into_iter().try_for_each(|(pager, refs)| {
            let targets = refs.into_iter().map(|r| builder.link(r)).collect();
            let view = AggregatedPage { entity: &entity, relation, targets, pager };
            renderer.page(paginate::path_of(&view.pager.url), "related.html", &view)
        })
    })
}
