//! The side panel that explains what the drawing means, for a student seeing it the first time.

use yew::prelude::*;

const ROLES: [(&str, &str); 5] = [
    (
        "follower",
        "waits for a leader; becomes a candidate if it hears nothing before its timer runs out",
    ),
    (
        "candidate",
        "asks the others for votes to become leader of a new term",
    ),
    (
        "leader",
        "won a majority of votes; sends heartbeats and replicates the log",
    ),
    (
        "crashed",
        "down: loses what it held in memory, keeps its disk",
    ),
    ("paused", "frozen: keeps everything but does not react"),
];

#[component]
pub fn Legend() -> Html {
    html! {
        <aside class="panel legend" aria-label="How to read the cluster">
            <h2>{ "How to read it" }</h2>
            <ul class="roles">
                { for ROLES.iter().map(|(role, meaning)| html! {
                    <li>
                        <svg class="swatch" viewBox="0 0 20 20" aria-hidden="true">
                            <circle class={classes!("node-body", format!("role-{role}"))} cx="10" cy="10" r="8" />
                        </svg>
                        <span><b>{ *role }</b>{ format!(": {meaning}") }</span>
                    </li>
                }) }
            </ul>
            <p>{ "The ring around a follower or candidate is its election timer draining. \
                  Each server shows its term, the election round it believes in." }</p>
            <p>{ "Play runs the simulation; Step processes one event. Speed is virtual time per \
                  real second. The trace hash fingerprints the run: the same seed and the same \
                  actions always give the same hash." }</p>
        </aside>
    }
}
