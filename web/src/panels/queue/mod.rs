//! The Queue tab: the consistent-hash ring with the partitions and keys on it, the enqueue,
//! dequeue and ack forms (they send seed-API requests through the console clients), join and
//! leave buttons with what the last change moved, per-node and per-partition depth, delivery
//! counters, and the ring lab (vnode slider, modulo hashing).

mod depth;
pub mod geometry;
mod lab;
pub mod ring;

use syncsim_core::base::decimal::Fixed;
use syncsim_core::services::queue::lines::{
    ack_line, dequeue_line, enqueue_line, join_line, last_delivery, leave_line,
};
use syncsim_core::services::queue::{QueueView, RingChangeView};
use yew::prelude::*;

use syncsim_core::playground::Playground;

use super::api::Sent;
use super::fields::{select_setter, text_setter};
use crate::markup::{esc, raw};
use crate::shell::handle::PgHandle;

#[derive(Properties, PartialEq)]
pub struct QueuePanelProps {
    pub pg: PgHandle,
    pub version: u64,
    pub playing: bool,
    pub on_sent: Callback<Sent>,
}

/// "n5 left: moved 231/1000 keys (23.1 %), ideal 1/5 = 20.0 % · …".
fn change_summary(c: &RingChangeView) -> String {
    let what = match (c.joined, c.left) {
        (Some(j), _) => format!("{} joined", ring::node_name(j)),
        (_, Some(l)) => format!("{} left", ring::node_name(l)),
        _ => "the ring changed".to_string(),
    };
    let ideal_n = (1.0 / c.ideal.max(1e-9)).round() as usize;
    let wrong = if c.wrong_moves > 0 {
        format!(
            r#"<span class="bad"> · {} keys moved between other nodes!</span>"#,
            c.wrong_moves
        )
    } else {
        String::new()
    };
    format!(
        r#"<p class="ring-change" data-testid="ring-change" data-fraction="{}"><b>{what}: moved </b><span data-testid="ring-moved" class="moved">{}/{}</span> keys ({} %), ideal 1/{ideal_n} = {} % · {} of the partitions changed replicas · modulo hashing would move {} ({} %){wrong}</p>"#,
        Fixed(c.fraction, 4),
        c.moved,
        c.total,
        Fixed(100.0 * c.fraction, 1),
        Fixed(100.0 * c.ideal, 1),
        c.partitions_moved,
        c.modulo_moved,
        Fixed(100.0 * c.modulo_fraction, 0),
    )
}

