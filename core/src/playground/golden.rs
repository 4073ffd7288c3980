//! A fixed playground scenario whose trace hash is checked in natively and shown by the browser
//! self-test page (`?selftest=kernel`): the whole stack (kernel, Raft, locks, console) must give
//! the same hash in WebAssembly as natively.

use super::{Playground, PlaygroundConfig, UiAction};
use crate::sim::{MS, SEC};

/// Seed 7, 5 nodes: elect, isolate the leader, take a lock through a follower-turned-leader,
/// heal, release, crash and restart a node. Returns the trace hash as 16 hex digits.
pub fn golden_playground() -> String {
    let mut p = Playground::new(PlaygroundConfig {
        seed: 7,
        ..PlaygroundConfig::default()
    })
    .expect("the golden config is valid");
    p.advance(SEC);
    let _ = p.act(UiAction::IsolateLeader);
    p.advance(SEC);
    let leader = p.leader().unwrap_or(0);
    let _ = p.api_request(
        "A",
        leader,
        r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":5}"#,
    );
    p.advance(300 * MS);
    let _ = p.act(UiAction::HealAll);
    let _ = p.act(UiAction::Crash { node: 4 });
    p.advance(500 * MS);
    let _ = p.act(UiAction::Restart { node: 4 });
    let _ = p.api_request("B", leader, "GET /lock/status?resource=db");
    p.advance(SEC);
    p.trace_hash_hex()
}
