//! Safety and linearizability checks over a recorded client history of lock operations.
//!
//! Inputs are [`LockEvent`]s (`cluster.rs` converts `raft::HistoryEntry`s into them). Times are
//! virtual microseconds of two kinds:
//! - **true time**: `invoked`, `completed`, `valid_until` (clients record their own clock
//!   readings; the adapter turns them back into true time);
//! - **service time**: `acquired_at` and lease deadlines, the time stamped on committed entries
//!   by the leader that proposed them. The table keeps it non-decreasing along the log, so it is
//!   the lock's committed timeline, but it comes from the leaders' clocks.
//!
//! Under a [`ClockBound`] every clock, hence the service time, is within `skew/2` of true time
//! (`half` below): an entry stamped at service time `s` was stamped at a true time within
//! `[s − half, s + half]`. With `ClockBound::NONE` the two kinds coincide.
//!
//! Checks, in order (the first failure is reported):
//! 1. every grant's `acquired_at` lies within its operation's `[invoked − half, completed + half]`;
//! 2. fencing tokens: one token per holding, entry times non-decreasing in token order, and a
//!    grant that completed before another acquire was invoked has a smaller token;
//! 3. mutual exclusion in service time: a holding lasts at least until the earliest moment it
//!    could have ended (its holder's release was invoked, at service time ≥ that invocation −
//!    half; its lease ran out; or it was upgraded); no conflicting grant may fall inside that span;
//! 4. linearizability against a sequential lock model, per resource (`linearize.rs`), status
//!    reads included, with a step budget that yields [`Verdict::Unknown`] instead of hanging;
//! 5. client-side lease safety in true time (`lease_check.rs`): no two clients use conflicting
//!    holdings at once, a client using its holding from its grant's arrival until its release
//!    or the end of its lease validity.

use crate::base::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use super::lease_check::check_client_leases;
use super::linearize::check_resource_history;
use super::types::{LockMode, LockOutput};
use crate::sim::{ActorId, ClockBound, Time, MS};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockOp {
    /// `lease_ms`: the lease requested (`0` = none); used to know when a holding may have expired.
    Acquire {
        resource: String,
        mode: LockMode,
        lease_ms: u64,
    },
    Release {
        resource: String,
        lock_id: u64,
    },
    /// A status read (through the log or by ReadIndex): it must show exactly the holdings in
    /// force at some point within its call.
    Status {
        resource: String,
    },
}

impl LockOp {
    pub fn resource(&self) -> &str {
        match self {
            LockOp::Acquire { resource, .. }
            | LockOp::Release { resource, .. }
            | LockOp::Status { resource } => resource,
        }
    }
}

/// One client operation. `completed: None` = no answer seen (crash, give-up): it may or may not
/// have taken effect. `result: None` with `completed: Some` is treated the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEvent {
    pub client: ActorId,
    pub op: LockOp,
    pub invoked: Time,
    pub completed: Option<Time>,
    pub result: Option<LockOutput>,
    /// For a granted acquire with a lease: the true time until which the client treats the
    /// grant as valid (its own clock's reading of its safety margin). `None`: `invoked + lease`,
    /// a client that trusts the lease exactly.
    #[serde(default)]
    pub valid_until: Option<Time>,
}

impl LockEvent {
    /// The answer, if one was observed.
    pub fn known_result(&self) -> Option<&LockOutput> {
        self.completed.and(self.result.as_ref())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Ok,
    Violation(String),
    /// The linearizability search ran out of its step budget.
    Unknown,
}

/// Default step budget per resource for the linearizability search.
pub const DEFAULT_STEP_BUDGET: u64 = 2_000_000;

/// A grant seen in the history.
#[derive(Clone, Debug)]
pub(super) struct Grant<'a> {
    pub event: &'a LockEvent,
    pub resource: &'a str,
    pub lock_id: u64,
    pub token: u64,
    pub at: Time,
    pub mode: LockMode,
    pub lease_ms: u64,
}

fn grants(events: &[LockEvent]) -> Vec<Grant<'_>> {
    let mut out = Vec::new();
    for e in events {
        if let (
            LockOp::Acquire { lease_ms, .. },
            Some(LockOutput::Granted {
                lock_id,
                fencing_token,
                acquired_at,
                resource,
                mode,
            }),
        ) = (&e.op, e.known_result())
        {
            out.push(Grant {
                event: e,
                resource,
                lock_id: *lock_id,
                token: *fencing_token,
                at: *acquired_at,
                mode: *mode,
                lease_ms: *lease_ms,
            });
        }
    }
    out
}

/// Runs every check on perfect clocks; see the module docs.
pub fn check_history(events: &[LockEvent], step_budget: u64) -> Verdict {
    check_history_within(events, step_budget, ClockBound::NONE)
}

