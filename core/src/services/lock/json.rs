//! The lock service's commands in a share link, and the console's request bodies, read by hand
//! from a parsed JSON value (`base::json_read` says why).

use serde_json::Value;

use super::api::{AcquireBody, ReleaseBody};
use super::{LockCmd, LockMode};
use crate::base::json_read::{f64_of, string_of, u64_of, FromJson, Reader, R};

impl FromJson for LockCmd {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "LockCmd")?;
        let cmd = match f.name() {
            "Acquire" => LockCmd::Acquire {
                resource: f.val("resource", string_of),
                mode: f.req("mode", LockMode::from_json)?,
                wait_timeout_ms: f.opt("wait_timeout_ms", u64_of),
                lease_ms: f.val("lease_ms", u64_of),
            },
            "Release" => LockCmd::Release {
                resource: f.val("resource", string_of),
                lock_id: f.val("lock_id", u64_of),
            },
            "Status" => LockCmd::Status {
                resource: f.val("resource", string_of),
            },
            "Tick" => f.unit(LockCmd::Tick),
            "ExtendLeases" => LockCmd::ExtendLeases {
                by_ms: f.val("by_ms", u64_of),
            },
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}

/// `rename_all = "lowercase"`.
impl FromJson for LockMode {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "LockMode")?;
        let mode = match f.name() {
            "shared" => f.unit(LockMode::Shared),
            "exclusive" => f.unit(LockMode::Exclusive),
            _ => return Err(f.unknown()),
        };
        f.done(mode)
    }
}

/// Unknown fields refused; `timeout` and `lease` optional.
impl FromJson for AcquireBody {
    fn from_json(v: &Value) -> R<Self> {
        let names = &["resource", "mode", "timeout", "lease"];
        let mut f = Reader::of_struct(v, names, true)?;
        let body = AcquireBody {
            resource: f.val("resource", string_of),
            mode: f.req("mode", LockMode::from_json)?,
            timeout: f.opt("timeout", f64_of),
            lease: f.opt("lease", f64_of),
        };
        f.done(body)
    }
}

/// Unknown fields refused.
impl FromJson for ReleaseBody {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::of_struct(v, &["resource", "lock_id"], true)?;
        let body = ReleaseBody {
            resource: f.val("resource", string_of),
            lock_id: f.val("lock_id", u64_of),
        };
        f.done(body)
    }
}
