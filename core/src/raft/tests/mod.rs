//! Raft tests: the etcd/raft paper scenarios (pure node, hand-made Ctx), named simulator
//! scenarios, and the randomized fault fuzzer.

mod cluster;
mod harness;
mod scenarios;
mod figure8;
mod paper_election;
mod paper_replication;
mod fuzz;
mod extra;
