//! The "Seeds' report" action (issue 14): runs the core's report set (`core::report`) in time
//! slices of about 14 ms (progress bar, Cancel, the page never freezes), then draws its charts
//! one per tick, shows the targets table and the wall time, and exports one ZIP (each chart
//! as PNG and SVG, the JSON, the CSVs and the self-contained HTML from `charts::report`).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use syncsim_charts::report::{chart_suite, report_files, REPORT_CHARTS};
use syncsim_core::report::{parse_seed, Report, ReportRun};
use yew::prelude::*;

use super::driver::{next_budget, TARGET_CHUNK_MS};
use super::{find_canvas, render};
use crate::shell::clock::now_ms;
use crate::shell::download;
use crate::shell::yielder::Yielder;
use crate::shell::zip::{store_zip, ZipEntry};

/// Where the action stands, for the view.
#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    Running {
        pct: u32,
        what: String,
    },
    /// Finished; `drawn` charts are on their canvases.
    Shown {
        report: Rc<Report>,
        timing: Timing,
        drawn: usize,
        cancelled: bool,
    },
}

/// The run in progress: dropping it (the timer with it) stops everything. The loop reads its
/// own state from here: a state handle captured by a timer closure keeps the value it had.
struct Job {
    run: Option<ReportRun>,
    budget: u64,
    started: f64,
    busy_ms: f64,
    slices: u64,
    /// The finished report, its timing and how many charts are drawn.
    shown: Option<(Rc<Report>, Timing)>,
    drawn: usize,
    last_ui: f64,
    /// Between slices of the run.
    yielder: Yielder,
    /// Between charts, once the run is done.
    timer: Option<Timeout>,
}

fn tick(job: Rc<RefCell<Job>>, phase: UseStateHandle<Phase>, root: NodeRef) {
    let mut guard = job.borrow_mut();
    let j = &mut *guard;
    if let Some(run) = j.run.as_mut() {
        // One slice: steps of about STEP_MS until SLICE_MS have passed, then the thread goes
        // back to the page. Yielding after every step cost more than the step itself.
        let start = now_ms();
        let mut t1 = start;
        let p = loop {
            let t0 = t1;
            let p = run.step_chunk(j.budget);
            t1 = now_ms();
            j.busy_ms += t1 - t0;
            j.budget = next_budget(j.budget, (t1 - t0) * TARGET_CHUNK_MS / STEP_MS);
            if p.done || t1 - start >= SLICE_MS {
                break p;
            }
        };
        j.slices += 1;
        if p.done {
            let report = Rc::new(j.run.take().expect("checked above").finish());
            let timing = Timing {
                wall_ms: t1 - j.started,
                busy_ms: j.busy_ms,
                slices: j.slices,
            };
            j.shown = Some((report.clone(), timing));
            phase.set(Phase::Shown {
                report,
                timing,
                drawn: 0,
                cancelled: false,
            });
        } else if t1 - j.last_ui >= 100.0 {
            j.last_ui = t1;
            let what = format!(
                "{}/{} · {} · {}",
                p.finished + 1,
                p.sections,
                p.section,
                p.label
            );
            phase.set(Phase::Running {
                pct: (p.fraction * 100.0) as u32,
                what,
            });
        }
    } else if let Some((report, timing)) = j.shown.clone() {
        // One chart per tick, once the canvases are on the page (the render after `Shown`).
        let Some(c) = REPORT_CHARTS.get(j.drawn) else {
            return;
        };
        let Some(canvas) = find_canvas(&root, c.file) else {
            let next = job.clone();
            j.timer = Some(Timeout::new(10, move || tick(next, phase, root)));
            return;
        };
        if let Some(suite) = chart_suite(&report, c) {
            let _ = render::draw_on_canvas(c.chart, canvas, &suite);
        }
        j.drawn += 1;
        phase.set(Phase::Shown {
            report,
            timing,
            drawn: j.drawn,
            cancelled: false,
        });
    }
    let next = job.clone();
    if j.run.is_some() {
        j.yielder.schedule(move || tick(next, phase, root));
    } else {
        j.timer = Some(Timeout::new(0, move || tick(next, phase, root)));
    }
}

