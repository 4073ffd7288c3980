//! The syncsim playground (Yew, client-side rendering). It renders the core's `Playground`
//! facade and sends it actions; all protocol logic lives in `syncsim-core`.

mod api;
mod app;
mod bench_panel;
mod cluster;
mod console;
mod controls;
mod download;
mod event_log;
mod handle;
mod help;
mod invariants;
mod keyboard;
mod legend;
mod locks_panel;
mod node_menu;
mod palette;
mod panic;
mod raft_panel;
mod runloop;
mod selftest;
mod share;
mod side_panel;
mod speed;
mod status;
mod timebar;
mod url;
mod zip;

fn main() {
    panic::install();
    if let Some(page) = selftest::requested() {
        let props = selftest::SelfTestProps { page };
        yew::Renderer::<selftest::SelfTest>::with_props(props).render();
        return;
    }
    yew::Renderer::<app::App>::new().render();
}
