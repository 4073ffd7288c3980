//! The "Seeds' report" action (issue 14): runs the core's report set on lab workers
//! (`report_workers`: progress bar, Cancel, the page never freezes), then has a lab worker draw
//! its charts and write its files (`lab.rs`), draws the charts on the page's canvases, shows the
//! targets table and the wall time, and exports one ZIP (each chart as PNG and SVG, the JSON,
//! the CSVs and the self-contained HTML).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use syncsim_core::report::{parse_seed, Report, ReportAssets, ReportProgress};
use wasm_bindgen::JsValue;
use web_sys::HtmlImageElement;
use yew::prelude::*;

use crate::charts::{draw_image, load_svgs};
use crate::download;
use crate::panel::find_canvas;
use crate::report_workers::WorkerRun;
use crate::zip::{store_zip, ZipEntry};
use syncsim_uikit::clock::now_ms;
use syncsim_uikit::lab::{text, Inbox, LabWorker};

/// Where the action stands, for the view.
#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    Running {
        pct: u32,
        what: String,
    },
    /// Finished; the charts and files once a lab worker has made them.
    Shown {
        report: Rc<Report>,
        timing: Timing,
        assets: Option<Rc<Assets>>,
        cancelled: bool,
    },
}

/// A finished report's charts, decoded and ready for the canvases, and its files.
struct Assets {
    assets: ReportAssets,
    images: Vec<HtmlImageElement>,
}

impl PartialEq for Assets {
    fn eq(&self, other: &Self) -> bool {
        self.assets == other.assets
    }
}

/// The run in progress: dropping it (its timer and workers with it) stops everything. The loop
/// reads its own state from here: a state handle captured by a timer closure keeps the value
/// it had.
struct Job {
    stage: Stage,
    started: f64,
    last_ui: f64,
    timer: Option<Timeout>,
}

/// Least time between two redraws of the progress line while the workers run. Why not every
/// poll: each redraw is a layout and a paint on the page's thread, which shares the cores with
/// the workers (docs/speed.md); five a second still moves the bar smoothly enough.
const PROGRESS_REDRAW_MS: f64 = 200.0;

enum Stage {
    /// The set's jobs on several workers.
    Running(WorkerRun),
    /// One worker draws the charts and writes the files of `report`.
    Drawing {
        /// Held so that it lives (dropping it terminates it) until its answer is read.
        _worker: LabWorker,
        inbox: Inbox,
        report: Rc<Report>,
        timing: Timing,
        cancelled: bool,
    },
    Finished,
}

fn running_text(p: &ReportProgress) -> String {
    // Sections finish out of order on several workers: count the finished ones, and name
    // one that is running.
    format!(
        "{}/{} sections done · running {} · {}",
        p.finished, p.sections, p.section, p.label
    )
}

/// The line on wall time that the HTML report shows.
fn wall_line(timing: &Timing) -> String {
    format!(
        "wall time: {:.2} s in the browser · {}",
        timing.wall_ms / 1e3,
        timing.events_text()
    )
}

/// Stops the set's workers and asks a new worker for the charts and files of what finished.
fn to_drawing(j: &mut Job, phase: &UseStateHandle<Phase>, cancelled: bool) -> Result<(), String> {
    let Stage::Running(run) = std::mem::replace(&mut j.stage, Stage::Finished) else {
        return Ok(());
    };
    let report = Rc::new(run.report());
    let timing = Timing::of_workers(&run, j.started, report.sim_events());
    let (seed, results) = run.raw_results();
    drop(run);
    phase.set(Phase::Shown {
        report: report.clone(),
        timing,
        assets: None,
        cancelled,
    });
    let (worker, inbox) = LabWorker::with_inbox()?;
    worker.post(&[
        ("kind", "assets".into()),
        ("seed", seed.to_string().into()),
        ("results", results.into()),
        ("wall", wall_line(&timing).into()),
    ])?;
    j.stage = Stage::Drawing {
        _worker: worker,
        inbox,
        report,
        timing,
        cancelled,
    };
    Ok(())
}

