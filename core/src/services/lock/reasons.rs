//! Why the lock table granted, queued or refused a request, or took a lease away: the table's
//! decisions as `sim::Why` reasons (emitted by the Raft leader as it applies the entry), and
//! their words for the event log.

use super::table::LockTable;
use super::types::{LockCmd, LockMode, LockOutput};
use crate::raft::sm::{ApplyCtx, Reply, RequestId};
use crate::sim::{Reason, Why};

pub const GRANTED: u16 = 600;
pub const QUEUED: u16 = 601;
pub const DENIED: u16 = 602;
pub const LEASE_EXPIRED: u16 = 603;
pub const NOT_OWNER: u16 = 604;
pub const TIMED_OUT: u16 = 605;
pub const DEADLOCK: u16 = 606;

/// The first 8 bytes of a resource name, in two values (reasons carry numbers only; lock names
/// in lessons are short, a longer one is shown cut with "…").
fn name_words(name: &str) -> [u64; 2] {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(name.bytes()) {
        *d = s;
    }
    let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let hi = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let long = u64::from(name.len() > 8) << 31;
    [u64::from(lo), u64::from(hi) | long]
}

fn name_of(w: &Why) -> String {
    let (lo, hi) = (w.v[3], w.v[4]);
    let mut b: Vec<u8> = lo.to_le_bytes().into_iter().collect();
    b.extend((hi & 0x7fff_ffff).to_le_bytes());
    b.retain(|&c| c != 0);
    let mut s = String::from_utf8_lossy(&b).into_owned();
    if hi >> 31 == 1 {
        s.push('…');
    }
    s
}

fn why(code: u16, a: u64, b: u64, c: u64, name: &str) -> Why {
    let [lo, hi] = name_words(name);
    Why::new(code, [a, b, c, lo, hi])
}

impl LockTable {
    /// `replies == None`: before applying (leases about to expire); else after.
    pub(super) fn explain(
        &self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &LockCmd,
        replies: Option<&[Reply<LockOutput>]>,
        out: &mut Vec<Why>,
    ) {
        let Some(replies) = replies else {
            if let LockCmd::Tick = cmd {
                for (name, st) in &self.resources {
                    for h in &st.holders {
                        if h.expires_at.is_some_and(|e| e <= ctx.time) {
                            let c = h.client as u64;
                            out.push(why(LEASE_EXPIRED, c, h.fencing_token, 0, name));
                        }
                    }
                }
            }
            return;
        };
        let mut answered = false;
        for r in replies {
            let c = r.to.client as u64;
            answered |= Some(r.to) == req;
            match &r.output {
                LockOutput::Granted {
                    fencing_token,
                    resource,
                    mode,
                    ..
                } => {
                    let waited = u64::from(Some(r.to) != req);
                    let m = u64::from(*mode == LockMode::Exclusive) | waited << 1;
                    out.push(why(GRANTED, c, *fencing_token, m, resource));
                }
                LockOutput::Conflict { resource } => {
                    let (h, t) = self.head_holder(resource);
                    out.push(why(DENIED, c, h, t, resource));
                }
                LockOutput::NotOwner => out.push(why(NOT_OWNER, c, 0, 0, resource_of(cmd))),
                LockOutput::Timeout => out.push(why(TIMED_OUT, c, 0, 0, resource_of(cmd))),
                LockOutput::Deadlock => out.push(why(DEADLOCK, c, 0, 0, resource_of(cmd))),
                _ => {}
            }
        }
        if let (Some(req), false, LockCmd::Acquire { resource, .. }) = (req, answered, cmd) {
            let (h, t) = self.head_holder(resource);
            out.push(why(QUEUED, req.client as u64, h, t, resource));
        }
    }

    /// The first holder of `resource` and its token (`u32::MAX`, 0 when none).
    fn head_holder(&self, resource: &str) -> (u64, u64) {
        self.resources
            .get(resource)
            .and_then(|s| s.holders.first())
            .map_or((u64::from(u32::MAX), 0), |h| {
                (h.client as u64, h.fencing_token)
            })
    }
}

fn resource_of(cmd: &LockCmd) -> &str {
    match cmd {
        LockCmd::Acquire { resource, .. }
        | LockCmd::Release { resource, .. }
        | LockCmd::Status { resource } => resource,
        _ => "",
    }
}

/// The sentence for a lock reason; `label` names an actor id.
pub fn describe(w: &Why, label: &dyn Fn(u64) -> String) -> Option<Reason> {
    let name = name_of(w);
    let who = label(w.at(0));
    let holder = || {
        if w.v[1] == u32::MAX {
            "a waiter ahead of it".to_string()
        } else {
            format!("{} (token {})", label(w.at(1)), w.at(2))
        }
    };
    let (code, text) = match w.code {
        GRANTED => {
            let mode = if w.at(2) & 1 == 1 { "exclusive" } else { "shared" };
            let how = if w.at(2) & 2 == 2 {
                "it was next in the FIFO queue and the lock became free"
            } else {
                "no conflicting holder or earlier waiter"
            };
            (
                "lock-granted",
                format!(
                    "the lock `{name}` is granted to {who} ({mode}) with fencing token {}: {how}; a storage service rejects writes with an older token",
                    w.at(1)
                ),
            )
        }
        QUEUED => (
            "lock-queued",
            format!("{who} waits for the lock `{name}`: it is held by {}; requests are granted in log order (FIFO)", holder()),
        ),
        DENIED => (
            "lock-denied",
            format!("{who}'s try-lock on `{name}` is refused: it is held by {} and a try-lock never waits", holder()),
        ),
        LEASE_EXPIRED => (
            "lease-expired",
            format!(
                "{who}'s lease on `{name}` (token {}) expired: it did not release or renew in time, so the lock is taken away; a write with token {} will now be refused",
                w.at(1),
                w.at(1)
            ),
        ),
        NOT_OWNER => (
            "lock-not-owner",
            format!("{who}'s release of `{name}` is refused: {who} does not hold it (its lease may have expired)"),
        ),
        TIMED_OUT => (
            "lock-wait-timeout",
            format!("{who} stops waiting for `{name}`: its wait timeout passed"),
        ),
        DEADLOCK => (
            "lock-deadlock",
            format!("{who}'s request for `{name}` closed a cycle in the wait-for graph; it is the victim"),
        ),
        _ => return None,
    };
    Some(Reason::new(code, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_long_ones_are_cut() {
        let w = why(GRANTED, 1, 2, 1, "db");
        assert_eq!(name_of(&w), "db");
        let w = why(GRANTED, 1, 2, 1, "inventory-lock");
        assert_eq!(name_of(&w), "inventor…");
    }
}
