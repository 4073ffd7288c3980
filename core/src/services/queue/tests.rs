//! Scenario tests of the queue (REFERENCES §5, queue items) on a bare world of queue actors.

use super::client::{QueueOp, QueueResult};
use super::harness::World;

fn body(r: &QueueResult) -> String {
    match r {
        QueueResult::Delivered { message, .. } => message.clone(),
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
