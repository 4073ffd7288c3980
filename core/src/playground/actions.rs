//! What the UI can ask the playground to do, and what it can read back besides the cluster view.

use serde::{Deserialize, Serialize};

use crate::sim::{ActorId, Time};

pub use crate::service::{
    ApiExample, ApiExchange, ApiRejection, EventCategory, InvariantView, NodeMenuItem,
};

/// A user action. Every action is recorded with its virtual time, so a run replays exactly and a
/// share link can carry it; acting while looking at the past forks history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum UiAction {
    /// Click on a link: cut it both ways if any direction is up, heal it otherwise.
    ToggleLink {
        a: ActorId,
        b: ActorId,
    },
    /// Modifier-click: cut only `from → to`.
    CutOneWay {
        from: ActorId,
        to: ActorId,
    },
    HealLink {
        a: ActorId,
        b: ActorId,
    },
    Isolate {
        node: ActorId,
    },
    IsolateLeader,
    /// Majority / minority split of the servers.
    SplitMajority,
    HealAll,
    DropMessage {
        id: u64,
    },
    Crash {
        node: ActorId,
    },
    Restart {
        node: ActorId,
    },
    Pause {
        node: ActorId,
    },
    Resume {
        node: ActorId,
    },
    ForceTimeout {
        node: ActorId,
    },
    TransferLeadership {
        to: ActorId,
    },
    AddServer {
        node: ActorId,
    },
    RemoveServer {
        node: ActorId,
    },
    /// Keyboard `c`: the demo client issues a lock request cycle.
    ClientRequest,
    /// A node action a service offers in its own name (the queue's ring join and leave):
    /// planned by the service called `service`, which knows what `action` means.
    ServiceAction {
        service: String,
        action: String,
        node: ActorId,
    },
    /// Keyboard `r`: restart the leader (crash it if running, else restart the crashed one).
    RestartLeader,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActOutcome {
    /// True when the action was taken in the past and discarded the recorded future.
    pub forked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub seq: u64,
    pub t: Time,
    pub category: EventCategory,
    pub text: String,
    /// The reason's code when the line explains a decision (`data-reason` in the page).
    #[serde(default)]
    pub reason: Option<String>,
}
