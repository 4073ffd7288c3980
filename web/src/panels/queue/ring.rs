//! The queue's ring, drawn: the partitions as an outer band coloured by the node the ring makes
//! their primary, the vnodes as dots on the circle coloured by their physical node, and the keys
//! used so far as diamonds inside, each joined to the vnode that owns it. Hovering anything says
//! what it is; the colours match the load bars and the depth table. Display only, so it is
//! written as markup text (see `markup`).

use std::fmt::Write;
use syncsim_core::base::decimal::{Fixed, Short};

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
            r#"<g class="partition-arc{}" data-partition="{id}"><path d="{d}" style="fill: color-mix(in srgb, {colour} 35%, white)"><title>partition p{id}: replicas {reps}{lead}{target} · {r} ready, {f} in flight, {x} dead-lettered</title></path><text class="partition-label" x="{lx}" y="{ly}">p{id}</text></g>"#,
            if moving { " moving" } else { "" },
            id = p.id,
            d = sector(p.start_fraction, p.end_fraction, BAND_IN, BAND_OUT),
            reps = name_list(&p.replicas),
            lead = leader.unwrap_or_default(),
            r = p.ready,
            f = p.in_flight,
            x = p.dead,
            ly = Fixed(ly + 4.0, 1),
            lx = Fixed(lx, 1),
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
            r#"<circle class="vnode" cx="{x}" cy="{y}" r="5" data-vnode="{owner}#{i}" data-owner="{owner}" style="fill: {c}"><title>{owner}, vnode {i} of {n}, at {f} of the ring</title></circle>"#,
            i = v.index,
            c = node_colour(v.owner),
            n = view.vnodes_per_node,
            f = Fixed(v.fraction, 3),
            x = Fixed(x, 2),
            y = Fixed(y, 2),
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
            r#"<line class="key-owner" x1="{x}" y1="{y}" x2="{vx}" y2="{vy}"/>"#,
            x = Fixed(x, 2),
            y = Fixed(y, 2),
            vx = Fixed(vx, 2),
            vy = Fixed(vy, 2)
        );
    }
    let _ = write!(
        out,
        r#"<rect x="{rx}" y="{ry}" width="8" height="8" transform="rotate(45 {x} {y})" style="fill: {c}"/><text class="key-label" x="{x1}" y="{ty}">{name}</text><title>key "{name}" at {f}: partition p{p}, stored on {reps}</title></g>"#,
        rx = Fixed(x - 4.0, 2),
        ry = Fixed(y - 4.0, 2),
        c = k.primary.map_or("#64748b", node_colour),
        ty = Fixed(y - 8.0, 1),
        f = Fixed(k.fraction, 3),
        p = k.partition,
        reps = name_list(&k.replicas),
        x = Fixed(x, 2),
        y = Fixed(y, 2),
        x1 = Fixed(x, 1),
    );
}

/// The whole ring drawing, as markup.
pub fn ring(view: &QueueView) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<figure class="ring-figure" data-testid="queue-ring" data-members="{m}"><svg viewBox="-24 -24 {s} {s}" role="img" aria-label="The consistent-hash ring: partitions, vnodes and keys">"#,
        m = name_list(&view.members),
        s = Short(SIZE + 48.0, 2),
    );
    partitions(&mut out, view);
    let _ = write!(
        out,
        r#"<circle class="ring-line" cx="{CENTRE}" cy="{CENTRE}" r="{RADIUS}"/><text class="ring-zero" x="{CENTRE}" y="{z}">0</text>"#,
        z = Short(CENTRE - RADIUS + 16.0, 2),
        CENTRE = Short(CENTRE, 2),
        RADIUS = Short(RADIUS, 2),
    );
    for k in view.keys.iter().take(12) {
        key(&mut out, k, view);
    }
    vnodes(&mut out, view);
    let _ = write!(
        out,
        r#"<text class="ring-centre" x="{CENTRE}" y="{a}">hash ring</text><text class="ring-centre small" x="{CENTRE}" y="{b}">clockwise from 0</text></svg><figcaption>{n} nodes × {v} vnodes · {p} partitions × {r} replicas</figcaption></figure>"#,
        a = Short(CENTRE - 4.0, 2),
        b = Short(CENTRE + 14.0, 2),
        CENTRE = Short(CENTRE, 2),
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
