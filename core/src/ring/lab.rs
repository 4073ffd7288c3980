//! The ring lab of the Queue tab: how well a ring of the current members would spread keys at a
//! chosen vnode count, and how many keys one join or one leave would move, next to modulo
//! hashing for the same change. A "what if" on the members the cluster has now; the live ring is
//! the queue service's.

use serde::Serialize;

use super::metrics::{balance, balance_of, modulo_movement, modulo_owner, movement, sample_keys};
use super::metrics::{Balance, Movement};
use super::{NodeId, Ring};

/// Largest vnode count the lab offers (the slider's end).
pub const MAX_VNODES: u32 = 256;
/// Sample keys the lab places: enough that the per-node share is read to about 1 %.
pub const LAB_KEYS: usize = 10_000;

/// What the lab shows for one (members, vnodes, hashing) choice.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lab {
    pub members: Vec<NodeId>,
    pub vnodes: u32,
    /// Modulo hashing (`hash mod N`) instead of the ring.
    pub modulo: bool,
    /// Per-node load over the sample keys.
    pub balance: Balance,
    /// A new node (the smallest id not a member) joins.
    pub join: Option<(NodeId, Movement)>,
    /// The largest member leaves.
    pub leave: Option<(NodeId, Movement)>,
}

/// The lab for `members` (sorted and deduplicated here) at `vnodes` (clamped to
/// `1..=MAX_VNODES`; ignored under modulo hashing).
pub fn lab(members: &[NodeId], vnodes: u32, modulo: bool) -> Lab {
    let mut members = members.to_vec();
    crate::base::sort::sort(&mut members);
    members.dedup();
    let vnodes = vnodes.clamp(1, MAX_VNODES);
    let keys = sample_keys(LAB_KEYS);
    let joiner = (0..).find(|n| !members.contains(n)).unwrap_or_default();
    let leaver = members.last().copied();
    let mut with = members.clone();
    with.push(joiner);
    let without: Vec<NodeId> = members
        .iter()
        .copied()
        .filter(|&n| Some(n) != leaver)
        .collect();
    let (balance, join, leave) = if modulo {
        let mut load: Vec<(NodeId, usize)> = members.iter().map(|&n| (n, 0)).collect();
        for k in &keys {
            if let Some(owner) = modulo_owner(&members, k) {
                if let Some(slot) = load.iter_mut().find(|(n, _)| *n == owner) {
                    slot.1 += 1;
                }
            }
        }
        (
            balance_of(load),
            modulo_movement(&members, &with, &keys),
            modulo_movement(&members, &without, &keys),
        )
    } else {
        let ring = |ids: &[NodeId]| Ring::with_nodes(vnodes, ids.iter().copied());
        let now = ring(&members);
        (
            balance(&now, &keys),
            movement(&now, &ring(&with), &keys),
            movement(&now, &ring(&without), &keys),
        )
    };
    Lab {
        vnodes,
        modulo,
        balance,
        join: Some((joiner, join)),
        leave: leaver.filter(|_| members.len() > 1).map(|n| (n, leave)),
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_vnodes_spread_keys_more_evenly() {
        let few = lab(&[0, 1, 2, 3, 4], 1, false);
        let many = lab(&[0, 1, 2, 3, 4], 200, false);
        assert!(
            many.balance.cv < few.balance.cv / 2.0,
            "{} vs {}",
            many.balance.cv,
            few.balance.cv
        );
        assert!(
            many.balance.max_over_mean < 1.2,
            "{}",
            many.balance.max_over_mean
        );
        assert_eq!(many.balance.keys, LAB_KEYS);
    }

    #[test]
    fn a_join_moves_about_one_nth_on_the_ring_and_nearly_everything_under_modulo() {
        let ring = lab(&[0, 1, 2, 3, 4], 100, false);
        let (joiner, join) = ring.join.clone().unwrap();
        assert_eq!(joiner, 5);
        assert!(
            (join.fraction - 1.0 / 6.0).abs() < 0.05,
            "{}",
            join.fraction
        );
        assert_eq!(
            join.to_other_nodes, 0,
            "a join moves keys only to the new node"
        );
        let modulo = lab(&[0, 1, 2, 3, 4], 100, true);
        assert!(modulo.join.unwrap().1.fraction > 0.7);
        let (leaver, leave) = ring.leave.unwrap();
        assert_eq!(leaver, 4);
        assert_eq!(
            leave.from_other_nodes, 0,
            "a leave only moves the leaver's keys"
        );
    }

    #[test]
    fn members_are_normalised_and_vnodes_clamped() {
        let l = lab(&[2, 0, 2], 0, false);
        assert_eq!(l.members, vec![0, 2]);
        assert_eq!(l.vnodes, 1);
        assert_eq!(l.join.unwrap().0, 1, "the smallest free id joins");
        assert_eq!(lab(&[0], 9999, false).vnodes, MAX_VNODES);
        assert!(
            lab(&[0], 10, false).leave.is_none(),
            "the last member cannot leave"
        );
    }
}