/// Runs every check, with service time within `bound.skew_us / 2` of true time.
pub fn check_history_within(events: &[LockEvent], step_budget: u64, bound: ClockBound) -> Verdict {
    let half = bound.skew_us / 2;
    let attributed = attribute_lost_grants(events, half);
    let events = &attributed[..];
    let all = grants(events);
    // Re-entrant answers (granted before they were asked) repeat a grant checked elsewhere.
    // Under skew a grant time up to `half` before the call is no proof of that, so an answer
    // also counts as re-entrant when the client already had that token from an earlier call.
    let repeats = |g: &Grant<'_>| {
        all.iter().any(|o| {
            o.token == g.token
                && o.event.client == g.event.client
                && o.event.invoked < g.event.invoked
        })
    };
    let fresh: Vec<Grant<'_>> = all
        .iter()
        .filter(|g| g.at + half >= g.event.invoked && !repeats(g))
        .cloned()
        .collect();
    let checks = check_grant_times(&all, half)
        .and_then(|_| check_tokens(&fresh))
        .and_then(|_| check_exclusion(events, &fresh, half));
    if let Err(why) = checks {
        return Verdict::Violation(why);
    }
    let mut by_resource: SortedMap<&str, Vec<&LockEvent>> = SortedMap::new();
    for e in events {
        by_resource.entry(e.op.resource()).or_default().push(e);
    }
    let mut unknown = false;
    for (resource, evs) in by_resource {
        match check_resource_history(resource, &evs, step_budget, half) {
            Verdict::Ok => {}
            Verdict::Unknown => unknown = true,
            violation => return violation,
        }
    }
    if let Err(why) = check_client_leases(events, &all) {
        return Verdict::Violation(why);
    }
    if unknown {
        Verdict::Unknown
    } else {
        Verdict::Ok
    }
}

/// A re-entrant acquire answers the client's *existing* holding, which may come from an earlier
/// acquire whose answer was lost (the client crashed or gave up). Such an answer carries an
/// `acquired_at` before its own invocation. Unless an answered grant of that client already
/// carries the same token, give the grant to the latest unanswered acquire of the same client
/// and resource invoked by then (a client is sequential and a newer request supersedes an older
/// one, so the latest is the one that was still live), and keep the later one as a re-entrant
/// answer of the same holding. (Giving it to the *earliest* such acquire, as this once did,
/// stole the grant of an older lost acquire whose own holding a status read later showed.)
fn attribute_lost_grants(events: &[LockEvent], half: Time) -> Vec<LockEvent> {
    let mut out = events.to_vec();
    for i in 0..out.len() {
        let Some(LockOutput::Granted {
            acquired_at,
            fencing_token,
            ..
        }) = out[i].known_result()
        else {
            continue;
        };
        let (at, token) = (*acquired_at, *fencing_token);
        if at + half >= out[i].invoked {
            continue;
        }
        let (client, resource) = (out[i].client, out[i].op.resource().to_string());
        let known = out.iter().any(|e| {
            e.client == client
                && e.invoked <= at + half
                && matches!(e.known_result(), Some(LockOutput::Granted { fencing_token: t, .. }) if *t == token)
        });
        if known {
            continue;
        }
        let lost = (0..out.len())
            .filter(|&j| j != i && out[j].client == client && out[j].known_result().is_none())
            .filter(
                |&j| matches!(&out[j].op, LockOp::Acquire { resource: r, .. } if *r == resource),
            )
            .filter(|&j| out[j].invoked <= at + half)
            .max_by_key(|&j| out[j].invoked);
        if let Some(j) = lost {
            out[j].completed = out[i].completed;
            out[j].result = out[i].result.clone();
        }
    }
    out
}

