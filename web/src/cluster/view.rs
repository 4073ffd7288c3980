//! The cluster view: an SVG drawing of the servers on a circle, coloured by role, with their
//! term, election-timer arc, links and messages in flight. It renders only from `ClusterView`;
//! clicks become `UiAction`s (links cut/heal, messages dropped) or open a node's menu.

use std::f64::consts::PI;
use syncsim_core::base::decimal::{Fixed, Short};

use syncsim_core::playground::{ClusterView, LinkView, MessageView, NodeView, Role, UiAction};
use syncsim_core::services::status::{StatusNodeView, StatusView};
use syncsim_core::sim::Time;
use yew::prelude::*;

use super::node_menu::NodeMenu;
use crate::palette::{format_phi, is_response, message_family, phi_colour, suspicion_level};

pub const SIZE: f64 = 520.0;
const CENTER: f64 = SIZE / 2.0;
const ORBIT: f64 = 190.0;
const NODE_RADIUS: f64 = 42.0;
const ARC_RADIUS: f64 = NODE_RADIUS + 7.0;
/// The suspicion ring sits just outside the election-timer arc.
const SUSPICION_RADIUS: f64 = ARC_RADIUS + 11.0;

/// Where server `index` of `count` sits: on a circle, the first one at the top, clockwise.
pub fn node_position(index: usize, count: usize) -> (f64, f64) {
    if count <= 1 {
        return (CENTER, CENTER);
    }
    let angle = -PI / 2.0 + 2.0 * PI * index as f64 / count as f64;
    let (cos, sin) = cos_sin(angle);
    (CENTER + ORBIT * cos, CENTER + ORBIT * sin)
}

