//! Yield to the browser and come straight back: a message to ourselves over a `MessageChannel`.
//! Unlike `setTimeout(0)`, which browsers clamp to 4 ms once nested, this costs nothing when
//! there is no input or paint waiting, so a suite spends its wall time simulating.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageChannel, MessagePort};

pub struct Yielder {
    inbox: MessagePort,
    outbox: MessagePort,
    _on_message: Closure<dyn FnMut(JsValue)>,
}

impl Yielder {
    /// `None` if the browser has no `MessageChannel` (the caller falls back to timers).
    pub fn new(mut resume: impl FnMut() + 'static) -> Option<Self> {
        let channel = MessageChannel::new().ok()?;
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| resume());
        let inbox = channel.port1();
        inbox.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Yielder {
            inbox,
            outbox: channel.port2(),
            _on_message: on_message,
        })
    }

    /// Call `resume` once the browser has handled whatever is waiting.
    pub fn request(&self) -> Result<(), String> {
        self.outbox
            .post_message(&JsValue::UNDEFINED)
            .map_err(|e| format!("could not yield to the browser: {e:?}"))
    }
}

impl Drop for Yielder {
    fn drop(&mut self) {
        // Detach first: a message already in flight must not reach a freed closure.
        self.inbox.set_onmessage(None);
        self.inbox.close();
        self.outbox.close();
    }
}
