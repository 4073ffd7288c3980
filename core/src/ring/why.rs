//! Why a key lives where it does, and why it moved after a join or a leave, in words: "this key
//! moved to n6 because n6's vnode 3 now precedes it on the ring". Owners are found clockwise:
//! a key belongs to the first vnode at or after its position, i.e. the vnode that now
//! precedes it when the ring is read counter-clockwise from the owner.

use super::{ring_hash, NodeId, Ring};
use crate::base::decimal::Fixed;
use crate::sim::Reason;

fn pct(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0 * 100.0
}

/// Where `key` lives on `ring`, and why.
pub fn lookup(ring: &Ring, key: &str, label: &dyn Fn(NodeId) -> String) -> Option<Reason> {
    let at = ring_hash(key);
    let v = ring.owner_vnode(at)?;
    Some(Reason::new(
        "ring-lookup",
        format!(
            "key `{key}` hashes to {}% of the ring; the first vnode clockwise from it is {}'s vnode {} (at {}%), so {} owns it",
            Fixed(pct(at), 1),
            label(v.node),
            v.index,
            Fixed(pct(v.position), 1),
            label(v.node)
        ),
    ))
}

/// Why `key` moved (or did not) from `before` to `after`.
pub fn moved(
    before: &Ring,
    after: &Ring,
    key: &str,
    label: &dyn Fn(NodeId) -> String,
) -> Option<Reason> {
    let at = ring_hash(key);
    let (old, new) = (before.owner_vnode(at)?, after.owner_vnode(at)?);
    if old.node == new.node {
        return Some(Reason::new(
            "ring-stays",
            format!(
                "key `{key}` stays on {}: no vnode was added or removed between it and {}'s vnode {}",
                label(new.node),
                label(new.node),
                new.index
            ),
        ));
    }
    let text = if after.contains(old.node) || !before.contains(new.node) {
        format!(
            "key `{key}` moved to {} because {}'s vnode {} now precedes it on the ring (at {}%, the key at {}%), ahead of {}'s vnode {}",
            label(new.node),
            label(new.node),
            new.index,
            Fixed(pct(new.position), 1),
            Fixed(pct(at), 1),
            label(old.node),
            old.index
        )
    } else {
        format!(
            "key `{key}` moved to {} because {} left the ring: its vnode {} is gone, and the next vnode clockwise is {}'s vnode {}",
            label(new.node),
            label(old.node),
            old.index,
            label(new.node),
            new.index
        )
    };
    Some(Reason::new("ring-moved", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: NodeId) -> String {
        format!("n{}", i + 1)
    }

    /// A join moves keys only to the joiner, and each moved key is explained by one of the
    /// joiner's vnodes; the others stay, and a leave explains the departure.
    #[test]
    fn joins_and_leaves_explain_every_move() {
        let before = Ring::with_nodes(8, 0..5);
        let after = Ring::with_nodes(8, 0..6);
        let (mut moved_n, mut stayed) = (0, 0);
        for k in 0..200 {
            let key = format!("key-{k}");
            let r = moved(&before, &after, &key, &n).unwrap();
            match r.code {
                "ring-moved" => {
                    moved_n += 1;
                    assert!(
                        r.text.contains("moved to n6 because n6's vnode"),
                        "{}",
                        r.text
                    );
                    assert_eq!(after.primary(&key), Some(5));
                }
                _ => {
                    stayed += 1;
                    assert_eq!(before.primary(&key), after.primary(&key));
                }
            }
        }
        assert!(moved_n > 0 && stayed > moved_n, "{moved_n} {stayed}");
        let r = (0..200)
            .map(|k| format!("key-{k}"))
            .find_map(|key| moved(&after, &before, &key, &n).filter(|r| r.code == "ring-moved"))
            .unwrap();
        assert!(r.text.contains("because n6 left the ring"), "{}", r.text);
        let l = lookup(&before, "orders", &n).unwrap();
        assert!(l.text.starts_with("key `orders` hashes to"), "{}", l.text);
    }
}
