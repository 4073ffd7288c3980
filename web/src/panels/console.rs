//! The API console: send the seed system's HTTP requests (`POST /lock/acquire {...}`) as one of
//! the console clients to a chosen node, and read the status code and JSON answer once the
//! simulated request completes.

use syncsim_core::playground::ApiExchange;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::api::Sent;
use crate::shell::handle::PgHandle;
use crate::shell::status::format_sim_time;
use syncsim_core::lock::api::json_string;
use syncsim_core::playground::find_exchange;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub pg: PgHandle,
    pub version: u64,
    pub playing: bool,
    pub last_sent: Option<Sent>,
    pub on_sent: Callback<Sent>,
}

fn status_class(status: Option<u16>) -> &'static str {
    match status {
        None => "pending",
        Some(s) if s < 300 => "ok",
        Some(s) if s < 500 => "client-error",
        Some(_) => "server-error",
    }
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let client = use_state(|| "A".to_string());
    let node = use_state(|| "leader".to_string());
    let line = use_state(String::new);

    let pg = props.pg.borrow();
    let exchanges = pg.api_exchanges();
    let servers = pg.servers();
    let clients = pg.console_clients();
    let leader = pg.leader().map(|l| pg.actor_label(l));
    let examples = pg.api_examples(&client);
    drop(pg);

    let send = {
        let (pg, client, node, line, on_sent, playing) = (
            props.pg.clone(),
            client.clone(),
            node.clone(),
            line.clone(),
            props.on_sent.clone(),
            props.playing,
        );
        move || {
            let sent = pg.borrow_mut().send(&client, &node, &line, !playing);
            on_sent.emit(sent);
        }
    };
    let on_send = {
        let send = send.clone();
        Callback::from(move |_: MouseEvent| send())
    };
    let on_keydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            e.prevent_default();
            send();
        }
    });
    let on_input = {
        let line = line.clone();
        Callback::from(move |e: InputEvent| {
            line.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_client = {
        let client = client.clone();
        Callback::from(move |e: Event| {
            client.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_node = {
        let node = node.clone();
        Callback::from(move |e: Event| {
            node.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };

    let output = match &props.last_sent {
        None => html! {
            <div class="api-output empty" data-testid="api-output" data-status="">
                { "Send a request to see the node's answer here." }
            </div>
        },
        Some(Sent::Rejected {
            line,
            status,
            message,
        }) => html! {
            <div class="api-output client-error" data-testid="api-output" data-status={status.to_string()}>
                <div class="api-line"><span class="status-badge client-error">{ status }</span><code>{ line }</code></div>
                <pre>{ format!("{{\n  \"error\": {}\n}}", json_string(message)) }</pre>
            </div>
        },
        Some(Sent::Accepted {
            client,
            ticket,
            line,
        }) => {
            let ex = find_exchange(&exchanges, client, *ticket, line);
            let status = ex.and_then(|e| e.status);
            let class = status_class(status);
            html! {
                <div class={classes!("api-output", class)} data-testid="api-output"
                    data-status={status.map_or_else(|| "pending".to_string(), |s| s.to_string())}>
                    <div class="api-line">
                        <span class={classes!("status-badge", class)}>{ status.map_or_else(|| "…".to_string(), |s| s.to_string()) }</span>
                        <code>{ format!("{client}: {line}") }</code>
                    </div>
                    if let Some(body) = ex.and_then(|e| e.body.clone()) {
                        <pre data-testid="api-body">{ body }</pre>
                    } else {
                        <p class="pending-note">{ "pending: the request travels through the simulated network; press play (or step) to let it finish." }</p>
                    }
                </div>
            }
        }
    };

    let history = exchanges.iter().rev().take(40).map(|e: &ApiExchange| {
        let class = status_class(e.status);
        html! {
            <tr data-client={e.client.clone()} data-ticket={e.ticket.to_string()}
                data-status={e.status.map_or_else(|| "pending".to_string(), |s| s.to_string())}>
                <td class="num">{ format_sim_time(e.invoked) }</td>
                <td>{ format!("{} → n{}", e.client, e.node + 1) }</td>
                <td><code>{ &e.request }</code></td>
                <td><span class={classes!("status-badge", class)}>{ e.status.map_or_else(|| "…".to_string(), |s| s.to_string()) }</span></td>
            </tr>
        }
    });

    let example_buttons = examples.into_iter().map(|ex| {
        let (label, text) = (ex.label, ex.line);
        let line = line.clone();
        let title = text.clone();
        let onclick = Callback::from(move |_: MouseEvent| line.set(text.clone()));
        html! { <button class="chip" {title} {onclick}>{ label }</button> }
    });

    html! {
        <section class="console-panel" aria-label="API console">
            <div class="console-form">
                <label class="field"><span>{ "as client" }</span>
                    <select data-testid="api-client" onchange={on_client}>
                        { for clients.iter().map(|c| html! { <option value={c.clone()} selected={*c == *client}>{ c }</option> }) }
                    </select>
                </label>
                <label class="field"><span>{ "to node" }</span>
                    <select data-testid="api-node" onchange={on_node}>
                        <option value="leader" selected={*node == "leader"}>
                            { format!("the leader ({})", leader.unwrap_or_else(|| "none yet".into())) }
                        </option>
                        { for (1..=servers).map(|k| {
                            let v = format!("n{k}");
                            html! { <option value={v.clone()} selected={*node == v}>{ v.clone() }</option> }
                        }) }
                    </select>
                </label>
            </div>
            <div class="console-input">
                <input data-testid="api-input" type="text" spellcheck="false" autocomplete="off"
                    placeholder={r#"POST /lock/acquire {"resource":"db","mode":"exclusive"}"#}
                    value={(*line).clone()} oninput={on_input} onkeydown={on_keydown} />
                <button data-testid="api-send" class="primary" onclick={on_send}>{ "Send" }</button>
            </div>
            <div class="examples"><span class="muted">{ "Try: " }</span>{ for example_buttons }</div>
            { output }
            <h3>{ "History" }</h3>
            <div class="history-wrap">
                <table class="history" data-testid="api-history">
                    <thead><tr><th>{ "sent at" }</th><th>{ "from → to" }</th><th>{ "request" }</th><th>{ "status" }</th></tr></thead>
                    <tbody>
                        if exchanges.is_empty() {
                            <tr><td colspan="4" class="muted">{ "No request sent yet." }</td></tr>
                        }
                        { for history }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
