//! The queue in the generic fuzzer (`syncsim fuzz --service queue`): 3 or 5 servers, two
//! producers (random priorities over a few keys), two consumers that forget to ack some
//! deliveries (as a consumer that dies would), and an admin client through which the target's
//! own actions make nodes leave and join the ring (keeping at least R members).
//!
//! After every event:
//! - Raft's `SafetyMonitor` on every partition's group;
//! - an enqueue answered 200 is on the disks of at least a quorum (two servers) — an answer
//!   before a quorum persisted is caught the moment the client sees it;
//! - no partition group has more than R voters, and every voter is a node some version of the
//!   ring placed there (nothing moves anywhere else);
//! - every replica's queue indexes agree with its messages (ready order, deadlines).
//!
//! After healing and a quiet period:
//! - every acknowledged enqueue was delivered at least once (the consumers saw it) or is still
//!   stored, and none is lost;
//! - no delivery is overdue: a visibility timeout that passed made its message visible again;
//! - every partition's voters are the preference list of the final ring.

use std::collections::{BTreeMap, BTreeSet};

use super::actor::{queue_workload_client, QueueActor, QueueActorCmd};
use super::client::{QueueClient, QueueOp, QueueResult, QueueWorkload, Submit};
use super::placement::{partition_of, placement, PARTITIONS, REPLICAS};
use super::server::PartitionServer;
use super::sm::QueueSm;
use super::types::{QueueCmd, RingChange};
use crate::base::{SimRng, MS, SEC};
use crate::net::NetProfile;
use crate::raft::check::SafetyMonitor;
use crate::raft::{Payload, RaftConfig};
use crate::service::fuzz::FuzzTarget;
use crate::service::World;
use crate::sim::{Action, ActorId, NodeState, Sim, SimConfig};

const PRODUCERS: usize = 2;
const CONSUMERS: usize = 2;
const MESSAGES: u64 = 20;

pub struct QueueFuzz {
    servers: usize,
    monitors: Vec<SafetyMonitor<QueueSm>>,
    /// Client history entries already checked, per client.
    seen: BTreeMap<ActorId, usize>,
    /// Every ring version seen: (epoch, members).
    rings: BTreeSet<(u64, Vec<ActorId>)>,
    /// Placements allowed per partition (union over the rings seen).
    allowed: Vec<BTreeSet<ActorId>>,
    /// Applied index per (server, partition) at the last index check.
    applied: BTreeMap<(ActorId, u32), u64>,
    /// Acknowledged enqueues: body → partition.
    acked: BTreeMap<String, u32>,
}

impl QueueFuzz {
    fn admin(&self) -> ActorId {
        self.servers + PRODUCERS + CONSUMERS
    }

    fn add_ring(&mut self, epoch: u64, members: &[ActorId]) {
        if self.rings.insert((epoch, members.to_vec())) {
            for p in 0..PARTITIONS {
                self.allowed[p as usize].extend(placement(members, p, None));
            }
        }
    }

    fn instances<'s>(
        &self,
        sim: &'s Sim<QueueActor>,
    ) -> impl Iterator<Item = (ActorId, u32, &'s PartitionServer, bool)> + 's {
        (0..self.servers).flat_map(move |i| {
            let up = sim.node_state(i) != NodeState::Crashed;
            sim.actor(i)
                .server()
                .into_iter()
                .flat_map(|s| s.partitions())
                .map(move |(p, s)| (i, p, s, up))
        })
    }

    /// How many servers' disks hold an enqueue of `body` in partition `p`.
    fn holders(sim: &Sim<QueueActor>, servers: usize, p: u32, body: &str) -> usize {
        (0..servers)
            .filter(|&i| {
                let Some(d) = sim.durable(i).stores.get(&p) else {
                    return false;
                };
                let in_log = d.log.iter().any(|e| {
                    matches!(&e.payload, Payload::Cmd { cmd: QueueCmd::Enqueue { body: b, .. }, .. } if b == body)
                });
                // A snapshot holds the message if it is still stored there; one already acked
                // (deleted) before the snapshot leaves no body, so any snapshot that stored
                // messages counts (lenient, only in the seeds that compact every 30 entries).
                in_log
                    || d.snapshot.as_ref().is_some_and(|s| {
                        s.state::<QueueSm>().is_some_and(|sm| {
                            sm.messages.values().any(|m| m.body == body) || sm.stored() > 0
                        })
                    })
            })
            .count()
    }

    fn client(sim: &Sim<QueueActor>, id: ActorId) -> &QueueClient {
        sim.actor(id).client().expect("a client")
    }
}

impl FuzzTarget for QueueFuzz {
    type A = QueueActor;

