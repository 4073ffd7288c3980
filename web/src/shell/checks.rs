//! The page's lab worker, for the checks that need much code and no simulator of the page's:
//! the lock history checker, the MESI/MOESI model check, the MESI-against-MOESI replay and the
//! hidden pages' echo cluster run in the lab (`lab/`, in a Web Worker), so the page's `.wasm`
//! does not carry them (issue 10), and a long check never blocks the page. The worker script
//! knows none of them: the page names the lab export to call and gets its text back (`call`).
//! The worker starts at the first check and stays for the next ones; one that failed is
//! dropped, so the next check starts a fresh one.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use syncsim_uikit::lab::{field, text, LabWorker};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Checks waiting for their answer, by id: the promise's resolve and reject.
type Pending = Rc<RefCell<Vec<(u32, Function, Function)>>>;

struct Checker {
    worker: LabWorker,
    pending: Pending,
    /// Set by the worker's handler when the worker failed; the next `ask` replaces it (the
    /// handler cannot drop the worker: that would drop the handler while it runs).
    failed: Rc<Cell<bool>>,
    next_id: u32,
}

thread_local! {
    static CHECKER: RefCell<Option<Checker>> = const { RefCell::new(None) };
}

fn start() -> Result<Checker, String> {
    let pending: Pending = Rc::default();
    let failed = Rc::new(Cell::new(false));
    let (answers, dead) = (pending.clone(), failed.clone());
    let worker = LabWorker::start(move |_, data| {
        let waiting = &mut *answers.borrow_mut();
        match text(data, "kind").as_str() {
            // The module could not load, or a check panicked: every waiting check fails, and
            // the worker goes (the next check starts another).
            "failed" => {
                let why = JsValue::from(text(data, "message"));
                for (_, _, reject) in waiting.drain(..) {
                    let _ = reject.call1(&JsValue::NULL, &why);
                }
                dead.set(true);
            }
            "ready" => {}
            _ => {
                let id = field(data, "id").as_f64().map(|i| i as u32);
                if let Some(at) = waiting.iter().position(|(i, _, _)| Some(*i) == id) {
                    let (_, resolve, _) = waiting.remove(at);
                    let _ = resolve.call1(&JsValue::NULL, data);
                }
            }
        }
    })?;
    Ok(Checker {
        worker,
        pending,
        failed,
        next_id: 0,
    })
}

/// What one of the lab's exports answered, and how long it took in the worker (ms).
pub struct Answer {
    pub text: String,
    pub ms: f64,
}

impl Answer {
    /// The text read as JSON by the browser (`JSON.parse`), so the page needs no JSON reader of
    /// its own for the lab's results; its fields are read with `uikit::lab::field`.
    pub fn json(&self) -> Result<JsValue, String> {
        js_sys::JSON::parse(&self.text)
            .map_err(|_| format!("the lab answered no JSON: {}", self.text))
    }
}

/// Calls the lab's export `name` (one that answers a text) with `args` in the page's lab
/// worker, and waits for its answer; an error when the worker could not run it.
pub async fn call(name: &str, args: Vec<JsValue>) -> Result<Answer, String> {
    let promise = CHECKER.with(|slot| -> Result<Promise, String> {
        let mut slot = slot.borrow_mut();
        if slot.as_ref().is_none_or(|c| c.failed.get()) {
            *slot = Some(start()?);
        }
        let checker = slot.as_mut().expect("started above");
        let id = checker.next_id;
        checker.next_id = checker.next_id.wrapping_add(1);
        let args: js_sys::Array = args.into_iter().collect();
        checker.worker.post(&[
            ("kind", "call".into()),
            ("id", id.into()),
            ("name", name.into()),
            ("args", args.into()),
        ])?;
        let pending = checker.pending.clone();
        Ok(Promise::new(&mut |resolve, reject| {
            pending.borrow_mut().push((id, resolve, reject))
        }))
    })?;
    let data = JsFuture::from(promise)
        .await
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
    Ok(Answer {
        text: text(&data, "text"),
        ms: field(&data, "ms").as_f64().unwrap_or(0.0),
    })
}
