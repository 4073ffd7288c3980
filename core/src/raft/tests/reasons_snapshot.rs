//! The "why?" reasons of log compaction and InstallSnapshot (Raft §7): each names the indexes
//! and terms that decided it, so a student can check them against the logs on the page.

use super::harness::*;
use crate::raft::msg::{ClientOp, RaftMsg};
use crate::raft::node::TIMER_HEARTBEAT;
use crate::raft::reasons::describe;
use crate::raft::storage::RaftDurable;
use crate::raft::testsm::KvCmd;
use crate::raft::{RaftConfig, Snapshot};
use crate::sim::{Effect, Note, Reason};

fn label(id: u64) -> String {
    format!("n{}", id + 1)
}

/// The worded reasons `who` gave since the last clear, in order.
pub(super) fn reasons(h: &H, who: &str) -> Vec<Reason> {
    h.out
        .iter()
        .filter_map(|e| match e {
            Effect::Note(Note::Why(w)) => describe(who, w, &label).map(|(_, r)| r),
            _ => None,
        })
        .collect()
}

fn resp(success: bool, index: u64, heartbeat: bool) -> RaftMsg<KvCmd> {
    RaftMsg::AppendResp {
        term: 1,
        success,
        index,
        hint_index: 0,
        hint_term: 0,
        heartbeat,
        read_ctx: 0,
    }
}

/// A leader (n1) that applied 5 entries with a snapshot every 2; its log compaction reasons.
fn compacting_leader() -> (H, Vec<Reason>) {
    let cfg = RaftConfig {
        snapshot_every: 2,
        ..paper_cfg()
    };
    let mut lead = H::with(0, 3, cfg, RaftDurable::default());
    lead.elect(&[1]);
    let mut said = Vec::new();
    for seq in 1..=4 {
        lead.clear();
        request(
            &mut lead,
            9,
            seq,
            ClientOp::Cmd(KvCmd::Add { key: 1, delta: 1 }),
        );
        let last = lead.node.log().last_index();
        lead.step(1, ok_resp(1, last));
        said.extend(reasons(&lead, "n1"));
    }
    (lead, said)
}

/// n3 answers a probe with an empty log: its next index falls below the leader's compaction
/// point, so the leader's next heartbeat round sends it the snapshot (the effects are cleared
/// first, so only this exchange's remain).
fn n3_falls_behind(lead: &mut H) {
    lead.clear();
    lead.step(2, resp(false, 5, false));
    lead.timer(TIMER_HEARTBEAT);
    lead.step(2, resp(true, 0, true));
}

/// The snapshot the leader sent n3.
fn snapshot_to_n3(lead: &mut H) -> Snapshot {
    lead.sent()
        .into_iter()
        .find_map(|(to, m)| match m {
            RaftMsg::InstallSnapshot { snapshot, .. } if to == 2 => Some(snapshot),
            _ => None,
        })
        .expect("an InstallSnapshot to n3")
}

#[test]
fn compaction_names_the_threshold_it_reached() {
    let (lead, said) = compacting_leader();
    let compacted: Vec<_> = said.iter().filter(|r| r.code == "compacted").collect();
    assert_eq!(compacted.len(), 2, "{said:?}");
    assert_eq!(
        compacted[1].text,
        "n1 compacts its log up to index 4 (term 1): 2 entries were applied since the last snapshot, reaching the threshold of 2 (Raft §7)"
    );
    assert_eq!(lead.node.log().snap_index, 4);
}

#[test]
fn snapshot_sent_installed_then_refused_as_stale() {
    let (mut lead, _) = compacting_leader();
    n3_falls_behind(&mut lead);
    let sent: Vec<_> = reasons(&lead, "n1")
        .into_iter()
        .filter(|r| r.code == "snapshot-sent")
        .collect();
    assert_eq!(
        sent.len(),
        1,
        "one reason per snapshot sent, not per heartbeat"
    );
    assert_eq!(
        sent[0].text,
        "the leader n1 sends n3 a snapshot (up to index 4, term 1) instead of entries: n3's next index 1 is below the first index 5 left in n1's log after compaction (Raft §7)"
    );
    let snap = snapshot_to_n3(&mut lead);
    // n3 is already in term 1, so the only decision is about the snapshot.
    let mut fol = H::with(2, 3, paper_cfg(), store(1, vec![]));
    let install = RaftMsg::InstallSnapshot {
        term: 1,
        snapshot: snap,
    };
    fol.step(0, install.clone());
    let r = reasons(&fol, "n3");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code, "snapshot-installed");
    assert_eq!(
        r[0].text,
        "n3 installs n1's snapshot up to index 4 (term 1): it replaces n3's state and log prefix, whose commit index was only 0 (Raft §7)"
    );
    // The same snapshot again (a retransmission): n3 already committed it.
    fol.clear();
    fol.step(0, install);
    let r = reasons(&fol, "n3");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code, "snapshot-stale");
    assert_eq!(
        r[0].text,
        "n3 ignores n1's snapshot up to index 4 (term 1): n3 already committed up to index 4, so the snapshot is stale (Raft §7)"
    );
}

#[test]
fn a_follower_that_holds_the_snapshots_entries_keeps_its_log() {
    let (mut lead, _) = compacting_leader();
    n3_falls_behind(&mut lead);
    let snap = snapshot_to_n3(&mut lead);
    // n2 already has entries 1..=5 of term 1 but has committed none of them.
    let log = (1..=5).map(|i| ent(i, 1)).collect();
    let mut fol = H::with(1, 3, paper_cfg(), store(1, log));
    fol.step(
        0,
        RaftMsg::InstallSnapshot {
            term: 1,
            snapshot: snap,
        },
    );
    let r = reasons(&fol, "n2");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code, "snapshot-prefix-held");
    assert_eq!(
        r[0].text,
        "n2 keeps its log instead of installing n1's snapshot up to index 4 (term 1): its own log already has that entry, so it only learns that entries up to 4 are committed (its commit index was 0) and keeps the entries after it (Raft §7)"
    );
    assert_eq!(fol.node.log().last_index(), 5, "entry 5 is kept");
}
