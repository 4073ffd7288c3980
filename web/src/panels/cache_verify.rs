//! The Cache tab's "Verify protocol" box: the exhaustive model check of the core
//! (`services::cache::model`) for the current protocol, optionally with one injected bug
//! (Vivio-style), with the states explored, the time it took in this browser, and any
//! counterexample as a step-by-step trace drawn as small grids.

use syncsim_core::services::cache::model::ModelResult;
use syncsim_core::services::cache::{Bug, Protocol};
use yew::prelude::*;

use crate::shell::clock::now_ms;
use crate::shell::handle::PgHandle;

#[derive(Properties, PartialEq)]
pub struct VerifyProps {
    pub pg: PgHandle,
    pub protocol: Protocol,
}

#[component]
pub fn VerifyPanel(props: &VerifyProps) -> Html {
    let bug = use_state(|| None::<Bug>);
    let result = use_state(|| None::<(ModelResult, f64)>);
    let on_bug = {
        let (bug, result) = (bug.clone(), result.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            bug.set(Bug::parse(&v));
            result.set(None);
        })
    };
    let on_verify = {
        let (pg, bug, result, protocol) = (props.pg.clone(), *bug, result.clone(), props.protocol);
        Callback::from(move |_: MouseEvent| {
            let t0 = now_ms();
            let r = pg.borrow().cache_verify(protocol, bug);
            result.set(Some((r, now_ms() - t0)));
        })
    };
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
            if let Some((r, ms)) = &*result { { verdict(r, *ms) } }
        </section>
    }
}

fn verdict(r: &ModelResult, ms: f64) -> Html {
    let summary = format!(
        "{} states, {} transitions explored in {:.0} ms ({} caches × {} lines, {})",
        r.states,
        r.transitions,
        ms,
        r.config.caches,
        r.config.lines,
        r.config.protocol.name()
    );
    html! {
        <div class={classes!("verify-result", r.verdict())} data-testid="verify-result"
            data-states={r.states.to_string()} data-verdict={r.verdict()} data-ms={format!("{ms:.0}")}>
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
