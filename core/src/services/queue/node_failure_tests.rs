//! The queue under a node failure: every partition group the dead node led elects a new leader,
//! the throughput dips and comes back, nothing acknowledged is lost, and a run without the
//! fault shows none of it.

use crate::bench::{run_suite, BenchResult, ScenarioKind, ScenarioParams};

/// A short node-failure run: 3 producers + 3 consumers, the fault at 3 s of 8.
fn small(extra: &[(&str, &str)]) -> ScenarioParams {
    let mut p = ScenarioParams::defaults(ScenarioKind::QueueNodeFailure);
    for (k, v) in [
        ("clients", "3"),
        ("duration", "8"),
        ("fault-at", "3"),
        ("message-bytes", "256"),
    ]
    .iter()
    .chain(extra)
    {
        p.set(k, v).unwrap();
    }
    p
}

fn extra(r: &BenchResult, key: &str) -> f64 {
    *r.extra
        .get(key)
        .unwrap_or_else(|| panic!("no `{key}` in {:?}", r.extra))
}

#[test]
fn a_leader_crash_reelects_every_group_it_led_and_loses_nothing() {
    let r = run_suite(small(&[("fault-target", "leader")]))
        .unwrap()
        .runs
        .remove(0);
    assert_eq!(r.label, "3 nodes, 3 + 3");
    let lost_leaders = extra(&r, "groups_lost_leader");
    // The node that leads the most of the 8 groups leads at least 3 of them.
    assert!((3.0..=8.0).contains(&lost_leaders), "{lost_leaders}");
    assert!(r.faults[0].label.contains("led"), "{}", r.faults[0].label);
    let f = r.failover.as_ref().expect("failover figures");
    let election = f.election_ms.expect("every group re-elected");
    // An election timeout (450-900 ms) and a vote round, for the slowest of the groups.
    assert!(
        (300.0..3_000.0).contains(&election),
        "election {election} ms"
    );
    let recovery = f.recovery_ms.expect("throughput came back");
    assert!((0.0..5_000.0).contains(&recovery), "recovery {recovery} ms");
    assert!(f.throughput_before > 0.0);
    assert!(f.throughput_after > 0.5 * f.throughput_before, "{f:?}");
    assert_eq!(extra(&r, "nodes_up"), 2.0);
    // Two of each group's three replicas survive: the drain finds every message.
    assert_eq!(extra(&r, "lost"), 0.0, "{:?}", r.extra);
    assert_eq!(extra(&r, "delivered"), extra(&r, "enqueued"));
    assert!(extra(&r, "drain_s") >= 0.0, "the drain finished");
}

#[test]
fn the_fault_shows_in_the_series_against_a_run_without_it() {
    let with = run_suite(small(&[("fault-target", "leader")]))
        .unwrap()
        .runs
        .remove(0);
    let without = run_suite(small(&[("fault", "none")]))
        .unwrap()
        .runs
        .remove(0);
    assert!(without.failover.is_none() && without.faults.is_empty());
    assert!(!without.extra.contains_key("groups_lost_leader"));
    // Identical until the fault (same seed, same load)...
    assert_eq!(with.series[..3], without.series[..3]);
    // ...then the second of the fault loses most of its throughput while the groups elect.
    let (a, b) = (with.series[3].throughput, without.series[3].throughput);
    assert!(a < 0.8 * b, "second 3: {a} with the fault, {b} without");
}

#[test]
fn a_restarted_node_rejoins_and_nothing_is_lost() {
    let r = run_suite(small(&[("fault-until", "5")]))
        .unwrap()
        .runs
        .remove(0);
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (3.0, 5.0));
    assert!(r.faults[0].label.starts_with("n2 crashed"));
    assert_eq!(extra(&r, "nodes_up"), 3.0, "n2 was restarted");
    assert_eq!(extra(&r, "lost"), 0.0);
    let f = r.failover.as_ref().expect("failover figures");
    // n2 leads some groups or none: an election time only if it had to happen.
    assert_eq!(
        f.election_ms.is_some(),
        extra(&r, "groups_lost_leader") > 0.0
    );
}
