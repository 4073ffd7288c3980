//! Ring quality, with the definitions of REFERENCES §2.2 (after the SUPSI consistent-hashing
//! benchmark's `Balance` and `Monotonicity`): per-node load over K keys, its mean, max/mean
//! (peak-to-average) and coefficient of variation; and what moves on a join or a leave, against
//! the ideal share and against modulo hashing (`hash mod N`), under which nearly every key moves.

use crate::base::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use super::{ring_hash, NodeId, Ring};

/// `count` sample keys: "key-0", "key-1", ...
pub fn sample_keys(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("key-{i}")).collect()
}

/// Load balance of keys over nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// Keys per node, in node order (nodes with no key count 0).
    pub load: Vec<(NodeId, usize)>,
    pub keys: usize,
    pub min: usize,
    pub max: usize,
    /// K / N.
    pub mean: f64,
    /// max / mean: the peak-to-average ratio (1 is perfect).
    pub max_over_mean: f64,
    /// σ / mean over the per-node counts (population σ; 0 is perfect).
    pub cv: f64,
}

/// Load over `keys` of each node's primary share.
pub fn balance(ring: &Ring, keys: &[String]) -> Balance {
    let mut load: SortedMap<NodeId, usize> = ring.nodes().map(|n| (n, 0)).collect();
    for k in keys {
        if let Some(n) = ring.primary(k) {
            *load.entry(n).or_default() += 1;
        }
    }
    balance_of(load.into_iter().collect())
}

/// Balance statistics of given per-node counts.
pub fn balance_of(load: Vec<(NodeId, usize)>) -> Balance {
    let n = load.len().max(1) as f64;
    let keys: usize = load.iter().map(|(_, c)| c).sum();
    let mean = keys as f64 / n;
    let min = load.iter().map(|(_, c)| *c).min().unwrap_or(0);
    let max = load.iter().map(|(_, c)| *c).max().unwrap_or(0);
    let var = load
        .iter()
        .map(|(_, c)| (*c as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let ratio = |x: f64| if mean > 0.0 { x / mean } else { 0.0 };
    Balance {
        load,
        keys,
        min,
        max,
        mean,
        max_over_mean: ratio(max as f64),
        cv: ratio(var.sqrt()),
    }
}

/// What moved between two placements of the same keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    pub keys: usize,
    /// Keys whose primary changed.
    pub moved: usize,
    pub fraction: f64,
    /// The ideal fraction: the joining node's share 1/(N+1) on a join, 1/N on a leave.
    pub ideal: f64,
    /// Moved keys that left a node which is still present (Monotonicity's
    /// `KeysMovedFromOtherNodes`: 0 for consistent hashing).
    pub from_other_nodes: usize,
    /// Moved keys that landed on a node which was already present (`KeysMovedToOtherNodes` on
    /// a join: 0 for consistent hashing; on a leave every moved key does this).
    pub to_other_nodes: usize,
    /// Per key that moved: (key index, old owner, new owner), capped for views.
    pub sample: Vec<(usize, NodeId, NodeId)>,
}

/// Keys moved between two rings (primaries compared).
pub fn movement(before: &Ring, after: &Ring, keys: &[String]) -> Movement {
    let owners = |r: &Ring| -> Vec<Option<NodeId>> { keys.iter().map(|k| r.primary(k)).collect() };
    diff(
        &owners(before),
        &owners(after),
        |n| before.contains(n),
        |n| after.contains(n),
        ideal(before.node_count(), after.node_count()),
    )
}

/// Keys moved under modulo hashing (`ring_hash(key) mod N`, nodes in id order) for the same
/// membership change: the comparison the teaching view offers.
pub fn modulo_movement(before: &[NodeId], after: &[NodeId], keys: &[String]) -> Movement {
    let owners = |nodes: &[NodeId]| -> Vec<Option<NodeId>> {
        keys.iter()
            .map(|k| modulo_owner(nodes, k))
            .collect::<Vec<_>>()
    };
    diff(
        &owners(before),
        &owners(after),
        |n| before.contains(&n),
        |n| after.contains(&n),
        ideal(before.len(), after.len()),
    )
}

/// The owner of a key under modulo hashing.
pub fn modulo_owner(nodes: &[NodeId], key: &str) -> Option<NodeId> {
    let mut sorted = nodes.to_vec();
    crate::base::sort::sort(&mut sorted);
    (!sorted.is_empty()).then(|| sorted[(ring_hash(key) % sorted.len() as u64) as usize])
}

fn ideal(before: usize, after: usize) -> f64 {
    match after.cmp(&before) {
        std::cmp::Ordering::Greater => 1.0 / after as f64,
        std::cmp::Ordering::Less => 1.0 / before.max(1) as f64,
        std::cmp::Ordering::Equal => 0.0,
    }
}

fn diff(
    before: &[Option<NodeId>],
    after: &[Option<NodeId>],
    was: impl Fn(NodeId) -> bool,
    is: impl Fn(NodeId) -> bool,
    ideal: f64,
) -> Movement {
    let mut m = Movement {
        keys: before.len(),
        moved: 0,
        fraction: 0.0,
        ideal,
        from_other_nodes: 0,
        to_other_nodes: 0,
        sample: Vec::new(),
    };
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        let (Some(b), Some(a)) = (*b, *a) else {
            continue;
        };
        if a == b {
            continue;
        }
        m.moved += 1;
        if is(b) {
            m.from_other_nodes += 1;
        }
        if was(a) {
            m.to_other_nodes += 1;
        }
        if m.sample.len() < 64 {
            m.sample.push((i, b, a));
        }
    }
    m.fraction = m.moved as f64 / m.keys.max(1) as f64;
    m
}

/// One row of the ring-quality table: balance at `vnodes`, and movement on a join and a leave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub nodes: usize,
    pub vnodes: u32,
    pub keys: usize,
    pub balance: Balance,
    /// Adding node `nodes` (a new id) to nodes `0..nodes`.
    pub join: Movement,
    /// Removing node 0.
    pub leave: Movement,
    /// The same join under modulo hashing.
    pub modulo_join: Movement,
}

/// Ring quality for `nodes` nodes with `vnodes` each, over `keys` sample keys.
pub fn quality(nodes: usize, vnodes: u32, keys: usize) -> Quality {
    let keys_v = sample_keys(keys);
    let ids: Vec<NodeId> = (0..nodes).collect();
    let ring = Ring::with_nodes(vnodes, ids.iter().copied());
    let mut joined = ring.clone();
    joined.add(nodes);
    let mut left = ring.clone();
    left.remove(0);
    let mut ids_joined = ids.clone();
    ids_joined.push(nodes);
    Quality {
        nodes,
        vnodes,
        keys,
        balance: balance(&ring, &keys_v),
        join: movement(&ring, &joined, &keys_v),
        leave: movement(&ring, &left, &keys_v),
        modulo_join: modulo_movement(&ids, &ids_joined, &keys_v),
    }
}
