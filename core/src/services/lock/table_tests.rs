//! Acceptance items 1–8 of REFERENCES §5 "Lock manager", applied directly to `LockTable`.

use super::harness::{acq, Harness};
use super::*;
use crate::raft::{Reply, StateMachine};
use crate::sim::{ActorId, MS};

/// `(client, lock_id, token)` of every grant in `replies`.
fn grants(replies: &[Reply<LockOutput>]) -> Vec<(ActorId, u64, u64)> {
    replies
        .iter()
        .filter_map(|r| match &r.output {
            LockOutput::Granted {
                lock_id,
                fencing_token,
                ..
            } => Some((r.to.client, *lock_id, *fencing_token)),
            _ => None,
        })
        .collect()
}

fn outputs(replies: &[Reply<LockOutput>]) -> Vec<(ActorId, LockOutput)> {
    replies
        .iter()
        .map(|r| (r.to.client, r.output.clone()))
        .collect()
}

use LockMode::{Exclusive as X, Shared as S};

#[test]
fn item1_shared_together_exclusive_after_both_release() {
    let mut h = Harness::new();
    let g1 = grants(&h.acquire(1, "db", S));
    let g2 = grants(&h.acquire(2, "db", S));
    assert_eq!((g1.len(), g2.len()), (1, 1));
    assert!(
        h.acquire(3, "db", X).is_empty(),
        "X must wait behind two S holders"
    );
    assert_eq!(h.table.status("db").waiters.len(), 1);
    let r = h.release(1, "db", g1[0].1);
    assert_eq!(grants(&r), vec![], "X still waits for the second S");
    let r = h.release(2, "db", g2[0].1);
    let g3 = grants(&r);
    assert_eq!(g3.len(), 1);
    assert_eq!(g3[0].0, 3);
    assert_eq!(h.table.status("db").mode, Some(X));
}

#[test]
fn item1b_a_run_of_shared_waiters_is_granted_by_one_release() {
    let mut h = Harness::new();
    let gx = grants(&h.acquire(1, "db", X));
    h.acquire(2, "db", S);
    h.acquire(3, "db", S);
    h.acquire(4, "db", X);
    h.acquire(5, "db", S);
    let g = grants(&h.release(1, "db", gx[0].1));
    assert_eq!(
        g.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![2, 3],
        "run stops at the queued X"
    );
    assert!(
        g[0].2 < g[1].2,
        "tokens strictly increase even within one entry"
    );
}

#[test]
fn item2_fifo_no_writer_starvation() {
    let mut h = Harness::new();
    let s1 = grants(&h.acquire(1, "db", S));
    assert!(h.acquire(2, "db", X).is_empty());
    assert!(
        h.acquire(3, "db", S).is_empty(),
        "S3 must wait behind the queued X2"
    );
    let x2 = grants(&h.release(1, "db", s1[0].1));
    assert_eq!(x2.iter().map(|g| g.0).collect::<Vec<_>>(), vec![2]);
    let s3 = grants(&h.release(2, "db", x2[0].1));
    assert_eq!(s3.iter().map(|g| g.0).collect::<Vec<_>>(), vec![3]);
    assert!(
        s1[0].2 < x2[0].2 && x2[0].2 < s3[0].2,
        "grant order S1, X2, S3"
    );
}

#[test]
fn item3_tokens_increase_and_fence_the_store() {
    let mut h = Harness::new();
    let mut last = 0;
    for round in 0..40 {
        let client = 1 + round % 3;
        let g = grants(&h.acquire(client, "db", X));
        assert!(g[0].2 > last, "token {} after {last}", g[0].2);
        last = g[0].2;
        h.release(client, "db", g[0].1);
    }
    let mut store = FencedStore::new();
    assert!(store.write(34, "new holder").is_ok());
    assert!(store.write(33, "paused holder").is_err());
}

#[test]
fn item4_lease_expiry_passes_the_lock_on() {
    let mut h = Harness::new();
    h.at(1_000 * MS);
    let old = grants(&h.send(1, acq("db", X, Some(60_000), 5_000)));
    assert!(h.send(2, acq("db", X, Some(60_000), 5_000)).is_empty());
    assert_eq!(
        h.table.housekeeping(5_999 * MS),
        None,
        "not due before t + TTL"
    );
    assert_eq!(h.table.housekeeping(6_000 * MS), Some(LockCmd::Tick));
    h.at(5_999 * MS);
    assert!(
        h.tick().is_empty(),
        "a tick before the deadline expires nothing"
    );
    h.at(6_000 * MS);
    let new = grants(&h.tick());
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].0, 2);
    assert!(new[0].2 > old[0].2);
    let before = h.table.digest();
    let r = h.release(1, "db", old[0].1);
    assert_eq!(outputs(&r), vec![(1, LockOutput::NotOwner)]);
    assert_eq!(h.table.holders("db")[0].client, 2);
    // Only the old holder's session changed, not the lock state.
    assert_eq!(h.table.status("db").holders.len(), 1);
    assert_ne!(before, 0);
}

