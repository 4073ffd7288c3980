//! Where the messages are: one row per server with its queue depth (ready, in flight,
//! dead-lettered) over the partitions it leads, as numbers and a stacked bar, and one row per
//! partition with its replica set, leader and depth.

use syncsim_core::services::queue::QueueView;
use yew::prelude::*;

use super::ring::{name_list, node_name};
use crate::palette::node_colour;

/// A stacked bar of ready / in flight / dead-lettered, scaled to `max` messages.
fn bar(ready: usize, in_flight: usize, dead: usize, max: usize) -> Html {
    let pct = |n: usize| 100.0 * n as f64 / max.max(1) as f64;
    html! {
        <span class="depth-bar" aria-hidden="true">
            <span class="ready" style={format!("width: {:.1}%", pct(ready))}></span>
            <span class="in-flight" style={format!("width: {:.1}%", pct(in_flight))}></span>
            <span class="dead" style={format!("width: {:.1}%", pct(dead))}></span>
        </span>
    }
}

/// Per-node depth (`[data-queue-depth]` holds the node's ready count).
pub fn node_depths(view: &QueueView) -> Html {
    let max = view
        .depth
        .iter()
        .map(|d| d.ready + d.in_flight + d.dead)
        .max()
        .unwrap_or(0)
        .max(4);
    let rows = view.depth.iter().map(|d| {
        let leads = if d.leads.is_empty() {
            "—".to_string()
        } else {
            d.leads.iter().map(|p| format!("p{p}")).collect::<Vec<_>>().join(" ")
        };
        html! {
            <tr data-queue-depth={d.ready.to_string()} data-node={d.name.clone()}
                data-in-flight={d.in_flight.to_string()} data-dead={d.dead.to_string()}
                class={classes!((!d.in_ring).then_some("off-ring"))}>
                <th scope="row"><span class="swatch" style={format!("background: {}", node_colour(d.node))}></span>{ &d.name }</th>
                <td class="num">{ d.ready }</td>
                <td class="num">{ d.in_flight }</td>
                <td class="num">{ d.dead }</td>
                <td>{ bar(d.ready, d.in_flight, d.dead, max) }</td>
                <td class="leads">{ if d.in_ring { leads } else { "not on the ring".to_string() } }</td>
            </tr>
        }
    });
    html! {
        <table class="queue-depth" data-testid="queue-depth">
            <caption>{ "Queue depth per node (partitions it leads: each message counted once)" }</caption>
            <thead><tr><th>{ "node" }</th><th>{ "ready" }</th><th>{ "in flight" }</th><th>{ "DLQ" }</th><th></th><th>{ "leads" }</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// One row per partition: its Raft group.
pub fn partition_table(view: &QueueView) -> Html {
    let rows = view.partitions.iter().map(|p| {
        let replicas = p.replicas.iter().map(|&r| {
            let lead = p.leader == Some(r);
            html! {
                <span class={classes!("replica", lead.then_some("leader"))} style={format!("border-color: {}", node_colour(r))}
                    title={if lead { "the group's Raft leader" } else { "a follower of the group" }}>
                    { node_name(r) }{ if lead { " ★" } else { "" } }
                </span>
            }
        });
        let moving = p.moving();
        html! {
            <tr data-partition-row={p.id.to_string()} data-leader={p.leader.map(node_name).unwrap_or_default()}>
                <th scope="row">{ format!("p{}", p.id) }</th>
                <td class="range">{ format!("{:.3}–{:.3}", p.start_fraction, p.end_fraction) }</td>
                <td>{ for replicas }
                    if moving { <span class="moving-note">{ format!(" → {}", name_list(&p.desired)) }</span> }
                </td>
                <td class="num">{ p.term }</td>
                <td class="num">{ p.ready }</td>
                <td class="num">{ p.in_flight }</td>
                <td class="num">{ p.dead }</td>
            </tr>
        }
    });
    html! {
        <table class="queue-partitions" data-testid="queue-partitions">
            <caption>{ "Partitions: one Raft group each, placed on the ring's preference list (★ leader)" }</caption>
            <thead><tr><th>{ "part." }</th><th>{ "ring range" }</th><th>{ "replicas" }</th><th>{ "term" }</th>
                <th>{ "ready" }</th><th>{ "in flight" }</th><th>{ "DLQ" }</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
