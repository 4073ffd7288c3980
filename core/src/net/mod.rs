//! The network model: per-directed-link latency (base + jitter), loss, duplication and bandwidth,
//! plus named profiles. It only *samples*; the simulator in `sim` decides what happens to messages.

pub mod hops;
pub mod link;
pub mod profile;

pub use link::{ConfigError, Jitter, LinkConfig, MAX_LATENCY_US};
pub use profile::NetProfile;
