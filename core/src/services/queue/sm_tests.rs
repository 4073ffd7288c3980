//! Handler tests: the partition state machine's replies and the client's effects, compared
//! whole.

use super::client::{QueueClient, QueueOp, Submit, TIMER_ATTEMPT};
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

fn client_effects(
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
