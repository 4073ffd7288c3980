//! The cache hit/miss benchmark measures what the protocol does: hits grow with the cache
//! against the working set, a working set that fits hits on every GET after the warm-up,
//! coherence costs hits on several nodes, a short TTL expires lines, and a seed is a run.

use crate::bench::{run_suite, BenchRun, ScenarioKind, ScenarioParams, Suite};

/// A short run on `nodes` nodes, cheap enough for debug-build tests.
fn small(nodes: &str, clients: &str, sets: &str) -> ScenarioParams {
    let mut p = ScenarioParams::defaults(ScenarioKind::CacheHitMiss);
    for (k, v) in [
        ("nodes", nodes),
        ("clients", clients),
        ("working-sets", sets),
        ("duration", "2"),
    ] {
        p.set(k, v).unwrap();
    }
    p
}

fn extra(suite: &Suite, run: usize, key: &str) -> f64 {
    *suite.runs[run]
        .extra
        .get(key)
        .unwrap_or_else(|| panic!("no `{key}` in {:?}", suite.runs[run].extra))
}

#[test]
fn the_default_suite_is_the_seeds_grid_of_clients_and_working_sets() {
    let p = ScenarioParams::defaults(ScenarioKind::CacheHitMiss);
    let runs = p.runs();
    let labels: Vec<&str> = runs.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels.len(), 9);
    assert_eq!(labels[0], "10 clients, 100 keys");
    assert_eq!(labels[5], "50 clients, 1000 keys");
    let one = p.for_run(&runs[5]);
    assert_eq!(one.service.cache().unwrap().working_sets, vec![1000]);
    assert_eq!(one.clients, vec![50]);
    assert_eq!(p.service.cache().unwrap().cache_size, 1000);
    assert_eq!(p.service.cache().unwrap().ttl_s, 3600.0);
    let svd = ScenarioParams::defaults(ScenarioKind::CacheSingleVsDistributed).runs();
    let labels: Vec<&str> = svd.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["1 node", "3 nodes"]);
}

#[test]
fn hits_grow_with_the_cache_against_the_working_set() {
    let rates: Vec<f64> = ["50", "200", "400"]
        .iter()
        .map(|size| {
            let mut p = small("1", "8", "400");
            p.set("cache-size", size).unwrap();
            let s = run_suite(p).unwrap();
            let evictions = extra(&s, 0, "evictions");
            if *size != "400" {
                assert!(evictions > 0.0, "cache {size}: no LRU eviction");
            }
            extra(&s, 0, "hit_rate")
        })
        .collect();
    assert!(
        rates[0] < rates[1] && rates[1] < rates[2],
        "hit rates for 50/200/400 lines on 400 keys: {rates:?}"
    );
    // Uniform keys over an LRU cache: about lines / keys.
    assert!((0.05..0.25).contains(&rates[0]), "{rates:?}");
    assert!((0.35..0.65).contains(&rates[1]), "{rates:?}");
}

#[test]
fn a_working_set_that_fits_hits_on_every_get_after_the_warm_up() {
    let s = run_suite(small("1", "10", "1000")).unwrap();
    let r = &s.runs[0];
    assert_eq!(extra(&s, 0, "warm_puts"), 1000.0);
    assert!(extra(&s, 0, "warm_s") < 2.0, "the warm-up overran");
    let get = r.op("get").expect("GETs measured");
    let put = r.op("put").expect("PUTs measured");
    assert!(
        get.ok > 500 && put.ok > 100,
        "{} GETs, {} PUTs",
        get.ok,
        put.ok
    );
    assert_eq!(extra(&s, 0, "get_misses"), 0.0);
    assert_eq!(extra(&s, 0, "hit_rate"), 1.0);
    assert_eq!(extra(&s, 0, "evictions"), 0.0);
    assert_eq!(extra(&s, 0, "entries_per_node"), 1000.0);
    // The PUT share is about the requested 20%.
    let share = put.ok as f64 / (put.ok + get.ok) as f64;
    assert!((0.15..0.25).contains(&share), "PUT share {share}");
}

