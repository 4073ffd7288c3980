//! Turns a panic into a readable banner (with the seed that reproduces it) instead of a dead
//! page. The hook cannot reach Yew state, so the current settings live in thread-locals.

use std::cell::Cell;

use syncsim_core::playground::PlaygroundConfig;

thread_local! {
    static SEED: Cell<u64> = const { Cell::new(0) };
    static NODES: Cell<usize> = const { Cell::new(0) };
}

/// Records the settings the banner should print. Call it whenever the playground is rebuilt.
pub fn remember(config: &PlaygroundConfig) {
    SEED.with(|s| s.set(config.seed));
    NODES.with(|n| n.set(config.nodes));
}

/// The banner text for a panic message (pure, so it is tested natively).
pub fn banner_text(message: &str, seed: u64, nodes: usize) -> String {
    format!(
        "syncsim stopped because of a bug: {message}. \
         It is reproducible: open ?seed={seed}&nodes={nodes} and repeat the same actions. \
         Reload the page to start again."
    )
}

/// Installs the hook (through `std::panic::set_hook`). Yew's renderer installs its own
/// console-only hook unless one was registered with `yew::set_custom_panic_hook`, hence that call.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
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
        let banner = banner_text(
            &format!("{text}{place}"),
            SEED.with(Cell::get),
            NODES.with(Cell::get),
        );
        show(&banner);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_names_the_message_and_the_seed() {
        let text = banner_text("index out of bounds", 42, 7);
        assert!(text.contains("index out of bounds"));
        assert!(text.contains("?seed=42&nodes=7"));
    }

    #[test]
    fn remembered_settings_are_read_back() {
        let config = PlaygroundConfig {
            seed: 5,
            nodes: 3,
            ..PlaygroundConfig::default()
        };
        remember(&config);
        assert_eq!(SEED.with(Cell::get), 5);
        assert_eq!(NODES.with(Cell::get), 3);
    }
}
