//! The queue's console routes (the seeds' shapes) and the rendering of results.
//!
//! - `POST /queue/enqueue {"message": "...", "priority": 1..10, "key"?: "...",
//!   "max_receive"?: n}` → 200 `{message_id, enqueued_at}`
//! - `GET /queue/dequeue[?visibility_timeout=SECONDS]` → 200 `{message_id, message,
//!   dequeued_at, delivery_id, redelivered}` or 204
//! - `POST /queue/ack {"message_id": "p3-1", "delivery_id": 7}` → 200, 409 (stale or double
//!   ack, with the reason), 404 (unknown message)
//! - `GET /queue/status` → `{queue_length, pending_messages, in_flight, dead_letter}`
//! - `POST /queue/ring/join {"node": "n4"}`, `POST /queue/ring/leave {"node": "n4"}` (`node`
//!   is a name "n4" or a 1-based number 4) → 200 with the change and the moved fraction.
//!
//! Errors name the field (400), the path (404) or the method (405). Times in responses are
//! milliseconds of virtual time.

use serde_json::{json, Map, Value};

use super::client::{QueueOp, QueueResult};
use super::lines::{join_line, leave_line, node_name};
use super::types::{parse_message_id, RingChange, MAX_PRIORITY, MIN_PRIORITY};
use super::view::BALANCE_KEYS;
use crate::ring::metrics;
use crate::service::console::split_line;
use crate::service::ApiRejection;
use crate::sim::{ActorId, MS};

/// The longest message body and key accepted.
pub const MAX_MESSAGE: usize = 4096;
pub const MAX_KEY: usize = 256;

fn bad(msg: impl Into<String>) -> ApiRejection {
    ApiRejection::new(400, msg)
}

/// Parse one console line of the queue's routes. Never panics.
pub fn parse(line: &str) -> Result<QueueOp, ApiRejection> {
    let head = split_line(line)?;
    let allowed = match head.path {
        "/queue/enqueue" | "/queue/ack" | "/queue/ring/join" | "/queue/ring/leave" => "POST",
        "/queue/dequeue" | "/queue/status" => "GET",
        p => return Err(ApiRejection::new(404, format!("no route for `{p}`"))),
    };
    if head.method != allowed {
        return Err(ApiRejection::new(
            405,
            format!("`{}` accepts {allowed}, not {}", head.path, head.method),
        ));
    }
    if allowed == "GET" {
        if !head.body.is_empty() {
            return Err(bad("body: this GET request takes no body"));
        }
        return match head.path {
            "/queue/status" if head.query.is_empty() => Ok(QueueOp::Status),
            "/queue/status" => Err(bad("query: GET /queue/status takes no parameters")),
            _ => Ok(QueueOp::Dequeue {
                visibility_ms: visibility(head.query)?,
            }),
        };
    }
    if !head.query.is_empty() {
        return Err(bad(
            "query: POST requests take their fields in the JSON body",
        ));
    }
    let body = object(head.body)?;
    match head.path {
        "/queue/enqueue" => enqueue(&body),
        "/queue/ack" => {
            let message_id = string(&body, "message_id", 64)?;
            if parse_message_id(&message_id).is_none() {
                return Err(bad(format!(
                    "message_id: `{message_id}` is not a queue message id (like \"p3-17\")"
                )));
            }
            Ok(QueueOp::Ack {
                message_id,
                delivery_id: integer(&body, "delivery_id", 1, u64::MAX)?,
            })
        }
        path => {
            let node = node(&body)?;
            let change = if path.ends_with("join") {
                RingChange::Join(node)
            } else {
                RingChange::Leave(node)
            };
            Ok(QueueOp::Ring { change })
        }
    }
}

fn enqueue(body: &Map<String, Value>) -> Result<QueueOp, ApiRejection> {
    for k in body.keys() {
        if !["message", "priority", "key", "max_receive"].contains(&k.as_str()) {
            return Err(bad(format!(
                "{k}: unknown field (expected message, priority, key, max_receive)"
            )));
        }
    }
    let message = string(body, "message", MAX_MESSAGE)?;
    let priority = integer(
        body,
        "priority",
        u64::from(MIN_PRIORITY),
        u64::from(MAX_PRIORITY),
    )? as u8;
    let key = match body.get("key") {
        None | Some(Value::Null) => None,
        Some(_) => Some(string(body, "key", MAX_KEY)?),
    };
    let max_receive = match body.get("max_receive") {
        None | Some(Value::Null) => None,
        Some(_) => Some(integer(body, "max_receive", 1, 100)? as u32),
    };
    Ok(QueueOp::Enqueue {
        message: message.into(),
        priority,
        key,
        max_receive,
    })
}

fn object(body: &str) -> Result<Map<String, Value>, ApiRejection> {
    if body.is_empty() {
        return Err(bad("body: missing JSON body"));
    }
    match crate::base::json_text::parse(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad("body: expected a JSON object")),
        Err(e) => Err(bad(format!("body: invalid JSON: {e}"))),
    }
}

fn string(body: &Map<String, Value>, field: &str, max: usize) -> Result<String, ApiRejection> {
    match body.get(field) {
        None => Err(bad(format!("{field}: missing"))),
        Some(Value::String(s)) if s.is_empty() => Err(bad(format!("{field}: must not be empty"))),
        Some(Value::String(s)) if s.len() > max => {
            Err(bad(format!("{field}: longer than {max} bytes")))
        }
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(bad(format!("{field}: must be a string"))),
    }
}

fn integer(body: &Map<String, Value>, field: &str, lo: u64, hi: u64) -> Result<u64, ApiRejection> {
    let v = body
        .get(field)
        .ok_or_else(|| bad(format!("{field}: missing")))?;
    match v.as_u64() {
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        _ if hi == u64::MAX => Err(bad(format!("{field}: must be an integer ≥ {lo}, got {v}"))),
        _ => Err(bad(format!(
            "{field}: must be an integer from {lo} to {hi}, got {v}"
        ))),
    }
}

