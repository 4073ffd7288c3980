//! The status strip: virtual clock, leader and trace hash.

use syncsim_core::playground::ClusterView;
use syncsim_core::sim::{Time, SEC};
use yew::prelude::*;

/// "1.234 s": virtual time is in microseconds; milliseconds are what a student can follow.
pub fn format_sim_time(now: Time) -> String {
    format!("{}.{:03} s", now / SEC, (now % SEC) / 1_000)
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub view: ClusterView,
    /// Simulation events processed so far: one "Step" is exactly one more.
    pub events: u64,
}

#[component]
pub fn Status(props: &StatusProps) -> Html {
    let view = &props.view;
    // The test hook holds exactly the leader's name, or nothing; the hint is a sibling.
    let leader = view
        .leader
        .and_then(|id| view.nodes.iter().find(|n| n.id == id))
        .map(|n| n.name.clone());
    html! {
        <section class="status" aria-label="Simulation status">
            <div class="stat">
                <span class="stat-label">{ "Virtual time" }</span>
                <span class="stat-value" data-testid="sim-time">{ format_sim_time(view.now) }</span>
            </div>
            <div class="stat">
                <span class="stat-label">{ "Leader" }</span>
                <span class="stat-value" data-testid="leader">{ leader.clone().unwrap_or_default() }</span>
                if leader.is_none() { <span class="stat-value muted">{ "none" }</span> }
            </div>
            <div class="stat">
                <span class="stat-label" title="Simulation events processed so far (message arrivals, timers, CPU wake-ups): Step processes exactly one">
                    { "Events" }
                </span>
                <span class="stat-value" data-testid="events-processed">{ props.events }</span>
            </div>
            <div class="stat">
                <span class="stat-label" title="A fingerprint of every event so far: equal hashes mean identical runs">
                    { "Trace hash" }
                </span>
                <code class="stat-value" data-testid="trace-hash">{ &view.trace_hash }</code>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_time_shows_seconds_with_milliseconds() {
        assert_eq!(format_sim_time(0), "0.000 s");
        assert_eq!(format_sim_time(1_234_567), "1.234 s");
        assert_eq!(format_sim_time(61 * SEC + 5_000), "61.005 s");
    }
}
