//! The replicated lock manager: a Raft state machine (`LockTable`), the seed-shaped HTTP API
//! (`api`, `router`), a fencing demo store and a linearizability/safety history checker.

pub mod api;
pub mod checker;
pub mod cluster;
pub mod deadlock;
pub mod digest;
pub mod fenced;
mod lease;
mod linearize;
mod replicated;
pub mod router;
pub mod stats;
pub mod table;
pub mod types;
mod view;

#[cfg(test)]
mod api_tests;
#[cfg(test)]
mod checker_tests;
#[cfg(test)]
mod cluster_tests;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod table_tests;

pub use api::{render_response, to_client_op, to_lock_cmd, ApiError, ApiRequest};
pub use checker::{check_history, LockEvent, LockOp, Verdict, DEFAULT_STEP_BUDGET};
pub use cluster::{lock_cluster, LockProcess, LockWorkload};
pub use fenced::FencedStore;
pub use router::parse_request;
pub use stats::{summarize, LockRunStats};
pub use table::{LockTable, LEADER_CHANGE_EXTENSION_MS};
pub use types::*;
