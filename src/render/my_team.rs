//! "My team": the data behind the catalog's team picker and filter and the Home page's team
//! shortcuts. A reader picks their team once (kept in the browser's localStorage by
//! `portico.js`); the catalog then shows what it owns, directly or with its sub-groups, and Home
//! shows its shortcuts.
//!
//! Input: the group tree and the ownership views of the [`Portal`]. Output:
//! `catalog/groups.<hash>.json`, `{"format": 1, "groups": [[ref, label, url, depth, type,
//! direct, aggregated], ...]}` in the order of the group tree (a group's sub-groups are the
//! entries after it that are deeper), `direct` and `aggregated` counting what the group owns
//! (alone, and with every group below it) as `[components, apis, with docs, all]`. One record a
//! group (about 130 bytes), read only by the pages that use it.

use super::Content;
use super::views::{ViewBuilder, entity_path};
use crate::resolve::Portal;

/// What a group owns, counted: components, APIs, entities with TechDocs, everything.
type Counts = [usize; 4];

fn add(a: &mut Counts, b: &Counts) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// The direct counts of each group of the tree, in tree order.
fn direct_counts(portal: &Portal) -> Vec<Counts> {
    portal
        .ownership
        .tree
        .iter()
        .map(|(g, _)| {
            let mut c = [0; 4];
            for r in portal.ownership.groups.get(g).into_iter().flat_map(|o| &o.owned) {
                c[0] += usize::from(r.kind == "component");
                c[1] += usize::from(r.kind == "api");
                c[2] += usize::from(portal.docs.entity_docs.contains_key(r));
                c[3] += 1;
            }
            c
        })
        .collect()
}

/// Each group's counts with every group below it. The tree is a spanning forest (each group
/// once) and an entity has one owner, so the sums count each entity once; the total is the
/// ownership view's own count of the aggregated set.
fn aggregated_counts(portal: &Portal, direct: &[Counts]) -> Vec<Counts> {
    let tree = &portal.ownership.tree;
    // The parent of each entry: the nearest earlier entry one level up.
    let mut parent = vec![None; tree.len()];
    let mut path: Vec<usize> = Vec::new();
    for (i, (_, depth)) in tree.iter().enumerate() {
        path.truncate(*depth);
        parent[i] = path.last().copied();
        path.push(i);
    }
    let mut agg = direct.to_vec();
    for i in (0..tree.len()).rev() {
        if let Some(p) = parent[i] {
            let child = agg[i];
            add(&mut agg[p], &child);
        }
    }
    for (c, (g, _)) in agg.iter_mut().zip(tree) {
        if let Some(o) = portal.ownership.groups.get(g) {
            c[3] = o.owned_aggregated.count;
        }
    }
    agg
}

/// The groups file's path and content.
pub fn groups_file(builder: &ViewBuilder) -> (String, Content) {
    let portal = builder.portal;
    let direct = direct_counts(portal);
    let aggregated = aggregated_counts(portal, &direct);
    let groups: Vec<serde_json::Value> = portal
        .ownership
        .tree
        .iter()
        .enumerate()
        .filter_map(|(i, (g, depth))| {
            let e = portal.entities.get(g)?;
            Some(serde_json::json!([
                g.to_string(),
                e.display_name(),
                entity_path(e),
                depth,
                e.spec_str("type").unwrap_or_default(),
                direct[i],
                aggregated[i]
            ]))
        })
        .collect();
    let bytes =
        serde_json::to_vec(&serde_json::json!({ "format": 1, "groups": groups })).expect("JSON values serialise");
    let path = format!("catalog/groups.{}.json", &blake3::hash(&bytes).to_hex()[..8]);
    (path, Content::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_counts_sum_the_subtree() {
        let mut portal = Portal::default();
        let r = |s: &str| crate::catalog::EntityRef::parse(s, None, "default").unwrap();
        // org > (a > a1), b
        portal.ownership.tree = vec![(r("group:org"), 0), (r("group:a"), 1), (r("group:a1"), 2), (r("group:b"), 1)];
        let direct = vec![[1, 0, 0, 1], [0, 2, 1, 2], [3, 0, 0, 3], [0, 0, 5, 5]];
        let agg = aggregated_counts(&portal, &direct);
        assert_eq!(agg, vec![[4, 2, 6, 11], [3, 2, 1, 5], [3, 0, 0, 3], [0, 0, 5, 5]]);
    }
}
