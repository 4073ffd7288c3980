//! Named deterministic scenarios on the simulator. Every event is checked by the SafetyMonitor.

use super::cluster::{add, idle, Cluster};
use crate::raft::fuzz::{check_kv_histories, KvWorkload};
use crate::raft::msg::{ClientResult, Payload};
use crate::raft::server::ServerCmd;
use crate::raft::{RaftConfig, Role};
use crate::sim::{Action, MS, SEC};

fn cfg(on: bool) -> RaftConfig {
    RaftConfig {
        pre_vote: on,
        check_quorum: on,
        ..RaftConfig::default()
    }
}

/// Pre-vote + check-quorum: the isolated leader steps down on its own (check-quorum), its
/// term does not climb (pre-vote), and on rejoin the new leader keeps its term and role.
#[test]
fn partitioned_leader_rejoins_without_disruption() {
    let mut c = Cluster::new(11, 5, cfg(true), vec![KvWorkload::new(1000)]);
    let old = c.await_leader(SEC);
    let old_term = c.server(old).term();
    c.act(Action::Isolate { node: old });
    c.run_for(SEC);
    let new = c.leader().expect("the majority elects a leader");
    assert_ne!(new, old);
    let new_term = c.server(new).term();
    assert!(new_term > old_term);
    assert_ne!(
        c.server(old).role(),
        Role::Leader,
        "check-quorum makes the isolated leader step down"
    );
    assert_eq!(
        c.server(old).term(),
        old_term,
        "pre-vote keeps the isolated node's term"
    );
    c.act(Action::HealAll);
    c.run_for(SEC);
    assert_eq!(c.leader(), Some(new), "the new leader is not disrupted");
    assert_eq!(c.max_term(), new_term, "no term jump after the rejoin");
    assert_eq!(c.server(old).leader(), Some(new));
}

/// Without check-quorum the isolated leader stays leader of its old term in the minority (a
/// stale leader that cannot commit), and only steps down when it hears the new term on rejoin.
#[test]
fn partitioned_leader_without_checks_stays_stale_leader() {
    let mut c = Cluster::new(11, 5, cfg(false), vec![KvWorkload::new(1000)]);
    let old = c.await_leader(SEC);
    let old_commit = c.server(old).commit_index();
    c.act(Action::Isolate { node: old });
    c.run_for(SEC);
    assert_eq!(
        c.server(old).role(),
        Role::Leader,
        "no check-quorum: it still believes it leads"
    );
    assert!(
        c.server(old).commit_index() <= old_commit + 1,
        "but it commits nothing new"
    );
    assert_eq!(c.leaders().len(), 2);
    c.act(Action::HealAll);
    c.run_for(SEC);
    assert_eq!(c.leaders().len(), 1);
    assert_ne!(c.leader(), Some(old));
}

/// An isolated follower that rejoins: with pre-vote + check-quorum nothing happens; without
/// them its inflated term deposes the healthy leader (term jump and a new election).
#[test]
fn rejoining_follower_disrupts_only_without_prevote_and_checkquorum() {
    for on in [true, false] {
        let mut c = Cluster::new(12, 5, cfg(on), vec![KvWorkload::new(2000)]);
        let leader = c.await_leader(SEC);
        let follower = (leader + 1) % 5;
        let term = c.server(leader).term();
        c.act(Action::Isolate { node: follower });
        c.run_for(2 * SEC);
        assert_eq!(
            c.leader(),
            Some(leader),
            "the majority keeps its leader while partitioned"
        );
        let inflated = c.server(follower).term();
        c.act(Action::HealAll);
        c.run_for(2 * SEC);
        if on {
            assert_eq!(inflated, term, "pre-vote: no term inflation");
            assert_eq!(
                c.leader(),
                Some(leader),
                "with pre-vote + check-quorum: no disruption"
            );
            assert_eq!(c.max_term(), term);
        } else {
            assert!(
                inflated > term + 3,
                "without pre-vote the isolated node keeps campaigning ({inflated})"
            );
            assert!(
                c.max_term() >= inflated,
                "the rejoin forces a term jump: {} -> {}",
                term,
                c.max_term()
            );
            assert!(c.server(leader).term() > term, "the old leader was deposed");
        }
    }
}