#[test]
fn item4b_a_new_leader_extends_leases() {
    let mut h = Harness::new();
    h.send(1, acq("db", X, None, 5_000));
    assert!(matches!(
        h.table.on_elected(0),
        Some(LockCmd::ExtendLeases { .. })
    ));
    h.at(4_000 * MS);
    h.apply(None, LockCmd::ExtendLeases { by_ms: 3_000 });
    assert_eq!(h.table.holders("db")[0].expires_at, Some(8_000 * MS));
    h.at(7_000 * MS);
    h.tick();
    assert!(h.table.status("db").locked);
}

#[test]
fn item5_non_holder_release_is_refused() {
    let mut h = Harness::new();
    let g = grants(&h.acquire(1, "db", X));
    h.acquire(2, "db", X);
    let status = h.table.status("db");
    let r = h.release(3, "db", g[0].1);
    assert_eq!(outputs(&r), vec![(3, LockOutput::NotOwner)]);
    assert_eq!(h.table.status("db"), status, "state unchanged");
    assert_eq!(
        outputs(&h.release(3, "nothing", 7)),
        vec![(3, LockOutput::NotFound)]
    );
}

#[test]
fn item6_duplicates_get_the_same_answer_and_no_second_entry() {
    let mut h = Harness::new();
    let cmd = acq("db", X, Some(10_000), 0);
    let first = h.send(1, cmd.clone());
    let digest = h.table.digest();
    assert_eq!(h.resend(1, cmd.clone()), first);
    assert_eq!(h.table.digest(), digest);
    // A duplicate of a still-waiting acquire adds no queue entry and answers nothing yet.
    assert!(h.send(2, cmd.clone()).is_empty());
    let digest = h.table.digest();
    assert!(h.resend(2, cmd.clone()).is_empty());
    assert_eq!(h.table.status("db").waiters.len(), 1);
    assert_eq!(h.table.digest(), digest);
    // Once granted, the retry gets the grant again.
    let lock_id = grants(&first)[0].1;
    let grant2 = h.release(1, "db", lock_id);
    assert_eq!(grants(&grant2)[0].0, 2);
    let again = h.resend(2, cmd);
    assert_eq!(
        again,
        vec![grant2.into_iter().find(|r| r.to.client == 2).unwrap()]
    );
}

#[test]
fn item7_two_resource_deadlock_has_one_deterministic_victim() {
    let run = || {
        let mut h = Harness::new();
        h.acquire(1, "A", X);
        h.acquire(2, "B", X);
        assert!(h.acquire(1, "B", X).is_empty());
        assert_eq!(h.table.wait_for_edges(), vec![(1, 2, "B".to_string())]);
        let r = h.acquire(2, "A", X);
        (outputs(&r), h.table.digest())
    };
    let (out, digest) = run();
    // The youngest request (T2 -> A, highest log index) is the victim; T1 stays queued on B.
    assert_eq!(out, vec![(2, LockOutput::Deadlock)]);
    assert_eq!(run().1, digest, "same victim and state every time");
}

