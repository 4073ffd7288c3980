//! Same seed + config + actions → same trace hash; different seeds → different hashes; a golden
//! hash pins the whole kernel (network sampling, ordering, hashing) across builds and platforms.

use syncsim_core::sim::echo::{echo_sim, golden_scenario, EchoCmd, EchoNode};
use syncsim_core::sim::{Action, NetProfile, Sim, SimConfig, TraceEvent, MS};

fn scripted(seed: u64) -> Sim<EchoNode> {
    let mut sim = echo_sim(seed);
    sim.apply(Action::SetAllLinks {
        link: NetProfile::Flaky.link(),
    })
    .unwrap();
    sim.run_until(100 * MS);
    sim.apply(Action::Isolate { node: 4 }).unwrap();
    sim.run_until(250 * MS);
    sim.apply(Action::Crash { node: 0 }).unwrap();
    sim.apply(Action::Command {
        to: 2,
        cmd: EchoCmd::PingAll,
    })
    .unwrap();
    sim.run_until(400 * MS);
    sim.apply(Action::Restart { node: 0 }).unwrap();
    sim.apply(Action::HealAll).unwrap();
    sim.run_until(600 * MS);
    sim
}

#[test]
fn same_seed_and_actions_give_the_same_trace() {
    let a = scripted(11);
    let b = scripted(11);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_eq!(a.trace_total(), b.trace_total());
    let ta: Vec<&TraceEvent> = a.trace().iter().collect();
    let tb: Vec<&TraceEvent> = b.trace().iter().collect();
    assert_eq!(ta, tb);
    assert!(a.trace_total() > 1000, "the scenario does real work");
}

#[test]
fn different_seeds_give_different_traces() {
    assert_ne!(scripted(11).trace_hash(), scripted(12).trace_hash());
}

#[test]
fn hash_covers_events_that_left_the_ring() {
    let run = |cap| {
        let cfg = SimConfig {
            seed: 4,
            trace_capacity: cap,
            ..SimConfig::default()
        };
        let mut sim = Sim::new(cfg, EchoNode::cluster(5, 5 * MS)).unwrap();
        sim.run_until(300 * MS);
        sim
    };
    let (small, big) = (run(10), run(1_000_000));
    assert_eq!(small.trace().len(), 10);
    assert_eq!(small.trace_hash(), big.trace_hash());
    let last: Vec<_> = big.trace().iter().skip(big.trace().len() - 10).collect();
    assert_eq!(small.trace().iter().collect::<Vec<_>>(), last);
}

#[test]
fn hash_hex_is_16_lowercase_digits() {
    let sim = scripted(1);
    let hex = sim.trace_hash_hex();
    assert_eq!(hex.len(), 16);
    assert!(hex
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(u64::from_str_radix(&hex, 16).unwrap(), sim.trace_hash());
}

/// Checked in on purpose: if this changes, every saved URL and recorded run changes meaning.
/// Update it only for a deliberate change of kernel semantics, and say so in the commit.
const GOLDEN: &str = "31bb149346b12854";

#[test]
fn golden_echo_scenario_hash() {
    assert_eq!(golden_scenario(), golden_scenario());
    assert_eq!(golden_scenario(), GOLDEN);
}

#[test]
fn cloning_does_not_change_the_future() {
    let mut a = echo_sim(8);
    a.run_until(100 * MS);
    let mut b = a.clone();
    a.run_until(300 * MS);
    b.run_until(300 * MS);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_eq!(a.events_processed(), b.events_processed());
}

/// `run_until_budget` in small, uneven budgets ends where one `run_until` does, with the same
/// trace, and says "not there yet" exactly while events due by the target are left.
#[test]
fn running_to_a_time_in_budgets_gives_the_run_until_trace() {
    let target = 400 * MS;
    let mut whole = scripted(21);
    whole.run_until(target + 600 * MS);
    let mut pieces = scripted(21);
    let mut calls = 0;
    for budget in [1, 7, 3, 50].into_iter().cycle() {
        calls += 1;
        let before = pieces.events_processed();
        let reached = pieces.run_until_budget(target + 600 * MS, budget);
        let done = pieces.events_processed() - before;
        assert!(
            done <= budget,
            "a call never processes more than its budget"
        );
        if reached {
            assert!(pieces
                .next_event_time()
                .is_none_or(|t| t > target + 600 * MS));
            break;
        }
        assert_eq!(done, budget, "a call stops short only at the target time");
    }
    assert!(calls > 100, "the budgets cut the run into many pieces");
    assert_eq!(pieces.now(), whole.now());
    assert_eq!(pieces.events_processed(), whole.events_processed());
    assert_eq!(pieces.trace_hash(), whole.trace_hash());
}

/// Notes are dropped at the source when the trace neither keeps nor hashes events (a
/// benchmark's kernel), and nothing else may change: the whole world (locks, status, queue and
/// cache, with elections after a crash) ends in the same state with notes kept or dropped.
#[test]
fn dropping_unkept_notes_changes_no_actor() {
    use syncsim_core::services::{world, WorldOptions};
    let run = |keep: bool| {
        let cfg = SimConfig {
            seed: 9,
            servers: 3,
            trace_capacity: if keep { 10_000 } else { 0 },
            ..SimConfig::default()
        };
        let opts = WorldOptions {
            pre_vote: true,
            check_quorum: true,
        };
        let mut sim = Sim::new(cfg, world(3, 2, &opts)).unwrap();
        if !keep {
            sim.skip_trace_hash();
        }
        sim.run_until(1_500 * MS);
        sim.apply(Action::Crash { node: 0 }).unwrap();
        sim.run_until(3_000 * MS);
        sim.apply(Action::Restart { node: 0 }).unwrap();
        sim.run_until(5_000 * MS);
        sim
    };
    let (kept, dropped) = (run(true), run(false));
    assert!(
        kept.trace_total() > dropped.trace_total(),
        "the kept run has notes"
    );
    assert_eq!(kept.events_processed(), dropped.events_processed());
    assert_eq!(
        format!("{:?}", kept.actors()),
        format!("{:?}", dropped.actors())
    );
}
