//! Hidden self-test and speed pages for the browser build:
//! - `?selftest=kernel` shows the golden trace hashes (kernel echo scenario and a whole
//!   playground scenario) so the end-to-end tests can compare them with the native values;
//! - `?bench=kernel` times the simulator on the 5-node echo cluster and shows events per wall
//!   second and simulated seconds per wall second.
//!
//! The playground scenario runs here, in the page's own build. The echo cluster is a simulator
//! instance the page never runs otherwise, so both echo figures come from the page's lab
//! worker (`shell/checks.rs`), which keeps that instance out of the page's `.wasm` (issue 10).
//! Each figure's element appears only with its value.

use syncsim_core::base::decimal::Fixed;
use syncsim_core::playground::golden_playground;
use syncsim_core::sim::SEC;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::shell::checks;

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

/// Events the speed page runs.
const EVENTS: u64 = 2_000_000;

/// What the lab's export `name` answers, once it arrives: `None` until then.
#[hook]
fn use_lab_answer(name: &'static str, args: Vec<JsValue>) -> Option<Result<(String, f64), String>> {
    let answer = use_state(|| None);
    {
        let answer = answer.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let a = checks::call(name, args).await;
                answer.set(Some(a.map(|a| (a.text, a.ms))));
            });
        });
    }
    (*answer).clone()
}

#[component]
fn GoldenPage() -> Html {
    let kernel = use_lab_answer("golden_kernel", Vec::new());
    let playground = golden_playground();
    html! {
        <main class="selftest">
            <h1>{ "syncsim self-test" }</h1>
            <p>{ "Golden trace hashes; the native test suite checks the same values." }</p>
            <dl>
                <dt>{ "kernel (echo scenario, in the page's lab worker)" }</dt>
                { match kernel {
                    None => html! { <dd>{ "computing…" }</dd> },
                    Some(Ok((hash, _))) => html! { <dd data-testid="golden-kernel">{ hash }</dd> },
                    Some(Err(e)) => html! { <dd class="error">{ format!("the lab worker could not run: {e}") }</dd> },
                } }
                <dt>{ "playground (Raft + locks scenario)" }</dt>
                <dd data-testid="golden-playground">{ playground }</dd>
            </dl>
        </main>
    }
}

#[component]
fn SpeedPage() -> Html {
    let answer = use_lab_answer("bench_kernel", vec![JsValue::from(EVENTS as f64)]);
    let figures = match answer {
        None => html! { <p>{ "running…" }</p> },
        Some(Err(e)) => {
            html! { <p class="error">{ format!("the lab worker could not run: {e}") }</p> }
        }
        Some(Ok((text, ms))) => {
            // "[events done, simulated µs]"
            let mut numbers = text.trim_matches(['[', ']']).split(',');
            let mut number = || {
                numbers
                    .next()
                    // Not `str::parse`, whose 10 KB table the page would carry (`base::float`).
                    .and_then(syncsim_core::base::float::parse_f64)
                    .unwrap_or(0.0)
            };
            let (events, simulated) = (number(), number());
            let wall_ms = ms.max(0.001);
            let per_s = events / (wall_ms / 1000.0);
            let ratio = (simulated / SEC as f64) / (wall_ms / 1000.0);
            html! {
                <p data-testid="bench-kernel"
                   data-events={ Fixed(events, 0).to_string() }
                   data-wall-ms={ Fixed(wall_ms, 1).to_string() }
                   data-events-per-s={ Fixed(per_s, 0).to_string() }
                   data-sim-ratio={ Fixed(ratio, 1).to_string() }>
                    { format!("{events} events in {wall_ms} ms: {} M events/s, {ratio} simulated s per wall s", Fixed(per_s / 1e6, 2), events = Fixed(events, 0), wall_ms = Fixed(wall_ms, 1), ratio = Fixed(ratio, 0)) }
                </p>
            }
        }
    };
    html! {
        <main class="selftest">
            <h1>{ "syncsim simulator speed (5-node echo cluster, in a Web Worker)" }</h1>
            { figures }
        </main>
    }
}

#[component]
pub fn SelfTest(props: &SelfTestProps) -> Html {
    match props.page.as_str() {
        "selftest=kernel" => html! { <GoldenPage /> },
        "bench=kernel" => html! { <SpeedPage /> },
        other => html! {
            <main class="selftest">
                <p class="error">{ format!("unknown hidden page `{other}`: use ?selftest=kernel or ?bench=kernel") }</p>
            </main>
        },
    }
}