    fn build(seed: u64, rng: &mut SimRng) -> Result<(Sim<QueueActor>, Self), String> {
        let servers = if rng.chance(0.3) { 3 } else { 5 };
        let ids: Vec<ActorId> = (0..servers).collect();
        // Faster than the playground's partition timing, so recovery fits the quiet period;
        // pre-vote and check-quorum always on, as the playground's partitions have them.
        let raft = RaftConfig {
            snapshot_every: if rng.chance(0.25) { 30 } else { 1000 },
            ..RaftConfig::default()
        };
        let mut actors: Vec<QueueActor> = ids
            .iter()
            .map(|&i| QueueActor::Server(super::server::QueueServer::new(i, &ids, &raft)))
            .collect();
        let mut clients = Vec::new();
        for _ in 0..PRODUCERS {
            clients.push(QueueWorkload::producer(MESSAGES, 6));
        }
        for _ in 0..CONSUMERS {
            clients.push(QueueWorkload::consumer(0.85));
        }
        for (k, w) in clients.into_iter().enumerate() {
            actors.push(queue_workload_client(servers + k, &ids, w));
        }
        actors.push(super::actor::queue_console_client(
            servers + PRODUCERS + CONSUMERS,
            &ids,
        ));
        for a in &mut actors {
            if let QueueActor::Client(c) = a {
                c.cfg.visibility_ms = 800;
                c.cfg.max_receive = 5;
                c.cfg.attempt_timeout = 200 * MS;
                c.cfg.partition_timeout = 1_500 * MS;
            }
        }
        let cfg = SimConfig {
            seed,
            servers,
            link: NetProfile::Localhost.link(),
            trace_capacity: 0,
            ..SimConfig::default()
        };
        let sim = Sim::new(cfg, actors).map_err(|e| e.0)?;
        let mut t = QueueFuzz {
            servers,
            monitors: (0..PARTITIONS).map(|_| SafetyMonitor::new()).collect(),
            seen: BTreeMap::new(),
            rings: BTreeSet::new(),
            allowed: vec![BTreeSet::new(); PARTITIONS as usize],
            applied: BTreeMap::new(),
            acked: BTreeMap::new(),
        };
        t.add_ring(0, &ids);
        Ok((sim, t))
    }

    fn servers(&self) -> usize {
        self.servers
    }

    fn check_event(&mut self, sim: &Sim<QueueActor>) -> Result<(), String> {
        let mut rings = Vec::new();
        let mut index_checks = Vec::new();
        for (i, p, s, up) in self.instances(sim) {
            self.monitors[p as usize]
                .check_server(s, up)
                .map_err(|e| format!("partition p{p}: {e}"))?;
            if !up || !s.is_up() {
                continue;
            }
            let r = &s.state_machine().ring;
            if r.epoch > 0 && !self.rings.contains(&(r.epoch, r.members.clone())) {
                rings.push((r.epoch, r.members.clone()));
            }
            if s.role() == crate::raft::Role::Leader {
                let v = s.voters();
                if v.len() > REPLICAS {
                    return Err(format!("p{p} has {} voters: {v:?}", v.len()));
                }
                index_checks.push((p, v.to_vec()));
            }
            if self.applied.get(&(i, p)) != Some(&s.applied_index()) {
                self.applied.insert((i, p), s.applied_index());
                s.state_machine()
                    .check_indexes()
                    .map_err(|e| format!("n{} p{p}: {e}", i + 1))?;
            }
        }
        for (e, m) in rings {
            self.add_ring(e, &m);
        }
        for (p, voters) in index_checks {
            if let Some(v) = voters
                .iter()
                .find(|v| !self.allowed[p as usize].contains(v))
            {
                return Err(format!(
                    "p{p} has voter n{} that no version of the ring placed there ({voters:?})",
                    v + 1
                ));
            }
        }
        // Newly answered enqueues must already be durable on a quorum.
        let quorum = if self.servers >= 2 { 2 } else { 1 };
        for c in self.servers..self.servers + PRODUCERS {
            let h = Self::client(sim, c).history();
            let from = self.seen.get(&c).copied().unwrap_or(0);
            for r in &h[from..] {
                let Some(result) = &r.result else { break };
                if let (QueueOp::Enqueue { message, key, .. }, QueueResult::Enqueued { .. }) =
                    (&r.op, result)
                {
                    let p = partition_of(key.as_deref().unwrap_or(message));
                    let n = Self::holders(sim, self.servers, p, message);
                    if n < quorum {
                        return Err(format!(
                            "enqueue of {message} answered 200 but only {n} disk(s) hold it"
                        ));
                    }
                    self.acked.insert(message.to_string(), p);
                }
            }
            let done = h.iter().take_while(|r| r.result.is_some()).count();
            self.seen.insert(c, done);
        }
        Ok(())
    }

