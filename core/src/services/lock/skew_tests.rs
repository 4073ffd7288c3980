//! The lock service under clock skew: regressions for what the fuzzer found when clocks were
//! skewed within `LOCK_CLOCK_BOUND`, each failing without its fix.

use super::harness::{acq, Harness};
use super::*;
use crate::sim::{MS, SEC};

fn grant_time(replies: &[crate::raft::Reply<LockOutput>]) -> (u64, Option<u64>) {
    let LockOutput::Granted {
        acquired_at,
        lock_id,
        ..
    } = &replies[0].output
    else {
        panic!("not granted: {replies:?}")
    };
    (*acquired_at, Some(*lock_id))
}

/// Fuzz seed 3 (`fuzz --service lock`): a new leader whose clock is 42 ms behind the old one
/// stamped a grant earlier than the grant before it, so entry times (and fencing tokens'
/// grant times) went backwards. The table's time is now the largest entry time applied.
#[test]
fn service_time_never_goes_backwards_when_a_leader_lags() {
    let mut h = Harness::new();
    h.at(10 * SEC);
    let (t1, _) = grant_time(&h.send(1, acq("a", LockMode::Exclusive, Some(0), 1_000)));
    assert_eq!(t1, 10 * SEC);
    // The next leader's clock is 40 ms behind: its entries carry earlier times.
    h.at(10 * SEC - 40 * MS);
    let (t2, _) = grant_time(&h.send(2, acq("b", LockMode::Exclusive, Some(0), 1_000)));
    assert_eq!(t2, 10 * SEC, "a later grant is never stamped earlier");
    let st = h.table.status("b");
    assert_eq!(st.holders[0].expires_at, Some(11 * SEC));
    // A waiter queued by the lagging leader: its deadline counts from the table's time too.
    h.send(3, acq("a", LockMode::Exclusive, Some(500), 1_000));
    h.at(10 * SEC + 470 * MS);
    let out = h.tick();
    assert!(out.is_empty(), "timed out early: {out:?}");
    h.at(10 * SEC + 500 * MS);
    assert_eq!(h.tick()[0].output, LockOutput::Timeout);
}

fn granted(res: &str, lock_id: u64, token: u64, at: u64) -> LockOutput {
    LockOutput::Granted {
        lock_id,
        fencing_token: token,
        acquired_at: at,
        resource: res.into(),
        mode: LockMode::Exclusive,
    }
}

fn x(res: &str, lease_ms: u64) -> LockOp {
    LockOp::Acquire {
        resource: res.into(),
        mode: LockMode::Exclusive,
        lease_ms,
    }
}

fn ev(client: usize, op: LockOp, invoked: u64, done: u64, out: LockOutput) -> LockEvent {
    LockEvent {
        client,
        op,
        invoked,
        completed: Some(done),
        result: Some(out),
        valid_until: None,
    }
}

const BOUND: crate::sim::ClockBound = crate::sim::ClockBound {
    skew_us: 100 * MS,
    drift_ppm: 1_000,
};

fn violation(events: &[LockEvent], bound: crate::sim::ClockBound) -> Option<String> {
    match check_history_within(events, DEFAULT_STEP_BUDGET, bound) {
        Verdict::Violation(why) => Some(why),
        v => {
            assert_eq!(v, Verdict::Ok);
            None
        }
    }
}

/// The first failure of `fuzz --service lock` with skewed clocks: a grant stamped by a leader
/// 30 ms ahead lies after its call returned in true time. Within the bound that is legal.
#[test]
fn grant_times_may_lie_within_half_the_skew_of_the_call() {
    let h = [ev(
        1,
        x("a", 0),
        100 * MS,
        110 * MS,
        granted("a", 1, 1, 140 * MS),
    )];
    let why = violation(&h, crate::sim::ClockBound::NONE).expect("exact clocks: outside");
    assert!(why.contains("lies outside its call"), "{why}");
    assert_eq!(violation(&h, BOUND), None);
    // Beyond half the skew it is still a violation.
    let far = [ev(
        1,
        x("a", 0),
        100 * MS,
        110 * MS,
        granted("a", 1, 1, 161 * MS),
    )];
    assert!(violation(&far, BOUND)
        .unwrap()
        .contains("± 50000 µs of clock skew"));
}

/// Fuzz seed 9: under skew a re-entrant answer (the client's own earlier grant, token 1) has a
/// grant time within half the skew of its call, so it looked like a fresh grant with a token
/// smaller than one completed before the call.
#[test]
fn a_re_entrant_answer_under_skew_is_not_a_fresh_grant() {
    let h = [
        ev(1, x("a", 0), 0, 10 * MS, granted("a", 1, 1, 5 * MS)),
        ev(2, x("b", 0), 12 * MS, 20 * MS, granted("b", 2, 2, 15 * MS)),
        ev(1, x("a", 0), 30 * MS, 40 * MS, granted("a", 1, 1, 5 * MS)),
    ];
    assert_eq!(violation(&h, BOUND), None);
    assert_eq!(violation(&h, crate::sim::ClockBound::NONE), None);
}

/// Check 5: client 1 trusts its lease beyond the service's expiry (its clock ran slow) while
/// client 2 already got the lock: the check reports it; trusting only the lease passes.
#[test]
fn a_client_trusting_its_lease_too_long_breaks_client_side_safety() {
    let release = LockOp::Release {
        resource: "a".into(),
        lock_id: 1,
    };
    let mut h = vec![
        ev(1, x("a", 1_000), 0, 10 * MS, granted("a", 1, 1, 5 * MS)),
        ev(
            2,
            x("a", 1_000),
            500 * MS,
            1_020 * MS,
            granted("a", 2, 2, 1_010 * MS),
        ),
        ev(1, release, 1_150 * MS, 1_160 * MS, LockOutput::NotOwner),
    ];
    assert_eq!(violation(&h, crate::sim::ClockBound::NONE), None);
    h[0].valid_until = Some(1_100 * MS);
    let why = violation(&h, crate::sim::ClockBound::NONE).expect("trusted too long");
    assert!(
        why.contains("client-side lease safety broken: client 1 trusted Exclusive (token 1)"),
        "{why}"
    );
    // A release before the other grant arrived ends the trust in time.
    h[2].invoked = 1_015 * MS;
    assert_eq!(violation(&h, crate::sim::ClockBound::NONE), None);
}

