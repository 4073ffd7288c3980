//! Keyboard shortcuts: Space play/pause, `.` step, `c` client request, `r` restart the leader,
//! `?` help. Keys typed into a text field are left alone.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCommand {
    PlayPause,
    Step,
    ClientRequest,
    RestartLeader,
    Help,
    Close,
}

/// The shortcut table (shown in the help overlay too).
pub const SHORTCUTS: [(&str, &str); 6] = [
    ("Space", "play / pause"),
    (".", "process one event (step)"),
    ("c", "client C acquires or releases lock \"demo\""),
    ("r", "crash the leader (or restart the crashed one)"),
    ("?", "show or hide this help"),
    ("Esc", "close menus and this help"),
];

pub fn command(key: &str, with_modifier: bool) -> Option<KeyCommand> {
    if with_modifier {
        return None;
    }
    Some(match key {
        " " | "Spacebar" => KeyCommand::PlayPause,
        "." => KeyCommand::Step,
        "c" | "C" => KeyCommand::ClientRequest,
        "r" | "R" => KeyCommand::RestartLeader,
        "?" => KeyCommand::Help,
        "Escape" => KeyCommand::Close,
        _ => return None,
    })
}

/// True when the user is typing into a field, where shortcuts must not fire.
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    let text_input = tag == "input"
        && !matches!(
            el.get_attribute("type").as_deref(),
            Some("range" | "checkbox" | "button")
        );
    text_input || tag == "textarea" || tag == "select" || el.has_attribute("contenteditable")
}

/// A document-level key listener, removed when dropped.
pub struct KeyListener {
    closure: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
}

impl KeyListener {
    pub fn install(handler: impl Fn(KeyCommand) + 'static) -> Option<KeyListener> {
        let document = web_sys::window()?.document()?;
        let closure =
            Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if typing(&e) && e.key() != "Escape" {
                    return;
                }
                if let Some(cmd) = command(&e.key(), e.ctrl_key() || e.meta_key() || e.alt_key()) {
                    e.prevent_default();
                    handler(cmd);
                }
            });
        document
            .add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(KeyListener { closure })
    }
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            // Removing a listener that is gone already is harmless.
            let _ = document.remove_event_listener_with_callback(
                "keydown",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_commands() {
        assert_eq!(command(" ", false), Some(KeyCommand::PlayPause));
        assert_eq!(command(".", false), Some(KeyCommand::Step));
        assert_eq!(command("c", false), Some(KeyCommand::ClientRequest));
        assert_eq!(command("r", false), Some(KeyCommand::RestartLeader));
        assert_eq!(command("?", false), Some(KeyCommand::Help));
        assert_eq!(command("c", true), None, "ctrl-c copies, it does not send");
        assert_eq!(command("x", false), None);
    }
}