/// Wall time of one slice of simulation before the page gets the thread back: within a frame,
/// so the progress bar moves and a click on Cancel is answered at once, and long beside the
/// yield (`Yielder`: a posted message, a timeout when a frame is overdue).
const SLICE_MS: f64 = 14.0;
/// Wall time one `step_chunk` should take (its event budget adapts to it), so that a slice
/// overshoots `SLICE_MS` by about this much at most.
const STEP_MS: f64 = 2.0;

/// Wall-clock figures of a report run (never in the JSON: the core has no clock).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Timing {
    /// From the click to the last slice, yields to the browser included.
    wall_ms: f64,
    /// Inside the simulator only.
    busy_ms: f64,
    slices: u64,
}

fn export(root: &NodeRef, report: &Report, wall_ms: f64) -> Result<(), String> {
    let wall = format!("wall time: {:.2} s in the browser", wall_ms / 1e3);
    let mut files: Vec<ZipEntry> =
        report_files(report, |c, suite| render::render_svg(c.chart, suite), &wall)
            .into_iter()
            .map(|(name, data)| ZipEntry { name, data })
            .collect();
    for c in REPORT_CHARTS {
        if let Some(canvas) = find_canvas(root, c.file) {
            let data = download::canvas_png_bytes(&canvas)?;
            files.push(ZipEntry {
                name: format!("{}.png", c.file),
                data,
            });
        }
    }
    let zip = store_zip(&files)?;
    let name = format!("syncsim-seeds-report-seed{}.zip", report.meta.seed);
    download::download_bytes(&name, "application/zip", &zip)
}

