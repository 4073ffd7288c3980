//! The seeds' report on Web Workers (issue 14's speed): the set's independent jobs
//! (`core::report::jobs`, one run of one section each) go to a few module workers
//! (`static/report-worker.js`), each running the page's own `.wasm`, heaviest job first. The
//! page's thread only hands out jobs and collects results, so it never freezes, and the cores
//! share the work. `Parts` puts the results back in plan order: the report is the same bytes
//! as the CLI's and as a run on the page's thread.
//!
//! The page polls [`WorkerRun`] from its own timer instead of being called from the workers'
//! message handlers: a handler may then never drop the run (and itself with it) mid-call.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use syncsim_core::report::{
    heaviest_first, parse_seed, JobResult, JobRun, Parts, Report, ReportProgress,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// A worker's task: runs job `job` of the report set for `seed` and returns its
/// `Result<BenchResult, String>` as JSON. `progress` gets the run's fraction done after each
/// chunk of events.
#[wasm_bindgen]
pub fn report_job(seed: &str, job: usize, progress: &js_sys::Function) -> String {
    let result: JobResult = parse_seed(seed).and_then(|seed| {
        JobRun::run_to_end(seed, job, |f| {
            let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
        })
    });
    // Plain data with string keys: serialising cannot fail.
    serde_json::to_string(&result).unwrap_or_default()
}

/// The most workers a report starts: with more than the machine's cores they would only
/// take turns.
const MAX_WORKERS: usize = 4;

struct State {
    parts: Parts,
    /// Jobs to hand out, heaviest first, and the next one.
    order: Vec<usize>,
    next: usize,
    /// Per worker: the job it runs and its fraction done.
    running: Vec<Option<(usize, f64)>>,
    /// Per worker: milliseconds spent in jobs.
    busy_ms: Vec<f64>,
    failed: Option<String>,
}

pub struct WorkerRun {
    state: Rc<RefCell<State>>,
    workers: Rc<Vec<Worker>>,
    _handlers: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _error_handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for WorkerRun {
    fn drop(&mut self) {
        for w in self.workers.iter() {
            w.terminate();
        }
    }
}

impl WorkerRun {
    /// Starts the workers; an error when the page cannot (no module workers, or the page's
    /// module is not where trunk puts it), and the caller runs the set on the page instead.
    pub fn start(seed: u64) -> Result<WorkerRun, String> {
        let (glue, wasm) = module_urls().ok_or("the page's module URLs are not in the page")?;
        let cores = web_sys::window()
            .map(|w| w.navigator().hardware_concurrency() as usize)
            .unwrap_or(1);
        let parts = Parts::new(seed);
        let order = heaviest_first(parts.jobs());
        let n = cores.clamp(1, MAX_WORKERS).min(order.len().max(1));
        let state = Rc::new(RefCell::new(State {
            parts,
            order,
            next: 0,
            running: vec![None; n],
            busy_ms: vec![0.0; n],
            failed: None,
        }));
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let mut workers = Vec::new();
        for _ in 0..n {
            let w = Worker::new_with_options("report-worker.js", &options)
                .map_err(|e| format!("cannot start a worker: {e:?}"))?;
            workers.push(w);
        }
        let workers = Rc::new(workers);
        let mut handlers = Vec::new();
        let mut error_handlers = Vec::new();
        for (i, w) in workers.iter().enumerate() {
            let (shared, all) = (state.clone(), workers.clone());
            let seed = seed.to_string();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                handle(&mut shared.borrow_mut(), &all[i], i, &seed, &e.data());
            });
            w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            handlers.push(on_message);
            let state = state.clone();
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                let mut s = state.borrow_mut();
                s.failed
                    .get_or_insert_with(|| "a report worker could not load".into());
            });
            w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            error_handlers.push(on_error);
            w.post_message(&message(&[
                ("kind", "init".into()),
                ("glue", glue.as_str().into()),
                ("wasm", wasm.as_str().into()),
            ]))
            .map_err(|e| format!("cannot reach a worker: {e:?}"))?;
        }
        Ok(WorkerRun {
            state,
            workers,
            _handlers: handlers,
            _error_handlers: error_handlers,
        })
    }

    pub fn seed(&self) -> u64 {
        self.state.borrow().parts.seed()
    }

    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Why the workers stopped, if they did (the caller falls back to the page).
    pub fn failed(&self) -> Option<String> {
        self.state.borrow().failed.clone()
    }

    pub fn progress(&self) -> ReportProgress {
        let s = self.state.borrow();
        s.parts.progress(s.running.iter().flatten().copied())
    }

    /// Jobs finished so far, of all.
    pub fn jobs_done(&self) -> (usize, usize) {
        let s = self.state.borrow();
        let all = s.parts.jobs().len();
        ((0..all).filter(|&j| s.parts.has(j)).count(), all)
    }

    /// The busiest worker's time inside jobs, and all workers' together (ms).
    pub fn busy_ms(&self) -> (f64, f64) {
        let s = self.state.borrow();
        let max = s.busy_ms.iter().copied().fold(0.0, f64::max);
        (max, s.busy_ms.iter().sum())
    }

    /// The report of the sections finished so far (all of them once `progress().done`).
    pub fn report(&self) -> Report {
        self.state.borrow().parts.finish()
    }
}

fn handle(s: &mut State, worker: &Worker, i: usize, seed: &str, data: &JsValue) {
    let field = |name: &str| Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let job = field("job").as_f64().map(|j| j as usize);
    match field("kind").as_string().as_deref() {
        Some("progress") => {
            if let (Some(job), Some(f)) = (job, field("fraction").as_f64()) {
                s.running[i] = Some((job, f));
            }
        }
        Some("done") => {
            let text = field("result").as_string().unwrap_or_default();
            // Through `Value`, as the page's other JSON (docs/size.md: one parser in the .wasm).
            let result = serde_json::from_str(&text)
                .and_then(serde_json::from_value::<JobResult>)
                .unwrap_or_else(|e| Err(format!("a worker's result could not be read: {e}")));
            if let Some(job) = job {
                s.parts.put(job, result);
            }
            s.busy_ms[i] += field("ms").as_f64().unwrap_or(0.0);
            s.running[i] = None;
        }
        Some("failed") => {
            let m = field("message").as_string().unwrap_or_default();
            s.failed
                .get_or_insert(format!("a report worker failed: {m}"));
            return;
        }
        // "ready": the first job.
        _ => {}
    }
    if s.running[i].is_none() {
        if let Some(&job) = s.order.get(s.next) {
            s.next += 1;
            s.running[i] = Some((job, 0.0));
            let sent = worker.post_message(&message(&[
                ("kind", "job".into()),
                ("seed", seed.into()),
                ("job", JsValue::from_f64(job as f64)),
            ]));
            if sent.is_err() {
                s.failed
                    .get_or_insert("cannot reach a report worker".into());
            }
        }
    }
}

fn message(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// The absolute URLs of the page's JS module and `.wasm`, from the preload links trunk writes
/// into index.html (their names carry a content hash).
fn module_urls() -> Option<(String, String)> {
    let window = web_sys::window()?;
    let doc = window.document()?;
    let base = window.location().href().ok()?;
    let href = |selector: &str| -> Option<String> {
        let link = doc.query_selector(selector).ok()??;
        let href = link.get_attribute("href")?;
        Some(web_sys::Url::new_with_base(&href, &base).ok()?.href())
    };
    Some((
        href("link[rel=modulepreload]")?,
        href("link[rel=preload][as=fetch]")?,
    ))
}
