//! The MESI/MOESI cache service: per-node caches (LRU capacity, TTL on the simulated clock)
//! kept coherent by a directory at each key's home node (its primary on the consistent-hash
//! ring), with every coherence transaction travelling the simulated network as messages named
//! after its bus equivalent (BusRd, BusRdX, BusUpgr, Flush, FlushOpt). REFERENCES §1.2–1.4.
//!
//! Files: `protocol.rs` (the MESI/MOESI tables as pure functions, the injectable bugs),
//! `store.rs` (LRU + TTL lines), `msg.rs` (messages, console operations, records, stats),
//! `actor.rs` (the actor and its failure semantics), `requester.rs` (the cache side),
//! `home.rs` (memory + directory), `check.rs` (invariants), `model.rs` (exhaustive model
//! check), `api.rs` (routes), `view.rs` (what the Cache tab draws), `presets.rs` (workloads),
//! `fuzz.rs` (fuzz target), `params.rs` + `bench.rs` + `bench_client.rs` (the seeds' hit/miss
//! benchmark), this file (the descriptor).

mod actor;
pub mod api;
pub mod bench;
pub mod bench_client;
pub mod check;
pub mod fuzz;
mod home;
mod json;
pub mod model;
pub mod msg;
pub mod params;
pub mod presets;
pub mod protocol;
pub mod reasons;
mod requester;
pub mod store;
mod view;

#[cfg(test)]
mod bench_tests;
#[cfg(test)]
mod home_tests;
#[cfg(test)]
mod node_failure_tests;
#[cfg(test)]
mod tests;

pub use actor::{CacheActor, CacheConfig, CacheDurable, CacheRecord, Handoff, Workload};
pub use home::HomeLine;
pub use msg::{CacheCmd, CacheMsg, CacheOp, CacheReply, CacheStats};
pub use protocol::{Bug, LineState, Protocol};
pub use view::*;

use crate::service::{
    pretty_json, ApiExample, ApiExchange, ApiRejection, EventCategory, Hosts, InvariantView,
    ServiceApi, World,
};
use crate::sim::ActorId;

/// The cache service's descriptor.
pub struct CacheApi;

impl<N: Hosts<CacheActor>> ServiceApi<N> for CacheApi {
    fn name(&self) -> &'static str {
        "cache"
    }
    fn tab(&self) -> (&'static str, &'static str) {
        ("cache", "Cache")
    }
    fn owns_path(&self, path: &str) -> bool {
        path.starts_with("/cache/") || path == "/cache"
    }
    fn examples(&self, _world: &World<'_, N>, _client: ActorId) -> Vec<ApiExample> {
        let ex = |label: &str, op: CacheOp| ApiExample {
            label: label.into(),
            line: api::line(&op),
        };
        vec![
            ex(
                "cache set",
                CacheOp::Set {
                    key: "x".into(),
                    value: "v1".into(),
                    ttl_ms: 3_600_000,
                },
            ),
            ex("cache get", CacheOp::Get { key: "x".into() }),
            ex("cache invalidate", CacheOp::Invalidate { key: "x".into() }),
            ex("cache stats", CacheOp::Stats),
            ex(
                "cache reset (MOESI)",
                CacheOp::Reset {
                    protocol: Protocol::Moesi,
                    write_through: false,
                    memory: Vec::new(),
                },
            ),
        ]
    }
    fn request(&self, _client: ActorId, node: ActorId, line: &str) -> Result<N::Cmd, ApiRejection> {
        let op = api::parse(line)?;
        Ok(N::wrap_cmd(CacheCmd::Request { target: node, op }))
    }
    fn exchanges(&self, world: &World<'_, N>) -> Vec<ApiExchange> {
        let mut out = Vec::new();
        for (name, cid) in world.console {
            let history = world.sim.actor(*cid).part().history();
            let submitted = world
                .submitted_to(*cid)
                .filter_map(|(t, c)| N::unwrap_cmd(c).map(|c| (t, c)));
            for (i, (at, CacheCmd::Request { target, op })) in submitted.enumerate() {
                let r = history.get(i);
                let (status, body) = match r.and_then(|r| r.reply.as_ref()) {
                    Some(reply) => {
                        let (s, b) = api::render(reply);
                        (Some(s), Some(pretty_json(&b)))
                    }
                    None => (None, None),
                };
                out.push(ApiExchange {
                    ticket: i as u64 + 1,
                    client: name.clone(),
                    node: *target,
                    request: api::line(op),
                    invoked: r.map_or(at, |r| r.invoked),
                    completed: r.and_then(|r| r.completed),
                    status,
                    body,
                });
            }
        }
        out
    }
    fn invariants(&self, world: &World<'_, N>) -> Vec<InvariantView> {
        let states = check::check_states(world.sim, world.servers);
        let light = |name: &str, ok_detail: &str| {
            let bad = states.as_ref().err().filter(|v| v.invariant == name);
            InvariantView {
                name: name.into(),
                ok: bad.is_none(),
                detail: bad.map_or_else(|| ok_detail.to_string(), |v| v.detail.clone()),
                service: "cache".into(),
            }
        };
        let (values, verdict) = check::ValueChecker::replay(world.sim, world.servers, true);
        let lost = if values.lost > 0 {
            format!(
                "; {} × {} ({} acknowledged)",
                values.lost,
                check::LOST_IN_WINDOW,
                values.lost_acked
            )
        } else {
            String::new()
        };
        vec![
            light(check::SWMR, "an M or E copy is always the only valid one"),
            light(check::ONE_OWNER, "no line has two O copies"),
            light(
                check::PAIRS,
                "every pair of copies is in the permitted matrix",
            ),
            light(
                check::STALE,
                "memory is stale exactly while an M/O copy owes the write-back",
            ),
            InvariantView {
                name: "Reads return the latest write".into(),
                ok: verdict.is_ok(),
                detail: match verdict {
                    Ok(()) => format!("{} reads checked{lost}", values.reads),
                    Err(e) => e,
                },
                service: "cache".into(),
            },
        ]
    }
    fn describe_note(
        &self,
        _who: &str,
        _code: u16,
        _a: u64,
        _b: u64,
    ) -> Option<(EventCategory, String)> {
        None
    }
    fn describe_why(
        &self,
        _who: &str,
        why: &crate::sim::Why,
        label: &dyn Fn(u64) -> String,
    ) -> Option<(EventCategory, crate::sim::Reason)> {
        Some((EventCategory::Client, reasons::describe(why, label)?))
    }
}
