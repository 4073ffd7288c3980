//! The "why?" reasons of membership changes (thesis §4.1, §4.2.2, and the 2015 fix: no change
//! before the leader commits an entry of its term) and of leadership transfer (thesis §3.10).

use super::harness::*;
use super::reasons_snapshot::reasons;
use crate::raft::node::Role;
use crate::raft::server::ServerCmd;
use crate::sim::Reason;

fn only<'a>(r: &'a [Reason], code: &str) -> &'a Reason {
    let found: Vec<_> = r.iter().filter(|x| x.code == code).collect();
    assert_eq!(found.len(), 1, "one {code} in {r:?}");
    found[0]
}

#[test]
fn config_change_refused_appended_refused_then_committed() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.clear();
    let mut res = Ok(0);
    h.run(|n, ctx| res = n.add_server(ctx, 3));
    assert!(res.is_err());
    assert_eq!(
        only(&reasons(&h, "n1"), "config-refused-own-term").text,
        "the leader n1 refused to change membership (n4): it has not committed an entry of its own term 1 yet (commit index 0, its term starts at index 1); Ongaro 2015 single-server change fix"
    );
    h.ack_all(&[1]);
    h.clear();
    h.run(|n, ctx| res = n.add_server(ctx, 3));
    assert_eq!(res, Ok(2));
    assert_eq!(
        only(&reasons(&h, "n1"), "config-appended").text,
        "the leader n1 appends a configuration change at index 2: add n4 ({n1, n2, n3} → {n1, n2, n3, n4}); one server at a time, so the old and new majorities always overlap (Raft thesis §4.1)"
    );
    h.clear();
    h.run(|n, ctx| res = n.add_server(ctx, 4));
    assert!(res.is_err());
    assert_eq!(
        only(&reasons(&h, "n1"), "config-refused-pending").text,
        "the leader n1 refused to change membership (n5): the change at index 2 is still pending (commit index 1); one change at a time (Raft thesis §4.1)"
    );
    h.clear();
    h.step(1, ok_resp(1, 2));
    h.step(3, ok_resp(1, 2));
    assert_eq!(
        only(&reasons(&h, "n1"), "config-committed").text,
        "the leader n1 committed the configuration change at index 2: the voters are now {n1, n2, n3, n4}"
    );
}

#[test]
fn removed_leader_steps_down_and_names_its_heir() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.ack_all(&[1, 2]);
    h.clear();
    let mut res = Ok(0);
    h.run(|n, ctx| res = n.remove_server(ctx, 0));
    assert_eq!(res, Ok(2));
    assert!(only(&reasons(&h, "n1"), "config-appended")
        .text
        .contains("remove n1 ({n1, n2, n3} → {n2, n3})"));
    h.clear();
    h.step(1, ok_resp(1, 2));
    h.step(2, ok_resp(1, 2));
    assert_eq!(h.node.role(), Role::Follower);
    assert_eq!(
        only(&reasons(&h, "n1"), "removed-step-down").text,
        "the leader n1 steps down in term 1: the configuration that removes it committed at index 2; it sends TimeoutNow to the most up-to-date voter n3 (Raft thesis §4.2.2)"
    );
}

#[test]
fn transfer_waits_for_the_target_then_sends_timeout_now() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.ack_all(&[1]);
    h.clear();
    h.run(|n, ctx| {
        n.command(ctx, ServerCmd::TransferLeadership { to: 2 })
            .unwrap()
    });
    assert_eq!(
        only(&reasons(&h, "n1"), "transfer-catch-up").text,
        "the leader n1 stops accepting requests and waits before handing over to n3: its match index 0 is behind the last index 1, so it sends the missing entries first (Raft thesis §3.10)"
    );
    h.clear();
    h.step(2, ok_resp(1, 1));
    assert_eq!(
        only(&reasons(&h, "n1"), "transfer-timeout-now").text,
        "the leader n1 stops accepting requests and sends TimeoutNow to n3: its log is caught up (match index 1 = last index 1) (Raft thesis §3.10)"
    );
}

#[test]
fn a_transfer_that_does_not_finish_is_abandoned_with_a_reason() {
    let mut h = H::new(0, 3);
    h.elect(&[1]);
    h.ack_all(&[1]);
    h.run(|n, ctx| {
        n.command(ctx, ServerCmd::TransferLeadership { to: 2 })
            .unwrap()
    });
    h.clear();
    h.timer(crate::raft::node::TIMER_ELECTION);
    let ms = paper_cfg().election_min / crate::sim::MS;
    assert_eq!(
        only(&reasons(&h, "n1"), "transfer-aborted").text,
        format!("the leader n1 abandons the transfer to n3 and accepts requests again: it did not finish within an election timeout ({ms} ms; match index 0, last index 1) (Raft thesis §3.10)")
    );
}
