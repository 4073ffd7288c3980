//! The cluster view: an SVG drawing of the servers on a circle, coloured by role, with their
//! term, election-timer arc, links and messages in flight. It renders only from `ClusterView`.

use std::f64::consts::PI;

use syncsim_core::playground::{ClusterView, LinkView, MessageView, NodeView, Role};
use syncsim_core::sim::Time;
use yew::prelude::*;

const SIZE: f64 = 520.0;
const CENTER: f64 = SIZE / 2.0;
const ORBIT: f64 = 190.0;
const NODE_RADIUS: f64 = 42.0;
const ARC_RADIUS: f64 = NODE_RADIUS + 7.0;

/// Where server `index` of `count` sits: on a circle, the first one at the top, clockwise.
pub fn node_position(index: usize, count: usize) -> (f64, f64) {
    if count <= 1 {
        return (CENTER, CENTER);
    }
    let angle = -PI / 2.0 + 2.0 * PI * index as f64 / count as f64;
    (CENTER + ORBIT * angle.cos(), CENTER + ORBIT * angle.sin())
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
    format!(
        "M {:.1} {:.1} A {r} {r} 0 {large} 1 {:.1} {:.1}",
        cx,
        cy - r,
        cx + r * end.cos(),
        cy + r * end.sin()
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

#[derive(Properties, PartialEq)]
pub struct ClusterProps {
    pub view: ClusterView,
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
    };
    let links = view.links.iter().filter_map(|link| {
        let (a, b) = (position_of(link.a)?, position_of(link.b)?);
        Some(draw_link(link, a, b))
    });
    let name_of = |id: usize| {
        view.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.name.as_str())
    };
    let messages = view.messages.iter().filter_map(|msg| {
        let (from, to) = (position_of(msg.from)?, position_of(msg.to)?);
        let label = format!("{} {}→{}", msg.kind, name_of(msg.from)?, name_of(msg.to)?);
        let (x, y) = message_position(msg, from, to, view.now);
        Some(html! {
            <circle class={classes!("message", format!("msg-{}", msg.kind.to_lowercase()))}
                cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="6">
                <title>{ label }</title>
            </circle>
        })
    });
    let nodes = view
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| draw_node(node, node_position(index, count), view.now));
    html! {
        <svg class="cluster" data-testid="cluster" viewBox={format!("0 0 {SIZE} {SIZE}")}
            role="img" aria-label={format!("A cluster of {count} servers")}>
            <g class="links">{ for links }</g>
            <g class="nodes">{ for nodes }</g>
            <g class="messages">{ for messages }</g>
        </svg>
    }
}

fn draw_link(link: &LinkView, a: (f64, f64), b: (f64, f64)) -> Html {
    // Ids, not names: the link's data attribute must stay stable even if names change.
    html! {
        <line class={classes!("link", format!("link-{}", link.state.as_str()))}
            data-link={format!("{}-{}", link.a, link.b)} data-state={link.state.as_str()}
            x1={format!("{:.1}", a.0)} y1={format!("{:.1}", a.1)}
            x2={format!("{:.1}", b.0)} y2={format!("{:.1}", b.1)} />
    }
}

fn draw_node(node: &NodeView, (x, y): (f64, f64), now: Time) -> Html {
    let role = node.role.as_str();
    let remaining = timer_remaining(node, now);
    let timer =
        // Below ~2% the arc is a dot that reads as noise rather than as a timer.
        (remaining > 0.02 && matches!(node.role, Role::Follower | Role::Candidate)).then(|| {
            html! { <path class="election-timer" d={arc_path(x, y, ARC_RADIUS, remaining)} /> }
        });
    let tooltip = format!(
        "{}: {role}, term {}, commit index {}, log length {}",
        node.name,
        node.term,
        node.commit_index,
        node.log.len()
    );
    html! {
        <g class={classes!("node", format!("role-{role}"))} data-node-id={node.name.clone()}
            data-role={role} data-term={node.term.to_string()}>
            <title>{ tooltip }</title>
            <circle class="node-ring" cx={format!("{x:.1}")} cy={format!("{y:.1}")}
                r={ARC_RADIUS.to_string()} />
            { for timer }
            <circle class="node-body" cx={format!("{x:.1}")} cy={format!("{y:.1}")}
                r={NODE_RADIUS.to_string()} />
            <text class="node-name" x={format!("{x:.1}")} y={format!("{:.1}", y - 10.0)}>
                { &node.name }
            </text>
            <text class="node-role" x={format!("{x:.1}")} y={format!("{:.1}", y + 8.0)}>
                { role }
            </text>
            <text class="node-term" x={format!("{x:.1}")} y={format!("{:.1}", y + 24.0)}>
                { format!("term {}", node.term) }
            </text>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn positions_are_distinct() {
        let points: Vec<_> = (0..9).map(|i| node_position(i, 9)).collect();
        for (i, a) in points.iter().enumerate() {
            for b in &points[i + 1..] {
                assert!((a.0 - b.0).hypot(a.1 - b.1) > 2.0 * NODE_RADIUS);
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
}
