//! The lock service's commands in a share link, read by hand from a parsed JSON value
//! (`base::json_read` says why).

use serde_json::Value;

use super::{LockCmd, LockMode};
use crate::base::json_read::{string_of, u64_of, FromJson, Reader, R};

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
