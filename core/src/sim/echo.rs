//! A tiny, cheap, deterministic actor: every server pings every other server on a timer and
//! each ping is echoed back. It exercises messages, timers, persistence and the network without
//! any protocol logic, so it drives the speed benchmark (native and browser), the golden trace
//! hash and the kernel tests.

use serde::{Deserialize, Serialize};

use super::{Action, Actor, ActorId, Ctx, Durable, Message, Sim, SimConfig, Time, TimerKind, MS};
use crate::net::NetProfile;

const TICK: TimerKind = 0;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EchoMsg {
    Ping { round: u64 },
    Echo { round: u64 },
}

impl Message for EchoMsg {
    fn kind(&self) -> &'static str {
        match self {
            EchoMsg::Ping { .. } => "Ping",
            EchoMsg::Echo { .. } => "Echo",
        }
    }
}

/// Survives crashes: how many times the node booted.
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct EchoDurable {
    pub boots: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EchoOp {
    Boot,
}

impl Durable for EchoDurable {
    type Op = EchoOp;
    fn apply(&mut self, op: EchoOp) {
        match op {
            EchoOp::Boot => self.boots += 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EchoCmd {
    /// Ping every other server right now.
    PingAll,
    /// Change the ping interval (µs, at least 1) and restart the timer.
    SetInterval(Time),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EchoNode {
    servers: usize,
    interval: Time,
    /// Volatile counters (lost on crash).
    pub round: u64,
    pub pings_received: u64,
    pub echoes_received: u64,
}

impl EchoNode {
    pub fn new(servers: usize, interval: Time) -> Self {
        EchoNode {
            servers,
            interval: interval.max(1),
            round: 0,
            pings_received: 0,
            echoes_received: 0,
        }
    }

    /// `servers` echo nodes pinging every `interval` µs.
    pub fn cluster(servers: usize, interval: Time) -> Vec<EchoNode> {
        vec![EchoNode::new(servers, interval); servers]
    }

    fn ping_all(&mut self, ctx: &mut Ctx<'_, EchoMsg, EchoDurable>) {
        self.round += 1;
        let me = ctx.me;
        for peer in (0..self.servers).filter(|&p| p != me) {
            ctx.send(peer, EchoMsg::Ping { round: self.round });
        }
    }
}

impl Actor for EchoNode {
    type Msg = EchoMsg;
    type Durable = EchoDurable;
    type Cmd = EchoCmd;

    fn on_start(&mut self, ctx: &mut Ctx<'_, EchoMsg, EchoDurable>) {
        ctx.persist(EchoOp::Boot);
        if ctx.me < self.servers {
            // A random phase, so that nodes do not tick in lockstep.
            let phase = ctx.rng.range_u64(1, self.interval + 1);
            ctx.set_timer(TICK, phase);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EchoMsg, EchoDurable>, from: ActorId, msg: EchoMsg) {
        match msg {
            EchoMsg::Ping { round } => {
                self.pings_received += 1;
                ctx.send(from, EchoMsg::Echo { round });
            }
            EchoMsg::Echo { .. } => self.echoes_received += 1,
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EchoMsg, EchoDurable>, _kind: TimerKind) {
        self.ping_all(ctx);
        ctx.set_timer(TICK, self.interval);
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, EchoMsg, EchoDurable>, cmd: EchoCmd) {
        match cmd {
            EchoCmd::PingAll => self.ping_all(ctx),
            EchoCmd::SetInterval(t) => {
                self.interval = t.max(1);
                ctx.set_timer(TICK, self.interval);
            }
        }
    }

    fn on_crash(&mut self) {
        self.round = 0;
        self.pings_received = 0;
        self.echoes_received = 0;
    }
}

/// A 5-node echo cluster on the default configuration with the given seed.
pub fn echo_sim(seed: u64) -> Sim<EchoNode> {
    let cfg = SimConfig {
        seed,
        ..SimConfig::default()
    };
    let servers = cfg.servers;
    Sim::new(cfg, EchoNode::cluster(servers, 5 * MS)).expect("the default config is valid")
}

/// The golden scenario: seed 42, 5 echo nodes, a partition, a crash and restart, healing and a
/// switch to the flaky profile, over 2 s. Its hash is checked into the tests and shown by the
/// browser self-test: it must be identical natively and in WebAssembly.
pub fn golden_scenario() -> String {
    let mut sim = echo_sim(42);
    let steps: [(Time, Action<EchoCmd>); 6] = [
        (300 * MS, Action::CutBoth { a: 0, b: 2 }),
        (500 * MS, Action::Crash { node: 1 }),
        (1000 * MS, Action::Restart { node: 1 }),
        (1200 * MS, Action::HealAll),
        (
            1400 * MS,
            Action::Command {
                to: 3,
                cmd: EchoCmd::PingAll,
            },
        ),
        (
            1500 * MS,
            Action::SetAllLinks {
                link: NetProfile::Flaky.link(),
            },
        ),
    ];
    for (at, action) in steps {
        sim.run_until(at);
        sim.apply(action).expect("the golden actions are valid");
    }
    sim.run_until(2000 * MS);
    sim.trace_hash_hex()
}

/// The speed benchmark: run a 5-node echo cluster for `events` events. Returns the events
/// processed and the simulated time reached; the caller measures wall time.
pub fn bench_echo(events: u64) -> (u64, Time) {
    let mut sim = echo_sim(1);
    let done = sim.run_events(events);
    (done, sim.now())
}
