//! Where a partition lives: fixed partitions of the hash space, placed on the ring.
//!
//! The 64-bit hash space is cut into [`PARTITIONS`] equal ranges; partition `p` covers
//! `[p·2⁶⁴/P, (p+1)·2⁶⁴/P)`, so a key's partition is the top bits of `ring_hash(key)` and never
//! changes. What the ring decides is *who holds* each partition: the Dynamo preference list of
//! the range's last position (its "anchor"), R distinct physical nodes clockwise. This is
//! Dynamo's strategy 3 (Q equal partitions, placed by tokens): a join or a leave moves whole
//! partitions, never splits them, and only the partitions whose anchor's preference list changed
//! move at all.

use crate::mutants::{active, Mutant};
use crate::ring::{ring_hash, NodeId, Ring};

/// Number of partitions (one Raft group each). Eight keeps the playground's message load
/// readable with five nodes (8 leaders × 2 followers) while a join still moves a visible share.
pub const PARTITIONS: u32 = 8;
/// Replicas per partition (the preference list's length; fewer if fewer nodes).
pub const REPLICAS: usize = crate::ring::DEFAULT_REPLICAS;
/// Virtual nodes per physical node on the queue's ring.
pub const VNODES: u32 = 8;

/// The partition of a ring position.
pub fn partition_of_position(position: u64) -> u32 {
    // P is a power of two: the top log2(P) bits.
    (position >> (64 - PARTITIONS.trailing_zeros())) as u32
}

/// The partition of a key.
pub fn partition_of(key: &str) -> u32 {
    partition_of_position(ring_hash(key))
}

/// The first position of partition `p`'s range.
pub fn range_start(p: u32) -> u64 {
    u64::from(p) << (64 - PARTITIONS.trailing_zeros())
}

/// The last position of partition `p`'s range (inclusive): the anchor its placement follows.
pub fn range_end(p: u32) -> u64 {
    if p + 1 >= PARTITIONS {
        u64::MAX
    } else {
        range_start(p + 1) - 1
    }
}

/// The queue's ring over `members`.
pub fn ring_of(members: &[NodeId]) -> Ring {
    Ring::with_nodes(VNODES, members.iter().copied())
}

/// The replicas partition `p` should have on a ring of `members`: the preference list of its
/// anchor. `left`: the node whose leave produced this ring, if any (only read by the
/// `QueueLeaveWrongSuccessor` mutant, which hands the leaver's partitions to the wrong node).
pub fn placement(members: &[NodeId], p: u32, left: Option<NodeId>) -> Vec<NodeId> {
    let mut list = ring_of(members).preference_list_at(range_end(p), REPLICAS);
    if let Some(l) = left {
        if active(Mutant::QueueLeaveWrongSuccessor) {
            // The bug: the successor is taken from the ring *before* the leave was applied
            // past the leaver (the next vnode's owner, whoever it is), i.e. the lowest-id
            // member not already in the list, instead of the ring's next distinct node.
            let before = {
                let mut m = members.to_vec();
                m.push(l);
                ring_of(&m).preference_list_at(range_end(p), REPLICAS)
            };
            if before.contains(&l) {
                if let Some(wrong) = members.iter().copied().find(|n| !list.contains(n)) {
                    if let Some(last) = list.last_mut() {
                        *last = wrong;
                    }
                }
            }
        }
    }
    list
}

/// "p3": a partition's name in messages and ids.
pub fn partition_name(p: u32) -> String {
    format!("p{p}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tile_the_hash_space_and_keys_fall_in_their_range() {
        assert_eq!(range_start(0), 0);
        assert_eq!(range_end(PARTITIONS - 1), u64::MAX);
        for p in 0..PARTITIONS - 1 {
            assert_eq!(range_end(p) + 1, range_start(p + 1));
            assert_eq!(partition_of_position(range_start(p)), p);
            assert_eq!(partition_of_position(range_end(p)), p);
        }
        for k in ["a", "orders", "key-17"] {
            let (pos, p) = (ring_hash(k), partition_of(k));
            assert!(range_start(p) <= pos && pos <= range_end(p));
        }
    }

    #[test]
    fn placement_is_the_anchor_preference_list() {
        let members = [0, 1, 2, 3, 4];
        for p in 0..PARTITIONS {
            let list = placement(&members, p, None);
            assert_eq!(list.len(), 3);
            assert_eq!(list, ring_of(&members).preference_list_at(range_end(p), 3));
        }
        assert_eq!(placement(&[2], 0, None), vec![2]);
    }
}
