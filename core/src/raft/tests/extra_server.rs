//! Beyond the paper: client requests, ReadIndex, leadership transfer, membership changes and
//! snapshots, on the pure node.

use super::harness::*;
use crate::raft::msg::{ClientOp, ClientResult, RaftMsg};
use crate::raft::node::{Role, TIMER_ELECTION, TIMER_HEARTBEAT};
use crate::raft::server::ServerCmd;
use crate::raft::storage::RaftDurable;
use crate::raft::testsm::KvCmd;
use crate::raft::{RaftConfig, RequestId};
use crate::sim::MS;

#[test]
fn follower_answers_not_leader_with_the_leader_it_knows() {
    let mut h = H::new(0, 3);
    request(&mut h, 7, 1, ClientOp::Cmd(KvCmd::Add { key: 0, delta: 1 }));
    assert_eq!(
        responses(&mut h),
        vec![(
            7,
            RequestId { client: 7, seq: 1 },
            ClientResult::NotLeader { leader: None }
        )]
    );
    h.step(2, heartbeat(1, 0));
    request(&mut h, 7, 2, ClientOp::Read(KvCmd::Get { key: 0 }));
    assert_eq!(
        responses(&mut h),
        vec![(
            7,
            RequestId { client: 7, seq: 2 },
            ClientResult::NotLeader { leader: Some(2) }
        )]
    );
}

#[test]
fn status_document_matches_the_seeds() {
    let mut h = H::new(1, 3);
    h.now = 2_500 * MS;
    h.step(0, heartbeat(3, 0));
    request(&mut h, 9, 1, ClientOp::NodeStatus);
    let r = responses(&mut h);
    let ClientResult::Status(s) = &r[0].2 else {
        panic!("{r:?}")
    };
    assert_eq!(
        (
            s.node_id.as_str(),
            s.node_state.as_str(),
            s.raft_state.as_str()
        ),
        ("n2", "up", "follower")
    );
    assert_eq!(s.raft_term, 3);
    assert_eq!(s.connected_peers, vec!["n1".to_string()]);
    assert!((s.uptime_seconds - 2.5).abs() < 1e-9);
    assert!(s.memory_usage > 0);
}

#[test]
fn read_index_waits_for_quorum_confirmation_and_the_new_leaders_noop() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.clear();
    request(&mut h, 9, 1, ClientOp::Read(KvCmd::Get { key: 0 }));
    let sent = h.sent();
    assert!(!sent.is_empty());
    assert!(
        responses(&mut h).is_empty(),
        "no answer before the no-op commits and a quorum confirms"
    );
    let read_ctx = sent
        .iter()
        .find_map(|(_, m)| match m {
            RaftMsg::AppendEntries { read_ctx, .. } if *read_ctx > 0 => Some(*read_ctx),
            _ => None,
        })
        .expect("a ReadIndex heartbeat round");
    let ack = RaftMsg::AppendResp {
        term: 1,
        success: true,
        index: 0,
        hint_index: 0,
        hint_term: 0,
        heartbeat: true,
        read_ctx,
    };
    h.step(1, ack);
    assert!(
        responses(&mut h).is_empty(),
        "confirmed, but the no-op (read index) is not applied yet"
    );
    h.ack_all(&[1]);
    assert_eq!(
        responses(&mut h),
        vec![(9, RequestId { client: 9, seq: 1 }, ClientResult::Ok(0))]
    );
}

#[test]
fn deposed_leader_never_answers_a_pending_read_with_data() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.ack_all(&[1, 2]);
    h.clear();
    request(&mut h, 9, 1, ClientOp::Read(KvCmd::Get { key: 0 }));
    h.step(2, heartbeat(2, 0)); // a newer leader exists
    assert_eq!(
        responses(&mut h),
        vec![(
            9,
            RequestId { client: 9, seq: 1 },
            ClientResult::NotLeader { leader: Some(2) }
        )]
    );
}

#[test]
fn transfer_sends_timeout_now_once_the_target_is_up_to_date() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.ack_all(&[1]);
    h.clear();
    h.run(|n, ctx| {
        n.command(ctx, ServerCmd::TransferLeadership { to: 2 })
            .unwrap()
    });
    assert!(
        !h.sent()
            .iter()
            .any(|(_, m)| matches!(m, RaftMsg::TimeoutNow { .. })),
        "target 2 is behind"
    );
    request(&mut h, 9, 1, ClientOp::Cmd(KvCmd::Add { key: 0, delta: 1 }));
    assert_eq!(
        responses(&mut h)[0].2,
        ClientResult::Busy,
        "no proposals during a transfer"
    );
    let last = h.node.log().last_index();
    h.step(2, ok_resp(1, last));
    assert!(h
        .sent()
        .iter()
        .any(|(to, m)| *to == 2 && matches!(m, RaftMsg::TimeoutNow { term: 1 })));
}

#[test]
fn timeout_now_starts_a_real_election_even_with_prevote() {
    let mut h = H::with(1, 3, cfg(true, true), RaftDurable::default());
    h.step(0, heartbeat(1, 0));
    h.step(0, RaftMsg::TimeoutNow { term: 1 });
    assert_eq!((h.node.role(), h.node.term()), (Role::Candidate, 2));
    assert!(h
        .sent()
        .iter()
        .any(|(_, m)| matches!(m, RaftMsg::RequestVote { transfer: true, .. })));
}