/// The isolated minority side (leader + 1 of 5) cannot commit; the majority can.
#[test]
fn minority_partition_cannot_commit() {
    let mut c = Cluster::new(13, 5, cfg(true), vec![idle()]);
    let leader = c.await_leader(SEC);
    c.run_for(100 * MS);
    let buddy = (leader + 1) % 5;
    c.act(Action::Split {
        group: vec![leader, buddy],
    });
    let commit_before = c.server(leader).commit_index();
    c.submit(5, Some(leader), add(1));
    c.run_for(100 * MS);
    assert!(
        c.server(leader).log().last_index() > commit_before,
        "the minority leader appended the command"
    );
    c.run_for(SEC);
    assert_eq!(
        c.server(leader).commit_index(),
        commit_before,
        "but never commits it"
    );
    assert!(c.server(buddy).commit_index() <= commit_before);
    let h = c.client(5).history().last().unwrap().clone();
    assert!(
        !matches!(h.result, Some(ClientResult::Ok(_))),
        "the client was not told it succeeded: {h:?}"
    );
    let majority_leader = c.leader().expect("majority leader");
    assert!(majority_leader != leader && majority_leader != buddy);
    c.submit(5, None, add(2));
    c.run_for(SEC);
    let h = c.client(5).history().last().unwrap().clone();
    assert!(
        matches!(h.result, Some(ClientResult::Ok(1))),
        "the majority commits: {h:?}"
    );
}

#[test]
fn leadership_transfer_moves_the_leader() {
    let mut c = Cluster::new(14, 3, cfg(true), vec![KvWorkload::new(1000)]);
    let leader = c.await_leader(SEC);
    let term = c.server(leader).term();
    let target = (leader + 2) % 3;
    c.run_for(200 * MS);
    c.server_cmd(leader, ServerCmd::TransferLeadership { to: target });
    c.run_for(100 * MS);
    assert_eq!(c.leader(), Some(target));
    assert_eq!(c.server(target).term(), term + 1);
    c.run_for(SEC);
    assert_eq!(c.leader(), Some(target), "stable after the transfer");
    assert!(
        c.client(3)
            .history()
            .iter()
            .filter(|h| matches!(h.result, Some(ClientResult::Ok(_))))
            .count()
            > 10
    );
}

#[test]
fn add_fourth_and_fifth_then_remove_the_leader() {
    let mut c = Cluster::with_voters(15, 5, vec![0, 1, 2], cfg(true), vec![KvWorkload::new(3000)]);
    let leader = c.await_leader(SEC);
    c.run_for(200 * MS);
    c.server_cmd(leader, ServerCmd::AddServer { id: 3 });
    c.run_for(300 * MS);
    c.server_cmd(leader, ServerCmd::AddServer { id: 4 });
    c.run_for(300 * MS);
    for i in 0..5 {
        assert_eq!(
            c.server(i).voters(),
            &[0, 1, 2, 3, 4],
            "n{} knows the 5-voter config",
            i + 1
        );
    }
    assert_eq!(
        c.server(4).commit_index(),
        c.server(leader).commit_index(),
        "the new server caught up"
    );
    c.server_cmd(leader, ServerCmd::RemoveServer { id: leader });
    c.run_for(SEC);
    let new = c.leader().expect("a new leader");
    assert_ne!(new, leader);
    assert_eq!(c.server(new).voters().len(), 4);
    assert!(!c.server(new).voters().contains(&leader));
    assert_ne!(c.server(leader).role(), Role::Leader);
    let done_before = c.client(5).history().len();
    c.run_for(SEC);
    assert!(
        c.client(5).history().len() > done_before + 10,
        "the 4-voter cluster keeps serving"
    );
}

#[test]
fn follower_far_behind_catches_up_via_install_snapshot() {
    let cfg = RaftConfig {
        snapshot_every: 20,
        ..cfg(true)
    };
    let mut c = Cluster::new(
        16,
        3,
        cfg,
        vec![KvWorkload::new(5000), KvWorkload::new(5000)],
    );
    let leader = c.await_leader(SEC);
    let lagger = (leader + 1) % 3;
    c.act(Action::Crash { node: lagger });
    c.run_for(2 * SEC);
    assert!(
        c.server(leader).log().snap_index > 100,
        "the leader compacted well past the lagger"
    );
    c.act(Action::Restart { node: lagger });
    c.run_for(500 * MS);
    let (l, f) = (c.server(leader), c.server(lagger));
    assert!(
        f.log().snap_index >= 100,
        "the lagger installed a snapshot (snap index {})",
        f.log().snap_index
    );
    assert!(
        f.applied_index() + 30 >= l.applied_index(),
        "and caught up: {} vs {}",
        f.applied_index(),
        l.applied_index()
    );
}

