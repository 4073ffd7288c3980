//! The lock service's part of the playground: live invariant lights of the lock service and its
//! Raft group (point-in-time checks of the current state; the fuzzer checks the same properties
//! after every event), and the lock-table view the Locks panel renders.

use super::cluster::{cluster_events, LockProcess};
use super::service::{leaders_by_term, mode_name};
use super::table::LockTable;
use super::{check_history, LockEvent, Verdict};
use serde::{Deserialize, Serialize};

use crate::playground::Playground;
use crate::service::{Hosts, InvariantView, World};
use crate::sim::{ActorId, NodeState, Time};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockHolderView {
    pub client: String,
    pub lock_id: u64,
    pub mode: String,
    pub fencing_token: u64,
    pub expires_at: Time,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockWaiterView {
    pub client: String,
    pub mode: String,
    pub since: Time,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockRowView {
    pub resource: String,
    pub mode: Option<String>,
    pub holders: Vec<LockHolderView>,
    pub waiters: Vec<LockWaiterView>,
}

/// The replicated lock table as applied on the leader (or the most advanced replica).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockTableView {
    /// Which node's replica this is.
    pub replica: Option<ActorId>,
    pub rows: Vec<LockRowView>,
    /// Wait-for graph edges: (waiter, holder, resource).
    pub wait_for: Vec<(String, String, String)>,
}

pub(crate) fn lights<N: Hosts<LockProcess>>(world: &World<'_, N>) -> Vec<InvariantView> {
    let leaders = leaders_by_term(world);
    let two = leaders.iter().find(|(_, v)| v.len() > 1);
    let election = InvariantView {
        name: "Election safety".into(),
        ok: two.is_none(),
        detail: match two {
            Some((t, v)) => format!("two leaders in term {t}: {}", v.join(", ")),
            None => "at most one leader per term".into(),
        },
        service: "raft".into(),
    };

    // Log matching + state machine safety on committed prefixes: every pair of servers agrees
    // on the term of each index both have committed.
    let servers: Vec<_> = (0..world.servers)
        .filter_map(|i| world.sim.actor(i).part().server())
        .collect();
    let mut mismatch = None;
    for (i, a) in servers.iter().enumerate() {
        for b in &servers[i + 1..] {
            let upto = a.commit_index().min(b.commit_index());
            let from = a.log().snap_index.max(b.log().snap_index) + 1;
            if let Some(idx) = (from..=upto).find(|&idx| a.log().term(idx) != b.log().term(idx)) {
                mismatch = Some(format!(
                    "{} and {} disagree at committed index {idx}",
                    world.label(a.id()),
                    world.label(b.id())
                ));
            }
        }
    }
    let logs = InvariantView {
        name: "Committed logs agree".into(),
        ok: mismatch.is_none(),
        detail: mismatch.unwrap_or_else(|| "log matching on every committed index".into()),
        service: "raft".into(),
    };

    // Lock mutual exclusion on the shown replica.
    let bad = table_replica(world).and_then(|t| super::fuzz::mutual_exclusion(t).err());
    let mutex = InvariantView {
        name: "Lock mutual exclusion".into(),
        ok: bad.is_none(),
        detail: bad.unwrap_or_else(|| "no exclusive holder shares a lock".into()),
        service: "lock".into(),
    };
    vec![election, logs, mutex]
}

/// The replica whose lock table the UI shows: the leader, else the most advanced up server.
pub(crate) fn table_replica<'w, N: Hosts<LockProcess>>(
    world: &World<'w, N>,
) -> Option<&'w LockTable> {
    let sim = world.sim;
    let server = |i| sim.actor(i).part().server();
    let id = world.leader().or_else(|| {
        (0..world.servers)
            .filter(|&i| sim.node_state(i) != NodeState::Crashed)
            .max_by_key(|&i| server(i).map_or(0, |s| s.applied_index()))
    })?;
    server(id).map(|s| s.state_machine())
}

/// The lock service's part of the playground facade.
impl Playground {
    pub fn lock_table(&self) -> LockTableView {
        self.with_world(|world| {
            let Some(t) = table_replica(world) else {
                return LockTableView::default();
            };
            let rows = t
                .resources()
                .into_iter()
                .map(|s| LockRowView {
                    resource: s.resource.clone(),
                    mode: s.mode.map(|m| mode_name(m).to_string()),
                    holders: s
                        .holders
                        .iter()
                        .map(|h| LockHolderView {
                            client: world.label(h.client),
                            lock_id: h.lock_id,
                            mode: mode_name(h.mode).into(),
                            fencing_token: h.fencing_token,
                            expires_at: h.expires_at.unwrap_or(0),
                        })
                        .collect(),
                    waiters: s
                        .waiters
                        .iter()
                        .map(|w| LockWaiterView {
                            client: world.label(w.client),
                            mode: mode_name(w.mode).into(),
                            since: w.since,
                        })
                        .collect(),
                })
                .collect();
            let wait_for = t
                .wait_for_edges()
                .into_iter()
                .map(|(w, h, r)| (world.label(w), world.label(h), r))
                .collect();
            LockTableView {
                replica: world.leader(),
                rows,
                wait_for,
            }
        })
    }

    /// Linearizability, mutual exclusion and fencing verdict over the console clients' history.
    pub fn check_history(&self) -> String {
        history_verdict(&cluster_events(self.sim()))
    }

    /// The console clients' lock history as JSON, for a checker elsewhere: the page sends it to
    /// a lab worker ([`history_verdict_of_json`]), so the checker is not part of the page's
    /// `.wasm` (issue 10).
    pub fn lock_history_json(&self) -> String {
        serde_json::to_string(&cluster_events(self.sim())).unwrap_or_else(|_| "[]".into())
    }
}

/// The verdict line the "Check history" button shows for `events`.
pub fn history_verdict(events: &[LockEvent]) -> String {
    let n = events.len();
    match check_history(events, 200_000) {
        Verdict::Ok => format!("OK: {n} operations are linearizable, exclusive, and fenced"),
        Verdict::Violation(v) => format!("VIOLATION: {v}"),
        Verdict::Unknown => format!("UNKNOWN: the search budget ran out on {n} operations"),
    }
}

/// [`history_verdict`] of a history written by [`Playground::lock_history_json`]; a history
/// that cannot be read gets a line that says so.
pub fn history_verdict_of_json(json: &str) -> String {
    match serde_json::from_str::<Vec<LockEvent>>(json) {
        Ok(events) => history_verdict(&events),
        Err(e) => format!("UNKNOWN: the history could not be read: {e}"),
    }
}
