//! etcd/raft `raft_paper_test.go` election scenarios (§5.1, §5.2, §5.4.1), adapted to virtual
//! time: a "tick until the election timeout" is firing the node's election timer, and an
//! election timeout of `et` ticks is `election_min` = 150 ms (uniform over [150, 300) ms).

use super::harness::*;
use crate::raft::msg::RaftMsg;
use crate::raft::node::{Role, TIMER_ELECTION, TIMER_HEARTBEAT};
use crate::raft::storage::RaftDurable;
use crate::sim::{Effect, Note, MS};

fn follower_at(term: u64) -> H {
    H::with(
        0,
        3,
        paper_cfg(),
        RaftDurable {
            term,
            ..RaftDurable::default()
        },
    )
}

#[test]
fn paper_01_follower_update_term_from_message() {
    let mut h = follower_at(1);
    h.step(1, heartbeat(2, 0));
    assert_eq!((h.node.term(), h.node.role()), (2, Role::Follower));
}

#[test]
fn paper_02_candidate_update_term_from_message() {
    let mut h = H::new(0, 3);
    h.timer(TIMER_ELECTION);
    assert_eq!((h.node.term(), h.node.role()), (1, Role::Candidate));
    h.step(1, heartbeat(2, 0));
    assert_eq!((h.node.term(), h.node.role()), (2, Role::Follower));
}

#[test]
fn paper_03_leader_update_term_from_message() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    assert_eq!((h.node.term(), h.node.role()), (1, Role::Leader));
    h.step(1, heartbeat(2, 0));
    assert_eq!((h.node.term(), h.node.role()), (2, Role::Follower));
    assert_eq!(h.node.leader(), Some(1));
}

#[test]
fn paper_04_reject_stale_term_message() {
    let mut h = follower_at(2);
    h.clear();
    h.step(1, app(1, 0, 0, vec![ent(1, 1)], 1));
    assert_eq!(
        (h.node.term(), h.node.role(), h.node.leader()),
        (2, Role::Follower, None)
    );
    assert_eq!(h.node.log().last_index(), 0);
    // The only effect is the rejection carrying the current term (§5.1), so that a stale
    // leader learns it even with pre-vote and check-quorum off (see step.rs).
    let sent = h.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        matches!(
            sent[0],
            (
                1,
                RaftMsg::AppendResp {
                    term: 2,
                    success: false,
                    ..
                }
            )
        ),
        "{sent:?}"
    );
    assert!(h.out.is_empty(), "nothing else: {:?}", h.out);
}

#[test]
fn paper_05_start_as_follower() {
    let h = H::new(0, 3);
    assert_eq!(h.node.role(), Role::Follower);
    assert!(h.out.iter().any(|e| matches!(
        e,
        Effect::Note(Note::Proto {
            code: crate::raft::notes::ROLE,
            a: 0,
            b: 0
        })
    )));
}

#[test]
fn paper_06_leader_bcast_beat() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    for _ in 0..10 {
        h.run(|n, ctx| {
            n.propose_command(
                ctx,
                None,
                crate::raft::testsm::KvCmd::Add { key: 1, delta: 1 },
            )
            .unwrap();
        });
    }
    h.clear();
    h.timer(TIMER_HEARTBEAT);
    let mut msgs = h.sent();
    msgs.sort_by_key(|m| m.0);
    let to: Vec<_> = msgs.iter().map(|m| m.0).collect();
    assert_eq!(to, vec![1, 2]);
    for (_, m) in msgs {
        match m {
            RaftMsg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
                ..
            } => {
                assert_eq!(
                    (term, prev_index, prev_term, entries.len(), commit),
                    (1, 0, 0, 0, 0)
                );
            }
            other => panic!("expected a heartbeat, got {other:?}"),
        }
    }
}

