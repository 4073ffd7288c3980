//! The playground facade: the one entry point the web UI uses. It owns a lock cluster on the
//! simulator (Raft servers + clients), time travel, and turns the core's state into plain view
//! structs, so the UI holds no protocol logic.
//!
//! NOTE: the lead is wiring this to the real simulator; the view types below are the stable
//! contract the UI renders.

mod actions;
mod view;

pub use actions::*;
pub use view::*;

use crate::sim::{ActorId, Time, MS};

/// The cluster a user asks for (from the controls or the URL).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlaygroundConfig {
    pub seed: u64,
    pub nodes: usize,
    /// Network profile name (see `net::NetProfile`), e.g. "localhost".
    pub profile: String,
    pub pre_vote: bool,
    pub check_quorum: bool,
}

impl Default for PlaygroundConfig {
    fn default() -> Self {
        PlaygroundConfig {
            seed: 1,
            nodes: 5,
            profile: "localhost".into(),
            pre_vote: true,
            check_quorum: true,
        }
    }
}

pub const MIN_NODES: usize = 1;
pub const MAX_NODES: usize = 9;

impl PlaygroundConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(MIN_NODES..=MAX_NODES).contains(&self.nodes) {
            return Err(format!(
                "node count must be between {MIN_NODES} and {MAX_NODES}, got {}",
                self.nodes
            ));
        }
        Ok(())
    }
}

/// A running playground.
pub struct Playground {
    config: PlaygroundConfig,
    now: Time,
}

impl Playground {
    pub fn new(config: PlaygroundConfig) -> Result<Self, String> {
        config.validate()?;
        Ok(Playground { config, now: 0 })
    }
    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }
    pub fn now(&self) -> Time {
        self.now
    }
    /// Process one simulation event.
    pub fn step(&mut self) {
        self.now += MS;
    }
    /// Advance virtual time by `dt` microseconds.
    pub fn advance(&mut self, dt: Time) {
        self.now += dt;
    }
    pub fn trace_hash_hex(&self) -> String {
        format!("{:016x}", self.config.seed ^ self.now)
    }
    pub fn view(&self) -> ClusterView {
        ClusterView {
            now: self.now,
            trace_hash: self.trace_hash_hex(),
            leader: None,
            nodes: (0..self.config.nodes)
                .map(|i| NodeView {
                    id: i,
                    name: format!("n{}", i + 1),
                    role: Role::Follower,
                    ..NodeView::default()
                })
                .collect(),
            ..ClusterView::default()
        }
    }

    // ---- actions (issue 6). Placeholder bodies until the lead wires the simulator. ----

    /// Apply a user action at the current virtual time.
    pub fn act(&mut self, _action: UiAction) -> Result<ActOutcome, String> {
        Ok(ActOutcome::default())
    }
    /// Console clients, by name ("A", "B", "C").
    pub fn console_clients(&self) -> Vec<String> {
        vec!["A".into(), "B".into(), "C".into()]
    }
    /// Send a seed-API request line (e.g. `POST /lock/acquire {"resource":"db"}`) from a console
    /// client to a node. A malformed request is rejected at once with the router's error.
    pub fn api_request(&mut self, _client: &str, _node: ActorId, _line: &str) -> Result<u64, ApiRejection> {
        Err(ApiRejection { status: 400, message: "not wired yet".into() })
    }
    pub fn api_exchanges(&self) -> Vec<ApiExchange> {
        Vec::new()
    }
    pub fn lock_table(&self) -> LockTableView {
        LockTableView::default()
    }
    /// Recent trace events, newest last, at most `limit`.
    pub fn events(&self, _limit: usize) -> Vec<EventView> {
        Vec::new()
    }
    pub fn invariants(&self) -> Vec<InvariantView> {
        Vec::new()
    }
    /// Linearizability / mutual-exclusion verdict over the recorded client history.
    pub fn check_history(&self) -> String {
        String::new()
    }
    /// Time travel: the furthest virtual time reached, checkpoint times, and seeking.
    pub fn end_time(&self) -> Time {
        self.now
    }
    pub fn checkpoint_times(&self) -> Vec<Time> {
        Vec::new()
    }
    pub fn seek(&mut self, t: Time) {
        self.now = t;
    }
    /// The whole run (config + recorded actions) as a JSON string for a share link, and back.
    pub fn share_string(&self) -> String {
        serde_json::to_string(&self.config).unwrap_or_default()
    }
    pub fn from_share_string(s: &str) -> Result<Self, String> {
        let config: PlaygroundConfig = serde_json::from_str(s).map_err(|e| format!("bad share link: {e}"))?;
        Self::new(config)
    }
}
