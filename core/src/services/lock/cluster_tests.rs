//! The lock manager on a simulated Raft cluster: the seeds' quick run, acceptance item 9 and
//! randomized fault runs checked by the history checker and replica digests.

use super::checker::{check_history, Verdict, DEFAULT_STEP_BUDGET};
use super::cluster::*;
use super::stats::{summarize, LockRunStats};
use super::types::{LockCmd, LockMode};
use crate::net::{LinkConfig, NetProfile};
use crate::raft::{ClientOp, RaftConfig, StateMachine};
use crate::sim::{Action, ActorId, Sim, SimRng, Time, MS, SEC};

fn leader(sim: &Sim<LockProcess>) -> Option<ActorId> {
    crate::service::leader_of(sim, crate::service::Service::consensus).map(|(i, _)| i)
}

fn percentile(sorted: &[Time], p: f64) -> Time {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
fn seeds_quick_run_50_sequential_exclusive_pairs() {
    let link = NetProfile::Localhost.link();
    let mut w = LockWorkload::sequential_exclusive("db", 50);
    w.start_after = SEC; // measure a running cluster, as the seeds did, not the first election
    let mut sim = lock_cluster(42, 3, link, &RaftConfig::default(), vec![w]).expect("valid config");
    sim.run_until(30 * SEC);
    let events = cluster_events(&sim);
    let stats = summarize(&events);
    assert_eq!(
        (stats.acquires, stats.granted, stats.released),
        (50, 50, 50),
        "all succeed"
    );
    let mut lat = stats.acquire_latency_us.clone();
    lat.sort_unstable();
    let (p50, p95, p99) = (
        percentile(&lat, 0.5),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
    );
    println!("quick run: 50/50 granted; acquire latency p50 {p50} µs, p95 {p95} µs, p99 {p99} µs");
    assert!(p95 < 50 * MS, "p95 {p95} µs");
    assert_eq!(check_history(&events, DEFAULT_STEP_BUDGET), Verdict::Ok);
    assert!(replicas_agree(&sim).is_ok());
}

/// Acceptance item 9: five replicas; the leader is killed while clients are queued; the locks
/// survive re-election and every replica ends with a byte-identical table.
#[test]
fn item9_replicas_agree_and_locks_survive_leader_crash() {
    let link = LinkConfig::constant(MS);
    let mut w = LockWorkload::new(&["db"], 0.0);
    w.hold = (400 * MS, 401 * MS);
    w.wait_timeout_ms = 30_000;
    w.lease_ms = 20_000;
    w.max_acquires = Some(3);
    let mut sim =
        lock_cluster(9, 5, link, &RaftConfig::default(), vec![w; 4]).expect("valid config");
    // Run until somebody holds `db` with others queued behind it.
    let mut t = 0;
    let queued = loop {
        t += 10 * MS;
        sim.run_until(t);
        let Some(l) = leader(&sim) else { continue };
        let st = sim.actor(l).server().unwrap().state_machine().status("db");
        if st.locked && st.waiters.len() >= 2 {
            break (l, st);
        }
        assert!(t < 10 * SEC, "no queue formed");
    };
    let (old_leader, before) = queued;
    sim.apply(Action::Crash { node: old_leader }).unwrap();
    sim.run_for(100 * MS);
    // Soon after re-election, the new leader still has the same holder and queue.
    let mut t = sim.now();
    let new_leader = loop {
        t += 5 * MS;
        sim.run_until(t);
        if let Some(l) = leader(&sim) {
            break l;
        }
        assert!(t < sim.now() + 5 * SEC, "no new leader");
    };
    assert_ne!(new_leader, old_leader);
    let after = sim
        .actor(new_leader)
        .server()
        .unwrap()
        .state_machine()
        .status("db");
    assert!(after.locked, "the lock persists after re-election");
    let first_before = &before.holders[0];
    assert!(
        after
            .holders
            .iter()
            .any(|h| h.lock_id == first_before.lock_id)
            || after.holders[0].fencing_token > first_before.fencing_token,
        "the holder is the same or a later grant: {before:?} vs {after:?}"
    );
    sim.apply(Action::Restart { node: old_leader }).unwrap();
    sim.run_for(30 * SEC);
    let digests = replica_digests(&sim);
    assert_eq!(digests.len(), 5);
    assert!(
        digests
            .iter()
            .all(|d| (d.1, d.2) == (digests[0].1, digests[0].2)),
        "{digests:?}"
    );
    let events = cluster_events(&sim);
    assert_eq!(
        summarize(&events).granted,
        12,
        "all 4 × 3 acquires granted in the end"
    );
    assert_eq!(check_history(&events, DEFAULT_STEP_BUDGET), Verdict::Ok);
}

/// One randomized run with crashes, partitions and message loss; returns a failure message.
fn fault_run(seed: u64) -> Result<LockRunStats, String> {
    let servers = if seed.is_multiple_of(2) { 3 } else { 5 };
    let workloads = super::fuzz::fault_workloads(if seed.is_multiple_of(3) { 1 } else { 2 });
    let raft = RaftConfig {
        snapshot_every: if seed % 4 == 1 { 40 } else { 1000 },
        ..RaftConfig::default()
    };
    let mut sim = lock_cluster(
        seed,
        servers,
        NetProfile::Localhost.link(),
        &raft,
        workloads,
    )
    .map_err(|e| e.0)?;
    let mut rng = SimRng::new(seed ^ 0x5eed);
    let total = servers + 4;
    let mut crashed: Vec<ActorId> = Vec::new();
    for _ in 0..25 {
        sim.run_for(rng.range_u64(100, 600) * MS);
        let action = match rng.range_u64(0, 6) {
            0 | 1 if crashed.len() < (servers - 1) / 2 => {
                let node = rng.range_u64(0, servers as u64) as ActorId;
                if crashed.contains(&node) {
                    continue;
                }
                crashed.push(node);
                Action::Crash { node }
            }
            2 if !crashed.is_empty() => Action::Restart {
                node: crashed.remove(0),
            },
            3 => Action::Isolate {
                node: rng.range_u64(0, servers as u64) as ActorId,
            },
            4 => {
                let mut link = NetProfile::Localhost.link();
                link.loss = 0.05;
                link.duplicate = 0.02;
                Action::SetAllLinks { link }
            }
            5 => Action::Crash {
                node: rng.range_u64(servers as u64, total as u64) as ActorId,
            },
            _ => Action::HealAll,
        };
        if let Action::Crash { node } = action {
            if node >= servers {
                sim.apply(action).map_err(|e| e.0)?;
                sim.run_for(50 * MS);
                sim.apply(Action::Restart { node }).map_err(|e| e.0)?;
                continue;
            }
        }
        sim.apply(action).map_err(|e| e.0)?;
    }
    // Heal everything, restart everyone, stop the workloads' new acquires by letting time pass.
    sim.apply(Action::HealAll).map_err(|e| e.0)?;
    sim.apply(Action::SetAllLinks {
        link: NetProfile::Localhost.link(),
    })
    .map_err(|e| e.0)?;
    for node in crashed {
        sim.apply(Action::Restart { node }).map_err(|e| e.0)?;
    }
    sim.run_for(3 * SEC);
    replicas_agree(&sim)?;
    let events = cluster_events(&sim);
    match check_history(&events, DEFAULT_STEP_BUDGET) {
        Verdict::Ok => {}
        Verdict::Unknown => return Err("checker budget exhausted".into()),
        Verdict::Violation(why) => return Err(why),
    }
    Ok(summarize(&events))
}

#[test]
fn randomized_fault_runs_pass_the_checker_and_replicas_agree() {
    let (mut granted, mut deadlocks, mut refused) = (0, 0, 0);
    for seed in 1..=30 {
        match fault_run(seed) {
            Ok(s) => {
                granted += s.granted;
                deadlocks += s.deadlocks;
                refused += s.release_refused;
            }
            Err(why) => panic!("seed {seed}: {why}"),
        }
    }
    println!(
        "fault runs: {granted} grants, {deadlocks} deadlock victims, {refused} refused releases"
    );
    assert!(
        granted > 500,
        "the workload made progress ({granted} grants)"
    );
    assert!(
        deadlocks > 0,
        "nested holds produced deadlocks that the table broke"
    );
}

#[test]
fn replica_tables_match_when_fed_the_same_log() {
    use crate::raft::{ApplyCtx, RequestId};
    let mut replicas = vec![super::LockTable::default(); 5];
    let mut rng = SimRng::new(3);
    let mut out = Vec::new();
    for index in 1..=500u64 {
        let client = rng.range_u64(10, 16) as ActorId;
        let cmd = match rng.range_u64(0, 4) {
            0 => LockCmd::Tick,
            1 => LockCmd::Release {
                resource: "r".into(),
                lock_id: rng.range_u64(1, index + 1),
            },
            _ => LockCmd::Acquire {
                resource: ["r", "s"][rng.range_u64(0, 2) as usize].into(),
                mode: if rng.chance(0.5) {
                    LockMode::Shared
                } else {
                    LockMode::Exclusive
                },
                wait_timeout_ms: Some(rng.range_u64(0, 50)),
                lease_ms: rng.range_u64(0, 80),
            },
        };
        let req = (!matches!(cmd, LockCmd::Tick)).then_some(RequestId { client, seq: index });
        let ctx = ApplyCtx {
            index,
            term: 1,
            time: index * MS,
        };
        let mut replies: Vec<Vec<_>> = Vec::new();
        for r in &mut replicas {
            out.clear();
            r.apply(&ctx, req, &cmd, &mut out);
            replies.push(out.clone());
        }
        assert!(replies.iter().all(|r| *r == replies[0]));
    }
    let d = replicas[0].digest();
    assert!(replicas
        .iter()
        .all(|r| r.digest() == d && *r == replicas[0]));
    let _ = ClientOp::<LockCmd>::NodeStatus;
}

/// The seeds' lock-contention scenario (10 clients, 5 resources, 50% shared) for a figure:
/// `cargo test -p syncsim-core --release lock::cluster_tests::contention_figure -- --ignored --nocapture`
#[test]
#[ignore]
fn contention_figure() {
    let resources = ["r1", "r2", "r3", "r4", "r5"];
    for clients in [10usize, 50, 100] {
        let mut w = LockWorkload::new(&resources, 0.5);
        w.start_after = SEC;
        w.think = (0, 10 * MS);
        w.hold = (MS, 10 * MS);
        let workloads = vec![w; clients];
        let mut sim = lock_cluster(
            7,
            3,
            NetProfile::Localhost.link(),
            &RaftConfig::default(),
            workloads,
        )
        .unwrap();
        sim.run_until(61 * SEC);
        let events = cluster_events(&sim);
        let s = summarize(&events);
        let mut lat = s.acquire_latency_us.clone();
        lat.sort_unstable();
        let verdict = check_history(&events, DEFAULT_STEP_BUDGET);
        println!(
            "{clients} clients: {} acquires, {:.1}/s granted, success {:.2}%, p50 {} µs, p95 {} µs, \
             p99 {} µs, timeouts {}, checker {:?}",
            s.acquires,
            s.granted as f64 / 60.0,
            100.0 * s.success_rate(),
            percentile(&lat, 0.5),
            percentile(&lat, 0.95),
            percentile(&lat, 0.99),
            s.timeouts,
            verdict
        );
        assert!(replicas_agree(&sim).is_ok());
    }
}

/// The same fault runs over many more seeds (slow in debug):
/// `cargo test -p syncsim-core --release --lib lock::cluster_tests::fault_soak -- --ignored`
#[test]
#[ignore]
fn fault_soak() {
    for seed in 100..1100 {
        if let Err(why) = fault_run(seed) {
            panic!("seed {seed}: {why}");
        }
    }
}
