//! The Cache tab: the key × node grid of MESI/MOESI states (coloured, the last transition
//! highlighted), memory per key (greyed when stale), the statistics, the transaction log in
//! textbook terms, preset workloads sent step by step through the console, the protocol switch
//! and the side-by-side comparison. The model check lives in `cache_verify.rs`. Everything it
//! shows or sends comes from the core (`Playground::cache_view`, `cache_preset_lines`, …).

use syncsim_core::services::cache::presets::{Preset, SideRun};
use syncsim_core::services::cache::{CacheKeyRow, CacheLogRow, CacheView, PresetLine, Protocol};
use yew::prelude::*;

use super::api::Sent;
use super::cache_verify::VerifyPanel;
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
    let compare = use_state(|| None::<Vec<SideRun>>);
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
        let (pg, compare, preset) = (props.pg.clone(), compare.clone(), *preset);
        Callback::from(move |_: MouseEvent| {
            compare.set(Some(pg.borrow().cache_side_by_side(preset)))
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
            { steps_list(&lines, *next) }
            { grid(&view) }
            { stats(&view) }
            if let Some(runs) = &*compare { { side_by_side(*preset, runs) } }
            { log(&view.log) }
            <VerifyPanel pg={props.pg.clone()} protocol={protocol} />
        </section>
    }
}

fn steps_list(lines: &[PresetLine], next: usize) -> Html {
    if lines.is_empty() {
        return html! {};
    }
    html! {
        <ol class="cache-steps" data-testid="cache-steps" data-next={next.to_string()}>
            { for lines.iter().enumerate().map(|(i, l)| html! {
                <li data-step={i.to_string()} class={classes!((i < next).then_some("done"), (i == next).then_some("current"))}
                    title={l.line.clone()}>
                    <b>{ &l.label }</b><span class="via">{ format!(" @{}", l.node) }</span>
                </li> }) }
        </ol>
    }
}

fn grid(view: &CacheView) -> Html {
    if view.keys.is_empty() {
        return html! { <p class="muted" data-testid="cache-grid">{ "No key cached yet: load a preset, or send POST /cache/set from the console." }</p> };
    }
    let head = view.nodes.iter().map(|n| html! {
        <th scope="col" class={classes!("node", (n.state != "up").then_some("down"))} title={format!("{} ({}): {} of {} lines", n.name, n.state, n.entries, n.capacity)}>
            { &n.name }{ if n.state != "up" { html! { <small>{ format!(" {}", n.state) }</small> } } else { html! {} } }
        </th> });
    html! {
        <table class="cache-grid" data-testid="cache-grid">
            <caption>{ format!("{} · {} · rows: keys, columns: the node caches", view.protocol,
                if view.write_through { "write-through" } else { "write-back" }) }</caption>
            <thead><tr><th scope="col">{ "key" }</th><th scope="col">{ "home" }</th><th scope="col">{ "memory" }</th>{ for head }</tr></thead>
            <tbody>{ for view.keys.iter().map(row) }</tbody>
        </table>
    }
}

fn row(r: &CacheKeyRow) -> Html {
    let mem = match (&r.memory, r.memory_version) {
        (Some(v), Some(ver)) => format!("{v} (#{ver})"),
        _ => "–".into(),
    };
    let mem_title = if r.stale {
        "stale: an M or O copy holds a newer value and owes the write-back"
    } else {
        "up to date"
    };
    html! {
        <tr data-cache-row={r.key.clone()} class={classes!(r.busy.then_some("busy"))}>
            <th scope="row" class="key">{ &r.key }</th>
            <td class="home">{ &r.home }</td>
            <td class={classes!("memory", r.stale.then_some("stale"))} data-cache-memory={r.key.clone()}
                data-stale={r.stale.to_string()} title={mem_title}>{ mem }</td>
            { for r.cells.iter().map(|c| {
                let title = match (&c.value, c.version) {
                    (Some(v), Some(ver)) => format!("{} holds {} = {v} (version #{ver}) in {}", c.name, r.key, c.state),
                    _ => format!("{} holds no copy of {} (I)", c.name, r.key),
                };
                html! {
                    <td class={classes!("cell", format!("st-{}", c.state), c.changed.then_some("changed"), c.pending.then_some("pending"))}
                        data-cache-key={r.key.clone()} data-cache-node={c.name.clone()} data-state={c.state.clone()} {title}>
                        <span class="letter">{ &c.state }</span>
                        if let Some(v) = &c.value { <span class="val">{ v }</span> }
                    </td>
                }
            }) }
        </tr>
    }
}