fn tick(
    job: Rc<RefCell<Job>>,
    phase: UseStateHandle<Phase>,
    error: UseStateHandle<Option<String>>,
) {
    let mut guard = job.borrow_mut();
    let j = &mut *guard;
    match &j.stage {
        Stage::Running(run) => {
            if let Some(why) = run.failed() {
                j.stage = Stage::Finished;
                phase.set(Phase::Idle);
                error.set(Some(why));
                return;
            }
            let p = run.progress();
            if p.done {
                if let Err(e) = to_drawing(j, &phase, false) {
                    error.set(Some(e));
                }
            } else if now_ms() - j.last_ui >= PROGRESS_REDRAW_MS {
                j.last_ui = now_ms();
                phase.set(Phase::Running {
                    pct: (p.fraction * 100.0) as u32,
                    what: running_text(&p),
                });
            }
        }
        Stage::Drawing { inbox, .. } => {
            if let Some(answer) = inbox
                .take()
                .into_iter()
                .find(|m| matches!(text(m, "kind").as_str(), "assets" | "failed"))
            {
                let Stage::Drawing {
                    report,
                    timing,
                    cancelled,
                    ..
                } = std::mem::replace(&mut j.stage, Stage::Finished)
                else {
                    return;
                };
                show_assets(&answer, report, timing, cancelled, phase, error);
                return;
            }
        }
        Stage::Finished => return,
    }
    let next = job.clone();
    j.timer = Some(Timeout::new(50, move || tick(next, phase, error)));
}

/// Decodes the worker's charts, then shows them with the report.
fn show_assets(
    answer: &JsValue,
    report: Rc<Report>,
    timing: Timing,
    cancelled: bool,
    phase: UseStateHandle<Phase>,
    error: UseStateHandle<Option<String>>,
) {
    let assets = match text(answer, "kind").as_str() {
        "assets" => ReportAssets::from_answer(&text(answer, "answer")),
        _ => Err(format!(
            "the report worker failed: {}",
            text(answer, "message")
        )),
    };
    let assets = match assets {
        Ok(a) => a,
        Err(e) => return error.set(Some(e)),
    };
    wasm_bindgen_futures::spawn_local(async move {
        let svgs = assets.charts.iter().map(|c| c.svg.clone()).collect();
        match load_svgs(svgs).await {
            Ok(images) => phase.set(Phase::Shown {
                report,
                timing,
                assets: Some(Rc::new(Assets { assets, images })),
                cancelled,
            }),
            Err(e) => error.set(Some(e)),
        }
    });
}

/// Wall-clock figures of a report run (never in the JSON: the core has no clock).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Timing {
    /// From the click to the end of the run.
    wall_ms: f64,
    /// Inside the simulator on the busiest worker.
    busy_ms: f64,
    /// Inside the simulator on all workers together.
    total_ms: f64,
    /// Jobs done.
    units: u64,
    workers: usize,
    /// Simulator events of the finished jobs (`Report::sim_events`).
    events: u64,
}

impl Timing {
    fn of_workers(w: &WorkerRun, started: f64, events: u64) -> Timing {
        let (busy_ms, total_ms) = w.busy_ms();
        Timing {
            wall_ms: now_ms() - started,
            busy_ms,
            total_ms,
            units: w.jobs_done().0 as u64,
            workers: w.workers(),
            events,
        }
    }

    fn text(&self) -> String {
        format!(
            "{} jobs on {} Web Workers: {:.2} s simulating on the busiest, {:.2} s in all · {}",
            self.units,
            self.workers,
            self.busy_ms / 1e3,
            self.total_ms / 1e3,
            self.events_text()
        )
    }

    /// The simulator's speed: the event count is fixed by the seed, so this compares machines
    /// and builds where the seconds alone cannot.
    fn events_text(&self) -> String {
        let per_worker_s = self.events as f64 / (self.total_ms / 1e3).max(1e-3);
        format!(
            "{:.2} M simulator events, {:.2} M events/s per worker",
            self.events as f64 / 1e6,
            per_worker_s / 1e6
        )
    }
}