#[component]
pub fn SeedsReport() -> Html {
    let phase = use_state(|| Phase::Idle);
    let job: Rc<RefCell<Option<Rc<RefCell<Job>>>>> = use_mut_ref(|| None);
    let root = use_node_ref();
    let error = use_state(|| None::<String>);
    let seed_text = use_state(|| "1".to_string());
    // The core validates the field, as it does the CLI's `--seed`.
    let seed = parse_seed(&seed_text);

    let on_seed = {
        let seed_text = seed_text.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            seed_text.set(input.value());
        })
    };
    let on_run = {
        let (phase, job, root) = (phase.clone(), job.clone(), root.clone());
        let seed = seed.clone().ok();
        Callback::from(move |_: MouseEvent| {
            let Some(seed) = seed else {
                return;
            };
            // The old loop's timer holds its job: stop it before starting over.
            if let Some(old) = job.borrow_mut().take() {
                let mut old = old.borrow_mut();
                old.yielder.cancel();
                old.timer.take();
            }
            let j = Rc::new(RefCell::new(Job {
                run: Some(ReportRun::new(seed)),
                budget: 2_000,
                started: now_ms(),
                busy_ms: 0.0,
                slices: 0,
                shown: None,
                drawn: 0,
                last_ui: 0.0,
                yielder: Yielder::new(),
                timer: None,
            }));
            phase.set(Phase::Running {
                pct: 0,
                what: String::new(),
            });
            tick(j.clone(), phase.clone(), root.clone());
            *job.borrow_mut() = Some(j);
        })
    };
    let on_cancel = {
        let (phase, job) = (phase.clone(), job.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(j) = job.borrow_mut().take() else {
                return;
            };
            let mut j = j.borrow_mut();
            j.yielder.cancel();
            j.timer.take();
            if let Some(run) = j.run.take() {
                let timing = Timing {
                    wall_ms: now_ms() - j.started,
                    busy_ms: j.busy_ms,
                    slices: j.slices,
                };
                phase.set(Phase::Shown {
                    report: Rc::new(run.finish()),
                    timing,
                    drawn: REPORT_CHARTS.len(),
                    cancelled: true,
                });
            }
        })
    };
    let running = matches!(*phase, Phase::Running { .. });
    let body = match &*phase {
        Phase::Idle => html! {},
        Phase::Running { pct, what } => html! {
            <div class="bench-progress-wrap">
                <div class="bench-progress" data-testid="report-progress" role="progressbar"
                    aria-valuenow={pct.to_string()}>
                    <div class="bench-progress-fill" style={format!("width: {pct}%")}></div>
                </div>
                <span class="bench-status" data-testid="report-status" data-state="running">
                    { format!("{pct}% · {what}") }</span>
                <button data-testid="report-cancel" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
        },
        Phase::Shown {
            report,
            timing,
            drawn,
            cancelled,
        } => {
            let wall_ms = &timing.wall_ms;
            let done = *drawn >= REPORT_CHARTS.len();
            let state = if *cancelled {
                "cancelled"
            } else if done {
                "done"
            } else {
                "drawing"
            };
            let on_export = {
                let (root, report, wall_ms, error) =
                    (root.clone(), report.clone(), *wall_ms, error.clone());
                Callback::from(move |_: MouseEvent| {
                    error.set(export(&root, &report, wall_ms).err())
                })
            };
            let m = &report.meta;
            html! {
                <>
                <p class="bench-timing" data-testid="report-status" data-state={state}
                    data-wall-ms={format!("{wall_ms:.0}")} data-busy-ms={format!("{:.0}", timing.busy_ms)}
                    data-slices={timing.slices.to_string()}>
                    { format!("{} sections in {:.2} s of wall time ({:.2} s simulating, {} slices) · seed {} · syncsim {} · {} · CPU {}",
                        report.sections.len(), wall_ms / 1e3, timing.busy_ms / 1e3, timing.slices,
                        m.seed, m.syncsim_version, m.network_profile, m.cpu_model) }
                    if *cancelled { <strong>{ " · cancelled" }</strong> }
                </p>
                <button class="primary" data-testid="report-export" onclick={on_export}
                    disabled={!done}>{ "Export report (ZIP)" }</button>
                { targets_table(report) }
                </>
            }
        }
    };
    let charts = match &*phase {
        Phase::Shown { .. } => html! {
            <div class="bench-charts">
                { for REPORT_CHARTS.iter().map(|c| html! {
                    <figure class="bench-chart">
                        <canvas data-chart={c.file} width="900" height="560"></canvas>
                        <figcaption>{ format!("{}: {}", c.file, c.caption) }</figcaption>
                    </figure>
                }) }
            </div>
        },
        _ => html! {},
    };
    html! {
        <div class="seeds-report" ref={root}>
            <div class="bench-actions">
                <button class="primary" data-testid="seeds-report" onclick={on_run}
                    disabled={running || seed.is_err()}>{ "Seeds' report" }</button>
                <label class="report-seed">{ "seed " }
                    <input data-testid="report-seed" type="text" inputmode="numeric" size="8"
                        value={(*seed_text).clone()} oninput={on_seed} disabled={running}
                        aria-invalid={seed.is_err().to_string()} /></label>
                <span class="muted">{ "every scenario of the three primitives, the eight charts and the targets table" }</span>
            </div>
            if let Err(e) = &seed { <p class="bench-error" role="alert" data-testid="report-seed-error">{ e }</p> }
            { body }
            if let Some(e) = &*error { <p class="bench-error" role="alert">{ e }</p> }
            { charts }
        </div>
    }
}

fn targets_table(report: &Report) -> Html {
    html! {
        <table class="bench-table" data-testid="report-table">
            <thead><tr><th>{ "primitive" }</th><th>{ "metric" }</th><th>{ "seeds reported" }</th>
                <th>{ "seeds' target" }</th><th>{ "syncsim" }</th><th>{ "pass" }</th></tr></thead>
            <tbody>
            { for report.targets.iter().map(|t| html! {
                <tr data-target={t.id.clone()} data-pass={t.pass.to_string()} title={format!("syncsim's run: {}", t.source)}>
                    <td>{ &t.primitive }</td><td>{ &t.metric }</td><td>{ &t.seeds_reported }</td>
                    <td>{ &t.target }</td>
                    <td>{ t.syncsim.map_or("–".into(), |v| format!("{} {}", super::results::fmt(v), t.unit)) }
                        if !t.note.is_empty() { <small class="report-note" data-note="">{ &t.note }</small> }</td>
                    <td>{ if t.pass { "pass" } else { "FAIL" } }</td>
                </tr>
            }) }
            </tbody>
        </table>
    }
}
