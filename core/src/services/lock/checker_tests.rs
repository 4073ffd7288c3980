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
        valid_until: None,
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
            LockOp::Release { .. } | LockOp::Status { .. } => unreachable!(),
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
            valid_until: None,
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

// --- Try-lock conflicts against the spec, and status reads (issue 11) ---

fn s_acq(res: &str) -> LockOp {
    LockOp::Acquire {
        resource: res.into(),
        mode: LockMode::Shared,
        lease_ms: 0,
    }
}

fn conflict(res: &str) -> LockOutput {
    LockOutput::Conflict {
        resource: res.into(),
    }
}

fn status_op(res: &str) -> LockOp {
    LockOp::Status {
        resource: res.into(),
    }
}

fn status_of(res: &str, holders: &[(ActorId, u64, LockMode, u64, Time)]) -> LockOutput {
    let holders: Vec<Holder> = holders
        .iter()
        .map(
            |&(client, lock_id, mode, fencing_token, acquired_at)| Holder {
                client,
                lock_id,
                mode,
                fencing_token,
                acquired_at,
                expires_at: None,
            },
        )
        .collect();
    LockOutput::Status(Box::new(LockStatus {
        resource: res.into(),
        locked: !holders.is_empty(),
        mode: holders.first().map(|h| h.mode),
        holders,
        waiters: vec![],
    }))
}

fn violation(hist: &[LockEvent]) -> bool {
    matches!(
        check_history(hist, DEFAULT_STEP_BUDGET),
        Verdict::Violation(_)
    )
}

