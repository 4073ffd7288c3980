//! The seeds' cache endpoints, typed: a console line → a `CacheOp` (400 naming the field, 404,
//! 405), and a `CacheReply` → the status and JSON body the console shows.
//!
//! - `POST /cache/set {"key":"x","value":…,"ttl":60}`: `ttl` in seconds (as the seeds),
//!   `0 < ttl ≤ 31536000`, default 3600; `value` any JSON value (a string is kept as is,
//!   anything else as its JSON text).
//! - `GET /cache/get?key=x` → `{key, value, cache_state}` (+ `version`) or 404.
//! - `POST /cache/invalidate {"key":"x"}`: every cached copy → I (dirty ones written back
//!   first); memory keeps the value.
//! - `GET /cache/stats` → `{total_entries, hit_rate, miss_rate, evictions, …}` of that node.
//! - `POST /cache/reset {"protocol":"MESI"|"MOESI","write_through":false}`: a fresh run.

use serde_json::{json, Value};

use super::msg::{CacheOp, CacheReply, CacheStats};
use super::protocol::Protocol;
use crate::service::console::split_line;
use crate::service::ApiRejection;

pub const MAX_KEY_LEN: usize = 256;
pub const DEFAULT_TTL_S: f64 = 3600.0;
pub const MAX_TTL_S: f64 = 31_536_000.0;

fn bad(msg: impl Into<String>) -> ApiRejection {
    ApiRejection::new(400, msg)
}

/// Parse a console line for the cache service.
pub fn parse(line: &str) -> Result<CacheOp, ApiRejection> {
    let head = split_line(line)?;
    let allowed = match head.path {
        "/cache/set" | "/cache/invalidate" | "/cache/reset" => "POST",
        "/cache/get" | "/cache/stats" => "GET",
        p => return Err(ApiRejection::new(404, format!("no route for `{p}`"))),
    };
    if head.method != allowed {
        return Err(ApiRejection::new(
            405,
            format!("`{}` accepts {allowed}, not {}", head.path, head.method),
        ));
    }
    match head.path {
        "/cache/get" => {
            no_body(head.body)?;
            let key = query_param(head.query, "key")?
                .ok_or_else(|| bad("key: missing query parameter (e.g. /cache/get?key=x)"))?;
            Ok(CacheOp::Get {
                key: check_key(&key)?,
            })
        }
        "/cache/stats" => {
            no_body(head.body)?;
            Ok(CacheOp::Stats)
        }
        "/cache/set" => {
            let [key, value, ttl] = body(head.body, ["key", "value", "ttl"])?;
            let key = key_field(key)?;
            let value = match value {
                None | Some(Value::Null) => return Err(bad("value: missing")),
                Some(Value::String(s)) => s,
                Some(v) => v.to_string(),
            };
            let ttl_ms = match ttl {
                None => (DEFAULT_TTL_S * 1000.0) as u64,
                Some(Value::Number(n)) => {
                    let s = n.as_f64().unwrap_or(-1.0);
                    if !(s > 0.0 && s <= MAX_TTL_S) {
                        return Err(bad(format!(
                            "ttl: must be seconds in (0, {}], got {n}",
                            crate::base::decimal::Short(MAX_TTL_S, 0)
                        )));
                    }
                    ((s * 1000.0).round() as u64).max(1)
                }
                Some(v) => return Err(bad(format!("ttl: must be a number of seconds, got {v}"))),
            };
            Ok(CacheOp::Set { key, value, ttl_ms })
        }
        "/cache/invalidate" => {
            let [key] = body(head.body, ["key"])?;
            Ok(CacheOp::Invalidate {
                key: key_field(key)?,
            })
        }
        _ => {
            let [protocol, write_through, memory] =
                body(head.body, ["protocol", "write_through", "memory"])?;
            let protocol = match protocol {
                None => Protocol::Mesi,
                Some(Value::String(s)) => Protocol::parse(&s).ok_or_else(|| {
                    bad(format!(
                        "protocol: expected \"MESI\" or \"MOESI\", got {s:?}"
                    ))
                })?,
                Some(v) => return Err(bad(format!("protocol: expected a string, got {v}"))),
            };
            let write_through = match write_through {
                None => false,
                Some(Value::Bool(b)) => b,
                Some(v) => {
                    return Err(bad(format!(
                        "write_through: expected true or false, got {v}"
                    )))
                }
            };
            let memory = match memory {
                None => Vec::new(),
                Some(Value::Object(m)) => {
                    let mut out = Vec::new();
                    for (k, v) in m {
                        let value = match v {
                            Value::String(s) => s,
                            v => v.to_string(),
                        };
                        out.push((
                            check_key(&k).map_err(|e| bad(format!("memory.{}", e.message)))?,
                            value,
                        ));
                    }
                    out
                }
                Some(v) => {
                    return Err(bad(format!(
                        "memory: expected an object {{key: value}}, got {v}"
                    )))
                }
            };
            Ok(CacheOp::Reset {
                protocol,
                write_through,
                memory,
            })
        }
    }
}