fn counters(view: &QueueView) -> String {
    let c = &view.counters;
    let items = [
        (
            "enqueued",
            c.enqueued,
            "acknowledged enqueues (committed on a majority of the partition's replicas)",
        ),
        ("delivered", c.delivered, "deliveries handed to consumers"),
        (
            "acked",
            c.acked,
            "deliveries acknowledged: the message is gone",
        ),
        (
            "redelivered",
            c.redelivered,
            "deliveries after a visibility timeout ran out",
        ),
        (
            "duplicates",
            c.duplicates,
            "messages a consumer received more than once (at-least-once)",
        ),
        (
            "dead-lettered",
            c.dead_lettered,
            "messages moved to the DLQ after max_receive deliveries",
        ),
    ];
    let mut out = String::from(r#"<dl class="queue-counters" data-testid="queue-counters">"#);
    for (k, v, t) in items {
        out.push_str(&format!(
            r#"<div data-counter="{k}" title="{t}"><dt>{k}</dt><dd>{v}</dd></div>"#
        ));
    }
    out.push_str("</dl>");
    out
}

/// The answer to the panel's last request: the router's rejection at once, else the exchange's
/// status and body once it completes.
fn answer(pg: &Playground, last: Option<&Sent>) -> String {
    let (line, status, body) = match last {
        None => return String::new(),
        Some(Sent::Rejected {
            line,
            status,
            message,
        }) => (line, Some(*status), Some(message.clone())),
        Some(Sent::Accepted {
            client,
            ticket,
            line,
        }) => match pg.exchange(client, *ticket, line) {
            Some(e) => (line, e.status, e.body),
            None => (line, None, None),
        },
    };
    let status_text = status.map_or("pending".to_string(), |s| s.to_string());
    let class = match status {
        Some(s) if s < 300 => " ok",
        Some(_) => " err",
        None => "",
    };
    let body = body
        .map(|b| {
            let compact = b.split_whitespace().collect::<Vec<_>>().join(" ");
            format!(
                r#"<code class="body" data-testid="queue-answer-body">{}</code>"#,
                esc(&compact)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<p class="queue-answer{class}" data-testid="queue-answer" data-status="{status_text}"><code class="line">{}</code> → <b>{status_text}</b>{body}</p>"#,
        esc(line)
    )
}

#[component]
pub fn QueuePanel(props: &QueuePanelProps) -> Html {
    let client = use_state(|| "A".to_string());
    let node = use_state(|| "leader".to_string());
    let message = use_state(|| "hello".to_string());
    let priority = use_state(|| "5".to_string());
    let key = use_state(|| "user-1".to_string());
    let message_id = use_state(String::new);
    let delivery_id = use_state(String::new);
    let last = use_state(|| None::<Sent>);

    let pg = props.pg.borrow();
    let view = pg.queue_view();
    let servers = pg.servers();
    let clients = pg.console_clients();
    let offered = last_delivery(&pg.api_exchanges(), &client);
    let shown = answer(&pg, (*last).as_ref());
    drop(pg);

    let send = {
        let (pg, client, node, on_sent, playing, last) = (
            props.pg.clone(),
            client.clone(),
            node.clone(),
            props.on_sent.clone(),
            props.playing,
            last.clone(),
        );
        move |line: String| {
            let sent = pg.borrow_mut().send(&client, &node, &line, !playing);
            last.set(Some(sent.clone()));
            on_sent.emit(sent);
        }
    };
    let on_enqueue = {
        let (send, m, p, k) = (send.clone(), message.clone(), priority.clone(), key.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send(enqueue_line(&m, &p, &k));
        })
    };
    let on_dequeue = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send(dequeue_line());
        })
    };
    let on_ack = {
        let (send, id, d) = (send.clone(), message_id.clone(), delivery_id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send(ack_line(&id, &d));
        })
    };
    let on_offer = {
        let (id, d, offered) = (message_id.clone(), delivery_id.clone(), offered.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some((m, del)) = &offered {
                id.set(m.clone());
                d.set(del.clone());
            }
        })
    };
    let membership = view.depth.iter().map(|d| {
        let send = send.clone();
        let (name, in_ring) = (d.name.clone(), d.in_ring);
        let last = in_ring && view.members.len() <= 1;
        let onclick = Callback::from(move |_: MouseEvent| {
            send(if in_ring { leave_line(&name) } else { join_line(&name) })
        });
        let (label, testid) = if in_ring { ("leave", "ring-leave") } else { ("join", "ring-join") };
        html! {
            <button class={classes!("secondary", "ring-member", (!in_ring).then_some("off"))} data-testid={testid}
                data-node={d.name.clone()} disabled={last} {onclick}
                title={if in_ring { format!("{} leaves the ring: its partitions move to the next nodes clockwise", d.name) }
                       else { format!("{} joins the ring: it takes over the keys its vnodes now precede", d.name) }}>
                { format!("{} {label}", d.name) }
            </button>
        }
    });

    html! {
        <section class="queue-panel" aria-label="Queue">
            <div class="queue-forms">
                <label class="field"><span>{ "client" }</span>
                    <select data-testid="queue-client" onchange={select_setter(&client)}>
                        { for clients.iter().map(|c| html! { <option value={c.clone()} selected={*c == *client}>{ c }</option> }) }
                    </select>
                </label>
                <label class="field"><span>{ "via" }</span>
                    <select data-testid="queue-node" onchange={select_setter(&node)}>
                        <option value="leader" selected={*node == "leader"}>{ "leader" }</option>
                        { for (1..=servers).map(|k| { let v = format!("n{k}");
                            html! { <option value={v.clone()} selected={*node == v}>{ v.clone() }</option> } }) }
                    </select>
                </label>
                <form class="queue-form" data-testid="queue-enqueue" novalidate=true onsubmit={on_enqueue}>
                    <label class="field"><span>{ "message" }</span>
                        <input name="message" type="text" size="10" value={(*message).clone()} oninput={text_setter(&message)} /></label>
                    <label class="field" title="1 (least urgent) to 10 (most urgent)"><span>{ "priority" }</span>
                        <input name="priority" type="number" min="1" max="10" value={(*priority).clone()} oninput={text_setter(&priority)} /></label>
                    <label class="field" title="Optional: messages with the same key go to the same partition, in order"><span>{ "key" }</span>
                        <input name="key" type="text" size="7" value={(*key).clone()} oninput={text_setter(&key)} /></label>
                    <button type="submit" class="primary">{ "Enqueue" }</button>
                </form>
                <form class="queue-form" data-testid="queue-dequeue" novalidate=true onsubmit={on_dequeue}>
                    <button type="submit" class="primary">{ "Dequeue" }</button>
                </form>
                <form class="queue-form" data-testid="queue-ack" novalidate=true onsubmit={on_ack}>
                    <label class="field"><span>{ "message id" }</span>
                        <input name="message_id" type="text" size="8" value={(*message_id).clone()} oninput={text_setter(&message_id)} /></label>
                    <label class="field"><span>{ "delivery" }</span>
                        <input name="delivery_id" type="text" size="3" value={(*delivery_id).clone()} oninput={text_setter(&delivery_id)} /></label>
                    <button type="submit" class="secondary">{ "Ack" }</button>
                    if let Some((m, d)) = &offered {
                        <button type="button" class="link" data-testid="queue-ack-last" onclick={on_offer}
                            title="Fill in the delivery this client received last">{ format!("use last: {m} #{d}") }</button>
                    }
                </form>
            </div>
            { raw(shown) }
            <p class="panel-note">
                { "The forms send the same requests as the API console (its history shows the answers). " }
                { format!("Dequeue takes the most urgent ready message (priority 10 first, FIFO within a priority) of one partition; \
                   unacknowledged deliveries come back after {} s, and after {} deliveries a message goes to the dead-letter queue.",
                   Fixed(view.visibility_timeout_ms as f64 / 1000.0, 1), view.max_receive) }
            </p>
            <div class="queue-main">
                { raw(ring::ring(&view)) }
                <div class="queue-side">
                    <div class="ring-membership" data-testid="ring-membership">
                        <span class="muted">{ "Ring members: " }</span>{ for membership }
                    </div>
                    { raw(view.last_change.as_ref().map_or_else(
                        || r#"<p class="ring-change muted">Make a node leave or join to see which keys move.</p>"#.to_string(),
                        change_summary)) }
                    { raw(counters(&view)) }
                    { raw(depth::node_depths(&view)) }
                </div>
            </div>
            { raw(depth::partition_table(&view)) }
            <lab::RingLab members={view.members.clone()} vnodes={view.vnodes_per_node} />
        </section>
    }
}