#[test]
fn coherence_costs_hits_on_several_nodes() {
    let s = run_suite(small("1,3", "12", "200")).unwrap();
    let (single, distributed) = (extra(&s, 0, "hit_rate"), extra(&s, 1, "hit_rate"));
    assert_eq!(single, 1.0);
    assert!(
        (0.5..0.9).contains(&distributed),
        "3 nodes with 20% PUTs: {distributed}"
    );
    assert_eq!(extra(&s, 0, "invalidations"), 0.0);
    assert!(extra(&s, 1, "invalidations") > 100.0);
    assert!(extra(&s, 1, "directory_messages") > extra(&s, 0, "directory_messages"));
    // A miss crosses the network to the home; a hit does not.
    assert!(extra(&s, 1, "get_miss_p50_ms") > extra(&s, 1, "get_hit_p50_ms"));
}

#[test]
fn a_short_ttl_expires_lines_and_costs_hits() {
    let mut p = small("1", "4", "300");
    p.set("ttl", "0.2").unwrap();
    let s = run_suite(p).unwrap();
    assert!(extra(&s, 0, "expirations") > 50.0, "{:?}", s.runs[0].extra);
    assert!(extra(&s, 0, "hit_rate") < 0.9);
}

#[test]
fn an_ops_limited_run_stops_when_every_client_is_done() {
    let mut p = small("3", "5", "100");
    p.set("ops", "40").unwrap();
    p.set("duration", "30").unwrap();
    let s = run_suite(p).unwrap();
    let r = &s.runs[0];
    assert_eq!(r.overall.count, 200, "5 clients × 40 measured requests");
    assert!(r.duration_s < 5.0, "stopped at {} s", r.duration_s);
}

#[test]
fn same_seed_same_json_and_chunking_does_not_matter() {
    let p = small("3", "6", "50");
    let a = run_suite(p.clone()).unwrap();
    let mut chunked = BenchRun::new(p.clone()).unwrap();
    while !chunked.step_chunk(257).done {}
    assert_eq!(a.to_json(), chunked.finish().to_json());
    let mut other = p;
    other.set("seed", "2").unwrap();
    assert_ne!(a.to_json(), run_suite(other).unwrap().to_json());
    assert_eq!(Suite::from_json(&a.to_json()).unwrap(), a);
}

#[test]
fn cache_params_are_validated_per_field() {
    let base = ScenarioParams::defaults(ScenarioKind::CacheHitMiss);
    let err = |key: &str, value: &str| {
        let mut p = base.clone();
        match p.set(key, value) {
            Err(e) => e,
            Ok(()) => p.validate().expect_err("should be rejected"),
        }
    };
    assert!(err("cache-size", "0").starts_with("cache-size: 0 is outside"));
    assert!(err("cache-size", "lots").contains("--cache-size: `lots`"));
    assert!(err("working-sets", "0,10").starts_with("working-sets: 0 is outside"));
    let mut p = base.clone();
    p.set("clients", "10").unwrap();
    p.set("working-sets", "1,2,3,4,5,6,7").unwrap();
    assert!(p
        .validate()
        .unwrap_err()
        .starts_with("working-sets: give 1 to 6"));
    assert!(err("write-fraction", "1.5").starts_with("write-fraction:"));
    assert!(err("ttl", "0").starts_with("ttl:"));
    assert!(err("coherence", "msi").contains("--coherence: `msi` is not mesi or moesi"));
    assert!(err("message-bytes", "5").contains("unknown parameter"));
    let mut p = base.clone();
    p.set("working-sets", "1,2,3,4,5").unwrap();
    p.set("clients", "1,2,3,4,5").unwrap();
    let e = p.validate().unwrap_err();
    assert!(
        e.contains("25 runs (nodes × clients × working sets)"),
        "{e}"
    );
    // A fault plan is taken (node failure), but there is no leader to aim it at.
    let mut p = base.clone();
    p.set("fault", "crash").unwrap();
    assert!(BenchRun::new(p.clone()).is_ok());
    p.set("fault-target", "leader").unwrap();
    assert!(p.validate().unwrap_err().contains("fault-target"));
    let mut p = base;
    p.set("coherence", "MOESI").unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<ScenarioParams>(&json).unwrap(), p);
}

