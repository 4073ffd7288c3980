//! Raft's command types in a share link, read by hand from a parsed JSON value
//! (`base::json_read` says why), generic over the state machine's command.

use serde_json::Value;

use super::{ClientCmd, ClientOp, ProcessCmd, ServerCmd};
use crate::base::json_read::{usize_of, FromJson, Reader, R};

impl<C: FromJson> FromJson for ProcessCmd<C> {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "ProcessCmd")?;
        let cmd = match f.name() {
            "Server" => ProcessCmd::Server(f.newtype(ServerCmd::from_json)?),
            "Client" => ProcessCmd::Client(f.newtype(ClientCmd::<C>::from_json)?),
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}

impl FromJson for ServerCmd {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "ServerCmd")?;
        let cmd = match f.name() {
            "ForceTimeout" => f.unit(ServerCmd::ForceTimeout),
            "TransferLeadership" => ServerCmd::TransferLeadership {
                to: f.val("to", usize_of),
            },
            "AddServer" => ServerCmd::AddServer {
                id: f.val("id", usize_of),
            },
            "RemoveServer" => ServerCmd::RemoveServer {
                id: f.val("id", usize_of),
            },
            "Compact" => f.unit(ServerCmd::Compact),
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}

impl<C: FromJson> FromJson for ClientCmd<C> {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "ClientCmd")?;
        let cmd = match f.name() {
            "Submit" => ClientCmd::Submit {
                target: f.opt("target", usize_of),
                op: f.req("op", ClientOp::<C>::from_json)?,
            },
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}

impl<C: FromJson> FromJson for ClientOp<C> {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "ClientOp")?;
        let op = match f.name() {
            "Cmd" => ClientOp::Cmd(f.newtype(C::from_json)?),
            "Read" => ClientOp::Read(f.newtype(C::from_json)?),
            "NodeStatus" => f.unit(ClientOp::NodeStatus),
            _ => return Err(f.unknown()),
        };
        f.done(op)
    }
}
