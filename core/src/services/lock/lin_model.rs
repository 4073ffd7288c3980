//! The sequential lock model that `linearize.rs` searches against: one resource's holdings, and
//! the set of states each operation may lead to (REFERENCES §3.3, the rules in `table.rs`).
//!
//! The model is nondeterministic: an operation whose answer was lost may or may not have taken
//! effect, and a lease may have expired any time after its deadline. Expiry is decided lazily:
//! a holding past its deadline is dropped only when an operation needs it gone (a conflicting
//! grant, a failed release, a status that does not show it), the most permissive consistent
//! choice. Waiters are not modelled; the search precomputes, per operation, whether another
//! client's acquire may have been queued meanwhile (`Op::waiter_possible`).
//!
//! Two clocks meet here: calls and returns are true time, grant times and lease deadlines are
//! service time (entry stamps), within `Op::half` of true time. Deadlines are compared with
//! other grants in service time; "may have expired by the time this call returned" compares a
//! deadline with the return + half (the expiring entry may have been stamped by a clock that
//! far ahead).

use super::checker::{LockEvent, LockOp};
use super::types::{LockMode, LockOutput, LockStatus};
use crate::sim::{ActorId, Time, MS};

/// One holding in the model.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Held {
    lock_id: u64,
    client: ActorId,
    mode: LockMode,
    token: u64,
    /// From this service time on the lease may have expired (`Time::MAX` = no lease).
    expirable_at: Time,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(super) struct Model {
    held: Vec<Held>,
    last_token: u64,
}

/// An operation prepared for the search.
pub(super) struct Op<'a> {
    pub e: &'a LockEvent,
    /// Call time used for ordering.
    pub call: Time,
    /// Return time used for ordering (`Time::MAX` when unknown).
    pub ret: Time,
    /// Another client's acquire may have sat in the wait queue during this call. A try-lock
    /// conflicts with a non-empty queue even when every holder is compatible (a shared request
    /// behind a queued exclusive one), so only then may a `Conflict` meet compatible holders.
    pub waiter_possible: bool,
    /// Clients with an acquire of this resource whose answer was never seen, invoked before this
    /// call returned. The model cannot hold their grants (the lock id is unknown), so they may
    /// explain a `Conflict` or a holder the model does not know in a status.
    pub hidden: Vec<ActorId>,
    /// How far service time may be from true time (half the clock bound's skew).
    pub half: Time,
}

impl<'a> Op<'a> {
    /// A grant took effect when its entry was applied, which is after the entry's time
    /// (`acquired_at`, checked to lie within the call) and before the answer: the call window
    /// narrows to `[acquired_at, completed]`. (Not a single point: a status read served between
    /// the entry's time and its application rightly does not show the grant.) Re-entrant
    /// answers (granted before the call) keep the whole call. Under skew the entry was stamped
    /// at true time ≥ `acquired_at − half`, so the call narrows only that far.
    pub fn new(e: &'a LockEvent, half: Time) -> Self {
        let ret = match e.known_result() {
            Some(_) => e.completed.unwrap_or(Time::MAX),
            None => Time::MAX,
        };
        let call = match e.known_result() {
            Some(LockOutput::Granted { acquired_at, .. })
                if e.invoked <= *acquired_at + half && acquired_at.saturating_sub(half) <= ret =>
            {
                e.invoked.max(acquired_at.saturating_sub(half))
            }
            _ => e.invoked,
        };
        Op {
            e,
            call,
            ret,
            waiter_possible: false,
            hidden: Vec::new(),
            half,
        }
    }

    /// The latest service time that can have been stamped before this call returned.
    fn ret_service(&self) -> Time {
        self.ret.saturating_add(self.half)
    }

