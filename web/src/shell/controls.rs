//! The control bar: play/pause, step, speed, seed and node count. It owns no state: every change
//! goes back to the app as a callback, with raw text for the fields so the app can explain a bad
//! value instead of silently ignoring it.

use syncsim_core::net::NetProfile;
use syncsim_core::playground::{MAX_NODES, MIN_NODES};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::speed::{Speed, MAX_INDEX};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub playing: bool,
    pub speed_index: usize,
    pub seed: u64,
    pub nodes: usize,
    pub profile: String,
    pub on_toggle: Callback<()>,
    pub on_step: Callback<()>,
    pub on_speed: Callback<usize>,
    pub on_seed: Callback<String>,
    pub on_nodes: Callback<String>,
    pub on_profile: Callback<String>,
}

fn input_value(event: &Event) -> String {
    event.target_unchecked_into::<HtmlInputElement>().value()
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let on_toggle = props.on_toggle.reform(|_: MouseEvent| ());
    let on_step = props.on_step.reform(|_: MouseEvent| ());
    let on_speed = props.on_speed.reform(|event: InputEvent| {
        let value = event.target_unchecked_into::<HtmlInputElement>().value();
        value.parse().unwrap_or(MAX_INDEX)
    });
    let on_seed = props.on_seed.reform(|event: Event| input_value(&event));
    let on_nodes = props.on_nodes.reform(|event: Event| input_value(&event));
    let on_profile = props
        .on_profile
        .reform(|event: Event| event.target_unchecked_into::<HtmlSelectElement>().value());
    let (play_label, play_title) = if props.playing {
        ("❚❚ Pause", "Pause the simulation")
    } else {
        ("▶ Play", "Run the simulation continuously")
    };
    html! {
        <section class="controls" aria-label="Simulation controls">
            <button data-testid="play" class={classes!("primary", props.playing.then_some("playing"))}
                title={play_title} aria-pressed={props.playing.to_string()} onclick={on_toggle}>
                { play_label }
            </button>
            <button data-testid="step" title="Process exactly one simulation event" onclick={on_step}>
                { "Step" }
            </button>
            <label class="field speed">
                <span>{ "Speed" }</span>
                <input data-testid="speed" type="range" min="0" max={MAX_INDEX.to_string()} step="1"
                    value={props.speed_index.to_string()} oninput={on_speed}
                    title="Virtual time per real second (log scale)" />
                <output>{ Speed::from_index(props.speed_index).label() }</output>
            </label>
            <label class="field">
                <span>{ "Seed" }</span>
                <input data-testid="seed" type="text" inputmode="numeric" size="10"
                    value={props.seed.to_string()} onchange={on_seed}
                    title="Same seed + same actions = same run. Press Enter to apply." />
            </label>
            <label class="field">
                <span>{ "Nodes" }</span>
                <input data-testid="nodes" type="number" min={MIN_NODES.to_string()}
                    max={MAX_NODES.to_string()} value={props.nodes.to_string()} onchange={on_nodes}
                    title={format!("Number of servers ({MIN_NODES}–{MAX_NODES})")} />
            </label>
            <label class="field">
                <span>{ "Network" }</span>
                <select data-testid="profile" onchange={on_profile} title="Latency, jitter and loss of every link">
                    { for NetProfile::ALL.iter().map(|p| html! {
                        <option value={p.name()} selected={p.name() == props.profile} title={p.description()}>
                            { p.name() }
                        </option>
                    }) }
                </select>
            </label>
        </section>
    }
}
