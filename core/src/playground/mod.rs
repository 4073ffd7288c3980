//! The playground facade: the one entry point the web UI uses. It owns a world of `Node`s (every
//! registered service on every server, and on the console clients) inside a `Timeline` (time
//! travel, forks, replay), and turns the core's state into plain view structs, so the UI holds no
//! protocol logic. Nothing here names a service: services add their own views and actions
//! through their descriptors (`service::ServiceApi`) and `impl Playground` blocks in their modules.

mod actions;
mod console;
mod events;
mod golden;
mod invariants;
mod narrate;
mod request;
mod share_decode;
pub mod tours;
mod view;
mod view_build;

pub use actions::*;
pub use golden::golden_playground;
pub use request::{find_exchange, Sent, PAUSED_ADVANCE_LIMIT};
pub use view::*;

use serde::{Deserialize, Serialize};

use crate::net::NetProfile;
use crate::service::{ServiceApi, ServiceSet, World};
use crate::services::Node;
use crate::sim::{Actor, ActorId, Recorded, Sim, SimConfig, Time, Timeline, MS};

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

/// A running playground (`Clone`: a tour keeps each step's starting state for "back").
#[derive(Clone)]
pub struct Playground {
    config: PlaygroundConfig,
    timeline: Timeline<Node>,
    /// Console clients: (name, actor id).
    console: Vec<(String, ActorId)>,
}

/// A share link's content: the config and every recorded action.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shared {
    config: PlaygroundConfig,
    actions: Vec<Recorded<<Node as Actor>::Cmd>>,
}

impl Playground {
    pub fn new(config: PlaygroundConfig) -> Result<Self, String> {
        let sim = build_sim(&config)?;
        Ok(Playground {
            console: console_clients(config.nodes),
            config,
            timeline: Timeline::new(sim, CHECKPOINT_EVERY),
        })
    }

    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }
    pub fn sim(&self) -> &Sim<Node> {
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
    /// Step until the next message delivery has been handled ("Next delivery"): at most
    /// `MAX_STEPS_TO_DELIVERY` events, so an idle world cannot spin. True if one was delivered.
    pub fn step_to_delivery(&mut self) -> bool {
        for _ in 0..MAX_STEPS_TO_DELIVERY {
            let before = self.sim().trace().total();
            if !self.timeline.step() {
                return false;
            }
            let delivered = self
                .sim()
                .trace()
                .iter()
                .rev()
                .take_while(|e| e.seq >= before)
                .any(|e| e.kind == crate::sim::TraceKind::Deliver);
            if delivered {
                return true;
            }
        }
        false
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
        // Parsed into a `Value` by the page's one JSON parser (`base::json_text`, exact for
        // doubles), then read by hand instead of by the derived `Deserialize` (`share_decode`:
        // much smaller in the `.wasm`, docs/size.md). The messages name the bad field or variant.
        let shared = crate::base::json_text::parse(s)
            .and_then(|v| share_decode::shared(&v))
            .map_err(|e| format!("share link is not valid: {e}"))?;
        shared.config.validate()?;
        let sim = build_sim(&shared.config)?;
        let timeline = Timeline::with_actions(sim, CHECKPOINT_EVERY, shared.actions)
            .map_err(|e| format!("share link cannot be replayed: {}", e.0))?;
        Ok(Playground {
            console: console_clients(shared.config.nodes),
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
        self.with_world(|w| w.leader())
    }

    /// What services see of this world: the simulator, the console clients and the recorded
    /// actions up to now.
    pub fn with_world<R>(&self, f: impl FnOnce(&World<'_, Node>) -> R) -> R {
        f(&World {
            sim: self.sim(),
            servers: self.servers(),
            console: &self.console,
            actions: self.timeline.actions(),
        })
    }

    /// The registered services, in registration order.
    pub fn services(&self) -> &'static [&'static dyn ServiceApi<Node>] {
        Node::services()
    }

    /// Actor id of a console client by name.
    pub fn console_client_id(&self, name: &str) -> Option<ActorId> {
        self.console
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(name))
            .map(|(_, id)| *id)
    }
    /// Console clients, by name ("A", "B", "C").
    pub fn console_clients(&self) -> Vec<String> {
        self.console.iter().map(|(c, _)| c.clone()).collect()
    }
    /// "n1" for a server, "A"/"B"/"C" for a console client.
    pub fn actor_label(&self, id: ActorId) -> String {
        self.with_world(|w| w.label(id))
    }
}

fn console_clients(servers: usize) -> Vec<(String, ActorId)> {
    CONSOLE_CLIENTS
        .iter()
        .enumerate()
        .map(|(k, c)| (c.to_string(), servers + k))
        .collect()
}

fn build_sim(config: &PlaygroundConfig) -> Result<Sim<Node>, String> {
    config.validate()?;
    let profile = NetProfile::parse(&config.profile).map_err(|e| e.0)?;
    let n = config.nodes;
    let actors = crate::services::world(
        n,
        CONSOLE_CLIENTS.len(),
        &crate::services::WorldOptions {
            pre_vote: config.pre_vote,
            check_quorum: config.check_quorum,
        },
    );
    let cfg = SimConfig {
        seed: config.seed,
        servers: n,
        link: profile.link(),
        ..SimConfig::default()
    };
    Sim::new(cfg, actors).map_err(|e| e.0)
}

/// Events "Next delivery" may skip (timers, persists) before giving up.
const MAX_STEPS_TO_DELIVERY: usize = 10_000;

#[cfg(test)]
mod share_decode_tests;
#[cfg(test)]
mod tests;