/// The body's fields `names`, each `None` when absent or `null`; any other field is refused,
/// named first. Read by hand from the page's one JSON parser rather than through a derived
/// `Deserialize`, whose machinery the page would carry for these few fields (docs/size.md).
fn body<const N: usize>(body: &str, names: [&str; N]) -> Result<[Option<Value>; N], ApiRejection> {
    if body.is_empty() {
        return Err(bad("body: missing JSON body"));
    }
    let mut map = match crate::base::json_text::parse(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(bad("body: expected a JSON object")),
        Err(e) => return Err(bad(format!("body: invalid JSON ({e})"))),
    };
    if let Some(k) = map.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(bad(format!(
            "{k}: unknown field (expected one of {})",
            names.join(", ")
        )));
    }
    Ok(names.map(|n| map.remove(n).filter(|v| !v.is_null())))
}

fn no_body(body: &str) -> Result<(), ApiRejection> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(bad("body: this GET request takes no body"))
    }
}

fn key_field(v: Option<Value>) -> Result<String, ApiRejection> {
    match v {
        None => Err(bad("key: missing")),
        Some(Value::String(s)) => check_key(&s),
        Some(v) => Err(bad(format!("key: must be a string, got {v}"))),
    }
}

fn check_key(k: &str) -> Result<String, ApiRejection> {
    if k.is_empty() {
        Err(bad("key: must not be empty"))
    } else if k.len() > MAX_KEY_LEN {
        Err(bad(format!("key: longer than {MAX_KEY_LEN} bytes")))
    } else {
        Ok(k.to_string())
    }
}

/// The decoded value of `key` in `a=1&b=2` (`+` and `%XX` decoded).
fn query_param(query: &str, key: &str) -> Result<Option<String>, ApiRejection> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if decode(k)? == key {
            return decode(v).map(Some);
        }
    }
    Ok(None)
}

fn decode(s: &str) -> Result<String, ApiRejection> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| bad(format!("key: bad percent-escape in `{s}`")))?;
                out.push(hex);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad("key: not valid UTF-8"))
}

