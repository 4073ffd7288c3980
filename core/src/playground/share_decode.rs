//! The share link's reader, by hand: it walks a parsed `serde_json::Value` and builds `Shared`
//! (the config and every recorded action). Only the page's decoding path uses it; the derives
//! stay on every type (the CLI, the tests and `share_string` use them) and remain the reference
//! for the format (`base::json_read` says why, and how the format is read).
//!
//! The config is read here; the actions through `FromJson`, which each type implements where it
//! is defined: the kernel's in `sim/json.rs`, Raft's in `raft/json.rs`, each service's commands
//! in its own `json.rs`, and `NodeCmd`'s in the `node_services!` registry. So adding a service
//! adds its reader to its own module, and nothing here changes.
//!
//! `share_decode_tests.rs` checks that this reader and the derives accept and refuse the same
//! documents and build the same values, over every variant of every type reachable from
//! `Shared` (a new variant fails it until it has a sample there), real runs, and one-edit
//! mutations of both.

use serde_json::Value;

use super::{PlaygroundConfig, Shared};
use crate::base::json_read::{array, bool_of, string_of, u64_of, usize_of, FromJson, Reader, R};
use crate::sim::Recorded;

/// The whole share string's content, from its parsed JSON.
pub(super) fn shared(v: &Value) -> R<Shared> {
    let mut f = Reader::of_struct(v, &["config", "actions"], true)?;
    let shared = Shared {
        config: f.req("config", config)?,
        actions: f.val("actions", |v| array(v, Recorded::from_json)),
    };
    f.done(shared)
}

fn config(v: &Value) -> R<PlaygroundConfig> {
    let names = &["seed", "nodes", "profile", "pre_vote", "check_quorum"];
    let mut f = Reader::of_struct(v, names, true)?;
    let config = PlaygroundConfig {
        seed: f.val("seed", u64_of),
        nodes: f.val("nodes", usize_of),
        profile: f.val("profile", string_of),
        pre_vote: f.val("pre_vote", bool_of),
        check_quorum: f.val("check_quorum", bool_of),
    };
    f.done(config)
}
