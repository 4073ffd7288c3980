//! The locks panel: acquire and release forms (they send seed-API requests through the console
//! clients), the replicated lock table with fencing tokens and leases, and the wait-for graph.

use syncsim_core::lock::LockTableView;
use yew::prelude::*;

use super::api::Sent;
use super::fields::{select_setter, text_setter};
use crate::shell::handle::PgHandle;
use crate::shell::status::format_sim_time;
use syncsim_core::lock::api::{acquire_line, release_line};

#[derive(Properties, PartialEq)]
pub struct LocksPanelProps {
    pub pg: PgHandle,
    pub version: u64,
    pub playing: bool,
    pub on_sent: Callback<Sent>,
}

#[component]
pub fn LocksPanel(props: &LocksPanelProps) -> Html {
    let client = use_state(|| "A".to_string());
    let node = use_state(|| "leader".to_string());
    let resource = use_state(|| "db".to_string());
    let mode = use_state(|| "exclusive".to_string());
    let timeout = use_state(|| "10".to_string());
    let lock_id = use_state(String::new);

    let pg = props.pg.borrow();
    let table = pg.lock_table();
    let servers = pg.servers();
    let clients = pg.console_clients();
    let now = pg.now();
    let replica = table.replica.map(|r| pg.actor_label(r));
    drop(pg);

    let sender = |make: Box<dyn Fn() -> String>| {
        let (pg, client, node, on_sent, playing) = (
            props.pg.clone(),
            client.clone(),
            node.clone(),
            props.on_sent.clone(),
            props.playing,
        );
        Callback::from(move |_: MouseEvent| {
            let line = make();
            let sent = pg.borrow_mut().send(&client, &node, &line, !playing);
            on_sent.emit(sent);
        })
    };
    let on_acquire = {
        let (resource, mode, timeout) = (resource.clone(), mode.clone(), timeout.clone());
        sender(Box::new(move || acquire_line(&resource, &mode, &timeout)))
    };
    let on_release = {
        let (resource, lock_id) = (resource.clone(), lock_id.clone());
        sender(Box::new(move || release_line(&resource, &lock_id)))
    };

    html! {
        <section class="locks-panel" aria-label="Locks">
            <div class="lock-form">
                <label class="field"><span>{ "client" }</span>
                    <select data-testid="lock-client" onchange={select_setter(&client)}>
                        { for clients.iter().map(|c| html! { <option value={c.clone()} selected={*c == *client}>{ c }</option> }) }
                    </select>
                </label>
                <label class="field"><span>{ "via" }</span>
                    <select data-testid="lock-node" onchange={select_setter(&node)}>
                        <option value="leader" selected={*node == "leader"}>{ "leader" }</option>
                        { for (1..=servers).map(|k| { let v = format!("n{k}");
                            html! { <option value={v.clone()} selected={*node == v}>{ v.clone() }</option> } }) }
                    </select>
                </label>
                <label class="field"><span>{ "resource" }</span>
                    <input data-testid="lock-resource" type="text" size="8" value={(*resource).clone()} oninput={text_setter(&resource)} />
                </label>
                <label class="field"><span>{ "mode" }</span>
                    <select data-testid="lock-mode" onchange={select_setter(&mode)}>
                        <option value="exclusive" selected={*mode == "exclusive"}>{ "exclusive" }</option>
                        <option value="shared" selected={*mode == "shared"}>{ "shared" }</option>
                    </select>
                </label>
                <label class="field" title="How long to wait in the queue, in seconds (0 = fail at once with 409)">
                    <span>{ "wait (s)" }</span>
                    <input data-testid="lock-timeout" type="number" min="0" value={(*timeout).clone()} oninput={text_setter(&timeout)} />
                </label>
                <button data-testid="lock-acquire" class="primary" onclick={on_acquire}>{ "Acquire" }</button>
                <label class="field"><span>{ "lock id" }</span>
                    <input data-testid="lock-id" type="number" min="1" value={(*lock_id).clone()} oninput={text_setter(&lock_id)} />
                </label>
                <button data-testid="lock-release" class="secondary" onclick={on_release}>{ "Release" }</button>
            </div>
            <p class="panel-note">
                { "The forms send the same requests as the API console (see its history for the answers). " }
                { match replica { Some(r) => format!("The table below is the leader's ({r}) applied state."),
                                   None => "No leader right now: the table shows the most advanced replica.".into() } }
            </p>
            { lock_table(&table, now) }
            { wait_for_graph(&table) }
        </section>
    }
}