/// `"n4"` or `4` (1-based) → actor 3.
fn node(body: &Map<String, Value>) -> Result<ActorId, ApiRejection> {
    let n = match body.get("node") {
        None => return Err(bad("node: missing (e.g. \"n4\")")),
        Some(Value::String(s)) => s.strip_prefix('n').and_then(|d| d.parse::<usize>().ok()),
        Some(v) => v.as_u64().map(|n| n as usize),
    };
    match n {
        Some(n) if (1..=crate::playground::MAX_NODES).contains(&n) => Ok(n - 1),
        _ => Err(bad(
            "node: expected a node name like \"n4\" (or its number 4)",
        )),
    }
}

/// `visibility_timeout=SECONDS` (0.001 to 43 200, SQS's maximum of 12 h).
fn visibility(query: &str) -> Result<Option<u64>, ApiRejection> {
    if query.is_empty() {
        return Ok(None);
    }
    let mut out = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k != "visibility_timeout" {
            return Err(bad(format!(
                "{k}: unknown query parameter (expected visibility_timeout)"
            )));
        }
        // `base::float` rather than `str::parse`, whose table the page would carry.
        match crate::base::float::parse_f64(v) {
            Some(s) if (0.001..=43_200.0).contains(&s) => out = Some((s * 1000.0).round() as u64),
            _ => {
                return Err(bad(format!(
                    "visibility_timeout: seconds from 0.001 to 43200, got `{v}`"
                )))
            }
        }
    }
    Ok(out)
}

/// The request line an operation corresponds to (the console's history).
pub fn render_op(op: &QueueOp) -> String {
    match op {
        QueueOp::Enqueue {
            message,
            priority,
            key,
            max_receive,
        } => {
            let mut b = json!({"message": message, "priority": priority});
            if let Some(k) = key {
                b["key"] = json!(k);
            }
            if let Some(m) = max_receive {
                b["max_receive"] = json!(m);
            }
            format!("POST /queue/enqueue {b}")
        }
        QueueOp::Dequeue {
            visibility_ms: Some(v),
        } => format!(
            "GET /queue/dequeue?visibility_timeout={}",
            crate::base::decimal::Short(*v as f64 / 1000.0, 3)
        ),
        QueueOp::Dequeue {
            visibility_ms: None,
        } => "GET /queue/dequeue".into(),
        QueueOp::Ack {
            message_id,
            delivery_id,
        } => format!(
            "POST /queue/ack {}",
            json!({"message_id": message_id, "delivery_id": delivery_id})
        ),
        QueueOp::Status => "GET /queue/status".into(),
        QueueOp::Ring { change } => match change {
            RingChange::Join(n) => join_line(&node_name(*n)),
            RingChange::Leave(n) => leave_line(&node_name(*n)),
            RingChange::Initial => "ring".into(),
        },
    }
}

fn names(nodes: &[ActorId]) -> Value {
    Value::Array(nodes.iter().map(|n| json!(format!("n{}", n + 1))).collect())
}

/// HTTP-like status and JSON body of a result.
pub fn render(result: &QueueResult) -> (u16, Value) {
    match result {
        QueueResult::Enqueued {
            message_id,
            enqueued_at,
        } => (
            200,
            json!({"message_id": message_id, "enqueued_at": enqueued_at / MS}),
        ),
        QueueResult::Delivered {
            message_id,
            message,
            priority,
            dequeued_at,
            delivery_id,
            redelivered,
            receive_count,
        } => (
            200,
            json!({
                "message_id": message_id,
                "message": message,
                "dequeued_at": dequeued_at / MS,
                "delivery_id": delivery_id,
                "redelivered": redelivered,
                "priority": priority,
                "receive_count": receive_count,
            }),
        ),
        QueueResult::Empty => (204, json!({"status": "empty"})),
        QueueResult::Acked { message_id } => (
            200,
            json!({"status": "acknowledged", "message_id": message_id}),
        ),
        QueueResult::AckRefused { message_id, error } => (
            error.status(),
            json!({"status": "error", "message_id": message_id, "error": error.reason()}),
        ),
        QueueResult::Status {
            queue_length,
            pending,
            in_flight,
            dead_letter,
        } => (
            200,
            json!({
                "queue_length": queue_length,
                "pending_messages": pending,
                "in_flight": in_flight,
                "dead_letter": dead_letter,
            }),
        ),
        QueueResult::Ring {
            epoch,
            before,
            after,
            change,
            lagging,
        } => {
            let keys = metrics::sample_keys(BALANCE_KEYS);
            let m = metrics::movement(
                &super::placement::ring_of(before),
                &super::placement::ring_of(after),
                &keys,
            );
            let mut b = json!({
                "epoch": epoch,
                "members": names(after),
                "moved": format!("{}/{}", m.moved, m.keys),
                "moved_fraction": (m.fraction * 1000.0).round() / 1000.0,
                "ideal_fraction": (m.ideal * 1000.0).round() / 1000.0,
            });
            match change {
                RingChange::Join(n) => b["joined"] = json!(format!("n{}", n + 1)),
                RingChange::Leave(n) => b["left"] = json!(format!("n{}", n + 1)),
                RingChange::Initial => {}
            }
            if !lagging.is_empty() {
                b["lagging_partitions"] = json!(lagging);
            }
            (200, b)
        }
        QueueResult::Refused { status, reason } => {
            (*status, json!({"status": "error", "error": reason}))
        }
        QueueResult::Unavailable { reason } => (503, json!({"status": "error", "error": reason})),
    }
}