    /// How long this acquire may have waited in the queue, as `(from, until)`; `None` if it
    /// never queued (a try-lock conflict, a re-entrant or immediate answer, not an acquire).
    pub fn queued_span(&self) -> Option<(Time, Time)> {
        if !matches!(self.e.op, LockOp::Acquire { .. }) {
            return None;
        }
        let until = match self.e.known_result() {
            None => Time::MAX,
            Some(LockOutput::Timeout) => self.ret,
            Some(LockOutput::Granted { acquired_at, .. })
                if *acquired_at + self.half >= self.e.invoked =>
            {
                (*acquired_at + self.half).min(self.ret)
            }
            Some(_) => return None,
        };
        Some((self.e.invoked, until))
    }
}

/// Every model state reachable by applying `op` to `m` (empty = illegal).
pub(super) fn step(m: &Model, op: &Op<'_>) -> Vec<Model> {
    let e = op.e;
    match (&e.op, e.known_result()) {
        (
            LockOp::Acquire { lease_ms, .. },
            Some(LockOutput::Granted {
                lock_id,
                fencing_token,
                acquired_at,
                mode,
                ..
            }),
        ) => grant(
            m,
            e.client,
            *lock_id,
            *fencing_token,
            *acquired_at,
            *mode,
            *lease_ms,
        )
        .into_iter()
        .collect(),
        (LockOp::Acquire { mode, .. }, Some(LockOutput::Conflict { .. })) => conflict(m, op, *mode),
        // Not granted (timeout, deadlock, a lost answer): no effect on the lock.
        (LockOp::Acquire { .. }, _) => vec![m.clone()],
        (
            LockOp::Release { lock_id, .. },
            Some(LockOutput::Released {
                lock_id: released, ..
            }),
        ) => {
            let pos = m
                .held
                .iter()
                .position(|h| h.lock_id == *lock_id && h.client == e.client);
            match pos {
                Some(p) if released == lock_id => {
                    let mut next = m.clone();
                    next.held.remove(p);
                    vec![next]
                }
                _ => vec![],
            }
        }
        (LockOp::Release { lock_id, .. }, Some(LockOutput::NotOwner | LockOutput::NotFound)) => {
            let mut next = m.clone();
            let mine = next
                .held
                .iter()
                .position(|h| h.lock_id == *lock_id && h.client == e.client);
            if let Some(p) = mine {
                if next.held[p].expirable_at > op.ret_service() {
                    return vec![];
                }
                next.held.remove(p);
            }
            if matches!(e.known_result(), Some(LockOutput::NotFound)) {
                if next.held.iter().any(|h| h.expirable_at > op.ret_service()) {
                    return vec![];
                }
                next.held.clear();
            }
            vec![next]
        }
        (LockOp::Release { .. }, Some(_)) => vec![],
        // Unknown answer: it released the holding, or it did nothing.
        (LockOp::Release { lock_id, .. }, None) => {
            let mut out = vec![m.clone()];
            if let Some(p) = m
                .held
                .iter()
                .position(|h| h.lock_id == *lock_id && h.client == e.client)
            {
                let mut next = m.clone();
                next.held.remove(p);
                out.push(next);
            }
            out
        }
        (LockOp::Status { .. }, Some(LockOutput::Status(s))) => {
            status(m, op, s).into_iter().collect()
        }
        (LockOp::Status { .. }, Some(_)) => vec![],
        // A read whose answer was lost changed nothing.
        (LockOp::Status { .. }, None) => vec![m.clone()],
    }
}

