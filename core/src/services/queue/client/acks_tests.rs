//! The ack lanes' effects, compared whole: batching while a request is in flight, a retry
//! with the same request id, and 503 once the partition timeout passes.

use super::super::{QueueClient, QueueResult};
use super::{ACK_BATCH, TIMER_ACKS};
use crate::base::{MS, SEC};
use crate::raft::{ClientOp, ClientResult, RequestId, Wire};
use crate::service::groups::GroupMsg;
use crate::services::queue::sm::QueueSm;
use crate::services::queue::sm_tests::client_effects;
use crate::services::queue::types::{AckError, QueueCmd, QueueOutput};

fn batch(seq: u64, acks: Vec<(u64, u64)>) -> String {
    let msg: Wire<QueueSm> = Wire::Request {
        id: RequestId { client: 5, seq },
        op: ClientOp::Cmd(QueueCmd::AckBatch { acks: acks.into() }),
    };
    format!("{:?}", GroupMsg { group: 5, msg })
}

fn answer(seq: u64, result: ClientResult<QueueOutput>) -> GroupMsg<Wire<QueueSm>> {
    GroupMsg {
        group: 5,
        msg: Wire::Response {
            id: RequestId { client: 5, seq },
            result,
        },
    }
}

#[test]
fn acks_arriving_while_a_batch_is_in_flight_go_together_in_the_next() {
    let mut c = QueueClient::new(5, vec![0, 1, 2], None);
    let first = client_effects(&mut c, 0, |c, x| c.ack_in_background(x, "p5-1".into(), 1));
    assert_eq!(
        first,
        vec![
            "Invoke { op: 1 }".to_string(),
            format!("send 0 {}", batch(1, vec![(1, 1)])),
            format!("timer {TIMER_ACKS} {}", 300 * MS),
        ]
    );
    // Two more for p5 wait behind it (their records open, nothing is sent); one for a bad id
    // is refused at once.
    let wait = client_effects(&mut c, MS, |c, x| {
        c.ack_in_background(x, "p5-2".into(), 2);
        c.ack_in_background(x, "p5-3".into(), 3);
        c.ack_in_background(x, "nope".into(), 1);
    });
    assert_eq!(
        wait,
        vec![
            "Invoke { op: 2 }".to_string(),
            format!("timer {TIMER_ACKS} {}", 299 * MS),
            "Invoke { op: 3 }".to_string(),
            format!("timer {TIMER_ACKS} {}", 299 * MS),
            "Invoke { op: 4 }".to_string(),
            "Complete { op: 4, ok: false }".to_string(),
        ]
    );
    assert_eq!(c.acks_outstanding(), 3);
    let out = QueueOutput::AckBatch(vec![(1, None)].into());
    let done = client_effects(&mut c, 10 * MS, |c, x| {
        c.on_message(x, 2, answer(1, ClientResult::Ok(out)))
    });
    assert_eq!(
        done,
        vec![
            "Complete { op: 1, ok: true }".to_string(),
            format!("send 2 {}", batch(2, vec![(2, 2), (3, 3)])),
            format!("timer {TIMER_ACKS} {}", 300 * MS),
        ],
        "the waiting acks go as one batch, to the node that answered"
    );
    let out = QueueOutput::AckBatch(vec![(2, None), (3, Some(AckError::StaleDelivery))].into());
    client_effects(&mut c, 20 * MS, |c, x| {
        c.on_message(x, 2, answer(2, ClientResult::Ok(out)))
    });
    assert_eq!(c.acks_outstanding(), 0);
    let results: Vec<_> = c
        .history()
        .iter()
        .map(|r| r.result.clone().unwrap())
        .collect();
    assert_eq!(
        results[1],
        QueueResult::Acked {
            message_id: "p5-2".into()
        }
    );
    assert_eq!(
        results[2],
        QueueResult::AckRefused {
            message_id: "p5-3".into(),
            error: AckError::StaleDelivery
        }
    );
    assert!(
        matches!(&results[3], QueueResult::Refused { status: 400, reason } if reason.starts_with("message_id"))
    );
}

#[test]
fn a_batch_is_retried_with_its_request_id_and_fails_with_503_after_the_partition_timeout() {
    let mut c = QueueClient::new(5, vec![0, 1, 2], None);
    client_effects(&mut c, 0, |c, x| {
        for k in 1..=ACK_BATCH as u64 + 2 {
            c.ack_in_background(x, format!("p5-{k}"), k);
        }
    });
    // The first went alone at once; the others wait behind it.
    assert_eq!(c.acks_outstanding(), ACK_BATCH + 2);
    // n1 stays silent: after the attempt timeout the same request goes to the next replica.
    let retry = client_effects(&mut c, 300 * MS, |c, x| c.on_timer(x, TIMER_ACKS));
    assert_eq!(
        retry,
        vec![
            format!("send 1 {}", batch(1, vec![(1, 1)])),
            format!("timer {TIMER_ACKS} {}", 300 * MS),
        ]
    );
    // n2 has no leader to name: back off, then try the next one.
    let no_leader = answer(1, ClientResult::NotLeader { leader: None });
    let backoff = client_effects(&mut c, 310 * MS, |c, x| c.on_message(x, 1, no_leader));
    assert_eq!(backoff, vec![format!("timer {TIMER_ACKS} {}", 50 * MS)]);
    let again = client_effects(&mut c, 360 * MS, |c, x| c.on_timer(x, TIMER_ACKS));
    assert_eq!(again[0], format!("send 2 {}", batch(1, vec![(1, 1)])));
    // Nobody answers for 2 s: 503 for the batch's ack, and the next ACK_BATCH waiting go
    // (one more stays for the batch after).
    let mut now = 360 * MS;
    let mut last = Vec::new();
    while c.history()[0].result.is_none() {
        now += 300 * MS;
        last = client_effects(&mut c, now, |c, x| c.on_timer(x, TIMER_ACKS));
    }
    assert!(now >= 2 * SEC, "gave up at {now}");
    // The reason first (one for the batch): code 803, partition 5, 2000 ms, an ack.
    assert_eq!(last[0], "Why(Why { code: 803, v: [5, 2000, 1, 0, 0] })");
    assert_eq!(last[1], "Complete { op: 1, ok: false }");
    let acks: Vec<(u64, u64)> = (2..=ACK_BATCH as u64 + 1).map(|k| (k, k)).collect();
    assert!(last[2].ends_with(&batch(2, acks)), "{last:?}");
    assert!(matches!(
        &c.history()[0].result,
        Some(QueueResult::Unavailable { reason }) if reason.starts_with("partition p5")
    ));
    assert_eq!(c.acks_outstanding(), ACK_BATCH + 1);
}
