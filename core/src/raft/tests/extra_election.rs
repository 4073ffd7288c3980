//! Beyond the paper, elections: pre-vote, check-quorum and the leader lease, on the pure node.

use super::harness::*;
use crate::raft::msg::RaftMsg;
use crate::raft::node::{Role, TIMER_ELECTION};
use crate::raft::storage::RaftDurable;

#[test]
fn prevote_does_not_bump_the_term_until_a_quorum_agrees() {
    let mut h = H::with(
        0,
        3,
        cfg(true, false),
        RaftDurable {
            term: 4,
            ..RaftDurable::default()
        },
    );
    h.clear();
    h.timer(TIMER_ELECTION);
    assert_eq!((h.node.role(), h.node.term()), (Role::PreCandidate, 4));
    let msgs = h.sent();
    assert!(
        msgs.iter()
            .all(|(_, m)| matches!(m, RaftMsg::PreVote { term: 5, .. })),
        "{msgs:?}"
    );
    h.step(
        1,
        RaftMsg::PreVoteResp {
            term: 5,
            granted: true,
        },
    );
    assert_eq!(
        (h.node.role(), h.node.term()),
        (Role::Candidate, 5),
        "a pre-vote quorum starts the real election"
    );
    assert_eq!(h.durable.term, 5);
}

#[test]
fn prevote_rejected_by_a_majority_returns_to_follower_without_term_change() {
    let mut h = H::with(
        0,
        3,
        cfg(true, false),
        RaftDurable {
            term: 4,
            ..RaftDurable::default()
        },
    );
    h.timer(TIMER_ELECTION);
    h.step(
        1,
        RaftMsg::PreVoteResp {
            term: 4,
            granted: false,
        },
    );
    h.step(
        2,
        RaftMsg::PreVoteResp {
            term: 4,
            granted: false,
        },
    );
    assert_eq!((h.node.role(), h.node.term()), (Role::Follower, 4));
}

#[test]
fn follower_with_a_live_leader_ignores_prevote_and_vote_requests() {
    let mut h = H::with(0, 3, cfg(true, true), RaftDurable::default());
    h.step(1, heartbeat(3, 0));
    h.clear();
    h.step(
        2,
        RaftMsg::PreVote {
            term: 4,
            last_index: 9,
            last_term: 3,
        },
    );
    h.step(
        2,
        RaftMsg::RequestVote {
            term: 4,
            last_index: 9,
            last_term: 3,
            transfer: false,
        },
    );
    assert!(
        h.sent().is_empty(),
        "within the lease campaigns are ignored"
    );
    assert_eq!(h.node.term(), 3);
    // A transfer campaign bypasses the lease.
    h.step(
        2,
        RaftMsg::RequestVote {
            term: 4,
            last_index: 9,
            last_term: 3,
            transfer: true,
        },
    );
    assert_eq!(h.node.term(), 4);
    assert_eq!(h.node.voted_for(), Some(2));
}

#[test]
fn leader_steps_down_when_quorum_is_lost() {
    let mut h = H::with(0, 3, cfg(false, true), RaftDurable::default());
    h.elect(&[1]);
    assert_eq!(h.node.role(), Role::Leader);
    h.timer(TIMER_ELECTION); // first round: everyone counted as active since the election
    assert_eq!(h.node.role(), Role::Leader);
    h.step(1, ok_resp(1, 0));
    h.timer(TIMER_ELECTION); // node 1 answered: leader + 1 = quorum
    assert_eq!(h.node.role(), Role::Leader);
    h.timer(TIMER_ELECTION); // nobody answered this round
    assert_eq!((h.node.role(), h.node.term()), (Role::Follower, 1));
}
