//! Real-time order of what clients saw, for the KV fuzzer: a completed operation must see at
//! least what every operation that completed before it was invoked saw. Counters only grow, so
//! with `M(t)` the largest value returned by an operation completed before `t`, a read invoked
//! at `t` must return at least `M(t)`, and an increment at least `M(t) + 1`.
//!
//! `history::check_counter_reads` bounds a value by the *acknowledged increments* before it;
//! this also orders reads against reads. It catches a stale read (a deposed leader answering
//! ReadIndex without confirming leadership, a new leader reading before its no-op commits)
//! when the fresher value was only ever seen by another read, or by an increment whose
//! acknowledgement was lost.

use std::collections::BTreeMap;

use super::client::HistoryEntry;
use super::fuzz::KvProcess;
use super::msg::{ClientOp, ClientResult};
use super::testsm::KvCmd;
use crate::sim::{Sim, Time};

/// One completed operation that returned a counter value.
struct Seen {
    invoked: Time,
    completed: Time,
    value: u64,
    add: bool,
    who: String,
}

/// Every client's history of a KV fuzz run, in real-time order.
pub fn check_read_order(sim: &Sim<KvProcess>) -> Result<(), String> {
    check_histories(
        sim.actors()
            .iter()
            .filter_map(|p| p.client())
            .flat_map(|c| c.history()),
    )
}

fn check_histories<'a>(
    histories: impl Iterator<Item = &'a HistoryEntry<KvCmd, u64>>,
) -> Result<(), String> {
    let mut by_key: BTreeMap<u8, Vec<Seen>> = BTreeMap::new();
    {
        for h in histories {
            let (key, add) = match h.op {
                ClientOp::Cmd(KvCmd::Add { key, .. }) => (key, true),
                ClientOp::Read(KvCmd::Get { key }) | ClientOp::Cmd(KvCmd::Get { key }) => {
                    (key, false)
                }
                _ => continue,
            };
            if let (Some(ClientResult::Ok(v)), Some(done)) = (&h.result, h.completed) {
                by_key.entry(key).or_default().push(Seen {
                    invoked: h.invoked,
                    completed: done,
                    value: *v,
                    add,
                    who: format!("{:?} by client {} seq {}", h.op, h.client, h.seq),
                });
            }
        }
    }
    for (key, ops) in by_key {
        let mut done: Vec<&Seen> = ops.iter().collect();
        done.sort_by_key(|s| s.completed);
        let mut started: Vec<&Seen> = ops.iter().collect();
        started.sort_by_key(|s| s.invoked);
        let mut k = 0;
        let mut max: Option<&Seen> = None;
        for s in started {
            while k < done.len() && done[k].completed < s.invoked {
                if max.is_none_or(|m| done[k].value > m.value) {
                    max = Some(done[k]);
                }
                k += 1;
            }
            let Some(m) = max else { continue };
            let floor = m.value + u64::from(s.add);
            if s.value < floor {
                return Err(format!(
                    "stale result on key {key}: {} (invoked {} µs) returned {}, but {} had already \
                     returned {} at {} µs",
                    s.who, s.invoked, s.value, m.who, m.value, m.completed
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(
        client: usize,
        op: ClientOp<KvCmd>,
        at: (Time, Time),
        v: u64,
    ) -> HistoryEntry<KvCmd, u64> {
        HistoryEntry {
            client,
            seq: at.0,
            op,
            invoked: at.0,
            completed: Some(at.1),
            result: Some(ClientResult::Ok(v)),
            attempts: 1,
        }
    }

    fn read(client: usize, at: (Time, Time), v: u64) -> HistoryEntry<KvCmd, u64> {
        op(client, ClientOp::Read(KvCmd::Get { key: 0 }), at, v)
    }

    fn add(client: usize, at: (Time, Time), v: u64) -> HistoryEntry<KvCmd, u64> {
        op(
            client,
            ClientOp::Cmd(KvCmd::Add { key: 0, delta: 1 }),
            at,
            v,
        )
    }

    #[test]
    fn a_read_older_than_an_earlier_read_is_stale() {
        // Client 1 read 2 (from the new leader); later client 2 reads 1 (from the old one).
        let h = [
            add(3, (0, 5), 1),
            read(1, (10, 20), 2),
            read(2, (30, 40), 1),
        ];
        let e = check_histories(h.iter()).unwrap_err();
        assert!(e.contains("stale") && e.contains("returned 2"), "{e}");
        // Overlapping reads may see either value.
        let ok = [
            add(3, (0, 5), 1),
            read(1, (10, 35), 2),
            read(2, (30, 40), 1),
        ];
        assert_eq!(check_histories(ok.iter()), Ok(()));
    }

    #[test]
    fn an_increment_must_exceed_what_was_seen_before_it() {
        let h = [read(1, (10, 20), 5), add(2, (30, 40), 5)];
        assert!(check_histories(h.iter()).is_err());
        let ok = [read(1, (10, 20), 5), add(2, (30, 40), 6)];
        assert_eq!(check_histories(ok.iter()), Ok(()));
    }
}