#[test]
fn the_coherence_bound_is_one_on_one_node_and_one_in_n_under_writes_only() {
    use super::bench::coherence_hit_bound as bound;
    assert_eq!(bound(1, 0.2), 1.0);
    assert!((bound(3, 0.0) - 1.0).abs() < 1e-12);
    assert!((bound(3, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    // The seeds' 80 % read / 20 % write mix on 3 nodes.
    assert!((bound(3, 0.2) - 0.25 / 0.35).abs() < 1e-12);
    assert!(bound(5, 0.2) < bound(3, 0.2));
}

#[test]
fn the_measured_hit_rate_meets_the_coherence_bound_on_a_hot_working_set() {
    // Few keys and a long window, so cold misses (each node's first touch of a key) are
    // negligible and the measured rate is the protocol's: within 3 points of the bound.
    for writes in ["0.2", "0.05"] {
        let mut p = small("3", "12", "20");
        p.set("duration", "6").unwrap();
        p.set("write-fraction", writes).unwrap();
        let s = run_suite(p).unwrap();
        let (rate, bound) = (extra(&s, 0, "hit_rate"), extra(&s, 0, "hit_rate_bound"));
        assert!(
            (rate - bound).abs() < 0.03,
            "{writes} PUTs: measured {rate}, bound {bound}"
        );
    }
}

/// Under a light load the PUT p95 sits at the network floor of an invalidating PUT (six
/// one-way hops): neither far below it (the floor would be wrong) nor far above it.
#[test]
fn a_lightly_loaded_put_p95_sits_at_the_six_hop_network_floor() {
    let mut p = small("3", "3", "20");
    p.set("duration", "4").unwrap();
    let s = run_suite(p).unwrap();
    let floor = extra(&s, 0, "put_hops_p95_ms");
    assert!((10.1..10.25).contains(&floor), "{floor}");
    let p95 = s.runs[0].op("put").unwrap().latency_ms.p95;
    assert!(
        (0.85 * floor..1.25 * floor).contains(&p95),
        "PUT p95 {p95} against the floor {floor}"
    );
}

#[test]
fn an_open_loop_run_serves_its_offered_load_whatever_the_clients() {
    // 4 clients offering 1200 ops/s in all: a closed loop of 4 clients would serve whatever
    // its round trips allow; the open loop serves the offered rate (Poisson, so within 15 %).
    let mut p = small("3", "4", "200");
    p.set("offered-rates", "1200").unwrap();
    let s = run_suite(p).unwrap();
    let served = s.runs[0].overall.throughput_per_s;
    assert!((1020.0..1380.0).contains(&served), "served {served} ops/s");
    assert_eq!(extra(&s, 0, "offered_rate"), 1200.0);
    // One offered load is the only variant, so the label leaves it out; two name theirs.
    let mut two = small("3", "4", "200");
    two.set("offered-rates", "600,1200").unwrap();
    let labels: Vec<String> = two.runs().into_iter().map(|r| r.label).collect();
    assert_eq!(
        labels,
        [
            "3 nodes, 4 clients, 200 keys, 600 ops/s offered",
            "3 nodes, 4 clients, 200 keys, 1200 ops/s offered"
        ]
    );
    let mut bad = ScenarioParams::defaults(ScenarioKind::CacheHitMiss);
    assert!(bad
        .set("offered-rates", "fast")
        .unwrap_err()
        .contains("offered-rates"));
    bad.set("offered-rates", "0").unwrap();
    assert!(bad.validate().unwrap_err().contains("offered-rates"));
}
