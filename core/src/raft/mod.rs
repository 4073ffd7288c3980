//! Raft consensus as a sans-I/O node, with pre-vote, check-quorum, batching and pipelining,
//! ReadIndex reads, leadership transfer, single-server membership changes and snapshots.
//! See `sm.rs` for the state-machine contract and `server.rs` for the actor.

pub mod check;
pub mod client;
pub mod config;
mod election;
pub mod fuzz;
mod fuzz_reads;
pub mod fuzz_swarm;
pub mod history;
mod json;
pub mod log;
mod membership;
pub mod msg;
pub mod node;
pub mod notes;
pub mod process;
pub mod progress;
pub mod read;
pub mod reasons;
mod replication;
pub mod server;
pub mod sessions;
pub mod sm;
mod snapshot;
mod step;
pub mod storage;
pub mod testsm;
pub mod view;

#[cfg(test)]
mod tests;

pub use client::{ClientCmd, ClientConfig, HistoryEntry, Idle, RaftClient, Workload};
pub use config::RaftConfig;
pub use msg::{ClientOp, ClientResult, Entry, NodeStatus, Payload, RaftMsg, Wire};
pub use node::{RaftServer, RaftSm, Role};
pub use process::{Process, ProcessCmd};
pub use server::ServerCmd;
pub use sm::*;
pub use storage::{PersistOp, RaftDurable, Snapshot};
pub use view::RaftView;