/// The request line for an operation (presets, examples, the benchmark).
pub fn line(op: &CacheOp) -> String {
    match op {
        CacheOp::Get { key } => format!("GET /cache/get?key={key}"),
        CacheOp::Set { key, value, ttl_ms } => format!(
            "POST /cache/set {}",
            json!({"key": key, "value": value, "ttl": *ttl_ms as f64 / 1000.0})
        ),
        CacheOp::Invalidate { key } => format!("POST /cache/invalidate {}", json!({"key": key})),
        CacheOp::Stats => "GET /cache/stats".into(),
        CacheOp::Reset {
            protocol,
            write_through,
            memory,
        } => {
            let mut body = json!({"protocol": protocol.name(), "write_through": write_through});
            if !memory.is_empty() {
                let m: serde_json::Map<String, Value> = memory
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                body["memory"] = Value::Object(m);
            }
            format!("POST /cache/reset {body}")
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The stats document: the seeds' four fields first, then the NCSU counters.
pub fn stats_json(node: Option<usize>, total_entries: usize, s: &CacheStats) -> Value {
    let accesses = s.hits + s.misses;
    let miss_rate = if accesses == 0 {
        0.0
    } else {
        s.misses as f64 / accesses as f64
    };
    json!({
        "node": node.map(crate::raft::msg::node_name),
        "total_entries": total_entries,
        "hit_rate": round4(s.hit_rate()),
        "miss_rate": round4(miss_rate),
        "evictions": s.evictions,
        "expirations": s.expirations,
        "hits": s.hits,
        "misses": s.misses,
        "reads": s.reads,
        "writes": s.writes,
        "write_backs": s.write_backs,
        "invalidations": s.invalidations,
        "interventions": s.interventions,
        "cache_to_cache_transfers": s.cache_to_cache,
        "memory_reads": s.memory_reads,
        "bus": {
            "BusRd": s.bus_rd, "BusRdX": s.bus_rdx, "BusUpgr": s.bus_upgr,
            "Flush": s.flush, "FlushOpt": s.flush_opt
        },
        "directory_messages": s.messages,
        "directory_bytes": s.bytes,
    })
}

/// `(status, body)` of a reply.
pub fn render(reply: &CacheReply) -> (u16, Value) {
    match reply {
        CacheReply::Value {
            key,
            value,
            state,
            version,
            hit,
        } => (
            200,
            json!({"key": key, "value": value, "cache_state": state.letter(), "version": version, "hit": hit}),
        ),
        CacheReply::NotFound { key } => (404, json!({"error": format!("key `{key}` not found")})),
        CacheReply::Written {
            key,
            version,
            state,
        } => (
            200,
            json!({"status": "ok", "key": key, "version": version, "cache_state": state.letter()}),
        ),
        CacheReply::Invalidated { key } => (200, json!({"status": "invalidated", "key": key})),
        CacheReply::Stats {
            node,
            total_entries,
            stats,
        } => (200, stats_json(Some(*node), *total_entries, stats)),
        CacheReply::ResetDone {
            protocol,
            write_through,
            nodes,
        } => (
            200,
            json!({"status": "reset", "protocol": protocol.name(), "write_through": write_through, "nodes": nodes}),
        ),
        CacheReply::Error { status, message } => (*status, json!({"error": message})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> (u16, String) {
        let e = parse(line).unwrap_err();
        (e.status, e.message)
    }

    #[test]
    fn good_lines_parse() {
        assert_eq!(
            parse(r#"POST /cache/set {"key":"x","value":"v1","ttl":2.5}"#).unwrap(),
            CacheOp::Set {
                key: "x".into(),
                value: "v1".into(),
                ttl_ms: 2500
            }
        );
        assert_eq!(
            parse("GET /cache/get?key=a%20b").unwrap(),
            CacheOp::Get { key: "a b".into() }
        );
        assert_eq!(parse("GET /cache/stats").unwrap(), CacheOp::Stats);
        let op = parse(r#"POST /cache/reset {"protocol":"moesi"}"#).unwrap();
        assert_eq!(
            op,
            CacheOp::Reset {
                protocol: Protocol::Moesi,
                write_through: false,
                memory: Vec::new(),
            }
        );
        for op in [
            CacheOp::Get { key: "k".into() },
            CacheOp::Invalidate { key: "k".into() },
            op,
        ] {
            assert_eq!(parse(&line(&op)).unwrap(), op);
        }
    }

    #[test]
    fn bad_input_is_400_naming_the_field() {
        assert!(err(r#"POST /cache/set {"value":1}"#).1.starts_with("key:"));
        assert!(err(r#"POST /cache/set {"key":"x"}"#)
            .1
            .starts_with("value:"));
        assert!(err(r#"POST /cache/set {"key":"x","value":1,"ttl":-1}"#)
            .1
            .starts_with("ttl:"));
        assert!(err(r#"POST /cache/set {"key":"x","value":1,"ttl":"1"}"#)
            .1
            .starts_with("ttl:"));
        assert!(err(r#"POST /cache/set {"key":"x","value":1,"tll":1}"#)
            .1
            .starts_with("tll:"));
        assert!(err(r#"POST /cache/set {"key":"","value":1}"#)
            .1
            .starts_with("key:"));
        assert!(err("POST /cache/set {oops").1.starts_with("body:"));
        assert!(err("GET /cache/get").1.starts_with("key:"));
        assert!(err(r#"POST /cache/reset {"protocol":"MSI"}"#)
            .1
            .starts_with("protocol:"));
        assert_eq!(err("GET /cache/set").0, 405);
        assert_eq!(err("GET /cache/nope").0, 404);
        assert_eq!(err(r#"POST /cache/set {"value":1}"#).0, 400);
    }
}
