//! Drive one pure `RaftServer` by hand: feed messages and timers through a hand-made `Ctx`, then
//! read the effects it emitted. No simulator involved.

use crate::raft::msg::{ClientOp, ClientResult, Entry, Payload, RaftMsg, Wire};
use crate::raft::node::{RaftServer, TIMER_ELECTION};
use crate::raft::storage::{PersistOp, RaftDurable};
use crate::raft::testsm::{KvCmd, KvSm};
use crate::raft::{RaftConfig, RequestId};
use crate::sim::{Actor, ActorId, Ctx, Durable, Effect, SimRng, Time, TimerKind};

pub type Node = RaftServer<KvSm>;
pub type Eff = Effect<Wire<KvSm>, PersistOp<KvCmd>>;

/// etcd's paper tests run without pre-vote and check-quorum.
pub fn paper_cfg() -> RaftConfig {
    RaftConfig {
        pre_vote: false,
        check_quorum: false,
        ..RaftConfig::default()
    }
}

pub struct H {
    pub node: Node,
    pub durable: RaftDurable<KvCmd>,
    pub rng: SimRng,
    pub now: Time,
    pub out: Vec<Eff>,
}

impl H {
    /// Node `id` of the servers `0..n`, started on `durable`.
    pub fn with(id: ActorId, n: usize, cfg: RaftConfig, durable: RaftDurable<KvCmd>) -> H {
        let node = RaftServer::new(id, (0..n).collect(), cfg);
        let mut h = H {
            node,
            durable,
            rng: SimRng::new(7 + id as u64),
            now: 0,
            out: Vec::new(),
        };
        h.run(|n, ctx| n.on_start(ctx));
        h
    }

    pub fn new(id: ActorId, n: usize) -> H {
        H::with(id, n, paper_cfg(), RaftDurable::default())
    }

    /// Run `f` against the node with a fresh Ctx; persist ops are applied to the store at once.
    pub fn run(&mut self, f: impl FnOnce(&mut Node, &mut Ctx<'_, Wire<KvSm>, RaftDurable<KvCmd>>)) {
        let mut fresh = Vec::new();
        let mut ctx = Ctx {
            now: self.now,
            me: self.node.id(),
            rng: &mut self.rng,
            durable: &self.durable,
            out: &mut fresh,
            notes: true,
        };
        f(&mut self.node, &mut ctx);
        for e in &fresh {
            if let Effect::Persist(op) = e {
                self.durable.apply(op.clone());
            }
        }
        self.out.extend(fresh);
    }

    pub fn step(&mut self, from: ActorId, msg: RaftMsg<KvCmd>) {
        self.run(|n, ctx| n.on_message(ctx, from, Wire::Raft(msg)));
    }

    pub fn timer(&mut self, kind: TimerKind) {
        self.run(|n, ctx| n.on_timer(ctx, kind));
    }

    pub fn clear(&mut self) {
        self.out.clear();
    }

    /// Raft messages sent since the last `clear`/`sent`, in order; clears the effect buffer.
    pub fn sent(&mut self) -> Vec<(ActorId, RaftMsg<KvCmd>)> {
        let v = self
            .out
            .iter()
            .filter_map(|e| match e {
                Effect::Send {
                    to,
                    msg: Wire::Raft(m),
                } => Some((*to, m.clone())),
                _ => None,
            })
            .collect();
        self.out.clear();
        v
    }

    /// Entries persisted by Append ops since the last clear.
    pub fn persisted_entries(&self) -> Vec<Entry<KvCmd>> {
        self.out
            .iter()
            .filter_map(|e| match e {
                Effect::Persist(PersistOp::Append { entries, .. }) => Some(entries.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The last election timeout armed.
    pub fn last_election_timeout(&self) -> Option<Time> {
        self.out.iter().rev().find_map(|e| match e {
            Effect::SetTimer {
                kind: TIMER_ELECTION,
                after,
            } => Some(*after),
            _ => None,
        })
    }

    /// Campaign (pre-vote off) and collect `granted` votes from the given peers.
    pub fn elect(&mut self, voters: &[ActorId]) {
        self.timer(TIMER_ELECTION);
        let term = self.node.term();
        for &v in voters {
            self.step(
                v,
                RaftMsg::RequestVoteResp {
                    term,
                    granted: true,
                },
            );
        }
    }

    /// Every follower acknowledges the whole log.
    pub fn ack_all(&mut self, peers: &[ActorId]) {
        let (term, last) = (self.node.term(), self.node.log().last_index());
        for &p in peers {
            self.step(p, ok_resp(term, last));
        }
    }

    pub fn log_terms(&self) -> Vec<(u64, u64)> {
        self.node
            .log()
            .entries
            .iter()
            .map(|e| (e.index, e.term))
            .collect()
    }
}

pub fn ok_resp(term: u64, index: u64) -> RaftMsg<KvCmd> {
    RaftMsg::AppendResp {
        term,
        success: true,
        index,
        hint_index: 0,
        hint_term: 0,
        heartbeat: false,
        read_ctx: 0,
    }
}

pub fn app(
    term: u64,
    prev_index: u64,
    prev_term: u64,
    entries: Vec<Entry<KvCmd>>,
    commit: u64,
) -> RaftMsg<KvCmd> {
    RaftMsg::AppendEntries {
        term,
        prev_index,
        prev_term,
        entries,
        commit,
        read_ctx: 0,
    }
}

pub fn heartbeat(term: u64, commit: u64) -> RaftMsg<KvCmd> {
    app(term, 0, 0, Vec::new(), commit)
}

/// A data entry; its request id `(99, index)` lets tests see the apply order in `applied_reqs`.
pub fn ent(index: u64, term: u64) -> Entry<KvCmd> {
    Entry {
        index,
        term,
        time: 0,
        payload: Payload::Cmd {
            req: Some(RequestId {
                client: 99,
                seq: index * 1000 + term,
            }),
            cmd: KvCmd::Add { key: 0, delta: 1 },
        },
    }
}

/// A store holding `entries` at `term`.
pub fn store(term: u64, entries: Vec<Entry<KvCmd>>) -> RaftDurable<KvCmd> {
    RaftDurable {
        term,
        voted_for: None,
        log: entries,
        snapshot: None,
    }
}

pub fn cfg(pre_vote: bool, check_quorum: bool) -> RaftConfig {
    RaftConfig {
        pre_vote,
        check_quorum,
        ..RaftConfig::default()
    }
}

pub fn responses(h: &mut H) -> Vec<(usize, RequestId, ClientResult<u64>)> {
    let v = h
        .out
        .iter()
        .filter_map(|e| match e {
            Effect::Send {
                to,
                msg: Wire::Response { id, result },
            } => Some((*to, *id, result.clone())),
            _ => None,
        })
        .collect();
    h.out.clear();
    v
}

pub fn request(h: &mut H, client: usize, seq: u64, op: ClientOp<KvCmd>) {
    let id = RequestId { client, seq };
    h.run(|n, ctx| n.on_message(ctx, client, Wire::Request { id, op }));
}
