//! The queue's own reasons, driven through the state machine the way the partition's Raft
//! leader does it: `why` before the entry is applied, `apply`, then `why` with its replies.

use super::reasons::describe;
use super::sm::QueueSm;
use super::types::*;
use crate::base::MS;
use crate::raft::{ApplyCtx, RequestId, StateMachine};

/// Apply `cmd` at `ms` as client 9's request `seq` (0: housekeeping); the reasons it gave.
fn step(sm: &mut QueueSm, ms: u64, seq: u64, cmd: QueueCmd) -> Vec<(&'static str, String)> {
    let ctx = ApplyCtx {
        index: 1,
        term: 1,
        time: ms * MS,
    };
    let req = (seq > 0).then_some(RequestId { client: 9, seq });
    let mut why = Vec::new();
    sm.why(&ctx, req, &cmd, None, &mut why);
    let mut replies = Vec::new();
    sm.apply(&ctx, req, &cmd, &mut replies);
    sm.why(&ctx, req, &cmd, Some(&replies), &mut why);
    why.iter()
        .map(|w| describe("n1", w).expect("a queue reason"))
        .map(|r| (r.code, r.text))
        .collect()
}

fn deq() -> QueueCmd {
    QueueCmd::Dequeue { visibility_ms: 100 }
}

fn ack(seq: u64, delivery_id: u64) -> QueueCmd {
    QueueCmd::Ack { seq, delivery_id }
}

#[test]
fn expiry_redelivery_dead_letter_and_refused_acks_say_why() {
    let mut sm = QueueSm::default();
    let enq = QueueCmd::Enqueue {
        body: "a".into(),
        key: "k".into(),
        priority: 1,
        max_receive: 2,
    };
    assert!(step(&mut sm, 10, 1, enq).is_empty());
    assert!(step(&mut sm, 20, 2, deq()).is_empty(), "delivery d1");
    assert_eq!(
        step(&mut sm, 130, 0, QueueCmd::Expire),
        vec![("visibility-expired", "queue partition (leader n1): message 1's visibility timeout expired before an ack: it is ready again (received 1 of at most 2 times)".into())]
    );
    assert!(step(&mut sm, 140, 3, deq()).is_empty(), "delivery d2");
    assert_eq!(
        step(&mut sm, 150, 4, ack(1, 1)),
        vec![("ack-refused", "queue partition (leader n1): the ack of message 1 with delivery d1 is refused: its current delivery is d2: d1's visibility timeout expired and the message was delivered again".into())]
    );
    // A dequeue expires due deliveries first, and says so.
    let r = step(&mut sm, 250, 5, deq());
    assert_eq!(
        r,
        vec![("visibility-expired", "queue partition (leader n1): message 1's visibility timeout expired before an ack: it is ready again (received 2 of at most 2 times)".into())]
    );
    assert_eq!(
        step(&mut sm, 360, 0, QueueCmd::Expire),
        vec![("dead-lettered", "queue partition (leader n1): message 1's visibility timeout expired again: it was received 3 times, more than max_receive = 2, so it goes to the dead-letter queue".into())]
    );
    assert_eq!(
        step(&mut sm, 370, 6, ack(1, 3)),
        vec![("ack-refused", "queue partition (leader n1): the ack of message 1 with delivery d3 is refused: d3's visibility timeout expired and the message is in the dead-letter queue".into())]
    );
    // A retried dequeue (same client and seq) does not run, so it expires nothing.
    assert!(step(&mut sm, 370, 5, deq()).is_empty());
}

#[test]
fn a_double_ack_is_refused_and_says_so() {
    let mut sm = QueueSm::default();
    let enq = QueueCmd::Enqueue {
        body: "b".into(),
        key: "k".into(),
        priority: 1,
        max_receive: 3,
    };
    step(&mut sm, 10, 1, enq);
    step(&mut sm, 20, 2, deq());
    assert!(
        step(&mut sm, 30, 3, ack(1, 1)).is_empty(),
        "the ack is taken"
    );
    assert_eq!(
        step(&mut sm, 40, 4, ack(1, 1)),
        vec![("ack-refused", "queue partition (leader n1): the ack of message 1 with delivery d1 is refused: it was already acknowledged (a double ack)".into())]
    ); // The same request again (a retry: same client and seq) is not refused a second time.
    assert_eq!(
        step(&mut sm, 50, 4, ack(1, 1)),
        vec![("ack-replayed", "queue partition (leader n1): a retry of the client's request 4 (1 ack, first: message 1 with delivery d1) gets its recorded answer again: the partition does not apply a request twice (exactly-once sessions, Raft thesis §6.3)".into())]
    );
}

/// No replica of the key's partition answers: the enqueue fails with 503 and says why.
#[test]
fn an_enqueue_without_a_quorum_fails_with_503_and_says_why() {
    use super::client::{QueueClient, QueueOp, Submit, TIMER_ATTEMPT};
    use super::placement::partition_of;
    use super::sm_tests::client_effects;
    use crate::sim::{Effect, Note};
    let mut c = QueueClient::new(5, vec![0, 1, 2], None);
    let op = QueueOp::Enqueue {
        message: "m".into(),
        priority: 4,
        key: Some("orders".into()),
        max_receive: None,
    };
    client_effects(&mut c, 0, |c, x| c.submit(x, Submit { target: None, op }));
    let mut now = 0;
    let mut notes = Vec::new();
    while c.history()[0].result.is_none() {
        now += 300 * MS;
        let mut rng = crate::base::SimRng::new(1);
        let mut out = Vec::new();
        let durable = super::server::QueueDurable::default();
        let mut ctx = crate::sim::Ctx {
            now,
            me: 5,
            rng: &mut rng,
            durable: &durable,
            out: &mut out,
            notes: true,
        };
        c.on_timer(&mut ctx, TIMER_ATTEMPT);
        notes.extend(out.into_iter().filter_map(|e| match e {
            Effect::Note(Note::Why(w)) => describe("c1", &w),
            _ => None,
        }));
    }
    let p = partition_of("orders");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].code, "queue-unavailable");
    assert_eq!(
        notes[0].text,
        format!("c1's enqueue fails with 503: partition p{p} has no leader with a quorum that answered within 2000 ms (its replicas are down or cut off, so nothing can be committed)")
    );
}
