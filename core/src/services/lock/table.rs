//! The lock table: a deterministic replicated state machine applied from the Raft log.
//!
//! Rules (REFERENCES §3.3), and the choices made where the spec leaves room:
//! - **FIFO**: each resource has a wait queue in log-index order. The head is granted when it is
//!   compatible with the holders; a run of consecutive shared requests is granted together; a
//!   shared request queued behind a waiting exclusive one waits (no writer starvation).
//! - **Upgrade** (a shared holder asks for exclusive on the same resource): granted in place if it
//!   is the sole holder, otherwise queued *ahead of* ordinary waiters (behind earlier upgrades) and
//!   included in deadlock detection. Asking again for a mode already covered by the client's
//!   holding is a re-entrant no-op that answers the existing grant. A client has at most one
//!   holding per resource; an upgrade keeps its `lock_id` and gets a new fencing token.
//! - **lock_id** = log index of the acquire entry that created the holding.
//! - **Fencing token** = a global grant counter starting at 1, bumped on every grant (upgrades
//!   included). Strictly increasing in grant order, also between shared holders granted by one
//!   entry (log indices could not tell those apart).
//! - **Leases**: `expires_at = grant time + lease_ms` (`lease_ms == 0`: no lease). Expiry only
//!   happens when a committed `Tick` with time ≥ the deadline is applied; `ExtendLeases` (from a
//!   new leader) moves every lease to `max(expires_at, entry time) + by_ms`.
//! - **Time** is the table's own: the largest entry time applied so far (`clock`). Entry times
//!   come from the clocks of successive leaders, and a new leader's clock may be behind the old
//!   one's; a table time that never goes backwards keeps grant times, deadlines and fencing
//!   order consistent (a lagging leader only makes time stand still for a while). Client-side
//!   safety under skew is the clients' margin (`cluster::lease_validity`).
//! - **Release**: holder-only. A holding of another client → `NotOwner`; an unknown/expired
//!   `lock_id` → `NotOwner` while somebody else holds the resource, else `NotFound`.
//! - **Idempotency**: per client, the last `seq` and its response. A duplicate gets the cached
//!   response (or nothing while its acquire is still queued); an older `seq` is ignored. A newer
//!   `seq` supersedes the client's still-queued request (the client gave up on it), which is
//!   removed silently: clients are sequential, one pending request each.
//! - **Deadlock**: after a request queues, cycles in the exact wait-for graph are broken by
//!   aborting the **youngest** request of the cycle (highest log index) with `Deadlock`
//!   (`deadlock.rs` explains why that is always the request that just queued).
//!
//! Two indexes derived from the queues and holdings keep `apply` and `housekeeping` cheap:
//! `waiting_on` (client → the resource its one queued request waits on) and `deadlines` (every
//! lease expiry and wait deadline). Every change to a queue or a holding goes through the
//! helpers below that keep them in step.

use crate::base::sorted::SortedMap;
use std::collections::VecDeque;

use super::lease::{count_holding, Deadlines};
use super::types::{Holder, LockCmd, LockMode, LockOutput, Waiter};
use crate::raft::sessions::{Admit, Sessions};
use crate::raft::{ApplyCtx, Reply, RequestId};
use crate::sim::{ActorId, Time, MS};

/// How far a new leader pushes every lease (covers a default-profile election gap).
pub const LEADER_CHANGE_EXTENSION_MS: u64 = 1_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct WaitEntry {
    pub req: RequestId,
    pub mode: LockMode,
    pub since: Time,
    pub index: u64,
    pub deadline: Option<Time>,
    pub lease_ms: u64,
    pub upgrade: bool,
}

