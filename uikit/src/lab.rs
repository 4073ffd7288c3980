//! The main thread's side of the lab (`lab/`, a `.wasm` run only in Web Workers by
//! `static/lab-worker.js`): starting a worker, posting it a task and reading its answers. The
//! Benchmarks tab sends it suites and report jobs; the page sends it the checks that need much
//! code and no simulator (the lock history checker, the MESI/MOESI model check). Neither module
//! then holds that code: that is what keeps their `.wasm` small (issue 10).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

/// The worker script, beside index.html (copied by trunk). Its URL carries the build's version,
/// which the script passes on to the module it loads: trunk does not hash a worker's file
/// names, so without it a browser could pair a new page with a cached old lab.
fn script_url() -> String {
    let version = syncsim_core::report::version();
    format!("lab-worker.js?v={}", js_sys::encode_uri_component(&version))
}

/// One lab worker. Dropping it terminates the worker, and whatever it was running.
pub struct LabWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for LabWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

impl LabWorker {
    /// Starts a worker. `on_message` gets each message it posts, and the worker to answer
    /// with; a script that cannot load arrives as a `failed` message.
    pub fn start(mut on_message: impl FnMut(&Worker, &JsValue) + 'static) -> Result<Self, String> {
        let worker =
            Worker::new(&script_url()).map_err(|e| format!("cannot start a lab worker: {e:?}"))?;
        let shared = Rc::new(RefCell::new(move |w: &Worker, data: &JsValue| {
            on_message(w, data)
        }));
        let (w, on) = (worker.clone(), shared.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            (on.borrow_mut())(&w, &e.data());
        });
        let w = worker.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            // An `ErrorEvent`: its message says what went wrong in the script.
            let why = text(&e, "message");
            let failed = message(&[
                ("kind", "failed".into()),
                (
                    "message",
                    format!("the lab worker could not load: {why}").into(),
                ),
            ]);
            (shared.borrow_mut())(&w, &failed);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(LabWorker {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// A worker whose messages wait in an inbox until the owner reads them (`Inbox::take`):
    /// for owners that may drop the worker while handling one.
    pub fn with_inbox() -> Result<(Self, Inbox), String> {
        let inbox = Inbox::default();
        let queue = inbox.0.clone();
        let worker = LabWorker::start(move |_, data| queue.borrow_mut().push_back(data.clone()))?;
        Ok((worker, inbox))
    }

    pub fn post(&self, fields: &[(&str, JsValue)]) -> Result<(), String> {
        post(&self.worker, fields)
    }
}

/// Messages a worker posted, oldest first.
#[derive(Clone, Default)]
pub struct Inbox(Rc<RefCell<VecDeque<JsValue>>>);

impl Inbox {
    pub fn take(&self) -> Vec<JsValue> {
        self.0.borrow_mut().drain(..).collect()
    }
}

pub fn post(worker: &Worker, fields: &[(&str, JsValue)]) -> Result<(), String> {
    worker
        .post_message(&message(fields))
        .map_err(|e| format!("cannot reach a lab worker: {e:?}"))
}

fn message(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// Field `name` of a worker's message.
pub fn field(data: &JsValue, name: &str) -> JsValue {
    Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A text field of a worker's message ("" when missing).
pub fn text(data: &JsValue, name: &str) -> String {
    field(data, name).as_string().unwrap_or_default()
}