fn export(root: &NodeRef, report: &Report, assets: &Assets) -> Result<(), String> {
    let mut files: Vec<ZipEntry> = assets
        .assets
        .files
        .iter()
        .map(|(name, text)| ZipEntry {
            name: name.clone(),
            data: text.clone().into_bytes(),
        })
        .collect();
    for c in &assets.assets.charts {
        if let Some(canvas) = find_canvas(root, &c.id) {
            files.push(ZipEntry {
                name: format!("{}.png", c.id),
                data: download::canvas_png_bytes(&canvas)?,
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

    // Draw the charts once they are decoded and their canvases are on the page.
    {
        let root = root.clone();
        let assets = match &*phase {
            Phase::Shown {
                assets: Some(a), ..
            } => Some(a.clone()),
            _ => None,
        };
        let error = error.clone();
        use_effect_with(assets.as_ref().map(|a| Rc::as_ptr(a) as usize), move |_| {
            if let Some(a) = assets {
                for (c, img) in a.assets.charts.iter().zip(&a.images) {
                    let drawn = find_canvas(&root, &c.id)
                        .ok_or_else(|| format!("chart `{}` has no canvas", c.id))
                        .and_then(|canvas| draw_image(&canvas, img));
                    if let Err(e) = drawn {
                        error.set(Some(e));
                    }
                }
            }
        });
    }

    let on_seed = {
        let seed_text = seed_text.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            seed_text.set(input.value());
        })
    };
    let on_run = {
        let (phase, job, error) = (phase.clone(), job.clone(), error.clone());
        let seed = seed.clone().ok();
        Callback::from(move |_: MouseEvent| {
            let Some(seed) = seed else {
                return;
            };
            // Dropping the old job stops its workers; its timer then finds nothing to do.
            if let Some(old) = job.borrow_mut().take() {
                let mut old = old.borrow_mut();
                old.stage = Stage::Finished;
                old.timer.take();
            }
            let run = match WorkerRun::start(seed) {
                Ok(run) => run,
                Err(e) => return error.set(Some(e)),
            };
            error.set(None);
            let j = Rc::new(RefCell::new(Job {
                stage: Stage::Running(run),
                started: now_ms(),
                last_ui: 0.0,
                timer: None,
            }));
            phase.set(Phase::Running {
                pct: 0,
                what: String::new(),
            });
            tick(j.clone(), phase.clone(), error.clone());
            *job.borrow_mut() = Some(j);
        })
    };
    let on_cancel = {
        let (phase, job, error) = (phase.clone(), job.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(j) = job.borrow().clone() else {
                return;
            };
            let drawn = to_drawing(&mut j.borrow_mut(), &phase, true);
            if let Err(e) = drawn {
                error.set(Some(e));
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
            assets,
            cancelled,
        } => {
            let wall_ms = &timing.wall_ms;
            let state = if *cancelled {
                "cancelled"
            } else if assets.is_some() {
                "done"
            } else {
                "drawing"
            };
            let on_export = {
                let (root, report, assets, error) =
                    (root.clone(), report.clone(), assets.clone(), error.clone());
                Callback::from(move |_: MouseEvent| {
                    if let Some(assets) = &assets {
                        error.set(export(&root, &report, assets).err())
                    }
                })
            };
            let m = &report.meta;
            html! {
                <>
                <p class="bench-timing" data-testid="report-status" data-state={state}
                    data-wall-ms={format!("{wall_ms:.0}")} data-busy-ms={format!("{:.0}", timing.busy_ms)}
                    data-slices={timing.units.to_string()} data-workers={timing.workers.to_string()}
                    data-events={timing.events.to_string()}>
                    { format!("{} sections in {:.2} s of wall time ({}) · seed {} · syncsim {} · {} · CPU {}",
                        report.sections.len(), wall_ms / 1e3, timing.text(),
                        m.seed, m.syncsim_version, m.network_profile, m.cpu_model) }
                    if *cancelled { <strong>{ " · cancelled" }</strong> }
                </p>
                <button class="primary" data-testid="report-export" onclick={on_export}
                    disabled={assets.is_none()}>{ "Export report (ZIP)" }</button>
                { targets_table(report) }
                </>
            }
        }
    };
    let charts = match &*phase {
        Phase::Shown {
            assets: Some(a), ..
        } => html! {
            <div class="bench-charts">
                { for a.assets.charts.iter().map(|c| html! {
                    <figure class="bench-chart">
                        <canvas data-chart={c.id.clone()} width="900" height="560"></canvas>
                        <figcaption>{ format!("{}: {}", c.id, c.description) }</figcaption>
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
                    <td>{ t.syncsim.map_or("–".into(), |v| format!("{} {}", crate::results::fmt(v), t.unit)) }
                        if !t.note.is_empty() { <small class="report-note" data-note="">{ &t.note }</small> }</td>
                    <td>{ if t.pass { "pass" } else { "FAIL" } }</td>
                </tr>
            }) }
            </tbody>
        </table>
    }
}
