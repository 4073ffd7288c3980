//! Handler tests: the partition state machine's replies and the client's effects, compared
//! whole.

use super::client::{QueueClient, QueueOp, QueueResult, QueueWorkload, Submit};
use super::client::{TIMER_ACKS, TIMER_ATTEMPT, TIMER_NEXT};
use super::placement::partition_of;
use super::server::QueueDurable;
use super::sm::QueueSm;
use super::types::*;
use crate::base::{SimRng, MS};
use crate::raft::{ApplyCtx, ClientOp, ClientResult, Reply, RequestId, StateMachine, Wire};
use crate::service::groups::GroupMsg;
use crate::sim::{Ctx, Effect};

fn at(index: u64, ms: u64) -> ApplyCtx {
    ApplyCtx {
        index,
        term: 1,
        time: ms * MS,
    }
}

fn req(seq: u64) -> Option<RequestId> {
    Some(RequestId { client: 9, seq })
}

fn apply(
    sm: &mut QueueSm,
    ctx: ApplyCtx,
    r: Option<RequestId>,
    cmd: QueueCmd,
) -> Vec<Reply<QueueOutput>> {
    let mut out = Vec::new();
    sm.apply(&ctx, r, &cmd, &mut out);
    out
}

fn enq(body: &str, priority: u8) -> QueueCmd {
    QueueCmd::Enqueue {
        body: body.into(),
        key: "k".into(),
        priority,
        max_receive: 3,
    }
}

#[test]
fn replies_of_enqueue_dequeue_ack_and_a_retried_request() {
    let mut sm = QueueSm::default();
    let r1 = apply(&mut sm, at(1, 10), req(1), enq("a", 3));
    assert_eq!(
        r1,
        vec![Reply {
            to: req(1).unwrap(),
            output: QueueOutput::Enqueued {
                seq: 1,
                enqueued_at: 10 * MS
            }
        }]
    );
    // The same (client, seq) applied again (a retry that reached a new leader): the same
    // answer, and the message is not stored twice.
    assert_eq!(apply(&mut sm, at(2, 11), req(1), enq("a", 3)), r1);
    assert_eq!(sm.ready_count(), 1);
    apply(&mut sm, at(3, 12), req(2), enq("b", 9));
    let d = apply(
        &mut sm,
        at(4, 20),
        req(3),
        QueueCmd::Dequeue { visibility_ms: 100 },
    );
    let delivery = Delivery {
        seq: 2,
        body: "b".into(),
        priority: 9,
        dequeued_at: 20 * MS,
        delivery_id: 1,
        redelivered: false,
        receive_count: 1,
    };
    assert_eq!(
        d,
        vec![Reply {
            to: req(3).unwrap(),
            output: QueueOutput::Delivered(delivery)
        }]
    );
    assert_eq!(sm.housekeeping(119 * MS), None, "not due yet");
    assert_eq!(sm.housekeeping(120 * MS), Some(QueueCmd::Expire));
    let ack = |seq, delivery_id| QueueCmd::Ack { seq, delivery_id };
    assert_eq!(
        apply(&mut sm, at(5, 30), req(4), ack(2, 7)),
        vec![Reply {
            to: req(4).unwrap(),
            output: QueueOutput::AckRefused {
                seq: 2,
                error: AckError::StaleDelivery
            }
        }]
    );
    assert_eq!(
        apply(&mut sm, at(6, 31), req(5), ack(2, 1))[0].output,
        QueueOutput::Acked { seq: 2 }
    );
    assert_eq!(
        apply(&mut sm, at(7, 32), req(6), ack(2, 1))[0].output,
        QueueOutput::AckRefused {
            seq: 2,
            error: AckError::AlreadyAcked
        }
    );
    assert_eq!(
        apply(&mut sm, at(8, 33), req(7), ack(40, 1))[0].output,
        QueueOutput::AckRefused {
            seq: 40,
            error: AckError::UnknownMessage
        }
    );
    // Housekeeping entries answer nobody.
    assert!(apply(&mut sm, at(9, 500), None, QueueCmd::Expire).is_empty());
    assert_eq!(
        (sm.ready_count(), sm.in_flight_count(), sm.dead_count()),
        (1, 0, 0)
    );
    sm.check_indexes().unwrap();
}

