//! The status service's actor. On a server it heartbeats every other server, feeds a phi-accrual
//! detector per peer, and answers `GET /status`. On a client it sends `GET /status` and keeps
//! the answers (the console's history).

use crate::base::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use super::phi::{PhiConfig, PhiDetector};
use super::reasons;
use crate::base::{Time, MS, SEC};
use crate::raft::msg::node_name;
use crate::raft::NodeStatus;
use crate::service::{NodeFacts, Service};
use crate::sim::{Actor, ActorId, Ctx, Message, NoDurable, Note, TimerKind};

/// The seeds' `GET /status` document (`raft::NodeStatus`, the fields the seeds name), plus
/// `memory_usage_mb` (the seeds' own name for it) and the failure detector's view, in one flat
/// JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusDoc {
    #[serde(flatten)]
    pub node: NodeStatus,
    pub memory_usage_mb: f64,
    /// The failure detector's suspicion of each peer (peer name, phi rounded to 0.01).
    pub phi: SortedMap<String, f64>,
}

#[derive(Clone, Debug)]
pub enum StatusMsg {
    Heartbeat,
    Get { seq: u64 },
    Doc { seq: u64, doc: Box<StatusDoc> },
}

impl Message for StatusMsg {
    fn kind(&self) -> &'static str {
        match self {
            StatusMsg::Heartbeat => "StatusHeartbeat",
            StatusMsg::Get { .. } => "StatusGet",
            StatusMsg::Doc { .. } => "StatusDoc",
        }
    }
    fn size_bytes(&self) -> u32 {
        match self {
            StatusMsg::Doc { .. } => 256,
            _ => 32,
        }
    }
}

/// Commands from outside: a console client asks a node for its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusCmd {
    Get { target: ActorId },
}

#[derive(Clone, Debug, PartialEq)]
pub struct StatusConfig {
    pub heartbeat_every: Time,
    pub phi: PhiConfig,
    /// A console request with no answer after this long is reported as a 504.
    pub request_timeout: Time,
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig {
            heartbeat_every: 100 * MS,
            phi: PhiConfig::default(),
            request_timeout: 2 * SEC,
        }
    }
}

/// One console request and its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusRecord {
    pub seq: u64,
    pub target: ActorId,
    pub invoked: Time,
    pub completed: Option<Time>,
    /// None while pending, and after a timeout.
    pub doc: Option<StatusDoc>,
}

pub const TIMER_HEARTBEAT: TimerKind = 0;
pub const TIMER_REQUEST: TimerKind = 1;

/// Reason codes (`Note::Why`, see `reasons.rs`): a server started or stopped suspecting a peer.
pub const NOTE_SUSPECT: u16 = 1;
pub const NOTE_TRUST: u16 = 2;

#[derive(Clone, Debug)]
pub struct StatusActor {
    id: ActorId,
    /// Every server of the world; a server heartbeats all the others.
    servers: Vec<ActorId>,
    is_server: bool,
    pub cfg: StatusConfig,
    // Volatile: lost on a crash.
    started_at: Time,
    /// A sorted vector, not a `BTreeMap`: one less B-tree instance in the page.
    detectors: SortedMap<ActorId, PhiDetector>,
    suspected: SortedMap<ActorId, bool>,
    facts: NodeFacts,
    // Client side.
    next_seq: u64,
    history: Vec<StatusRecord>,
}

impl StatusActor {
    pub fn server(id: ActorId, servers: Vec<ActorId>) -> Self {
        Self::new(id, servers, true)
    }
    pub fn client(id: ActorId, servers: Vec<ActorId>) -> Self {
        Self::new(id, servers, false)
    }
    fn new(id: ActorId, servers: Vec<ActorId>, is_server: bool) -> Self {
        StatusActor {
            id,
            servers,
            is_server,
            cfg: StatusConfig::default(),
            started_at: 0,
            detectors: SortedMap::new(),
            suspected: SortedMap::new(),
            facts: NodeFacts::default(),
            next_seq: 0,
            history: Vec::new(),
        }
    }

    pub fn is_server(&self) -> bool {
        self.is_server
    }
    /// The console history of a client, oldest first.
    pub fn history(&self) -> &[StatusRecord] {
        &self.history
    }