#[test]
fn crash_restart_every_node_in_turn_loses_nothing() {
    let mut c = Cluster::new(
        17,
        5,
        cfg(true),
        (0..4).map(|_| KvWorkload::new(100_000)).collect(),
    );
    c.await_leader(SEC);
    for node in 0..5 {
        c.run_for(300 * MS);
        c.act(Action::Crash { node });
        c.run_for(400 * MS);
        c.act(Action::Restart { node });
    }
    c.run_for(SEC);
    let leader = c.await_leader(SEC);
    check_kv_histories(&c.sim, leader).unwrap();
    let acked = (5..9)
        .flat_map(|k| c.client(k).history())
        .filter(|h| matches!(h.result, Some(ClientResult::Ok(_))))
        .count();
    assert!(acked > 100, "real work was done ({acked} acknowledged)");
}

/// The response to the first attempt is lost, the client retries with the same (client, seq),
/// and the command is applied exactly once; the retry gets the original answer.
#[test]
fn retried_command_applies_once() {
    let mut c = Cluster::new(18, 3, cfg(true), vec![idle()]);
    let leader = c.await_leader(SEC);
    c.run_for(100 * MS);
    c.act(Action::Cut {
        from: leader,
        to: 3,
    });
    c.submit(3, None, add(9));
    c.run_for(300 * MS);
    assert_eq!(
        c.server(leader).state_machine().values.get(&9),
        Some(&1),
        "applied once already"
    );
    c.act(Action::HealAll);
    c.run_for(2 * SEC);
    let h = c.client(3).history()[0].clone();
    assert!(h.attempts >= 2, "the client retried: {h:?}");
    assert_eq!(
        h.result,
        Some(ClientResult::Ok(1)),
        "the retry gets the first answer"
    );
    for i in 0..3 {
        let sm = c.server(i).state_machine();
        assert_eq!(
            sm.values.get(&9),
            Some(&1),
            "n{}: applied exactly once",
            i + 1
        );
        let retries_in_log = c
            .server(i)
            .log()
            .entries
            .iter()
            .filter(|e| matches!(&e.payload, Payload::Cmd { req: Some(r), .. } if r.client == 3))
            .count();
        assert!(retries_in_log >= 1);
    }
}

/// A deposed leader that still believes it leads (check-quorum off, so it does not step down)
/// must not serve a read: the new leader has already acknowledged an increment.
#[test]
fn stale_leader_does_not_serve_reads() {
    let mut c = Cluster::new(19, 5, cfg(false), vec![idle(), idle()]);
    let old = c.await_leader(SEC);
    c.run_for(100 * MS);
    c.act(Action::Isolate { node: old });
    c.run_for(SEC);
    let new = c.leader().expect("new leader");
    assert_ne!(new, old);
    assert_eq!(
        c.server(old).role(),
        Role::Leader,
        "the old leader still believes it leads"
    );
    c.submit(5, Some(new), add(3));
    c.run_for(100 * MS);
    assert_eq!(c.client(5).history()[0].result, Some(ClientResult::Ok(1)));
    c.submit(
        6,
        Some(old),
        crate::raft::ClientOp::Read(crate::raft::testsm::KvCmd::Get { key: 3 }),
    );
    c.run_for(SEC);
    let h = &c.client(6).history()[0];
    assert!(
        !matches!(h.result, Some(ClientResult::Ok(_))),
        "stale read served: {h:?}"
    );
    // Through the new leader the read sees the increment.
    c.submit(
        6,
        Some(new),
        crate::raft::ClientOp::Read(crate::raft::testsm::KvCmd::Get { key: 3 }),
    );
    c.run_for(100 * MS);
    assert_eq!(c.client(6).history()[1].result, Some(ClientResult::Ok(1)));
}
