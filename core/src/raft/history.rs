//! Client-history checks for the KV test cluster: no acknowledged command lost, none applied
//! twice, no phantom, and every returned counter value consistent with real-time order.

use crate::base::sorted::SortedSet;

use super::fuzz::KvProcess;
use super::msg::{ClientOp, ClientResult};
use super::testsm::KvCmd;
use super::RequestId;
use crate::sim::{ActorId, Sim};

/// No acknowledged command lost, none applied twice, nothing applied that nobody asked for:
/// the clients' histories against the state machine of server `leader`.
pub fn check_kv_histories(sim: &Sim<KvProcess>, leader: ActorId) -> Result<(), String> {
    let sm = sim
        .actor(leader)
        .server()
        .ok_or("not a server")?
        .state_machine();
    let clients = || sim.actors().iter().filter_map(|p| p.client());
    let mut applied = SortedSet::new();
    for r in &sm.applied_reqs {
        if !applied.insert(*r) {
            return Err(format!("request {r:?} applied twice"));
        }
    }
    let mut invoked = SortedSet::new();
    for c in clients() {
        for h in c.history() {
            let id = RequestId {
                client: h.client,
                seq: h.seq,
            };
            invoked.insert(id);
            if let (ClientOp::Cmd(_), Some(ClientResult::Ok(_))) = (&h.op, &h.result) {
                if !applied.contains(&id) {
                    return Err(format!(
                        "acknowledged command {id:?} is not in the leader's state machine"
                    ));
                }
            }
        }
    }
    if let Some(r) = applied.iter().find(|r| !invoked.contains(r)) {
        return Err(format!("phantom request {r:?} applied"));
    }
    // Every Add applied exactly once: the counters sum to the number of applied requests that
    // were increments.
    let adds = clients()
        .flat_map(|c| c.history())
        .filter(|h| {
            matches!(h.op, ClientOp::Cmd(KvCmd::Add { .. }))
                && applied.contains(&RequestId {
                    client: h.client,
                    seq: h.seq,
                })
        })
        .count() as u64;
    let total: u64 = sm.values.values().sum();
    if total != adds {
        return Err(format!(
            "counters sum to {total} but {adds} increments were applied"
        ));
    }
    check_counter_reads(sim)
}

/// Real-time check of every acknowledged value (reads and increments return the counter):
/// it must count every increment acknowledged before the operation was invoked, and cannot
/// count more increments than were invoked before it completed. A stale read breaks the
/// lower bound; a phantom or doubled increment breaks the upper one.
fn check_counter_reads(sim: &Sim<KvProcess>) -> Result<(), String> {
    let ops: Vec<_> = sim
        .actors()
        .iter()
        .filter_map(|p| p.client())
        .flat_map(|c| c.history())
        .collect();
    let key_of = |op: &ClientOp<KvCmd>| match op {
        ClientOp::Cmd(KvCmd::Add { key, .. }) | ClientOp::Read(KvCmd::Get { key }) => Some(*key),
        _ => None,
    };
    for h in &ops {
        let (Some(key), Some(ClientResult::Ok(v)), Some(done)) =
            (key_of(&h.op), &h.result, h.completed)
        else {
            continue;
        };
        let adds = ops
            .iter()
            .filter(|a| matches!(a.op, ClientOp::Cmd(KvCmd::Add { key: k, .. }) if k == key));
        let lower = adds
            .clone()
            .filter(|a| {
                matches!(a.result, Some(ClientResult::Ok(_)))
                    && a.completed.is_some_and(|c| c < h.invoked)
            })
            .count() as u64;
        let upper = adds.filter(|a| a.invoked <= done).count() as u64;
        if *v < lower || *v > upper {
            return Err(format!(
                "non-linearizable result {v} for {:?} by client {} seq {} (invoked {}, completed {done}): \
                 {lower} increments were acknowledged before it, {upper} invoked before it ended",
                h.op, h.client, h.seq, h.invoked
            ));
        }
    }
    Ok(())
}
