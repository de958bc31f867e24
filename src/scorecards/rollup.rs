//! Roll-ups: the results of many entities counted together, for the Scorecards tab of a Group
//! (what it and every group below it owns, as ownership aggregates), of a System (its parts)
//! and of a Domain (its systems' parts), and for the organisation's dashboard.
//!
//! A roll-up holds counts only (entities per level, passes per check), which add up: a group's
//! is its own entities' plus its sub-groups', computed bottom-up over the group tree once.

use std::collections::{BTreeMap, BTreeSet};

use super::{Outcome, Scorecards};
use crate::catalog::EntityRef;
use crate::resolve::Portal;

/// One card's counts over a set of entities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CardRollup {
    /// Entities per level: `[none, first level, …]`.
    pub levels: Vec<usize>,
    /// Per check of the card: (passed, failed, unknown, exempt).
    pub checks: Vec<[usize; 4]>,
}

impl CardRollup {
    pub fn entities(&self) -> usize {
        self.levels.iter().sum()
    }

    fn add(&mut self, other: &CardRollup) {
        for (a, b) in self.levels.iter_mut().zip(&other.levels) {
            *a += b;
        }
        for (a, b) in self.checks.iter_mut().zip(&other.checks) {
            for i in 0..4 {
                a[i] += b[i];
            }
        }
    }
}

/// Every card's counts over a set of entities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rollup {
    pub cards: Vec<CardRollup>,
}

impl Rollup {
    pub fn empty(sc: &Scorecards) -> Rollup {
        let Some(rules) = &sc.rules else { return Rollup::default() };
        Rollup {
            cards: rules
                .cards
                .iter()
                .map(|c| CardRollup { levels: vec![0; rules.levels.len() + 1], checks: vec![[0; 4]; c.checks.len()] })
                .collect(),
        }
    }

    pub fn entities(&self) -> usize {
        self.cards.iter().map(CardRollup::entities).max().unwrap_or(0)
    }

    /// Counts `entity`'s results in.
    pub fn count(&mut self, sc: &Scorecards, entity: &EntityRef) {
        for (c, results) in self.cards.iter_mut().zip(&sc.cards) {
            let Some(r) = results.get(entity) else { continue };
            c.levels[r.level.map_or(0, |l| l + 1)] += 1;
            for (slot, o) in c.checks.iter_mut().zip(&r.outcomes) {
                match o {
                    Outcome::Pass => slot[0] += 1,
                    Outcome::Fail => slot[1] += 1,
                    Outcome::Unknown(_) => slot[2] += 1,
                    Outcome::Exempt(_) => slot[3] += 1,
                    Outcome::NotApplicable => {}
                }
            }
        }
    }

    fn add(&mut self, other: &Rollup) {
        for (a, b) in self.cards.iter_mut().zip(&other.cards) {
            a.add(b);
        }
    }
}

/// The roll-up of every entity.
pub fn organisation(sc: &Scorecards) -> Rollup {
    let mut all = Rollup::empty(sc);
    let refs: BTreeSet<&EntityRef> = sc.cards.iter().flat_map(|c| c.keys()).collect();
    for r in refs {
        all.count(sc, r);
    }
    all
}

/// What `entity` rolls up, sorted: a Group's entities and those of the groups below it, a
/// System's parts, a Domain's systems and their parts.
pub fn members<'p>(portal: &'p Portal, entity: &EntityRef) -> Vec<&'p EntityRef> {
    let mut out: BTreeSet<&EntityRef> = BTreeSet::new();
    match entity.kind.as_str() {
        "group" => {
            let tree = &portal.ownership.tree;
            if let Some(at) = tree.iter().position(|(g, _)| g == entity) {
                let depth = tree[at].1;
                let below = tree[at + 1..].iter().take_while(|(_, d)| *d > depth);
                for (g, _) in std::iter::once(&tree[at]).chain(below) {
                    out.extend(portal.ownership.groups.get(g).into_iter().flat_map(|o| &o.owned));
                }
            }
        }
        "system" => out.extend(portal.targets(entity, "hasPart")),
        "domain" => {
            for s in portal.targets(entity, "hasPart") {
                out.insert(s);
                out.extend(portal.targets(s, "hasPart"));
            }
        }
        _ => {}
    }
    out.into_iter().collect()
}

/// Roll-ups of every Group (over its sub-groups), System and Domain that has any entity on a
/// card.
pub fn rollups(sc: &Scorecards, portal: &Portal) -> BTreeMap<EntityRef, Rollup> {
    let mut out = BTreeMap::new();
    if sc.rules.is_none() {
        return out;
    }
    // Groups: their own entities, then bottom-up over the tree (preorder with depths).
    let tree = &portal.ownership.tree;
    let mut own: Vec<Rollup> = tree
        .iter()
        .map(|(g, _)| {
            let mut r = Rollup::empty(sc);
            for e in portal.ownership.groups.get(g).into_iter().flat_map(|o| &o.owned) {
                r.count(sc, e);
            }
            r
        })
        .collect();
    let mut parent: Vec<Option<usize>> = vec![None; tree.len()];
    let mut last_at_depth: Vec<usize> = Vec::new();
    for (i, (_, depth)) in tree.iter().enumerate() {
        last_at_depth.truncate(*depth);
        parent[i] = last_at_depth.last().copied();
        last_at_depth.push(i);
    }
    for i in (0..tree.len()).rev() {
        if let Some(p) = parent[i] {
            let child = own[i].clone();
            own[p].add(&child);
        }
    }
    for ((g, _), r) in tree.iter().zip(own) {
        if r.entities() > 0 {
            out.insert(g.clone(), r);
        }
    }
    // Systems (their parts) and Domains (their systems' parts).
    for (r, e) in &portal.entities {
        let kind = e.kind.to_ascii_lowercase();
        if kind != "system" && kind != "domain" {
            continue;
        }
        let mut rollup = Rollup::empty(sc);
        for p in members(portal, r) {
            rollup.count(sc, p);
        }
        if rollup.entities() > 0 {
            out.insert(r.clone(), rollup);
        }
    }
    out
}
