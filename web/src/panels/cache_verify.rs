//! The Cache tab's "Verify protocol" box: the exhaustive model check of the core
//! (`services::cache::model`) for the current protocol, optionally with one injected bug
//! (Vivio-style), with the states explored, the time it took in this browser, and any
//! counterexample as a step-by-step trace drawn as small grids. The check runs in the page's
//! lab worker (`shell/checks.rs`), so the page carries neither the checker nor a JSON reader
//! for its result: the browser parses it (`JSON.parse`), and it is read here field by field.

use js_sys::Array;
use syncsim_core::base::decimal::Fixed;
use syncsim_core::services::cache::{Bug, Protocol};
use syncsim_uikit::lab::{field, text};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::shell::checks;

#[derive(Properties, PartialEq)]
pub struct VerifyProps {
    pub protocol: Protocol,
}

/// What the box shows of a `ModelResult` (see `core::services::cache::model`).
#[derive(Clone, PartialEq, Debug)]
struct Verified {
    states: u64,
    transitions: u64,
    caches: u64,
    lines: u64,
    /// Milliseconds the check took in the worker.
    ms: f64,
    counterexample: Option<Counterexample>,
}

#[derive(Clone, PartialEq, Debug)]
struct Counterexample {
    invariant: String,
    detail: String,
    steps: Vec<Step>,
}

#[derive(Clone, PartialEq, Debug)]
struct Step {
    action: String,
    bus: String,
    states: Vec<Vec<String>>,
    memory_fresh: Vec<bool>,
}

fn items(v: &JsValue) -> Vec<JsValue> {
    Array::from(v).iter().collect()
}

fn number(v: &JsValue, name: &str) -> u64 {
    field(v, name).as_f64().unwrap_or(0.0) as u64
}

/// Reads the lab's answer (a `ModelResult` as JSON); an error names what it said instead.
fn read(answer: &checks::Answer) -> Result<Verified, String> {
    let r = answer.json()?;
    if let Some(e) = field(&r, "error").as_string() {
        return Err(e);
    }
    let config = field(&r, "config");
    let cx = field(&r, "counterexample");
    let counterexample = (!cx.is_null() && !cx.is_undefined()).then(|| Counterexample {
        invariant: text(&cx, "invariant"),
        detail: text(&cx, "detail"),
        steps: items(&field(&cx, "steps"))
            .iter()
            .map(|s| Step {
                action: text(s, "action"),
                bus: text(s, "bus"),
                states: items(&field(s, "states"))
                    .iter()
                    .map(|line| items(line).iter().filter_map(|st| st.as_string()).collect())
                    .collect(),
                memory_fresh: items(&field(s, "memory_fresh"))
                    .iter()
                    .map(|f| f.as_bool().unwrap_or(false))
                    .collect(),
            })
            .collect(),
    });
    Ok(Verified {
        states: number(&r, "states"),
        transitions: number(&r, "transitions"),
        caches: number(&config, "caches"),
        lines: number(&config, "lines"),
        ms: answer.ms,
        counterexample,
    })
}

/// Where the box stands: nothing asked, a check running, its result, or why it could not run.
#[derive(Clone, PartialEq)]
enum Shown {
    Nothing,
    Running,
    Done(Verified),
    Failed(String),
}

#[component]
pub fn VerifyPanel(props: &VerifyProps) -> Html {
    let bug = use_state(|| None::<Bug>);
    let result = use_state(|| Shown::Nothing);
    let on_bug = {
        let (bug, result) = (bug.clone(), result.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            bug.set(Bug::parse(&v));
            result.set(Shown::Nothing);
        })
    };
    let on_verify = {
        let (bug, result, protocol) = (*bug, result.clone(), props.protocol);
        Callback::from(move |_: MouseEvent| {
            result.set(Shown::Running);
            let result = result.clone();
            let args = vec![
                JsValue::from(protocol.name()),
                JsValue::from(bug.map_or("", |b| b.key())),
            ];
            wasm_bindgen_futures::spawn_local(async move {
                let answer = checks::call("cache_verify", args).await;
                result.set(match answer.and_then(|a| read(&a)) {
                    Ok(v) => Shown::Done(v),
                    Err(e) => Shown::Failed(e),
                });
            });
        })
    };
    let protocol = props.protocol;
    html! {
        <section class="cache-verify" aria-label="Verify the protocol">
            <h3>{ "Verify protocol" }</h3>
            <p class="panel-note">{ "Explores every interleaving of reads, writes and evictions by 3 caches on 2 lines, through the same transition functions the simulated nodes use, and checks every invariant after every step. Inject a bug to see which rule each one breaks." }</p>
            <div class="cache-controls">
                <label class="field"><span>{ "inject a bug" }</span>
                    <select data-testid="cache-bug" onchange={on_bug}>
                        <option value="" selected={bug.is_none()}>{ "none (the correct protocol)" }</option>
                        { for Bug::ALL.iter().map(|b| html! {
                            <option value={b.key()} selected={*bug == Some(*b)}>{ b.label() }</option> }) }
                    </select>
                </label>
                <button data-testid="verify-protocol" class="primary" onclick={on_verify}>
                    { format!("Verify {}", props.protocol.name()) }</button>
            </div>
            if let Some(b) = *bug { <p class="bug-rule">{ format!("Breaks: {}", b.rule()) }</p> }
            { match &*result {
                Shown::Nothing => Html::default(),
                Shown::Running => html! { <p class="panel-note" data-testid="verify-running">{ "Exploring every state…" }</p> },
                Shown::Done(r) => verdict(r, protocol),
                Shown::Failed(why) => html! {
                    <p class="panel-note" data-testid="verify-failed">{ format!("The check could not run: {why}") }</p> },
            } }
        </section>
    }
}

fn verdict(r: &Verified, protocol: Protocol) -> Html {
    let ms = r.ms;
    let verdict = if r.counterexample.is_some() {
        "violated"
    } else {
        "ok"
    };
    let summary = format!(
        "{} states, {} transitions explored in {} ms ({} caches × {} lines, {})",
        r.states,
        r.transitions,
        Fixed(ms, 0),
        r.caches,
        r.lines,
        protocol.name()
    );
    html! {
        <div class={classes!("verify-result", verdict)} data-testid="verify-result"
            data-states={r.states.to_string()} data-verdict={verdict} data-ms={Fixed(ms, 0).to_string()}>
            { match &r.counterexample {
                None => html! { <p><b>{ "✓ No violation. " }</b>{ summary }</p> },
                Some(cx) => html! {
                    <>
                        <p><b>{ format!("✗ {} violated. ", cx.invariant) }</b>{ &cx.detail }</p>
                        <p class="muted">{ summary }</p>
                        <ol class="cache-trace" data-testid="verify-trace">
                            { for cx.steps.iter().enumerate().map(|(i, s)| html! {
                                <li data-trace-step={i.to_string()}>
                                    <span class="act">{ format!("{} → {}", s.action, s.bus) }</span>
                                    <table class="mini-grid">
                                        { for s.states.iter().enumerate().map(|(l, line)| html! {
                                            <tr>
                                                <th>{ format!("line {l}") }</th>
                                                { for line.iter().map(|st| html! { <td class={format!("st-{st}")} data-state={st.clone()}>{ st }</td> }) }
                                                <td class={classes!("memory", (!s.memory_fresh[l]).then_some("stale"))}>
                                                    { if s.memory_fresh[l] { "mem ✓" } else { "mem stale" } }</td>
                                            </tr> }) }
                                    </table>
                                </li> }) }
                        </ol>
                    </>
                },
            } }
        </div>
    }
}
