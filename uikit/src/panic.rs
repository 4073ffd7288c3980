//! Turns a panic into a readable banner at the top of the page instead of a dead page. Each
//! module installs its own hook (a panic in one `.wasm` never reaches the other's) and says
//! what the banner should tell the user: the page names the seed that reproduces the bug.

/// Installs the hook (through `std::panic::set_hook`). Yew's renderer installs its own
/// console-only hook unless one was registered with `yew::set_custom_panic_hook`, hence that
/// call. `banner` turns the panic's message and place into the banner's text.
pub fn install(banner: fn(&str) -> String) {
    yew::set_custom_panic_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        show(&banner(&format!("{text}{place}")));
    }));
}

#[cfg(target_arch = "wasm32")]
fn show(banner: &str) {
    web_sys::console::error_1(&banner.into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(body), Ok(node)) = (document.body(), document.create_element("div")) else {
        return;
    };
    node.set_class_name("banner banner-panic");
    // Failing to decorate the banner still leaves its text readable.
    let _ = node.set_attribute("role", "alert");
    let _ = node.set_attribute("data-testid", "panic-banner");
    node.set_text_content(Some(banner));
    let _ = body.insert_before(&node, body.first_child().as_ref());
}

#[cfg(not(target_arch = "wasm32"))]
fn show(banner: &str) {
    eprintln!("{banner}");
}
