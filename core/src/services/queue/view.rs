//! What the Queue tab draws: the ring (vnodes coloured by owner, keys on it), the partitions
//! with their replica sets, leaders and depths, per-node depth, the last join/leave diff, the
//! delivery counters and the ring's balance. Plain structs, built once per frame from the
//! world; the UI decides nothing.
//!
//! Per-node depth counts the partitions a node **leads** (`ready`, `in_flight`, `dead`: every
//! message is counted once over the cluster, on the node that serves it) and, separately, the
//! partitions it **hosts** as any replica (`hosted_*`: what it stores).
//!
//! The vnode slider and the modulo comparison use `ring::lab` (a what-if over the members).

use serde::{Deserialize, Serialize};

use crate::ring::metrics::{self, Balance};
use crate::ring::{ring_hash, NodeId, Ring};
use crate::service::{Hosts, World};
use crate::sim::Time;

use super::actor::QueueActor;
use super::client::{QueueClientConfig, QueueOp, QueueResult};
use super::placement::{partition_of, placement, range_end, range_start, ring_of};
use super::placement::{PARTITIONS, REPLICAS, VNODES};
use super::types::RingChange;
use super::world::{partition_leader, partition_replica, ring_now, voters_now};

/// One virtual node on the ring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VNodeView {
    /// The physical node (actor id: 0 is n1).
    pub owner: NodeId,
    /// Which of the owner's vnodes (0..V).
    pub index: u32,
    pub position: u64,
    /// `position / 2⁶⁴`, in [0, 1): where to draw it on the circle (0 at the top, clockwise).
    pub fraction: f64,
}

/// One partition: a fixed range of the ring and the Raft group that stores its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartitionView {
    pub id: u32,
    /// Its ring range `[start, end]` (inclusive), as positions and as fractions of the ring.
    pub start: u64,
    pub end: u64,
    pub start_fraction: f64,
    pub end_fraction: f64,
    /// The Raft group's voters now (the leader's configuration, else the most advanced
    /// replica's).
    pub replicas: Vec<NodeId>,
    /// Where the ring says it should live (the anchor's preference list, primary first).
    /// Differs from `replicas` while a join or leave is being carried out.
    pub desired: Vec<NodeId>,
    /// The ring's primary for it (`desired[0]`).
    pub primary: Option<NodeId>,
    pub leader: Option<NodeId>,
    pub term: u64,
    pub commit_index: u64,
    pub ready: usize,
    pub in_flight: usize,
    pub dead: usize,
}

/// One node's queue depth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeDepthView {
    pub node: NodeId,
    pub name: String,
    /// Whether the node is a member of the queue's ring.
    pub in_ring: bool,
    /// Partitions it leads and partitions it holds a replica of.
    pub leads: Vec<u32>,
    pub hosts: Vec<u32>,
    /// Over the partitions it leads (each message counted once cluster-wide).
    pub ready: usize,
    pub in_flight: usize,
    pub dead: usize,
    /// Over every partition it hosts (what its disk holds).
    pub hosted_ready: usize,
    pub hosted_in_flight: usize,
    pub hosted_dead: usize,
}

/// A key recently used by an enqueue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyView {
    pub key: String,
    pub position: u64,
    pub fraction: f64,
    pub partition: u32,
    /// The partition's primary on the ring (where the key's messages live), and its
    /// preference list.
    pub primary: Option<NodeId>,
    pub replicas: Vec<NodeId>,
    /// The key's own owner on the ring (the first vnode clockwise from it), which the teaching
    /// view's "key walks clockwise" animation shows; messages follow the partition instead.
    pub ring_owner: Option<NodeId>,
}

