//! The tab's side of the lab (`lab/`, a third `.wasm` run only in Web Workers by
//! `static/lab-worker.js`): starting a worker, posting it a task, reading its answers, and
//! turning the SVG charts it draws into images for the tab's canvases. Neither the tab nor the
//! page holds a benchmark driver or chart code: that is what keeps their `.wasm` small (issue 10).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement,
    MessageEvent, Url, Worker,
};

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

/// Loads each SVG document as an image, decoded and ready to draw. Object URLs of blobs, not
/// data URLs: same-origin, so the canvases they are drawn on stay exportable as PNG.
pub async fn load_svgs(svgs: Vec<String>) -> Result<Vec<HtmlImageElement>, String> {
    let mut images = Vec::with_capacity(svgs.len());
    for svg in svgs {
        let options = BlobPropertyBag::new();
        options.set_type("image/svg+xml");
        let blob = Blob::new_with_str_sequence_and_options(
            &js_sys::Array::of1(&JsValue::from_str(&svg)),
            &options,
        )
        .map_err(|e| format!("could not hold a chart: {e:?}"))?;
        let url = Url::create_object_url_with_blob(&blob)
            .map_err(|e| format!("could not hold a chart: {e:?}"))?;
        let img = HtmlImageElement::new().map_err(|e| format!("no image element: {e:?}"))?;
        img.set_src(&url);
        let decoded = JsFuture::from(img.decode()).await;
        let _ = Url::revoke_object_url(&url);
        decoded.map_err(|e| format!("a chart could not be decoded: {e:?}"))?;
        images.push(img);
    }
    Ok(images)
}

/// Draws `img` over the whole of `canvas`, sized to the image.
pub fn draw_image(canvas: &HtmlCanvasElement, img: &HtmlImageElement) -> Result<(), String> {
    canvas.set_width(img.natural_width());
    canvas.set_height(img.natural_height());
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas has no 2D context")?;
    ctx.draw_image_with_html_image_element(img, 0.0, 0.0)
        .map_err(|e| format!("could not draw a chart: {e:?}"))
}
