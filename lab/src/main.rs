//! The playground's lab: benchmarks, the seeds' report and their charts, compiled to a second
//! `.wasm` that runs only in Web Workers (`static/lab-worker.js`). The page loads it when the
//! Benchmarks tab asks for work, so the simulator's benchmark drivers, plotters and the report
//! builder are not part of the page's first download (issue 10), and the work never runs on the
//! page's thread (issue 14). The page sends JSON and gets JSON back; the types on both sides are
//! the core's (`bench::Outcome`, `report::ReportAssets`).
//!
//! The exports keep at most one benchmark session per worker: a worker runs one thing at a time.

// The allocator is installed only on single-threaded wasm32 (its lists are not locked); the
// native build of this crate (clippy, tests) only tests it.
#[cfg(any(test, all(target_arch = "wasm32", not(target_feature = "atomics"))))]
mod alloc;
mod bench;
mod report;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: alloc::SizeClasses<std::alloc::System> =
    alloc::SizeClasses::new(std::alloc::System);

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

thread_local! {
    static SESSION: RefCell<Option<bench::Session>> = const { RefCell::new(None) };
}

/// The worker's clock: `performance.now()` (the core has none).
fn now_ms() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    perf.and_then(|p| {
        let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
        now.dyn_into::<js_sys::Function>()
            .ok()?
            .call0(&p)
            .ok()?
            .as_f64()
    })
    .unwrap_or_else(js_sys::Date::now)
}

/// Starts a suite from the JSON of its `ScenarioParams`: "" when it started, else why not.
#[wasm_bindgen]
pub fn bench_start(params: &str) -> String {
    match bench::Session::start(params, now_ms()) {
        Ok(s) => {
            SESSION.with(|slot| *slot.borrow_mut() = Some(s));
            String::new()
        }
        Err(e) => e,
    }
}

/// Runs the suite for about `slice_ms`; the JSON of its `Progress` ("" with no suite).
#[wasm_bindgen]
pub fn bench_slice(slice_ms: f64) -> String {
    SESSION.with(|slot| match slot.borrow_mut().as_mut() {
        Some(s) => serde_json::to_string(&s.slice(slice_ms, &now_ms)).unwrap_or_default(),
        None => String::new(),
    })
}

/// Ends the suite: the JSON of its `Outcome` with the charts ("" with no suite).
#[wasm_bindgen]
pub fn bench_finish(cancelled: bool) -> String {
    SESSION.with(|slot| match slot.borrow_mut().take() {
        Some(s) => s.finish(cancelled, now_ms()).to_json(),
        None => String::new(),
    })
}

/// Job `job` of the seeds' report for `seed`: the JSON of its `Result<BenchResult, String>`.
/// `progress` gets the run's fraction done after each chunk of events.
#[wasm_bindgen]
pub fn report_job(seed: &str, job: usize, progress: &js_sys::Function) -> String {
    report::job(seed, job, |f| {
        let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
    })
}

/// The charts and files of the report of `seed` from its jobs' results (a JSON array of each
/// job's `Result<BenchResult, String>`, `null` where a job did not run): the JSON of
/// `Result<ReportAssets, String>`.
#[wasm_bindgen]
pub fn report_assets(seed: &str, results: &str, wall: &str) -> String {
    serde_json::to_string(&report::assets(seed, results, wall)).unwrap_or_default()
}

/// The "Check history" verdict of a lock history (JSON of `LockEvent`s, as the page's
/// `Playground::lock_history_json` writes it): the checker runs here, so the page need not
/// carry it (issue 10).
#[wasm_bindgen]
pub fn check_lock_history(history: &str) -> String {
    syncsim_core::services::lock::history_verdict_of_json(history)
}

/// The Cache tab's "Verify protocol": the exhaustive MESI/MOESI model check for `protocol`
/// (its name) with `bug` (its key, "" for none), as JSON of the core's `ModelResult`, or
/// `{"error": ...}` for a key it does not know.
#[wasm_bindgen]
pub fn cache_verify(protocol: &str, bug: &str) -> String {
    syncsim_core::services::cache::model::run_by_keys(protocol, bug)
        .unwrap_or_else(|e| serde_json::json!({ "error": e }).to_string())
}

/// The Cache tab's "MESI vs MOESI": the preset `preset` (its key) replayed under both tables on
/// a fresh world, as JSON of the core's `SideRun`s, or `{"error": ...}` for an unknown key.
#[wasm_bindgen]
pub fn cache_compare(preset: &str) -> String {
    syncsim_core::services::cache::presets::side_by_side_by_key(preset)
        .unwrap_or_else(|e| serde_json::json!({ "error": e }).to_string())
}

/// The kernel's golden trace hash (the echo scenario) for the page's `?selftest=kernel`: the
/// echo cluster is a simulator instance the page itself never runs, so it is computed here.
#[wasm_bindgen]
pub fn golden_kernel() -> String {
    syncsim_core::sim::echo::golden_scenario()
}

/// `events` events of the 5-node echo cluster for the page's `?bench=kernel`: JSON
/// `[events done, simulated µs]`; the worker times the call.
#[wasm_bindgen]
pub fn bench_kernel(events: f64) -> String {
    let (done, simulated) = syncsim_core::sim::echo::bench_echo(events as u64);
    format!("[{done},{simulated}]")
}

/// Panics go to the worker's console with their message before the module aborts (the page
/// then shows the worker's failure): without this, a panic is only "unreachable".
fn main() {
    std::panic::set_hook(Box::new(|info| {
        let console = js_sys::Reflect::get(&js_sys::global(), &"console".into());
        let error = console
            .as_ref()
            .ok()
            .and_then(|c| js_sys::Reflect::get(c, &"error".into()).ok())
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let (Ok(console), Some(error)) = (console, error) {
            let _ = error.call1(&console, &JsValue::from(format!("syncsim lab: {info}")));
        }
    }));
}