/// Issue 11: the fencing demo when the clock bound is broken. A's clock runs 20 % slow (the
/// bound is 0.1 %): the service hands the lock to B while A still trusts its lease. A's late
/// write is rejected by the fenced store, accepted (a lost update) without fencing, and the
/// checker reports the broken client-side lease safety.
#[test]
fn fencing_saves_the_resource_when_a_clock_breaks_the_bound() {
    let d = super::fencing_demo::fencing_demo(-200_000).unwrap();
    let story = d.lines.join("\n");
    assert!(d.b_token > d.a_token, "{story}");
    assert!(
        d.b_wrote_first,
        "B must write before A's late write\n{story}"
    );
    assert_eq!(
        d.a_fenced,
        Err(super::fenced::StaleToken {
            token: d.a_token,
            max_seen: d.b_token
        }),
        "{story}"
    );
    assert_eq!(d.fenced.value(), Some("B's update"), "{story}");
    assert_eq!(
        d.unfenced.value(),
        Some("A's update"),
        "lost update\n{story}"
    );
    match &d.verdict {
        Verdict::Violation(why) => assert!(
            why.contains("client-side lease safety broken: client 3"),
            "{why}"
        ),
        v => panic!("the checker missed it: {v:?}\n{story}"),
    }
}

/// The same story with A's clock inside the bound: A's write comes before the service lets the
/// lease go, B writes after it, both stores agree and the checker passes.
#[test]
fn within_the_bound_the_same_story_is_safe_without_fencing() {
    let d = super::fencing_demo::fencing_demo(-1_000).unwrap();
    let story = d.lines.join("\n");
    assert!(!d.b_wrote_first, "{story}");
    assert_eq!(d.a_fenced, Ok(()), "{story}");
    assert_eq!(d.fenced.value(), Some("B's update"), "{story}");
    assert_eq!(d.unfenced.value(), Some("B's update"), "{story}");
    assert_eq!(d.verdict, Verdict::Ok, "{story}");
}

/// The clients' safety margin, within the bound: n1 (clock 50 ms behind) grants A's lease and
/// crashes before the others learn it committed, so n2 (50 ms ahead), elected next, has no
/// lease in its table and proposes no `ExtendLeases`; it then expires A's lease 100 ms early
/// in true time and grants B. A client trusting the whole lease would still trust it then; one
/// with the margin (`lease·(1 − 2ρ) − ε`) has stopped. Returns the checker's verdict.
fn leader_change_without_extension(clients_assume: crate::sim::ClockBound) -> Verdict {
    use super::fencing_demo::{acquire, demo_cluster, grant, run_until, submit, A, B};
    use crate::raft::{ProcessCmd, ServerCmd};
    use crate::sim::{Action, ClockModel};
    let mut sim = demo_cluster(7, clients_assume);
    for (node, offset_us) in [(0, -50_000), (1, 50_000)] {
        let clock = ClockModel {
            offset_us,
            drift_ppm: 0,
        };
        sim.apply(Action::SetClock { node, clock }).unwrap();
    }
    sim.run_until(SEC);
    let leader = crate::service::leader_of(&sim, crate::service::Service::consensus)
        .map(|l| l.0)
        .unwrap();
    if leader != 0 {
        let cmd = ProcessCmd::Server(ServerCmd::TransferLeadership { to: 0 });
        sim.apply(Action::Command { to: leader, cmd }).unwrap();
        sim.run_for(500 * MS);
    }
    let asked = sim.now();
    submit(&mut sim, A, acquire("file", 0));
    let held = |s: &crate::sim::Sim<LockProcess>| {
        s.actor(0)
            .server()
            .unwrap()
            .state_machine()
            .status("file")
            .locked
    };
    run_until(&mut sim, 3 * SEC, held).unwrap();
    sim.apply(Action::Crash { node: 0 }).unwrap();
    let timeout = ProcessCmd::Server(ServerCmd::ForceTimeout);
    sim.apply(Action::Command {
        to: 1,
        cmd: timeout,
    })
    .unwrap();
    sim.run_for(300 * MS);
    submit(&mut sim, B, acquire("file", 5_000));
    run_until(&mut sim, 8 * SEC, |s| grant(s, B).is_some()).unwrap();
    // The premise: the lease ended early in true time (no extension on the leader change).
    let b_at = grant(&sim, B).unwrap().at;
    assert!(
        b_at < asked + 1_500 * MS,
        "B got it at {b_at}, A asked at {asked}"
    );
    sim.run_for(2 * SEC);
    check_history_within(
        &cluster::cluster_events(&sim),
        DEFAULT_STEP_BUDGET,
        fuzz::LOCK_CLOCK_BOUND,
    )
}

#[test]
fn the_client_margin_covers_a_leader_change_without_lease_extension() {
    match leader_change_without_extension(crate::sim::ClockBound::NONE) {
        Verdict::Violation(why) => assert!(why.contains("client-side lease safety"), "{why}"),
        v => panic!("clients trusting the whole lease should be caught: {v:?}"),
    }
    assert_eq!(
        leader_change_without_extension(fuzz::LOCK_CLOCK_BOUND),
        Verdict::Ok
    );
}
