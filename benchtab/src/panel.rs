//! The Benchmarks panel: pick a scenario, edit its parameters, run the suite in chunks with a
//! progress bar (the page never freezes), then read the summary table and the charts, and
//! export charts (PNG, SVG) and raw results (JSON, CSV).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use syncsim_core::bench::{ChartSvg, Form, Outcome, Progress, ScenarioKind};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlCanvasElement, HtmlImageElement};
use yew::prelude::*;

use crate::charts::{draw_image, load_svgs};
use crate::download;
use crate::form_view::ParamForm;
use crate::zip::{store_zip, ZipEntry};
use crate::{report, results};
use syncsim_uikit::lab::{text, Inbox, LabWorker};

/// A finished suite, its charts decoded for the canvases, and a number that changes with every
/// new one (the charts redraw on it).
#[derive(Clone, PartialEq)]
struct Shown {
    generation: u32,
    outcome: Rc<Outcome>,
    images: Rc<Vec<HtmlImageElement>>,
}

/// A suite running in a lab worker: dropping it terminates the worker.
struct Running {
    _worker: LabWorker,
    inbox: Inbox,
    _timer: Option<Timeout>,
}

type Slot = Rc<RefCell<Option<Running>>>;

pub(crate) fn find_canvas(root: &NodeRef, id: &str) -> Option<HtmlCanvasElement> {
    root.cast::<Element>()?
        .query_selector(&format!("canvas[data-chart=\"{id}\"]"))
        .ok()??
        .dyn_into()
        .ok()
}

/// Every export of a suite in one ZIP file: the raw results, then each chart as SVG and PNG.
/// One download instead of a burst, which browsers throttle (Chromium delivers ~10) or block.
fn export_all(root: &NodeRef, outcome: &Rc<Outcome>, report: Callback<String>) {
    let build = || -> Result<Vec<u8>, String> {
        let text = |name: &str, body: String| ZipEntry {
            name: name.to_string(),
            data: body.into_bytes(),
        };
        let mut files: Vec<ZipEntry> = outcome
            .exports
            .iter()
            .map(|(name, body)| text(name, body.clone()))
            .collect();
        for chart in &outcome.charts {
            let id = &chart.id;
            files.push(text(&format!("{id}.svg"), chart.svg.clone()));
            let canvas =
                find_canvas(root, id).ok_or_else(|| format!("chart `{id}` is not on the page"))?;
            files.push(ZipEntry {
                name: format!("{id}.png"),
                data: download::canvas_png_bytes(&canvas)?,
            });
        }
        store_zip(&files)
    };
    let result = build().and_then(|zip| {
        let name = format!("syncsim-{}.zip", outcome.suite.name);
        download::download_bytes(&name, "application/zip", &zip)
    });
    if let Err(e) = result {
        report.emit(e);
    }
}

fn export_png(root: &NodeRef, id: &str) -> Result<(), String> {
    let canvas = find_canvas(root, id).ok_or_else(|| format!("chart `{id}` is not on the page"))?;
    download::download_canvas_png(&format!("{id}.png"), &canvas)
}

/// What the panel's state handles are, for the poll loop.
#[derive(Clone)]
struct Handles {
    progress: UseStateHandle<Option<Progress>>,
    shown: UseStateHandle<Option<Shown>>,
    problems: UseStateHandle<Vec<String>>,
    running: Slot,
    generations: Rc<RefCell<u32>>,
}

/// Reads the worker's messages every 50 ms until the suite is done.
fn poll(h: Handles) {
    let messages = match h.running.borrow().as_ref() {
        Some(r) => r.inbox.take(),
        None => return,
    };
    for m in messages {
        match text(&m, "kind").as_str() {
            "bench-progress" => {
                let p = serde_json::from_str(&text(&m, "progress"))
                    .and_then(serde_json::from_value::<Progress>);
                if let Ok(p) = p {
                    h.progress.set(Some(p));
                }
            }
            "bench-done" => {
                h.running.borrow_mut().take();
                match Outcome::from_json(&text(&m, "outcome")) {
                    Ok(outcome) => show(h.clone(), outcome),
                    Err(e) => {
                        h.progress.set(None);
                        h.problems.set(vec![e]);
                    }
                }
                return;
            }
            "failed" => {
                h.running.borrow_mut().take();
                h.progress.set(None);
                h.problems.set(vec![text(&m, "message")]);
                return;
            }
            // "ready"
            _ => {}
        }
    }
    let next = h.clone();
    if let Some(r) = h.running.borrow_mut().as_mut() {
        r._timer = Some(Timeout::new(50, move || poll(next)));
    }
}

/// Decodes the suite's charts, then shows the results.
fn show(h: Handles, outcome: Outcome) {
    let mut problems = Vec::new();
    if let Some(e) = &outcome.error {
        problems.push(format!("The suite stopped early: {e}"));
    }
    h.problems.set(problems.clone());
    h.progress.set(Some(outcome.progress.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let svgs = outcome.charts.iter().map(|c| c.svg.clone()).collect();
        let images = load_svgs(svgs).await.unwrap_or_else(|e| {
            problems.push(e);
            h.problems.set(problems);
            Vec::new()
        });
        let generation = {
            let mut g = h.generations.borrow_mut();
            *g += 1;
            *g
        };
        h.shown.set(Some(Shown {
            generation,
            outcome: Rc::new(outcome),
            images: Rc::new(images),
        }));
    });
}