/// Cosine and sine. In the page through the browser's `Math` (the same fdlibm algorithms as
/// Rust's libm): Rust's own would add about 7 KB of libm (argument reduction) to the .wasm.
#[cfg(target_arch = "wasm32")]
pub(crate) fn cos_sin(angle: f64) -> (f64, f64) {
    (js_sys::Math::cos(angle), js_sys::Math::sin(angle))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn cos_sin(angle: f64) -> (f64, f64) {
    (angle.cos(), angle.sin())
}

/// Console clients (A, B, C) sit in a column in the bottom-right corner.
fn client_position(k: usize) -> (f64, f64) {
    (SIZE - 22.0, SIZE - 100.0 + 38.0 * k as f64)
}

/// Fraction of the election timeout still left, in 0..=1 (0 when no timer runs).
pub fn timer_remaining(node: &NodeView, now: Time) -> f64 {
    if node.election_timeout == 0 || node.election_deadline <= now {
        return 0.0;
    }
    ((node.election_deadline - now) as f64 / node.election_timeout as f64).clamp(0.0, 1.0)
}

/// An SVG path for a clockwise arc that starts at 12 o'clock and covers `fraction` of a circle.
pub fn arc_path(cx: f64, cy: f64, r: f64, fraction: f64) -> String {
    let fraction = fraction.clamp(0.0, 0.9999);
    let end = -PI / 2.0 + 2.0 * PI * fraction;
    let large = u8::from(fraction > 0.5);
    let (cos, sin) = cos_sin(end);
    format!(
        "M {} {} A {r} {r} 0 {large} 1 {} {}",
        Fixed(cx, 1),
        Fixed(cy - r, 1),
        Fixed(cx + r * cos, 1),
        Fixed(cy + r * sin, 1),
        r = Short(r, 2),
    )
}

/// Position of an in-flight message: it travels by virtual time from the edge of the sender's
/// circle to the edge of the receiver's (not centre to centre, where labels would hide it).
fn message_position(msg: &MessageView, from: (f64, f64), to: (f64, f64), now: Time) -> (f64, f64) {
    let span = msg.arrives_at.saturating_sub(msg.sent_at).max(1) as f64;
    let t = (now.saturating_sub(msg.sent_at) as f64 / span).clamp(0.0, 1.0);
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let length = dx.hypot(dy);
    let edge = if length > 2.0 * ARC_RADIUS {
        ARC_RADIUS / length
    } else {
        0.0
    };
    let (ux, uy) = (dx * edge, dy * edge);
    let (start, end) = ((from.0 + ux, from.1 + uy), (to.0 - ux, to.1 - uy));
    (
        start.0 + (end.0 - start.0) * t,
        start.1 + (end.1 - start.1) * t,
    )
}

/// Width of the clickable band around a link's line.
const LINK_HIT_WIDTH: f64 = 16.0;

/// The corners of the clickable band around the segment `a`–`b`, as SVG `points`. A filled
/// area (unlike a stroke) gives the link a box with height even when it is horizontal, so the
/// link is "visible" and clickable for the browser and for the end-to-end tests.
fn hit_area(a: (f64, f64), b: (f64, f64)) -> String {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx.hypot(dy);
    let half = LINK_HIT_WIDTH / 2.0;
    // A perpendicular of length `half` (any direction for a degenerate segment).
    let (px, py) = if length > 0.0 {
        (-dy / length * half, dx / length * half)
    } else {
        (0.0, half)
    };
    [
        (a.0 + px, a.1 + py),
        (b.0 + px, b.1 + py),
        (b.0 - px, b.1 - py),
        (a.0 - px, a.1 - py),
    ]
    .iter()
    .map(|(x, y)| format!("{x},{y}", x = Fixed(*x, 1), y = Fixed(*y, 1)))
    .collect::<Vec<_>>()
    .join(" ")
}

/// The link's DOM key, by node names: "n1-n2".
pub fn link_key(link: &LinkView) -> String {
    format!("n{}-n{}", link.a + 1, link.b + 1)
}

/// How the suspicion ring of a node with suspicion `phi` looks: (opacity, stroke width).
/// Below phi 1 it is all but invisible (heartbeats are a little late all the time); from there
/// it grows to a thick opaque ring at the threshold.
pub fn suspicion_ring(phi: f64, threshold: f64) -> (f64, f64) {
    let level = suspicion_level(phi, threshold);
    let opacity = if phi < 1.0 {
        0.15 * phi.max(0.0)
    } else {
        0.3 + 0.7 * level
    };
    (opacity.clamp(0.0, 1.0), 3.0 + 7.0 * level)
}

/// The hover text of a node's suspicion: who suspects it (with their phi, see
/// `suspected_by_text`), and its own phi for each peer.
pub fn suspicion_text(status: &StatusView, node: &StatusNodeView) -> String {
    let watchers = if node.suspected_by.is_empty() {
        format!(
            "Suspected by nobody (highest phi for it {}, threshold {})",
            Fixed(node.suspicion, 1),
            Short(status.threshold, 2)
        )
    } else {
        capitalise(&suspected_by_text(status, node))
    };
    let own: Vec<String> = node
        .peers
        .iter()
        .map(|p| {
            let phi = format_phi(p.silent_ms.map(|_| p.phi));
            format!(
                "{} {phi}{}",
                p.name,
                if p.suspected { " (suspected)" } else { "" }
            )
        })
        .collect();
    let own = if own.is_empty() {
        "nothing (it is down)".to_string()
    } else {
        own.join(", ")
    };
    format!("{watchers}. Its phi for its peers: {own}.")
}

/// "suspected by n1 (phi 9.1), n3 (phi 8.4)": who suspects `node`, with each watcher's phi.
fn suspected_by_text(status: &StatusView, node: &StatusNodeView) -> String {
    let by: Vec<String> = node
        .suspected_by
        .iter()
        .map(|w| {
            let phi = status
                .nodes
                .iter()
                .find(|o| &o.name == w)
                .and_then(|o| o.peers.iter().find(|p| p.peer == node.node))
                .map(|p| p.phi);
            format!("{w} (phi {})", format_phi(phi))
        })
        .collect();
    format!("suspected by {}", by.join(", "))
}

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub view: ClusterView,
    /// Every node's failure-detector view (the suspicion rings).
    pub status: StatusView,
    pub on_act: Callback<UiAction>,
    /// The node whose menu is open.
    pub menu: Option<usize>,
    pub on_menu: Callback<Option<usize>>,
}

