//! Why a queue partition decided what it did with a message, as `Note::Why` reasons: a
//! visibility timeout expired (ready again, or dead-lettered after `max_receive` deliveries) and
//! an ack was refused (which delivery is current). The partition's Raft leader gives them, once
//! per decision (`StateMachine::why`), not once per replica.

use super::sm::{MsgState, QueueSm};
use super::types::{AckError, QueueCmd, QueueOutput};
use crate::mutants::{active, Mutant};
use crate::raft::{ApplyCtx, Reply, RequestId};
use crate::sim::{Reason, Why};

/// Codes: the queue's own space beside its Raft groups' (100..).
pub const EXPIRED_READY: u16 = 800;
pub const DEAD_LETTERED: u16 = 801;
pub const ACK_REFUSED: u16 = 802;
pub const UNAVAILABLE: u16 = 803;
pub const ACK_REPLAYED: u16 = 804;

/// Client: its enqueue (or ack, `ack`) failed with 503: partition `p` had no leader with a quorum
/// that answered within `timeout_ms`.
pub fn unavailable(p: u32, timeout_ms: u64, ack: bool) -> crate::sim::Note {
    crate::sim::Note::Why(Why::new(
        UNAVAILABLE,
        [u64::from(p), timeout_ms, u64::from(ack), 0, 0],
    ))
}

/// The reasons of `cmd`: before it is applied (`replies` = None) the deliveries it expires,
/// after it the acks it refused.
pub fn explain(
    sm: &QueueSm,
    ctx: &ApplyCtx,
    req: Option<RequestId>,
    cmd: &QueueCmd,
    replies: Option<&[Reply<QueueOutput>]>,
    out: &mut Vec<Why>,
) {
    let replayed = |out: &[Why]| out.iter().any(|w| w.code == ACK_REPLAYED);
    match replies {
        // A retried ack gets its first answer again without running: say that, once, instead
        // of refusing it anew against today's state (the message may have moved on since).
        None if is_ack(cmd) && req.is_some_and(|r| !sm.sessions_would_run(r)) => {
            let (n, seq, delivery) = match cmd {
                QueueCmd::Ack { seq, delivery_id } => (1, *seq, *delivery_id),
                QueueCmd::AckBatch { acks } => {
                    let first = acks.first().copied().unwrap_or_default();
                    (acks.len() as u64, first.0, first.1)
                }
                _ => unreachable!("is_ack"),
            };
            let client_seq = req.map_or(0, |r| r.seq);
            out.push(Why::new(ACK_REPLAYED, [n, seq, delivery, client_seq, 0]));
        }
        None => {
            let expires = match cmd {
                QueueCmd::Expire => true,
                QueueCmd::Dequeue { .. } => req.is_none_or(|r| sm.sessions_would_run(r)),
                _ => false,
            };
            if expires && !active(Mutant::QueueNeverRedeliver) {
                expiring(sm, ctx, out);
            }
        }
        Some(_) if replayed(out) => {}
        Some(replies) => acks_refused(sm, cmd, replies, out),
    }
}

fn is_ack(cmd: &QueueCmd) -> bool {
    matches!(cmd, QueueCmd::Ack { .. } | QueueCmd::AckBatch { .. })
}

fn expiring(sm: &QueueSm, ctx: &ApplyCtx, out: &mut Vec<Why>) {
    for (seq, count, max) in sm.expiring(ctx.time) {
        let code = if count > max {
            DEAD_LETTERED
        } else {
            EXPIRED_READY
        };
        out.push(Why::new(code, [seq, count, max, 0, 0]));
    }
}

fn acks_refused(sm: &QueueSm, cmd: &QueueCmd, replies: &[Reply<QueueOutput>], out: &mut Vec<Why>) {
    // Borrowed, not collected: the leader asks this after every ack it applies.
    let one;
    let given: &[(u64, u64)] = match cmd {
        QueueCmd::Ack { seq, delivery_id } => {
            one = [(*seq, *delivery_id)];
            &one
        }
        QueueCmd::AckBatch { acks } => acks,
        _ => return,
    };
    let mut refused = Vec::new();
    for r in replies {
        match &r.output {
            QueueOutput::AckRefused { seq, error } => refused.push((*seq, *error)),
            QueueOutput::AckBatch(v) => {
                refused.extend(v.iter().filter_map(|&(s, e)| e.map(|e| (s, e))));
            }
            _ => {}
        }
    }
    for (seq, error) in refused {
        let delivery = given.iter().find(|g| g.0 == seq).map_or(0, |g| g.1);
        let (state, current) = match sm.messages.get(&seq).map(|m| &m.state) {
            Some(MsgState::InFlight { delivery_id, .. }) => (1, *delivery_id),
            Some(MsgState::Ready) => (2, 0),
            Some(MsgState::Dead) => (3, 0),
            None => (0, 0),
        };
        let e = match error {
            AckError::AlreadyAcked => 1,
            AckError::StaleDelivery => 2,
            AckError::UnknownMessage => 3,
        };
        out.push(Why::new(ACK_REFUSED, [seq, delivery, current, e, state]));
    }
}

/// The sentence for a reason; `who` is the partition's leader (or, for `UNAVAILABLE`, the client).
pub fn describe(who: &str, w: &Why) -> Option<Reason> {
    let v = |i| w.at(i);
    let mut r = match w.code {
        EXPIRED_READY => Reason::new(
            "visibility-expired",
            format!(
                "message {}'s visibility timeout expired before an ack: it is ready again (received {} of at most {} times)",
                v(0), v(1), v(2)
            ),
        ),
        DEAD_LETTERED => Reason::new(
            "dead-lettered",
            format!(
                "message {}'s visibility timeout expired again: it was received {} times, more than max_receive = {}, so it goes to the dead-letter queue",
                v(0), v(1), v(2)
            ),
        ),
        ACK_REFUSED => {
            let (seq, given, current) = (v(0), v(1), v(2));
            let why = match (v(3), v(4)) {
                (1, _) => "it was already acknowledged (a double ack)".to_string(),
                (3, _) => "no such message in this partition".to_string(),
                (_, 1) => format!("its current delivery is d{current}: d{given}'s visibility timeout expired and the message was delivered again"),
                (_, 2) => format!("d{given}'s visibility timeout expired and the message is ready again, not in flight"),
                _ => format!("d{given}'s visibility timeout expired and the message is in the dead-letter queue"),
            };
            Reason::new(
                "ack-refused",
                format!("the ack of message {seq} with delivery d{given} is refused: {why}"),
            )
        }
        ACK_REPLAYED => Reason::new(
            "ack-replayed",
            format!(
                "a retry of the client's request {} ({} {}, first: message {} with delivery d{}) gets its recorded answer again: the partition does not apply a request twice (exactly-once sessions, Raft thesis §6.3)",
                v(3),
                v(0),
                if v(0) == 1 { "ack" } else { "acks" },
                v(1),
                v(2)
            ),
        ),
        UNAVAILABLE => {
            return Some(Reason::new(
                "queue-unavailable",
                format!(
                    "{who}'s {} fails with 503: partition p{} has no leader with a quorum that answered within {} ms (its replicas are down or cut off, so nothing can be committed)",
                    if v(2) == 1 { "ack" } else { "enqueue" },
                    v(0), v(1)
                ),
            ))
        }
        _ => return None,
    };
    r.text = format!("queue partition (leader {who}): {}", r.text);
    Some(r)
}