/// A try-lock `Conflict` (table.rs `acquire`): a client that holds the resource conflicts only
/// when upgrading shared → exclusive while others hold it too (its own exclusive holding, or a
/// shared one asked for shared, answers the holding again). Anyone else conflicts with an
/// incompatible holder, or with a non-empty queue (which implies a holder).
fn conflict(m: &Model, op: &Op<'_>, mode: LockMode) -> Vec<Model> {
    let hidden = !op.hidden.is_empty();
    let stranger = |m: &Model| {
        hidden
            || m.held.iter().any(|h| !h.mode.compatible(mode))
            || (!m.held.is_empty() && op.waiter_possible)
    };
    let own: Vec<usize> = (0..m.held.len())
        .filter(|&i| m.held[i].client == op.e.client)
        .collect();
    match own[..] {
        [] => {
            if stranger(m) {
                vec![m.clone()]
            } else {
                vec![]
            }
        }
        [p] => {
            let h = &m.held[p];
            let mut out = Vec::new();
            let upgrade = h.mode == LockMode::Shared && mode == LockMode::Exclusive;
            if upgrade && (m.held.len() > 1 || hidden) {
                out.push(m.clone());
            }
            // Its holding may have expired by now: then it asked as a stranger.
            if h.expirable_at <= op.ret_service() {
                let mut next = m.clone();
                next.held.remove(p);
                if stranger(&next) {
                    out.push(next);
                }
            }
            out
        }
        // Two holdings of one client: a kept one has expired in reality. Stay permissive.
        _ => vec![m.clone()],
    }
}

/// A status read shows exactly the holdings in force: each model holding it does not show must
/// have been able to expire; each holder it shows must be a model holding (same lock id, token
/// and mode), or the grant of an acquire whose answer was lost, which the model then adopts.
fn status(m: &Model, op: &Op<'_>, s: &LockStatus) -> Option<Model> {
    let mut next = Model {
        held: Vec::with_capacity(s.holders.len()),
        last_token: m.last_token,
    };
    for h in &m.held {
        match s
            .holders
            .iter()
            .find(|x| x.lock_id == h.lock_id && x.client == h.client)
        {
            Some(x) if x.fencing_token == h.token && x.mode == h.mode => next.held.push(h.clone()),
            // Upgraded in place by an acquire whose answer was lost.
            Some(x) if op.hidden.contains(&x.client) && x.fencing_token > h.token => {}
            Some(_) => return None,
            None if h.expirable_at <= op.ret_service() => {}
            None => return None,
        }
    }
    for x in &s.holders {
        let known = next
            .held
            .iter()
            .any(|h| h.lock_id == x.lock_id && h.client == x.client);
        if known {
            continue;
        }
        if !op.hidden.contains(&x.client) {
            return None;
        }
        next.held.push(Held {
            lock_id: x.lock_id,
            client: x.client,
            mode: x.mode,
            token: x.fencing_token,
            expirable_at: x.expires_at.unwrap_or(Time::MAX),
        });
    }
    crate::base::sort::sort(&mut next.held);
    Some(next)
}

fn grant(
    m: &Model,
    client: ActorId,
    lock_id: u64,
    token: u64,
    at: Time,
    mode: LockMode,
    lease_ms: u64,
) -> Option<Model> {
    let mut next = m.clone();
    let expirable_at = if lease_ms > 0 {
        at + lease_ms * MS
    } else {
        Time::MAX
    };
    if let Some(p) = next.held.iter().position(|h| h.lock_id == lock_id) {
        let h = &next.held[p];
        if h.client != client {
            return None;
        }
        if h.token == token && h.mode == mode {
            return Some(next); // re-entrant: the existing grant answered again
        }
        if !(h.mode == LockMode::Shared && mode == LockMode::Exclusive) || token <= next.last_token
        {
            return None;
        }
    } else if token <= next.last_token {
        return None;
    }
    // Conflicting holdings must be gone: possible only if their lease may have expired by `at`.
    let conflicting = |h: &Held| h.lock_id != lock_id && !(h.mode.compatible(mode));
    if next
        .held
        .iter()
        .any(|h| conflicting(h) && h.expirable_at > at)
    {
        return None;
    }
    next.held.retain(|h| !conflicting(h));
    next.held.retain(|h| h.lock_id != lock_id);
    next.held.push(Held {
        lock_id,
        client,
        mode,
        token,
        expirable_at,
    });
    crate::base::sort::sort(&mut next.held);
    next.last_token = token;
    Some(next)
}
