//! Hidden self-test and speed pages for the browser build:
//! - `?selftest=kernel` shows the golden trace hashes (kernel echo scenario and a whole
//!   playground scenario) so the end-to-end tests can compare them with the native values;
//! - `?bench=kernel` times the simulator on the 5-node echo cluster and shows events per wall
//!   second and simulated seconds per wall second.

use syncsim_core::playground::golden_playground;
use syncsim_core::sim::{echo, SEC};
use yew::prelude::*;

use crate::shell::clock::now_ms;

/// Which hidden page the URL asks for, if any.
pub fn requested() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    if let Some(v) = params.get("selftest") {
        return Some(format!("selftest={v}"));
    }
    params.get("bench").map(|v| format!("bench={v}"))
}

#[derive(Properties, PartialEq)]
pub struct SelfTestProps {
    pub page: String,
}

#[component]
pub fn SelfTest(props: &SelfTestProps) -> Html {
    match props.page.as_str() {
        "selftest=kernel" => {
            let kernel = echo::golden_scenario();
            let playground = golden_playground();
            html! {
                <main class="selftest">
                    <h1>{ "syncsim self-test" }</h1>
                    <p>{ "Golden trace hashes; the native test suite checks the same values." }</p>
                    <dl>
                        <dt>{ "kernel (echo scenario)" }</dt>
                        <dd data-testid="golden-kernel">{ kernel }</dd>
                        <dt>{ "playground (Raft + locks scenario)" }</dt>
                        <dd data-testid="golden-playground">{ playground }</dd>
                    </dl>
                </main>
            }
        }
        "bench=kernel" => {
            const EVENTS: u64 = 2_000_000;
            let t0 = now_ms();
            let (events, simulated) = echo::bench_echo(EVENTS);
            let wall_ms = (now_ms() - t0).max(0.001);
            let per_s = events as f64 / (wall_ms / 1000.0);
            let ratio = (simulated as f64 / SEC as f64) / (wall_ms / 1000.0);
            html! {
                <main class="selftest">
                    <h1>{ "syncsim simulator speed (5-node echo cluster)" }</h1>
                    <p data-testid="bench-kernel"
                       data-events={ events.to_string() }
                       data-wall-ms={ format!("{wall_ms:.1}") }
                       data-events-per-s={ format!("{per_s:.0}") }
                       data-sim-ratio={ format!("{ratio:.1}") }>
                        { format!("{events} events in {wall_ms:.1} ms: {:.2} M events/s, {ratio:.0} simulated s per wall s", per_s / 1e6) }
                    </p>
                </main>
            }
        }
        other => html! {
            <main class="selftest">
                <p class="error">{ format!("unknown hidden page `{other}`: use ?selftest=kernel or ?bench=kernel") }</p>
            </main>
        },
    }
}