fn lock_table(table: &LockTableView, now: u64) -> Html {
    if table.rows.is_empty() {
        return html! { <p class="muted" data-testid="lock-table">{ "No lock has been taken yet." }</p> };
    }
    let rows = table.rows.iter().map(|row| {
        let holders = row.holders.iter().map(|h| {
            let left = h.expires_at.saturating_sub(now);
            let lease = if h.expires_at == 0 { "no lease".to_string() } else {
                format!("lease until {} ({} left)", format_sim_time(h.expires_at), format_sim_time(left))
            };
            html! {
                <li data-holder={h.client.clone()} data-lock-id={h.lock_id.to_string()} data-token={h.fencing_token.to_string()}>
                    <b>{ &h.client }</b>{ format!(" · lock {} · {} · ", h.lock_id, h.mode) }
                    <span class="token">{ format!("fencing token {}", h.fencing_token) }</span>
                    <span class="muted">{ format!(" · {lease}") }</span>
                </li>
            }
        });
        let waiters = row.waiters.iter().map(|w| html! {
            <li data-waiter={w.client.clone()}>{ format!("{} wants {} (since {})", w.client, w.mode, format_sim_time(w.since)) }</li>
        });
        html! {
            <tr data-resource={row.resource.clone()}>
                <td><code>{ &row.resource }</code></td>
                <td>{ row.mode.clone().unwrap_or_else(|| "free".into()) }</td>
                <td>if row.holders.is_empty() { <span class="muted">{ "none" }</span> } else { <ul>{ for holders }</ul> }</td>
                <td>if row.waiters.is_empty() { <span class="muted">{ "none" }</span> } else { <ol>{ for waiters }</ol> }</td>
            </tr>
        }
    });
    html! {
        <table class="lock-table" data-testid="lock-table">
            <thead><tr><th>{ "resource" }</th><th>{ "mode" }</th><th>{ "holders" }</th><th>{ "waiting (FIFO)" }</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// The wait-for graph: clients as dots on a row, an arrow from each waiter to each holder.
fn wait_for_graph(table: &LockTableView) -> Html {
    let mut names: Vec<&str> = Vec::new();
    for (w, h, _) in &table.wait_for {
        for n in [w.as_str(), h.as_str()] {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names.sort_unstable();
    if names.is_empty() {
        return html! {
            <div class="wait-for" data-testid="wait-for">
                <h3>{ "Wait-for graph" }</h3>
                <p class="muted">{ "Nobody waits for anybody: no deadlock possible." }</p>
            </div>
        };
    }
    let x = |n: &str| 40.0 + 110.0 * names.iter().position(|m| *m == n).unwrap_or(0) as f64;
    let width = 80.0 + 110.0 * (names.len() as f64 - 1.0);
    let edges = table.wait_for.iter().map(|(w, h, r)| {
        let (x1, x2) = (x(w), x(h));
        let mid = (x1 + x2) / 2.0;
        // Curves above for left-to-right, below for right-to-left, so opposite edges of a
        // deadlock cycle do not overlap.
        let bend = if x2 > x1 { 14.0 } else { 86.0 };
        html! {
            <g class="wf-edge" data-edge={format!("{w}-{h}")}>
                <path d={format!("M {x1} 50 Q {mid} {bend} {x2} 50")} marker-end="url(#wf-arrow)" />
                <text x={mid.to_string()} y={if x2 > x1 { "26" } else { "80" }}>{ r }</text>
            </g>
        }
    });
    let dots = names.iter().map(|n| html! {
        <g class="wf-node"><circle cx={x(n).to_string()} cy="50" r="15" /><text x={x(n).to_string()} y="55">{ *n }</text></g>
    });
    let list = table
        .wait_for
        .iter()
        .map(|(w, h, r)| html! { <li>{ format!("{w} waits for {h} on {r}") }</li> });
    html! {
        <div class="wait-for" data-testid="wait-for">
            <h3>{ "Wait-for graph" }</h3>
            <svg viewBox={format!("0 0 {width} 96")} width={width.to_string()} height="96" role="img" aria-label="Wait-for graph">
                <defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="24" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" /></marker></defs>
                { for edges }
                { for dots }
            </svg>
            <ul class="wf-list">{ for list }</ul>
        </div>
    }
}