/// The last membership change and what it moved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RingChangeView {
    pub joined: Option<NodeId>,
    pub left: Option<NodeId>,
    pub members_before: Vec<NodeId>,
    pub members_after: Vec<NodeId>,
    /// Of `total` sample keys, how many changed owner ("k/K" in `moved_text`).
    pub moved: usize,
    pub total: usize,
    pub fraction: f64,
    /// The ideal fraction: 1/(N+1) on a join, 1/N on a leave.
    pub ideal: f64,
    pub moved_text: String,
    /// Moved keys that left a node other than the leaver, or landed on a node other than the
    /// joiner: 0 for consistent hashing.
    pub wrong_moves: usize,
    /// The same change under modulo hashing (`hash mod N`).
    pub modulo_moved: usize,
    pub modulo_fraction: f64,
    /// Partitions whose replica set changed, of `PARTITIONS`.
    pub partitions_moved: usize,
}

/// Delivery counters, summed over the partitions (each partition's leader, else its most
/// advanced replica).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueCounters {
    pub enqueued: u64,
    pub delivered: u64,
    pub acked: u64,
    /// Deliveries after a visibility timeout (`redelivered: true`).
    pub redelivered: u64,
    /// Deliveries of a message some consumer had already received (from the clients' side).
    pub duplicates: u64,
    pub dead_lettered: u64,
}

/// Balance of a ring over sample keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BalanceView {
    pub keys: usize,
    /// Keys per node (node, count), in node order.
    pub load: Vec<(NodeId, usize)>,
    pub mean: f64,
    pub max: usize,
    pub max_over_mean: f64,
    pub cv: f64,
}

impl PartitionView {
    /// Whether the group is still being moved to where the ring wants it: its voters are not
    /// (yet) the preference list's nodes, in whatever order.
    pub fn moving(&self) -> bool {
        let sorted = |v: &[NodeId]| {
            let mut v = v.to_vec();
            crate::base::sort::sort(&mut v);
            v
        };
        !self.desired.is_empty() && sorted(&self.replicas) != sorted(&self.desired)
    }
}

impl From<&Balance> for BalanceView {
    fn from(b: &Balance) -> Self {
        BalanceView {
            keys: b.keys,
            load: b.load.clone(),
            mean: b.mean,
            max: b.max,
            max_over_mean: b.max_over_mean,
            cv: b.cv,
        }
    }
}

/// Everything the Queue tab shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    /// V (vnodes per node), R (replicas per partition), P (partitions).
    pub vnodes_per_node: u32,
    pub replicas: usize,
    pub partitions_count: u32,
    /// The ring's members (actor ids), and its version (bumped by every join or leave).
    pub members: Vec<NodeId>,
    pub ring_epoch: u64,
    /// Every vnode, in ring order.
    pub vnodes: Vec<VNodeView>,
    pub partitions: Vec<PartitionView>,
    /// One row per server.
    pub depth: Vec<NodeDepthView>,
    /// Recently used keys, newest first.
    pub keys: Vec<KeyView>,
    pub last_change: Option<RingChangeView>,
    pub counters: QueueCounters,
    /// Balance of the current ring over `BALANCE_KEYS` sample keys.
    pub balance: BalanceView,
    /// Visibility timeout and max receive count the console uses (ms, count).
    pub visibility_timeout_ms: u64,
    pub max_receive: u32,
}

/// Sample keys for balance and movement figures.
pub const BALANCE_KEYS: usize = 1000;

/// `position / 2⁶⁴`.
pub fn fraction(position: u64) -> f64 {
    position as f64 / 18_446_744_073_709_551_616.0
}

/// The vnodes of a ring of `members` with `vnodes` each, in ring order.
pub fn vnode_views(members: &[NodeId], vnodes: u32) -> Vec<VNodeView> {
    Ring::with_nodes(vnodes, members.iter().copied())
        .points()
        .iter()
        .map(|v| VNodeView {
            owner: v.node,
            index: v.index,
            position: v.position,
            fraction: fraction(v.position),
        })
        .collect()
}