fn assert_vote_requests(h: &mut H, term: u64, last_index: u64, last_term: u64) {
    let mut msgs = h.sent();
    msgs.sort_by_key(|m| m.0);
    let got: Vec<_> = msgs
        .into_iter()
        .map(|(to, m)| match m {
            RaftMsg::RequestVote {
                term,
                last_index,
                last_term,
                ..
            } => (to, term, last_index, last_term),
            other => panic!("expected RequestVote, got {other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, term, last_index, last_term),
            (2, term, last_index, last_term)
        ]
    );
}

#[test]
fn paper_07_follower_start_election() {
    let mut h = follower_at(1);
    h.step(1, heartbeat(1, 0));
    assert_eq!(h.node.leader(), Some(1));
    h.clear();
    h.timer(TIMER_ELECTION);
    assert_eq!(
        (h.node.term(), h.node.role(), h.node.voted_for()),
        (2, Role::Candidate, Some(0))
    );
    assert_vote_requests(&mut h, 2, 0, 0);
}

#[test]
fn paper_08_candidate_start_new_election() {
    let mut h = H::new(0, 3);
    h.timer(TIMER_ELECTION);
    assert_eq!((h.node.term(), h.node.role()), (1, Role::Candidate));
    h.clear();
    h.timer(TIMER_ELECTION);
    assert_eq!(
        (h.node.term(), h.node.role(), h.node.voted_for()),
        (2, Role::Candidate, Some(0))
    );
    assert_vote_requests(&mut h, 2, 0, 0);
}

#[test]
fn paper_09_leader_election_in_one_round_rpc() {
    // (size, votes from peers 1.. as (peer, granted)), expected role.
    type Case = (usize, Vec<(usize, bool)>, Role);
    let cases: Vec<Case> = vec![
        (1, vec![], Role::Leader),
        (3, vec![(1, true), (2, true)], Role::Leader),
        (3, vec![(1, true)], Role::Leader),
        (
            5,
            vec![(1, true), (2, true), (3, true), (4, true)],
            Role::Leader,
        ),
        (5, vec![(1, true), (2, true), (3, true)], Role::Leader),
        (5, vec![(1, true), (2, true)], Role::Leader),
        (3, vec![(1, false), (2, false)], Role::Follower),
        (
            5,
            vec![(1, false), (2, false), (3, false), (4, false)],
            Role::Follower,
        ),
        (
            5,
            vec![(1, true), (2, false), (3, false), (4, false)],
            Role::Follower,
        ),
        (3, vec![], Role::Candidate),
        (5, vec![(1, true)], Role::Candidate),
        (5, vec![(1, false), (2, false)], Role::Candidate),
        (5, vec![], Role::Candidate),
    ];
    for (i, (size, votes, want)) in cases.into_iter().enumerate() {
        let mut h = H::new(0, size);
        h.timer(TIMER_ELECTION);
        for (peer, granted) in votes {
            h.step(peer, RaftMsg::RequestVoteResp { term: 1, granted });
        }
        assert_eq!(h.node.role(), want, "case {i}");
        assert_eq!(h.node.term(), 1, "case {i}");
    }
}

#[test]
fn paper_10_follower_vote() {
    // (voted_for, candidate, granted)
    let cases = [
        (None, 1, true),
        (None, 2, true),
        (Some(1), 1, true),
        (Some(2), 2, true),
        (Some(1), 2, false),
        (Some(2), 1, false),
    ];
    for (voted_for, from, want) in cases {
        let mut h = H::with(
            0,
            3,
            paper_cfg(),
            RaftDurable {
                term: 1,
                voted_for,
                ..RaftDurable::default()
            },
        );
        h.clear();
        h.step(
            from,
            RaftMsg::RequestVote {
                term: 1,
                last_index: 0,
                last_term: 0,
                transfer: false,
            },
        );
        let msgs = h.sent();
        assert_eq!(msgs.len(), 1, "exactly one answer");
        match &msgs[0] {
            (to, RaftMsg::RequestVoteResp { term: 1, granted }) => {
                assert_eq!(
                    (*to, *granted),
                    (from, want),
                    "voted_for {voted_for:?}, candidate {from}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn paper_11_candidate_fallback() {
    for term in [1, 2] {
        let mut h = H::new(0, 3);
        h.timer(TIMER_ELECTION);
        assert_eq!(h.node.role(), Role::Candidate);
        h.step(1, heartbeat(term, 0));
        assert_eq!((h.node.role(), h.node.term()), (Role::Follower, term));
    }
}

/// Tests 12/13: every timeout value (at 1 ms resolution: our "tick") in [150, 300) ms appears.
fn check_timeouts_cover_range(candidate: bool) {
    let mut h = H::new(0, 3);
    let mut seen = [false; 150];
    for round in 0..50 * 150 {
        h.clear();
        if candidate {
            h.timer(TIMER_ELECTION);
        } else {
            h.step(1, heartbeat(h.node.term() + 1, 0));
        }
        assert_eq!(
            h.node.role(),
            if candidate {
                Role::Candidate
            } else {
                Role::Follower
            },
            "round {round}"
        );
        let t = h.last_election_timeout().expect("election timer armed");
        assert!(
            (150 * MS..300 * MS).contains(&t),
            "timeout {t} out of range"
        );
        seen[((t - 150 * MS) / MS) as usize] = true;
    }
    let missing: Vec<usize> = (0..150).filter(|&i| !seen[i]).map(|i| i + 150).collect();
    assert!(missing.is_empty(), "timeouts never drawn (ms): {missing:?}");
}

#[test]
fn paper_12_follower_election_timeout_randomized() {
    check_timeouts_cover_range(false);
}

#[test]
fn paper_13_candidate_election_timeout_randomized() {
    check_timeouts_cover_range(true);
}

/// Tests 14/15: 5 nodes reset together; a conflict is two of them firing in the same tick. etcd
/// uses et = 10 ticks, so our tick is et/10 = 15 ms.
fn conflict_rate(candidate: bool) -> f64 {
    let mut nodes: Vec<H> = (0..5).map(|i| H::new(i, 5)).collect();
    let mut conflicts = 0;
    let rounds = 1000;
    for _ in 0..rounds {
        let mut fire = Vec::new();
        for h in &mut nodes {
            h.clear();
            if candidate {
                h.timer(TIMER_ELECTION);
            } else {
                let from = if h.node.id() == 1 { 2 } else { 1 };
                h.step(from, heartbeat(h.node.term() + 1, 0));
            }
            fire.push(h.last_election_timeout().unwrap() / (15 * MS));
        }
        fire.sort_unstable();
        if fire[0] == fire[1] {
            conflicts += 1;
        }
    }
    conflicts as f64 / rounds as f64
}

#[test]
fn paper_14_followers_election_timeout_nonconflict() {
    let r = conflict_rate(false);
    assert!(r <= 0.3, "conflict rate {r}");
}

#[test]
fn paper_15_candidates_election_timeout_nonconflict() {
    let r = conflict_rate(true);
    assert!(r <= 0.3, "conflict rate {r}");
}

#[test]
fn paper_24_vote_request() {
    for (entries, wterm) in [(vec![ent(1, 1)], 2), (vec![ent(1, 1), ent(2, 2)], 3)] {
        let mut h = H::new(0, 3);
        let last = entries.last().unwrap().clone();
        h.step(1, app(wterm - 1, 0, 0, entries, 0));
        h.clear();
        h.timer(TIMER_ELECTION);
        assert_vote_requests(&mut h, wterm, last.index, last.term);
    }
}

#[test]
fn paper_25_voter() {
    // (voter log, candidate last_term, candidate last_index, granted)
    let cases = vec![
        (vec![ent(1, 1)], 1, 1, true),
        (vec![ent(1, 1)], 1, 2, true),
        (vec![ent(1, 1), ent(2, 1)], 1, 1, false),
        (vec![ent(1, 1)], 2, 1, true),
        (vec![ent(1, 1)], 2, 2, true),
        (vec![ent(1, 1), ent(2, 1)], 2, 1, true),
        (vec![ent(1, 2)], 1, 1, false),
        (vec![ent(1, 2)], 1, 2, false),
        (vec![ent(1, 2), ent(2, 2)], 1, 1, false),
        (vec![ent(1, 1), ent(2, 1)], 1, 1, false),
    ];
    for (i, (log, last_term, last_index, want)) in cases.into_iter().enumerate() {
        let mut h = H::with(0, 3, paper_cfg(), store(0, log));
        h.clear();
        h.step(
            1,
            RaftMsg::RequestVote {
                term: 3,
                last_index,
                last_term,
                transfer: false,
            },
        );
        let msgs = h.sent();
        assert_eq!(msgs.len(), 1, "case {i}");
        match &msgs[0].1 {
            RaftMsg::RequestVoteResp { term: 3, granted } => assert_eq!(*granted, want, "case {i}"),
            other => panic!("case {i}: unexpected {other:?}"),
        }
    }
}
