//! The syncsim playground (Yew, client-side rendering). It renders the core's `Playground`
//! facade and sends it actions; all protocol logic lives in `syncsim-core`.

mod cluster;
mod palette;
mod panels;
mod selftest;
mod shell;

// One copy of these helpers for the page and the Benchmarks tab (`benchtab/`).
use syncsim_uikit::markup;

use shell::{app, panic};

// talc instead of the default dlmalloc: 2.4 KB gzipped less of the page's .wasm (issue 10,
// docs/size.md), with the playground's simulator as fast in Chromium (`?bench=kernel`: 3.6 to
// 4.3 M events/s against 3.8 to 4.0 with dlmalloc, within the run-to-run noise) and 60 fps kept.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    panic::install();
    if let Some(page) = selftest::requested() {
        let props = selftest::SelfTestProps { page };
        yew::Renderer::<selftest::SelfTest>::with_props(props).render();
        return;
    }
    yew::Renderer::<app::App>::new().render();
}
