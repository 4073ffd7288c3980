//! A simulated client: closed loop (one outstanding request), follows NotLeader redirects,
//! retries with backoff and round robin on timeouts, keeps `(client, seq)` across retries, and
//! records a history for linearizability and invariant checks.

use std::collections::VecDeque;
use std::fmt::Debug;

use serde::{Deserialize, Serialize};

use super::msg::{ClientOp, ClientResult, Wire};
use super::node::RaftSm;
use super::sm::{RequestId, StateMachine};
use super::storage::RaftDurable;
use crate::sim::{Actor, ActorId, Ctx, Note, SimRng, Time, TimerKind, MS};

/// Drives a client: what to do next and after how much think time.
pub trait Workload<SM: StateMachine>: Clone + Debug {
    fn next(&mut self, now: Time, rng: &mut SimRng) -> Option<(ClientOp<SM::Cmd>, Time)>;
    fn on_result(&mut self, op: &ClientOp<SM::Cmd>, result: &ClientResult<SM::Output>);
}

/// A workload that never issues anything (a client driven only by `ClientCmd::Submit`).
#[derive(Clone, Debug, Default)]
pub struct Idle;
impl<SM: StateMachine> Workload<SM> for Idle {
    fn next(&mut self, _now: Time, _rng: &mut SimRng) -> Option<(ClientOp<SM::Cmd>, Time)> {
        None
    }
    fn on_result(&mut self, _op: &ClientOp<SM::Cmd>, _result: &ClientResult<SM::Output>) {}
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ClientCmd<C> {
    /// Send `op` to `target` (no silent redirect), or to the known leader if `None`.
    Submit {
        target: Option<ActorId>,
        op: ClientOp<C>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry<C, O> {
    pub client: ActorId,
    pub seq: u64,
    pub op: ClientOp<C>,
    pub invoked: Time,
    pub completed: Option<Time>,
    pub result: Option<ClientResult<O>>,
    pub attempts: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientConfig {
    pub request_timeout: Time,
    pub backoff: Time,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            request_timeout: 400 * MS,
            backoff: 30 * MS,
        }
    }
}

const TIMER_NEXT: TimerKind = 0;
const TIMER_TIMEOUT: TimerKind = 1;
const TIMER_RETRY: TimerKind = 2;

#[derive(Clone, Debug)]
struct Outstanding {
    seq: u64,
    fixed_target: Option<ActorId>,
    target: ActorId,
    history: usize,
}

#[derive(Clone, Debug)]
pub struct RaftClient<SM: StateMachine, W: Workload<SM>> {
    id: ActorId,
    servers: Vec<ActorId>,
    pub workload: W,
    pub config: ClientConfig,
    leader: Option<ActorId>,
    round_robin: usize,
    seq: u64,
    planned: Option<ClientOp<SM::Cmd>>,
    submitted: VecDeque<(Option<ActorId>, ClientOp<SM::Cmd>)>,
    outstanding: Option<Outstanding>,
    history: Vec<HistoryEntry<SM::Cmd, SM::Output>>,
}

type CCtx<'a, SM> = Ctx<'a, Wire<SM>, RaftDurable<<SM as StateMachine>::Cmd>>;

impl<SM: RaftSm, W: Workload<SM>> RaftClient<SM, W> {
    pub fn new(id: ActorId, servers: Vec<ActorId>, workload: W) -> Self {
        RaftClient {
            id,
            round_robin: id % servers.len().max(1),
            servers,
            workload,
            config: ClientConfig::default(),
            leader: None,
            seq: 0,
            planned: None,
            submitted: VecDeque::new(),
            outstanding: None,
            history: Vec::new(),
        }
    }

    pub fn history(&self) -> &[HistoryEntry<SM::Cmd, SM::Output>] {
        &self.history
    }
    pub fn known_leader(&self) -> Option<ActorId> {
        self.leader
    }
    pub fn is_busy(&self) -> bool {
        self.outstanding.is_some()
    }

    fn schedule_next(&mut self, ctx: &mut CCtx<'_, SM>) {
        if self.outstanding.is_some() || self.planned.is_some() {
            return;
        }
        if let Some((target, op)) = self.submitted.pop_front() {
            self.invoke(ctx, op, target);
        } else if let Some((op, think)) = self.workload.next(ctx.now, ctx.rng) {
            self.planned = Some(op);
            ctx.set_timer(TIMER_NEXT, think);
        }
    }

    fn invoke(
        &mut self,
        ctx: &mut CCtx<'_, SM>,
        op: ClientOp<SM::Cmd>,
        fixed_target: Option<ActorId>,
    ) {
        self.seq += 1;
        ctx.note(Note::Invoke { op: self.seq });
        self.history.push(HistoryEntry {
            client: self.id,
            seq: self.seq,
            op,
            invoked: ctx.now,
            completed: None,
            result: None,
            attempts: 0,
        });
        let target = fixed_target.unwrap_or_else(|| self.pick_server());
        self.outstanding = Some(Outstanding {
            seq: self.seq,
            fixed_target,
            target,
            history: self.history.len() - 1,
        });
        self.send_attempt(ctx);
    }

    fn pick_server(&mut self) -> ActorId {
        if let Some(l) = self.leader {
            return l;
        }
        if self.servers.is_empty() {
            return 0;
        }
        self.round_robin = (self.round_robin + 1) % self.servers.len();
        self.servers[self.round_robin]
    }

    fn send_attempt(&mut self, ctx: &mut CCtx<'_, SM>) {
        let Some(o) = &self.outstanding else { return };
        let h = &mut self.history[o.history];
        h.attempts += 1;
        let id = RequestId {
            client: self.id,
            seq: o.seq,
        };
        ctx.send(
            o.target,
            Wire::Request {
                id,
                op: h.op.clone(),
            },
        );
        ctx.set_timer(TIMER_TIMEOUT, self.config.request_timeout);
    }

    /// Retry at another server (after `delay`).
    fn retry_elsewhere(
        &mut self,
        ctx: &mut CCtx<'_, SM>,
        leader_hint: Option<ActorId>,
        delay: Time,
    ) {
        self.leader = leader_hint;
        let target = self.pick_server();
        if let Some(o) = &mut self.outstanding {
            o.target = target;
        }
        if delay == 0 {
            self.send_attempt(ctx);
        } else {
            ctx.cancel_timer(TIMER_TIMEOUT);
            ctx.set_timer(TIMER_RETRY, delay);
        }
    }

    fn complete(&mut self, ctx: &mut CCtx<'_, SM>, result: Option<ClientResult<SM::Output>>) {
        let Some(o) = self.outstanding.take() else {
            return;
        };
        ctx.cancel_timer(TIMER_TIMEOUT);
        ctx.cancel_timer(TIMER_RETRY);
        let ok = matches!(result, Some(ClientResult::Ok(_) | ClientResult::Status(_)));
        ctx.note(Note::Complete { op: o.seq, ok });
        let h = &mut self.history[o.history];
        if let Some(r) = &result {
            h.completed = Some(ctx.now);
            self.workload.on_result(&h.op, r);
        }
        h.result = result;
        self.schedule_next(ctx);
    }

    fn on_response(
        &mut self,
        ctx: &mut CCtx<'_, SM>,
        from: ActorId,
        id: RequestId,
        result: ClientResult<SM::Output>,
    ) {
        let Some(o) = &self.outstanding else { return };
        if id.seq != o.seq || id.client != self.id {
            return; // an answer to an earlier attempt of a finished request
        }
        let fixed = o.fixed_target.is_some();
        match result {
            ClientResult::NotLeader { leader } if !fixed => {
                let redirect = leader.filter(|&l| l != from);
                let delay = if redirect.is_some() {
                    0
                } else {
                    self.config.backoff
                };
                self.retry_elsewhere(ctx, redirect, delay);
            }
            ClientResult::Busy if !fixed => {
                ctx.cancel_timer(TIMER_TIMEOUT);
                ctx.set_timer(TIMER_RETRY, self.config.backoff);
            }
            r => {
                if !fixed && matches!(r, ClientResult::Ok(_)) {
                    self.leader = Some(from);
                }
                self.complete(ctx, Some(r));
            }
        }
    }
}

impl<SM: RaftSm, W: Workload<SM>> Actor for RaftClient<SM, W> {
    type Msg = Wire<SM>;
    type Durable = RaftDurable<SM::Cmd>;
    type Cmd = ClientCmd<SM::Cmd>;

    fn on_start(&mut self, ctx: &mut CCtx<'_, SM>) {
        self.schedule_next(ctx);
    }

    fn on_message(&mut self, ctx: &mut CCtx<'_, SM>, from: ActorId, msg: Wire<SM>) {
        if let Wire::Response { id, result } = msg {
            self.on_response(ctx, from, id, result);
        }
    }

    fn on_timer(&mut self, ctx: &mut CCtx<'_, SM>, kind: TimerKind) {
        match kind {
            TIMER_NEXT => {
                if let Some(op) = self.planned.take() {
                    self.invoke(ctx, op, None);
                }
            }
            TIMER_TIMEOUT => match &self.outstanding {
                // A user-named target that does not answer: the outcome is unknown.
                Some(o) if o.fixed_target.is_some() => self.complete(ctx, None),
                Some(_) => self.retry_elsewhere(ctx, None, 0),
                None => {}
            },
            TIMER_RETRY => self.send_attempt(ctx),
            _ => {}
        }
    }

    fn on_command(&mut self, ctx: &mut CCtx<'_, SM>, cmd: ClientCmd<SM::Cmd>) {
        let ClientCmd::Submit { target, op } = cmd;
        self.submitted.push_back((target, op));
        if self.outstanding.is_none() && self.planned.is_none() {
            self.schedule_next(ctx);
        }
    }

    fn on_crash(&mut self) {
        // A client that crashes forgets its outstanding request (its outcome stays unknown).
        self.outstanding = None;
        self.planned = None;
        self.leader = None;
    }
}
