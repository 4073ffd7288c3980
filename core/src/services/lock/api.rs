//! The seed HTTP API, typed: requests, bodies, conversion to `LockCmd`, response rendering.
//!
//! Units and defaults (documented choices):
//! - `timeout` is in **seconds** (as in the seeds), a JSON number, `0 ≤ timeout ≤ 3600`;
//!   fractions are allowed and rounded to the millisecond. `0` means try-lock (never queue,
//!   409 on conflict). Missing → [`DEFAULT_WAIT_S`].
//! - `lease` (an extension to the seed API) is in seconds, `0 < lease ≤ 3600`; missing →
//!   [`DEFAULT_LEASE_S`]. A lock not released by then is expired by a committed tick.
//! - Times in responses (`acquired_at`, `expires_at`, `since`) are **milliseconds of virtual
//!   time** since the start of the run, as JSON numbers (fractions keep microseconds).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::types::{LockCmd, LockMode, LockOutput, LockStatus};
use crate::raft::ClientOp;
use crate::sim::{Time, MS};

/// Default wait when `timeout` is omitted, in seconds.
pub const DEFAULT_WAIT_S: f64 = 10.0;
/// Default lease when `lease` is omitted, in seconds.
pub const DEFAULT_LEASE_S: f64 = 30.0;
/// Largest accepted `timeout` and `lease`, in seconds.
pub const MAX_SECONDS: f64 = 3600.0;
/// Longest accepted resource name, in bytes.
pub const MAX_RESOURCE_LEN: usize = 256;

/// A recognised API request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiRequest {
    Acquire {
        resource: String,
        mode: LockMode,
        timeout_ms: u64,
        lease_ms: u64,
    },
    Release {
        resource: String,
        lock_id: u64,
    },
    Status {
        resource: String,
    },
}

