//! Wing–Gong–Lowe linearizability search (as in Porcupine) for one resource's history against a
//! sequential lock model.
//!
//! The model is nondeterministic (an operation whose answer was lost may or may not have taken
//! effect; a lease may have expired any time after its deadline), so, as Porcupine does, the
//! search runs on the *set* of possible model states. Lease expiry is decided lazily: a holding
//! past its deadline is dropped only when an operation needs it gone (a conflicting grant, a
//! failed release), which is the most permissive consistent choice.
//!
//! Limitation: an acquire whose answer was never seen is treated as not granted (its lock id is
//! unknown), except that it may explain a later try-lock `Conflict`.

use std::collections::HashSet;

use super::checker::{LockEvent, LockOp, Verdict};
use super::types::{LockMode, LockOutput};
use crate::sim::{ActorId, Time, MS};

/// One holding in the model.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Held {
    lock_id: u64,
    client: ActorId,
    mode: LockMode,
    token: u64,
    /// From this time on the lease may have expired (`Time::MAX` = no lease).
    expirable_at: Time,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
struct Model {
    held: Vec<Held>,
    last_token: u64,
}

/// An operation prepared for the search.
struct Op<'a> {
    e: &'a LockEvent,
    /// Call time used for ordering.
    call: Time,
    /// Return time used for ordering (`Time::MAX` when unknown).
    ret: Time,
}

impl<'a> Op<'a> {
    /// A grant took effect exactly when its entry was applied, and that entry's time is in the
    /// answer (`acquired_at`, checked to lie within the call): pin the grant there. The real log
    /// order is still a candidate (entry times follow the log), and the search has far fewer
    /// overlapping operations to permute. Re-entrant answers (granted before the call) are not
    /// pinned.
    fn new(e: &'a LockEvent) -> Self {
        let ret = match e.known_result() {
            Some(_) => e.completed.unwrap_or(Time::MAX),
            None => Time::MAX,
        };
        match e.known_result() {
            Some(LockOutput::Granted { acquired_at, .. })
                if e.invoked <= *acquired_at && *acquired_at <= ret =>
            {
                Op {
                    e,
                    call: *acquired_at,
                    ret: *acquired_at,
                }
            }
            _ => Op {
                e,
                call: e.invoked,
                ret,
            },
        }
    }
}

/// Every model state reachable by applying `op` to `m` (empty = illegal).
fn step(m: &Model, op: &Op<'_>, unanswered_acquire_before: bool) -> Vec<Model> {
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
        (LockOp::Acquire { .. }, Some(LockOutput::Conflict { .. })) => {
            if !m.held.is_empty() || unanswered_acquire_before {
                vec![m.clone()]
            } else {
                vec![]
            }
        }
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
                if next.held[p].expirable_at > op.ret {
                    return vec![];
                }
                next.held.remove(p);
            }
            if matches!(e.known_result(), Some(LockOutput::NotFound)) {
                if next.held.iter().any(|h| h.expirable_at > op.ret) {
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
    }
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
    next.held.sort();
    next.last_token = token;
    Some(next)
}

/// Wing–Gong–Lowe search with memoisation of (linearized set, state set).
pub(super) fn check_resource_history(
    resource: &str,
    events: &[&LockEvent],
    budget: u64,
) -> Verdict {
    // Timeouts, deadlocks and other no-effect answers are always linearizable: leave them out.
    let ops: Vec<Op<'_>> = events
        .iter()
        .filter(|e| {
            !matches!(
                e.known_result(),
                Some(LockOutput::Timeout | LockOutput::Deadlock | LockOutput::Status(_))
            )
        })
        .map(|e| Op::new(e))
        .collect();
    let n = ops.len();
    if n == 0 {
        return Verdict::Ok;
    }
    // Events: (time, kind 0 = call / 1 = return, op). Calls sort before returns at equal times.
    let mut evs: Vec<(Time, u8, usize)> = Vec::with_capacity(2 * n);
    for (i, op) in ops.iter().enumerate() {
        evs.push((op.call, 0, i));
        evs.push((op.ret, 1, i));
    }
    evs.sort();
    // Doubly linked list over `evs` (indices; usize::MAX = none), with a sentinel head at `len`.
    let len = evs.len();
    let mut next: Vec<usize> = (1..=len).collect();
    let mut prev: Vec<usize> = (0..len).map(|i| if i == 0 { len } else { i - 1 }).collect();
    next.push(0);
    prev.push(usize::MAX);
    next[len - 1] = usize::MAX;
    let mut ret_pos = vec![0usize; n];
    for (pos, ev) in evs.iter().enumerate() {
        if ev.1 == 1 {
            ret_pos[ev.2] = pos;
        }
    }
    // A try-lock `Conflict` may also be explained by an acquire whose answer was lost.
    let first_unanswered = ops
        .iter()
        .filter(|o| matches!(o.e.op, LockOp::Acquire { .. }) && o.e.known_result().is_none())
        .map(|o| o.e.invoked)
        .min()
        .unwrap_or(Time::MAX);
    let words = n.div_ceil(64);
    let mut linearized = vec![0u64; words];
    let mut states: Vec<Model> = vec![Model::default()];
    let mut cache: HashSet<(Vec<u64>, Vec<Model>)> = HashSet::new();
    let mut stack: Vec<(usize, Vec<Model>)> = Vec::new();
    let mut entry = next[len];
    let mut steps = 0u64;

    let unlink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, p: usize| {
        let (a, b) = (prev[p], next[p]);
        next[a] = b;
        if b != usize::MAX {
            prev[b] = a;
        }
    };
    let relink = |next: &mut Vec<usize>, prev: &mut Vec<usize>, p: usize| {
        let (a, b) = (prev[p], next[p]);
        next[a] = p;
        if b != usize::MAX {
            prev[b] = p;
        }
    };

    while next[len] != usize::MAX {
        steps += 1;
        if steps > budget {
            return Verdict::Unknown;
        }
        if entry == usize::MAX {
            return Verdict::Violation(format!(
                "`{resource}`: the search fell off the history (internal)"
            ));
        }
        let (_, kind, i) = evs[entry];
        if kind == 0 {
            let conflict_ok = first_unanswered <= ops[i].ret;
            let mut after: Vec<Model> = states
                .iter()
                .flat_map(|m| step(m, &ops[i], conflict_ok))
                .collect();
            after.sort();
            after.dedup();
            let mut bits = linearized.clone();
            bits[i / 64] |= 1 << (i % 64);
            if !after.is_empty() && cache.insert((bits.clone(), after.clone())) {
                stack.push((entry, std::mem::replace(&mut states, after)));
                linearized = bits;
                unlink(&mut next, &mut prev, entry);
                unlink(&mut next, &mut prev, ret_pos[i]);
                entry = next[len];
                continue;
            }
            entry = next[entry];
        } else {
            let Some((call, saved)) = stack.pop() else {
                return Verdict::Violation(explain(resource, &ops, i));
            };
            let j = evs[call].2;
            relink(&mut next, &mut prev, ret_pos[j]);
            relink(&mut next, &mut prev, call);
            linearized[j / 64] &= !(1 << (j % 64));
            states = saved;
            entry = next[call];
        }
    }
    Verdict::Ok
}

fn explain(resource: &str, ops: &[Op<'_>], stuck: usize) -> String {
    let e = ops[stuck].e;
    format!(
        "`{resource}`: history is not linearizable against the lock model; no valid order places client {}'s {:?} \
         (invoked {} µs, answered {:?} at {:?}) among the {} operations on this resource",
        e.client,
        e.op,
        e.invoked,
        e.result,
        e.completed,
        ops.len()
    )
}
