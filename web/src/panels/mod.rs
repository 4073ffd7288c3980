//! The panels: one module per tab of the side panel (Raft logs, locks, API console, event
//! log, benchmarks), the invariants strip, and the request helpers the console and the locks
//! form share.

pub mod api;
pub mod bench;
pub mod console;
pub mod events;
pub mod invariants;
pub mod locks;
pub mod raft;
