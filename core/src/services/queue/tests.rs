//! Scenario tests of the queue (REFERENCES §5, queue items) on a bare world of queue actors.

use super::client::{QueueOp, QueueResult};
use super::harness::World;

fn body(r: &QueueResult) -> String {
    match r {
        QueueResult::Delivered { message, .. } => message.to_string(),
        other => panic!("expected a delivery, got {other:?}"),
    }
}

#[test]
fn smoke_enqueue_then_dequeue() {
    let mut w = World::new(1, 5, 1);
    let r = w.enqueue("hello", 5, Some("k"));
    assert!(matches!(r, QueueResult::Enqueued { .. }), "{r:?}");
    let d = w.dequeue(None);
    assert_eq!(body(&d), "hello");
    assert_eq!(w.dequeue(None), QueueResult::Empty);
    let s = w.run_op(0, QueueOp::Status);
    assert!(
        matches!(s, QueueResult::Status { in_flight: 1, .. }),
        "{s:?}"
    );
}

fn enqueued(r: &QueueResult) -> String {
    match r {
        QueueResult::Enqueued { message_id, .. } => message_id.clone(),
        other => panic!("expected an enqueue, got {other:?}"),
    }
}

fn delivery(r: &QueueResult) -> (String, u64, bool, u32) {
    match r {
        QueueResult::Delivered {
            message_id,
            delivery_id,
            redelivered,
            receive_count,
            ..
        } => (
            message_id.clone(),
            *delivery_id,
            *redelivered,
            *receive_count,
        ),
        other => panic!("expected a delivery, got {other:?}"),
    }
}

fn ack(w: &mut World, id: &str, delivery_id: u64) -> QueueResult {
    w.run_op(
        0,
        QueueOp::Ack {
            message_id: id.into(),
            delivery_id,
        },
    )
}

/// §5 queue 1: priorities 3, 9, 5, 9 (the second 9 later) on one key → 9a, 9b, 5, 3.
#[test]
fn priorities_dequeue_most_urgent_first_then_fifo() {
    let mut w = World::new(2, 5, 1);
    for (m, p) in [("three", 3), ("nine-a", 9), ("five", 5), ("nine-b", 9)] {
        enqueued(&w.enqueue(m, p, Some("orders")));
    }
    let order: Vec<String> = (0..4).map(|_| body(&w.dequeue(None))).collect();
    assert_eq!(order, ["nine-a", "nine-b", "five", "three"]);
    assert_eq!(w.dequeue(None), QueueResult::Empty);
}

/// §5 queue 2 and 3: no ack → visible again after the timeout with `redelivered` and
/// receive count 2; the old delivery's ack is stale; a second ack is a double ack.
#[test]
fn visibility_timeout_redelivers_and_stale_and_double_acks_are_refused() {
    let mut w = World::new(3, 5, 1);
    let id = enqueued(&w.enqueue("job", 5, Some("k")));
    let (id1, d1, re1, n1) = delivery(&w.dequeue(Some(500)));
    assert_eq!((id1.as_str(), re1, n1), (id.as_str(), false, 1));
    assert_eq!(
        w.dequeue(Some(500)),
        QueueResult::Empty,
        "invisible while in flight"
    );
    w.sim.run_for(600 * crate::sim::MS);
    let (id2, d2, re2, n2) = delivery(&w.dequeue(Some(5_000)));
    assert_eq!((id2.as_str(), re2, n2), (id.as_str(), true, 2));
    assert_ne!(d1, d2);
    let stale = ack(&mut w, &id, d1);
    assert!(
        matches!(
            stale,
            QueueResult::AckRefused {
                error: super::types::AckError::StaleDelivery,
                ..
            }
        ),
        "{stale:?}"
    );
    assert!(matches!(ack(&mut w, &id, d2), QueueResult::Acked { .. }));
    let double = ack(&mut w, &id, d2);
    assert!(
        matches!(
            double,
            QueueResult::AckRefused {
                error: super::types::AckError::AlreadyAcked,
                ..
            }
        ),
        "{double:?}"
    );
    let s = w.run_op(0, QueueOp::Status);
    assert!(
        matches!(
            s,
            QueueResult::Status {
                queue_length: 0,
                in_flight: 0,
                dead_letter: 0,
                ..
            }
        ),
        "{s:?}"
    );
}

