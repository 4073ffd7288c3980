//! The locks panel: acquire and release forms (they send seed-API requests through the console
//! clients), the replicated lock table with fencing tokens and leases, and the wait-for graph.

use yew::prelude::*;

use super::api::Sent;
use super::fields::{select_setter, text_setter};
use super::locks_tables as tables;
use crate::markup::raw;
use crate::shell::handle::PgHandle;
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
            { raw(tables::lock_table(&table, now)) }
            { raw(tables::wait_for_graph(&table)) }
        </section>
    }
}
