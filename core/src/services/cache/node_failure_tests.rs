//! The cache under a node failure: the dead node serves nothing while it is down, the keys it
//! is home to fail, its clients move on, and the failover figures say so (no election, since
//! the cache has no leader); a restart brings the throughput back.

use super::actor::CacheActor;
use super::bench::CacheRun;
use crate::bench::target::RunDriver;
use crate::bench::{run_suite, BenchResult, ScenarioKind, ScenarioParams};
use crate::sim::SEC;

/// A short node-failure run: n2 crashes at 2 s of 6 (plus `extra` settings).
fn small(extra: &[(&str, &str)]) -> ScenarioParams {
    let mut p = ScenarioParams::defaults(ScenarioKind::CacheNodeFailure);
    for (k, v) in [
        ("clients", "6"),
        ("working-sets", "200"),
        ("duration", "6"),
        ("fault-at", "2"),
    ]
    .iter()
    .chain(extra)
    {
        p.set(k, v).unwrap();
    }
    p
}

/// Runs `p` on bare cache actors, returning the result and every client's samples.
fn run(p: &ScenarioParams) -> (BenchResult, Vec<Vec<super::bench_client::BenchSample>>) {
    let spec = p.runs().remove(0);
    let mut run = CacheRun::new(p, spec, |_, a: CacheActor| a).unwrap();
    while !RunDriver::done(&run) {
        RunDriver::step(&mut run, 10_000);
    }
    let samples = run.samples();
    (Box::new(run).finish(), samples)
}

#[test]
fn the_dead_node_serves_nothing_and_its_clients_move_on() {
    let p = small(&[]);
    let (r, samples) = run(&p);
    // Warm-up 2 s, then the fault 2 s into the measured time.
    let fault_at = 4 * SEC;
    let n2 = 1;
    for (k, client) in samples.iter().enumerate() {
        for s in client.iter().filter(|s| s.invoked >= fault_at) {
            assert!(
                s.node != n2 || s.failure.is_some(),
                "client {k}: n2 answered {s:?} while down"
            );
        }
    }
    // Clients 1 and 4 start on n2: they time out once, then get answers elsewhere.
    for k in [1, 4] {
        let after: Vec<_> = samples[k]
            .iter()
            .filter(|s| s.completed > fault_at)
            .collect();
        assert!(
            after
                .iter()
                .any(|s| s.node == n2 && s.failure == Some("timeout")),
            "client {k} never noticed: {after:?}"
        );
        assert!(
            after.iter().any(|s| s.node != n2 && s.failure.is_none()),
            "client {k} never moved on"
        );
    }
    let f = r.failover.as_ref().expect("failover figures");
    assert_eq!(f.election_ms, None, "the cache has no leader to elect");
    assert!(f.throughput_before > 0.0);
    assert!(
        f.throughput_after < 0.5 * f.throughput_before,
        "the keys homed on n2 stay unavailable: {f:?}"
    );
    let homed = r.extra["keys_homed_on_failed"];
    assert!((1.0..200.0).contains(&homed), "{homed} of 200 keys on n2");
    assert_eq!(r.extra["nodes_up"], 2.0);
    assert_eq!(r.faults.len(), 1);
    assert_eq!(r.faults[0].label, "n2 crashed");
}

#[test]
fn open_loop_clients_fail_over_request_by_request() {
    // Open loop, several requests are in flight to n2 when it dies: each times out on its own
    // (recorded against n2), and the client's later arrivals go to the next node and succeed.
    let p = small(&[("offered-rates", "600")]);
    let (_, samples) = run(&p);
    let fault_at = 4 * SEC;
    let n2 = 1;
    for k in [1, 4] {
        let after: Vec<_> = samples[k]
            .iter()
            .filter(|s| s.completed > fault_at)
            .collect();
        let timeouts = after
            .iter()
            .filter(|s| s.node == n2 && s.failure == Some("timeout"))
            .count();
        assert!(timeouts >= 2, "client {k}: {timeouts} timeouts on n2");
        assert!(
            after
                .iter()
                .any(|s| s.node != n2 && s.invoked > fault_at && s.failure.is_none()),
            "client {k} never moved on"
        );
        assert!(
            after
                .iter()
                .all(|s| s.node != n2 || s.invoked < fault_at + 2 * SEC),
            "client {k} kept sending to n2"
        );
    }
}

#[test]
fn the_fault_shows_in_the_series_against_a_run_without_it() {
    let with = run_suite(small(&[])).unwrap().runs.remove(0);
    let without = run_suite(small(&[("fault", "none")]))
        .unwrap()
        .runs
        .remove(0);
    assert!(without.failover.is_none() && without.faults.is_empty());
    let failed =
        |r: &BenchResult, from: usize| r.series[from..].iter().map(|p| p.failed).sum::<u64>();
    assert_eq!(failed(&without, 0), 0, "no failure without the fault");
    assert!(failed(&with, 2) > 0, "requests to n2's keys fail");
    assert_eq!(failed(&with, 0), failed(&with, 2), "none before the fault");
    // The second the fault starts in, and every one after it, has less throughput.
    for t in 2..6 {
        assert!(
            with.series[t].throughput < without.series[t].throughput,
            "second {t}: {} vs {}",
            with.series[t].throughput,
            without.series[t].throughput
        );
    }
}

#[test]
fn a_restart_brings_the_throughput_back() {
    let p = small(&[("duration", "10"), ("fault-until", "4")]);
    let r = run_suite(p).unwrap().runs.remove(0);
    let f = r.failover.expect("failover figures");
    let recovery = f.recovery_ms.expect("recovered after the restart");
    // Not before n2 is back (2 s after the fault), and within a few seconds of it.
    assert!(
        (1_500.0..6_000.0).contains(&recovery),
        "recovery {recovery} ms"
    );
    assert_eq!(r.extra["nodes_up"], 3.0);
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (2.0, 4.0));
}

#[test]
fn the_cache_has_no_leader_to_crash() {
    let mut p = small(&[]);
    p.set("fault-target", "leader").unwrap();
    let e = p.validate().unwrap_err();
    assert!(e.contains("fault-target") && e.contains("no leader"), "{e}");
    p.set("fault-target", "follower").unwrap();
    assert!(p.validate().is_err());
}
