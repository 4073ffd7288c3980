//! The distributed queue on consistent hashing (issue 12; REFERENCES §2, §4).
//!
//! Files, by concern:
//! - `placement.rs`: the fixed partitions of the hash space and their placement on the ring.
//! - `types.rs` + `sm.rs`: one partition's queue as a Raft state machine; `body.rs`: message
//!   bodies shared rather than copied; `list.rs`: ack batches likewise.
//! - `server.rs`: a server's partition instances (`Groups<RaftServer<QueueSm>>`) and the
//!   reconciler that moves partitions where the ring says.
//! - `client.rs`: queue operations over the partitions (routing, scans, 503s);
//!   `client/acks.rs`: a consumer's acks, sent in the background and batched per partition.
//! - `workload.rs`: the fuzzer's and the benchmark's producers and consumers.
//! - `actor.rs`: the service's actor (server or client).
//! - `api.rs`: the console routes (seed shapes, 400s naming the field) and result rendering.
//! - `service.rs`: the descriptor (routes, exchanges, lights, ring node actions, notes).
//! - `world.rs`: the ring now, a partition's leader and shown replica, in any world.
//! - `view.rs`: what the Queue tab draws.
//! - `bench.rs` + `params.rs`: the queue-throughput benchmark (its fault plan and failover
//!   figures in `bench_fault.rs`); `ring_bench.rs`: the ring-quality table.
//! - `fuzz.rs`: the fuzz target (`syncsim fuzz --service queue`).
//!
//! The design (why partitions, why remove-then-add, what ordering is promised) is in
//! `ARCHITECTURE.md`, "The queue's design".

mod actor;
pub mod api;
pub mod bench;
mod bench_fault;
pub mod client;
pub mod fuzz;
mod json;
pub mod lines;
pub mod list;
pub mod params;
pub mod placement;
mod reasons;
pub mod ring_bench;
pub mod server;
mod service;
pub mod sm;
pub mod types;
pub mod view;
pub mod workload;
pub mod world;

#[cfg(test)]
mod bench_tests;
#[cfg(test)]
mod console_tests;
#[cfg(test)]
mod harness;
#[cfg(test)]
mod node_failure_tests;
#[cfg(test)]
mod reasons_tests;
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
