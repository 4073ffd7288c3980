//! The request lines the Queue tab's forms send (the same text a user could type in the API
//! console), and the delivery a client last received, which the ack form offers to acknowledge.
//! The page builds no request itself.

use serde_json::Value;

use crate::service::ApiExchange;
use crate::services::lock::api::json_string;

/// A number as typed when it is one, else the text as a JSON string, so that a bad value
/// reaches the router and comes back as a 400 naming the field rather than being "fixed" here.
fn number_or_text(text: &str) -> String {
    let t = text.trim();
    if !t.is_empty() && crate::base::float::parse_f64(t).is_some() {
        t.to_string()
    } else {
        json_string(t)
    }
}

/// `POST /queue/enqueue {message, priority, key?}` (an empty key is left out).
pub fn enqueue_line(message: &str, priority: &str, key: &str) -> String {
    let key = key.trim();
    let key = if key.is_empty() {
        String::new()
    } else {
        format!(",\"key\":{}", json_string(key))
    };
    format!(
        "POST /queue/enqueue {{\"message\":{},\"priority\":{}{key}}}",
        json_string(message),
        number_or_text(priority)
    )
}

/// `GET /queue/dequeue`.
pub fn dequeue_line() -> String {
    "GET /queue/dequeue".to_string()
}

/// `POST /queue/ack {message_id, delivery_id}`.
pub fn ack_line(message_id: &str, delivery_id: &str) -> String {
    format!(
        "POST /queue/ack {{\"message_id\":{},\"delivery_id\":{}}}",
        json_string(message_id.trim()),
        number_or_text(delivery_id)
    )
}

/// The name the console and the page give actor `n`: "n4" for actor 3.
pub fn node_name(n: usize) -> String {
    format!("n{}", n + 1)
}

/// `POST /queue/ring/join {node}`: server `node` (a name such as "n4") joins the ring. The
/// console's history (`api::render_op`) and its examples write ring changes with this too.
pub fn join_line(node: &str) -> String {
    format!(
        "POST /queue/ring/join {{\"node\":{}}}",
        json_string(node.trim())
    )
}

/// `POST /queue/ring/leave {node}`: server `node` leaves the ring; its partitions move.
pub fn leave_line(node: &str) -> String {
    format!(
        "POST /queue/ring/leave {{\"node\":{}}}",
        json_string(node.trim())
    )
}

/// The `(message_id, delivery_id)` of the newest successful dequeue among `exchanges` of
/// `client`, if any.
pub fn last_delivery(exchanges: &[ApiExchange], client: &str) -> Option<(String, String)> {
    exchanges
        .iter()
        .filter(|e| e.client == client && e.status == Some(200))
        .filter(|e| e.request.starts_with("GET /queue/dequeue"))
        .max_by_key(|e| e.ticket)
        .and_then(|e| crate::base::json_text::parse(e.body.as_deref()?).ok())
        .and_then(|v| {
            let id = v.get("message_id")?.as_str()?.to_string();
            let delivery = match v.get("delivery_id")? {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((id, delivery))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_the_fields_and_leave_bad_values_for_the_router() {
        assert_eq!(
            enqueue_line("hi \"x\"", " 9 ", ""),
            r#"POST /queue/enqueue {"message":"hi \"x\"","priority":9}"#
        );
        assert_eq!(
            enqueue_line("m", "high", "user-1"),
            r#"POST /queue/enqueue {"message":"m","priority":"high","key":"user-1"}"#
        );
        assert_eq!(
            ack_line("p3-7", "2"),
            r#"POST /queue/ack {"message_id":"p3-7","delivery_id":2}"#
        );
        assert_eq!(dequeue_line(), "GET /queue/dequeue");
        assert_eq!(
            join_line(&node_name(3)),
            r#"POST /queue/ring/join {"node":"n4"}"#
        );
        assert_eq!(
            leave_line(" n2 "),
            r#"POST /queue/ring/leave {"node":"n2"}"#
        );
    }

    fn exchange(ticket: u64, client: &str, request: &str, status: u16, body: &str) -> ApiExchange {
        ApiExchange {
            ticket,
            client: client.into(),
            node: 0,
            request: request.into(),
            invoked: 0,
            completed: Some(1),
            status: Some(status),
            body: Some(body.into()),
        }
    }

    #[test]
    fn the_newest_successful_dequeue_of_the_client_is_offered_for_ack() {
        let ex = vec![
            exchange(
                1,
                "A",
                "GET /queue/dequeue",
                200,
                r#"{"message_id":"p1-1","delivery_id":1}"#,
            ),
            exchange(
                2,
                "A",
                "GET /queue/dequeue",
                200,
                r#"{"message_id":"p2-4","delivery_id":3}"#,
            ),
            exchange(3, "A", "GET /queue/dequeue", 204, ""),
            exchange(
                4,
                "B",
                "GET /queue/dequeue",
                200,
                r#"{"message_id":"p0-9","delivery_id":1}"#,
            ),
        ];
        assert_eq!(last_delivery(&ex, "A"), Some(("p2-4".into(), "3".into())));
        assert_eq!(last_delivery(&ex, "B"), Some(("p0-9".into(), "1".into())));
        assert_eq!(last_delivery(&ex, "C"), None);
    }
}
