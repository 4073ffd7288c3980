//! syncsim-core: a deterministic, I/O-free simulation of a small cluster.
//!
//! Everything here is driven by virtual time and one seeded PRNG, so the same seed and the same
//! actions always give the same trace hash, natively and in WebAssembly. See `ARCHITECTURE.md`.
//!
//! Module map:
//! - [`base`]: virtual time, the seeded PRNG and the stable hasher (no dependencies).
//! - [`sim`]: the discrete-event kernel (event queue, actors, effects, faults, trace, checkpoints).
//! - [`net`]: the network model (per-link latency distributions, loss, duplication, bandwidth).
//! - [`raft`]: a sans-I/O Raft node with pre-vote, check-quorum, snapshots, membership, transfer.
//! - [`ring`]: consistent hashing (virtual nodes, preference lists, balance and movement).
//! - [`service`]: the service contract, the node host that composes services, console routing.
//! - [`services`]: the services (`lock`: the Raft lock manager; `status`: node status and the
//!   phi-accrual failure detector) and their registration.
//! - [`bench`]: benchmark scenarios and serde result types.

pub mod base;
pub mod bench;
pub mod mutants;
pub mod net;
pub mod playground;
pub mod raft;
pub mod report;
pub mod ring;
pub mod service;
pub mod services;
pub mod sim;

/// The lock manager keeps its short path (`syncsim_core::lock`).
pub use services::lock;
