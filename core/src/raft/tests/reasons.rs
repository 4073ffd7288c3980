//! The "why?" reasons checked against the etcd/raft paper scenarios (REFERENCES §1): the reason
//! a server gives must name the rule and the values the paper says decided the case.

use super::harness::*;
use crate::raft::msg::RaftMsg;
use crate::raft::node::Role;
use crate::raft::reasons::describe;
use crate::raft::testsm::KvCmd;
use crate::raft::RequestId;
use crate::sim::{Effect, Note, Reason};

fn label(id: u64) -> String {
    format!("n{}", id + 1)
}

/// The worded reasons the node gave, in order.
fn reasons(h: &H) -> Vec<Reason> {
    h.out
        .iter()
        .filter_map(|e| match e {
            Effect::Note(Note::Why(w)) => describe("n1", w, &label).map(|(_, r)| r),
            _ => None,
        })
        .collect()
}

fn vote_req(term: u64, last_term: u64, last_index: u64) -> RaftMsg<KvCmd> {
    RaftMsg::RequestVote {
        term,
        last_index,
        last_term,
        transfer: false,
    }
}

/// Paper 25 (§5.4.1): granted iff the candidate's log is at least as up to date; a refusal
/// names both logs' last term and index.
#[test]
fn paper_25_vote_reasons_compare_both_logs() {
    let cases = vec![
        (vec![ent(1, 1)], 1, 2, true),
        (vec![ent(1, 1), ent(2, 1)], 1, 1, false),
        (vec![ent(1, 2)], 1, 2, false),
        (vec![ent(1, 1)], 2, 1, true),
    ];
    for (log, lt, li, want) in cases {
        let (my_t, my_i) = (log.last().unwrap().term, log.last().unwrap().index);
        let mut h = H::with(0, 3, paper_cfg(), store(0, log));
        h.clear();
        h.step(1, vote_req(3, lt, li));
        let r = reasons(&h);
        let vote = r.iter().find(|r| r.code.starts_with("vote-")).unwrap();
        if want {
            assert_eq!(vote.code, "vote-granted");
            assert!(
                vote.text.contains(&format!("term {lt}, index {li}")),
                "{}",
                vote.text
            );
        } else {
            assert_eq!(vote.code, "vote-refused-log");
            let mine = format!("n1's log ends at term {my_t}, index {my_i}");
            let theirs = format!("n2's (term {lt}, index {li})");
            assert!(
                vote.text.contains(&mine) && vote.text.contains(&theirs),
                "{}",
                vote.text
            );
        }
        // The term it adopted from the request is explained too (§5.1).
        assert!(r.iter().any(|r| r.code == "newer-term"));
    }
}

/// Paper 10 (§5.2): one vote per term; the refusal names whom it voted for.
#[test]
fn paper_10_refusal_names_the_earlier_vote() {
    let mut h = H::with(
        0,
        3,
        paper_cfg(),
        crate::raft::storage::RaftDurable {
            term: 1,
            voted_for: Some(2),
            ..Default::default()
        },
    );
    h.clear();
    h.step(1, vote_req(1, 0, 0));
    let r = reasons(&h);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code, "vote-refused-voted");
    assert!(
        r[0].text.contains("already voted for n3 in term 1"),
        "{}",
        r[0].text
    );
}

/// Paper 3 (§5.1): a leader that sees a higher term steps down and says why.
#[test]
fn paper_3_leader_steps_down_on_a_higher_term() {
    let mut h = H::new(0, 3);
    h.elect(&[1, 2]);
    assert_eq!(h.node.role(), Role::Leader);
    let elected = reasons(&h);
    assert!(elected
        .iter()
        .any(|r| r.code == "elected" && r.text.contains("wins term 1")));
    h.clear();
    h.step(1, app(2, 0, 0, vec![], 0));
    let r = reasons(&h);
    assert_eq!(r[0].code, "step-down");
    assert!(
        r[0].text.contains("carries term 2, newer than n1's term 1"),
        "{}",
        r[0].text
    );
}

/// Paper 26 (§5.4.2): the leader does not commit an earlier-term entry by counting replicas.
#[test]
fn paper_26_commit_refused_for_an_earlier_term_entry() {
    let mut h = H::with(0, 2, paper_cfg(), store(2, vec![ent(1, 1), ent(2, 2)]));
    h.elect(&[1]);
    h.run(|n, ctx| {
        let req = Some(RequestId { client: 50, seq: 1 });
        n.propose_command(ctx, req, KvCmd::Add { key: 7, delta: 42 })
            .unwrap();
    });
    h.clear();
    h.step(1, ok_resp(3, 2));
    assert_eq!(h.node.commit_index(), 0);
    let r = reasons(&h);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code, "commit-earlier-term");
    assert!(r[0]
        .text
        .contains("did not commit index 2: it is from an earlier term (2, now 3)"));
    assert!(r[0].text.contains("§5.4.2"));
    // The same acknowledgement again is not explained twice.
    h.clear();
    h.step(1, ok_resp(3, 2));
    assert!(reasons(&h).is_empty());
    // Once its own no-op is replicated, it commits: no refusal.
    h.step(1, ok_resp(3, 3));
    assert_eq!(h.node.commit_index(), 3);
    assert!(reasons(&h)
        .iter()
        .all(|r| r.code != "commit-earlier-term" || r.text.contains("index 2")));
}

/// Paper 21 (§5.3): the consistency check's refusals say what the follower's log has there.
#[test]
fn paper_21_append_rejections_say_what_differs() {
    for (prev_term, prev_index, want) in [
        (1, 2, "n1 has term 2 at that index"),
        (3, 3, "n1's log ends at index 2"),
    ] {
        let mut h = H::with(0, 3, paper_cfg(), store(2, vec![ent(1, 1), ent(2, 2)]));
        h.step(1, heartbeat(2, 1));
        h.clear();
        h.step(1, app(2, prev_index, prev_term, vec![], 1));
        let r = reasons(&h);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].code, "append-rejected");
        assert!(r[0].text.contains(want), "{}", r[0].text);
    }
}
