//! The seeds' report in the lab worker: one job of the set (the page hands them out to several
//! workers and puts the results together with `core::report::Parts`), and, once the report is
//! whole, its charts and files.

use syncsim_charts::report::{report_files, REPORT_CHARTS};
use syncsim_core::bench::ChartSvg;
use syncsim_core::report::{parse_seed, JobResult, JobRun, Parts, ReportAssets};

/// Job `job` of the set for `seed`, as the JSON of its `Result<BenchResult, String>`.
pub fn job(seed: &str, job: usize, progress: impl FnMut(f64)) -> String {
    let result: JobResult =
        parse_seed(seed).and_then(|seed| JobRun::run_to_end(seed, job, progress));
    // Plain data with string keys: serialising cannot fail.
    serde_json::to_string(&result).unwrap_or_default()
}

/// The charts and files of the report of `seed` from its jobs' results (`results`: a JSON array
/// in job order, `null` for a job that did not run, as when the report was cancelled); `wall`
/// is the line on wall time that the HTML report shows. The results come as the workers wrote
/// them: the lab, like the CLI, writes every file of the report from the results themselves.
pub fn assets(seed: &str, results: &str, wall: &str) -> Result<ReportAssets, String> {
    let mut parts = Parts::new(parse_seed(seed)?);
    let results: Vec<Option<JobResult>> = serde_json::from_str(results)
        .map_err(|e| format!("the report's results could not be read: {e}"))?;
    if results.len() != parts.jobs().len() {
        return Err(format!(
            "results: {} given, the set has {} jobs",
            results.len(),
            parts.jobs().len()
        ));
    }
    for (job, result) in results.into_iter().enumerate() {
        if let Some(result) = result {
            parts.put(job, result);
        }
    }
    let report = parts.finish();
    let files: Vec<(String, String)> = report_files(
        &report,
        |c, suite| syncsim_charts::chart_svg(c.chart, suite),
        wall,
    )
    .into_iter()
    .map(|(name, bytes)| (name, String::from_utf8_lossy(&bytes).into_owned()))
    .collect();
    let charts = REPORT_CHARTS
        .iter()
        .filter_map(|c| {
            let name = format!("{}.svg", c.file);
            let (_, svg) = files.iter().find(|(n, _)| *n == name)?;
            Some(ChartSvg {
                id: c.file.to_string(),
                title: c.file.to_string(),
                description: c.caption.to_string(),
                svg: svg.clone(),
            })
        })
        .collect();
    Ok(ReportAssets { charts, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_that_cannot_run_is_an_error_in_its_json() {
        let text = job("not a seed", 0, |_| {});
        let result: JobResult = serde_json::from_str(&text).unwrap();
        assert!(result.is_err());
    }

    #[test]
    fn the_assets_of_a_partial_report_hold_its_json_and_every_file_but_the_pngs() {
        // The cheapest job only: assets must still come out, with the missing runs named.
        let mut parts = Parts::new(1);
        let last = parts.jobs().len() - 1;
        let text = job("1", last, |_| {});
        parts.put(last, serde_json::from_str(&text).unwrap());
        let report = parts.finish();
        let mut results = vec!["null"; parts.jobs().len()];
        results[last] = &text;
        let results = format!("[{}]", results.join(","));
        let assets = assets("1", &results, "wall time: test").unwrap();
        let names: Vec<&str> = assets.files.iter().map(|(n, _)| n.as_str()).collect();
        for want in ["results.json", "results.csv", "targets.csv", "report.html"] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        let json = &assets
            .files
            .iter()
            .find(|(n, _)| n == "results.json")
            .unwrap()
            .1;
        assert_eq!(
            *json,
            report.to_json(),
            "the JSON survives the trip to the worker"
        );
        for c in &assets.charts {
            assert!(names.contains(&format!("{}.svg", c.id).as_str()));
        }
        assert!(assets
            .files
            .iter()
            .any(|(n, t)| n == "report.html" && t.contains("wall time: test")));
        let answer = serde_json::to_string(&Ok::<_, String>(assets.clone())).unwrap();
        assert_eq!(ReportAssets::from_answer(&answer), Ok(assets));
        let failed = serde_json::to_string(&super::assets("1", "{", "")).unwrap();
        assert!(ReportAssets::from_answer(&failed)
            .unwrap_err()
            .contains("results"));
        let short = super::assets("1", "[null]", "").unwrap_err();
        assert!(short.contains("1 given"), "{short}");
        assert!(super::assets("x", &results, "").is_err());
    }
}
