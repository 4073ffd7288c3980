//! Check 5 of the lock checker: client-side lease safety, in true time.
//!
//! The service's own exclusion (check 3) holds in service time. What a lease user needs is
//! stronger: while a client *acts* on its holding (writes to the protected resource), no other
//! client may act on a conflicting one. A client acts on a holding from the moment its grant
//! arrives (`completed`) until it invokes the release or its lease validity runs out
//! (`valid_until`: its own clock's reading of `invoke + lease` minus its safety margin),
//! whichever comes first; an upgrade replaces the shared use when the exclusive grant arrives.
//!
//! This is where clock skew shows: the service expires a lease on the leaders' clocks, the
//! client stops trusting it on its own. If the client's margin does not cover the real skew and
//! drift, the service grants the lock to someone else while the first holder still trusts its
//! lease, and this check reports it. That is the moment a fencing token must save the resource
//! (`fenced.rs`; Kleppmann, "How to do distributed locking").

use crate::base::sorted::SortedMap;

use super::checker::{Grant, LockEvent, LockOp};
use super::types::LockMode;
use crate::sim::{ActorId, Time, MS};

/// One client's use of one grant (a holding, or its exclusive upgrade), in true time.
#[derive(Clone, Debug)]
struct Use<'a> {
    client: ActorId,
    resource: &'a str,
    lock_id: u64,
    token: u64,
    mode: LockMode,
    from: Time,
    until: Time,
    /// Whether `until` is the lease validity (else the release or the upgrade).
    by_validity: bool,
}

pub(super) fn check_client_leases(events: &[LockEvent], all: &[Grant<'_>]) -> Result<(), String> {
    // A client stops using a holding when it asks to release it, whatever the answer.
    let mut releases: SortedMap<(ActorId, &str, u64), Time> = SortedMap::new();
    for e in events {
        if let LockOp::Release { resource, lock_id } = &e.op {
            let t = releases
                .entry((e.client, resource.as_str(), *lock_id))
                .or_insert(e.invoked);
            *t = (*t).min(e.invoked);
        }
    }
    let uses = uses(all, &releases);
    let mut by_resource: SortedMap<&str, Vec<&Use<'_>>> = SortedMap::new();
    for u in uses.iter().filter(|u| u.until > u.from) {
        by_resource.entry(u.resource).or_default().push(u);
    }
    for list in by_resource.values_mut() {
        crate::base::sort::sort_by_key(list, |u| (u.from, u.token));
        for (i, a) in list.iter().enumerate() {
            // Sorted by start: the uses that start before `a` ends are the only candidates.
            for b in list[i + 1..].iter().take_while(|b| b.from < a.until) {
                if a.client != b.client && !a.mode.compatible(b.mode) {
                    return Err(describe(a, b));
                }
            }
        }
    }
    Ok(())
}

fn uses<'a>(all: &[Grant<'a>], releases: &SortedMap<(ActorId, &str, u64), Time>) -> Vec<Use<'a>> {
    // One use per (client, token): from its first arrival; a re-entrant answer repeats it.
    let mut by_token: SortedMap<(ActorId, u64), Use<'a>> = SortedMap::new();
    for g in all {
        let Some(arrived) = g.event.completed else {
            continue;
        };
        let valid = match g.event.valid_until {
            Some(v) => v,
            None if g.lease_ms > 0 => g.event.invoked.saturating_add(g.lease_ms * MS),
            None => Time::MAX,
        };
        let u = by_token.entry((g.event.client, g.token)).or_insert(Use {
            client: g.event.client,
            resource: g.resource,
            lock_id: g.lock_id,
            token: g.token,
            mode: g.mode,
            from: arrived,
            until: valid,
            by_validity: valid < Time::MAX,
        });
        u.from = u.from.min(arrived);
        u.until = u.until.min(valid);
    }
    let mut out: Vec<Use<'a>> = by_token.into_values().collect();
    for u in &mut out {
        if let Some(&r) = releases.get(&(u.client, u.resource, u.lock_id)) {
            if r.max(u.from) < u.until {
                u.until = r.max(u.from);
                u.by_validity = false;
            }
        }
    }
    // An upgrade (same holding, later token) ends the shared use when it arrives.
    let mut next_of: SortedMap<(ActorId, &str, u64), Time> = SortedMap::new();
    crate::base::sort::sort_by_key(&mut out, |u| std::cmp::Reverse(u.token));
    for u in &mut out {
        let key = (u.client, u.resource, u.lock_id);
        if let Some(&upgraded) = next_of.get(&key) {
            if upgraded < u.until {
                u.until = upgraded.max(u.from);
                u.by_validity = false;
            }
        }
        next_of.insert(key, u.from);
    }
    out
}

fn describe(a: &Use<'_>, b: &Use<'_>) -> String {
    let why = |u: &Use<'_>| {
        if u.by_validity {
            "its lease validity ended"
        } else {
            "it released or upgraded"
        }
    };
    format!(
        "`{}`: client-side lease safety broken: client {} trusted {:?} (token {}) from {} µs until {} µs ({}), \
         but client {} got {:?} (token {}) at {} µs; a lease must outlast its holder's trust in it",
        a.resource,
        a.client,
        a.mode,
        a.token,
        a.from,
        a.until,
        why(a),
        b.client,
        b.mode,
        b.token,
        b.from
    )
}
