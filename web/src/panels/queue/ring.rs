//! The queue's ring, drawn: the partitions as an outer band coloured by the node the ring makes
//! their primary, the vnodes as dots on the circle coloured by their physical node, and the keys
//! used so far as diamonds inside, each joined to the vnode that owns it. Hovering anything says
//! what it is; the colours match the load bars and the depth table.

use syncsim_core::services::queue::{KeyView, QueueView};
use yew::prelude::*;

use super::geometry::{point, sector, CENTRE, RADIUS, SIZE};
use crate::palette::node_colour;

/// Node names as the rest of the page writes them: actor 0 is n1.
pub fn node_name(node: usize) -> String {
    format!("n{}", node + 1)
}

/// "n1, n3, n4" (primary first, as the view lists them).
pub fn name_list(nodes: &[usize]) -> String {
    nodes
        .iter()
        .map(|&n| node_name(n))
        .collect::<Vec<_>>()
        .join(", ")
}

const BAND_IN: f64 = RADIUS + 8.0;
const BAND_OUT: f64 = RADIUS + 26.0;
const KEY_R: f64 = RADIUS - 26.0;

fn partitions(view: &QueueView) -> Html {
    let arcs = view.partitions.iter().map(|p| {
        let colour = p.primary.map_or("#cbd5e1", node_colour);
        let moving = p.moving();
        let title = format!(
            "partition p{}: replicas {}{}{} · {} ready, {} in flight, {} dead-lettered",
            p.id,
            name_list(&p.replicas),
            p.leader.map(|l| format!(" (leader {})", node_name(l))).unwrap_or_default(),
            if moving { format!(" · moving to {}", name_list(&p.desired)) } else { String::new() },
            p.ready,
            p.in_flight,
            p.dead
        );
        let (lx, ly) = point((p.start_fraction + p.end_fraction) / 2.0, BAND_OUT + 12.0);
        html! {
            <g class={classes!("partition-arc", moving.then_some("moving"))} data-partition={p.id.to_string()}>
                <path d={sector(p.start_fraction, p.end_fraction, BAND_IN, BAND_OUT)}
                    style={format!("fill: color-mix(in srgb, {colour} 35%, white)")}><title>{ title }</title></path>
                <text class="partition-label" x={format!("{lx:.1}")} y={format!("{:.1}", ly + 4.0)}>{ format!("p{}", p.id) }</text>
            </g>
        }
    });
    html! { <g class="partitions">{ for arcs }</g> }
}

fn vnodes(view: &QueueView) -> Html {
    let dots = view.vnodes.iter().map(|v| {
        let (x, y) = point(v.fraction, RADIUS);
        let owner = node_name(v.owner);
        html! {
            <circle class="vnode" cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="5"
                data-vnode={format!("{owner}#{}", v.index)} data-owner={owner.clone()}
                style={format!("fill: {}", node_colour(v.owner))}>
                <title>{ format!("{owner}, vnode {} of {}, at {:.3} of the ring", v.index, view.vnodes_per_node, v.fraction) }</title>
            </circle>
        }
    });
    html! { <g class="vnodes">{ for dots }</g> }
}

fn key(k: &KeyView, view: &QueueView) -> Html {
    let (x, y) = point(k.fraction, KEY_R);
    // The key's owning vnode: the first one clockwise from it (wrapping to the first).
    let owner = view
        .vnodes
        .iter()
        .find(|v| v.position >= k.position)
        .or(view.vnodes.first());
    let link = owner.map(|v| {
        let (vx, vy) = point(v.fraction, RADIUS);
        html! { <line class="key-owner" x1={format!("{x:.2}")} y1={format!("{y:.2}")} x2={format!("{vx:.2}")} y2={format!("{vy:.2}")} /> }
    });
    let colour = k.primary.map_or("#64748b", node_colour);
    html! {
        <g class="ring-key" data-key={k.key.clone()} data-partition={k.partition.to_string()}>
            { for link }
            <rect x={format!("{:.2}", x - 4.0)} y={format!("{:.2}", y - 4.0)} width="8" height="8"
                transform={format!("rotate(45 {x:.2} {y:.2})")} style={format!("fill: {colour}")} />
            <text class="key-label" x={format!("{x:.1}")} y={format!("{:.1}", y - 8.0)}>{ &k.key }</text>
            <title>{ format!("key \"{}\" at {:.3}: partition p{}, stored on {}", k.key, k.fraction, k.partition, name_list(&k.replicas)) }</title>
        </g>
    }
}

/// The whole ring drawing.
pub fn ring(view: &QueueView) -> Html {
    let keys = view.keys.iter().take(12).map(|k| key(k, view));
    let caption = format!(
        "{} nodes × {} vnodes · {} partitions × {} replicas",
        view.members.len(),
        view.vnodes_per_node,
        view.partitions_count,
        view.replicas
    );
    html! {
        <figure class="ring-figure" data-testid="queue-ring" data-members={name_list(&view.members)}>
            <svg viewBox={format!("-24 -24 {} {}", SIZE + 48.0, SIZE + 48.0)} role="img"
                aria-label="The consistent-hash ring: partitions, vnodes and keys">
                { partitions(view) }
                <circle class="ring-line" cx={CENTRE.to_string()} cy={CENTRE.to_string()} r={RADIUS.to_string()} />
                <text class="ring-zero" x={CENTRE.to_string()} y={(CENTRE - RADIUS + 16.0).to_string()}>{ "0" }</text>
                { for keys }
                { vnodes(view) }
                <text class="ring-centre" x={CENTRE.to_string()} y={(CENTRE - 4.0).to_string()}>{ "hash ring" }</text>
                <text class="ring-centre small" x={CENTRE.to_string()} y={(CENTRE + 14.0).to_string()}>{ "clockwise from 0" }</text>
            </svg>
            <figcaption>{ caption }</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_named_from_one() {
        assert_eq!(node_name(0), "n1");
        assert_eq!(name_list(&[2, 0, 4]), "n3, n1, n5");
        assert_eq!(name_list(&[]), "");
    }
}
