//! The syncsim playground (Yew, client-side rendering). It renders the core's `Playground`
//! facade and sends it actions; all protocol logic lives in `syncsim-core`.

mod app;
mod cluster;
mod controls;
mod legend;
mod panic;
mod runloop;
mod speed;
mod status;
mod url;

fn main() {
    panic::install();
    yew::Renderer::<app::App>::new().render();
}