#[test]
fn the_ring_version_only_moves_forward_and_replicas_agree_on_digests() {
    let mut a = QueueSm::default();
    let set = |epoch, members: Vec<usize>| QueueCmd::SetRing {
        epoch,
        members,
        change: RingChange::Leave(4),
    };
    apply(&mut a, at(1, 1), None, set(2, vec![0, 1, 2, 3]));
    let stale = apply(&mut a, at(2, 2), req(1), set(1, vec![0, 1, 2]));
    assert_eq!(
        stale[0].output,
        QueueOutput::Ring {
            epoch: 2,
            members: vec![0, 1, 2, 3]
        }
    );
    let mut b = QueueSm::default();
    apply(&mut b, at(1, 1), None, set(2, vec![0, 1, 2, 3]));
    apply(&mut b, at(2, 2), req(1), set(1, vec![0, 1, 2]));
    assert_eq!(a.digest(), b.digest());
    apply(&mut b, at(3, 3), None, enq("x", 1));
    assert_ne!(a.digest(), b.digest());
}

/// A client handler's effects, as text (shared with the ack lanes' tests).
pub(super) fn client_effects(
    c: &mut QueueClient,
    now: u64,
    f: impl FnOnce(&mut QueueClient, &mut Ctx<'_, super::server::QueueWire, QueueDurable>),
) -> Vec<String> {
    let mut rng = SimRng::new(1);
    let mut out = Vec::new();
    let durable = QueueDurable::default();
    let mut ctx = Ctx {
        now,
        me: 5,
        rng: &mut rng,
        durable: &durable,
        out: &mut out,
        notes: true,
    };
    f(c, &mut ctx);
    out.iter()
        .map(|e| match e {
            Effect::Send { to, msg } => format!("send {to} {msg:?}"),
            Effect::SetTimer { kind, after } => format!("timer {kind} {after}"),
            Effect::CancelTimer { kind } => format!("cancel {kind}"),
            Effect::Persist(_) => "persist".into(),
            Effect::Note(n) => format!("{n:?}"),
        })
        .collect()
}

#[test]
fn a_client_sends_an_enqueue_to_its_keys_partition_and_follows_a_redirect() {
    let mut c = QueueClient::new(5, vec![0, 1, 2, 3, 4], None);
    let op = QueueOp::Enqueue {
        message: "m".into(),
        priority: 4,
        key: Some("orders".into()),
        max_receive: None,
    };
    let p = partition_of("orders");
    let request = |to: usize| {
        let msg: Wire<QueueSm> = Wire::Request {
            id: RequestId { client: 5, seq: 1 },
            op: ClientOp::Cmd(QueueCmd::Enqueue {
                body: "m".into(),
                key: "orders".into(),
                priority: 4,
                max_receive: 3,
            }),
        };
        format!("send {to} {:?}", GroupMsg { group: p, msg })
    };
    let start = client_effects(&mut c, 0, |c, x| {
        c.submit(
            x,
            Submit {
                target: Some(2),
                op,
            },
        )
    });
    assert_eq!(
        start,
        vec![
            "Invoke { op: 1 }".to_string(),
            request(2),
            format!("timer {TIMER_ATTEMPT} {}", 300 * MS),
        ]
    );
    // n3 is not the leader and names n5: the same request (same id) goes there at once.
    let redirect = GroupMsg {
        group: p,
        msg: Wire::Response {
            id: RequestId { client: 5, seq: 1 },
            result: ClientResult::NotLeader { leader: Some(4) },
        },
    };
    let next = client_effects(&mut c, MS, |c, x| c.on_message(x, 2, redirect));
    assert_eq!(
        next,
        vec![request(4), format!("timer {TIMER_ATTEMPT} {}", 300 * MS)]
    );
}

/// A consumer's background ack batch travels beside its next dequeue to the same partition.
/// Whichever applies second must still run: the batch has its own session lane (with one
/// shared session the later-numbered dequeue would make the batch "stale" and drop it, and
/// the message would come back as a duplicate). A retried batch is answered from its record,
/// never taken for a double ack.
#[test]
fn an_ack_batch_and_a_dequeue_in_flight_together_both_apply() {
    let mut sm = QueueSm::default();
    apply(&mut sm, at(1, 1), None, enq("a", 5));
    apply(&mut sm, at(2, 1), None, enq("b", 5));
    apply(&mut sm, at(3, 1), None, enq("c", 5));
    let deq = QueueCmd::Dequeue {
        visibility_ms: 1_000,
    };
    apply(&mut sm, at(4, 2), req(1), deq.clone());
    apply(&mut sm, at(5, 3), req(2), deq.clone());
    // The client sent batch 3 (acking a and b, and a made-up delivery of c), then dequeue 4;
    // the dequeue applies first.
    let got = apply(&mut sm, at(6, 4), req(4), deq);
    assert!(matches!(got[0].output, QueueOutput::Delivered(ref d) if d.seq == 3));
    let batch = QueueCmd::AckBatch {
        acks: vec![(1, 1), (2, 2), (3, 9)].into(),
    };
    let answer = QueueOutput::AckBatch(
        vec![(1, None), (2, None), (3, Some(AckError::StaleDelivery))].into(),
    );
    let replies = apply(&mut sm, at(7, 5), req(3), batch.clone());
    assert_eq!(
        replies,
        vec![Reply {
            to: req(3).unwrap(),
            output: answer.clone()
        }]
    );
    assert_eq!((sm.ready_count(), sm.in_flight_count()), (0, 1));
    assert!(sm.was_acked(1) && sm.was_acked(2));
    // The retry (same request id) replays the answer; a new batch is a double ack.
    assert_eq!(apply(&mut sm, at(8, 6), req(3), batch)[0].output, answer);
    let again = QueueCmd::AckBatch {
        acks: vec![(1, 1)].into(),
    };
    assert_eq!(
        apply(&mut sm, at(9, 7), req(5), again)[0].output,
        QueueOutput::AckBatch(vec![(1, Some(AckError::AlreadyAcked))].into())
    );
    sm.check_indexes().unwrap();
    assert_eq!(
        QueueSm::label(&QueueCmd::AckBatch {
            acks: vec![(1, 1), (2, 2)].into()
        }),
        "ack ×2"
    );
}

fn group(p: u32, msg: Wire<QueueSm>) -> String {
    format!("{:?}", GroupMsg { group: p, msg })
}

/// A consumer does not wait for its ack: when it is done with a delivery, the ack (as a batch
/// on the partition's lane) and the next dequeue leave together; the ack's record completes
/// when its batch is answered, after the dequeue's record was opened.
#[test]
fn a_consumer_acks_in_the_background_while_its_next_dequeue_runs() {
    let mut w = QueueWorkload::consumer(1.0);
    w.think = (0, 0);
    let mut c = QueueClient::new(5, vec![0, 1, 2], Some(w));
    let deq = |seq| Wire::Request {
        id: RequestId { client: 5, seq },
        op: ClientOp::Cmd(QueueCmd::Dequeue {
            visibility_ms: 10_000,
        }),
    };
    let answer = |seq, output| Wire::<QueueSm>::Response {
        id: RequestId { client: 5, seq },
        result: ClientResult::Ok(output),
    };
    client_effects(&mut c, 0, |c, x| c.on_start(x));
    // The scan starts at partition 5 (the client's id); n3 answers with message p5-7.
    let first = client_effects(&mut c, 0, |c, x| c.on_timer(x, TIMER_NEXT));
    assert_eq!(first[1], format!("send 0 {}", group(5, deq(1))));
    let delivery = Delivery {
        seq: 7,
        body: "m".into(),
        priority: 5,
        dequeued_at: 10 * MS,
        delivery_id: 4,
        redelivered: false,
        receive_count: 1,
    };
    let got = answer(1, QueueOutput::Delivered(delivery));
    let done = client_effects(&mut c, 10 * MS, |c, x| {
        c.on_message(x, 2, GroupMsg { group: 5, msg: got })
    });
    assert_eq!(
        done,
        vec![
            "cancel 0",
            "cancel 1",
            "Complete { op: 1, ok: true }",
            &format!("timer {TIMER_NEXT} 0")
        ]
    );
    let batch = Wire::Request {
        id: RequestId { client: 5, seq: 2 },
        op: ClientOp::Cmd(QueueCmd::AckBatch {
            acks: vec![(7, 4)].into(),
        }),
    };
    let next = client_effects(&mut c, 10 * MS, |c, x| c.on_timer(x, TIMER_NEXT));
    assert_eq!(
        next,
        vec![
            "Invoke { op: 2 }".to_string(),
            format!("send 2 {}", group(5, batch)),
            format!("timer {TIMER_ACKS} {}", 300 * MS),
            "Invoke { op: 3 }".to_string(),
            format!("send 1 {}", group(6, deq(3))),
            format!("timer {TIMER_ATTEMPT} {}", 300 * MS),
        ],
        "the ack goes to p5's last leader (n3), the dequeue scans on at p6 (its first replica)"
    );
    assert!(c.is_busy() && c.acks_outstanding() == 1);
    let acked = answer(2, QueueOutput::AckBatch(vec![(7, None)].into()));
    let later = client_effects(&mut c, 20 * MS, |c, x| {
        c.on_message(
            x,
            2,
            GroupMsg {
                group: 5,
                msg: acked,
            },
        )
    });
    assert_eq!(
        later,
        vec![
            "Complete { op: 2, ok: true }".to_string(),
            format!("cancel {TIMER_ACKS}")
        ]
    );
    assert_eq!(c.acks_outstanding(), 0);
    assert_eq!(
        c.history()[1].result,
        Some(QueueResult::Acked {
            message_id: "p5-7".into()
        })
    );
    assert_eq!(c.history()[2].result, None, "the dequeue is still running");
}
