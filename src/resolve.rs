//! Stage 3, resolve: entities -> the catalog graph.
//!
//! Input: [`Parsed`] (unique valid entities). Output: a [`Portal`]: entities keyed by canonical
//! reference, every relation
//! and its inverse as Backstage's `BuiltinKindsEntityProcessor` emits them, de-duplicated, and
//! the ownership views. References to entities that do not exist are kept (as Backstage keeps
//! them) and reported as warnings at the field that names them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::kinds::{self, HAS_MEMBER, MEMBER_OF, OWNED_BY, PARENT_OF};
use crate::catalog::{Entity, EntityRef};
use crate::diagnostics::Diagnostic;
use crate::parse::Parsed;

/// One relation of an entity: its type and the other end.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Relation {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "targetRef")]
    pub target: EntityRef,
}

/// The resolved catalog.
#[derive(Clone, Debug, Default)]
pub struct Portal {
    pub entities: BTreeMap<EntityRef, std::sync::Arc<Entity>>,
    /// Outgoing relations of each entity (also those pointing at missing entities).
    pub relations: BTreeMap<EntityRef, BTreeSet<Relation>>,
    pub ownership: Ownership,
    /// Number of references to entities not in the catalog.
    pub dangling: usize,
    /// TechDocs sites, their anchors checked.
    pub docs: crate::docs::Docs,
    /// API references of API entities with a definition, rendered.
    pub apis: BTreeMap<EntityRef, std::sync::Arc<crate::apiref::ApiReference>>,
    /// Entities left out: invalid documents and later duplicates (in source order).
    pub rejected: Vec<std::sync::Arc<Entity>>,
    /// Every problem of the build at warning level or above, sorted (filled in by the pipeline
    /// once all stages ran), for the problems page.
    pub problems: Vec<Diagnostic>,
    /// What plugins added (the `plugins` stage, after this one).
    pub plugins: crate::plugins::Contributions,
    /// Scorecard results (the `scorecards` stage, after `plugins`).
    pub scorecards: crate::scorecards::Scorecards,
}

impl Portal {
    /// Relations of `entity`, in order.
    pub fn relations_of(&self, entity: &EntityRef) -> impl Iterator<Item = &Relation> {
        self.relations.get(entity).into_iter().flatten()
    }

    /// Targets of `entity`'s relations of type `kind`.
    pub fn targets(&self, entity: &EntityRef, kind: &str) -> impl Iterator<Item = &EntityRef> {
        self.relations_of(entity).filter(move |r| r.kind == kind).map(|r| &r.target)
    }
}

/// What groups and users own, and who is a member of what.
#[derive(Clone, Debug, Default)]
pub struct Ownership {
    pub groups: BTreeMap<EntityRef, GroupOwnership>,
    pub users: BTreeMap<EntityRef, UserOwnership>,
    /// Entities of kinds that have an owner, whose owner is missing or not in the catalog.
    pub orphans: Vec<Orphan>,
    /// Every group once, in the order of the group tree (a parent before its children, each
    /// level by reference), with its depth: roots are groups without a parent in the catalog;
    /// a group reachable only through a cycle starts a tree of its own.
    pub tree: Vec<(EntityRef, usize)>,
}

/// How many entities of an aggregated list are kept (the rest are counted): a group at the top
/// of a large organisation aggregates everything, and its page must not.
pub const AGGREGATE_SHOWN: usize = 100;