/// Starts the suite of `params` in a new lab worker.
fn start(h: &Handles, params: &syncsim_core::bench::ScenarioParams) -> Result<(), String> {
    // The previous run's results go: "done" must mean this run's results are on the page.
    h.shown.set(None);
    let (worker, inbox) = LabWorker::with_inbox()?;
    let json = serde_json::to_string(params).map_err(|e| e.to_string())?;
    worker.post(&[("kind", "bench".into()), ("params", JsValue::from(json))])?;
    *h.running.borrow_mut() = Some(Running {
        _worker: worker,
        inbox,
        _timer: None,
    });
    poll(h.clone());
    Ok(())
}

#[component]
pub fn BenchPanel() -> Html {
    let form = use_state(|| Form::new(ScenarioKind::QuickLocks));
    let progress = use_state(|| None::<Progress>);
    let shown = use_state(|| None::<Shown>);
    let problems = use_state(Vec::<String>::new);
    let running: Slot = use_mut_ref(|| None);
    let generations = use_mut_ref(|| 0u32);
    let charts_ref = use_node_ref();
    let handles = Handles {
        progress: progress.clone(),
        shown: shown.clone(),
        problems: problems.clone(),
        running: running.clone(),
        generations,
    };

    // Leaving the tab stops a suite in progress (its worker is terminated).
    {
        let running = running.clone();
        use_effect_with((), move |_| move || drop(running.borrow_mut().take()));
    }

    // Draw the charts once their canvases are on the page.
    {
        let (charts_ref, problems) = (charts_ref.clone(), problems.clone());
        let generation = shown.as_ref().map(|s| s.generation);
        let shown = (*shown).clone();
        use_effect_with(generation, move |_| {
            if let Some(shown) = shown {
                let errors: Vec<String> = shown
                    .outcome
                    .charts
                    .iter()
                    .zip(shown.images.iter())
                    .filter_map(|(chart, img)| {
                        find_canvas(&charts_ref, &chart.id)
                            .ok_or_else(|| format!("chart `{}` has no canvas", chart.id))
                            .and_then(|c| draw_image(&c, img))
                            .err()
                    })
                    .collect();
                if !errors.is_empty() {
                    problems.set(errors);
                }
            }
        });
    }

    let report = {
        let problems = problems.clone();
        Callback::from(move |e: String| {
            let mut list = (*problems).clone();
            list.push(e);
            problems.set(list);
        })
    };

    let checked = form.params();
    let is_running = running.borrow().is_some();

    let on_kind = {
        let form = form.clone();
        Callback::from(move |kind| form.set(Form::new(kind)))
    };
    let on_field = {
        let form = form.clone();
        Callback::from(move |(key, text): (&'static str, String)| {
            let mut next = (*form).clone();
            next.set_value(key, text);
            form.set(next);
        })
    };
    let on_run = {
        let (form, h) = (form.clone(), handles.clone());
        Callback::from(move |_: MouseEvent| {
            if h.running.borrow().is_some() {
                return;
            }
            // Invalid parameters are already listed next to the form; nothing starts.
            let Ok(params) = form.params() else { return };
            h.problems.set(Vec::new());
            h.progress.set(Some(start_progress()));
            if let Err(e) = start(&h, &params) {
                h.progress.set(None);
                h.problems.set(vec![e]);
            }
        })
    };
    let on_cancel = {
        let running = running.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = running.borrow().as_ref() {
                // The worker ends the suite after its current slice and sends what finished.
                let _ = r._worker.post(&[("kind", "cancel".into())]);
            }
        })
    };

    let errors = checked.as_ref().err().cloned().unwrap_or_default();
    let warmup_s = checked.as_ref().map_or(1.0, |p| p.warmup_s);
    html! {
        <section class="bench-panel" data-testid="bench-panel" aria-label="Benchmarks">
            <h2>{ "Benchmarks" }</h2>
            <report::SeedsReport />
            <ParamForm form={(*form).clone()} errors={errors.clone()} disabled={is_running}
                {on_kind} {on_field} />
            if !errors.all().is_empty() {
                <div class="bench-error" role="alert" data-testid="bench-error">
                    <strong>{ "Fix these parameters to run:" }</strong>
                    <ul>{ for errors.all().into_iter().map(|e| html! { <li>{ e }</li> }) }</ul>
                </div>
            }
            <div class="bench-actions">
                <button class="primary" data-testid="bench-run" onclick={on_run}
                    disabled={is_running}>{ "Run" }</button>
                if is_running {
                    <button data-testid="bench-cancel" onclick={on_cancel}>{ "Cancel" }</button>
                }
                { progress_view(progress.as_ref(), is_running, shown.as_ref()) }
            </div>
            if !problems.is_empty() {
                <div class="bench-error" role="alert" data-testid="bench-error">
                    <ul>{ for problems.iter().map(|e| html! { <li>{ e }</li> }) }</ul>
                </div>
            }
            if let Some(shown) = shown.as_ref() {
                { results_view(&shown.outcome, warmup_s, &charts_ref, report) }
            }
        </section>
    }
}

