//! Test support: feeds commands to a `LockTable` the way Raft would.

use crate::base::sorted::SortedMap;

use super::checker::{LockEvent, LockOp};
use super::types::{LockCmd, LockMode, LockOutput};
use super::LockTable;
use crate::raft::{ApplyCtx, Reply, RequestId, StateMachine};
use crate::sim::{ActorId, SimRng, Time};

/// Feeds entries to a table the way Raft would: increasing log index, entry time and a
/// per-client sequence number.
pub struct Harness {
    pub table: LockTable,
    pub index: u64,
    pub time: Time,
    seqs: SortedMap<ActorId, u64>,
}

impl Harness {
    pub fn new() -> Self {
        Harness {
            table: LockTable::default(),
            index: 0,
            time: 0,
            seqs: SortedMap::new(),
        }
    }
    pub fn at(&mut self, time: Time) -> &mut Self {
        self.time = time;
        self
    }
    pub fn apply(&mut self, req: Option<RequestId>, cmd: LockCmd) -> Vec<Reply<LockOutput>> {
        self.index += 1;
        let ctx = ApplyCtx {
            index: self.index,
            term: 1,
            time: self.time,
        };
        let mut replies = Vec::new();
        self.table.apply(&ctx, req, &cmd, &mut replies);
        replies
    }
    pub fn send(&mut self, client: ActorId, cmd: LockCmd) -> Vec<Reply<LockOutput>> {
        let seq = self.seqs.entry(client).or_default();
        *seq += 1;
        let req = RequestId { client, seq: *seq };
        self.apply(Some(req), cmd)
    }
    /// Re-sends the client's last request (a retry after a lost reply).
    pub fn resend(&mut self, client: ActorId, cmd: LockCmd) -> Vec<Reply<LockOutput>> {
        let req = RequestId {
            client,
            seq: self.seqs[&client],
        };
        self.apply(Some(req), cmd)
    }
    pub fn tick(&mut self) -> Vec<Reply<LockOutput>> {
        self.apply(None, LockCmd::Tick)
    }
    pub fn acquire(
        &mut self,
        client: ActorId,
        res: &str,
        mode: LockMode,
    ) -> Vec<Reply<LockOutput>> {
        self.send(client, acq(res, mode, Some(10_000), 0))
    }
    pub fn release(&mut self, client: ActorId, res: &str, lock_id: u64) -> Vec<Reply<LockOutput>> {
        self.send(
            client,
            LockCmd::Release {
                resource: res.to_string(),
                lock_id,
            },
        )
    }
}

pub fn acq(res: &str, mode: LockMode, wait_ms: Option<u64>, lease_ms: u64) -> LockCmd {
    LockCmd::Acquire {
        resource: res.to_string(),
        mode,
        wait_timeout_ms: wait_ms,
        lease_ms,
    }
}

/// Random concurrent clients driving a real `LockTable`; every call takes one "network" µs to
/// reach the log and one to come back, so the recorded intervals contain the entry times.
pub fn random_history(seed: u64, clients: usize, steps: usize) -> Vec<LockEvent> {
    random_history_with_status(seed, clients, steps, 0.0)
}

/// `random_history`, where an idle client reads a status instead with probability `status_p`
/// (0 draws nothing extra from the RNG, so `random_history` is unchanged).
pub fn random_history_with_status(
    seed: u64,
    clients: usize,
    steps: usize,
    status_p: f64,
) -> Vec<LockEvent> {
    let mut rng = SimRng::new(seed);
    let mut h = Harness::new();
    let mut events: Vec<LockEvent> = Vec::new();
    let mut pending: Vec<Option<usize>> = vec![None; clients + 1];
    let mut holding: Vec<Option<(String, u64)>> = vec![None; clients + 1];
    let resources = ["a", "b"];
    for _ in 0..steps {
        let t = h.time + 10;
        h.at(t);
        let client = 1 + rng.range_u64(0, clients as u64) as usize;
        let replies: Vec<Reply<LockOutput>> = if pending[client].is_some() {
            h.tick()
        } else if let Some((res, lock_id)) = holding[client].take() {
            events.push(LockEvent {
                client,
                op: LockOp::Release {
                    resource: res.clone(),
                    lock_id,
                },
                invoked: t - 1,
                completed: None,
                result: None,
                valid_until: None,
            });
            pending[client] = Some(events.len() - 1);
            h.release(client, &res, lock_id)
        } else if status_p > 0.0 && rng.chance(status_p) {
            let res = ["a", "b"][rng.range_u64(0, 2) as usize];
            events.push(LockEvent {
                client,
                op: LockOp::Status {
                    resource: res.into(),
                },
                invoked: t - 1,
                completed: None,
                result: None,
                valid_until: None,
            });
            pending[client] = Some(events.len() - 1);
            h.send(
                client,
                LockCmd::Status {
                    resource: res.into(),
                },
            )
        } else {
            let res = resources[rng.range_u64(0, 2) as usize];
            let mode = if rng.chance(0.5) {
                LockMode::Shared
            } else {
                LockMode::Exclusive
            };
            let lease = if rng.chance(0.3) { 25 } else { 0 };
            let wait = if rng.chance(0.2) {
                None
            } else {
                Some(rng.range_u64(20, 200))
            };
            let op = LockOp::Acquire {
                resource: res.into(),
                mode,
                lease_ms: lease,
            };
            let mut e = LockEvent {
                client,
                op,
                invoked: 0,
                completed: None,
                result: None,
                valid_until: None,
            };
            e.invoked = t - 1;
            events.push(e);
            pending[client] = Some(events.len() - 1);
            h.send(client, acq(res, mode, wait, lease))
        };
        for r in replies {
            let c = r.to.client;
            let Some(i) = pending[c].take() else { continue };
            if let LockOutput::Granted {
                lock_id, resource, ..
            } = &r.output
            {
                holding[c] = Some((resource.clone(), *lock_id));
            }
            events[i].completed = Some(t + 1);
            events[i].result = Some(r.output);
        }
    }
    events
}
