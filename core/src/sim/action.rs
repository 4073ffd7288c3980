//! The vocabulary of the outside world: user/driver actions (serialisable, so they can be
//! recorded, replayed and put in a shareable URL) and the read-only views the UI polls.

use serde::{Deserialize, Serialize};

use super::{ActorId, ClockModel, Time};
use crate::net::LinkConfig;

/// Something done to the simulation from outside. Link faults act on directed links between any
/// two actors, but the presets (`Isolate`, `Split`) only touch server↔server links: client↔server
/// links change only through explicit `Cut`/`Heal`/`CutBoth`/`HealBoth` (and `HealAll`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Action<C> {
    /// Hand an external command (UI button, API request, benchmark driver) to one actor.
    Command {
        to: ActorId,
        cmd: C,
    },
    /// Cut the directed link `from → to`: messages on it are dropped (also those in flight).
    Cut {
        from: ActorId,
        to: ActorId,
    },
    Heal {
        from: ActorId,
        to: ActorId,
    },
    CutBoth {
        a: ActorId,
        b: ActorId,
    },
    HealBoth {
        a: ActorId,
        b: ActorId,
    },
    /// Cut `node` from every other server, both ways.
    Isolate {
        node: ActorId,
    },
    /// Make the servers exactly two sides: `group` and the rest. Replaces existing
    /// server↔server cuts; client links are untouched.
    Split {
        group: Vec<ActorId>,
    },
    /// Remove every cut, client links included.
    HealAll,
    /// Drop one message that is in flight, by its id (see `Sim::in_flight`).
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
    /// Override the configuration of the directed link `from → to`.
    SetLink {
        from: ActorId,
        to: ActorId,
        link: LinkConfig,
    },
    /// Set the configuration of every link, removing per-link overrides.
    SetAllLinks {
        link: LinkConfig,
    },
    /// Set one actor's clock from now on (`clock.rs`): its offset from true time and its drift.
    /// `ClockModel::PERFECT` puts it back in step (holding still if it was ahead).
    SetClock {
        node: ActorId,
        clock: ClockModel,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeState {
    Up,
    Crashed,
    Paused,
}

/// A message on the wire, for drawing and for `Action::DropMessage`. `sent_at` is when it left
/// the sender (after the sender's CPU finished the handler, so it can be slightly in the future).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InFlight {
    pub id: u64,
    pub from: ActorId,
    pub to: ActorId,
    pub kind: &'static str,
    pub sent_at: Time,
    pub arrives_at: Time,
}
