//! Raft tests: the etcd/raft paper scenarios (pure node, hand-made Ctx), named simulator
//! scenarios, and the randomized fault fuzzer.

mod cluster;
mod extra_election;
mod extra_server;
mod figure8;
mod fuzz;
mod harness;
mod paper_election;
mod paper_replication;
mod reasons;
mod reasons_membership;
mod reasons_read;
mod reasons_snapshot;
mod scenarios;
mod scenarios_client;
