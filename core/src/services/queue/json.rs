//! The queue service's commands in a share link, read by hand from a parsed JSON value
//! (`base::json_read` says why).

use serde_json::Value;

use super::client::{QueueOp, Submit};
use super::types::RingChange;
use super::QueueActorCmd;
use crate::base::json_read::{string_of, u64_of, uint, usize_of, FromJson, Reader, R};
use crate::base::text::Text;
use crate::raft::ServerCmd;
use crate::service::groups::GroupCmd;

impl FromJson for QueueActorCmd {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "QueueActorCmd")?;
        let cmd = match f.name() {
            "Submit" => QueueActorCmd::Submit(f.newtype(Submit::from_json)?),
            "Partition" => QueueActorCmd::Partition(f.newtype(GroupCmd::<ServerCmd>::from_json)?),
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}

impl FromJson for Submit {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::of_struct(v, &["target", "op"], false)?;
        let submit = Submit {
            target: f.opt("target", usize_of),
            op: f.req("op", QueueOp::from_json)?,
        };
        f.done(submit)
    }
}

impl FromJson for QueueOp {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "QueueOp")?;
        let op = match f.name() {
            "Enqueue" => QueueOp::Enqueue {
                message: Text::from(f.val("message", string_of)),
                priority: f.val("priority", |v| uint(v, u8::MAX.into())) as u8,
                key: f.opt("key", string_of),
                max_receive: f
                    .opt("max_receive", |v| uint(v, u32::MAX.into()))
                    .map(|n| n as u32),
            },
            "Dequeue" => QueueOp::Dequeue {
                visibility_ms: f.opt("visibility_ms", u64_of),
            },
            "Ack" => QueueOp::Ack {
                message_id: f.val("message_id", string_of),
                delivery_id: f.val("delivery_id", u64_of),
            },
            "Status" => f.unit(QueueOp::Status),
            "Ring" => QueueOp::Ring {
                change: f.val("change", RingChange::from_json),
            },
            _ => return Err(f.unknown()),
        };
        f.done(op)
    }
}

impl FromJson for RingChange {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "RingChange")?;
        let change = match f.name() {
            "Initial" => f.unit(RingChange::Initial),
            "Join" => RingChange::Join(f.newtype(usize_of)?),
            "Leave" => RingChange::Leave(f.newtype(usize_of)?),
            _ => return Err(f.unknown()),
        };
        f.done(change)
    }
}