#[component]
pub fn Cluster(props: &ClusterProps) -> Html {
    let view = &props.view;
    let count = view.nodes.len();
    // Servers are looked up by actor id: ids need not be 0..n once membership changes.
    let position_of = |id: usize| {
        view.nodes
            .iter()
            .position(|n| n.id == id)
            .map(|index| node_position(index, count))
            .or_else(|| {
                id.checked_sub(count)
                    .filter(|k| *k < 3)
                    .map(client_position)
            })
    };
    let links = view.links.iter().filter_map(|link| {
        let (a, b) = (position_of(link.a)?, position_of(link.b)?);
        Some(draw_link(link, a, b, &props.on_act))
    });
    let label_of = |id: usize| {
        view.nodes.iter().find(|n| n.id == id).map_or_else(
            || {
                ["A", "B", "C"]
                    .get(id.wrapping_sub(count))
                    .unwrap_or(&"?")
                    .to_string()
            },
            |n| n.name.clone(),
        )
    };
    let messages = view.messages.iter().filter_map(|msg| {
        let (from, to) = (position_of(msg.from)?, position_of(msg.to)?);
        let label = format!("{} {} → {} (click to drop it)", msg.kind, label_of(msg.from), label_of(msg.to));
        let (x, y) = message_position(msg, from, to, view.now);
        let family = message_family(&msg.kind);
        let id = msg.id;
        let onclick = props.on_act.reform(move |e: MouseEvent| {
            e.stop_propagation();
            UiAction::DropMessage { id }
        });
        let (cx, cy) = (Fixed(x, 1).to_string(), Fixed(y, 1).to_string());
        Some(html! {
            <g class={classes!("message", format!("msg-{family}"), is_response(&msg.kind).then_some("response"))}
                data-msg-kind={msg.kind.clone()} data-msg-id={id.to_string()} {onclick}>
                <title>{ label }</title>
                <circle class="msg-hit" cx={cx.clone()} cy={cy.clone()} r="11" />
                <circle class="msg-dot" {cx} {cy} r="6" />
            </g>
        })
    });
    let nodes = view.nodes.iter().enumerate().map(|(index, node)| {
        let id = node.id;
        let open = props.menu == Some(id);
        let onclick = props.on_menu.reform(move |e: MouseEvent| {
            e.stop_propagation();
            if open {
                None
            } else {
                Some(id)
            }
        });
        let status = props.status.nodes.iter().find(|s| s.node == id);
        draw_node(
            node,
            node_position(index, count),
            view.now,
            view.leader == Some(id),
            Suspicion::of(&props.status, status),
            onclick,
        )
    });
    let clients = (0..3).map(|k| {
        let (x, y) = client_position(k);
        html! {
            <g class="client" data-client-box={["A", "B", "C"][k]}>
                <rect x={Fixed(x - 13.0, 1).to_string()} y={Fixed(y - 13.0, 1).to_string()} width="26" height="26" rx="5" />
                <text x={Fixed(x, 1).to_string()} y={Fixed(y + 5.0, 1).to_string()}>{ ["A", "B", "C"][k] }</text>
            </g>
        }
    });
    let (cx, cy) = client_position(0);
    let menu = props.menu.and_then(|id| {
        let index = view.nodes.iter().position(|n| n.id == id)?;
        let (x, y) = node_position(index, count);
        let node = view.nodes[index].clone();
        // Open beside the node, towards the middle so the menu stays inside the drawing.
        let left = 100.0 * (if x > CENTER { x - 280.0 } else { x + 56.0 }) / SIZE;
        let top = 100.0 * (if y > CENTER { y - 170.0 } else { y - 20.0 }).max(0.0) / SIZE;
        Some(html! {
            <NodeMenu {node} has_leader={view.leader.is_some()} left={left.max(0.0)} top={top}
                on_act={props.on_act.clone()} on_close={props.on_menu.reform(|()| None)} />
        })
    });
    let close_menu = props.on_menu.reform(|_: MouseEvent| None);
    html! {
        <div class="cluster-wrap">
            <svg class="cluster" data-testid="cluster" viewBox={format!("0 0 {s} {s}", s = Short(SIZE, 1))}
                role="img" aria-label={format!("A cluster of {count} servers")} onclick={close_menu}>
                <defs>
                    <marker id="arrow-oneway" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="4"
                        markerHeight="4" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" /></marker>
                </defs>
                <g class="links">{ for links }</g>
                <g class="clients">
                    <text class="clients-caption" x={Fixed(cx, 1).to_string()} y={Fixed(cy - 22.0, 1).to_string()}>{ "clients" }</text>
                    { for clients }
                </g>
                <g class="messages">{ for messages }</g>
                <g class="nodes">{ for nodes }</g>
            </svg>
            { for menu }
        </div>
    }
}

