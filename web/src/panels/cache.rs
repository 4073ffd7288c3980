//! The Cache tab: the key × node grid of MESI/MOESI states (coloured, the last transition
//! highlighted), memory per key (greyed when stale), the statistics, the transaction log in
//! textbook terms, preset workloads sent step by step through the console, the protocol switch
//! and the side-by-side comparison. The model check lives in `cache_verify.rs`. Everything it
//! shows or sends comes from the core (`Playground::cache_view`, `cache_preset_lines`, …).

use syncsim_core::services::cache::presets::Preset;
use syncsim_core::services::cache::{PresetLine, Protocol};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::api::Sent;
use super::cache_tables as tables;
use super::cache_verify::VerifyPanel;
use crate::markup::raw;
use crate::shell::checks;
use crate::shell::handle::PgHandle;

#[derive(Properties, PartialEq)]
pub struct CachePanelProps {
    pub pg: PgHandle,
    pub version: u64,
    pub playing: bool,
    pub on_sent: Callback<Sent>,
}

/// The console client the tab sends as.
const CLIENT: &str = "A";

fn protocol_of(s: &str) -> Protocol {
    Protocol::parse(s).unwrap_or_default()
}

#[component]
pub fn CachePanel(props: &CachePanelProps) -> Html {
    let preset = use_state(|| Preset::Table13);
    // Index of the next preset line to send (0: the reset), and the lines themselves.
    let next = use_state(|| 0usize);
    let lines = use_state(Vec::<PresetLine>::new);
    // The side-by-side comparison: `Some(Ok(vec![]))` while the lab worker runs it.
    let compare = use_state(|| None::<Result<Vec<tables::Compared>, String>>);
    let write_through = use_state(|| false);

    let view = props.pg.borrow().cache_view();
    let protocol = protocol_of(&view.protocol);

    let send = {
        let (pg, on_sent, playing) = (props.pg.clone(), props.on_sent.clone(), props.playing);
        move |node: &str, line: &str| {
            let sent = pg.borrow_mut().send(CLIENT, node, line, !playing);
            on_sent.emit(sent);
        }
    };
    let load = |p: Preset, proto: Protocol, wt: bool| {
        let (pg, lines, next, send) = (props.pg.clone(), lines.clone(), next.clone(), send.clone());
        move || {
            let ls = pg.borrow().cache_preset_lines(p, proto, wt);
            if let Some(first) = ls.first() {
                send(&first.node, &first.line);
            }
            next.set(1);
            lines.set(ls);
        }
    };
    let on_protocol = {
        let (preset, wt) = (*preset, *write_through);
        let load_mesi = load(preset, Protocol::Mesi, wt);
        let load_moesi = load(preset, Protocol::Moesi, wt);
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if protocol_of(&v) == Protocol::Moesi {
                load_moesi()
            } else {
                load_mesi()
            }
        })
    };
    let on_preset = {
        let (preset, compare) = (preset.clone(), compare.clone());
        let (next, lines) = (next.clone(), lines.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some(p) = Preset::parse(&v) {
                preset.set(p);
                compare.set(None);
                next.set(0);
                lines.set(Vec::new());
            }
        })
    };
    let on_wt = {
        let write_through = write_through.clone();
        Callback::from(move |e: Event| {
            write_through.set(
                e.target_unchecked_into::<web_sys::HtmlInputElement>()
                    .checked(),
            );
        })
    };
    let on_load = {
        let l = load(*preset, protocol, *write_through);
        Callback::from(move |_: MouseEvent| l())
    };
    let step_one = {
        let (lines, next, send) = (lines.clone(), next.clone(), send.clone());
        move || {
            if let Some(l) = lines.get(*next) {
                send(&l.node, &l.line);
                next.set(*next + 1);
            }
        }
    };
    let on_step = {
        let s = step_one.clone();
        Callback::from(move |_: MouseEvent| s())
    };
    let on_all = {
        let (lines, next, send) = (lines.clone(), next.clone(), send.clone());
        Callback::from(move |_: MouseEvent| {
            for l in lines.iter().skip(*next) {
                send(&l.node, &l.line);
            }
            next.set(lines.len());
        })
    };
    let on_compare = {
        let (compare, preset) = (compare.clone(), *preset);
        Callback::from(move |_: MouseEvent| {
            compare.set(Some(Ok(Vec::new())));
            let compare = compare.clone();
            let args = vec![JsValue::from(preset.key())];
            wasm_bindgen_futures::spawn_local(async move {
                let answer = checks::call("cache_compare", args).await;
                compare.set(Some(answer.and_then(|a| tables::compared(&a.json()?))));
            });
        })
    };

    let done = *next >= lines.len();
    html! {
        <section class="cache-panel" data-testid="cache-panel" aria-label="Cache coherence"
            data-protocol={view.protocol.clone()}>
            <div class="cache-controls">
                <label class="field"><span>{ "protocol" }</span>
                    <select data-testid="cache-protocol" onchange={on_protocol}
                        title="Switching starts a fresh run (every cache and memory emptied) under the other table">
                        { for ["MESI", "MOESI"].iter().map(|p| html! {
                            <option value={*p} selected={view.protocol == *p}>{ *p }</option> }) }
                    </select>
                </label>
                <label class="field" title="Write-through: a write is acknowledged only once memory has it (closes the write-back window)">
                    <input type="checkbox" data-testid="cache-write-through" checked={*write_through} onchange={on_wt} />
                    <span>{ "write-through" }</span>
                </label>
                <label class="field"><span>{ "preset" }</span>
                    <select data-testid="cache-preset" onchange={on_preset}>
                        { for Preset::ALL.iter().map(|p| html! {
                            <option value={p.key()} selected={*preset == *p}>{ p.label() }</option> }) }
                    </select>
                </label>
                <button data-testid="cache-load" class="primary" onclick={on_load}>{ "Load" }</button>
                <button data-testid="cache-step" class="secondary" disabled={done} onclick={on_step}>{ "Next step" }</button>
                <button data-testid="cache-run-all" class="secondary" disabled={done} onclick={on_all}>{ "Run all" }</button>
                <button data-testid="cache-compare" class="secondary" onclick={on_compare}>{ "MESI vs MOESI" }</button>
            </div>
            <p class="panel-note">{ preset.explain() }{ " Load resets every cache under the chosen protocol and puts the line's value 0 in memory at its home; each step is a console request to that node." }</p>
            { raw(tables::steps_list(&lines, *next)) }
            { raw(tables::grid(&view)) }
            { raw(tables::stats(&view)) }
            { match &*compare {
                None => Html::default(),
                Some(Ok(runs)) if runs.is_empty() => html! {
                    <p class="panel-note" data-testid="cache-compare-running">{ "Replaying the preset under both tables…" }</p> },
                Some(Ok(runs)) => raw(tables::side_by_side(*preset, runs)),
                Some(Err(why)) => html! {
                    <p class="panel-note" data-testid="cache-compare-failed">{ format!("The comparison could not run: {why}") }</p> },
            } }
            if !view.log.is_empty() {
                <div class="cache-log-wrap">{ raw(tables::log(&view.log)) }</div>
            }
            <VerifyPanel protocol={protocol} />
        </section>
    }
}