fn check_grant_times(all: &[Grant<'_>], half: Time) -> Result<(), String> {
    for g in all {
        let e = g.event;
        if g.resource != e.op.resource() {
            return Err(format!(
                "client {} asked for `{}` but was granted `{}`",
                e.client,
                e.op.resource(),
                g.resource
            ));
        }
        let done = e.completed.unwrap_or(Time::MAX);
        let early = g.at + half < e.invoked;
        // A re-entrant answer repeats an earlier grant of the same holding.
        let repeats_earlier = early
            && all.iter().any(|o| {
                o.token == g.token && o.event.client == e.client && o.event.invoked <= g.at + half
            });
        if (early && !repeats_earlier) || g.at > done.saturating_add(half) {
            let skew = if half > 0 {
                format!(" (± {half} µs of clock skew)")
            } else {
                String::new()
            };
            return Err(format!(
                "grant of `{}` (token {}) to client {} at {} µs lies outside its call [{}, {}]{skew}",
                g.resource, g.token, e.client, g.at, e.invoked, done
            ));
        }
    }
    Ok(())
}

fn check_tokens(all: &[Grant<'_>]) -> Result<(), String> {
    // One token per holding: the same token twice must be the same (resource, lock_id, mode).
    let mut by_token: SortedMap<u64, &Grant<'_>> = SortedMap::new();
    for g in all {
        if let Some(prev) = by_token.insert(g.token, g) {
            if (prev.resource, prev.lock_id, prev.mode) != (g.resource, g.lock_id, g.mode) {
                return Err(format!(
                    "fencing token {} was given to two different grants (`{}` #{} to client {} and `{}` #{} to client {})",
                    g.token, prev.resource, prev.lock_id, prev.event.client, g.resource, g.lock_id, g.event.client
                ));
            }
        }
    }
    // Entry times never decrease along the log, and tokens follow the log.
    let mut last: Option<&Grant<'_>> = None;
    for g in by_token.values() {
        if let Some(p) = last {
            if g.at < p.at {
                return Err(format!(
                    "fencing tokens decrease in grant order: token {} granted at {} µs, token {} at {} µs",
                    p.token, p.at, g.token, g.at
                ));
            }
        }
        last = Some(g);
    }
    // Real time: a grant completed before another acquire was invoked must have a smaller token.
    let mut by_completion: Vec<&Grant<'_>> = all.iter().collect();
    crate::base::sort::sort_by_key(&mut by_completion, |g| {
        g.event.completed.unwrap_or(Time::MAX)
    });
    let mut by_invocation: Vec<&Grant<'_>> = all.iter().collect();
    crate::base::sort::sort_by_key(&mut by_invocation, |g| g.event.invoked);
    let mut k = 0;
    let mut max_done: Option<&Grant<'_>> = None;
    for g in by_invocation {
        while k < by_completion.len()
            && by_completion[k].event.completed.unwrap_or(Time::MAX) < g.event.invoked
        {
            let c = by_completion[k];
            if max_done.is_none_or(|m| c.token > m.token) {
                max_done = Some(c);
            }
            k += 1;
        }
        if let Some(m) = max_done {
            if g.token <= m.token
                && !(g.lock_id == m.lock_id && g.resource == m.resource && g.token == m.token)
            {
                return Err(format!(
                    "token {} (client {}, invoked at {} µs) is not larger than token {} (client {}) granted before it",
                    g.token, g.event.client, g.event.invoked, m.token, m.event.client
                ));
            }
        }
    }
    Ok(())
}

/// For each `(client, resource, lock_id)`, the earliest invocation of a release that may have
/// succeeded (answered `Released`, or not answered at all), in true time.
fn release_starts(events: &[LockEvent]) -> SortedMap<(ActorId, &str, u64), Time> {
    let mut starts = SortedMap::new();
    for e in events {
        if let LockOp::Release { resource, lock_id } = &e.op {
            if matches!(e.known_result(), None | Some(LockOutput::Released { .. })) {
                let t = starts
                    .entry((e.client, resource.as_str(), *lock_id))
                    .or_insert(e.invoked);
                *t = (*t).min(e.invoked);
            }
        }
    }
    starts
}

fn check_exclusion(events: &[LockEvent], all: &[Grant<'_>], half: Time) -> Result<(), String> {
    let releases = release_starts(events);
    let mut by_resource: SortedMap<&str, Vec<&Grant<'_>>> = SortedMap::new();
    for g in all {
        by_resource.entry(g.resource).or_default().push(g);
    }
    for grants in by_resource.values_mut() {
        crate::base::sort::sort_by_key(grants, |g| g.token);
        grants.dedup_by_key(|g| g.token);
        // The earliest moment each holding could have ended.
        let mut ends: Vec<Time> = grants
            .iter()
            .map(|g| {
                let lease = if g.lease_ms > 0 {
                    g.at + g.lease_ms * MS
                } else {
                    Time::MAX
                };
                let key = (g.event.client, g.resource, g.lock_id);
                // The release entry was stamped after its invocation, so at service time ≥
                // the invocation − half.
                let release = releases
                    .get(&key)
                    .map_or(Time::MAX, |&t| t.saturating_sub(half).max(g.at));
                lease.min(release)
            })
            .collect();
        // An upgrade (same holding, later token) replaces the shared holding.
        let mut last_of: SortedMap<u64, usize> = SortedMap::new();
        for (i, g) in grants.iter().enumerate() {
            if let Some(prev) = last_of.insert(g.lock_id, i) {
                ends[prev] = ends[prev].min(g.at);
            }
        }
        for (i, g) in grants.iter().enumerate() {
            let end = ends[i];
            for h in grants[i + 1..].iter().take_while(|h| h.at < end) {
                if !g.mode.compatible(h.mode) && h.lock_id != g.lock_id {
                    return Err(format!(
                        "`{}`: client {} was granted {:?} (token {}) at {} µs while client {} still held {:?} (token {}) \
                         granted at {} µs, which cannot have ended before {} µs",
                        g.resource, h.event.client, h.mode, h.token, h.at, g.event.client, g.mode, g.token, g.at, end
                    ));
                }
            }
        }
    }
    Ok(())
}
