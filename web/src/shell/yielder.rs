//! Giving the thread back to the browser between slices of long work (the seeds' report).
//!
//! A zero timeout chained from a timeout is clamped to 4 ms by the browser once nested five
//! deep, and the report yields thousands of times: with 14 ms slices that was about a quarter
//! of its wall time. A message posted on a `MessageChannel` starts a task at once, with no
//! clamp. But a page that only ever posts messages may go long without drawing a frame (once
//! 333 ms in headless Chromium on a loaded machine), so the loop watches the frames it asks
//! for with `requestAnimationFrame`: when none has been drawn for `FRAME_GAP_MS`, it yields
//! with a timeout instead, which leaves the thread idle for the frame to be drawn. A hidden
//! page draws no frames and needs none: it always takes the message.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::MessageChannel;

use super::clock::now_ms;

/// Longest stretch without a drawn frame before the loop yields with a timeout.
const FRAME_GAP_MS: f64 = 50.0;

type Job = Box<dyn FnOnce()>;

/// Runs one pending job after the browser had its turn. Dropping it (or `cancel`) drops the job;
/// dropping it also detaches its callbacks from the browser.
pub struct Yielder {
    channel: Option<MessageChannel>,
    next: Rc<RefCell<Option<Job>>>,
    timer: RefCell<Option<Timeout>>,
    last_frame: Rc<Cell<f64>>,
    /// The animation frame asked for and not drawn yet (its request id).
    frame_asked: Rc<Cell<Option<i32>>>,
    on_frame: Closure<dyn FnMut(f64)>,
    _on_message: Closure<dyn FnMut()>,
}

impl Yielder {
    pub fn new() -> Yielder {
        let next: Rc<RefCell<Option<Job>>> = Rc::new(RefCell::new(None));
        let on_message = {
            let next = next.clone();
            Closure::<dyn FnMut()>::new(move || {
                let job = next.borrow_mut().take();
                if let Some(job) = job {
                    job();
                }
            })
        };
        let channel = MessageChannel::new().ok();
        if let Some(c) = &channel {
            c.port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        }
        let last_frame = Rc::new(Cell::new(now_ms()));
        let frame_asked = Rc::new(Cell::new(None));
        let on_frame = {
            let (last_frame, frame_asked) = (last_frame.clone(), frame_asked.clone());
            Closure::<dyn FnMut(f64)>::new(move |_: f64| {
                last_frame.set(now_ms());
                frame_asked.set(None);
            })
        };
        Yielder {
            channel,
            next,
            timer: RefCell::new(None),
            last_frame,
            frame_asked,
            on_frame,
            _on_message: on_message,
        }
    }

    /// Runs `job` in a new task, replacing any job still pending.
    pub fn schedule(&self, job: impl FnOnce() + 'static) {
        self.cancel();
        let window = web_sys::window();
        let hidden = window
            .as_ref()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if !hidden && self.frame_asked.get().is_none() {
            let asked = window.as_ref().and_then(|w| {
                w.request_animation_frame(self.on_frame.as_ref().unchecked_ref())
                    .ok()
            });
            self.frame_asked.set(asked);
        }
        let starved = !hidden && now_ms() - self.last_frame.get() >= FRAME_GAP_MS;
        match &self.channel {
            Some(c) if !starved && c.port2().post_message(&wasm_bindgen::JsValue::NULL).is_ok() => {
                *self.next.borrow_mut() = Some(Box::new(job));
            }
            _ => {
                // The frame is overdue (or there is no channel): an idle gap lets it be drawn.
                *self.timer.borrow_mut() = Some(Timeout::new(0, job));
                // Count from here, so the timeout is taken once per gap, not on every slice.
                self.last_frame.set(now_ms());
            }
        }
    }

    /// Drops the pending job, if any.
    pub fn cancel(&self) {
        self.next.borrow_mut().take();
        self.timer.borrow_mut().take();
    }
}

// The browser must not call the closures once they are freed: a frame still asked for and a
// message still on its way would otherwise throw "closure invoked after being dropped".
impl Drop for Yielder {
    fn drop(&mut self) {
        if let Some(c) = &self.channel {
            c.port1().set_onmessage(None);
            c.port1().close();
            c.port2().close();
        }
        if let (Some(id), Some(w)) = (self.frame_asked.take(), web_sys::window()) {
            let _ = w.cancel_animation_frame(id);
        }
    }
}

impl Default for Yielder {
    fn default() -> Self {
        Yielder::new()
    }
}
