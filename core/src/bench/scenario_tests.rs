//! Scenario validation and end-to-end runs on the real lock cluster.

use super::*;

#[test]
fn quick_locks_all_succeed() {
    let suite = run_suite(ScenarioParams::defaults(ScenarioKind::QuickLocks)).unwrap();
    assert_eq!(suite.runs.len(), 1);
    let r = &suite.runs[0];
    let acq = r.op("acquire").expect("acquires recorded");
    let rel = r.op("release").expect("releases recorded");
    assert_eq!((acq.count, acq.ok), (50, 50), "{:?}", acq.failure_reasons);
    assert_eq!((rel.count, rel.ok), (50, 50), "{:?}", rel.failure_reasons);
    assert_eq!(r.overall.success_rate, 1.0);
    assert!(r.overall.latency_ms.p50 > 0.0);
    assert!(
        r.duration_s < 60.0,
        "ended when the ops were done, at {} s",
        r.duration_s
    );
    assert_eq!(r.extra.get("replicas_agree"), Some(&1.0));
}

/// A short contention run, cheap enough for debug-build tests.
fn small(seed: u64) -> ScenarioParams {
    let mut p = ScenarioParams::defaults(ScenarioKind::LockContention);
    p.seed = seed;
    p.clients = vec![4, 8];
    p.duration_s = 3.0;
    p
}

#[test]
fn same_seed_same_json_and_chunking_does_not_matter() {
    let a = run_suite(small(7)).unwrap();
    let mut chunked = BenchRun::new(small(7)).unwrap();
    let mut last = 0.0;
    loop {
        let p = chunked.step_chunk(97);
        assert!(
            p.fraction >= last,
            "progress went back: {} < {last}",
            p.fraction
        );
        last = p.fraction;
        if p.done {
            assert_eq!(p.fraction, 1.0);
            break;
        }
    }
    let b = chunked.finish();
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.runs.len(), 2);
    assert!(a.runs.iter().all(|r| r.overall.count > 0));
    let c = run_suite(small(8)).unwrap();
    assert_ne!(a.to_json(), c.to_json(), "another seed gives another run");
}

#[test]
fn real_suite_round_trips_through_json_and_csv() {
    let suite = run_suite(small(3)).unwrap();
    assert_eq!(Suite::from_json(&suite.to_json()).unwrap(), suite);
    let rows = parse_csv(&to_csv(&suite)).unwrap();
    let ops_rows: usize = suite.runs.iter().map(|r| r.ops.len() + 1).sum();
    assert_eq!(rows.len(), 1 + ops_rows);
    let series = parse_csv(&series_csv(&suite)).unwrap();
    assert_eq!(
        series.len(),
        1 + suite.runs.iter().map(|r| r.series.len()).sum::<usize>()
    );
    for r in &suite.runs {
        assert_eq!(r.series.len(), 3);
        let ok: u64 = r.series.iter().map(|p| p.ok).sum();
        assert_eq!(
            ok, r.overall.ok,
            "every success lands in one second of the series"
        );
    }
}

#[test]
fn leader_crash_reports_election_and_recovery() {
    let mut p = ScenarioParams::defaults(ScenarioKind::NodeFailure);
    p.duration_s = 8.0;
    p.set("fault-target", "leader").unwrap();
    p.set("fault-at", "3").unwrap();
    let suite = run_suite(p).unwrap();
    let r = &suite.runs[0];
    let f = r.failover.as_ref().expect("failover stats");
    let election = f.election_ms.expect("a new leader was elected");
    // Followers notice after an election timeout (150–300 ms) and need a vote round.
    assert!(
        (100.0..3_000.0).contains(&election),
        "election took {election} ms"
    );
    assert!(f.throughput_before > 0.0);
    let recovery = f.recovery_ms.expect("throughput came back");
    assert!((0.0..5_000.0).contains(&recovery), "recovery {recovery} ms");
    assert_eq!(r.faults.len(), 1);
    assert!(
        r.faults[0].label.contains("(leader)"),
        "{}",
        r.faults[0].label
    );
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (3.0, 8.0));
    assert_eq!(r.extra.get("replicas_agree"), Some(&1.0));
}

