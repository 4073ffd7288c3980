//! The status service's command in a share link, read by hand from a parsed JSON value
//! (`base::json_read` says why).

use serde_json::Value;

use super::StatusCmd;
use crate::base::json_read::{usize_of, FromJson, Reader, R};

impl FromJson for StatusCmd {
    fn from_json(v: &Value) -> R<Self> {
        let mut f = Reader::variant(v, "StatusCmd")?;
        let cmd = match f.name() {
            "Get" => StatusCmd::Get {
                target: f.val("target", usize_of),
            },
            _ => return Err(f.unknown()),
        };
        f.done(cmd)
    }
}
