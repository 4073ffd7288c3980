//! The consistent-hashing items of the REFERENCES §5 catalogue, a golden file of ring positions,
//! and property tests against a naive oracle (the `hashring` and `consistent_hash_ring` crates
//! are not in the offline registry, so the oracle is a linear-scan ring written from the
//! definition, checked against the sorted-Vec implementation on random rings).

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::metrics::{balance, modulo_movement, movement, quality, sample_keys};
use super::*;

/// Catalogue 1: the same node set inserted in different orders gives the same key→node map.
#[test]
fn insertion_order_does_not_change_the_mapping() {
    let keys = sample_keys(5_000);
    let a = Ring::with_nodes(16, [0, 1, 2, 3, 4]);
    let b = Ring::with_nodes(16, [4, 2, 0, 3, 1]);
    assert_eq!(a, b);
    for k in &keys {
        assert_eq!(a.preference_list(k, 3), b.preference_list(k, 3));
    }
}

/// Catalogue 2: removing X moves only X's keys, and with ≥ 8 vnodes they spread over ≥ 2 nodes.
#[test]
fn removing_a_node_moves_only_its_keys_and_spreads_them() {
    let keys = sample_keys(10_000);
    let before = Ring::with_nodes(8, 0..5);
    let mut after = before.clone();
    after.remove(2);
    let m = movement(&before, &after, &keys);
    assert_eq!(m.from_other_nodes, 0, "KeysMovedFromOtherNodes");
    let mut receivers = BTreeSet::new();
    for k in &keys {
        let (b, a) = (before.primary(k).unwrap(), after.primary(k).unwrap());
        assert!(b == a || b == 2, "{k} moved from a node that stayed");
        if b == 2 {
            receivers.insert(a);
        }
    }
    assert!(receivers.len() >= 2, "{receivers:?}");
    assert_eq!(
        m.moved,
        keys.iter().filter(|k| before.primary(k) == Some(2)).count()
    );
}

/// Catalogue 3: remove X then add it back: the ring (hence every mapping) is the original.
#[test]
fn remove_then_re_add_restores_the_mapping() {
    let keys = sample_keys(5_000);
    let before = Ring::with_nodes(32, 0..6);
    let mut r = before.clone();
    r.remove(3);
    r.add(3);
    assert_eq!(r, before);
    assert_eq!(
        movement(&before, &r, &keys).moved,
        0,
        "KeysRelocatedAfterResize"
    );
}

/// Catalogue 4: a join to N nodes, 100k keys, v = 100: moved fraction within [0.5, 1.5] of
/// 1/(N+1), and every moved key goes to the new node.
#[test]
fn a_join_moves_about_one_over_n_plus_one_all_to_the_new_node() {
    let keys = sample_keys(100_000);
    for n in [4usize, 6, 9] {
        let before = Ring::with_nodes(100, 0..n);
        let mut after = before.clone();
        after.add(n);
        let m = movement(&before, &after, &keys);
        let ideal = 1.0 / (n + 1) as f64;
        assert_eq!(m.ideal, ideal);
        assert!(
            (0.5 * ideal..=1.5 * ideal).contains(&m.fraction),
            "n={n}: {} vs {ideal}",
            m.fraction
        );
        assert_eq!(m.to_other_nodes, 0, "KeysMovedToOtherNodes");
        assert_eq!(
            m.from_other_nodes, m.moved,
            "every moved key left a node that stayed"
        );
        assert!(m.sample.iter().all(|&(_, _, to)| to == n));
    }
}

/// Catalogue 5: N = 10, 100k keys: CV(v=200) < CV(v=10) < CV(v=1), and max/mean at v = 200 is
/// within the documented bound 1.3.
#[test]
fn more_vnodes_balance_better() {
    let keys = sample_keys(100_000);
    let cv = |v| balance(&Ring::with_nodes(v, 0..10), &keys);
    let (b1, b10, b200) = (cv(1), cv(10), cv(200));
    assert!(
        b200.cv < b10.cv && b10.cv < b1.cv,
        "{} {} {}",
        b1.cv,
        b10.cv,
        b200.cv
    );
    assert!(b200.max_over_mean <= 1.3, "{}", b200.max_over_mean);
    assert_eq!(b200.keys, 100_000);
}

