//! The playground facade: the one entry point the web UI uses. It owns a lock cluster on the
//! simulator (Raft servers + console clients) inside a `Timeline` (time travel, forks, replay),
//! and turns the core's state into plain view structs, so the UI holds no protocol logic.

mod actions;
mod console;
mod events;
mod golden;
mod invariants;
mod view;
mod view_build;

pub use actions::*;
pub use golden::golden_playground;
pub use view::*;

use serde::{Deserialize, Serialize};

use crate::lock::cluster::{LockProcess, LockWorkload};
use crate::net::NetProfile;
use crate::raft::{ClientConfig, Process, RaftClient, RaftConfig, RaftServer};
use crate::sim::{ActorId, NodeState, Recorded, Sim, SimConfig, Time, Timeline, MS, SEC};

/// The cluster a user asks for (from the controls or the URL).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
/// Console clients the API console can act as.
pub const CONSOLE_CLIENTS: [&str; 3] = ["A", "B", "C"];
/// Checkpoint spacing of the time slider.
pub const CHECKPOINT_EVERY: Time = 250 * MS;

impl PlaygroundConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(MIN_NODES..=MAX_NODES).contains(&self.nodes) {
            return Err(format!(
                "node count must be between {MIN_NODES} and {MAX_NODES}, got {}",
                self.nodes
            ));
        }
        NetProfile::parse(&self.profile).map_err(|e| e.0)?;
        Ok(())
    }
}

/// A running playground.
pub struct Playground {
    config: PlaygroundConfig,
    timeline: Timeline<LockProcess>,
}

/// A share link's content: the config and every recorded action.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shared {
    config: PlaygroundConfig,
    actions: Vec<Recorded<<LockProcess as crate::sim::Actor>::Cmd>>,
}

impl Playground {
    pub fn new(config: PlaygroundConfig) -> Result<Self, String> {
        let sim = build_sim(&config)?;
        Ok(Playground {
            config,
            timeline: Timeline::new(sim, CHECKPOINT_EVERY),
        })
    }

    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }
    pub fn sim(&self) -> &Sim<LockProcess> {
        self.timeline.sim()
    }
    pub fn now(&self) -> Time {
        self.sim().now()
    }
    pub fn servers(&self) -> usize {
        self.config.nodes
    }
    /// Process one simulation event (the smallest step a teacher can take).
    pub fn step(&mut self) {
        self.timeline.step();
    }
    /// Advance virtual time by `dt` microseconds.
    pub fn advance(&mut self, dt: Time) {
        let t = self.now().saturating_add(dt);
        self.timeline.advance_to(t);
    }
    pub fn trace_hash_hex(&self) -> String {
        self.sim().trace_hash_hex()
    }

    /// Time travel: the furthest virtual time reached, checkpoint times, and seeking.
    pub fn end_time(&self) -> Time {
        self.timeline.end_time()
    }
    pub fn checkpoint_times(&self) -> Vec<Time> {
        self.timeline.checkpoint_times()
    }
    pub fn seek(&mut self, t: Time) {
        self.timeline.seek(t);
    }
    /// Number of recorded user actions (the share link carries them).
    pub fn recorded_actions(&self) -> usize {
        self.timeline.actions().len()
    }

    /// The whole run (config + recorded actions) as a JSON string for a share link.
    pub fn share_string(&self) -> String {
        let shared = Shared {
            config: self.config.clone(),
            actions: self.timeline.actions().to_vec(),
        };
        serde_json::to_string(&shared).unwrap_or_default()
    }
    /// Rebuild a run from a share string. The recorded actions are replayed once to validate
    /// them; the playground then sits at t = 0 with that history ahead of it (`advance` replays
    /// it). Hostile or corrupted input gives an error message, never a panic.
    pub fn from_share_string(s: &str) -> Result<Self, String> {
        if s.len() > 1 << 20 {
            return Err("share link is too long".into());
        }
        let shared: Shared =
            serde_json::from_str(s).map_err(|e| format!("share link is not valid: {e}"))?;
        shared.config.validate()?;
        let sim = build_sim(&shared.config)?;
        let timeline = Timeline::with_actions(sim, CHECKPOINT_EVERY, shared.actions)
            .map_err(|e| format!("share link cannot be replayed: {}", e.0))?;
        Ok(Playground {
            config: shared.config,
            timeline,
        })
    }

    /// Time of the last recorded action (a shared run is replayed at least this far).
    pub fn last_action_time(&self) -> Time {
        self.timeline.actions().last().map_or(0, |r| r.at)
    }

    /// The current leader: the up server in the leader role with the highest term.
    pub fn leader(&self) -> Option<ActorId> {
        let sim = self.sim();
        (0..self.servers())
            .filter(|&i| sim.node_state(i) == NodeState::Up)
            .filter_map(|i| server(sim, i).map(|s| (i, s)))
            .filter(|(_, s)| s.role() == crate::raft::Role::Leader)
            .max_by_key(|(_, s)| s.term())
            .map(|(i, _)| i)
    }

    /// Actor id of a console client by name.
    pub fn console_client_id(&self, name: &str) -> Option<ActorId> {
        CONSOLE_CLIENTS
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
            .map(|k| self.servers() + k)
    }
    /// Console clients, by name ("A", "B", "C").
    pub fn console_clients(&self) -> Vec<String> {
        CONSOLE_CLIENTS.iter().map(|c| c.to_string()).collect()
    }
    /// "n1" for a server, "A"/"B"/"C" for a console client.
    pub fn actor_label(&self, id: ActorId) -> String {
        if id < self.servers() {
            format!("n{}", id + 1)
        } else {
            CONSOLE_CLIENTS
                .get(id - self.servers())
                .map_or_else(|| format!("c{id}"), |c| c.to_string())
        }
    }
}

pub(crate) fn server(
    sim: &Sim<LockProcess>,
    id: ActorId,
) -> Option<&RaftServer<crate::lock::LockTable>> {
    sim.actors().get(id).and_then(|a| a.server())
}

fn build_sim(config: &PlaygroundConfig) -> Result<Sim<LockProcess>, String> {
    config.validate()?;
    let profile = NetProfile::parse(&config.profile).map_err(|e| e.0)?;
    let raft = RaftConfig {
        pre_vote: config.pre_vote,
        check_quorum: config.check_quorum,
        ..RaftConfig::default()
    };
    let n = config.nodes;
    let ids: Vec<ActorId> = (0..n).collect();
    let mut actors: Vec<LockProcess> = ids
        .iter()
        .map(|&i| Process::Server(RaftServer::new(i, ids.clone(), raft.clone())))
        .collect();
    for k in 0..CONSOLE_CLIENTS.len() {
        // Console clients issue nothing on their own: only what the user submits.
        let mut c = RaftClient::new(n + k, ids.clone(), LockWorkload::passive());
        // Long enough for a queued acquire with the default wait timeout to be answered.
        c.config = ClientConfig {
            request_timeout: 15 * SEC,
            ..ClientConfig::default()
        };
        actors.push(Process::Client(c));
    }
    let cfg = SimConfig {
        seed: config.seed,
        servers: n,
        link: profile.link(),
        ..SimConfig::default()
    };
    Sim::new(cfg, actors).map_err(|e| e.0)
}

#[cfg(test)]
mod tests;
