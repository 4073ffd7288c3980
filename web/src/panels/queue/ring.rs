//! The queue's ring, drawn: the partitions as an outer band coloured by the node the ring makes
//! their primary, the vnodes as dots on the circle coloured by their physical node, and the keys
//! used so far as diamonds inside, each joined to the vnode that owns it. Hovering anything says
//! what it is; the colours match the load bars and the depth table. Display only, so it is
//! written as markup text (see `markup`).

use std::fmt::Write;

use syncsim_core::services::queue::{KeyView, QueueView};

use super::geometry::{point, sector, CENTRE, RADIUS, SIZE};
use crate::markup::esc;
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

fn partitions(out: &mut String, view: &QueueView) {
    out.push_str(r#"<g class="partitions">"#);
    for p in &view.partitions {
        let colour = p.primary.map_or("#cbd5e1", node_colour);
        let moving = p.moving();
        let leader = p.leader.map(|l| format!(" (leader {})", node_name(l)));
        let target = if moving {
            format!(" · moving to {}", name_list(&p.desired))
        } else {
            String::new()
        };
        let (lx, ly) = point((p.start_fraction + p.end_fraction) / 2.0, BAND_OUT + 12.0);
        let _ = write!(
            out,
            r#"<g class="partition-arc{}" data-partition="{id}"><path d="{d}" style="fill: color-mix(in srgb, {colour} 35%, white)"><title>partition p{id}: replicas {reps}{lead}{target} · {r} ready, {f} in flight, {x} dead-lettered</title></path><text class="partition-label" x="{lx:.1}" y="{ly:.1}">p{id}</text></g>"#,
            if moving { " moving" } else { "" },
            id = p.id,
            d = sector(p.start_fraction, p.end_fraction, BAND_IN, BAND_OUT),
            reps = name_list(&p.replicas),
            lead = leader.unwrap_or_default(),
            r = p.ready,
            f = p.in_flight,
            x = p.dead,
            ly = ly + 4.0,
        );
    }
    out.push_str("</g>");
}

fn vnodes(out: &mut String, view: &QueueView) {
    out.push_str(r#"<g class="vnodes">"#);
    for v in &view.vnodes {
        let (x, y) = point(v.fraction, RADIUS);
        let owner = node_name(v.owner);
        let _ = write!(
            out,
            r#"<circle class="vnode" cx="{x:.2}" cy="{y:.2}" r="5" data-vnode="{owner}#{i}" data-owner="{owner}" style="fill: {c}"><title>{owner}, vnode {i} of {n}, at {f:.3} of the ring</title></circle>"#,
            i = v.index,
            c = node_colour(v.owner),
            n = view.vnodes_per_node,
            f = v.fraction,
        );
    }
    out.push_str("</g>");
}

fn key(out: &mut String, k: &KeyView, view: &QueueView) {
    let (x, y) = point(k.fraction, KEY_R);
    let name = esc(&k.key);
    let _ = write!(
        out,
        r#"<g class="ring-key" data-key="{name}" data-partition="{p}">"#,
        p = k.partition
    );
    // The key's owning vnode: the first one clockwise from it (wrapping to the first).
    let owner = view
        .vnodes
        .iter()
        .find(|v| v.position >= k.position)
        .or(view.vnodes.first());
    if let Some(v) = owner {
        let (vx, vy) = point(v.fraction, RADIUS);
        let _ = write!(
            out,
            r#"<line class="key-owner" x1="{x:.2}" y1="{y:.2}" x2="{vx:.2}" y2="{vy:.2}"/>"#
        );
    }
    let _ = write!(
        out,
        r#"<rect x="{rx:.2}" y="{ry:.2}" width="8" height="8" transform="rotate(45 {x:.2} {y:.2})" style="fill: {c}"/><text class="key-label" x="{x:.1}" y="{ty:.1}">{name}</text><title>key "{name}" at {f:.3}: partition p{p}, stored on {reps}</title></g>"#,
        rx = x - 4.0,
        ry = y - 4.0,
        c = k.primary.map_or("#64748b", node_colour),
        ty = y - 8.0,
        f = k.fraction,
        p = k.partition,
        reps = name_list(&k.replicas),
    );
}

/// The whole ring drawing, as markup.
pub fn ring(view: &QueueView) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<figure class="ring-figure" data-testid="queue-ring" data-members="{m}"><svg viewBox="-24 -24 {s} {s}" role="img" aria-label="The consistent-hash ring: partitions, vnodes and keys">"#,
        m = name_list(&view.members),
        s = SIZE + 48.0,
    );
    partitions(&mut out, view);
    let _ = write!(
        out,
        r#"<circle class="ring-line" cx="{CENTRE}" cy="{CENTRE}" r="{RADIUS}"/><text class="ring-zero" x="{CENTRE}" y="{z}">0</text>"#,
        z = CENTRE - RADIUS + 16.0
    );
    for k in view.keys.iter().take(12) {
        key(&mut out, k, view);
    }
    vnodes(&mut out, view);
    let _ = write!(
        out,
        r#"<text class="ring-centre" x="{CENTRE}" y="{a}">hash ring</text><text class="ring-centre small" x="{CENTRE}" y="{b}">clockwise from 0</text></svg><figcaption>{n} nodes × {v} vnodes · {p} partitions × {r} replicas</figcaption></figure>"#,
        a = CENTRE - 4.0,
        b = CENTRE + 14.0,
        n = view.members.len(),
        v = view.vnodes_per_node,
        p = view.partitions_count,
        r = view.replicas,
    );
    out
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

    #[test]
    fn the_drawing_has_every_vnode_and_escapes_keys() {
        let mut view = syncsim_core::services::queue::ring_only_view(&[0, 1, 2]);
        view.keys.push(KeyView {
            key: "<x>".into(),
            ..KeyView::default()
        });
        let svg = ring(&view);
        assert_eq!(svg.matches("data-vnode=").count(), view.vnodes.len());
        assert_eq!(
            svg.matches("data-partition=").count(),
            view.partitions.len() + 1
        );
        assert!(svg.contains(r#"data-key="&lt;x&gt;""#) && !svg.contains("<x>"));
    }
}