/// Catalogue 6: a preference list of 3 holds 3 distinct physical nodes, primary first, and is
/// the walk clockwise skipping vnodes of chosen nodes.
#[test]
fn preference_lists_are_distinct_physical_nodes_primary_first() {
    let ring = Ring::with_nodes(10, 0..5);
    for k in sample_keys(2_000) {
        let p = ring.preference_list(&k, DEFAULT_REPLICAS);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], ring.primary(&k).unwrap());
        assert!(p[0] != p[1] && p[1] != p[2] && p[0] != p[2], "{p:?}");
        assert_eq!(p, naive_preference(&ring, &k, 3));
    }
    // Fewer nodes than R: every node once.
    let small = Ring::with_nodes(10, [7, 9]);
    let p = small.preference_list("x", 3);
    assert_eq!(p.len(), 2);
    assert!(Ring::new(4).preference_list("x", 3).is_empty());
}

/// Catalogue 8: determinism across builds: 20 key→position values pinned in a golden file.
#[test]
fn ring_positions_match_the_golden_file() {
    let golden = include_str!("../../testdata/ring_positions.txt");
    let mut n = 0;
    for line in golden
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (key, pos) = line.rsplit_once(' ').unwrap();
        let pos = u64::from_str_radix(pos.trim_start_matches("0x"), 16).unwrap();
        assert_eq!(ring_hash(key), pos, "{key}");
        n += 1;
    }
    assert_eq!(n, 20);
}

/// The finaliser is MurmurHash3's: 0 is its fixed point, and it is a bijection on samples.
#[test]
fn fmix64_is_murmur3s_finaliser() {
    assert_eq!(fmix64(0), 0);
    let outs: BTreeSet<u64> = (0..10_000u64).map(fmix64).collect();
    assert_eq!(outs.len(), 10_000);
}

/// Modulo hashing moves nearly everything on the same join (the teaching comparison).
#[test]
fn modulo_hashing_moves_almost_every_key() {
    let keys = sample_keys(20_000);
    let m = modulo_movement(&[0, 1, 2, 3, 4, 5], &[0, 1, 2, 3, 4, 5, 6], &keys);
    assert!(m.fraction > 0.8, "{}", m.fraction);
    let q = quality(6, 100, 20_000);
    assert!(q.join.fraction < 0.25 && q.modulo_join.fraction > 0.8);
    assert!(q.leave.to_other_nodes == q.leave.moved && q.leave.from_other_nodes == 0);
}

#[test]
fn ownership_shares_sum_to_one() {
    let ring = Ring::with_nodes(50, 0..5);
    let total: f64 = ring.ownership().iter().map(|(_, s)| s).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    assert_eq!(Ring::with_nodes(1, [3]).ownership(), vec![(3, 1.0)]);
}

/// The oracle: every vnode scanned linearly for the smallest clockwise distance.
fn naive_owner(ring: &Ring, pos: u64) -> Option<VNode> {
    ring.points()
        .iter()
        .copied()
        .min_by_key(|v| (v.position.wrapping_sub(pos), v.node, v.index))
}

fn naive_preference(ring: &Ring, key: &str, r: usize) -> Vec<NodeId> {
    let pos = ring_hash(key);
    let mut walk: Vec<VNode> = ring.points().to_vec();
    walk.sort_by_key(|v| (v.position.wrapping_sub(pos), v.node, v.index));
    let mut out = Vec::new();
    for v in walk {
        if out.len() < r && !out.contains(&v.node) {
            out.push(v.node);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The sorted-Vec ring agrees with the linear-scan oracle on owners and preference lists.
    #[test]
    fn ring_agrees_with_the_naive_oracle(
        nodes in proptest::collection::btree_set(0usize..40, 1..8),
        vnodes in 1u32..20,
        keys in proptest::collection::vec("[a-z0-9]{0,12}", 1..40),
        r in 1usize..5,
    ) {
        let ring = Ring::with_nodes(vnodes, nodes.iter().copied());
        for k in &keys {
            let pos = ring_hash(k);
            prop_assert_eq!(ring.owner_vnode(pos), naive_owner(&ring, pos));
            prop_assert_eq!(ring.preference_list(k, r), naive_preference(&ring, k, r));
        }
    }

    /// Monotonicity: a leave moves only the leaver's keys; adding it back restores everything.
    #[test]
    fn leave_and_rejoin_are_monotone(
        nodes in proptest::collection::btree_set(0usize..40, 2..8),
        vnodes in 1u32..30,
        pick in 0usize..8,
    ) {
        let keys = sample_keys(500);
        let before = Ring::with_nodes(vnodes, nodes.iter().copied());
        let x = *nodes.iter().nth(pick % nodes.len()).unwrap();
        let mut after = before.clone();
        after.remove(x);
        let m = movement(&before, &after, &keys);
        prop_assert_eq!(m.from_other_nodes, 0);
        after.add(x);
        prop_assert_eq!(movement(&before, &after, &keys).moved, 0);
    }
}