/// A request the API refuses, with the HTTP status to answer (400, 404, 405, 413).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    /// `(status, {"status":"error","error":message})`.
    pub fn render(&self) -> (u16, Value) {
        (
            self.status,
            json!({ "status": "error", "error": self.message }),
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

/// Body of `POST /lock/acquire`: `timeout` and `lease` may be left out, other fields are
/// refused. Read by hand (`lock/json.rs`).
#[derive(Clone, Debug)]
pub struct AcquireBody {
    pub resource: String,
    pub mode: LockMode,
    pub timeout: Option<f64>,
    pub lease: Option<f64>,
}

/// Body of `POST /lock/release`; other fields are refused. Read by hand (`lock/json.rs`).
#[derive(Clone, Debug)]
pub struct ReleaseBody {
    pub resource: String,
    pub lock_id: u64,
}

/// Checks a resource name: non-empty, at most [`MAX_RESOURCE_LEN`] bytes, no control characters.
pub fn check_resource(name: &str) -> Result<String, ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::bad("field `resource` must not be empty"));
    }
    if name.len() > MAX_RESOURCE_LEN {
        return Err(ApiError::bad(format!(
            "field `resource` is longer than {MAX_RESOURCE_LEN} bytes"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad(
            "field `resource` must not contain control characters",
        ));
    }
    Ok(name.to_string())
}

/// Seconds (finite, within `[min, MAX_SECONDS]`) to whole milliseconds.
pub fn seconds_to_ms(field: &str, value: f64, allow_zero: bool) -> Result<u64, ApiError> {
    let low_ok = if allow_zero {
        value >= 0.0
    } else {
        value > 0.0
    };
    if !value.is_finite() || !low_ok || value > MAX_SECONDS {
        let low = if allow_zero { "0 ≤" } else { "0 <" };
        return Err(ApiError::bad(format!(
            "field `{field}` must be a number of seconds with {low} {field} ≤ {}, got {}",
            crate::base::decimal::Short(MAX_SECONDS, 0),
            crate::base::decimal::Short(value, 6)
        )));
    }
    let ms = (value * 1000.0).round() as u64;
    // A tiny positive value must not round to 0, which means "none" (an infinite lease):
    // reject it rather than guess, and say why.
    if !allow_zero && ms == 0 {
        return Err(ApiError::bad(format!(
            "field `{field}` must be at least 0.001 s (1 ms): {} s rounds to 0 ms, which \
             would mean no {field} at all",
            crate::base::decimal::Short(value, 9)
        )));
    }
    Ok(ms)
}

/// The command to replicate for a request; `None` for requests the node answers itself.
pub fn to_lock_cmd(req: &ApiRequest) -> LockCmd {
    match req {
        ApiRequest::Acquire {
            resource,
            mode,
            timeout_ms,
            lease_ms,
        } => LockCmd::Acquire {
            resource: resource.clone(),
            mode: *mode,
            wait_timeout_ms: Some(*timeout_ms),
            lease_ms: *lease_ms,
        },
        ApiRequest::Release { resource, lock_id } => LockCmd::Release {
            resource: resource.clone(),
            lock_id: *lock_id,
        },
        ApiRequest::Status { resource } => LockCmd::Status {
            resource: resource.clone(),
        },
    }
}

/// How a client sends the request: commands through the log, lock status as a linearizable
/// read (ReadIndex).
pub fn to_client_op(req: &ApiRequest) -> ClientOp<LockCmd> {
    match req {
        ApiRequest::Status { .. } => ClientOp::Read(to_lock_cmd(req)),
        _ => ClientOp::Cmd(to_lock_cmd(req)),
    }
}

/// Virtual microseconds to JSON milliseconds.
fn ms(t: Time) -> Value {
    json!(t as f64 / MS as f64)
}

/// HTTP status and JSON body for a lock-table answer, shaped like the seed API.
///
/// 200 for grants, releases and status; 409 for conflict, timeout and deadlock (with a `reason`);
/// 404 for release of an unknown lock (`not_found`) or of somebody else's (`not_owner`), since the
/// seed API's release only knows 200 and 404.
pub fn render_response(output: &LockOutput) -> (u16, Value) {
    match output {
        LockOutput::Granted {
            lock_id,
            fencing_token,
            acquired_at,
            resource,
            mode,
        } => (
            200,
            json!({ "status": "acquired", "lock_id": lock_id, "acquired_at": ms(*acquired_at),
                    "fencing_token": fencing_token, "resource": resource, "mode": mode }),
        ),
        LockOutput::Released { resource, lock_id } => (
            200,
            json!({ "status": "released", "resource": resource, "lock_id": lock_id }),
        ),
        LockOutput::Conflict { resource } => (
            409,
            json!({ "status": "conflict", "resource": resource,
                    "reason": "the lock is held in a conflicting mode or has waiters (try-lock)" }),
        ),
        LockOutput::Timeout => (
            409,
            json!({ "status": "timeout", "reason": "the wait timeout passed before the lock was granted" }),
        ),
        LockOutput::Deadlock => (
            409,
            json!({ "status": "deadlock",
                    "reason": "the request closed a wait-for cycle and was chosen as the victim (youngest request)" }),
        ),
        LockOutput::NotFound => (
            404,
            json!({ "status": "not_found", "reason": "lock not found" }),
        ),
        LockOutput::NotOwner => (
            404,
            json!({ "status": "not_owner", "reason": "the lock is not held by this client (released or expired)" }),
        ),
        LockOutput::Status(s) => (200, render_status(s)),
    }
}

/// `{resource, locked, holder, holders, mode, waiters}`; `holder` (the seeds' single field) is the
/// first holder's client, or null.
pub fn render_status(s: &LockStatus) -> Value {
    let holders: Vec<Value> = s
        .holders
        .iter()
        .map(|h| {
            json!({ "client": h.client, "lock_id": h.lock_id, "mode": h.mode, "fencing_token": h.fencing_token,
                    "acquired_at": ms(h.acquired_at), "expires_at": h.expires_at.map(ms) })
        })
        .collect();
    let waiters: Vec<Value> = s
        .waiters
        .iter()
        .map(|w| json!({ "client": w.client, "mode": w.mode, "since": ms(w.since), "upgrade": w.upgrade }))
        .collect();
    json!({ "resource": s.resource, "locked": s.locked, "holder": s.holders.first().map(|h| h.client),
            "holders": holders, "mode": s.mode, "waiters": waiters })
}

/// JSON string literal for a user-typed value (quotes and backslashes escaped).
pub fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The request line the locks form sends for an acquire (an empty timeout means the default).
pub fn acquire_line(resource: &str, mode: &str, timeout_s: &str) -> String {
    let timeout = timeout_s.trim();
    let timeout = if timeout.is_empty() { "10" } else { timeout };
    format!(
        "POST /lock/acquire {{\"resource\":{},\"mode\":{},\"timeout\":{}}}",
        json_string(resource.trim()),
        json_string(mode),
        timeout
    )
}

/// The request line the locks form sends for a release (an empty id is sent as null, which the
/// router rejects with a message naming `lock_id`).
pub fn release_line(resource: &str, lock_id: &str) -> String {
    let id = lock_id.trim();
    format!(
        "POST /lock/release {{\"resource\":{},\"lock_id\":{}}}",
        json_string(resource.trim()),
        if id.is_empty() { "null" } else { id }
    )
}
