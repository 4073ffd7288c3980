//! The Raft panel: each server's log as cells coloured by term (solid once committed, hatched
//! before), its commitIndex / lastApplied markers, the leader's nextIndex / matchIndex for each
//! follower, and the per-node state, term and vote.

use syncsim_core::playground::{ClusterView, NodeView, PeerProgress};
use yew::prelude::*;

use crate::palette::term_colour;
use crate::shell::handle::PgHandle;

/// Log indices shown at once: the most recent ones across the cluster.
pub const WINDOW: u64 = 30;

/// The first index of the window that ends at the longest log.
pub fn window_start(view: &ClusterView) -> u64 {
    let last = view
        .nodes
        .iter()
        .filter_map(|n| n.log.last().map(|c| c.index).or(Some(n.snapshot_index)))
        .max()
        .unwrap_or(0);
    last.saturating_sub(WINDOW - 1).max(1)
}

/// Marker letters under (commit, applied) and above (leader's match, next) one log index.
pub fn markers(node: &NodeView, progress: Option<&PeerProgress>, index: u64) -> (String, String) {
    let mut below = String::new();
    if node.commit_index == index {
        below.push('c');
    }
    if node.last_applied == index {
        below.push('a');
    }
    let mut above = String::new();
    if let Some(p) = progress {
        if p.match_index == index {
            above.push('m');
        }
        if p.next_index == index {
            above.push('n');
        }
    }
    (above, below)
}

#[derive(Properties, PartialEq)]
pub struct RaftPanelProps {
    pub pg: PgHandle,
    /// Bumped by the app when the panel should re-read the playground.
    pub version: u64,
}

#[component]
pub fn RaftPanel(props: &RaftPanelProps) -> Html {
    let view = props.pg.borrow().view();
    let start = window_start(&view);
    let leader = view
        .leader
        .and_then(|l| view.nodes.iter().find(|n| n.id == l));
    let name_of = |id: usize| {
        view.nodes
            .iter()
            .find(|n| n.id == id)
            .map_or_else(|| format!("#{id}"), |n| n.name.clone())
    };
    let ruler = (start..start + WINDOW).map(|i| {
        html! { <span class="ruler-cell">{ if i % 5 == 0 || i == start { i.to_string() } else { String::new() } }</span> }
    });
    let rows = view.nodes.iter().map(|node| {
        let progress = leader
            .filter(|l| l.id != node.id)
            .and_then(|l| l.progress.iter().find(|p| p.peer == node.id));
        let voted = node.voted_for.map_or_else(|| "–".to_string(), name_of);
        let role = node.role.as_str();
        let cells = (start..start + WINDOW).map(|index| {
            let (above, below) = markers(node, progress, index);
            let cell = node.log.iter().find(|c| c.index == index);
            let body = match cell {
                Some(c) => {
                    let state = if c.committed { "committed" } else { "uncommitted" };
                    html! {
                        <span class={classes!("log-cell", state)} style={format!("--term:{}", term_colour(c.term))}
                            data-index={index.to_string()} data-term={c.term.to_string()}
                            title={format!("index {index}, term {}: {} ({state})", c.term, c.label)}>
                            { c.term }
                        </span>
                    }
                }
                None if index <= node.snapshot_index => html! {
                    <span class="log-cell snapshot" title={format!("index {index}: in the snapshot")}>{ "S" }</span>
                },
                None => html! { <span class="log-cell empty"></span> },
            };
            html! {
                <span class="log-col">
                    <span class="marker above">{ above }</span>
                    { body }
                    <span class="marker below">{ below }</span>
                </span>
            }
        });
        let progress_text = progress.map(|p| format!(" · leader's match {} / next {}", p.match_index, p.next_index));
        html! {
            <div class="raft-row" data-raft-node={node.name.clone()}>
                <div class="raft-status">
                    <span class={classes!("role-badge", format!("role-{role}"))}>{ &node.name }</span>
                    <span class="raft-facts">
                        <b>{ role }</b>
                        { format!(" · term {} · voted for {} · commit {} · applied {}", node.term, voted, node.commit_index, node.last_applied) }
                        { progress_text.unwrap_or_default() }
                        if !node.is_voter { <i>{ " · not a voting member" }</i> }
                    </span>
                </div>
                <div class="log-strip">{ for cells }</div>
            </div>
        }
    });
    html! {
        <section class="raft-panel" data-testid="raft-panel" aria-label="Raft logs">
            <div class="log-strip ruler" aria-hidden="true">{ for ruler }</div>
            { for rows }
            <p class="panel-note">
                { "Each cell is a log entry, coloured by the term it was created in: " }
                <span class="log-cell committed inline" style="--term:#6366f1">{ "2" }</span>{ " committed, " }
                <span class="log-cell uncommitted inline" style="--term:#6366f1">{ "2" }</span>{ " not yet. " }
                { "Under a log: c = commitIndex, a = lastApplied. Above a follower's log: the leader's \
                   m = matchIndex (known replicated up to here) and n = nextIndex (what it sends next)." }
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncsim_core::playground::LogCell;

    fn node_with(last: u64) -> NodeView {
        NodeView {
            log: (1..=last)
                .map(|index| LogCell {
                    index,
                    term: 1,
                    ..LogCell::default()
                })
                .collect(),
            ..NodeView::default()
        }
    }

    #[test]
    fn window_ends_at_the_longest_log() {
        let view = ClusterView {
            nodes: vec![node_with(3), node_with(100)],
            ..ClusterView::default()
        };
        assert_eq!(window_start(&view), 100 - WINDOW + 1);
        let short = ClusterView {
            nodes: vec![node_with(3)],
            ..ClusterView::default()
        };
        assert_eq!(window_start(&short), 1);
    }

    #[test]
    fn markers_name_commit_applied_match_and_next() {
        let node = NodeView {
            commit_index: 4,
            last_applied: 3,
            ..NodeView::default()
        };
        let p = PeerProgress {
            peer: 1,
            match_index: 4,
            next_index: 5,
        };
        assert_eq!(markers(&node, Some(&p), 4), ("m".into(), "c".into()));
        assert_eq!(markers(&node, Some(&p), 3), ("".into(), "a".into()));
        assert_eq!(markers(&node, Some(&p), 5), ("n".into(), "".into()));
        assert_eq!(markers(&node, None, 5), ("".into(), "".into()));
    }
}
