//! The status panel: what every node's phi-accrual failure detector thinks of every peer, as a
//! node × peer matrix coloured against the suspicion threshold, who suspects whom, and a
//! one-line explanation of phi for students.

use syncsim_core::base::decimal::{Fixed, Short};
use syncsim_core::services::status::phi::MAX_PHI;
use syncsim_core::services::status::{PeerPhi, StatusNodeView, StatusView};
use yew::prelude::*;

use crate::palette::{format_phi, phi_colour, suspicion_level};
use crate::shell::handle::PgHandle;

#[derive(Properties, PartialEq)]
pub struct StatusPanelProps {
    pub pg: PgHandle,
    pub version: u64,
}

/// A threshold as students read it: "8", "7.5".
pub fn format_threshold(threshold: f64) -> String {
    Short(threshold, 2).to_string()
}

/// The phi `watcher` shows for `peer`, if there is one to show: none on the diagonal, for a
/// peer never heard from, or while the watcher is crashed (a crash forgets everything).
pub fn shown_phi(watcher: &StatusNodeView, peer: usize) -> Option<&PeerPhi> {
    (watcher.node != peer)
        .then(|| watcher.peers.iter().find(|p| p.peer == peer))
        .flatten()
        .filter(|p| p.silent_ms.is_some())
}

/// The cell's inline style: a pale tint of the phi colour while low, the full colour (with
/// white text) near and past the threshold.
fn cell_style(phi: f64, threshold: f64) -> String {
    let level = suspicion_level(phi, threshold);
    let mix = Fixed((15.0 + 85.0 * level).round(), 0);
    let ink = if level >= 0.55 { "white" } else { "#0f172a" };
    format!(
        "background: color-mix(in srgb, {} {mix}%, white); color: {ink}",
        phi_colour(phi, threshold)
    )
}

/// One sentence per suspected node: "n2 is suspected by n1 (phi 9.1) and n3 (phi 8.4)".
pub fn suspicion_lines(view: &StatusView) -> Vec<String> {
    view.nodes
        .iter()
        .filter(|n| !n.suspected_by.is_empty())
        .map(|n| {
            let by: Vec<String> = n
                .suspected_by
                .iter()
                .map(|w| {
                    let phi = view
                        .nodes
                        .iter()
                        .find(|o| &o.name == w)
                        .and_then(|o| o.peers.iter().find(|p| p.peer == n.node))
                        .map(|p| p.phi);
                    format!("{w} (phi {})", format_phi(phi))
                })
                .collect();
            format!("{} is suspected by {}", n.name, by.join(", "))
        })
        .collect()
}

