//! The history checker accepts real histories of the lock table and rejects broken ones.

use super::checker::*;
use super::harness::random_history;
use super::types::*;
use crate::sim::{ActorId, Time, MS};

fn granted(res: &str, mode: LockMode, lock_id: u64, token: u64, at: Time) -> LockOutput {
    LockOutput::Granted {
        lock_id,
        fencing_token: token,
        acquired_at: at,
        resource: res.into(),
        mode,
    }
}

fn ev(
    client: ActorId,
    op: LockOp,
    invoked: Time,
    completed: Time,
    result: LockOutput,
) -> LockEvent {
    LockEvent {
        client,
        op,
        invoked,
        completed: Some(completed),
        result: Some(result),
    }
}

fn x_acq(res: &str) -> LockOp {
    LockOp::Acquire {
        resource: res.into(),
        mode: LockMode::Exclusive,
        lease_ms: 0,
    }
}

fn rel(res: &str, lock_id: u64) -> LockOp {
    LockOp::Release {
        resource: res.into(),
        lock_id,
    }
}

#[test]
fn real_histories_pass() {
    for seed in 0..40 {
        let hist = random_history(seed, 4, 120);
        assert!(
            hist.iter()
                .filter(|e| e.result.as_ref().is_some_and(|r| r.is_granted()))
                .count()
                > 5
        );
        assert_eq!(
            check_history(&hist, DEFAULT_STEP_BUDGET),
            Verdict::Ok,
            "seed {seed}"
        );
    }
}

#[test]
fn tampered_real_histories_fail() {
    let mut caught = 0;
    for seed in 0..20 {
        let mut hist = random_history(seed, 4, 120);
        // Turn one timeout or conflict into a grant "at the same time" with a fresh token.
        let Some(i) = hist.iter().position(|e| {
            matches!(
                e.result,
                Some(LockOutput::Timeout | LockOutput::Conflict { .. })
            )
        }) else {
            continue;
        };
        let (res, mode) = match &hist[i].op {
            LockOp::Acquire { resource, mode, .. } => (resource.clone(), *mode),
            LockOp::Release { .. } => unreachable!(),
        };
        let at = hist[i].completed.unwrap() - 1;
        hist[i].result = Some(granted(&res, mode, 999_999, 999_999, at));
        if matches!(
            check_history(&hist, DEFAULT_STEP_BUDGET),
            Verdict::Violation(_)
        ) {
            caught += 1;
        }
    }
    assert!(
        caught >= 10,
        "only {caught} tampered histories were rejected"
    );
}

#[test]
fn overlapping_exclusive_grants_are_rejected() {
    let hist = vec![
        ev(
            1,
            x_acq("db"),
            0,
            10,
            granted("db", LockMode::Exclusive, 1, 1, 5),
        ),
        ev(
            2,
            x_acq("db"),
            0,
            20,
            granted("db", LockMode::Exclusive, 2, 2, 15),
        ),
        ev(
            1,
            rel("db", 1),
            30,
            40,
            LockOutput::Released {
                resource: "db".into(),
                lock_id: 1,
            },
        ),
    ];
    let v = check_history(&hist, DEFAULT_STEP_BUDGET);
    assert!(
        matches!(&v, Verdict::Violation(m) if m.contains("still held")),
        "{v:?}"
    );
}

