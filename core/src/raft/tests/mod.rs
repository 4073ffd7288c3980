//! Raft tests: the etcd/raft paper scenarios (pure node, hand-made Ctx), named simulator
//! scenarios, and the randomized fault fuzzer.

mod harness;
mod paper_election;
mod paper_replication;
