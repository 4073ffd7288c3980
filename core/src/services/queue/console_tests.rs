//! The queue through the playground, as the UI does it: console lines, node actions, the view.

use serde_json::Value;

use super::api::parse;
use super::client::QueueOp;
use crate::playground::{Playground, PlaygroundConfig};
use crate::sim::SEC;

fn pg() -> Playground {
    let mut p = Playground::new(PlaygroundConfig::default()).unwrap();
    p.advance(2 * SEC);
    p
}

/// Send a line from client A to n1 and run until it is answered: (status, body).
fn send(p: &mut Playground, line: &str) -> (u16, Value) {
    let ticket = p.api_request("A", 0, line).expect("accepted");
    for _ in 0..100 {
        p.advance(100 * crate::sim::MS);
        let done = p.api_exchanges().into_iter().find(|e| {
            e.client == "A"
                && e.ticket == ticket
                && e.request.starts_with(line.split(' ').next().unwrap())
                && e.status.is_some()
        });
        if let Some(e) = done {
            let body = serde_json::from_str(e.body.as_deref().unwrap_or("null")).unwrap();
            return (e.status.unwrap(), body);
        }
    }
    panic!("no answer to {line}");
}

#[test]
fn malformed_requests_get_400_naming_the_field() {
    let cases = [
        (r#"POST /queue/enqueue {"priority":5}"#, "message"),
        (
            r#"POST /queue/enqueue {"message":"x","priority":11}"#,
            "priority",
        ),
        (
            r#"POST /queue/enqueue {"message":"x","priority":"high"}"#,
            "priority",
        ),
        (
            r#"POST /queue/enqueue {"message":"x","priority":5,"key":3}"#,
            "key",
        ),
        (
            r#"POST /queue/enqueue {"message":"x","priority":5,"colour":1}"#,
            "colour",
        ),
        ("POST /queue/enqueue {nope", "body"),
        ("POST /queue/enqueue", "body"),
        (
            r#"POST /queue/ack {"message_id":"zzz","delivery_id":1}"#,
            "message_id",
        ),
        (r#"POST /queue/ack {"message_id":"p1-2"}"#, "delivery_id"),
        (
            "GET /queue/dequeue?visibility_timeout=-1",
            "visibility_timeout",
        ),
        (r#"POST /queue/ring/join {"node":"x"}"#, "node"),
    ];
    for (line, field) in cases {
        let e = parse(line).expect_err(line);
        assert_eq!(e.status, 400, "{line}");
        assert!(e.message.starts_with(field), "{line}: {}", e.message);
    }
    assert_eq!(parse("GET /queue/nope").unwrap_err().status, 404);
    assert_eq!(parse("POST /queue/dequeue").unwrap_err().status, 405);
    assert_eq!(
        parse(r#"POST /queue/enqueue {"message":"m","priority":10,"key":"k"}"#).unwrap(),
        QueueOp::Enqueue {
            message: "m".into(),
            priority: 10,
            key: Some("k".into()),
            max_receive: None
        }
    );
    // Through the playground the rejection comes back at once, nothing is submitted.
    let mut p = pg();
    let r = p.api_request("A", 0, r#"POST /queue/enqueue {"message":"x"}"#);
    assert_eq!(r.unwrap_err().status, 400);
}

#[test]
fn console_round_trip_in_the_seed_shapes() {
    let mut p = pg();
    let (s, b) = send(
        &mut p,
        r#"POST /queue/enqueue {"message":"hi","priority":7,"key":"orders"}"#,
    );
    assert_eq!(s, 200, "{b}");
    let id = b["message_id"].as_str().unwrap().to_string();
    assert!(b["enqueued_at"].is_u64());
    let (s, b) = send(&mut p, "GET /queue/dequeue");
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["message_id"].as_str(), b["message"].as_str()),
        (Some(id.as_str()), Some("hi"))
    );
    assert_eq!(b["redelivered"], false);
    let d = b["delivery_id"].as_u64().unwrap();
    assert!(b["dequeued_at"].is_u64());
    let (s, b) = send(&mut p, "GET /queue/status");
    assert_eq!(s, 200);
    assert_eq!(
        (b["queue_length"].as_u64(), b["in_flight"].as_u64()),
        (Some(0), Some(1)),
        "{b}"
    );
    assert!(b["pending_messages"].is_array() && b["dead_letter"] == 0);
    let ack = format!(r#"POST /queue/ack {{"message_id":"{id}","delivery_id":{d}}}"#);
    assert_eq!(send(&mut p, &ack).0, 200);
    let (s, b) = send(&mut p, &ack);
    assert_eq!(s, 409, "a double ack is refused: {b}");
    assert!(b["error"]
        .as_str()
        .unwrap()
        .contains("already acknowledged"));
    assert_eq!(send(&mut p, "GET /queue/dequeue").0, 204);
    let v = p.queue_view();
    assert_eq!((v.counters.enqueued, v.counters.acked), (1, 1));
    assert_eq!(v.keys[0].key, "orders");
    assert!(p
        .invariants()
        .iter()
        .filter(|i| i.service == "queue")
        .all(|i| i.ok));
}

#[test]
fn node_actions_leave_and_join_the_ring_and_the_view_shows_the_move() {
    let mut p = pg();
    let v = p.queue_view();
    assert_eq!((v.vnodes_per_node, v.replicas, v.members.len()), (8, 3, 5));
    assert_eq!(v.vnodes.len(), 40);
    let leave = p
        .node_menu(4)
        .into_iter()
        .find(|i| i.key == "ring-leave")
        .unwrap();
    p.act(leave.action).unwrap();
    p.advance(5 * SEC);
    let v = p.queue_view();
    assert_eq!(v.members, [0, 1, 2, 3]);
    let c = v.last_change.clone().unwrap();
    assert_eq!((c.left, c.wrong_moves, c.total), (Some(4), 0, 1000));
    assert!(v
        .partitions
        .iter()
        .all(|x| !x.replicas.contains(&4) && x.replicas.len() == 3));
    assert!(v.depth[4].hosts.is_empty() && !v.depth[4].in_ring);
    let join = p
        .node_menu(4)
        .into_iter()
        .find(|i| i.key == "ring-join")
        .unwrap();
    p.act(join.action).unwrap();
    p.advance(5 * SEC);
    let v = p.queue_view();
    let c = v.last_change.unwrap();
    assert_eq!((c.joined, c.wrong_moves), (Some(4), 0));
    assert!(
        c.fraction > 0.5 * c.ideal && c.fraction < 1.5 * c.ideal,
        "{c:?}"
    );
    assert_eq!(c.moved_text, format!("{}/1000", c.moved));
    assert!(
        c.modulo_fraction > 0.5,
        "modulo hashing moves most keys: {c:?}"
    );
    assert!(v.partitions.iter().all(|x| x.replicas == {
        let mut d = x.desired.clone();
        d.sort_unstable();
        d
    }));
    let ex = p.api_exchanges();
    let last = ex.last().unwrap();
    assert_eq!(last.status, Some(200));
    assert!(
        last.body.as_deref().unwrap().contains("\"moved\""),
        "{last:?}"
    );
}