#[test]
fn exclusive_alongside_shared_is_rejected_but_a_released_lock_passes() {
    let shared = LockOp::Acquire {
        resource: "db".into(),
        mode: LockMode::Shared,
        lease_ms: 0,
    };
    let bad = vec![
        ev(
            1,
            shared.clone(),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(
            2,
            x_acq("db"),
            0,
            20,
            granted("db", LockMode::Exclusive, 2, 2, 15),
        ),
    ];
    assert!(matches!(
        check_history(&bad, DEFAULT_STEP_BUDGET),
        Verdict::Violation(_)
    ));
    let good = vec![
        ev(1, shared, 0, 10, granted("db", LockMode::Shared, 1, 1, 5)),
        ev(
            1,
            rel("db", 1),
            11,
            14,
            LockOutput::Released {
                resource: "db".into(),
                lock_id: 1,
            },
        ),
        ev(
            2,
            x_acq("db"),
            0,
            20,
            granted("db", LockMode::Exclusive, 2, 2, 15),
        ),
    ];
    assert_eq!(check_history(&good, DEFAULT_STEP_BUDGET), Verdict::Ok);
}

#[test]
fn lease_expiry_allows_the_next_grant_only_after_the_lease() {
    let leased = LockOp::Acquire {
        resource: "db".into(),
        mode: LockMode::Exclusive,
        lease_ms: 1,
    };
    let mk = |second_at: Time| {
        vec![
            ev(
                1,
                leased.clone(),
                0,
                10,
                granted("db", LockMode::Exclusive, 1, 1, 5),
            ),
            ev(
                2,
                x_acq("db"),
                0,
                5_000,
                granted("db", LockMode::Exclusive, 2, 2, second_at),
            ),
        ]
    };
    assert_eq!(check_history(&mk(5 + MS), DEFAULT_STEP_BUDGET), Verdict::Ok);
    assert!(matches!(
        check_history(&mk(5 + MS - 1), DEFAULT_STEP_BUDGET),
        Verdict::Violation(_)
    ));
}

#[test]
fn decreasing_tokens_are_rejected() {
    let hist = vec![
        ev(
            1,
            x_acq("db"),
            0,
            10,
            granted("db", LockMode::Exclusive, 1, 5, 5),
        ),
        ev(
            1,
            rel("db", 1),
            11,
            12,
            LockOutput::Released {
                resource: "db".into(),
                lock_id: 1,
            },
        ),
        ev(
            2,
            x_acq("db"),
            20,
            30,
            granted("db", LockMode::Exclusive, 2, 4, 25),
        ),
    ];
    let v = check_history(&hist, DEFAULT_STEP_BUDGET);
    assert!(
        matches!(&v, Verdict::Violation(m) if m.contains("token")),
        "{v:?}"
    );
}

#[test]
fn impossible_grants_are_rejected() {
    // Granted before it was asked for.
    let early = vec![ev(
        1,
        x_acq("db"),
        100,
        200,
        granted("db", LockMode::Exclusive, 1, 1, 50),
    )];
    assert!(
        matches!(check_history(&early, DEFAULT_STEP_BUDGET), Verdict::Violation(m) if m.contains("outside"))
    );
    // A release of a lock nobody holds cannot succeed.
    let ghost = vec![ev(
        1,
        rel("db", 7),
        0,
        10,
        LockOutput::Released {
            resource: "db".into(),
            lock_id: 7,
        },
    )];
    assert!(matches!(
        check_history(&ghost, DEFAULT_STEP_BUDGET),
        Verdict::Violation(_)
    ));
    // A try-lock conflict on a lock that is free for the whole history.
    let conflict = vec![ev(
        1,
        x_acq("db"),
        0,
        10,
        LockOutput::Conflict {
            resource: "db".into(),
        },
    )];
    assert!(matches!(
        check_history(&conflict, DEFAULT_STEP_BUDGET),
        Verdict::Violation(_)
    ));
}

#[test]
fn lost_answers_may_or_may_not_have_taken_effect() {
    let hist = vec![
        ev(
            1,
            x_acq("db"),
            0,
            10,
            granted("db", LockMode::Exclusive, 1, 1, 5),
        ),
        LockEvent {
            client: 1,
            op: rel("db", 1),
            invoked: 20,
            completed: None,
            result: None,
        },
        ev(
            2,
            x_acq("db"),
            15,
            40,
            granted("db", LockMode::Exclusive, 3, 2, 30),
        ),
    ];
    assert_eq!(check_history(&hist, DEFAULT_STEP_BUDGET), Verdict::Ok);
}

#[test]
fn a_tiny_budget_gives_unknown_not_a_hang() {
    let hist = random_history(7, 6, 300);
    assert_eq!(check_history(&hist, 3), Verdict::Unknown);
}
