//! The page's panic banner (`syncsim_uikit::panic` shows it) names the seed that reproduces
//! the bug. The hook cannot reach Yew state, so the current settings live in thread-locals.

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

/// Installs the page's hook: the banner names the seed and node count that reproduce the bug.
pub fn install() {
    syncsim_uikit::panic::install(|message| {
        banner_text(message, SEED.with(Cell::get), NODES.with(Cell::get))
    });
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
