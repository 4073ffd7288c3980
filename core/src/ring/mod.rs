//! Consistent hashing: a ring of virtual nodes (Karger et al. 1997; Dynamo's preference lists),
//! in its own module so that the queue (partition placement) and the cache (home nodes) share it.
//!
//! - **The hash** ([`ring_hash`]) is FNV-1a 64 over the UTF-8 bytes (`base::StableHasher`),
//!   finished with MurmurHash3's `fmix64` avalanche step. FNV-1a alone leaves the high bits of
//!   short, similar strings ("key-1", "key-2") close together, which clusters them on a ring
//!   ordered by the whole word; `fmix64` spreads every input bit over every output bit. Both
//!   steps are fully specified, so positions never change across builds or platforms (the
//!   golden file `core/testdata/ring_positions.txt` pins 20 of them). Never `DefaultHasher`.
//! - **Virtual node** `i` of physical node `n` sits at `ring_hash("n{n}#v{i}")`; a key at
//!   `ring_hash(key)`. A key belongs to the first vnode clockwise (position ≥ the key's,
//!   wrapping to the smallest).
//! - **Preference list** of R: walk clockwise from the key and take the owners of the vnodes met,
//!   skipping vnodes of physical nodes already chosen (Dynamo), so it holds
//!   `min(R, nodes)` distinct physical nodes and starts with the primary.
//!
//! The ring is a sorted `Vec` searched with `partition_point`: lookups are O(log(N·V)), and a
//! rebuild on join or leave is O(N·V log(N·V)), which is nothing next to a simulation step.

pub mod lab;
pub mod metrics;
pub mod why;

#[cfg(test)]
mod tests;

use crate::base::sorted::SortedSet;

use serde::{Deserialize, Serialize};

use crate::base::StableHasher;

/// A physical node (the simulator's actor id of a server).
pub type NodeId = usize;

/// The default number of replicas in a preference list.
pub const DEFAULT_REPLICAS: usize = 3;

/// MurmurHash3's 64-bit finaliser: a bijection whose every output bit depends on every input bit.
pub fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// The ring position of a string: `fmix64(FNV-1a-64(bytes))`.
pub fn ring_hash(s: &str) -> u64 {
    let mut h = StableHasher::default();
    h.bytes(s.as_bytes());
    fmix64(h.finish())
}

/// The position of virtual node `index` of physical node `node`.
pub fn vnode_position(node: NodeId, index: u32) -> u64 {
    ring_hash(&format!("n{node}#v{index}"))
}

/// One virtual node on the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VNode {
    pub position: u64,
    pub node: NodeId,
    pub index: u32,
}

/// A consistent-hash ring: `vnodes` virtual nodes for each physical node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    vnodes: u32,
    nodes: SortedSet<NodeId>,
    /// Sorted by (position, node, index): ties (astronomically rare) break by node id, so the
    /// order never depends on insertion order.
    points: Vec<VNode>,
}

impl Ring {
    /// An empty ring with `vnodes` (at least 1) virtual nodes per physical node.
    pub fn new(vnodes: u32) -> Self {
        Ring {
            vnodes: vnodes.max(1),
            nodes: SortedSet::new(),
            points: Vec::new(),
        }
    }

    pub fn with_nodes(vnodes: u32, nodes: impl IntoIterator<Item = NodeId>) -> Self {
        let mut r = Ring::new(vnodes);
        for n in nodes {
            r.add(n);
        }
        r
    }

    pub fn vnodes_per_node(&self) -> u32 {
        self.vnodes
    }
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes.iter().copied()
    }
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
    pub fn contains(&self, node: NodeId) -> bool {
        self.nodes.contains(&node)
    }
    /// Every virtual node, in ring order.
    pub fn points(&self) -> &[VNode] {
        &self.points
    }

    /// Add a physical node (and its vnodes). Returns false if it was already there.
    pub fn add(&mut self, node: NodeId) -> bool {
        if !self.nodes.insert(node) {
            return false;
        }
        for index in 0..self.vnodes {
            let v = VNode {
                position: vnode_position(node, index),
                node,
                index,
            };
            let at = self.points.partition_point(|p| *p < v);
            self.points.insert(at, v);
        }
        true
    }

    /// Remove a physical node (and its vnodes). Returns false if it was not there.
    pub fn remove(&mut self, node: NodeId) -> bool {
        if !self.nodes.remove(&node) {
            return false;
        }
        self.points.retain(|p| p.node != node);
        true
    }

    /// The index in `points` of the first vnode clockwise from `position` (wrapping).
    fn successor(&self, position: u64) -> Option<usize> {
        if self.points.is_empty() {
            return None;
        }
        let i = self.points.partition_point(|p| p.position < position);
        Some(if i == self.points.len() { 0 } else { i })
    }

    /// The vnode that owns `position`.
    pub fn owner_vnode(&self, position: u64) -> Option<VNode> {
        self.successor(position).map(|i| self.points[i])
    }

    /// The primary node of a key.
    pub fn primary(&self, key: &str) -> Option<NodeId> {
        self.owner_vnode(ring_hash(key)).map(|v| v.node)
    }

    /// A key's preference list: `r` distinct physical nodes clockwise from it (fewer if the
    /// ring has fewer nodes), primary first.
    pub fn preference_list(&self, key: &str, r: usize) -> Vec<NodeId> {
        self.preference_list_at(ring_hash(key), r)
    }

    /// The preference list of a ring position.
    pub fn preference_list_at(&self, position: u64, r: usize) -> Vec<NodeId> {
        let want = r.min(self.nodes.len());
        let mut out = Vec::with_capacity(want);
        let Some(start) = self.successor(position) else {
            return out;
        };
        let n = self.points.len();
        for k in 0..n {
            if out.len() == want {
                break;
            }
            let node = self.points[(start + k) % n].node;
            if !out.contains(&node) {
                out.push(node);
            }
        }
        out
    }

    /// The fraction of the hash space each node owns as primary (sums to 1), in node order.
    pub fn ownership(&self) -> Vec<(NodeId, f64)> {
        let mut share: crate::base::sorted::SortedMap<NodeId, f64> =
            self.nodes.iter().map(|&n| (n, 0.0)).collect();
        let n = self.points.len();
        for (i, p) in self.points.iter().enumerate() {
            // Vnode i owns the arc (previous position, its position].
            let prev = self.points[(i + n - 1) % n].position;
            let arc = p.position.wrapping_sub(prev);
            let arc = if n == 1 { u64::MAX } else { arc };
            *share.entry(p.node).or_default() += arc as f64 / u64::MAX as f64;
        }
        share.into_iter().collect()
    }
}