/// The ranges of every partition (replicas, depths and leaders left empty).
pub fn partition_ranges() -> Vec<PartitionView> {
    (0..PARTITIONS)
        .map(|p| PartitionView {
            id: p,
            start: range_start(p),
            end: range_end(p),
            start_fraction: fraction(range_start(p)),
            end_fraction: fraction(range_end(p)),
            ..PartitionView::default()
        })
        .collect()
}

/// The skeleton of a view for a ring of `members` (no partition state yet).
pub fn ring_only_view(members: &[NodeId]) -> QueueView {
    let ring = Ring::with_nodes(VNODES, members.iter().copied());
    let sample = metrics::sample_keys(BALANCE_KEYS);
    let mut partitions = partition_ranges();
    for p in &mut partitions {
        p.desired = ring.preference_list_at(p.end, REPLICAS);
        p.primary = p.desired.first().copied();
    }
    QueueView {
        vnodes_per_node: VNODES,
        replicas: REPLICAS,
        partitions_count: PARTITIONS,
        members: members.to_vec(),
        ring_epoch: 0,
        vnodes: vnode_views(members, VNODES),
        partitions,
        balance: BalanceView::from(&metrics::balance(&ring, &sample)),
        ..QueueView::default()
    }
}

/// How many recently used keys the view lists.
pub const RECENT_KEYS: usize = 12;

/// The view of any world hosting the queue (the playground's, or bare queue actors').
pub fn queue_view_of<N: Hosts<QueueActor>>(world: &World<'_, N>) -> QueueView {
    let (epoch, members) = ring_now(world);
    let mut v = ring_only_view(&members);
    v.ring_epoch = epoch;
    let defaults = QueueClientConfig::default();
    v.visibility_timeout_ms = defaults.visibility_ms;
    v.max_receive = defaults.max_receive;
    let mut change = None;
    for part in &mut v.partitions {
        let p = part.id;
        part.leader = partition_leader(world, p);
        part.replicas = voters_now(world, p);
        let Some((_, s)) = partition_replica(world, p) else {
            continue;
        };
        let sm = s.state_machine();
        part.term = s.term();
        part.commit_index = s.commit_index();
        part.ready = sm.ready_count();
        part.in_flight = sm.in_flight_count();
        part.dead = sm.dead_count();
        let c = &sm.counters;
        v.counters.enqueued += c.enqueued;
        v.counters.delivered += c.delivered;
        v.counters.acked += c.acked;
        v.counters.redelivered += c.redelivered;
        v.counters.dead_lettered += c.dead_lettered;
        if sm.ring.epoch == epoch && epoch > 0 {
            // Before the first change a partition has no ring of its own yet: the initial ring
            // is every server (as `ring_now` takes it).
            let before = if sm.ring.before.is_empty() {
                (0..world.servers).collect()
            } else {
                sm.ring.before.clone()
            };
            change = Some((before, sm.ring.change));
        }
    }
    for n in 0..world.servers {
        let mut d = NodeDepthView {
            node: n,
            name: world.label(n),
            in_ring: members.contains(&n),
            ..NodeDepthView::default()
        };
        for part in &v.partitions {
            if part.leader == Some(n) {
                d.leads.push(part.id);
                d.ready += part.ready;
                d.in_flight += part.in_flight;
                d.dead += part.dead;
            }
            if part.replicas.contains(&n) {
                d.hosts.push(part.id);
                d.hosted_ready += part.ready;
                d.hosted_in_flight += part.in_flight;
                d.hosted_dead += part.dead;
            }
        }
        v.depth.push(d);
    }
    v.keys = recent_keys(world, &members);
    v.counters.duplicates = duplicates(world);
    if let Some((before, ch)) = change {
        v.last_change = Some(ring_change(&before, &members, ch));
    }
    v
}

