//! The lock benchmark's open-loop option: acquire/release cycles start at the offered rate,
//! whatever the clients' think time, and latency counts from each scheduled arrival.

use crate::bench::{run_suite, ScenarioKind, ScenarioParams};

fn contention(rates: &str) -> ScenarioParams {
    let mut p = ScenarioParams::defaults(ScenarioKind::LockContention);
    for (k, v) in [
        ("nodes", "3"),
        ("clients", "8"),
        ("duration", "4"),
        ("offered-rates", rates),
    ] {
        p.set(k, v).unwrap();
    }
    p
}

#[test]
fn an_open_loop_run_serves_its_offered_acquires() {
    // 8 clients offering 80 acquires/s in all, well under what 5 resources serve: the served
    // rate is the offered one (Poisson, so within 15 %), not what think times would give.
    let s = run_suite(contention("80")).unwrap();
    let r = &s.runs[0];
    let served = r.op("acquire").unwrap().throughput_per_s;
    assert!((68.0..92.0).contains(&served), "served {served} acquires/s");
    assert_eq!(r.extra["offered_rate"], 80.0);
    // A closed loop of the same 8 clients is paced by its think and hold times instead.
    let closed = run_suite(contention("none")).unwrap();
    let closed = closed.runs[0].op("acquire").unwrap().throughput_per_s;
    assert!(
        (served - closed).abs() > 0.2 * closed,
        "open {served} vs closed {closed}"
    );
    let labels: Vec<String> = contention("40,80")
        .runs()
        .into_iter()
        .map(|r| r.label)
        .collect();
    assert_eq!(
        labels,
        [
            "3 nodes, 8 clients, 40 ops/s offered",
            "3 nodes, 8 clients, 80 ops/s offered"
        ]
    );
    let mut bad = contention("none");
    bad.set("offered-rates", "-3").unwrap();
    assert!(bad.validate().unwrap_err().contains("offered-rates"));
}