fn stats(view: &CacheView) -> Html {
    let t = &view.totals;
    let items: [(&str, String, &str); 13] = [
        (
            "hit rate",
            format!("{:.1} %", view.hit_rate * 100.0),
            "hits / (hits + misses)",
        ),
        (
            "hits",
            t.hits.to_string(),
            "reads and writes served by the local copy",
        ),
        (
            "misses",
            t.misses.to_string(),
            "accesses that needed a bus transaction (an S/O write counts: BusUpgr)",
        ),
        (
            "write-backs",
            t.write_backs.to_string(),
            "memory written with a cache's dirty data",
        ),
        (
            "invalidations",
            t.invalidations.to_string(),
            "copies sent to I by a snoop",
        ),
        (
            "interventions",
            t.interventions.to_string(),
            "E/M → S, or M → O, on a snooped BusRd",
        ),
        (
            "cache-to-cache",
            t.cache_to_cache.to_string(),
            "transactions whose data came from another cache",
        ),
        (
            "memory reads",
            t.memory_reads.to_string(),
            "transactions whose data came from memory",
        ),
        ("evictions", t.evictions.to_string(), "LRU victims"),
        ("expirations", t.expirations.to_string(), "TTL expiries"),
        (
            "BusRd / BusRdX / BusUpgr",
            format!("{} / {} / {}", t.bus_rd, t.bus_rdx, t.bus_upgr),
            "bus requests, as directory transactions",
        ),
        (
            "Flush / FlushOpt",
            format!("{} / {}", t.flush, t.flush_opt),
            "dirty data sent / clean cache-to-cache supplies",
        ),
        (
            "directory messages",
            format!("{} ({} B)", t.messages, t.bytes),
            "coherence messages on the simulated network",
        ),
    ];
    // Its own wide row, amber once a write is lost: an outcome of its own, not a counter.
    let lost = html! {
        <div class={classes!("wide", (view.lost > 0).then_some("lost"))}
            title="an M/O owner crashed before its write-back: its last write is gone, memory's value survives">
            <dt>{ "writes lost in the write-back window" }</dt>
            <dd>{ format!("{} ({} acknowledged)", view.lost, view.lost_acked) }</dd>
        </div>
    };
    html! {
        <dl class="cache-stats" data-testid="cache-stats" data-write-backs={t.write_backs.to_string()}
            data-hits={t.hits.to_string()} data-misses={t.misses.to_string()} data-lost={view.lost.to_string()}>
            { for items.iter().map(|(k, v, help)| html! {
                <div title={*help}><dt>{ *k }</dt><dd>{ v }</dd></div> }) }
            { lost }
        </dl>
    }
}

/// One row of the side-by-side table: how to read it from a run.
type RunField = fn(&SideRun) -> String;

fn side_by_side(preset: Preset, runs: &[SideRun]) -> Html {
    let rows: [(&str, RunField); 6] = [
        ("memory write-backs", |r| r.stats.write_backs.to_string()),
        ("cache-to-cache", |r| r.stats.cache_to_cache.to_string()),
        ("memory reads", |r| r.stats.memory_reads.to_string()),
        ("invalidations", |r| r.stats.invalidations.to_string()),
        ("directory messages", |r| r.stats.messages.to_string()),
        ("final P1 P2 P3", |r| r.final_states.join(" ")),
    ];
    html! {
        <table class="cache-compare" data-testid="cache-compare-table">
            <caption>{ format!("{} on a fresh 4-node world, under both tables", preset.label()) }</caption>
            <thead><tr><th></th>{ for runs.iter().map(|r| html! { <th scope="col">{ r.protocol.name() }</th> }) }</tr></thead>
            <tbody>{ for rows.iter().map(|(name, f)| html! {
                <tr><th scope="row">{ *name }</th>{ for runs.iter().map(|r| html! { <td data-protocol={r.protocol.name()}>{ f(r) }</td> }) }</tr> }) }
            </tbody>
        </table>
    }
}

fn log(rows: &[CacheLogRow]) -> Html {
    if rows.is_empty() {
        return html! {};
    }
    html! {
        <div class="cache-log-wrap">
            <table class="cache-log" data-testid="cache-log">
                <caption>{ "Transactions, newest first" }</caption>
                <thead><tr>
                    <th scope="col">{ "t (ms)" }</th><th scope="col">{ "key" }</th><th scope="col">{ "processor" }</th>
                    <th scope="col">{ "bus / directory" }</th><th scope="col">{ "transitions" }</th>
                    <th scope="col">{ "data from" }</th><th scope="col">{ "memory" }</th><th scope="col">{ "value" }</th>
                </tr></thead>
                <tbody>{ for rows.iter().map(|r| html! {
                    <tr data-bus={r.bus.clone()}>
                        <td class="t">{ format!("{:.1}", r.t_ms) }</td><td>{ &r.key }</td><td>{ &r.processor }</td>
                        <td class="bus">{ &r.bus }</td><td class="tr">{ r.transitions.join(", ") }</td>
                        <td>{ &r.supplier }</td><td>{ &r.memory }</td><td class="val">{ &r.value }</td>
                    </tr> }) }
                </tbody>
            </table>
        </div>
    }
}
