use super::*;

#[test]
fn the_plan_has_every_section_and_valid_parameters() {
    let plan = plan(7);
    let ids: Vec<&str> = plan.iter().map(|s| s.id).collect();
    assert_eq!(ids, SECTION_IDS.to_vec());
    for s in &plan {
        assert_eq!(s.params.seed, 7);
        s.params
            .validate()
            .unwrap_or_else(|e| panic!("{}: {e}", s.id));
    }
    let jobs = jobs::jobs_of(&plan);
    assert!(jobs.iter().all(|j| j.weight > 0.0));
    // The long queue runs (1 KB messages through Raft) start first on N workers; the lock
    // runs, held back by contention, last.
    let order = heaviest_first(&jobs);
    let service = |i: usize| plan[jobs[i].section].params.scenario.service();
    assert_eq!(service(order[0]), "queue");
    assert_eq!(service(order[order.len() - 1]), "lock");
}

#[test]
fn targets_fail_without_runs_and_name_the_missing_source() {
    let rows = targets(&[]);
    assert_eq!(rows.len(), targets::target_ids().len());
    assert!(rows.iter().all(|r| !r.pass && r.syncsim.is_none()));
    assert!(rows[0].source.contains("missing"));
}

/// The whole set, run once: the JSON is stable (same seed => same bytes, and a round trip
/// through serde gives it back), every section ran, and every target row has a figure.
/// Slow in debug builds, so it runs under `--release` or `--ignored`.
#[test]
#[ignore = "runs the whole report set (about 30 s in release)"]
fn whole_report_is_deterministic_and_complete() {
    let a = ReportRun::new(3).run_to_end();
    let b = ReportRun::new(3).run_to_end();
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.sections.len(), SECTION_IDS.len());
    assert!(
        a.targets.iter().all(|t| t.syncsim.is_some()),
        "{:#?}",
        a.targets
    );
    let json = a.to_json();
    assert_eq!(json, b.to_json());
    assert_eq!(Report::from_json(&json).unwrap().to_json(), json);
    assert!(json.contains("\"seed\": 3"));
}

/// A cheap determinism check that always runs: the quick sections, twice.
#[test]
fn quick_sections_give_identical_json_for_the_same_seed() {
    let run = |seed| {
        let mut r = ReportRun::new(seed);
        while r.progress().finished < 3 {
            r.step_chunk(50_000);
        }
        serde_json::to_string(&r.report().sections).unwrap()
    };
    let a = run(5);
    assert_eq!(a, run(5));
    assert_ne!(a, run(6));
}

/// The report's event count is its runs' `sim_events` added up, and only the finished runs'.
#[test]
fn sim_events_add_up_the_runs_of_every_section() {
    let mut r = ReportRun::new(5);
    assert_eq!(r.report().sim_events(), 0, "nothing has run yet");
    while r.progress().finished < 3 {
        r.step_chunk(50_000);
    }
    let report = r.report();
    let per_run: Vec<f64> = report
        .sections
        .iter()
        .flat_map(|s| &s.suite.runs)
        .map(|run| run.extra.get("sim_events").copied().unwrap_or(0.0))
        .collect();
    assert!(
        per_run.len() >= 3 && per_run.iter().all(|&e| e > 0.0),
        "{per_run:?}"
    );
    assert_eq!(report.sim_events(), per_run.iter().sum::<f64>() as u64);
}

#[test]
fn the_seed_field_takes_an_unsigned_integer_and_names_itself_otherwise() {
    assert_eq!(parse_seed(" 42 "), Ok(42));
    assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
    for bad in ["", "-1", "abc", "1.5", "18446744073709551616"] {
        let e = parse_seed(bad).unwrap_err();
        assert!(e.starts_with("seed: "), "{bad:?}: {e}");
    }
}

/// A latency row's note reads its p95 again at the target's own load: the open-loop run with
/// the lowest offered rate whose served rate meets the throughput target (here PUT > 500/s:
/// 3000 ops/s offered, 20 % PUTs), never one below it.
#[test]
fn latency_rows_note_the_p95_at_the_target_load() {
    let mut params = plan(1)
        .into_iter()
        .find(|s| s.id == "offered-load-cache")
        .unwrap()
        .params;
    params.duration_s = 1.0;
    if let crate::services::BenchParams::Cache(c) = &mut params.service {
        c.offered_rates = vec![1000.0, 3000.0];
    }
    let suite = crate::bench::run_suite(params).unwrap();
    let put_p95_at_3000 = suite.runs[1].op("put").unwrap().latency_ms.p95;
    let sections = [SectionResult {
        id: "offered-load-cache".into(),
        title: String::new(),
        suite,
    }];
    let rows = targets(&sections);
    let put = rows.iter().find(|r| r.id == "put-p95").unwrap();
    assert!(
        put.note
            .starts_with("at the target load (open loop, 3000 ops/s offered, "),
        "{}",
        put.note
    );
    assert!(
        put.note.ends_with(&format!("p95 {put_p95_at_3000:.1} ms")),
        "{}",
        put.note
    );
    let hit = rows.iter().find(|r| r.id == "get-hit-p95").unwrap();
    // At 1000 ops/s offered only about 800 GETs/s are served: below the GET target.
    assert!(hit.note.contains("3000 ops/s offered"), "{}", hit.note);
    // No sweep, no note; and the verdict is still the scenario run's (missing here).
    assert!(!put.pass);
    let locks = rows.iter().find(|r| r.id == "locks-p95").unwrap();
    assert_eq!(locks.note, "");
}

/// The quick sections' jobs run in reverse order, each result sent through JSON as a Web
/// Worker sends it, give the same report bytes as the sequential run; sections with a job
/// still missing are left out, as a cancelled run leaves them out.
#[test]
fn jobs_in_any_order_through_json_give_the_sequential_report() {
    let mut seq = ReportRun::new(4);
    while seq.progress().finished < 3 {
        seq.step_chunk(50_000);
    }
    let mut parts = Parts::new(4);
    let quick: Vec<usize> = (0..parts.jobs().len())
        .filter(|&i| parts.jobs()[i].section < 3)
        .collect();
    assert_eq!(quick.len(), 3, "one run per quick section");
    for &i in quick.iter().rev() {
        let result = JobRun::run_to_end(4, i, |_| {}).unwrap();
        let wire = serde_json::to_string(&result).unwrap();
        parts.put(i, Ok(serde_json::from_str(&wire).unwrap()));
    }
    assert_eq!(parts.finished_sections(), 3);
    assert!(!parts.is_complete());
    let progress = parts.progress(std::iter::empty());
    assert!(!progress.done && progress.fraction > 0.0 && progress.fraction < 0.05);
    assert_eq!(parts.finish().to_json(), seq.report().to_json());
}

/// A run that cannot be built stops its section, as `BenchRun` stops a suite: with no run
/// before it the section is left out and its error is named; a later job of the same section
/// cannot replace the first error.
#[test]
fn a_job_that_cannot_run_names_its_section_in_the_errors() {
    let mut parts = Parts::new(1);
    parts.put(0, Err("cannot build".into()));
    parts.put(0, Ok(JobRun::run_to_end(1, 0, |_| {}).unwrap()));
    assert!(parts.has(0) && parts.section_stopped(0));
    let report = parts.finish();
    assert_eq!(report.errors, vec!["quick-locks: cannot build".to_string()]);
    assert!(report.sections.is_empty());
    assert!(JobRun::new(1, parts.jobs().len())
        .err()
        .unwrap()
        .starts_with("job: "));
}
