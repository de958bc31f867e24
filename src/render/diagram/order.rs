//! Ordering nodes within layers to reduce edge crossings (barycenter sweeps, then sifting).

use super::SWEEPS;

/// Most edges between layers for which crossings are counted.
const EXACT_SPANS: usize = 60;

/// Orders nodes within layers: starts from the given (label) order, then moves each node to the
/// median position of its neighbours in the layers before it (down pass) or after it (up pass;
/// waypoints, indices from `real` on, follow both neighbours in either pass),
/// keeping the order with the fewest crossings, and finally sifts each node to its best place in
/// its layer. Sorting is stable and only strict improvements move a node, so ties keep the order.
/// Counting crossings costs the square of the edges: past [`EXACT_SPANS`] edges between layers
/// (a catalog graph of many nodes) only the sweeps run, and the last order is kept.
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
    let crossings = |layers: &[Vec<usize>]| {
        let rank = ranks(layers);
        let mut count = 0;
        for (k, &(a1, b1)) in spans.iter().enumerate() {
            for &(a2, b2) in &spans[k + 1..] {
                let same = column_of[a1] == column_of[a2] && column_of[b1] == column_of[b2];
                if same && (rank[a1] - rank[a2]) * (rank[b1] - rank[b2]) < 0.0 {
                    count += 1;
                }
            }
        }
        count
    };
    let exact = spans.len() <= EXACT_SPANS;
    let mut best = layers.to_vec();
    let mut best_crossings = if exact { crossings(layers) } else { 0 };
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
        let count = crossings(layers);
        if count < best_crossings {
            best = layers.to_vec();
            best_crossings = count;
        }
    }
    if !exact {
        return;
    }
    layers.clone_from_slice(&best);
    // Then sift: move each node to the place in its layer with the fewest crossings, if better.
    for _ in 0..SWEEPS {
        let mut improved = false;
        for col in 0..layers.len() {
            for node in layers[col].clone() {
                let from = layers[col].iter().position(|&i| i == node).expect("node in its layer");
                layers[col].remove(from);
                let (mut best_at, mut fewest) = (from, best_crossings);
                for at in 0..=layers[col].len() {
                    layers[col].insert(at, node);
                    let count = crossings(layers);
                    if count < fewest {
                        (best_at, fewest) = (at, count);
                    }
                    layers[col].remove(at);
                }
                layers[col].insert(best_at, node);
                improved |= fewest < best_crossings;
                best_crossings = fewest;
            }
        }
        if !improved {
            break;
        }
    }
}
