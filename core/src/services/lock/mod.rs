//! The replicated lock manager (REFERENCES §3.3): a deterministic Raft state machine, the
//! seed-shaped HTTP API, a fencing demo store, a client workload for simulated clusters and a
//! history checker.
//!
//! Files, by concern:
//! - `types.rs`: `LockMode`, `LockCmd`, `LockOutput`, `LockStatus`, `Holder`, `Waiter`.
//! - `table.rs` (queue, grants, upgrades, release, idempotency), `lease.rs` (tick expiry,
//!   leader-change extension), `deadlock.rs` (wait-for cycle search), `view.rs` (read-only views
//!   for the UI), `replicated.rs` (the `StateMachine` impl, labels, digest by `base::StableHasher`).
//! - `fenced.rs`: `FencedStore`, which rejects writes carrying an older fencing token, and
//!   `UnfencedStore` (last write wins) to compare; `fencing_demo.rs`: both behind a client
//!   whose clock breaks the bound (`syncsim demo fencing`).
//! - `api.rs` + `router.rs`: `parse_request("POST /lock/acquire {...}")`, `to_lock_cmd`,
//!   `to_client_op`, `render_response` (seed JSON shapes; `timeout` and `lease` in seconds).
//! - `checker.rs` + `linearize.rs` + `lease_check.rs`: safety checks, a Wing–Gong–Lowe
//!   linearizability search and client-side lease safety.
//! - `cluster.rs`: `LockWorkload`, `lock_cluster`, history adapter, replica digests;
//!   `stats.rs`: outcome counts and latencies.
//!
//! Clocks: the service is safe under [`fuzz::LOCK_CLOCK_BOUND`] (every clock within ±50 ms of
//! true time, so any two within ε = 100 ms; rates within 1 ± ρ, ρ = 1000 ppm). Servers stamp
//! entries on their own clocks and the table's time is the largest stamp applied (`table.rs`);
//! clients trust a lease only until [`cluster::trusted_until`] on their own clock (a margin of
//! the bound); the checker (`checker.rs`, `lease_check.rs`) models both. Beyond the bound only
//! fencing keeps the protected resource safe (`fencing_demo.rs`).
//!
//! Units: virtual time is in microseconds everywhere in the core (`acquired_at`, `expires_at`,
//! `since`); command fields named `*_ms` are milliseconds; the HTTP API speaks seconds in requests
//! and milliseconds in responses.

pub mod api;
pub mod bench;
pub mod checker;
pub mod cluster;
pub mod deadlock;
pub mod fenced;
pub mod fencing_demo;
pub mod fuzz;
mod json;
mod lease;
mod lease_check;
mod lin_model;
mod linearize;
mod panel;
pub mod params;
pub mod reasons;
mod replicated;
pub mod router;
mod service;
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
mod console_tests;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod skew_tests;
#[cfg(test)]
mod table_tests;

pub use api::{render_response, to_client_op, to_lock_cmd, ApiError, ApiRequest};
pub use checker::{
    check_history, check_history_within, LockEvent, LockOp, Verdict, DEFAULT_STEP_BUDGET,
};
pub use cluster::{lock_cluster, LockProcess, LockWorkload};
pub use fenced::{FencedStore, UnfencedStore};
pub use panel::{
    history_verdict, history_verdict_of_json, LockHolderView, LockRowView, LockTableView,
    LockWaiterView,
};
pub use router::parse_request;
pub use service::{service_console_client, service_server, LockApi};
pub use stats::{summarize, LockRunStats};
pub use table::{LockTable, LEADER_CHANGE_EXTENSION_MS};
pub use types::*;
#[cfg(test)]
mod open_loop_tests;
