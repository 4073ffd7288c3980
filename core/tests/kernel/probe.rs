//! A test actor driven entirely by commands, which records what it receives and when.

use serde::{Deserialize, Serialize};
use syncsim_core::sim::{
    Actor, ActorId, Ctx, Durable, LinkConfig, Message, Sim, SimConfig, Time, TimerKind,
};

#[derive(Clone, Debug)]
pub struct PMsg {
    pub n: u64,
    pub size: u32,
}

impl Message for PMsg {
    fn kind(&self) -> &'static str {
        "P"
    }
    fn size_bytes(&self) -> u32 {
        self.size
    }
}

#[derive(Clone, Default, Debug, PartialEq)]
pub struct PDur {
    pub sum: u64,
}

impl Durable for PDur {
    type Op = u64;
    fn apply(&mut self, op: u64) {
        self.sum += op;
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PCmd {
    Burst { to: ActorId, count: u64, size: u32 },
    Timer { kind: TimerKind, after: Time },
    Cancel { kind: TimerKind },
    Persist(u64),
    SetVolatile(u64),
}

#[derive(Clone, Debug, Default)]
pub struct Probe {
    /// (from, n, time handled)
    pub got: Vec<(ActorId, u64, Time)>,
    /// (timer kind, time fired)
    pub fired: Vec<(TimerKind, Time)>,
    pub volatile: u64,
    pub starts: u64,
}

impl Actor for Probe {
    type Msg = PMsg;
    type Durable = PDur;
    type Cmd = PCmd;

    fn on_start(&mut self, _ctx: &mut Ctx<'_, PMsg, PDur>) {
        self.starts += 1;
    }
    fn on_message(&mut self, ctx: &mut Ctx<'_, PMsg, PDur>, from: ActorId, msg: PMsg) {
        self.got.push((from, msg.n, ctx.now));
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_, PMsg, PDur>, kind: TimerKind) {
        self.fired.push((kind, ctx.now));
    }
    fn on_command(&mut self, ctx: &mut Ctx<'_, PMsg, PDur>, cmd: PCmd) {
        match cmd {
            PCmd::Burst { to, count, size } => {
                for n in 0..count {
                    ctx.send(to, PMsg { n, size });
                }
            }
            PCmd::Timer { kind, after } => ctx.set_timer(kind, after),
            PCmd::Cancel { kind } => ctx.cancel_timer(kind),
            PCmd::Persist(v) => ctx.persist(v),
            PCmd::SetVolatile(v) => self.volatile = v,
        }
    }
    fn on_crash(&mut self) {
        self.got.clear();
        self.fired.clear();
        self.volatile = 0;
    }
}

/// `servers` server probes plus `clients` client probes, no CPU cost, the given link.
pub fn probe_sim(servers: usize, clients: usize, link: LinkConfig, cpu: Time) -> Sim<Probe> {
    let cfg = SimConfig {
        seed: 3,
        servers,
        link,
        cpu_service_us: cpu,
        trace_capacity: 1_000_000,
    };
    Sim::new(cfg, vec![Probe::default(); servers + clients]).unwrap()
}

pub fn burst(to: ActorId, count: u64) -> PCmd {
    PCmd::Burst {
        to,
        count,
        size: 64,
    }
}