#[test]
fn item7_victim_release_lets_the_other_through() {
    let mut h = Harness::new();
    h.acquire(1, "A", X);
    let b = grants(&h.acquire(2, "B", X));
    h.acquire(1, "B", X);
    assert_eq!(
        outputs(&h.acquire(2, "A", X)),
        vec![(2, LockOutput::Deadlock)]
    );
    assert!(h.table.wait_for_edges().len() == 1);
    let r = h.release(2, "B", b[0].1);
    assert_eq!(grants(&r).iter().map(|g| g.0).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn item7_upgrade_deadlock_is_detected() {
    let mut h = Harness::new();
    let s1 = grants(&h.acquire(1, "db", S));
    h.acquire(2, "db", S);
    assert!(
        h.acquire(1, "db", X).is_empty(),
        "upgrade waits for the other reader"
    );
    assert_eq!(
        outputs(&h.acquire(2, "db", X)),
        vec![(2, LockOutput::Deadlock)]
    );
    // Reader 2 still holds S; when it releases, the upgrade goes through with the same lock_id.
    let lock2 = h
        .table
        .holders("db")
        .iter()
        .find(|x| x.client == 2)
        .unwrap()
        .lock_id;
    let r = h.release(2, "db", lock2);
    let up = grants(&r);
    assert_eq!(up.len(), 1);
    assert_eq!((up[0].0, up[0].1), (1, s1[0].1));
    assert!(
        up[0].2 > s1[0].2,
        "an upgrade is a new grant with a new token"
    );
    assert_eq!(h.table.held_by("db", 1), Some(X));
}

#[test]
fn item7_sole_reader_upgrades_immediately() {
    let mut h = Harness::new();
    h.acquire(1, "db", S);
    let g = grants(&h.send(1, acq("db", X, None, 0)));
    assert_eq!(g.len(), 1);
    assert_eq!(h.table.holders("db").len(), 1);
    assert_eq!(h.table.held_by("db", 1), Some(X));
}

#[test]
fn item8_timeout_removes_only_the_expired_waiter() {
    let mut h = Harness::new();
    let g = grants(&h.acquire(1, "db", X));
    h.send(2, acq("db", X, Some(50_000), 0));
    h.send(3, acq("db", X, Some(1_000), 0));
    h.send(4, acq("db", S, Some(50_000), 0));
    assert_eq!(h.table.housekeeping(999 * MS), None);
    h.at(1_000 * MS);
    assert_eq!(h.table.housekeeping(h.time), Some(LockCmd::Tick));
    assert_eq!(outputs(&h.tick()), vec![(3, LockOutput::Timeout)]);
    let order: Vec<_> = h
        .table
        .status("db")
        .waiters
        .iter()
        .map(|w| w.client)
        .collect();
    assert_eq!(order, vec![2, 4]);
    let r = h.release(1, "db", g[0].1);
    assert_eq!(grants(&r).iter().map(|g| g.0).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn try_lock_never_queues() {
    let mut h = Harness::new();
    h.acquire(1, "db", S);
    assert!(grants(&h.send(2, acq("db", S, None, 0))).len() == 1);
    let r = h.send(3, acq("db", X, Some(0), 0));
    assert_eq!(
        outputs(&r),
        vec![(
            3,
            LockOutput::Conflict {
                resource: "db".into()
            }
        )]
    );
    assert!(h.table.status("db").waiters.is_empty());
}

#[test]
fn a_newer_request_supersedes_a_queued_one() {
    let mut h = Harness::new();
    h.acquire(1, "db", X);
    h.acquire(2, "db", X);
    let r = h.send(
        2,
        LockCmd::Status {
            resource: "db".into(),
        },
    );
    match &r[0].output {
        LockOutput::Status(s) => assert!(s.waiters.is_empty()),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn digest_tracks_state_and_labels_read_well() {
    let mut a = Harness::new();
    let mut b = Harness::new();
    for h in [&mut a, &mut b] {
        h.acquire(1, "db", X);
        h.acquire(2, "db", S);
    }
    assert_eq!(a.table.digest(), b.table.digest());
    b.acquire(3, "db", S);
    assert_ne!(a.table.digest(), b.table.digest());
    assert_eq!(
        LockTable::label(&acq("db", X, Some(30_000), 0)),
        "acq db X 30000ms"
    );
    assert_eq!(LockTable::label(&acq("db", S, None, 0)), "try db S");
}

#[test]
fn a_superseded_head_unblocks_the_queue() {
    let mut h = Harness::new();
    let s1 = grants(&h.acquire(1, "db", S));
    assert!(h.acquire(2, "db", X).is_empty());
    assert!(h.acquire(3, "db", S).is_empty(), "S3 waits behind X2");
    // Client 2 gives up (e.g. crashed and restarted) and sends something new.
    let r = h.send(
        2,
        LockCmd::Status {
            resource: "other".into(),
        },
    );
    assert_eq!(grants(&r).iter().map(|g| g.0).collect::<Vec<_>>(), vec![3]);
    assert!(s1[0].2 < grants(&r)[0].2);
}

#[test]
fn an_upgrade_whose_shared_lease_expired_becomes_a_plain_request() {
    let mut h = Harness::new();
    h.send(1, acq("db", S, None, 100));
    let s2 = grants(&h.send(2, acq("db", S, None, 0)));
    assert!(
        h.send(1, acq("db", X, Some(10_000), 0)).is_empty(),
        "upgrade waits for S2"
    );
    h.at(100 * MS);
    assert!(
        h.tick().is_empty(),
        "S1 expired; the request now waits as a plain X"
    );
    assert_eq!(h.table.holders("db").len(), 1);
    let r = h.release(2, "db", s2[0].1);
    let g = grants(&r);
    assert_eq!(g.iter().map(|g| g.0).collect::<Vec<_>>(), vec![1]);
    assert_eq!(h.table.held_by("db", 1), Some(X));
}
