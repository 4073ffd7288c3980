//! The seeds' report on Web Workers (issue 14's speed): the set's independent jobs
//! (`core::report::jobs`, one run of one section each) go to a few lab workers (`uikit::lab`),
//! heaviest job first. The page's thread only hands out jobs and collects results, so it never
//! freezes, and the cores share the work. `Parts` puts the results back in plan order: the report is the same bytes
//! as the CLI's.
//!
//! A worker's message handler hands it its next job at once (polling would leave it idle). The
//! page reads [`WorkerRun`] from its own timer instead of being called from the handlers: a
//! handler may then never drop the run (and itself with it) mid-call.

use std::cell::RefCell;
use std::rc::Rc;

use syncsim_core::report::{heaviest_first, JobResult, Parts, Report, ReportProgress};
use wasm_bindgen::JsValue;
use web_sys::Worker;

use syncsim_uikit::lab::{field, post, text, LabWorker};

/// The most workers a report starts: with more than the machine's cores they would only
/// take turns.
const MAX_WORKERS: usize = 4;

struct State {
    parts: Parts,
    /// Each job's result as its worker wrote it (JSON), for the lab that draws the report:
    /// the lab builds the report's files from these, as the CLI does from its own results.
    texts: Vec<Option<String>>,
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
    /// Dropping them terminates them.
    workers: Vec<LabWorker>,
}

impl WorkerRun {
    /// Starts the workers; an error when the page cannot.
    pub fn start(seed: u64) -> Result<WorkerRun, String> {
        let cores = web_sys::window()
            .map(|w| w.navigator().hardware_concurrency() as usize)
            .unwrap_or(1);
        let parts = Parts::new(seed);
        let order = heaviest_first(parts.jobs());
        let n = cores.clamp(1, MAX_WORKERS).min(order.len().max(1));
        let texts = vec![None; parts.jobs().len()];
        let state = Rc::new(RefCell::new(State {
            parts,
            texts,
            order,
            next: 0,
            running: vec![None; n],
            busy_ms: vec![0.0; n],
            failed: None,
        }));
        let workers = (0..n)
            .map(|i| {
                let (shared, seed) = (state.clone(), seed.to_string());
                LabWorker::start(move |w, data| handle(&mut shared.borrow_mut(), w, i, &seed, data))
            })
            .collect::<Result<_, _>>()?;
        Ok(WorkerRun { state, workers })
    }

    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Why the workers stopped, if they did.
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

    /// The seed, and the jobs' results as their workers wrote them: a JSON array with `null`
    /// for a job not done (what the lab's `report_assets` reads).
    pub fn raw_results(&self) -> (u64, String) {
        let s = self.state.borrow();
        let items: Vec<&str> = s
            .texts
            .iter()
            .map(|t| t.as_deref().unwrap_or("null"))
            .collect();
        (s.parts.seed(), format!("[{}]", items.join(",")))
    }
}

fn handle(s: &mut State, worker: &Worker, i: usize, seed: &str, data: &JsValue) {
    let job = field(data, "job").as_f64().map(|j| j as usize);
    match text(data, "kind").as_str() {
        "progress" => {
            if let (Some(job), Some(f)) = (job, field(data, "fraction").as_f64()) {
                s.running[i] = Some((job, f));
            }
        }
        "done" => {
            // Through `Value`, as the page's other JSON (docs/size.md: one parser in the .wasm).
            let raw = text(data, "result");
            let result = serde_json::from_str(&raw)
                .and_then(serde_json::from_value::<JobResult>)
                .unwrap_or_else(|e| Err(format!("a worker's result could not be read: {e}")));
            if let Some(job) = job {
                s.parts.put(job, result);
                if let Some(slot @ None) = s.texts.get_mut(job) {
                    *slot = Some(raw);
                }
            }
            s.busy_ms[i] += field(data, "ms").as_f64().unwrap_or(0.0);
            s.running[i] = None;
        }
        "failed" => {
            let m = text(data, "message");
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
            let sent = post(
                worker,
                &[
                    ("kind", "job".into()),
                    ("seed", seed.into()),
                    ("job", JsValue::from_f64(job as f64)),
                ],
            );
            if sent.is_err() {
                s.failed
                    .get_or_insert("cannot reach a report worker".into());
            }
        }
    }
}