impl WaitEntry {
    pub fn view(&self) -> Waiter {
        Waiter {
            client: self.req.client,
            mode: self.mode,
            since: self.since,
            index: self.index,
            upgrade: self.upgrade,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct ResourceState {
    /// In grant order.
    pub holders: Vec<Holder>,
    pub queue: VecDeque<WaitEntry>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockTable {
    pub(super) resources: SortedMap<String, ResourceState>,
    pub(super) sessions: Sessions<LockOutput>,
    /// The fencing token of the next grant.
    pub(super) next_token: u64,
    /// Index: client → resource of its queued request (a client has at most one).
    pub(super) waiting_on: SortedMap<ActorId, String>,
    /// Index: every `expires_at` of a holding and `deadline` of a waiter (drives `housekeeping`).
    pub(super) deadlines: Deadlines,
    /// Index: client → number of resources it holds (absent = none).
    pub(super) holdings: SortedMap<ActorId, u32>,
    /// The table's time: the largest entry time applied so far (see the module docs).
    pub(super) clock: Time,
}

/// Collects replies and records them in the client sessions.
pub(super) struct Out<'a> {
    pub sessions: &'a mut Sessions<LockOutput>,
    pub replies: &'a mut Vec<Reply<LockOutput>>,
}

impl Out<'_> {
    pub fn send(&mut self, to: RequestId, output: LockOutput) {
        self.sessions.record(to, &output);
        self.replies.push(Reply { to, output });
    }
}

impl LockTable {
    pub(super) fn take_token(&mut self) -> u64 {
        self.next_token = self.next_token.max(1);
        let token = self.next_token;
        if !crate::mutants::active(crate::mutants::Mutant::LockFencingTokenNotIncreased) {
            self.next_token += 1;
        }
        token
    }

    /// Session bookkeeping for a client request: `None` if the request must not run, else the
    /// resources whose queue lost the client's superseded request (to be re-examined).
    fn admit(
        &mut self,
        req: RequestId,
        replies: &mut Vec<Reply<LockOutput>>,
    ) -> Option<Vec<String>> {
        match self.sessions.admit(req) {
            Admit::Stale | Admit::Pending => None,
            Admit::Replay(output) => {
                replies.push(Reply { to: req, output });
                None
            }
            Admit::Run { superseded: true } => Some(self.drop_pending(req.client)),
            Admit::Run { superseded: false } => Some(Vec::new()),
        }
    }

    /// Removes the client's still-queued request (it moved on to a newer `seq`).
    fn drop_pending(&mut self, client: ActorId) -> Vec<String> {
        let Some(name) = self.waiting_on.remove(&client) else {
            return Vec::new();
        };
        self.unqueue(&name, |w| w.req.client == client);
        vec![name]
    }

    fn acquire(
        &mut self,
        ctx: &ApplyCtx,
        req: RequestId,
        cmd: &AcquireArgs<'_>,
        out: &mut Out<'_>,
    ) {
        let try_lock = cmd.wait_timeout_ms.unwrap_or(0) == 0;
        // Look up before inserting: no key allocation for a resource already in use.
        if !self.resources.contains_key(cmd.resource) {
            self.resources
                .insert(cmd.resource.to_string(), ResourceState::default());
        }
        let Some(state) = self.resources.get_mut(cmd.resource) else {
            return;
        };
        let own = state.holders.iter().position(|h| h.client == req.client);
        let entry = WaitEntry {
            req,
            mode: cmd.mode,
            since: ctx.time,
            index: ctx.index,
            deadline: (!try_lock).then(|| ctx.time + cmd.wait_timeout_ms.unwrap_or(0) * MS),
            lease_ms: cmd.lease_ms,
            upgrade: own.is_some(),
        };
        if let Some(pos) = own {
            let held = &state.holders[pos];
            if held.mode == LockMode::Exclusive || cmd.mode == LockMode::Shared {
                let reply = granted(cmd.resource, held);
                out.send(req, reply);
                return;
            }
            if state.holders.len() > 1 && try_lock {
                out.send(
                    req,
                    LockOutput::Conflict {
                        resource: cmd.resource.to_string(),
                    },
                );
                return;
            }
            // Upgrades go ahead of ordinary waiters, behind earlier upgrades.
            let at = state.queue.iter().take_while(|w| w.upgrade).count();
            self.deadlines.add(entry.deadline);
            state.queue.insert(at, entry);
        } else {
            let free =
                state.queue.is_empty() && state.holders.iter().all(|h| h.mode.compatible(cmd.mode));
            if try_lock && !free {
                out.send(
                    req,
                    LockOutput::Conflict {
                        resource: cmd.resource.to_string(),
                    },
                );
                return;
            }
            self.deadlines.add(entry.deadline);
            state.queue.push_back(entry);
        }
        self.waiting_on.insert(req.client, cmd.resource.to_string());
        self.grant_waiters(cmd.resource, ctx.time, out);
        // Only a request that had to wait can close a cycle.
        if self.waiting_on.contains_key(&req.client) {
            self.break_deadlock(req, cmd.resource, ctx.time, out);
        }
        self.forget_if_idle(cmd.resource);
    }

    /// Grants queue heads while they are compatible with the holders.
    pub(super) fn grant_waiters(&mut self, resource: &str, now: Time, out: &mut Out<'_>) {
        loop {
            let Some(state) = self.resources.get(resource) else {
                return;
            };
            let Some(head) = state.queue.front() else {
                return;
            };
            let holds = state.holders.iter().any(|h| h.client == head.req.client);
            if head.upgrade && !holds {
                // Its shared holding expired while it waited: now a plain exclusive request.
                if let Some(h) = self
                    .resources
                    .get_mut(resource)
                    .and_then(|s| s.queue.front_mut())
                {
                    h.upgrade = false;
                }
                continue;
            }
            let grantable = if head.upgrade {
                state.holders.len() == 1 && state.holders[0].client == head.req.client
            } else {
                state.holders.iter().all(|h| h.mode.compatible(head.mode))
            };
            if !grantable {
                return;
            }
            let token = self.take_token();
            let Some(state) = self.resources.get_mut(resource) else {
                return;
            };
            let Some(head) = state.queue.pop_front() else {
                return;
            };
            self.waiting_on.remove(&head.req.client);
            self.deadlines.remove(head.deadline);
            let mut lease = head.lease_ms * MS;
            if crate::mutants::active(crate::mutants::Mutant::LockLeaseExpiresEarly) {
                lease /= 2;
            }
            let expires_at = (head.lease_ms > 0).then(|| now + lease);
            self.deadlines.add(expires_at);
            let holder = if head.upgrade {
                let h = &mut state.holders[0];
                self.deadlines.remove(h.expires_at);
                h.mode = LockMode::Exclusive;
                h.fencing_token = token;
                h.acquired_at = now;
                h.expires_at = expires_at;
                h.clone()
            } else {
                let h = Holder {
                    client: head.req.client,
                    lock_id: head.index,
                    mode: head.mode,
                    fencing_token: token,
                    acquired_at: now,
                    expires_at,
                };
                state.holders.push(h.clone());
                count_holding(&mut self.holdings, h.client, true);
                h
            };
            out.send(head.req, granted(resource, &holder));
        }
    }

    fn release(
        &mut self,
        ctx: &ApplyCtx,
        req: RequestId,
        resource: &str,
        lock_id: u64,
        out: &mut Out<'_>,
    ) {
        let Some(state) = self.resources.get_mut(resource) else {
            out.send(req, LockOutput::NotFound);
            return;
        };
        let reply = match state.holders.iter().position(|h| h.lock_id == lock_id) {
            Some(pos) if state.holders[pos].client == req.client => {
                let gone = state.holders.remove(pos);
                self.deadlines.remove(gone.expires_at);
                count_holding(&mut self.holdings, gone.client, false);
                LockOutput::Released {
                    resource: resource.to_string(),
                    lock_id,
                }
            }
            Some(_) => LockOutput::NotOwner,
            None if state.holders.is_empty() => LockOutput::NotFound,
            None => LockOutput::NotOwner,
        };
        let released = matches!(reply, LockOutput::Released { .. });
        out.send(req, reply);
        if released {
            self.grant_waiters(resource, ctx.time, out);
            self.forget_if_idle(resource);
        }
    }

    pub(super) fn forget_if_idle(&mut self, resource: &str) {
        if self
            .resources
            .get(resource)
            .is_some_and(|s| s.holders.is_empty() && s.queue.is_empty())
        {
            self.resources.remove(resource);
        }
    }

    pub(super) fn dispatch(
        &mut self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &LockCmd,
        replies: &mut Vec<Reply<LockOutput>>,
    ) {
        self.clock = self.clock.max(ctx.time);
        let ctx = &ApplyCtx {
            time: self.clock,
            ..*ctx
        };
        let touched = match req {
            Some(r) => match self.admit(r, replies) {
                Some(touched) => touched,
                None => return,
            },
            None => Vec::new(),
        };
        let mut sessions = std::mem::take(&mut self.sessions);
        let mut out = Out {
            sessions: &mut sessions,
            replies,
        };
        for resource in &touched {
            self.grant_waiters(resource, ctx.time, &mut out);
            self.forget_if_idle(resource);
        }
        match (cmd, req) {
            (
                LockCmd::Acquire {
                    resource,
                    mode,
                    wait_timeout_ms,
                    lease_ms,
                },
                Some(r),
            ) => {
                let args = AcquireArgs {
                    resource,
                    mode: *mode,
                    wait_timeout_ms: *wait_timeout_ms,
                    lease_ms: *lease_ms,
                };
                self.acquire(ctx, r, &args, &mut out);
            }
            (LockCmd::Release { resource, lock_id }, Some(r)) => {
                self.release(ctx, r, resource, *lock_id, &mut out)
            }
            (LockCmd::Status { resource }, Some(r)) => {
                out.send(r, LockOutput::Status(Box::new(self.status(resource))))
            }
            (LockCmd::Tick, _) => self.tick(ctx.time, &mut out),
            (LockCmd::ExtendLeases { by_ms }, _) => self.extend_leases(ctx.time, *by_ms),
            // Client commands without a client cannot be answered: ignore them.
            _ => {}
        }
        self.sessions = sessions;
    }
}

pub(super) struct AcquireArgs<'a> {
    pub resource: &'a str,
    pub mode: LockMode,
    pub wait_timeout_ms: Option<u64>,
    pub lease_ms: u64,
}

fn granted(resource: &str, h: &Holder) -> LockOutput {
    LockOutput::Granted {
        lock_id: h.lock_id,
        fencing_token: h.fencing_token,
        acquired_at: h.acquired_at,
        resource: resource.to_string(),
        mode: h.mode,
    }
}