fn draw_link(link: &LinkView, a: (f64, f64), b: (f64, f64), on_act: &Callback<UiAction>) -> Html {
    let (na, nb) = (format!("n{}", link.a + 1), format!("n{}", link.b + 1));
    let (ia, ib) = (link.a, link.b);
    let onclick = on_act.reform(move |e: MouseEvent| {
        e.stop_propagation();
        if e.shift_key() {
            UiAction::CutOneWay { from: ia, to: ib }
        } else if e.alt_key() {
            UiAction::CutOneWay { from: ib, to: ia }
        } else {
            UiAction::ToggleLink { a: ia, b: ib }
        }
    });
    let dir = |up: bool| if up { "delivers" } else { "cut" };
    let title = format!(
        "{na} → {nb} {}, {nb} → {na} {}. Click to {}; Shift-click cuts {na} → {nb} only, Alt-click cuts {nb} → {na} only.",
        dir(link.a_to_b),
        dir(link.b_to_a),
        if link.a_to_b || link.b_to_a { "cut both ways" } else { "heal" }
    );
    let f = |v: f64| Fixed(v, 1).to_string();
    // A one-way link shows an arrow, halfway, in the direction that still delivers.
    let arrow = match (link.a_to_b, link.b_to_a) {
        (true, false) => Some((a, b)),
        (false, true) => Some((b, a)),
        _ => None,
    };
    html! {
        <g class={classes!("link", format!("link-{}", link.state.as_str()))}
            data-link={link_key(link)} data-state={link.state.as_str()} {onclick}>
            <title>{ title }</title>
            <polygon class="link-hit" points={hit_area(a, b)}
                style="fill: transparent; stroke: none; pointer-events: all" />
            <line class="link-line" x1={f(a.0)} y1={f(a.1)} x2={f(b.0)} y2={f(b.1)} />
            if let Some((from, to)) = arrow {
                <line class="link-arrow" x1={f(from.0)} y1={f(from.1)} x2={f((from.0 + to.0) / 2.0)}
                    y2={f((from.1 + to.1) / 2.0)} marker-end="url(#arrow-oneway)" />
            }
        </g>
    }
}

/// What the cluster shows of one node's suspicion.
struct Suspicion {
    phi: f64,
    threshold: f64,
    suspected: bool,
    /// Who suspects it, for the label under the node: "n1, n2" or "4 peers".
    watchers: String,
    /// The share of the up peers that suspect it (0..=1). One isolated node suspects everyone;
    /// a ring that only a minority draws is shown dashed and lighter, so the node the *cluster*
    /// suspects stands out.
    share: f64,
    /// The hover text: who suspects it, and its own phi for each peer.
    detail: String,
}