#[component]
pub fn StatusPanel(props: &StatusPanelProps) -> Html {
    let view = props.pg.borrow().status_view();
    let threshold = view.threshold;
    let t = format_threshold(threshold);
    let head = view
        .nodes
        .iter()
        .map(|n| html! { <th scope="col" class="peer">{ &n.name }</th> });
    let rows = view.nodes.iter().map(|w| {
        let cells = view.nodes.iter().map(|p| {
            let key = format!("{}-{}", w.name, p.name);
            if w.node == p.node {
                return html! { <td class="phi self" data-phi-cell={key} title="a node does not watch itself">{ "—" }</td> };
            }
            match shown_phi(w, p.node) {
                // A paused watcher's detector is frozen: it judges nobody until it resumes.
                Some(peer) if w.state != "up" => html! {
                    <td class="phi frozen" data-phi-cell={key} data-phi={Fixed(peer.phi, 2).to_string()}
                        title={format!("{} is {}: its detector is frozen and judges nobody until it resumes", w.name, w.state)}>
                        { format_phi(Some(peer.phi)) }
                    </td>
                },
                Some(peer) => {
                    let silent = peer.silent_ms.unwrap_or_default();
                    let verdict = if peer.suspected { "suspected" } else { "trusted" };
                    let title = format!(
                        "{} about {}: phi {}, last heartbeat {silent} ms ago: {verdict}",
                        w.name, p.name, Fixed(peer.phi, 2));
                    html! {
                        <td class={classes!("phi", peer.suspected.then_some("suspected"))}
                            style={cell_style(peer.phi, threshold)} data-phi-cell={key}
                            data-phi={Fixed(peer.phi, 2).to_string()} {title}>
                            { format_phi(Some(peer.phi)) }
                        </td>
                    }
                }
                None => {
                    let title = if w.state == "crashed" {
                        format!("{} is crashed: its detector starts afresh on restart", w.name)
                    } else {
                        format!("{} has not heard from {} yet", w.name, p.name)
                    };
                    html! { <td class="phi none" data-phi-cell={key} {title}>{ "—" }</td> }
                }
            }
        });
        let note = match w.state.as_str() {
            "paused" => "paused: frozen, it hears nothing until resumed",
            "crashed" => "crashed: its detector starts afresh on restart",
            _ => "up: its detector is running",
        };
        html! {
            <tr class={classes!("phi-row", (w.state != "up").then_some("down"))} data-status-node={w.name.clone()}
                data-state={w.state.clone()}>
                <th scope="row" class="watcher">{ &w.name }</th>
                <td class="node-state"><span class={classes!("state-badge", format!("state-{}", w.state))}
                    title={note}>{ &w.state }</span></td>
                { for cells }
            </tr>
        }
    });
    let lines = suspicion_lines(&view);
    html! {
        <section class="status-panel" data-testid="status-panel" aria-label="Node status"
            data-threshold={Fixed(threshold, 2).to_string()}>
            <p class="phi-explain" data-testid="phi-explain">
                <b>{ "phi" }</b>{ format!(" = −log10(probability that a heartbeat this late is normal); above {t} the peer is suspected.") }
            </p>
            <p class="panel-note">
                { "Every node sends each peer a heartbeat at a steady rhythm and learns how regular they are. \
                   The longer one is overdue, the higher phi climbs: phi 1 means a 1-in-10 chance the delay is normal, \
                   phi 3 a 1-in-1000 chance. Cut a link or pause a node and watch it rise." }
            </p>
            <div class="suspicions" data-testid="suspicions">
                <span class="threshold" data-testid="phi-threshold">{ format!("Threshold {t}") }</span>
                if lines.is_empty() {
                    <span class="nobody">{ "Nobody is suspected." }</span>
                } else {
                    { for lines.iter().map(|l| html! { <span class="suspected-line">{ format!("⚠ {l}") }</span> }) }
                }
            </div>
            <table class="phi-matrix">
                <caption>{ "Row: the node watching · column: the peer it watches" }</caption>
                <thead><tr><th scope="col" class="corner">{ "watcher ↓ · peer →" }</th><th scope="col">{ "state" }</th>{ for head }</tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <div class="phi-scale" aria-hidden="true">
                <span>{ "0 · normal" }</span>
                <span class="bar" style={format!("background: linear-gradient(to right, {}, {}, {})",
                    phi_colour(0.0, threshold), phi_colour(threshold / 2.0, threshold), phi_colour(threshold, threshold))}></span>
                <span>{ format!("{t} · suspected") }</span>
            </div>
            <p class="panel-note">
                { format!("phi stops at {MAX_PHI}: by then a heartbeat is hopelessly overdue.", MAX_PHI = Fixed(MAX_PHI, 0)) }
                if view.nodes.iter().any(|n| n.state != "up") {
                    { " Grey rows: a paused or crashed node's detector is frozen, so it suspects nobody until it runs again." }
                }
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(peer: usize, phi: f64, heard: bool) -> PeerPhi {
        PeerPhi {
            peer,
            name: format!("n{}", peer + 1),
            phi,
            suspected: heard && phi >= 8.0,
            silent_ms: heard.then_some(100),
        }
    }

    fn node(i: usize, peers: Vec<PeerPhi>, suspected_by: &[&str]) -> StatusNodeView {
        StatusNodeView {
            node: i,
            name: format!("n{}", i + 1),
            state: "up".into(),
            peers,
            suspicion: 0.0,
            suspected_by: suspected_by.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn nothing_is_shown_on_the_diagonal_or_for_peers_never_heard() {
        let w = node(0, vec![peer(1, 0.4, true), peer(2, 0.0, false)], &[]);
        assert!(shown_phi(&w, 0).is_none());
        assert_eq!(shown_phi(&w, 1).map(|p| p.phi), Some(0.4));
        assert!(shown_phi(&w, 2).is_none());
        assert!(shown_phi(&w, 3).is_none());
    }

    #[test]
    fn suspicions_read_as_sentences() {
        let view = StatusView {
            threshold: 8.0,
            nodes: vec![
                node(0, vec![peer(1, 9.13, true)], &[]),
                node(1, vec![peer(0, 9.5, true)], &["n1", "n3"]),
                node(2, vec![peer(1, 8.4, true)], &[]),
            ],
        };
        assert_eq!(
            suspicion_lines(&view),
            ["n2 is suspected by n1 (phi 9.1), n3 (phi 8.4)"]
        );
        assert_eq!(format_threshold(8.0), "8");
        assert_eq!(format_threshold(7.5), "7.5");
    }
}