/// Keys of the newest enqueues of the console clients, newest first, deduplicated.
fn recent_keys<N: Hosts<QueueActor>>(world: &World<'_, N>, members: &[NodeId]) -> Vec<KeyView> {
    let mut used: Vec<(Time, String)> = Vec::new();
    for (_, cid) in world.console {
        let Some(c) = world.sim.actor(*cid).part().client() else {
            continue;
        };
        for r in c.history() {
            if let QueueOp::Enqueue { message, key, .. } = &r.op {
                used.push((
                    r.invoked,
                    key.clone().unwrap_or_else(|| message.to_string()),
                ));
            }
        }
    }
    crate::base::sort::sort_by_key(&mut used, |u| std::cmp::Reverse(u.0));
    let ring = ring_of(members);
    let mut out: Vec<KeyView> = Vec::new();
    for (_, key) in used {
        if out.len() == RECENT_KEYS {
            break;
        }
        if out.iter().any(|k| k.key == key) {
            continue;
        }
        let position = ring_hash(&key);
        let partition = partition_of(&key);
        let replicas = ring.preference_list_at(range_end(partition), REPLICAS);
        out.push(KeyView {
            fraction: fraction(position),
            primary: replicas.first().copied(),
            ring_owner: ring.owner_vnode(position).map(|v| v.node),
            key,
            position,
            partition,
            replicas,
        });
    }
    out
}

/// Deliveries of a message id some console client had already received.
fn duplicates<N: Hosts<QueueActor>>(world: &World<'_, N>) -> u64 {
    let mut seen = crate::base::sorted::SortedSet::new();
    let mut dup = 0;
    let mut all: Vec<(Time, &str)> = Vec::new();
    for (_, cid) in world.console {
        let Some(c) = world.sim.actor(*cid).part().client() else {
            continue;
        };
        for r in c.history() {
            if let Some(QueueResult::Delivered { message_id, .. }) = &r.result {
                all.push((r.completed.unwrap_or(r.invoked), message_id));
            }
        }
    }
    crate::base::sort::sort(&mut all);
    for (_, id) in all {
        if !seen.insert(id) {
            dup += 1;
        }
    }
    dup
}

/// What a membership change moved: sample keys whose owner changed, and partitions whose
/// replica set changed.
pub fn ring_change(before: &[NodeId], after: &[NodeId], change: RingChange) -> RingChangeView {
    let keys = metrics::sample_keys(BALANCE_KEYS);
    let m = metrics::movement(&ring_of(before), &ring_of(after), &keys);
    let mm = metrics::modulo_movement(before, after, &keys);
    let partitions_moved = (0..PARTITIONS)
        .filter(|&p| {
            let mut a = placement(before, p, None);
            let mut b = placement(after, p, None);
            crate::base::sort::sort(&mut a);
            crate::base::sort::sort(&mut b);
            a != b
        })
        .count();
    let (joined, left) = match change {
        RingChange::Join(n) => (Some(n), None),
        RingChange::Leave(n) => (None, Some(n)),
        RingChange::Initial => (None, None),
    };
    RingChangeView {
        joined,
        left,
        members_before: before.to_vec(),
        members_after: after.to_vec(),
        moved: m.moved,
        total: m.keys,
        fraction: m.fraction,
        ideal: m.ideal,
        moved_text: format!("{}/{}", m.moved, m.keys),
        wrong_moves: if joined.is_some() {
            m.to_other_nodes
        } else {
            m.from_other_nodes
        },
        modulo_moved: mm.moved,
        modulo_fraction: mm.fraction,
        partitions_moved,
    }
}

impl crate::playground::Playground {
    /// The Queue tab's view of the world now.
    pub fn queue_view(&self) -> QueueView {
        self.with_world(queue_view_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnodes_are_in_ring_order_with_fractions() {
        let v = vnode_views(&[0, 1, 2], 4);
        assert_eq!(v.len(), 12);
        assert!(v.windows(2).all(|w| w[0].position <= w[1].position));
        assert!(v.iter().all(|x| (0.0..1.0).contains(&x.fraction)));
    }
}