impl Suspicion {
    fn of(status: &StatusView, node: Option<&StatusNodeView>) -> Suspicion {
        let threshold = status.threshold;
        match node {
            Some(n) => Suspicion {
                phi: n.suspicion,
                threshold,
                suspected: !n.suspected_by.is_empty(),
                share: {
                    let up = status
                        .nodes
                        .iter()
                        .filter(|o| o.node != n.node && o.state == "up")
                        .count();
                    n.suspected_by.len() as f64 / up.max(1) as f64
                },
                watchers: watchers_label(&n.suspected_by),
                detail: suspicion_text(status, n),
            },
            None => Suspicion {
                phi: 0.0,
                threshold,
                suspected: false,
                share: 0.0,
                watchers: String::new(),
                detail: "No failure-detector data for this node.".into(),
            },
        }
    }

    /// The ring (always drawn, so every node has one `data-phi` marker) and, once phi is
    /// worth noticing, its value under the node.
    fn draw(&self, x: f64, y: f64) -> Html {
        let (mut opacity, mut width) = suspicion_ring(self.phi, self.threshold);
        let minority = self.suspected && self.share < 0.5;
        if minority {
            opacity *= 0.45;
            width *= 0.5;
        }
        let dash = if minority {
            "stroke-dasharray: 7 5; "
        } else {
            ""
        };
        let colour = phi_colour(self.phi, self.threshold);
        let below = y + SUSPICION_RADIUS + 17.0;
        let label = (self.phi >= 1.0).then(|| {
            html! {
                <text class="suspicion-label" x={Fixed(x, 1).to_string()} y={Fixed(below, 1).to_string()}
                    style={format!("fill: {colour}; opacity: {}", if minority { "0.7" } else { "1" })}>
                    { format!("phi {}", Fixed(self.phi, 1)) }
                    if self.suspected {
                        <tspan x={Fixed(x, 1).to_string()} dy="14">{ format!("suspected by {}", self.watchers) }</tspan>
                    }
                </text>
            }
        });
        let title = self.detail.clone();
        html! {
            <g class={classes!("suspicion", self.suspected.then_some("suspected"))}
                data-phi={Fixed(self.phi, 2).to_string()} data-suspected={self.suspected.to_string()}>
                <title>{ title }</title>
                <circle class="suspicion-ring" cx={Fixed(x, 1).to_string()} cy={Fixed(y, 1).to_string()}
                    r={Short(SUSPICION_RADIUS, 2).to_string()}
                    style={format!("{dash}stroke: {colour}; fill: {colour}; stroke-width: {width}; opacity: {opacity}", width = Fixed(width, 1), opacity = Fixed(opacity, 2))} />
                { for label }
            </g>
        }
    }
}

