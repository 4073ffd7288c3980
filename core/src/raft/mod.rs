//! Raft consensus as a sans-I/O node. See `sm.rs` for the state-machine contract.

pub mod sm;

pub use sm::*;
