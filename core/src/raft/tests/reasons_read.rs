//! The "why?" reasons of ReadIndex reads (thesis §6.4): delayed until the new leader commits an
//! entry of its term, served once a heartbeat round confirmed its leadership.

use super::harness::*;
use super::reasons_snapshot::reasons;
use crate::raft::msg::{ClientOp, RaftMsg};
use crate::raft::testsm::KvCmd;

#[test]
fn read_is_delayed_for_the_noop_then_served_at_its_index() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.clear();
    request(&mut h, 9, 1, ClientOp::Read(KvCmd::Get { key: 0 }));
    let r = reasons(&h, "n1");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].code, "read-delayed");
    assert_eq!(
        r[0].text,
        "the leader n1 delays n10's read: it has not committed an entry of its term 1 yet (commit index 0, its term starts at index 1), so it does not know the latest commit index; the read waits for index 1 (ReadIndex, Raft thesis §6.4)"
    );
    let ack = RaftMsg::AppendResp {
        term: 1,
        success: true,
        index: 0,
        hint_index: 0,
        hint_term: 0,
        heartbeat: true,
        read_ctx: 1,
    };
    h.clear();
    h.step(1, ack);
    assert!(reasons(&h, "n1").is_empty(), "confirmed, not yet applied");
    h.ack_all(&[1]);
    let r = reasons(&h, "n1");
    let served: Vec<_> = r.iter().filter(|x| x.code == "read-served").collect();
    assert_eq!(served.len(), 1, "{r:?}");
    assert_eq!(
        served[0].text,
        "the leader n1 answers n10's read at commit index 1: a heartbeat round acknowledged by 2 servers (a majority needs 2) confirmed it is still the leader, and it has applied up to that index (ReadIndex, Raft thesis §6.4)"
    );
}