fn draw_node(
    node: &NodeView,
    (x, y): (f64, f64),
    now: Time,
    is_leader: bool,
    suspicion: Suspicion,
    onclick: Callback<MouseEvent>,
) -> Html {
    let role = node.role.as_str();
    let remaining = timer_remaining(node, now);
    // Below ~2% the arc is a dot that reads as noise rather than as a timer.
    let timer =
        (remaining > 0.02 && matches!(node.role, Role::Follower | Role::Candidate)).then(|| {
            html! { <path class="election-timer" d={arc_path(x, y, ARC_RADIUS, remaining)} /> }
        });
    let tooltip = format!(
        "{}: {role}, term {}, commit index {}, log length {}. {} Click for actions.",
        node.name,
        node.term,
        node.commit_index,
        node.log.last().map_or(node.snapshot_index, |c| c.index),
        suspicion.detail
    );
    let (cx, cy) = (Fixed(x, 1).to_string(), Fixed(y, 1).to_string());
    html! {
        <g class={classes!("node", format!("role-{role}"), (!node.is_voter).then_some("non-voter"))}
            data-node-id={node.name.clone()} data-role={role} data-term={node.term.to_string()} {onclick}>
            <title>{ tooltip }</title>
            { suspicion.draw(x, y) }
            <circle class="node-ring" cx={cx.clone()} cy={cy.clone()} r={Short(ARC_RADIUS, 2).to_string()} />
            { for timer }
            <circle class="node-body" cx={cx.clone()} cy={cy.clone()} r={Short(NODE_RADIUS, 2).to_string()} />
            if is_leader {
                <text class="crown" x={cx.clone()} y={Fixed(y - 56.0, 1).to_string()}>{ "★ leader" }</text>
            }
            <text class="node-name" x={cx.clone()} y={Fixed(y - 10.0, 1).to_string()}>{ &node.name }</text>
            <text class="node-role" x={cx.clone()} y={Fixed(y + 8.0, 1).to_string()}>{ role }</text>
            <text class="node-term" x={cx.clone()} y={Fixed(y + 24.0, 1).to_string()}>{ format!("term {}", node.term) }</text>
            { for node.badges.iter().enumerate().map(|(i, b)| {
                // Under the ring, below the suspicion label when there is one.
                let dy = SUSPICION_RADIUS + 17.0 + if suspicion.suspected { 30.0 } else { 0.0 } + 14.0 * i as f64;
                html! { <text class="node-badge" data-node-badge={node.name.clone()} x={cx.clone()} y={Fixed(y + dy, 1).to_string()}>{ b }</text> }
            }) }
        </g>
    }
}

/// Who suspects a node, short enough to sit under it: names up to two, else a count.
fn watchers_label(by: &[String]) -> String {
    if by.len() <= 2 {
        by.join(", ")
    } else {
        format!("{} peers", by.len())
    }
}