fn start_progress() -> Progress {
    Progress {
        done: false,
        fraction: 0.0,
        run: 0,
        runs: 0,
        label: String::new(),
        events: 0,
    }
}

fn progress_view(progress: Option<&Progress>, running: bool, shown: Option<&Shown>) -> Html {
    let Some(p) = progress else { return html! {} };
    let pct = (p.fraction * 100.0).floor().clamp(0.0, 100.0) as u32;
    // The worker has finished but its charts are still being decoded: not done yet, so that
    // "done" always means the results are on the page.
    let drawing = !running && shown.is_none();
    let cancelled = !running && shown.is_some_and(|s| s.outcome.cancelled);
    let status = if drawing {
        "drawing the charts…".to_string()
    } else if running {
        format!(
            "run {}/{} · {} · {} events",
            (p.run + 1).min(p.runs.max(1)),
            p.runs.max(1),
            p.label,
            p.events
        )
    } else if cancelled {
        format!("cancelled at {pct}%")
    } else {
        "done".to_string()
    };
    html! {
        <div class="bench-progress-wrap">
            <div class="bench-progress" data-testid="bench-progress" data-progress={pct.to_string()}
                role="progressbar" aria-valuemin="0" aria-valuemax="100"
                aria-valuenow={pct.to_string()}>
                <div class="bench-progress-fill" style={format!("width: {pct}%")}></div>
            </div>
            <span class="bench-status" data-testid="bench-status"
                data-state={if running || drawing { "running" } else if cancelled { "cancelled" } else { "done" }}>
                { format!("{pct}% · {status}") }
            </span>
        </div>
    }
}

fn results_view(
    outcome: &Rc<Outcome>,
    warmup_s: f64,
    charts_ref: &NodeRef,
    report: Callback<String>,
) -> Html {
    let suite = &outcome.suite;
    if suite.runs.is_empty() {
        return html! { <p class="bench-note">{ "No run finished, so there are no results." }</p> };
    }
    // The files as the lab wrote them (`Outcome::exports`: exact, unlike a re-serialisation).
    let text_export = |name: &'static str, mime: &'static str| {
        let (outcome, report) = (outcome.clone(), report.clone());
        Callback::from(move |_: MouseEvent| {
            let text = outcome.exports.iter().find(|(n, _)| n == name);
            let done = text
                .ok_or_else(|| format!("{name} is not among the results"))
                .and_then(|(_, body)| download::download_text(name, mime, body));
            if let Err(e) = done {
                report.emit(e);
            }
        })
    };
    let on_all = {
        let (outcome, report, root) = (outcome.clone(), report.clone(), charts_ref.clone());
        Callback::from(move |_: MouseEvent| export_all(&root, &outcome, report.clone()))
    };
    html! {
        <div class="bench-results" data-testid="bench-results">
            if outcome.cancelled {
                <p class="bench-note">{ "Cancelled: these are the runs that had finished." }</p>
            }
            { results::timing_line(outcome) }
            { results::results_table(outcome, warmup_s) }
            <div class="bench-exports">
                <span class="bench-label">{ "Export" }</span>
                <button data-testid="export-json"
                    onclick={text_export("results.json", "application/json")}>
                    { "results.json" }</button>
                <button data-testid="export-csv"
                    onclick={text_export("results.csv", "text/csv")}>
                    { "results.csv" }</button>
                <button data-testid="export-series"
                    onclick={text_export("series.csv", "text/csv")}>
                    { "series.csv" }</button>
                <button class="primary" data-testid="export-all" onclick={on_all}>
                    { "Export all" }</button>
            </div>
            <div class="bench-charts" ref={charts_ref.clone()}>
                { for outcome.charts.iter().map(|c| chart_card(c, charts_ref, report.clone())) }
            </div>
        </div>
    }
}

fn chart_card(chart: &ChartSvg, root: &NodeRef, report: Callback<String>) -> Html {
    let id = chart.id.clone();
    let on_png = {
        let (root, report, id) = (root.clone(), report.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = export_png(&root, &id) {
                report.emit(e);
            }
        })
    };
    let on_svg = {
        let (svg, id) = (chart.svg.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            if let Err(e) = download::download_text(&format!("{id}.svg"), "image/svg+xml", &svg) {
                report.emit(e);
            }
        })
    };
    html! {
        <figure class="bench-chart" data-chart-card={id.clone()}>
            <canvas data-chart={id.clone()} width="900" height="560"
                aria-label={chart.title.clone()}></canvas>
            <figcaption>
                <span class="bench-chart-desc">{ &chart.description }</span>
                <button data-testid={format!("export-png-{id}")} onclick={on_png}>{ "PNG" }</button>
                <button data-testid={format!("export-svg-{id}")} onclick={on_svg}>{ "SVG" }</button>
            </figcaption>
        </figure>
    }
}