/// A list over a group and all its sub-groups: its size and its first entries (by reference;
/// sub-groups in tree order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Aggregate {
    pub count: usize,
    pub first: Vec<EntityRef>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct GroupOwnership {
    /// Entities naming this group as owner.
    pub owned: BTreeSet<EntityRef>,
    /// Owned by this group or any group below it.
    pub owned_aggregated: Aggregate,
    pub members: BTreeSet<EntityRef>,
    /// Members of this group or any group below it.
    pub members_aggregated: Aggregate,
    /// Every group below this one in the group tree.
    pub descendants: Aggregate,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct UserOwnership {
    /// Entities naming this user as owner.
    pub owned: BTreeSet<EntityRef>,
    /// Entities owned by the groups the user is a member of, with the group.
    pub owned_via_groups: BTreeMap<EntityRef, BTreeSet<EntityRef>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Orphan {
    pub entity: EntityRef,
    /// The owner as written, when there is one (it is not in the catalog).
    pub owner: Option<String>,
}

/// Builds the graph. Problems go to `diags`.
pub fn resolve(parsed: Parsed, diags: &mut Vec<Diagnostic>) -> Portal {
    resolve_cached(parsed, None, diags)
}

/// [`resolve`], reusing rendered API references from `cache` (for `serve`).
pub fn resolve_cached(parsed: Parsed, cache: Option<&crate::cache::BuildCache>, diags: &mut Vec<Diagnostic>) -> Portal {
    let mut parsed = parsed;
    // Duplicates were left out by `parse`: references are unique here.
    let entities: BTreeMap<EntityRef, std::sync::Arc<Entity>> =
        std::mem::take(&mut parsed.entities).into_iter().map(|e| (e.entity_ref.clone(), e)).collect();
    let rejected = std::mem::take(&mut parsed.rejected);

    // Names -> refs, for "did you mean" hints on dangling references; the entities left out,
    // for pointing at the root cause instead.
    let mut by_name: HashMap<&str, Vec<&EntityRef>> = HashMap::new();
    let mut by_kind: HashMap<(&str, &str), Vec<&EntityRef>> = HashMap::new();
    for r in entities.keys() {
        by_name.entry(r.name.as_str()).or_default().push(r);
        by_kind.entry((r.kind.as_str(), r.namespace.as_str())).or_default().push(r);
    }
    let left_out: HashMap<&EntityRef, &Entity> = rejected.iter().map(|e| (&e.entity_ref, &**e)).collect();
    let lookup = Lookup { entities: &entities, by_name, by_kind, left_out };

    let emitted: Vec<Emitted> =
        entities.par_iter().map(|(self_ref, entity)| emit_relations(self_ref, entity, &lookup)).collect();
    let mut relations: BTreeMap<EntityRef, BTreeSet<Relation>> = BTreeMap::new();
    let mut dangling = 0;
    for Emitted { edges, diags: d, dangling: n } in emitted {
        dangling += n;
        diags.extend(d);
        for (source, relation) in edges {
            relations.entry(source).or_default().insert(relation);
        }
    }

    crate::docs::check_anchors(&parsed.docs, diags);
    let mut portal = Portal {
        entities,
        relations,
        ownership: Ownership::default(),
        dangling,
        docs: parsed.docs,
        apis: BTreeMap::new(),
        rejected,
        problems: Vec::new(),
        plugins: Default::default(),
        scorecards: Default::default(),
    };
    portal.ownership = ownership(&portal);
    portal.apis = api_references(&portal, cache, diags);
    portal
}

/// Renders the definition of every API entity (in parallel); invalid definitions are warnings.
/// Each distinct definition is rendered once and shared: a large file that many descriptors
/// include costs one rendering.
fn api_references(
    portal: &Portal,
    cache: Option<&crate::cache::BuildCache>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<EntityRef, std::sync::Arc<crate::apiref::ApiReference>> {
    let key_of = |e: &Entity| -> Option<crate::cache::Key> {
        let definition = e.spec_str("definition")?;
        Some(crate::cache::key(&[e.spec_str("type").unwrap_or_default().as_bytes(), definition.as_bytes()]))
    };
    let apis: Vec<(&EntityRef, &Entity, crate::cache::Key)> = portal
        .entities
        .iter()
        .filter(|(_, e)| e.kind == "API")
        .filter_map(|(r, e)| Some((r, &**e, key_of(e)?)))
        .collect();
    let mut unique: HashMap<crate::cache::Key, &Entity> = HashMap::new();
    for (_, e, key) in &apis {
        unique.entry(*key).or_insert(e);
    }
    let unique: Vec<(crate::cache::Key, &Entity)> = unique.into_iter().collect();
    let rendered: HashMap<crate::cache::Key, std::sync::Arc<crate::apiref::ApiReference>> = unique
        .par_iter()
        .map(|(key, e)| {
            let cached = cache.and_then(|c| c.apis.lock().expect("cache lock").get(key).cloned());
            let reference = cached.unwrap_or_else(|| {
                let definition = e.spec_str("definition").unwrap_or_default();
                let r = std::sync::Arc::new(crate::apiref::render(e.spec_str("type").unwrap_or_default(), definition));
                if let Some(c) = cache {
                    c.apis.lock().expect("cache lock").insert(*key, r.clone());
                }
                r
            });
            (*key, reference)
        })
        .collect();
    let mut out = BTreeMap::new();
    for (r, e, key) in apis {
        let reference = rendered[&key].clone();
        diags.extend(reference.warnings.iter().map(|w| {
            let (file, pos) = e.field_location("definition", line_and_column(w));
            Diagnostic::warning("api-definition", format!("API {r}: {w}"))
                .at(&file, pos)
                .hint("the definition is shown as source on the API page")
        }));
        out.insert(r.clone(), reference);
    }
    out
}

/// `line L, column C` in a parser's message about a definition.
fn line_and_column(message: &str) -> Option<(u32, u32)> {
    let rest = &message[message.find("line ")? + 5..];
    let (line, rest) = rest.split_once(", column ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// What one entity's spec emits.
struct Emitted {
    /// (source, relation) pairs, both directions.
    edges: Vec<(EntityRef, Relation)>,
    diags: Vec<Diagnostic>,
    /// References to entities not in the catalog.
    dangling: usize,
}

/// The relations one entity's spec emits (both directions), as Backstage's `doEmit`.
/// What a dangling reference is checked against.
struct Lookup<'a> {
    entities: &'a BTreeMap<EntityRef, std::sync::Arc<Entity>>,
    by_name: HashMap<&'a str, Vec<&'a EntityRef>>,
    by_kind: HashMap<(&'a str, &'a str), Vec<&'a EntityRef>>,
    left_out: HashMap<&'a EntityRef, &'a Entity>,
}

impl Lookup<'_> {
    /// Entities the reference may have meant: the same name of another kind or namespace, or
    /// the nearest names of the same kind (a typo: at most two edits, one for short names).
    fn near(&self, target: &EntityRef) -> Vec<String> {
        if let Some(same) = self.by_name.get(target.name.as_str()) {
            return same.iter().map(|c| c.to_string()).collect();
        }
        let max = if target.name.chars().count() >= 6 { 2 } else { 1 };
        let mut near: Vec<(usize, &EntityRef)> = self
            .by_kind
            .get(&(target.kind.as_str(), target.namespace.as_str()))
            .into_iter()
            .flatten()
            .filter(|c| c.name.len().abs_diff(target.name.len()) <= max)
            .map(|c| (strsim::osa_distance(&c.name, &target.name), *c))
            .filter(|(d, _)| *d <= max)
            .collect();
        near.sort();
        near.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
    }
}

fn emit_relations(self_ref: &EntityRef, entity: &Entity, lookup: &Lookup) -> Emitted {
    let entities = lookup.entities;
    let mut edges = Vec::new();
    let mut diags = Vec::new();
    let mut dangling = 0;
    for r in &entity.refs {
        let target = r.target_ref.clone();
        if !entities.contains_key(&target) {
            dangling += 1;
            // An entity left out for its own errors: that error is the root cause, reported
            // once where it is; here only a note.
            if let Some(cause) = lookup.left_out.get(&target) {
                diags.push(
                    Diagnostic::info(
                        "ref-to-invalid",
                        format!(
                            "`spec.{}` refers to {target}, which was left out for the errors of {}:{}",
                            r.field, cause.source.file, cause.source.pos.line
                        ),
                    )
                    .at(&entity.source.file, Some(r.pos)),
                );
                edges.push((self_ref.clone(), Relation { kind: r.relation, target }));
                continue;
            }
            let mut d = Diagnostic::warning(
                "dangling-ref",
                format!("`spec.{}` refers to {target}, which is not in the catalog", r.field),
            )
            .at(&entity.source.file, Some(r.pos));
            let near = lookup.near(&target);
            if !near.is_empty() {
                d = d.hint(format!("did you mean {}?", near.join(" or ")));
            }
            diags.push(d);
        }
        edges.push((self_ref.clone(), Relation { kind: r.relation, target: target.clone() }));
        if entities.contains_key(&target) {
            edges.push((target, Relation { kind: r.inverse, target: self_ref.clone() }));
        }
    }
    Emitted { edges, diags, dangling }
}

fn ownership(portal: &Portal) -> Ownership {
    let mut owned: BTreeMap<&EntityRef, BTreeSet<EntityRef>> = BTreeMap::new();
    let mut orphans = Vec::new();
    for (r, entity) in &portal.entities {
        let has_owner_field =
            kinds::find(&entity.kind).is_some_and(|k| k.relations.iter().any(|f| f.relation == OWNED_BY));
        let owners: Vec<&EntityRef> = portal.targets(r, OWNED_BY).collect();
        for o in &owners {
            owned.entry(o).or_default().insert(r.clone());
        }
        if has_owner_field && !owners.iter().any(|o| portal.entities.contains_key(*o)) {
            orphans.push(Orphan { entity: r.clone(), owner: entity.spec_str("owner").map(str::to_owned) });
        }
    }

    let (tree, group_views) = group_ownership(portal, &owned);
    let users = portal
        .entities
        .keys()
        .filter(|r| r.kind == "user")
        .map(|u| {
            let owned_via_groups = portal
                .targets(u, MEMBER_OF)
                .filter_map(|g| owned.get(g).filter(|s| !s.is_empty()).map(|s| (g.clone(), s.clone())))
                .collect();
            (u.clone(), UserOwnership { owned: owned.get(u).cloned().unwrap_or_default(), owned_via_groups })
        })
        .collect();
    Ownership { groups: group_views, users, orphans, tree }
}

/// The group tree and each group's aggregated lists, in O(n log² n): the tree is a spanning
/// forest of the `parentOf` relation (each group once, so cycles end and a group named by two
/// parents stays under the first), walked without recursion; each group's aggregated sets are
/// its largest sub-group's set with the others merged in (small into large), kept as entity
/// indices, and only their size and first entries are stored.
fn group_ownership(
    portal: &Portal,
    owned: &BTreeMap<&EntityRef, BTreeSet<EntityRef>>,
) -> (Vec<(EntityRef, usize)>, BTreeMap<EntityRef, GroupOwnership>) {
    let refs: Vec<&EntityRef> = portal.entities.keys().collect();
    let index: HashMap<&EntityRef, u32> = refs.iter().enumerate().map(|(i, r)| (*r, i as u32)).collect();
    let groups: Vec<&EntityRef> = refs.iter().copied().filter(|r| r.kind == "group").collect();
    let children = |g: &EntityRef| -> Vec<&EntityRef> {
        let mut c: Vec<&EntityRef> = portal.targets(g, PARENT_OF).filter(|c| index.contains_key(*c)).collect();
        c.sort();
        c
    };
    let has_parent = |g: &EntityRef| portal.targets(g, kinds::CHILD_OF).any(|p| index.contains_key(p));

    // Preorder of the spanning forest, with each node's depth and parent position.
    let mut order: Vec<(&EntityRef, usize, Option<usize>)> = Vec::with_capacity(groups.len());
    let mut seen: std::collections::HashSet<&EntityRef> = std::collections::HashSet::new();
    // Roots: groups without a parent; then, for groups only reachable through a cycle, those
    // that do not name a `spec.parent` themselves (the top of the cycle, as written).
    let names_parent = |g: &EntityRef| portal.entities.get(g).is_some_and(|e| e.spec_str("parent").is_some());
    let roots =
        groups.iter().filter(|g| !has_parent(g)).chain(groups.iter().filter(|g| !names_parent(g))).chain(groups.iter());
    for root in roots {
        if !seen.insert(*root) {
            continue;
        }
        let mut stack: Vec<(&EntityRef, usize, Option<usize>)> = vec![(*root, 0, None)];
        while let Some((g, depth, parent)) = stack.pop() {
            let at = order.len();
            order.push((g, depth, parent));
            for c in children(g).into_iter().rev() {
                if seen.insert(c) {
                    stack.push((c, depth + 1, Some(at)));
                }
            }
        }
    }

    // Children before parents: merge each group's sets into its parent's.
    let ids =
        |set: &BTreeSet<EntityRef>| -> BTreeSet<u32> { set.iter().filter_map(|r| index.get(r).copied()).collect() };
    let direct_members = |g: &EntityRef| -> BTreeSet<EntityRef> { portal.targets(g, HAS_MEMBER).cloned().collect() };
    let mut pending: Vec<Option<(BTreeSet<u32>, BTreeSet<u32>)>> = vec![None; order.len()];
    let mut size = vec![1usize; order.len()];
    let mut views: BTreeMap<EntityRef, GroupOwnership> = BTreeMap::new();
    let aggregate = |set: &BTreeSet<u32>| Aggregate {
        count: set.len(),
        first: set.iter().take(AGGREGATE_SHOWN).map(|i| refs[*i as usize].clone()).collect(),
    };
    for at in (0..order.len()).rev() {
        let (g, _, parent) = order[at];
        let own_owned = owned.get(g).cloned().unwrap_or_default();
        let own_members = direct_members(g);
        let (mut agg_owned, mut agg_members) = pending[at].take().unwrap_or_default();
        agg_owned.extend(ids(&own_owned));
        agg_members.extend(ids(&own_members));
        let first_descendants = order[at + 1..at + size[at]].iter().take(AGGREGATE_SHOWN).map(|(d, _, _)| (*d).clone());
        views.insert(
            g.clone(),
            GroupOwnership {
                owned_aggregated: aggregate(&agg_owned),
                members_aggregated: aggregate(&agg_members),
                descendants: Aggregate { count: size[at] - 1, first: first_descendants.collect() },
                owned: own_owned,
                members: own_members,
            },
        );
        if let Some(p) = parent {
            size[p] += size[at];
            pending[p] = Some(match pending[p].take() {
                None => (agg_owned, agg_members),
                Some((o, m)) => (merge(o, agg_owned), merge(m, agg_members)),
            });
        }
    }
    let tree = order.into_iter().map(|(g, depth, _)| (g.clone(), depth)).collect();
    (tree, views)
}

/// The union of two sets, inserting the smaller into the larger.
fn merge(a: BTreeSet<u32>, b: BTreeSet<u32>) -> BTreeSet<u32> {
    let (mut large, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    large.extend(small);
    large
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::validate::{DocContext, entity_from_document};
    use crate::yaml::parse_documents;

    fn portal(text: &str) -> (Portal, Vec<Diagnostic>) {
        let (docs, errors) = parse_documents(text);
        assert!(errors.is_empty());
        let mut diags = Vec::new();
        let ctx = DocContext::standalone("c.yaml");
        let entities = docs
            .into_iter()
            .filter_map(|d| entity_from_document(d, &ctx, &mut diags).map(std::sync::Arc::new))
            .collect();
        let mut parsed = Parsed { entities, ..Parsed::default() };
        crate::parse::dedupe(&mut parsed, &mut diags);
        let p = resolve(parsed, &mut diags);
        (p, diags)
    }

    const ORG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: org}
spec: {type: org, children: [dept]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: dept}
spec: {type: dept, parent: org, children: [team]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team}
spec: {type: team, parent: dept, children: [org], members: [alice]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc}
spec: {type: service, lifecycle: production, owner: team, dependsOn: ['resource:db', 'nokind']}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: lost}
spec: {type: service, lifecycle: production, owner: ghost}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: DB}
spec: {type: database, owner: user:alice}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: db}
spec: {type: database, owner: dept}
";

    fn r(s: &str) -> EntityRef {
        EntityRef::parse(s, None, "default").unwrap()
    }

    #[test]
    fn relations_inverses_and_duplicates() {
        let (p, diags) = portal(ORG);
        let mut codes: Vec<(u32, &str)> = diags.iter().map(|d| (d.pos.unwrap().line, d.code)).collect();
        codes.sort();
        // the second `db` (its name at line 38) duplicates `DB`; `nokind` has no kind; `ghost` does not exist
        assert_eq!(codes, vec![(24, "invalid-ref"), (29, "dangling-ref"), (38, "duplicate-entity")]);
        let svc: Vec<String> =
            p.relations_of(&r("component:svc")).map(|x| format!("{}->{}", x.kind, x.target)).collect();
        assert_eq!(svc, ["dependsOn->resource:default/db", "ownedBy->group:default/team"]);
        assert!(p.targets(&r("resource:db"), "dependencyOf").any(|t| *t == r("component:svc")));
        // parent and children both emit; the set keeps one of each
        assert_eq!(p.targets(&r("group:dept"), "childOf").count(), 1);
        assert_eq!(p.targets(&r("group:team"), "memberOf").count(), 0);
        assert_eq!(p.targets(&r("group:team"), "hasMember").count(), 1);
        assert_eq!(p.dangling, 1);
    }

    #[test]
    fn ownership_aggregates_and_survives_cycles() {
        let (p, _) = portal(ORG);
        let org = &p.ownership.groups[&r("group:org")];
        // org -> dept -> team -> org is a cycle; it ends.
        assert_eq!(org.descendants.count, 2);
        assert!(org.owned.is_empty());
        let agg: Vec<String> = org.owned_aggregated.first.iter().map(ToString::to_string).collect();
        // the duplicate `db` owned by dept was left out: `DB` (owned by alice) won
        assert_eq!(agg, ["component:default/svc"]);
        assert_eq!(org.members_aggregated.count, 1);
        let alice = &p.ownership.users[&r("user:alice")];
        assert_eq!(alice.owned.len(), 1);
        assert_eq!(alice.owned_via_groups[&r("group:team")].len(), 1);
        let orphans: Vec<String> = p.ownership.orphans.iter().map(|o| o.entity.to_string()).collect();
        assert_eq!(orphans, ["component:default/lost"]);
    }
}