#[test]
fn a_shared_try_lock_conflicting_with_a_compatible_holding_and_no_waiter_is_rejected() {
    let hist = vec![
        ev(
            1,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(2, s_acq("db"), 20, 30, conflict("db")),
    ];
    assert!(
        violation(&hist),
        "the old checker accepted any conflict while held"
    );
}

#[test]
fn a_try_lock_conflicting_with_the_clients_own_exclusive_holding_is_rejected() {
    let hist = vec![
        ev(
            1,
            x_acq("db"),
            0,
            10,
            granted("db", LockMode::Exclusive, 1, 1, 5),
        ),
        ev(1, x_acq("db"), 20, 30, conflict("db")),
    ];
    assert!(violation(&hist));
    // Its own shared holding asked for shared again is answered with the holding, too.
    let shared = vec![
        ev(
            1,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(1, s_acq("db"), 20, 30, conflict("db")),
    ];
    assert!(violation(&shared));
}

#[test]
fn legitimate_conflicts_pass() {
    // Exclusive try-lock against a shared holder.
    let x_vs_s = vec![
        ev(
            1,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(2, x_acq("db"), 20, 30, conflict("db")),
    ];
    assert_eq!(check_history(&x_vs_s, DEFAULT_STEP_BUDGET), Verdict::Ok);
    // A shared try-lock behind a queued exclusive request (client 3 waits from 12 to 45).
    let queued = vec![
        ev(
            1,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(
            3,
            x_acq("db"),
            12,
            50,
            granted("db", LockMode::Exclusive, 2, 2, 45),
        ),
        ev(2, s_acq("db"), 20, 30, conflict("db")),
        ev(
            1,
            rel("db", 1),
            40,
            42,
            LockOutput::Released {
                resource: "db".into(),
                lock_id: 1,
            },
        ),
    ];
    assert_eq!(check_history(&queued, DEFAULT_STEP_BUDGET), Verdict::Ok);
    // An upgrade try-lock while another client shares the lock.
    let upgrade = vec![
        ev(
            1,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(
            2,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 2, 2, 6),
        ),
        ev(1, x_acq("db"), 20, 30, conflict("db")),
    ];
    assert_eq!(check_history(&upgrade, DEFAULT_STEP_BUDGET), Verdict::Ok);
    // ... but not when it is the sole holder (the upgrade is granted in place).
    let sole = vec![
        ev(
            1,
            s_acq("db"),
            0,
            10,
            granted("db", LockMode::Shared, 1, 1, 5),
        ),
        ev(1, x_acq("db"), 20, 30, conflict("db")),
    ];
    assert!(violation(&sole));
}

#[test]
fn a_stale_status_read_is_rejected() {
    let released = LockOutput::Released {
        resource: "db".into(),
        lock_id: 1,
    };
    // The status was asked after the release was acknowledged, yet shows the holder.
    let stale = vec![
        ev(
            1,
            x_acq("db"),
            0,
            10,
            granted("db", LockMode::Exclusive, 1, 1, 5),
        ),
        ev(1, rel("db", 1), 20, 30, released.clone()),
        ev(
            2,
            status_op("db"),
            40,
            50,
            status_of("db", &[(1, 1, LockMode::Exclusive, 1, 5)]),
        ),
    ];
    assert!(
        violation(&stale),
        "the old checker never looked at status reads"
    );
    // A status that misses a holding acknowledged before it was asked (no lease to expire).
    let missing = vec![
        ev(
            1,
            x_acq("db"),
            0,
            10,
            granted("db", LockMode::Exclusive, 1, 1, 5),
        ),
        ev(2, status_op("db"), 20, 30, status_of("db", &[])),
    ];
    assert!(violation(&missing));
    // A holder nobody was granted.
    let phantom = vec![ev(
        2,
        status_op("db"),
        20,
        30,
        status_of("db", &[(1, 9, LockMode::Shared, 4, 5)]),
    )];
    assert!(violation(&phantom));
    // Concurrent with the release, either answer is fine.
    for shown in [vec![], vec![(1, 1, LockMode::Exclusive, 1, 5)]] {
        let ok = vec![
            ev(
                1,
                x_acq("db"),
                0,
                10,
                granted("db", LockMode::Exclusive, 1, 1, 5),
            ),
            ev(1, rel("db", 1), 20, 30, released.clone()),
            ev(2, status_op("db"), 25, 50, status_of("db", &shown)),
        ];
        assert_eq!(
            check_history(&ok, DEFAULT_STEP_BUDGET),
            Verdict::Ok,
            "{shown:?}"
        );
    }
}

#[test]
fn a_status_may_show_the_grant_of_a_lost_answer() {
    let hist = vec![
        LockEvent {
            client: 1,
            op: x_acq("db"),
            invoked: 0,
            completed: None,
            result: None,
            valid_until: None,
        },
        ev(
            2,
            status_op("db"),
            20,
            30,
            status_of("db", &[(1, 1, LockMode::Exclusive, 1, 5)]),
        ),
        // Adopted: a later exclusive grant to another client while it is held is caught.
        ev(
            2,
            x_acq("db"),
            40,
            50,
            granted("db", LockMode::Exclusive, 3, 2, 45),
        ),
    ];
    assert!(violation(&hist));
    assert_eq!(check_history(&hist[..2], DEFAULT_STEP_BUDGET), Verdict::Ok);
}

#[test]
fn real_histories_with_status_reads_and_try_locks_pass() {
    let mut statuses = 0;
    for seed in 0..40 {
        let hist = super::harness::random_history_with_status(seed, 4, 120, 0.3);
        statuses += hist
            .iter()
            .filter(|e| matches!(e.result, Some(LockOutput::Status(_))))
            .count();
        assert_eq!(
            check_history(&hist, DEFAULT_STEP_BUDGET),
            Verdict::Ok,
            "seed {seed}"
        );
    }
    assert!(statuses > 200, "{statuses}");
}

#[test]
fn tampered_status_reads_fail() {
    let mut caught = 0;
    for seed in 0..20 {
        let mut hist = super::harness::random_history_with_status(seed, 4, 120, 0.3);
        // Drop the holders from the first status that shows some: a read that missed them.
        let Some(i) = hist.iter().position(
            |e| matches!(&e.result, Some(LockOutput::Status(s)) if s.holders.iter().any(|h| h.expires_at.is_none())),
        ) else {
            continue;
        };
        if let Some(LockOutput::Status(s)) = &mut hist[i].result {
            s.holders.retain(|h| h.expires_at.is_some());
        }
        if violation(&hist) {
            caught += 1;
        }
    }
    assert!(
        caught >= 10,
        "only {caught} tampered statuses were rejected"
    );
}

#[test]
fn a_re_entrant_answer_does_not_steal_an_older_lost_grant() {
    // Client 1's first acquire lost its answer but was granted (lock 1): a status shows it.
    // Its lease ran out; a second acquire got lock 3, and a third was answered with lock 3
    // again (re-entrant). That answer belongs to the second acquire, not to the lost first one.
    let lost = LockEvent {
        client: 1,
        op: LockOp::Acquire {
            resource: "db".into(),
            mode: LockMode::Shared,
            lease_ms: 1,
        },
        invoked: 0,
        completed: None,
        result: None,
        valid_until: None,
    };
    let mut shown = status_of("db", &[(1, 1, LockMode::Shared, 1, 5)]);
    if let LockOutput::Status(s) = &mut shown {
        s.holders[0].expires_at = Some(1_005);
    }
    let hist = vec![
        lost,
        ev(2, status_op("db"), 10, 20, shown),
        ev(
            1,
            s_acq("db"),
            3_000,
            3_020,
            granted("db", LockMode::Shared, 3, 2, 3_010),
        ),
        ev(
            1,
            s_acq("db"),
            3_100,
            3_120,
            granted("db", LockMode::Shared, 3, 2, 3_010),
        ),
    ];
    assert_eq!(check_history(&hist, DEFAULT_STEP_BUDGET), Verdict::Ok);
}
