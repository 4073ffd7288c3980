//! Reading the queue's state out of any world that hosts it (the playground's `Node`s or bare
//! queue actors): the ring now, a partition's leader and its most useful replica.

use super::actor::QueueActor;
use super::server::PartitionServer;
use crate::raft::Role;
use crate::ring::NodeId;
use crate::service::{Part, World};
use crate::sim::{Actor, ActorId, NodeState};

/// The ring now: the newest version any up server's partition replica applied; version 0
/// (nothing changed yet) is every server.
pub fn ring_now<N: Actor + Part<QueueActor>>(world: &World<'_, N>) -> (u64, Vec<NodeId>) {
    let mut best = (0, (0..world.servers).collect::<Vec<_>>());
    for i in 0..world.servers {
        if world.sim.node_state(i) == NodeState::Crashed {
            continue;
        }
        let Some(s) = world.sim.actor(i).part().server() else {
            continue;
        };
        for (_, p) in s.partitions() {
            let r = &p.state_machine().ring;
            if r.epoch > 0 && (r.epoch, &r.members) > (best.0, &best.1) {
                best = (r.epoch, r.members.clone());
            }
        }
    }
    best
}

/// Partition `p`'s leader (an up server, highest term).
pub fn partition_leader<N: Actor + Part<QueueActor>>(
    world: &World<'_, N>,
    p: u32,
) -> Option<ActorId> {
    (0..world.servers)
        .filter(|&i| world.sim.node_state(i) == NodeState::Up)
        .filter_map(|i| {
            let s = world.sim.actor(i).part().server()?.partition(p)?;
            (s.role() == Role::Leader).then_some((s.term(), i))
        })
        .max()
        .map(|(_, i)| i)
}

/// The replica of `p` to show: its leader's, else the most advanced voter's that is not down.
pub fn partition_replica<'w, N: Actor + Part<QueueActor>>(
    world: &World<'w, N>,
    p: u32,
) -> Option<(ActorId, &'w PartitionServer)> {
    let sim = world.sim;
    let get = |i: ActorId| sim.actor(i).part().server().and_then(|s| s.partition(p));
    if let Some(l) = partition_leader(world, p) {
        return get(l).map(|s| (l, s));
    }
    (0..world.servers)
        .filter(|&i| sim.node_state(i) != NodeState::Crashed)
        .filter_map(|i| get(i).map(|s| (i, s)))
        .filter(|(_, s)| s.voters().contains(&s.id()))
        .max_by_key(|(_, s)| s.applied_index())
}

/// Partition `p`'s voters as its shown replica sees them, sorted.
pub fn voters_now<N: Actor + Part<QueueActor>>(world: &World<'_, N>, p: u32) -> Vec<NodeId> {
    let mut v = partition_replica(world, p).map_or_else(Vec::new, |(_, s)| s.voters().to_vec());
    crate::base::sort::sort(&mut v);
    v
}