/// Upper-cases an ASCII first letter (the texts are ASCII: `char::to_uppercase` would bring
/// Unicode case tables into the page).
fn capitalise(s: &str) -> String {
    let mut s = s.to_string();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncsim_core::services::status::PeerPhi;

    #[test]
    fn the_suspicion_ring_is_faint_while_phi_is_low_and_bold_at_the_threshold() {
        let (quiet, _) = suspicion_ring(0.3, 8.0);
        assert!(quiet < 0.05, "{quiet}");
        assert_eq!(suspicion_ring(0.0, 8.0).0, 0.0);
        let (loud, width) = suspicion_ring(9.0, 8.0);
        assert_eq!((loud, width), (1.0, 10.0));
        let (mid, _) = suspicion_ring(4.0, 8.0);
        assert!(quiet < mid && mid < loud);
    }

    #[test]
    fn the_hover_text_names_the_watchers_and_the_nodes_own_phis() {
        let peer = |peer: usize, phi: f64, suspected: bool| PeerPhi {
            peer,
            name: format!("n{}", peer + 1),
            phi,
            suspected,
            silent_ms: Some(10),
        };
        let status = StatusView {
            threshold: 8.0,
            nodes: vec![
                StatusNodeView {
                    node: 0,
                    name: "n1".into(),
                    state: "up".into(),
                    peers: vec![peer(1, 9.14, true)],
                    ..StatusNodeView::default()
                },
                StatusNodeView {
                    node: 1,
                    name: "n2".into(),
                    state: "up".into(),
                    peers: vec![peer(0, 0.2, false)],
                    suspicion: 9.14,
                    suspected_by: vec!["n1".into()],
                },
            ],
        };
        let s = Suspicion::of(&status, Some(&status.nodes[1]));
        assert!(s.suspected);
        assert_eq!(
            s.detail,
            "Suspected by n1 (phi 9.1). Its phi for its peers: n1 0.2."
        );
        assert_eq!(
            suspicion_text(&status, &status.nodes[0]),
            "Suspected by nobody (highest phi for it 0.0, threshold 8). Its phi for its peers: n2 9.1 (suspected)."
        );
        assert_eq!(capitalise("suspected by n1"), "Suspected by n1");
        assert_eq!(s.watchers, "n1");
        let four: Vec<String> = ["n1", "n2", "n4", "n5"].map(String::from).to_vec();
        assert_eq!(watchers_label(&four), "4 peers");
        assert_eq!(watchers_label(&four[..2]), "n1, n2");
    }

    #[test]
    fn nodes_sit_on_the_orbit_first_at_the_top() {
        let (x, y) = node_position(0, 5);
        assert!((x - CENTER).abs() < 1e-9 && (y - (CENTER - ORBIT)).abs() < 1e-9);
        for i in 0..7 {
            let (x, y) = node_position(i, 7);
            assert!(((x - CENTER).hypot(y - CENTER) - ORBIT).abs() < 1e-9);
        }
        assert_eq!(node_position(0, 1), (CENTER, CENTER));
    }

    #[test]
    fn positions_are_distinct_and_clients_clear_of_nodes() {
        let points: Vec<_> = (0..9).map(|i| node_position(i, 9)).collect();
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                assert!((a.0 - b.0).hypot(a.1 - b.1) > 2.0 * NODE_RADIUS);
            }
            for k in 0..3 {
                let c = client_position(k);
                assert!(
                    (a.0 - c.0).hypot(a.1 - c.1) > ARC_RADIUS + 20.0,
                    "node {i} client {k}"
                );
            }
        }
    }

    #[test]
    fn timer_fraction_tracks_the_deadline() {
        let node = NodeView {
            election_deadline: 300,
            election_timeout: 200,
            ..NodeView::default()
        };
        assert_eq!(timer_remaining(&node, 100), 1.0);
        assert_eq!(timer_remaining(&node, 200), 0.5);
        assert_eq!(timer_remaining(&node, 400), 0.0);
        assert_eq!(timer_remaining(&NodeView::default(), 0), 0.0);
    }

    #[test]
    fn arc_uses_the_large_flag_past_half() {
        assert!(arc_path(0.0, 0.0, 10.0, 0.25).contains(" 0 0 1 "));
        assert!(arc_path(0.0, 0.0, 10.0, 0.75).contains(" 0 1 1 "));
    }

    #[test]
    fn messages_move_from_sender_to_receiver() {
        let msg = MessageView {
            sent_at: 100,
            arrives_at: 200,
            ..MessageView::default()
        };
        let (a, b) = ((0.0, 0.0), (300.0, 0.0));
        assert_eq!(message_position(&msg, a, b, 100), (ARC_RADIUS, 0.0));
        assert_eq!(message_position(&msg, a, b, 150), (150.0, 0.0));
        assert_eq!(message_position(&msg, a, b, 999), (300.0 - ARC_RADIUS, 0.0));
    }

    #[test]
    fn links_are_keyed_by_node_names() {
        assert_eq!(
            link_key(&LinkView {
                a: 0,
                b: 1,
                ..LinkView::default()
            }),
            "n1-n2"
        );
    }

    #[test]
    fn a_horizontal_link_gets_a_hit_band_with_height() {
        let (a, b) = (node_position(1, 5), node_position(4, 5));
        assert!((a.1 - b.1).abs() < 1e-9, "n2-n5 is horizontal with 5 nodes");
        let ys: Vec<f64> = hit_area(a, b)
            .split(' ')
            .map(|p| p.split_once(',').unwrap().1.parse().unwrap())
            .collect();
        assert_eq!(ys.len(), 4);
        let height = ys.iter().cloned().fold(f64::MIN, f64::max)
            - ys.iter().cloned().fold(f64::MAX, f64::min);
        assert!((height - LINK_HIT_WIDTH).abs() < 0.2, "{height}");
        assert_eq!(
            hit_area((5.0, 5.0), (5.0, 5.0)),
            "5.0,13.0 5.0,13.0 5.0,-3.0 5.0,-3.0"
        );
    }
}
