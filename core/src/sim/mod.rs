//! The discrete-event simulation kernel.
//!
//! Actors (server nodes and simulated clients) are sans-I/O state machines: the simulator feeds
//! them inputs (start, message, timer, external command, crash) and applies the effects they emit
//! (send, set/cancel timer, persist, note). Nothing else delivers anything.
//!
//! Files: `actor.rs` (the contract), `clock.rs` (per-node clocks), `config.rs` (settings,
//! limits, errors),
//! `action.rs` (outside actions and views), `kernel.rs` (event loop), `wire.rs` (effects and
//! the link model), `view.rs` (read-only accessors), `faults.rs` (actions),
//! `trace.rs` (trace ring and hash), `timeline.rs` (checkpoints, time travel), `echo.rs`
//! (a tiny actor for benchmarks and golden tests).

pub mod action;
pub mod actor;
pub mod clock;
pub mod config;
pub mod echo;
mod faults;
mod json;
mod kernel;
mod queue;
pub mod timeline;
mod timers;
pub mod trace;
mod view;
mod wheel;
pub mod why;
mod wire;

pub use crate::base::rng::{self, SimRng};
pub use crate::net::{ConfigError, Jitter, LinkConfig, NetProfile};
pub use action::{Action, InFlight, NodeState};
pub use actor::*;
pub use clock::{ClockBound, ClockModel};
pub use config::{
    SimConfig, SimError, MAX_ACTORS, MAX_CPU_SERVICE_US, MAX_SERVERS, MAX_TRACE_CAPACITY,
};
pub use kernel::Sim;
pub use timeline::{Recorded, Timeline, MAX_CHECKPOINTS};
pub use trace::{DropReason, FaultKind, Trace, TraceEvent, TraceHasher, TraceKind, NO_PEER};
pub use why::{Reason, Why};
