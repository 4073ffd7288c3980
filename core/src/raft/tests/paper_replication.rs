//! etcd/raft `raft_paper_test.go` replication scenarios (§5.3, §5.4.2, Figure 7).

use super::harness::*;
use crate::raft::msg::{Entry, Payload, RaftMsg};
use crate::raft::node::{Role, TIMER_ELECTION};
use crate::raft::testsm::KvCmd;
use crate::raft::RequestId;
use crate::sim::{ActorId, Effect};

/// A leader of term 1 in a cluster of `n` whose no-op (index 1) is committed.
fn leader_with_committed_noop(n: usize) -> H {
    let mut h = H::new(0, n);
    h.elect(&(1..n).collect::<Vec<_>>());
    assert_eq!(h.node.role(), Role::Leader);
    h.ack_all(&(1..n).collect::<Vec<_>>());
    assert_eq!(h.node.commit_index(), 1);
    h.clear();
    h
}

fn data() -> KvCmd {
    KvCmd::Add { key: 7, delta: 42 }
}

fn propose(h: &mut H) -> u64 {
    let mut idx = 0;
    h.run(|n, ctx| {
        idx = n
            .propose_command(ctx, Some(RequestId { client: 50, seq: 1 }), data())
            .unwrap()
    });
    idx
}