#[test]
fn follower_crash_needs_no_election() {
    let mut p = ScenarioParams::defaults(ScenarioKind::NodeFailure);
    p.duration_s = 6.0;
    p.set("fault-target", "follower").unwrap();
    p.set("fault-at", "2").unwrap();
    let r = run_suite(p).unwrap().runs.remove(0);
    let f = r.failover.expect("failover stats");
    assert_eq!(f.election_ms, None);
    assert!(r.faults[0].label.contains("(follower)"));
    assert!(f.throughput_after > 0.5 * f.throughput_before, "{f:?}");
}

#[test]
fn bad_parameters_get_clear_messages() {
    let base = ScenarioParams::defaults(ScenarioKind::NodeFailure);
    let err = |key: &str, value: &str| {
        let mut p = base.clone();
        match p.set(key, value) {
            Err(e) => e,
            Ok(()) => p.validate().expect_err("should be rejected"),
        }
    };
    assert!(err("nodes", "0").contains("nodes: 0"));
    assert!(err("nodes", "3,x").contains("--nodes"));
    assert!(err("clients", "5000").contains("clients: 5000"));
    assert!(err("fault-target", "n7").contains("n7 does not exist"));
    assert!(err("fault-target", "boss").contains("leader or follower"));
    assert!(err("fault-at", "500").contains("fault-at"));
    assert!(err("fault-until", "10").contains("after fault-at"));
    assert!(err("shared", "1.5").contains("shared"));
    assert!(err("profile", "moon").contains("unknown network profile"));
    assert!(err("duration", "-1").contains("duration"));
    assert!(err("think-ms", "30-10").contains("think-ms"));
    assert!(err("colour", "red").contains("unknown parameter `colour`"));
    assert!(ScenarioKind::parse("nope")
        .unwrap_err()
        .contains("quick-locks"));
    let mut one = ScenarioParams::defaults(ScenarioKind::NodeFailure);
    one.nodes = vec![1];
    one.set("fault-target", "follower").unwrap();
    assert!(one.validate().unwrap_err().contains("no follower"));
    assert!(BenchRun::new(one).is_err());
    for kind in ScenarioKind::ALL {
        ScenarioParams::defaults(kind).validate().unwrap();
    }
}

#[test]
fn ops_limited_runs_stop_when_every_client_is_done() {
    let mut p = ScenarioParams::defaults(ScenarioKind::QuickLocks);
    p.set("clients", "3").unwrap();
    p.set("ops", "5").unwrap();
    p.set("shared", "0.5").unwrap();
    let r = run_suite(p).unwrap().runs.remove(0);
    assert_eq!(r.op("acquire").unwrap().count, 15);
    assert_eq!(r.op("release").unwrap().count, 15);
    assert!(r.duration_s < 5.0, "stopped at {} s", r.duration_s);
}

#[test]
fn a_restarted_node_rejoins_and_replicas_agree() {
    let mut p = ScenarioParams::defaults(ScenarioKind::NodeFailure);
    p.duration_s = 6.0;
    p.set("fault-target", "n2").unwrap();
    p.set("fault-at", "2").unwrap();
    p.set("fault-until", "4").unwrap();
    let r = run_suite(p).unwrap().runs.remove(0);
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (2.0, 4.0));
    assert!(r.faults[0].label.starts_with("n2 crashed"));
    let last = r.series.last().unwrap();
    assert!(last.ok > 0, "still serving after the restart");
    assert_eq!(r.extra.get("nodes_up"), Some(&3.0), "n2 was restarted");
    assert_eq!(r.extra.get("replicas_agree"), Some(&1.0));
}
