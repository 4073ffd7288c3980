//! Round-trip tests of the result types and their CSV/JSON export.

use crate::base::sorted::SortedMap;

use super::*;
use crate::sim::{MS, SEC};

/// A two-run suite recorded through the real `Recorder`.
fn sample_suite() -> Suite {
    let runs = (0..2u64)
        .map(|k| {
            let mut r = Recorder::new(0);
            for i in 0..200u64 {
                let start = i * 50 * MS;
                let lat = (5 + (i * 7 + k) % 40) * MS;
                let outcome = if i % 25 == 0 { Err("timeout") } else { Ok(()) };
                let op = if i % 2 == 0 { "acquire" } else { "release" };
                r.record(op, start, start + lat, outcome);
            }
            let duration_s = 10.0;
            let (ops, overall) = r.op_stats(duration_s);
            BenchResult {
                scenario: "lock-contention".into(),
                label: format!("{} clients, \"quoted\"", 10 * (k + 1)),
                params: serde_json::json!({ "clients": 10 * (k + 1) }),
                seed: 7,
                nodes: 3,
                duration_s,
                ops,
                overall,
                series: r.series(duration_s),
                faults: vec![FaultInterval {
                    start_s: 3.0,
                    end_s: 5.0,
                    label: "n2 stopped".into(),
                }],
                failover: Some(r.failover(3 * SEC, 10 * SEC, Some(250.0))),
                extra: SortedMap::from([("leader_changes".to_string(), 1.0)]),
                wall_ms: Some(12.5),
            }
        })
        .collect();
    Suite {
        name: "contention, a test".into(),
        runs,
    }
}

#[test]
fn json_round_trips_exactly() {
    let suite = sample_suite();
    let text = suite.to_json();
    let back = Suite::from_json(&text).expect("parses");
    assert_eq!(back, suite);
    assert!(Suite::from_json("{\"name\": 3}")
        .unwrap_err()
        .contains("not a syncsim"));
}

#[test]
fn summary_csv_parses_back_with_one_row_per_run_and_op() {
    let suite = sample_suite();
    let rows = parse_csv(&to_csv(&suite)).expect("well-formed CSV");
    assert_eq!(
        rows[0],
        export::SUMMARY_HEADER
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    // 2 runs × (acquire, release, all).
    assert_eq!(rows.len(), 1 + 2 * 3);
    let col = |name: &str| {
        export::SUMMARY_HEADER
            .iter()
            .position(|h| *h == name)
            .unwrap()
    };
    for row in &rows[1..] {
        assert_eq!(row.len(), export::SUMMARY_HEADER.len());
        assert_eq!(row[col("suite")], "contention, a test");
    }
    let run1_all = &rows[6];
    assert_eq!(run1_all[col("label")], "20 clients, \"quoted\"");
    assert_eq!(run1_all[col("op")], "all");
    let overall = &suite.runs[1].overall;
    assert_eq!(
        run1_all[col("count")].parse::<u64>().unwrap(),
        overall.count
    );
    assert_eq!(
        run1_all[col("p95_ms")].parse::<f64>().unwrap(),
        overall.latency_ms.p95
    );
    assert_eq!(run1_all[col("failure_reasons")], "timeout=8");
}

#[test]
fn series_csv_has_one_row_per_second() {
    let suite = sample_suite();
    let rows = parse_csv(&series_csv(&suite)).expect("well-formed CSV");
    assert_eq!(rows.len(), 1 + 2 * 10);
    let ok_sum: u64 = rows[1..11]
        .iter()
        .map(|r| r[7].parse::<u64>().unwrap())
        .sum();
    assert_eq!(ok_sum, suite.runs[0].overall.ok);
    assert!(parse_csv("a,\"b").is_err());
}

/// The CSV text is byte-identical to what the hand-written writer produced before the `csv`
/// crate took over (files recorded from it).
#[test]
fn csv_output_is_unchanged() {
    let suite = sample_suite();
    assert_eq!(to_csv(&suite), include_str!("testdata/sample_results.csv"));
    assert_eq!(
        series_csv(&suite),
        include_str!("testdata/sample_series.csv")
    );
}

#[test]
fn csv_fields_with_comma_quote_and_newline_round_trip() {
    let mut suite = sample_suite();
    let tricky = "a, \"b\"\nc\r\nd";
    suite.name = tricky.to_string();
    suite.runs[1].label = "\"".to_string();
    let rows = parse_csv(&to_csv(&suite)).expect("well-formed CSV");
    assert_eq!(rows.len(), 1 + 2 * 3);
    assert!(rows[1..].iter().all(|r| r[0] == tricky));
    assert_eq!(rows[6][2], "\"");
    let series = parse_csv(&series_csv(&suite)).expect("well-formed CSV");
    assert_eq!(series.len(), 1 + 2 * 10);
    assert!(series[1..].iter().all(|r| r[0] == tricky));

    assert_eq!(export::csv_field("plain"), "plain");
    assert_eq!(export::csv_field(""), "");
    assert_eq!(export::csv_field(tricky), "\"a, \"\"b\"\"\nc\r\nd\"");
}

#[test]
fn parse_csv_reports_unterminated_quotes_only() {
    assert!(parse_csv("a,\"b").is_err());
    assert!(parse_csv("a,b\n\"c\nd").is_err());
    assert_eq!(parse_csv("").unwrap(), Vec::<Vec<String>>::new());
    assert_eq!(
        parse_csv("a,\"b,\"\"c\"\"\"\r\nd,").unwrap(),
        vec![vec!["a", "b,\"c\""], vec!["d", ""]]
    );
    assert_eq!(parse_csv("x,y").unwrap(), vec![vec!["x", "y"]]);
}

/// Where a caller ends its chunks (the page slices by wall time, the CLI by 200k events) must
/// not reach the results: the ops-limited quick runs of every primitive give the same JSON in
/// one go and in chunks of a few events.
#[test]
fn results_do_not_depend_on_where_chunks_end() {
    for kind in [
        ScenarioKind::QuickLocks,
        ScenarioKind::QueueThroughput,
        ScenarioKind::CacheHitMiss,
    ] {
        let mut p = ScenarioParams::defaults(kind);
        p.set("nodes", "3").unwrap();
        p.set("clients", "2").unwrap();
        p.set("ops", "20").unwrap();
        let whole = run_suite(p.clone()).unwrap().to_json();
        for budget in [7, 1000] {
            let mut chunked = BenchRun::new(p.clone()).unwrap();
            while !chunked.step_chunk(budget).done {}
            assert_eq!(
                whole,
                chunked.finish().to_json(),
                "{kind:?}, chunks of {budget}"
            );
        }
    }
}