    /// This node's suspicion of `peer` at `now` (None: not monitored).
    pub fn phi(&self, peer: ActorId, now: Time) -> Option<f64> {
        self.detectors.get(&peer).map(|d| d.phi(&self.cfg.phi, now))
    }
    /// When this node last heard a heartbeat from `peer`.
    pub fn last_heard(&self, peer: ActorId) -> Option<Time> {
        self.detectors.get(&peer).and_then(|d| d.last_heartbeat())
    }
    pub fn peers(&self) -> impl Iterator<Item = ActorId> + '_ {
        self.detectors.keys().copied()
    }

    /// The `GET /status` document at `now`.
    pub fn doc(&self, now: Time) -> StatusDoc {
        let name = node_name;
        let mut phi = SortedMap::new();
        let mut connected = Vec::new();
        for (&p, d) in self.detectors.iter() {
            let v = d.phi(&self.cfg.phi, now);
            phi.insert(name(p), (v * 100.0).round() / 100.0);
            if d.last_heartbeat().is_some() && v < self.cfg.phi.threshold {
                connected.push(name(p));
            }
        }
        let c = self.facts.consensus;
        StatusDoc {
            node: NodeStatus {
                node_id: name(self.id),
                node_state: "up".into(),
                raft_term: c.map_or(0, |c| c.term),
                raft_state: c.map_or("none", |c| c.role.as_str()).into(),
                connected_peers: connected,
                uptime_seconds: now.saturating_sub(self.started_at) as f64 / SEC as f64,
                memory_usage: self.facts.memory as u64,
            },
            memory_usage_mb: ((self.facts.memory as f64 / (1024.0 * 1024.0)) * 1e6).round() / 1e6,
            phi,
        }
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx<'_, StatusMsg, NoDurable>) {
        for &p in &self.servers {
            if p != self.id {
                ctx.send(p, StatusMsg::Heartbeat);
            }
        }
        // Re-evaluate suspicion on the heartbeat clock, so a silent peer is noticed even though
        // nothing arrives from it.
        let threshold = self.cfg.phi.threshold;
        for (&p, d) in self.detectors.iter() {
            let phi = d.phi(&self.cfg.phi, ctx.now);
            let was = self.suspected.get(&p).copied().unwrap_or(false);
            let now_suspected = d.last_heartbeat().is_some() && phi >= threshold;
            if now_suspected != was {
                self.suspected.insert(p, now_suspected);
                let age = d.last_heartbeat().map_or(0, |t| ctx.now.saturating_sub(t));
                ctx.note(reasons::changed(now_suspected, p, phi, threshold, age));
            }
        }
        ctx.set_timer(TIMER_HEARTBEAT, self.cfg.heartbeat_every);
    }
}

impl Actor for StatusActor {
    type Msg = StatusMsg;
    type Durable = NoDurable;
    type Cmd = StatusCmd;

    fn on_start(&mut self, ctx: &mut Ctx<'_, StatusMsg, NoDurable>) {
        self.started_at = ctx.now;
        if self.is_server {
            let cfg = &self.cfg.phi;
            self.detectors = SortedMap::new();
            for &p in self.servers.iter().filter(|&&p| p != self.id) {
                self.detectors.insert(p, PhiDetector::new(cfg));
            }
            self.on_heartbeat_timer(ctx);
        }
    }

    fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, StatusMsg, NoDurable>,
        from: ActorId,
        msg: StatusMsg,
    ) {
        match msg {
            StatusMsg::Heartbeat => {
                if let Some(d) = self.detectors.get_mut(&from) {
                    d.heartbeat(&self.cfg.phi, ctx.now);
                }
            }
            StatusMsg::Get { seq } if self.is_server => {
                let doc = Box::new(self.doc(ctx.now));
                ctx.send(from, StatusMsg::Doc { seq, doc });
            }
            StatusMsg::Doc { seq, doc } => {
                if let Some(r) = self.history.iter_mut().find(|r| r.seq == seq) {
                    if r.completed.is_none() {
                        r.completed = Some(ctx.now);
                        r.doc = Some(*doc);
                        ctx.note(Note::Complete { op: seq, ok: true });
                    }
                }
            }
            StatusMsg::Get { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, StatusMsg, NoDurable>, kind: TimerKind) {
        match kind {
            TIMER_HEARTBEAT if self.is_server => self.on_heartbeat_timer(ctx),
            TIMER_REQUEST => {
                for r in self.history.iter_mut().filter(|r| r.completed.is_none()) {
                    if ctx.now >= r.invoked + self.cfg.request_timeout {
                        r.completed = Some(ctx.now);
                        ctx.note(Note::Complete {
                            op: r.seq,
                            ok: false,
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, StatusMsg, NoDurable>, cmd: StatusCmd) {
        let StatusCmd::Get { target } = cmd;
        if self.is_server {
            return;
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        self.history.push(StatusRecord {
            seq,
            target,
            invoked: ctx.now,
            completed: None,
            doc: None,
        });
        ctx.note(Note::Invoke { op: seq });
        ctx.send(target, StatusMsg::Get { seq });
        ctx.set_timer(TIMER_REQUEST, self.cfg.request_timeout);
    }

    fn on_crash(&mut self) {
        self.detectors.clear();
        self.suspected.clear();
        self.facts = NodeFacts::default();
        // A client's console history stays: it is the record of what the user saw, and the
        // console matches its k-th submission to its k-th entry.
    }
}

impl Service for StatusActor {
    const NAME: &'static str = "status";
    const TIMERS: u8 = 2;
    const WANTS_FACTS: bool = true;

    fn see_facts(&mut self, facts: &NodeFacts) {
        self.facts = facts.clone();
    }
    fn memory_estimate(&self) -> usize {
        64 + self.detectors.len() * (64 + 8 * self.cfg.phi.window)
    }
}
