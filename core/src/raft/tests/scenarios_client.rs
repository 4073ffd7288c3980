//! Named scenarios, continued: determinism, the client's redirect rules and the UI view.

use super::cluster::{add, idle, Cluster};
use crate::raft::fuzz::KvWorkload;
use crate::raft::msg::ClientResult;
use crate::raft::RaftConfig;
use crate::sim::{Action, MS, SEC};

fn cfg(on: bool) -> RaftConfig {
    RaftConfig {
        pre_vote: on,
        check_quorum: on,
        ..RaftConfig::default()
    }
}

/// A Raft cluster under load has the same trace hash for the same seed, and another for
/// another seed.
#[test]
fn same_seed_same_trace_hash() {
    let run = |seed| {
        let mut c = Cluster::new(
            seed,
            5,
            cfg(true),
            vec![KvWorkload::new(50), KvWorkload::new(50)],
        );
        c.run_for(SEC);
        c.act(Action::Crash { node: 0 });
        c.run_for(SEC);
        c.sim.trace_hash()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

/// The API console's semantics: a request aimed at a named follower records its NotLeader
/// answer (no silent redirect); without a target the client follows the redirect.
#[test]
fn client_named_target_is_not_redirected_but_default_is() {
    let mut c = Cluster::new(20, 3, cfg(true), vec![idle()]);
    let leader = c.await_leader(SEC);
    c.run_for(100 * MS);
    let follower = (leader + 1) % 3;
    c.submit(3, Some(follower), add(1));
    c.run_for(100 * MS);
    let h = c.client(3).history()[0].clone();
    assert_eq!(
        h.result,
        Some(ClientResult::NotLeader {
            leader: Some(leader)
        })
    );
    assert_eq!(h.attempts, 1);
    c.submit(3, None, add(1));
    c.run_for(200 * MS);
    let h = c.client(3).history()[1].clone();
    assert_eq!(h.result, Some(ClientResult::Ok(1)));
    c.submit(3, Some(follower), crate::raft::ClientOp::NodeStatus);
    c.run_for(100 * MS);
    match &c.client(3).history()[2].result {
        Some(ClientResult::Status(s)) => {
            assert_eq!(s.raft_state, "follower");
            assert_eq!(
                s.connected_peers.len(),
                1,
                "a follower hears only the leader: {s:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// The UI view of a leader and a follower.
#[test]
fn raft_view_shows_roles_log_and_progress() {
    let mut c = Cluster::new(21, 3, cfg(true), vec![KvWorkload::new(5)]);
    let leader = c.await_leader(SEC);
    c.run_for(500 * MS);
    let v = c.server(leader).view(100);
    assert_eq!(v.role, "leader");
    assert_eq!(v.leader, Some(leader));
    assert_eq!(v.voters, vec![0, 1, 2]);
    assert_eq!(v.peers.len(), 2);
    assert!(v.peers.iter().all(|p| p.matched == v.commit_index));
    assert_eq!(v.log[0].label, "no-op");
    assert!(
        v.log.iter().any(|l| l.label.starts_with('k')),
        "command labels: {:?}",
        v.log
    );
    let f = c.server((leader + 1) % 3).view(2);
    assert_eq!(f.role, "follower");
    assert!(f.peers.is_empty());
    assert_eq!(f.log.len(), 2, "capped to the newest cells");
    assert!(f.election_deadline > c.sim.now() && f.election_timeout >= 150 * MS);
}
