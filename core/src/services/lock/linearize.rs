//! Wing–Gong–Lowe linearizability search (as in Porcupine) for one resource's history against the
//! sequential lock model of `lin_model.rs`.
//!
//! The model is nondeterministic, so, as Porcupine does, the search runs on the *set* of possible
//! model states. Status reads are operations like any other: a read must show exactly the
//! holdings in force at some point within its call, which is what makes a stale read (an old
//! leader answering from its own table) a violation.
//!
//! Limitation: an acquire whose answer was never seen is treated as not granted (its lock id is
//! unknown), except that it may explain a later try-lock `Conflict` or a holder in a status.

use std::collections::HashSet;

use super::checker::{LockEvent, LockOp, Verdict};
use super::lin_model::{step, Model, Op};
use super::types::LockOutput;
use crate::sim::{ActorId, Time};

/// Prepares the operations: drops those that cannot matter and fills in what each one's legality
/// depends on beyond the model state (possible waiters, hidden grants).
fn prepare<'a>(events: &[&'a LockEvent], half: Time) -> Vec<Op<'a>> {
    // Timeouts, deadlocks, unanswered reads and other no-effect answers are always
    // linearizable: leave them out of the search (they still count as possible waiters).
    let all: Vec<Op<'a>> = events.iter().map(|e| Op::new(e, half)).collect();
    let unanswered: Vec<(ActorId, Time)> = all
        .iter()
        .filter(|o| matches!(o.e.op, LockOp::Acquire { .. }) && o.e.known_result().is_none())
        .map(|o| (o.e.client, o.e.invoked))
        .collect();
    let spans: Vec<(ActorId, Time, Time)> = all
        .iter()
        .filter_map(|o| o.queued_span().map(|(a, b)| (o.e.client, a, b)))
        .collect();
    let mut ops: Vec<Op<'a>> = all
        .into_iter()
        .filter(|o| {
            !matches!(
                (&o.e.op, o.e.known_result()),
                (_, Some(LockOutput::Timeout | LockOutput::Deadlock))
                    | (LockOp::Status { .. }, None)
            )
        })
        .collect();
    for o in &mut ops {
        o.hidden = unanswered
            .iter()
            .filter(|(_, t)| *t <= o.ret)
            .map(|(c, _)| *c)
            .collect();
        crate::base::sort::sort(&mut o.hidden);
        o.hidden.dedup();
        if matches!(o.e.known_result(), Some(LockOutput::Conflict { .. })) {
            let (call, ret, me) = (o.call, o.ret, o.e.client);
            o.waiter_possible = spans
                .iter()
                .any(|&(c, from, until)| c != me && from < ret && until > call);
        }
    }
    ops
}

/// Wing–Gong–Lowe search with memoisation of (linearized set, state set). Calls and returns are
/// in true time; grants and lease deadlines in service time, within `half` of true time.
pub(super) fn check_resource_history(
    resource: &str,
    events: &[&LockEvent],
    budget: u64,
    half: Time,
) -> Verdict {
    let ops = prepare(events, half);
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
    crate::base::sort::sort(&mut evs);
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
            let mut after: Vec<Model> = states.iter().flat_map(|m| step(m, &ops[i])).collect();
            crate::base::sort::sort(&mut after);
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