/// §5 queue 4: max_receive = 3: three failed deliveries requeue, the 4th dead-letters.
#[test]
fn the_fourth_failed_delivery_moves_the_message_to_the_dead_letter_queue() {
    let mut w = World::new(4, 3, 1);
    enqueued(&w.run_op(
        0,
        QueueOp::Enqueue {
            message: "poison".into(),
            priority: 5,
            key: Some("k".into()),
            max_receive: Some(3),
        },
    ));
    for n in 1..=4 {
        let (_, _, _, count) = delivery(&w.dequeue(Some(200)));
        assert_eq!(count, n);
        w.sim.run_for(300 * crate::sim::MS);
    }
    assert_eq!(w.dequeue(Some(200)), QueueResult::Empty);
    let s = w.run_op(0, QueueOp::Status);
    assert!(
        matches!(
            s,
            QueueResult::Status {
                queue_length: 0,
                in_flight: 0,
                dead_letter: 1,
                ..
            }
        ),
        "{s:?}"
    );
}

/// §5 queue 5: R = 3, kill the partition's leader: every acknowledged message is still
/// delivered after failover.
#[test]
fn crashing_a_keys_leader_loses_no_acknowledged_message() {
    let mut w = World::new(5, 5, 1);
    let p = super::partition_of("orders");
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(enqueued(&w.enqueue(&format!("m{i}"), 5, Some("orders"))));
    }
    let leader = w.leader(p).unwrap();
    w.sim
        .apply(crate::sim::Action::Crash { node: leader })
        .unwrap();
    let mut got = Vec::new();
    loop {
        match w.dequeue(None) {
            QueueResult::Empty => break,
            r => got.push(delivery(&r).0),
        }
    }
    assert_eq!(got, ids, "every acknowledged message, in FIFO order");
    assert_ne!(w.leader(p), Some(leader));
}

/// §5 queue 6 and consistent hashing 4: a node joins → only partitions whose anchor's
/// preference list changed move, they move only *to* the joiner, and nothing is lost.
#[test]
fn a_join_moves_partitions_only_to_the_new_node_and_a_leave_only_from_the_leaver() {
    use super::placement::{placement, PARTITIONS};
    use super::types::RingChange;
    let mut w = World::new(6, 5, 2);
    for i in 0..16 {
        enqueued(&w.enqueue(&format!("m{i}"), 1 + (i % 10) as u8, Some(&format!("k{i}"))));
    }
    let all: Vec<usize> = (0..5).collect();
    let before: Vec<Vec<usize>> = (0..PARTITIONS).map(|p| w.voters(p)).collect();
    // n5 leaves.
    let r = w.run_op(
        0,
        QueueOp::Ring {
            change: RingChange::Leave(4),
        },
    );
    assert!(matches!(r, QueueResult::Ring { epoch: 1, .. }), "{r:?}");
    w.sim.run_for(5 * crate::sim::SEC);
    let four: Vec<usize> = (0..4).collect();
    let mut left = Vec::new();
    for p in 0..PARTITIONS {
        let mut want = placement(&four, p, None);
        want.sort_unstable();
        let now = w.voters(p);
        assert_eq!(now, want, "partition {p} follows the ring");
        let lost: Vec<_> = before[p as usize]
            .iter()
            .filter(|n| !now.contains(n))
            .collect();
        assert!(
            lost.iter().all(|&&n| n == 4),
            "p{p} lost only the leaver: {lost:?}"
        );
        left.push(now);
    }
    // n5 joins again: everything goes back, and only n5 gains.
    let r = w.run_op(
        0,
        QueueOp::Ring {
            change: RingChange::Join(4),
        },
    );
    assert!(matches!(r, QueueResult::Ring { epoch: 2, .. }), "{r:?}");
    w.sim.run_for(5 * crate::sim::SEC);
    for p in 0..PARTITIONS {
        let now = w.voters(p);
        let gained: Vec<_> = now
            .iter()
            .filter(|n| !left[p as usize].contains(n))
            .collect();
        assert!(
            gained.iter().all(|&&n| n == 4),
            "p{p} gained only the joiner: {gained:?}"
        );
        let mut want = placement(&all, p, None);
        want.sort_unstable();
        assert_eq!(now, want);
    }
    let mut n = 0;
    while !matches!(w.dequeue(None), QueueResult::Empty) {
        n += 1;
    }
    assert_eq!(n, 16, "no message lost while partitions moved");
    // Joining a member is refused with a reason.
    let again = w.run_op(
        0,
        QueueOp::Ring {
            change: RingChange::Join(4),
        },
    );
    assert!(
        matches!(again, QueueResult::Refused { status: 409, .. }),
        "{again:?}"
    );
}
