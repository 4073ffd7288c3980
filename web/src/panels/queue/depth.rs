//! Where the messages are: one row per server with its queue depth (ready, in flight,
//! dead-lettered) over the partitions it leads, as numbers and a stacked bar, and one row per
//! partition with its replica set, leader and depth. Display only, written as markup text.

use std::fmt::Write;
use syncsim_core::base::decimal::Fixed;

use syncsim_core::services::queue::QueueView;

use super::ring::{name_list, node_name};
use crate::markup::esc;
use crate::palette::node_colour;

/// A stacked bar of ready / in flight / dead-lettered, scaled to `max` messages.
fn bar(out: &mut String, ready: usize, in_flight: usize, dead: usize, max: usize) {
    let pct = |n: usize| 100.0 * n as f64 / max.max(1) as f64;
    let _ = write!(
        out,
        r#"<span class="depth-bar" aria-hidden="true"><span class="ready" style="width: {}%"></span><span class="in-flight" style="width: {}%"></span><span class="dead" style="width: {}%"></span></span>"#,
        Fixed(pct(ready), 1),
        Fixed(pct(in_flight), 1),
        Fixed(pct(dead), 1)
    );
}

/// Per-node depth (`[data-queue-depth]` holds the node's ready count).
pub fn node_depths(view: &QueueView) -> String {
    let max = view
        .depth
        .iter()
        .map(|d| d.ready + d.in_flight + d.dead)
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = String::from(
        r#"<table class="queue-depth" data-testid="queue-depth"><caption>Queue depth per node (partitions it leads: each message counted once)</caption><thead><tr><th>node</th><th>ready</th><th>in flight</th><th>DLQ</th><th></th><th>leads</th></tr></thead><tbody>"#,
    );
    for d in &view.depth {
        let leads = if !d.in_ring {
            "not on the ring".to_string()
        } else if d.leads.is_empty() {
            "—".to_string()
        } else {
            d.leads
                .iter()
                .map(|p| format!("p{p}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let name = esc(&d.name);
        let _ = write!(
            out,
            r#"<tr data-queue-depth="{r}" data-node="{name}" data-in-flight="{f}" data-dead="{x}"{cls}><th scope="row"><span class="swatch" style="background: {c}"></span>{name}</th><td class="num">{r}</td><td class="num">{f}</td><td class="num">{x}</td><td>"#,
            r = d.ready,
            f = d.in_flight,
            x = d.dead,
            cls = if d.in_ring {
                ""
            } else {
                r#" class="off-ring""#
            },
            c = node_colour(d.node),
        );
        bar(&mut out, d.ready, d.in_flight, d.dead, max);
        let _ = write!(out, r#"</td><td class="leads">{leads}</td></tr>"#);
    }
    out.push_str("</tbody></table>");
    out
}

/// One row per partition: its Raft group.
pub fn partition_table(view: &QueueView) -> String {
    let mut out = String::from(
        r#"<table class="queue-partitions" data-testid="queue-partitions"><caption>Partitions: one Raft group each, placed on the ring's preference list (★ leader)</caption><thead><tr><th>part.</th><th>ring range</th><th>replicas</th><th>term</th><th>ready</th><th>in flight</th><th>DLQ</th></tr></thead><tbody>"#,
    );
    for p in &view.partitions {
        let _ = write!(
            out,
            r#"<tr data-partition-row="{id}" data-leader="{l}"><th scope="row">p{id}</th><td class="range">{a}–{b}</td><td>"#,
            id = p.id,
            l = p.leader.map(node_name).unwrap_or_default(),
            a = Fixed(p.start_fraction, 3),
            b = Fixed(p.end_fraction, 3),
        );
        for &r in &p.replicas {
            let lead = p.leader == Some(r);
            let _ = write!(
                out,
                r#"<span class="replica{}" style="border-color: {}" title="{}">{}{}</span>"#,
                if lead { " leader" } else { "" },
                node_colour(r),
                if lead {
                    "the group's Raft leader"
                } else {
                    "a follower of the group"
                },
                node_name(r),
                if lead { " ★" } else { "" },
            );
        }
        if p.moving() {
            let _ = write!(
                out,
                r#"<span class="moving-note"> → {}</span>"#,
                name_list(&p.desired)
            );
        }
        let _ = write!(
            out,
            r#"</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            p.term, p.ready, p.in_flight, p.dead
        );
    }
    out.push_str("</tbody></table>");
    out
}
