//! Parses one API-console line, `METHOD /path[?query] [JSON body]`, into an [`ApiRequest`].
//! Never panics: every malformed input becomes an [`ApiError`] naming what is wrong.

use super::api::{check_resource, seconds_to_ms, AcquireBody, ApiError, ApiRequest, ReleaseBody};
use super::api::{DEFAULT_LEASE_S, DEFAULT_WAIT_S};
use crate::base::json_read::FromJson;
use crate::service::console::split_line;
pub use crate::service::console::MAX_LINE;

/// `POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}` → `ApiRequest::Acquire`.
/// Unknown path → 404; known path with the wrong method → 405; bad input → 400; too long → 413.
/// The line is split by the console's own splitter (`service::console::split_line`).
pub fn parse_request(line: &str) -> Result<ApiRequest, ApiError> {
    let head = split_line(line).map_err(|r| ApiError::new(r.status, r.message))?;
    let (path, query, body, method) = (head.path, head.query, head.body, head.method);
    let allowed = match path {
        "/lock/acquire" | "/lock/release" => "POST",
        "/lock/status" => "GET",
        _ => return Err(ApiError::new(404, format!("no route for `{path}`"))),
    };
    if method != allowed {
        return Err(ApiError::new(
            405,
            format!("`{path}` accepts {allowed}, not {method}"),
        ));
    }
    match path {
        "/lock/acquire" => acquire(parse_body(body)?),
        "/lock/release" => {
            let b: ReleaseBody = parse_body(body)?;
            Ok(ApiRequest::Release {
                resource: check_resource(&b.resource)?,
                lock_id: b.lock_id,
            })
        }
        _ => {
            no_body(body)?;
            let resource = query_param(query, "resource")?.ok_or_else(|| {
                ApiError::bad("missing query parameter `resource` (e.g. /lock/status?resource=db)")
            })?;
            Ok(ApiRequest::Status {
                resource: check_resource(&resource)?,
            })
        }
    }
}

fn acquire(b: AcquireBody) -> Result<ApiRequest, ApiError> {
    Ok(ApiRequest::Acquire {
        resource: check_resource(&b.resource)?,
        mode: b.mode,
        timeout_ms: seconds_to_ms("timeout", b.timeout.unwrap_or(DEFAULT_WAIT_S), true)?,
        lease_ms: seconds_to_ms("lease", b.lease.unwrap_or(DEFAULT_LEASE_S), false)?,
    })
}

fn parse_body<T: FromJson>(body: &str) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad("missing JSON body"));
    }
    // The page's one JSON parser and a reader by hand (`lock/json.rs`), not serde's
    // `Deserialize`, whose machinery the page would otherwise carry for two bodies
    // (docs/size.md).
    crate::base::json_text::parse(body)
        .and_then(|v| T::from_json(&v))
        .map_err(|e| ApiError::bad(format!("invalid JSON body: {e}")))
}

fn no_body(body: &str) -> Result<(), ApiError> {
    if body.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad("this GET request takes no body"))
    }
}

/// The decoded value of `key` in a `a=1&b=2` query string (`+` and `%XX` decoded).
fn query_param(query: &str, key: &str) -> Result<Option<String>, ApiError> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if percent_decode(k)? == key {
            return percent_decode(v).map(Some);
        }
    }
    Ok(None)
}

fn percent_decode(s: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(
                    byte.ok_or_else(|| {
                        ApiError::bad(format!("bad percent-escape in query `{s}`"))
                    })?,
                );
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::bad("query string is not valid UTF-8"))
}