    /// Leave (while the ring keeps more than R members) or join a random server.
    fn service_action(
        &mut self,
        sim: &Sim<QueueActor>,
        rng: &mut SimRng,
    ) -> Option<Action<QueueActorCmd>> {
        let admin = self.admin();
        if Self::client(sim, admin).is_busy() {
            return None;
        }
        let (_, members) = ring_of_sim(sim, self.servers);
        let n = rng.range_u64(0, self.servers as u64) as ActorId;
        let change = if members.contains(&n) {
            if members.len() <= REPLICAS {
                return None;
            }
            RingChange::Leave(n)
        } else {
            RingChange::Join(n)
        };
        Some(Action::Command {
            to: admin,
            cmd: QueueActorCmd::Submit(Submit {
                target: None,
                op: QueueOp::Ring { change },
            }),
        })
    }

    fn check_end(&mut self, sim: &Sim<QueueActor>) -> Result<u64, String> {
        self.check_event(sim)?;
        let now = sim.now();
        let mut delivered = BTreeSet::new();
        for c in self.servers + PRODUCERS..self.servers + PRODUCERS + CONSUMERS {
            for r in Self::client(sim, c).history() {
                if let Some(QueueResult::Delivered { message, .. }) = &r.result {
                    delivered.insert(message.to_string());
                }
            }
        }
        let (_, members) = ring_of_sim(sim, self.servers);
        let world = World {
            sim,
            servers: self.servers,
            console: &[],
            actions: &[],
        };
        for p in 0..PARTITIONS {
            let Some((l, s)) = super::world::partition_replica(&world, p) else {
                return Err(format!("p{p} has no replica after healing"));
            };
            if super::world::partition_leader(&world, p).is_none() {
                return Err(format!(
                    "p{p} has no leader after healing: {}",
                    describe(sim, self.servers, p)
                ));
            }
            let sm = s.state_machine();
            if let Some(d) = sm.next_deadline() {
                if d + SEC < now {
                    return Err(format!(
                        "p{p} (n{}): a delivery's visibility timeout passed {} ms ago and it was never made visible again",
                        l + 1,
                        (now - d) / MS
                    ));
                }
            }
            let mut want = placement(&members, p, None);
            want.sort_unstable();
            let mut have = s.voters().to_vec();
            have.sort_unstable();
            if want != have {
                return Err(format!(
                    "p{p}: voters {have:?}, but the ring {members:?} places it on {want:?}: {}",
                    describe(sim, self.servers, p)
                ));
            }
        }
        for (body, &p) in &self.acked {
            if delivered.contains(body) {
                continue;
            }
            let stored = super::world::partition_replica(&world, p)
                .map(|(_, s)| {
                    s.state_machine()
                        .messages
                        .values()
                        .find(|m| &m.body == body)
                        .map(|m| format!("{:?}", m.state))
                })
                .unwrap_or_default();
            return Err(match stored {
                Some(state) => format!(
                    "acknowledged message {body} (p{p}) never delivered after healing: {state}"
                ),
                None => format!("acknowledged message {body} (p{p}) is lost"),
            });
        }
        Ok(self.acked.len() as u64)
    }
}

/// Every server's instance of partition `p`, for failure messages.
fn describe(sim: &Sim<QueueActor>, servers: usize, p: u32) -> String {
    (0..servers)
        .filter_map(|i| {
            let s = sim.actor(i).server()?.partition(p)?;
            Some(format!(
                "n{} {:?} {} term {} voters {:?} commit {} last {}",
                i + 1,
                sim.node_state(i),
                s.role().name(),
                s.term(),
                s.voters(),
                s.commit_index(),
                s.log().last_index()
            ))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The newest ring of a bare queue world.
fn ring_of_sim(sim: &Sim<QueueActor>, servers: usize) -> (u64, Vec<ActorId>) {
    super::world::ring_now(&World {
        sim,
        servers,
        console: &[],
        actions: &[],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::fuzz::{run_seeds, FuzzOptions};

    #[test]
    fn queue_fuzz_seeds_pass_with_checks_after_every_event() {
        let (stats, failures) = run_seeds::<QueueFuzz>(0, 24, &FuzzOptions::default());
        assert!(failures.is_empty(), "{}", failures[0]);
        assert!(stats.checks > 10_000 && stats.acked > 200, "{stats:?}");
        assert!(stats.service_actions > 0, "{stats:?}");
    }
}

#[cfg(test)]
mod debug {
    use super::*;
    #[test]
    #[ignore]
    fn dbg_seed() {
        let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
        let r = crate::service::fuzz::run_seed::<QueueFuzz>(
            seed,
            &crate::service::fuzz::FuzzOptions::default(),
        );
        println!("{r:?}");
    }
}
