//! Node status and failure detection: the seeds' `GET /status` and a phi-accrual failure
//! detector fed by heartbeats over the simulated network, so cuts, loss and pauses raise
//! suspicion exactly as they would on a real network.
//!
//! Files: `phi.rs` (the detector), `actor.rs` (heartbeats, the status document, the console
//! client), this file (the service descriptor: routes, console, invariants, notes) and
//! `view.rs` (what the UI draws: phi per pair of nodes).

mod actor;
pub mod fuzz;
mod json;
pub mod phi;
mod reasons;
mod view;

#[cfg(test)]
mod tests;

pub use actor::{
    StatusActor, StatusCmd, StatusConfig, StatusDoc, StatusMsg, StatusRecord, NOTE_SUSPECT,
    NOTE_TRUST,
};
pub use view::{PeerPhi, StatusNodeView, StatusView};

use crate::base::decimal::Fixed;
use crate::service::console::split_line;
use crate::service::{
    timeout_body, ApiExample, ApiExchange, ApiRejection, EventCategory, Hosts, InvariantView,
    ServiceApi, World,
};
use crate::sim::{ActorId, NodeState};

/// The status service's descriptor.
pub struct StatusApi;

impl<N: Hosts<StatusActor>> ServiceApi<N> for StatusApi {
    fn name(&self) -> &'static str {
        "status"
    }
    fn tab(&self) -> (&'static str, &'static str) {
        ("status", "Status")
    }
    fn owns_path(&self, path: &str) -> bool {
        path == "/status"
    }
    fn examples(&self, _world: &World<'_, N>, _client: ActorId) -> Vec<ApiExample> {
        vec![ApiExample {
            label: "node status".into(),
            line: "GET /status".into(),
        }]
    }
    fn request(&self, _client: ActorId, node: ActorId, line: &str) -> Result<N::Cmd, ApiRejection> {
        let head = split_line(line)?;
        if head.method != "GET" {
            return Err(ApiRejection::new(
                405,
                format!("`/status` accepts GET, not {}", head.method),
            ));
        }
        if !head.body.is_empty() {
            return Err(ApiRejection::new(400, "body: GET /status takes no body"));
        }
        if !head.query.is_empty() {
            return Err(ApiRejection::new(
                400,
                format!(
                    "query: GET /status takes no parameters, got `{}`",
                    head.query
                ),
            ));
        }
        Ok(N::wrap_cmd(StatusCmd::Get { target: node }))
    }

    fn exchanges(&self, world: &World<'_, N>) -> Vec<ApiExchange> {
        let mut out = Vec::new();
        for (name, cid) in world.console {
            let history = world.sim.actor(*cid).part().history();
            let submitted = world
                .submitted_to(*cid)
                .filter_map(|(t, c)| N::unwrap_cmd(c).map(|c| (t, c)));
            for (i, (at, StatusCmd::Get { target })) in submitted.enumerate() {
                let r = history.get(i);
                let (status, body) = match r {
                    Some(StatusRecord {
                        completed: Some(_),
                        doc: Some(doc),
                        ..
                    }) => (Some(200), serde_json::to_string_pretty(doc).ok()),
                    Some(StatusRecord {
                        completed: Some(_),
                        doc: None,
                        ..
                    }) => (Some(504), Some(timeout_body())),
                    _ => (None, None),
                };
                out.push(ApiExchange {
                    ticket: i as u64 + 1,
                    client: name.clone(),
                    node: *target,
                    request: "GET /status".into(),
                    invoked: r.map_or(at, |r| r.invoked),
                    completed: r.and_then(|r| r.completed),
                    status,
                    body,
                });
            }
        }
        out
    }

    /// Accuracy under timely delivery: no up server suspects a peer it heard from within one
    /// heartbeat period (phi must stay low while heartbeats keep arriving on time).
    fn invariants(&self, world: &World<'_, N>) -> Vec<InvariantView> {
        let now = world.sim.now();
        let mut bad = None;
        for i in 0..world.servers {
            if world.sim.node_state(i) != NodeState::Up {
                continue;
            }
            let s = world.sim.actor(i).part();
            for p in s.peers() {
                let (Some(phi), Some(heard)) = (s.phi(p, now), s.last_heard(p)) else {
                    continue;
                };
                if now.saturating_sub(heard) <= s.cfg.heartbeat_every && phi >= s.cfg.phi.threshold
                {
                    bad = Some(format!(
                        "n{} suspects n{} (phi {phi}) although it heard from it {} ms ago",
                        i + 1,
                        p + 1,
                        now.saturating_sub(heard) / 1000,
                        phi = Fixed(phi, 1)
                    ));
                }
            }
        }
        vec![InvariantView {
            name: "No false suspicion".into(),
            ok: bad.is_none(),
            detail: bad.unwrap_or_else(|| {
                "no node suspects a peer it heard from within one heartbeat period".into()
            }),
            service: "status".into(),
        }]
    }

    /// The status service notes nothing but reasons (below).
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
        who: &str,
        why: &crate::sim::Why,
        label: &dyn Fn(u64) -> String,
    ) -> Option<(EventCategory, crate::sim::Reason)> {
        Some((
            EventCategory::Suspicion,
            reasons::describe(who, why, label)?,
        ))
    }
}
