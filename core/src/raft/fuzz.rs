//! The randomized fault fuzzer: a KV cluster under client load, hit by crashes, restarts,
//! partitions, loss, duplication, reordering, membership changes and leadership transfers, with
//! the `SafetyMonitor` checked after every event; then a liveness phase (heal everything: a
//! leader must appear and every pending command must complete in bounded virtual time) and
//! client-history checks (no acknowledged command lost, none applied twice, no phantom).
//! Used by the `cargo test` fuzz tests and by `syncsim fuzz`.

use std::collections::BTreeMap;

use super::check::SafetyMonitor;
use super::fuzz_reads::check_read_order;
use super::fuzz_swarm::{
    kind_name, Buggify, Swarm, Watch, BUGGIFY_RESTART_AFTER, KINDS, QUICK_RESTART_AFTER,
};
pub use super::history::check_kv_histories;
use super::msg::{ClientResult, Payload};
use super::process::{Process, ProcessCmd};
use super::server::ServerCmd;
use super::testsm::{KvCmd, KvSm};
use super::{RaftClient, RaftConfig, RaftServer, Role};
use crate::net::{Jitter, LinkConfig};
pub use crate::service::fuzz::FuzzFailure;
use crate::sim::{Action, ActorId, NodeState, Sim, SimConfig, SimRng, Time, TraceKind, MS, SEC};

pub use super::testsm::KvWorkload;

pub type KvProcess = Process<KvSm, KvWorkload>;

#[derive(Clone, Debug)]
pub struct FuzzConfig {
    /// Length of the fault phase.
    pub chaos: Time,
    /// Bound on the liveness phase after healing.
    pub liveness: Time,
    pub clients: usize,
    pub ops_per_client: u64,
    /// Keep this many trace events to count delivered message kinds (0: none, fastest).
    pub trace_capacity: usize,
    /// Swarm testing (`fuzz_swarm.rs`): each seed draws its fault mix, pacing, BUGGIFY
    /// probabilities and client mix, and chaos alternates with calm. Off: one uniform mix,
    /// unbroken chaos, no BUGGIFY (the fuzzer before issue 11, for comparison).
    pub swarm: bool,
}