#[test]
fn paper_16_leader_start_replication() {
    let mut h = leader_with_committed_noop(3);
    let li = h.node.log().last_index();
    let idx = propose(&mut h);
    assert_eq!(
        (idx, h.node.log().last_index(), h.node.commit_index()),
        (li + 1, li + 1, li)
    );
    let persisted = h.persisted_entries();
    assert_eq!(persisted.len(), 1);
    assert_eq!((persisted[0].index, persisted[0].term), (li + 1, 1));
    let mut msgs = h.sent();
    msgs.sort_by_key(|m| m.0);
    assert_eq!(msgs.len(), 2);
    for (i, (to, m)) in msgs.into_iter().enumerate() {
        assert_eq!(to, i + 1);
        match m {
            RaftMsg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
                ..
            } => {
                assert_eq!((term, prev_index, prev_term, commit), (1, li, 1, li));
                assert_eq!(entries.len(), 1);
                assert_eq!((entries[0].index, entries[0].term), (li + 1, 1));
                assert!(matches!(&entries[0].payload, Payload::Cmd { cmd, .. } if *cmd == data()));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn paper_17_leader_commit_entry() {
    let mut h = leader_with_committed_noop(3);
    let li = h.node.log().last_index();
    propose(&mut h);
    h.clear();
    h.step(1, ok_resp(1, li + 1));
    h.step(2, ok_resp(1, li + 1));
    assert_eq!(h.node.commit_index(), li + 1);
    assert_eq!(h.node.applied_index(), li + 1);
    assert_eq!(
        h.node.state_machine().applied_reqs,
        vec![RequestId { client: 50, seq: 1 }]
    );
    let msgs = h.sent();
    for peer in [1, 2] {
        let commit = msgs.iter().find_map(|(to, m)| match m {
            RaftMsg::AppendEntries { commit, .. } if *to == peer => Some(*commit),
            _ => None,
        });
        assert_eq!(
            commit,
            Some(li + 1),
            "peer {peer} must learn the new commit index"
        );
    }
}

#[test]
fn paper_18_leader_acknowledge_commit() {
    let cases: Vec<(usize, Vec<ActorId>, bool)> = vec![
        (1, vec![], true),
        (3, vec![], false),
        (3, vec![1], true),
        (3, vec![1, 2], true),
        (5, vec![], false),
        (5, vec![1], false),
        (5, vec![1, 2], true),
        (5, vec![1, 2, 3], true),
        (5, vec![1, 2, 3, 4], true),
    ];
    for (size, acks, want) in cases {
        let mut h = leader_with_committed_noop(size);
        let li = h.node.log().last_index();
        propose(&mut h);
        for a in &acks {
            h.step(*a, ok_resp(1, li + 1));
        }
        assert_eq!(
            h.node.commit_index() > li,
            want,
            "size {size}, acks {acks:?}"
        );
    }
}

#[test]
fn paper_19_leader_commit_preceding_entries() {
    let cases = vec![
        vec![],
        vec![ent(1, 2)],
        vec![ent(1, 1), ent(2, 2)],
        vec![ent(1, 1)],
    ];
    for old in cases {
        let mut h = H::with(0, 3, paper_cfg(), store(2, old.clone()));
        h.elect(&[1, 2]);
        assert_eq!((h.node.role(), h.node.term()), (Role::Leader, 3));
        propose(&mut h);
        h.ack_all(&[1, 2]);
        let li = old.len() as u64;
        assert_eq!(h.node.commit_index(), li + 2);
        assert_eq!(h.node.applied_index(), li + 2);
        // Applied in log order: the old entries (committed indirectly), the no-op, the data.
        let mut want: Vec<RequestId> = old
            .iter()
            .map(|e| match &e.payload {
                Payload::Cmd { req, .. } => req.unwrap(),
                _ => unreachable!(),
            })
            .collect();
        want.push(RequestId { client: 50, seq: 1 });
        assert_eq!(h.node.state_machine().applied_reqs, want);
        let terms: Vec<(u64, u64)> = h.log_terms();
        assert_eq!(terms[li as usize], (li + 1, 3), "no-op of term 3");
        assert_eq!(terms[li as usize + 1], (li + 2, 3), "data of term 3");
    }
}

#[test]
fn paper_20_follower_commit_entry() {
    let e1 = |i: u64, k: u8| Entry {
        index: i,
        term: 1,
        time: 0,
        payload: Payload::Cmd {
            req: Some(RequestId { client: 60, seq: i }),
            cmd: KvCmd::Add { key: k, delta: 1 },
        },
    };
    let cases = vec![
        (vec![e1(1, 1)], 1),
        (vec![e1(1, 1), e1(2, 2)], 2),
        (vec![e1(1, 2), e1(2, 1)], 2),
        (vec![e1(1, 1), e1(2, 2)], 1),
    ];
    for (ents, commit) in cases {
        let mut h = H::new(0, 3);
        h.step(1, heartbeat(1, 0));
        h.step(1, app(1, 0, 0, ents.clone(), commit));
        assert_eq!(h.node.commit_index(), commit);
        let want: Vec<RequestId> = (1..=commit)
            .map(|s| RequestId { client: 60, seq: s })
            .collect();
        assert_eq!(
            h.node.state_machine().applied_reqs,
            want,
            "exactly ents[..commit] applied, in order"
        );
    }
}

#[test]
fn paper_21_follower_check_msg_app() {
    // (prev_term, prev_index) -> (success, index, hint_index, hint_term)
    let cases = [
        (0, 0, true, 1, 0, 0),
        (1, 1, true, 1, 0, 0),
        (2, 2, true, 2, 0, 0),
        (1, 2, false, 2, 1, 1),
        (3, 3, false, 3, 2, 2),
    ];
    for (prev_term, prev_index, ok, idx, hi, ht) in cases {
        let mut h = H::with(0, 3, paper_cfg(), store(2, vec![ent(1, 1), ent(2, 2)]));
        h.step(1, heartbeat(2, 1));
        assert_eq!(h.node.commit_index(), 1);
        h.clear();
        h.step(1, app(2, prev_index, prev_term, vec![], 1));
        let msgs = h.sent();
        match &msgs[..] {
            [(
                1,
                RaftMsg::AppendResp {
                    term: 2,
                    success,
                    index,
                    hint_index,
                    hint_term,
                    ..
                },
            )] => {
                assert_eq!(
                    (*success, *index),
                    (ok, idx),
                    "prev ({prev_term},{prev_index})"
                );
                if !ok {
                    assert_eq!(
                        (*hint_index, *hint_term),
                        (hi, ht),
                        "prev ({prev_term},{prev_index})"
                    );
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn paper_22_follower_append_entries() {
    type Case = (
        u64,
        u64,
        Vec<Entry<KvCmd>>,
        Vec<(u64, u64)>,
        Vec<(u64, u64)>,
    );
    let cases: Vec<Case> = vec![
        (
            2,
            2,
            vec![ent(3, 3)],
            vec![(1, 1), (2, 2), (3, 3)],
            vec![(3, 3)],
        ),
        (
            1,
            1,
            vec![ent(2, 3), ent(3, 4)],
            vec![(1, 1), (2, 3), (3, 4)],
            vec![(2, 3), (3, 4)],
        ),
        (0, 0, vec![ent(1, 1)], vec![(1, 1), (2, 2)], vec![]),
        (0, 0, vec![ent(1, 3)], vec![(1, 3)], vec![(1, 3)]),
    ];
    for (prev_index, prev_term, ents, want_log, want_unstable) in cases {
        let mut h = H::with(0, 3, paper_cfg(), store(2, vec![ent(1, 1), ent(2, 2)]));
        h.clear();
        h.step(1, app(2, prev_index, prev_term, ents, 0));
        assert_eq!(h.log_terms(), want_log);
        let unstable: Vec<(u64, u64)> = h
            .persisted_entries()
            .iter()
            .map(|e| (e.index, e.term))
            .collect();
        assert_eq!(unstable, want_unstable);
        assert_eq!(
            h.durable
                .log
                .iter()
                .map(|e| (e.index, e.term))
                .collect::<Vec<_>>(),
            want_log,
            "durable mirrors memory"
        );
    }
}

fn noop(index: u64, term: u64) -> Entry<KvCmd> {
    Entry {
        index,
        term,
        time: 0,
        payload: Payload::Noop,
    }
}

fn with_terms(terms: &[u64]) -> Vec<Entry<KvCmd>> {
    terms
        .iter()
        .enumerate()
        .map(|(i, &t)| noop(i as u64 + 1, t))
        .collect()
}

#[test]
fn paper_23_leader_sync_follower_log() {
    let leader_terms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    let followers: Vec<Vec<u64>> = vec![
        vec![1, 1, 1, 4, 4, 5, 5, 6, 6],
        vec![1, 1, 1, 4],
        vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
        vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
        vec![1, 1, 1, 4, 4, 4, 4],
        vec![1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (case, fterms) in followers.into_iter().enumerate() {
        let mut lead = H::with(0, 3, paper_cfg(), store(8, with_terms(&leader_terms)));
        let mut fol = H::with(1, 3, paper_cfg(), store(7, with_terms(&fterms)));
        lead.timer(TIMER_ELECTION);
        // Node 3 is a black hole that only answers the vote.
        lead.step(
            2,
            RaftMsg::RequestVoteResp {
                term: 9,
                granted: true,
            },
        );
        assert_eq!(lead.node.role(), Role::Leader, "case {case}");
        lead.run(|n, ctx| {
            n.propose_command(ctx, None, KvCmd::Get { key: 0 }).unwrap();
        });
        for _ in 0..100 {
            let to_f: Vec<_> = lead.sent().into_iter().filter(|(to, _)| *to == 1).collect();
            let mut back = Vec::new();
            for (_, m) in to_f {
                fol.step(0, m);
                back.extend(fol.sent());
            }
            if back.is_empty() {
                break;
            }
            for (_, m) in back {
                lead.step(1, m);
            }
        }
        assert_eq!(
            fol.node.log().entries,
            lead.node.log().entries,
            "case {case}: logs must be identical"
        );
        assert_eq!(
            fol.node.commit_index(),
            lead.node.commit_index(),
            "case {case}"
        );
    }
}

#[test]
fn paper_26_leader_only_commits_log_from_current_term() {
    for (ack, want_commit) in [(1, 0), (2, 0), (3, 3)] {
        let mut h = H::with(0, 2, paper_cfg(), store(2, vec![ent(1, 1), ent(2, 2)]));
        h.elect(&[1]);
        assert_eq!((h.node.role(), h.node.term()), (Role::Leader, 3));
        assert_eq!(h.log_terms().last(), Some(&(3, 3)), "no-op t3@3");
        propose(&mut h);
        h.step(1, ok_resp(3, ack));
        assert_eq!(h.node.commit_index(), want_commit, "ack {ack}");
        assert!(h.out.iter().all(
            |e| !matches!(e, Effect::Note(crate::sim::Note::Proto { code: crate::raft::notes::COMMIT, a: index, .. }) if *index < 3)
        ));
    }
}