#[test]
fn config_change_takes_effect_on_append_and_one_at_a_time() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    let err = h.node.voters().to_vec();
    assert_eq!(err, vec![0, 1, 2]);
    let mut r = Ok(0);
    h.run(|n, ctx| r = n.add_server(ctx, 3));
    assert!(r.is_err(), "refused before the no-op commits");
    h.ack_all(&[1]);
    h.run(|n, ctx| r = n.add_server(ctx, 3));
    assert!(r.is_ok());
    assert_eq!(h.node.voters(), &[0, 1, 2, 3], "effective when appended");
    assert!(h.node.progress().contains_key(&3));
    h.run(|n, ctx| r = n.add_server(ctx, 4));
    assert!(r.is_err(), "one change at a time");
    // Quorum is now 3 of 4: one follower ack is not enough.
    let last = h.node.log().last_index();
    h.step(1, ok_resp(1, last));
    assert!(h.node.commit_index() < last);
    h.step(3, ok_resp(1, last));
    assert_eq!(h.node.commit_index(), last);
}

#[test]
fn follower_truncating_a_config_entry_reverts_to_the_previous_config() {
    let mut h = H::new(1, 3);
    let cfg_entry = crate::raft::Entry {
        index: 1,
        term: 1,
        time: 0,
        payload: crate::raft::Payload::Config {
            voters: vec![0, 1, 2, 3],
        },
    };
    h.step(0, app(1, 0, 0, vec![cfg_entry], 0));
    assert_eq!(h.node.voters(), &[0, 1, 2, 3]);
    h.step(2, app(2, 0, 0, vec![ent(1, 2)], 0));
    assert_eq!(
        h.node.voters(),
        &[0, 1, 2],
        "the conflicting config entry was removed"
    );
}

#[test]
fn snapshot_compacts_and_restart_recovers_the_state_machine() {
    let cfg = RaftConfig {
        snapshot_every: 3,
        ..paper_cfg()
    };
    let mut h = H::with(0, 1, cfg.clone(), RaftDurable::default());
    h.timer(TIMER_ELECTION);
    assert_eq!(h.node.role(), Role::Leader);
    for seq in 1..=5 {
        request(
            &mut h,
            9,
            seq,
            ClientOp::Cmd(KvCmd::Add { key: 1, delta: 10 }),
        );
    }
    assert_eq!(h.node.state_machine().values[&1], 50);
    assert_eq!(
        h.node.log().snap_index,
        6,
        "snapshots at 3 and 6 applied entries"
    );
    let durable = h.durable.clone();
    assert_eq!(durable.snapshot.as_ref().map(|s| s.index), Some(6));
    assert!(durable.log.is_empty());
    let h2 = H::with(0, 1, cfg, durable);
    assert_eq!(
        h2.node.state_machine().values[&1],
        50,
        "restored from the snapshot"
    );
    assert_eq!((h2.node.commit_index(), h2.node.applied_index()), (6, 6));
}

#[test]
fn leader_sends_install_snapshot_to_a_follower_behind_the_compaction_point() {
    let cfg = RaftConfig {
        snapshot_every: 2,
        ..paper_cfg()
    };
    let mut lead = H::with(0, 3, cfg.clone(), RaftDurable::default());
    lead.elect(&[1]);
    for seq in 1..=4 {
        request(
            &mut lead,
            9,
            seq,
            ClientOp::Cmd(KvCmd::Add { key: 1, delta: 1 }),
        );
        let last = lead.node.log().last_index();
        lead.step(1, ok_resp(1, last));
    }
    assert!(lead.node.log().snap_index >= 4);
    lead.clear();
    // Follower 2 answers a probe with an empty log: the leader must fall back to a snapshot.
    lead.step(
        2,
        RaftMsg::AppendResp {
            term: 1,
            success: false,
            index: 5,
            hint_index: 0,
            hint_term: 0,
            heartbeat: false,
            read_ctx: 0,
        },
    );
    lead.timer(TIMER_HEARTBEAT);
    lead.step(
        2,
        RaftMsg::AppendResp {
            term: 1,
            success: true,
            index: 0,
            hint_index: 0,
            hint_term: 0,
            heartbeat: true,
            read_ctx: 0,
        },
    );
    let snap = lead.sent().into_iter().find_map(|(to, m)| match m {
        RaftMsg::InstallSnapshot { snapshot, .. } if to == 2 => Some(snapshot),
        _ => None,
    });
    let snap = snap.expect("an InstallSnapshot to the lagging follower");
    let mut fol = H::with(2, 3, cfg, RaftDurable::default());
    fol.step(
        0,
        RaftMsg::InstallSnapshot {
            term: 1,
            snapshot: snap.clone(),
        },
    );
    assert_eq!(fol.node.applied_index(), snap.index);
    assert_eq!(
        fol.node.state_machine().values,
        snap.state::<crate::raft::testsm::KvSm>().unwrap().values
    );
    assert!(
        fol.node.state_machine().values[&1] >= 3,
        "the snapshot carries the applied increments"
    );
    assert!(
        matches!(fol.sent().last(), Some((0, RaftMsg::InstallSnapshotResp { index, .. })) if *index == snap.index)
    );
}
