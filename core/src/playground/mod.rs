//! The playground facade: the one entry point the web UI uses. It owns a lock cluster on the
//! simulator (Raft servers + clients), time travel, and turns the core's state into plain view
//! structs, so the UI holds no protocol logic.
//!
//! NOTE: the lead is wiring this to the real simulator; the view types below are the stable
//! contract the UI renders.

mod view;

pub use view::*;

use crate::sim::{Time, MS};

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
}
