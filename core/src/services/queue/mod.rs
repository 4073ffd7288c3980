//! The distributed queue on consistent hashing (issue 12; REFERENCES §2, §4).
//!
//! Files, by concern:
//! - `placement.rs`: the fixed partitions of the hash space and their placement on the ring.
//! - `types.rs` + `sm.rs`: one partition's queue as a Raft state machine.
//! - `server.rs`: a server's partition instances (`Groups<RaftServer<QueueSm>>`) and the
//!   reconciler that moves partitions where the ring says.
//! - `client.rs`: queue operations over the partitions (routing, scans, 503s), workloads.
//! - `actor.rs`: the service's actor (server or client).
//! - `view.rs`: what the Queue tab draws, and the pure ring-quality function.

mod actor;
pub mod api;
pub mod client;
pub mod fuzz;
pub mod lines;
pub mod placement;
pub mod server;
mod service;
pub mod sm;
pub mod types;
pub mod view;
pub mod world;

#[cfg(test)]
mod console_tests;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod sm_tests;
#[cfg(test)]
mod tests;

pub use actor::{
    queue_console_client, queue_server, queue_workload_client, QueueActor, QueueActorCmd,
};

pub use placement::{partition_of, PARTITIONS, REPLICAS, VNODES};
pub use service::{QueueApi, ACTION_JOIN, ACTION_LEAVE};
pub use view::*;
