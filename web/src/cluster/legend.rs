//! The key under the drawing: role colours, message colours, link styles. Short, so a student
//! can read it at a glance; the help overlay (`?`) explains the interactions.

use yew::prelude::*;

use crate::palette::MESSAGE_FAMILIES;

const ROLES: [(&str, &str); 5] = [
    (
        "follower",
        "follows a leader; times out to candidate if it hears nothing",
    ),
    (
        "candidate",
        "asks for votes (pre-vote first) to lead a new term",
    ),
    (
        "leader",
        "won a majority; sends heartbeats, replicates the log",
    ),
    ("crashed", "down: memory lost, disk kept"),
    ("paused", "frozen: keeps everything, reacts to nothing"),
];

#[component]
pub fn Legend() -> Html {
    html! {
        <div class="legend" aria-label="How to read the cluster">
            <div class="legend-group">
                { for ROLES.iter().map(|(role, meaning)| html! {
                    <span class="legend-item" title={*meaning}>
                        <svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                            <circle class={classes!("node-body", format!("role-{role}"))} cx="10" cy="10" r="8" />
                        </svg>
                        { *role }
                    </span>
                }) }
            </div>
            <div class="legend-group">
                { for MESSAGE_FAMILIES.iter().map(|(family, meaning)| html! {
                    <span class="legend-item" title={*meaning}>
                        <svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                            <g class={classes!("message", format!("msg-{family}"))}><circle class="msg-dot" cx="10" cy="10" r="6" /></g>
                        </svg>
                        { *meaning }
                    </span>
                }) }
                <span class="legend-item muted">{ "solid = request, hollow = answer" }</span>
            </div>
            <div class="legend-group">
                <span class="legend-item"><svg class="swatch wide" viewBox="0 0 30 20" aria-hidden="true"><line class="legend-link up" x1="2" y1="10" x2="28" y2="10" /></svg>{ "link up" }</span>
                <span class="legend-item"><svg class="swatch wide" viewBox="0 0 30 20" aria-hidden="true"><line class="legend-link cut" x1="2" y1="10" x2="28" y2="10" /></svg>{ "cut" }</span>
                <span class="legend-item"><svg class="swatch wide" viewBox="0 0 30 20" aria-hidden="true"><line class="legend-link oneway" x1="2" y1="10" x2="28" y2="10" /></svg>{ "one way" }</span>
                <span class="legend-item muted">{ "ring = election timer · click a link, node or message" }</span>
            </div>
            <div class="legend-group">
                <span class="legend-item" title="The highest phi any up peer has for this node: how overdue its heartbeats are. The Status tab shows every pair.">
                    <svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                        <circle cx="10" cy="10" r="7" style="fill: none; stroke: hsl(40, 85%, 42%); stroke-width: 2.5" />
                    </svg>
                    <svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                        <circle cx="10" cy="10" r="7" style="fill: none; stroke: hsl(0, 85%, 40%); stroke-width: 4" />
                    </svg>
                    { "outer ring = peers' suspicion (phi): amber rising, red = suspected · Status tab" }
                </span>
            </div>
        </div>
    }
}
