//! Ordering nodes within layers to reduce edge crossings (barycenter sweeps, then sifting).

use super::SWEEPS;

/// Most edges between layers for which crossings are counted.
const EXACT_SPANS: usize = 60;

/// Orders nodes within layers: starts from the given (label) order, then moves each node to the
/// median position of its neighbours in the layers before it (down pass) or after it (up pass;
/// waypoints, indices from `real` on, follow both neighbours in either pass),
/// keeping the order with the fewest crossings, and finally sifts each node to its best place in
/// its layer. Sorting is stable and only strict improvements move a node, so ties keep the order.
/// Past [`EXACT_SPANS`] edges between layers (a catalog graph of many nodes) only the sweeps
/// run, and the last order is kept.
pub(super) fn order_layers(layers: &mut [Vec<usize>], column_of: &[usize], pairs: &[(usize, usize)], real: usize) {
    let mut adjacent = vec![Vec::new(); column_of.len()];
    for &(a, b) in pairs {
        adjacent[a].push(b);
        adjacent[b].push(a);
    }
    let ranks = |layers: &[Vec<usize>]| {
        let mut rank = vec![0.0; column_of.len()];
        for ids in layers {
            for (k, &i) in ids.iter().enumerate() {
                rank[i] = (k as f64 + 0.5) / ids.len() as f64;
            }
        }
        rank
    };
    // Edges between two different layers, as (upper layer node, lower layer node).
    let spans: Vec<(usize, usize)> = pairs
        .iter()
        .filter(|&&(a, b)| column_of[a] != column_of[b])
        .map(|&(a, b)| if column_of[a] < column_of[b] { (a, b) } else { (b, a) })
        .collect();
    let exact = spans.len() <= EXACT_SPANS;
    let mut best = layers.to_vec();
    let mut best_crossings = if exact { crossings(layers, column_of, &spans) } else { 0 };
    for pass in 0..SWEEPS * 2 {
        let down = pass % 2 == 0;
        let order: Vec<usize> =
            if down { (1..layers.len()).collect() } else { (0..layers.len()).rev().skip(1).collect() };
        for col in order {
            let rank = ranks(layers);
            let key = |i: usize| {
                let near = adjacent[i]
                    .iter()
                    .filter(|&&j| i >= real || if down { column_of[j] < col } else { column_of[j] > col });
                let mut r: Vec<f64> = near.map(|&j| rank[j]).collect();
                r.sort_by(f64::total_cmp);
                match r.len() {
                    0 => rank[i],
                    n if n % 2 == 1 => r[n / 2],
                    n => (r[n / 2 - 1] + r[n / 2]) / 2.0,
                }
            };
            let mut keyed: Vec<(f64, usize)> = layers[col].iter().map(|&i| (key(i), i)).collect();
            keyed.sort_by(|p, q| p.0.total_cmp(&q.0));
            layers[col] = keyed.into_iter().map(|(_, i)| i).collect();
        }
        if !exact {
            continue;
        }
        let count = crossings(layers, column_of, &spans);
        if count < best_crossings {
            best = layers.to_vec();
            best_crossings = count;
        }
    }
    if !exact {
        return;
    }
    layers.clone_from_slice(&best);
    sift(layers, column_of, &spans);
}

/// Positions of every node within its layer.
fn positions(layers: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut pos = vec![0; n];
    for ids in layers {
        for (k, &i) in ids.iter().enumerate() {
            pos[i] = k;
        }
    }
    pos
}

/// Crossings between `spans` (upper node, lower node), each joining a layer to the next.
pub(super) fn crossings(layers: &[Vec<usize>], column_of: &[usize], spans: &[(usize, usize)]) -> usize {
    let pos = positions(layers, column_of.len());
    let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); layers.len()];
    for &(a, b) in spans {
        by_layer[column_of[a]].push((pos[a], pos[b]));
    }
    let mut count = 0;
    for group in by_layer {
        for (k, &(a1, b1)) in group.iter().enumerate() {
            count += group[k + 1..].iter().filter(|&&(a2, b2)| (a1 < a2 && b1 > b2) || (a1 > a2 && b1 < b2)).count();
        }
    }
    count
}

/// Sifting: moves each node to the place in its layer with the fewest crossings, when that is
/// strictly fewer (the first such place), until a round improves nothing or [`SWEEPS`] rounds.
/// Moving a node changes only the crossings of its own edges with those of the other nodes of
/// its layer, so each place is scored from the crossings of every pair of nodes (`left` left of
/// `right`): the cost of a round is the number of pairs of edges at one node's layer, not the
/// square of all edges per place tried.
pub(super) fn sift(layers: &mut [Vec<usize>], column_of: &[usize], spans: &[(usize, usize)]) {
    // Neighbours of each node in the layer before it and the layer after it.
    let mut up = vec![Vec::new(); column_of.len()];
    let mut down = vec![Vec::new(); column_of.len()];
    for &(a, b) in spans {
        down[a].push(b);
        up[b].push(a);
    }
    let mut pos = positions(layers, column_of.len());
    // Crossings between the edges of `left` and those of `right` when `left` is left of `right`.
    let pair = |pos: &[usize], left: usize, right: usize| {
        let side =
            |l: &[usize], r: &[usize]| l.iter().map(|&x| r.iter().filter(|&&y| pos[x] > pos[y]).count()).sum::<usize>();
        side(&up[left], &up[right]) + side(&down[left], &down[right])
    };
    for _ in 0..SWEEPS {
        let mut improved = false;
        for col in 0..layers.len() {
            for node in layers[col].clone() {
                let from = pos[node];
                let mut others = layers[col].clone();
                others.remove(from);
                // score(at): crossings of `node` with the others when inserted at `at`.
                let mut score: usize = others.iter().map(|&u| pair(&pos, node, u)).sum();
                let (mut best_at, mut fewest) = (from, usize::MAX);
                let mut scores = Vec::with_capacity(others.len() + 1);
                for at in 0..=others.len() {
                    scores.push(score);
                    if let Some(&u) = others.get(at) {
                        score = score - pair(&pos, node, u) + pair(&pos, u, node);
                    }
                }
                let current = scores[from];
                for (at, &s) in scores.iter().enumerate() {
                    if s < current && s < fewest {
                        (best_at, fewest) = (at, s);
                    }
                }
                if best_at != from {
                    others.insert(best_at, node);
                    layers[col] = others;
                    for (k, &i) in layers[col].iter().enumerate() {
                        pos[i] = k;
                    }
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}
