//! The "Seeds' report" action (issue 14): runs the core's report set (`core::report`) on Web
//! Workers (`report_workers`), or where they cannot start on the page's thread in time slices
//! of about 14 ms (progress bar, Cancel, the page never freezes), then draws its charts
//! one per tick, shows the targets table and the wall time, and exports one ZIP (each chart
//! as PNG and SVG, the JSON, the CSVs and the self-contained HTML from `charts::report`).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use syncsim_charts::report::{chart_suite, report_files, REPORT_CHARTS};
use syncsim_core::report::{parse_seed, Report, ReportProgress, ReportRun};
use yew::prelude::*;

use super::driver::{next_budget, TARGET_CHUNK_MS};
use super::report_workers::WorkerRun;
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

/// The run in progress: dropping it (its timers and workers with it) stops everything. The
/// loop reads its own state from here: a state handle captured by a timer closure keeps the
/// value it had.
struct Job {
    engine: Engine,
    started: f64,
    /// The finished report, its timing and how many charts are drawn.
    shown: Option<(Rc<Report>, Timing)>,
    drawn: usize,
    last_ui: f64,
    /// Between polls of the workers, and between charts once the run is done.
    timer: Option<Timeout>,
}

/// What runs the set.
enum Engine {
    /// Web Workers, several cores (`report_workers`).
    Workers(WorkerRun),
    /// The page's own thread in time slices: when workers cannot start.
    Page {
        run: ReportRun,
        budget: u64,
        busy_ms: f64,
        slices: u64,
        yielder: Yielder,
    },
    Finished,
}

impl Engine {
    fn start(seed: u64) -> Engine {
        match WorkerRun::start(seed) {
            Ok(w) => Engine::Workers(w),
            Err(e) => Engine::on_page(seed, &e),
        }
    }

    fn on_page(seed: u64, why: &str) -> Engine {
        web_sys::console::warn_1(&format!("seeds' report on the page's thread: {why}").into());
        Engine::Page {
            run: ReportRun::new(seed),
            budget: 2_000,
            busy_ms: 0.0,
            slices: 0,
            yielder: Yielder::new(),
        }
    }

    /// Stops the run; the report of the sections finished so far, if it was running.
    fn stop(&mut self, started: f64) -> Option<(Report, Timing)> {
        match std::mem::replace(self, Engine::Finished) {
            Engine::Workers(w) => Some((w.report(), Timing::of_workers(&w, started))),
            Engine::Page {
                run,
                busy_ms,
                slices,
                yielder,
                ..
            } => {
                yielder.cancel();
                let timing = Timing {
                    wall_ms: now_ms() - started,
                    busy_ms,
                    total_ms: busy_ms,
                    units: slices,
                    workers: 0,
                };
                Some((run.finish(), timing))
            }
            Engine::Finished => None,
        }
    }
}

fn running_text(p: &ReportProgress) -> String {
    // Sections finish out of order on several workers: count the finished ones, and name
    // one that is running.
    format!(
        "{}/{} sections done · running {} · {}",
        p.finished, p.sections, p.section, p.label
    )
}

fn tick(job: Rc<RefCell<Job>>, phase: UseStateHandle<Phase>, root: NodeRef) {
    let mut guard = job.borrow_mut();
    let j = &mut *guard;
    let mut progress = None;
    match &mut j.engine {
        Engine::Workers(w) => {
            if let Some(why) = w.failed() {
                // Start over on the page: a worker that failed may have lost a job.
                j.engine = Engine::on_page(w.seed(), &why);
            } else {
                progress = Some(w.progress());
            }
        }
        Engine::Page {
            run,
            budget,
            busy_ms,
            slices,
            ..
        } => {
            // One slice: steps of about STEP_MS until SLICE_MS have passed, then the thread
            // goes back to the page. Yielding after every step cost more than the step itself.
            let start = now_ms();
            let mut t1 = start;
            let p = loop {
                let t0 = t1;
                let p = run.step_chunk(*budget);
                t1 = now_ms();
                *busy_ms += t1 - t0;
                *budget = next_budget(*budget, (t1 - t0) * TARGET_CHUNK_MS / STEP_MS);
                if p.done || t1 - start >= SLICE_MS {
                    break p;
                }
            };
            *slices += 1;
            progress = Some(p);
        }
        Engine::Finished => {}
    }
    if let Some(p) = progress {
        let now = now_ms();
        if p.done {
            if let Some((report, timing)) = j.engine.stop(j.started) {
                let report = Rc::new(report);
                j.shown = Some((report.clone(), timing));
                phase.set(Phase::Shown {
                    report,
                    timing,
                    drawn: 0,
                    cancelled: false,
                });
            }
        } else if now - j.last_ui >= 100.0 {
            j.last_ui = now;
            phase.set(Phase::Running {
                pct: (p.fraction * 100.0) as u32,
                what: running_text(&p),
            });
        }
    } else if let (Engine::Finished, Some((report, timing))) = (&j.engine, j.shown.clone()) {
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
    match &j.engine {
        Engine::Page { yielder, .. } => yielder.schedule(move || tick(next, phase, root)),
        // The workers run on their own: look at them a few times per frame budget.
        Engine::Workers(_) => j.timer = Some(Timeout::new(50, move || tick(next, phase, root))),
        Engine::Finished => j.timer = Some(Timeout::new(0, move || tick(next, phase, root))),
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
    /// From the click to the end of the run, yields to the browser included.
    wall_ms: f64,
    /// Inside the simulator: on the page's thread, or on the busiest worker.
    busy_ms: f64,
    /// Inside the simulator on all workers together.
    total_ms: f64,
    /// Time slices on the page's thread, or jobs on the workers.
    units: u64,
    /// 0: the page's own thread.
    workers: usize,
}

impl Timing {
    fn of_workers(w: &WorkerRun, started: f64) -> Timing {
        let (busy_ms, total_ms) = w.busy_ms();
        Timing {
            wall_ms: now_ms() - started,
            busy_ms,
            total_ms,
            units: w.jobs_done().0 as u64,
            workers: w.workers(),
        }
    }

    fn text(&self) -> String {
        if self.workers == 0 {
            format!(
                "{:.2} s simulating on the page's thread, {} slices",
                self.busy_ms / 1e3,
                self.units
            )
        } else {
            format!(
                "{} jobs on {} Web Workers: {:.2} s simulating on the busiest, {:.2} s in all",
                self.units,
                self.workers,
                self.busy_ms / 1e3,
                self.total_ms / 1e3
            )
        }
    }
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
                let started = old.started;
                old.engine.stop(started);
                old.timer.take();
            }
            let j = Rc::new(RefCell::new(Job {
                engine: Engine::start(seed),
                started: now_ms(),
                shown: None,
                drawn: 0,
                last_ui: 0.0,
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
            j.timer.take();
            let started = j.started;
            if let Some((report, timing)) = j.engine.stop(started) {
                phase.set(Phase::Shown {
                    report: Rc::new(report),
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
                    data-slices={timing.units.to_string()} data-workers={timing.workers.to_string()}>
                    { format!("{} sections in {:.2} s of wall time ({}) · seed {} · syncsim {} · {} · CPU {}",
                        report.sections.len(), wall_ms / 1e3, timing.text(),
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