impl Default for FuzzConfig {
    fn default() -> Self {
        FuzzConfig {
            // Long enough for several chaos windows and calm periods (three elections with
            // different winners for Figure 8): per CPU second, 2.5 s of chaos killed the
            // classic mutants about 3× as often as the old 800 ms.
            chaos: 2 * SEC,
            liveness: 8 * SEC,
            clients: 3,
            // About one operation per 20 ms each, for the whole chaos phase.
            ops_per_client: 100,
            trace_capacity: 0,
            swarm: true,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct FuzzStats {
    pub events: u64,
    pub checks: u64,
    pub committed: u64,
    pub acked: u64,
    pub actions: usize,
    /// Virtual time from healing until a leader served every pending command.
    pub recovery: Time,
    /// Membership changes committed.
    pub config_changes: u64,
    /// Delivered messages per kind (only with `FuzzConfig::trace_capacity` > 0).
    pub delivered: BTreeMap<&'static str, u64>,
    /// Faults injected, per kind (chaos kinds of `fuzz_swarm::KINDS` and the BUGGIFY ones).
    pub mix: BTreeMap<&'static str, u64>,
}

struct Run {
    sim: Sim<KvProcess>,
    monitor: SafetyMonitor<KvSm>,
    actions: Vec<(Time, String)>,
    servers: usize,
    /// BUGGIFY: on during chaos windows only.
    bug: Option<(Buggify, Watch)>,
    /// Servers crashed by BUGGIFY, and when to restart them.
    restarts: Vec<(Time, ActorId)>,
    /// Crashes leave sent messages in flight (`Swarm::stale_messages`).
    stale_messages: bool,
    mix: BTreeMap<&'static str, u64>,
}

impl Run {
    fn fail(&self, seed: u64, message: String) -> FuzzFailure {
        FuzzFailure {
            seed,
            message,
            actions: self.actions.clone(),
        }
    }

    /// Process events up to `t`, checking safety after each (and firing BUGGIFY faults).
    fn run_until(&mut self, t: Time, rng: &mut SimRng) -> Result<(), String> {
        while self.sim.next_event_time().is_some_and(|nt| nt <= t) {
            self.sim.step();
            self.monitor.check_sim(&self.sim)?;
            if let Some((bug, watch)) = &mut self.bug {
                let down = (0..self.servers)
                    .filter(|&i| self.sim.node_state(i) != NodeState::Up)
                    .count();
                let may_crash = down < (self.servers - 1) / 2;
                if let Some((name, a)) = watch.after_event(&self.sim, bug, rng, may_crash) {
                    if let Action::Crash { node } = a {
                        let (lo, hi) = if self.stale_messages && rng.chance(0.5) {
                            QUICK_RESTART_AFTER
                        } else {
                            BUGGIFY_RESTART_AFTER
                        };
                        self.restarts
                            .push((self.sim.now() + rng.range_u64(lo, hi), node));
                    }
                    self.act_as(name, a);
                }
            }
        }
        self.sim.run_until(t);
        Ok(())
    }

    fn act(&mut self, a: Action<ProcessCmd<KvCmd>>) -> bool {
        let mut label = format!("{a:?}");
        let ok = match a {
            Action::Crash { node } if self.stale_messages => {
                label.push_str(" (its messages stay in flight)");
                self.sim.crash_keeping_sent(node).is_ok()
            }
            a => self.sim.apply(a).is_ok(),
        };
        if ok {
            self.actions.push((self.sim.now(), label));
        }
        ok
    }

    /// `act`, counted in the fault mix under `kind`.
    fn act_as(&mut self, kind: &'static str, a: Action<ProcessCmd<KvCmd>>) {
        if self.act(a) {
            *self.mix.entry(kind).or_insert(0) += 1;
        }
    }

    /// Restart the servers BUGGIFY crashed whose time has come (all of them if `all`).
    fn due_restarts(&mut self, all: bool) {
        let now = self.sim.now();
        let (due, later): (Vec<_>, Vec<_>) =
            self.restarts.drain(..).partition(|&(t, _)| all || t <= now);
        self.restarts = later;
        for (_, node) in due {
            if self.sim.node_state(node) == NodeState::Crashed {
                self.act(Action::Restart { node });
            }
        }
    }

    fn server(&self, id: ActorId) -> &RaftServer<KvSm> {
        self.sim.actor(id).server().expect("a server")
    }

    /// A live leader that is a voter of its own configuration (a removed leader steps down).
    fn leader(&self) -> Option<ActorId> {
        (0..self.servers).find(|&i| {
            let s = self.server(i);
            self.sim.node_state(i) == NodeState::Up
                && s.role() == Role::Leader
                && s.voters().contains(&i)
        })
    }

    /// One line per server: role, term, voters, commit/last index.
    fn summary(&self) -> String {
        (0..self.servers)
            .map(|i| {
                let s = self.server(i);
                format!(
                    "[n{} {:?} {} t{} voters {:?} leader {:?} commit {} last {}]",
                    i + 1,
                    self.sim.node_state(i),
                    s.role().name(),
                    s.term(),
                    s.voters(),
                    s.leader(),
                    s.commit_index(),
                    s.log().last_index()
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn clients(&self) -> impl Iterator<Item = &RaftClient<KvSm, KvWorkload>> {
        self.sim.actors().iter().filter_map(|p| p.client())
    }
}

fn random_link(rng: &mut SimRng) -> LinkConfig {
    LinkConfig {
        base_latency_us: rng.range_u64(200, 3 * MS),
        jitter: Jitter::Uniform {
            max_us: rng.range_u64(0, 6 * MS),
        },
        loss: if rng.chance(0.5) {
            rng.unit_f64() * 0.1
        } else {
            0.0
        },
        duplicate: if rng.chance(0.5) {
            rng.unit_f64() * 0.05
        } else {
            0.0
        },
        bandwidth_bytes_per_sec: None,
    }
}

/// Run one seed. Deterministic: the same seed gives the same run.
pub fn run_seed(seed: u64, fc: &FuzzConfig) -> Result<FuzzStats, FuzzFailure> {
    let mut rng = SimRng::new(seed ^ 0x9e37_79b9_7f4a_7c15);
    let servers = [3, 5, 5][rng.range_u64(0, 3) as usize];
    let membership = servers == 5 && rng.chance(0.5);
    let voters: Vec<ActorId> = if membership {
        vec![0, 1, 2]
    } else {
        (0..servers).collect()
    };
    let cfg = RaftConfig {
        // Half the seeds without the leader lease: a deposed leader then keeps serving (stale
        // reads show), and removed servers keep disrupting.
        pre_vote: rng.chance(0.5),
        check_quorum: rng.chance(0.5),
        snapshot_every: [0, 8, 25][rng.range_u64(0, 3) as usize],
        // Figure 8 needs an old entry and the new leader's no-op in separate messages.
        max_batch: [1, 1, 4, 64][rng.range_u64(0, 4) as usize],
        max_inflight: [1, 4, 64][rng.range_u64(0, 3) as usize],
        ..RaftConfig::default()
    };
    let swarm = if fc.swarm {
        Swarm::draw(&mut rng)
    } else {
        Swarm::uniform()
    };
    let mut actors: Vec<KvProcess> = (0..servers)
        .map(|i| Process::Server(RaftServer::new(i, voters.clone(), cfg.clone())))
        .collect();
    for c in 0..fc.clients {
        let mut workload = KvWorkload::new(fc.ops_per_client);
        workload.read_ratio = swarm.read_ratio[c % 4];
        let mut client = RaftClient::new(servers + c, (0..servers).collect(), workload);
        client.config.request_timeout = swarm.request_timeout;
        actors.push(Process::Client(client));
    }
    let sc = SimConfig {
        seed,
        servers,
        link: random_link(&mut rng),
        cpu_service_us: 50,
        trace_capacity: fc.trace_capacity,
    };
    let sim = Sim::new(sc, actors).map_err(|e| FuzzFailure {
        seed,
        message: e.0,
        actions: vec![],
    })?;
    let mut run = Run {
        sim,
        monitor: SafetyMonitor::new(),
        actions: Vec::new(),
        servers,
        bug: None,
        restarts: Vec::new(),
        stale_messages: swarm.stale_messages,
        mix: BTreeMap::new(),
    };
    run.actions
        .push((0, format!("{servers} servers, voters {voters:?}, {cfg:?}")));
    run.actions.push((0, format!("{swarm:?}")));
    chaos(&mut run, &mut rng, fc, &swarm, membership).map_err(|m| run.fail(seed, m))?;
    run.bug = None;
    run.due_restarts(true);

    // Liveness phase: heal everything, restart everyone, clean links.
    run.act(Action::HealAll);
    run.act(Action::SetAllLinks {
        link: LinkConfig::constant(MS),
    });
    // The operator shuts down servers removed from the cluster (unless `keep_removed`, below):
    // without the leader lease
    // (check-quorum) a removed server that missed its removal disrupts elections forever
    // (Raft thesis §4.2.3), which is expected behaviour, not a liveness bug.
    // The most up-to-date durable log can always win the next election, so its newest
    // configuration is the one that will be in force.
    let freshest = (0..servers)
        .max_by_key(|&i| {
            let d = run.sim.durable(i);
            let snap = d.snapshot.as_ref().map_or((0, 0), |s| (s.term, s.index));
            d.log.last().map_or(snap, |e| (e.term, e.index))
        })
        .unwrap_or(0);
    // Keep that server too: it may hold the only copy of its own removal.
    let mut keep: Vec<ActorId> = run
        .sim
        .durable(freshest)
        .voters()
        .unwrap_or_else(|| voters.clone());
    keep.push(freshest);
    // With check-quorum a removed server cannot disrupt (followers with a live leader ignore
    // its votes), so half such seeds keep it running and restart it: it must stay harmless.
    let shut_down = membership && !(swarm.keep_removed && cfg.check_quorum);
    if shut_down {
        for n in (0..servers).filter(|n| !keep.contains(n)) {
            if run.sim.node_state(n) != NodeState::Crashed {
                run.act(Action::Crash { node: n });
            }
        }
    }
    for n in (0..servers).filter(|n| !shut_down || keep.contains(n)) {
        match run.sim.node_state(n) {
            NodeState::Crashed => run.act(Action::Restart { node: n }),
            NodeState::Paused => run.act(Action::Resume { node: n }),
            NodeState::Up => true,
        };
    }
    let healed_at = run.sim.now();
    let deadline = healed_at + fc.liveness;
    loop {
        let t = run.sim.now() + 10 * MS;
        run.run_until(t, &mut rng).map_err(|m| run.fail(seed, m))?;
        // Every operation invoked before the heal has completed, under a leader.
        let done = run.leader().is_some()
            && run.clients().all(|c| {
                c.history()
                    .iter()
                    .all(|h| h.invoked > healed_at || h.completed.is_some())
            });
        if done {
            break;
        }
        if run.sim.now() >= deadline {
            let pending: Vec<_> = run
                .clients()
                .filter(|c| c.is_busy())
                .map(|c| c.history().last().cloned())
                .collect();
            return Err(run.fail(
                seed,
                format!(
                    "liveness: {} after healing: leader {:?}, servers {}, pending {:?}",
                    fc.liveness,
                    run.leader(),
                    run.summary(),
                    pending
                ),
            ));
        }
    }
    let recovery = run.sim.now() - healed_at;
    // Let followers catch up, then check the histories against the leader's state machine.
    let t = run.sim.now() + 200 * MS;
    run.run_until(t, &mut rng).map_err(|m| run.fail(seed, m))?;
    let caught_up = |run: &Run| {
        run.leader()
            .is_some_and(|l| run.server(l).applied_index() >= run.monitor.max_committed())
    };
    while !caught_up(&run) && run.sim.now() < deadline + SEC {
        let t = run.sim.now() + 10 * MS;
        run.run_until(t, &mut rng).map_err(|m| run.fail(seed, m))?;
    }
    let leader = run
        .leader()
        .ok_or_else(|| run.fail(seed, "no leader at the end".into()))?;
    check_kv_histories(&run.sim, leader).map_err(|m| run.fail(seed, m))?;
    check_read_order(&run.sim).map_err(|m| run.fail(seed, m))?;
    let acked = run
        .clients()
        .flat_map(|c| c.history())
        .filter(|h| matches!(h.result, Some(ClientResult::Ok(_))))
        .count();
    Ok(FuzzStats {
        events: run.sim.events_processed(),
        checks: run.monitor.checks(),
        committed: run.monitor.max_committed(),
        acked: acked as u64,
        actions: run.actions.len(),
        delivered: delivered_kinds(&run.sim),
        recovery,
        mix: std::mem::take(&mut run.mix),
        config_changes: (1..=run.monitor.max_committed())
            .filter(|&i| matches!(run.monitor.committed_entry(i), Some(Payload::Config { .. })))
            .count() as u64,
    })
}

/// The chaos phase: windows of faults drawn from the seed's swarm (with BUGGIFY on), each
/// followed by a calm period (heal, maybe restart, no faults) in which the cluster progresses.
fn chaos(
    run: &mut Run,
    rng: &mut SimRng,
    fc: &FuzzConfig,
    swarm: &Swarm,
    membership: bool,
) -> Result<(), String> {
    let servers = run.servers;
    let active = swarm.bug != Buggify::default();
    while run.sim.now() < fc.chaos {
        let window_end =
            run.sim.now() + rng.range_u64(swarm.window.0, swarm.window.1.max(swarm.window.0 + 1));
        if active {
            run.bug = Some((swarm.bug.clone(), Watch::new(servers)));
        }
        while run.sim.now() < window_end.min(fc.chaos) {
            let next = run.sim.now() + rng.range_u64(swarm.gap.0, swarm.gap.1);
            run.run_until(next, rng)?;
            run.due_restarts(false);
            let Some(kind) = swarm.pick(rng) else {
                continue;
            };
            let a = chaos_action(run, rng, kind, membership);
            run.act_as(kind_name(kind), a);
        }
        run.bug = None;
        if run.sim.now() >= fc.chaos {
            break;
        }
        // Calm: heal the network (and maybe the servers), then let the cluster work.
        run.act(Action::HealAll);
        if swarm.calm_restarts {
            run.due_restarts(true);
            for n in 0..servers {
                match run.sim.node_state(n) {
                    NodeState::Crashed => run.act(Action::Restart { node: n }),
                    NodeState::Paused => run.act(Action::Resume { node: n }),
                    NodeState::Up => true,
                };
            }
        }
        let calm_end =
            run.sim.now() + rng.range_u64(swarm.calm.0, swarm.calm.1.max(swarm.calm.0 + 1));
        run.run_until(calm_end.min(fc.chaos), rng)?;
    }
    Ok(())
}

/// One fault of kind `kind` (`fuzz_swarm::KINDS`).
fn chaos_action(
    run: &Run,
    rng: &mut SimRng,
    kind: usize,
    membership: bool,
) -> Action<ProcessCmd<KvCmd>> {
    let servers = run.servers;
    let node = rng.range_u64(0, servers as u64) as ActorId;
    let other = rng.range_u64(0, servers as u64) as ActorId;
    let cmd = |c: ServerCmd| ProcessCmd::Server(c);
    match KINDS[kind] {
        "crash" => Action::Crash { node },
        "restart" => Action::Restart {
            node: (0..servers)
                .find(|&n| run.sim.node_state(n) == NodeState::Crashed)
                .unwrap_or(node),
        },
        "pause" if run.sim.node_state(node) == NodeState::Paused => Action::Resume { node },
        "pause" => Action::Pause { node },
        // Isolating the leader is what makes stale leaders (and stale reads) possible.
        "isolate" => Action::Isolate {
            node: if rng.chance(0.5) {
                run.leader().unwrap_or(node)
            } else {
                node
            },
        },
        "split" => Action::Split {
            group: (0..servers).filter(|_| rng.chance(0.5)).collect(),
        },
        "cut" => Action::CutBoth { a: node, b: other },
        "heal" => Action::HealAll,
        "links" => Action::SetAllLinks {
            link: random_link(rng),
        },
        "transfer" => Action::Command {
            to: run.leader().unwrap_or(node),
            cmd: cmd(ServerCmd::TransferLeadership { to: other }),
        },
        "membership" if membership => {
            let to = run.leader().unwrap_or(node);
            let c = if run.server(to).voters().contains(&other) {
                ServerCmd::RemoveServer { id: other }
            } else {
                ServerCmd::AddServer { id: other }
            };
            Action::Command { to, cmd: cmd(c) }
        }
        "membership" | "timeout" => Action::Command {
            to: node,
            cmd: cmd(ServerCmd::ForceTimeout),
        },
        _ => Action::Command {
            to: node,
            cmd: cmd(ServerCmd::Compact),
        },
    }
}

fn delivered_kinds(sim: &Sim<KvProcess>) -> BTreeMap<&'static str, u64> {
    let mut m = BTreeMap::new();
    for e in sim.trace().iter().filter(|e| e.kind == TraceKind::Deliver) {
        *m.entry(e.msg_kind).or_insert(0) += 1;
    }
    m
}
