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

fn main() {
    panic::install();
    if let Some(page) = selftest::requested() {
        let props = selftest::SelfTestProps { page };
        yew::Renderer::<selftest::SelfTest>::with_props(props).render();
        return;
    }
    yew::Renderer::<app::App>::new().render();
}
