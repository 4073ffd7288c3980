//! The cache service's commands in a share link, read by hand from a parsed JSON value
//! (`base::json_read` says why).

use serde_json::Value;

use super::{CacheCmd, CacheOp, Protocol};
use crate::base::json_read::{
    array, bool_of, expected, string_of, u64_of, usize_of, FromJson, Reader, R,
};

impl FromJson for CacheCmd {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "CacheCmd")?;
        let cmd = match f.name() {
            "Request" => CacheCmd::Request {
                target: f.val("target", usize_of),
                op: f.req("op", CacheOp::from_json)?,
            },
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}

impl FromJson for CacheOp {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "CacheOp")?;
        let op = match f.name() {
            "Get" => CacheOp::Get {
                key: f.val("key", string_of),
            },
            "Set" => CacheOp::Set {
                key: f.val("key", string_of),
                value: f.val("value", string_of),
                ttl_ms: f.val("ttl_ms", u64_of),
            },
            "Invalidate" => CacheOp::Invalidate {
                key: f.val("key", string_of),
            },
            "Stats" => f.unit(CacheOp::Stats),
            "Reset" => CacheOp::Reset {
                protocol: f.val("protocol", Protocol::from_json),
                write_through: f.val("write_through", bool_of),
                memory: f.val("memory", |v| array(v, string_pair)),
            },
            _ => return Err(f.unknown()),
        };
        f.done(op)
    }
}

/// `rename = "MESI"`, `rename = "MOESI"`.
impl FromJson for Protocol {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "Protocol")?;
        let protocol = match f.name() {
            "MESI" => f.unit(Protocol::Mesi),
            "MOESI" => f.unit(Protocol::Moesi),
            _ => return Err(f.unknown()),
        };
        f.done(protocol)
    }
}

/// A `(String, String)` tuple: an array of exactly two strings.
fn string_pair(v: &Value) -> R<(String, String)> {
    match v.as_array().map(Vec::as_slice) {
        Some([a, b]) => Ok((string_of(a)?, string_of(b)?)),
        _ => Err(expected("an array of two strings", v)),
    }
}
