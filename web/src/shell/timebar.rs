//! The time slider: from 0 to the furthest virtual time reached, with checkpoint ticks.
//! Dragging it seeks (shows the past); acting there forks history.

use syncsim_core::base::decimal::Fixed;
use syncsim_core::sim::Time;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::handle::PgHandle;
use super::status::format_sim_time;

/// At most this many tick marks are drawn, however long the run.
const MAX_TICKS: usize = 120;

/// Tick positions in percent of the slider's width (thinned out evenly when too many).
pub fn tick_percents(checkpoints: &[Time], end: Time) -> Vec<f64> {
    if end == 0 {
        return Vec::new();
    }
    let stride = checkpoints.len().div_ceil(MAX_TICKS).max(1);
    checkpoints
        .iter()
        .step_by(stride)
        .map(|&t| 100.0 * t as f64 / end as f64)
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct TimebarProps {
    pub pg: PgHandle,
    pub version: u64,
    pub now: Time,
    pub end: Time,
    /// Set when the last action forked history (the time it happened).
    pub forked_at: Option<Time>,
    pub on_seek: Callback<Time>,
}

#[component]
pub fn Timebar(props: &TimebarProps) -> Html {
    let ticks = {
        let pg = props.pg.clone();
        let end = props.end;
        use_memo((props.version, end), move |_| {
            tick_percents(&pg.borrow().checkpoint_times(), end)
        })
    };
    let on_input = props.on_seek.reform(|e: InputEvent| {
        // The browser's number for the slider (NaN if it has none, which maps to 0 as before).
        let v = e
            .target_unchecked_into::<HtmlInputElement>()
            .value_as_number();
        v.max(0.0) as Time
    });
    let in_past = props.now < props.end;
    html! {
        <section class={classes!("timebar", in_past.then_some("in-past"))} aria-label="Time travel">
            <span class="time-label">{ "Time" }</span>
            <div class="slider-wrap">
                <input data-testid="time-slider" type="range" min="0" max={props.end.max(1).to_string()}
                    step="any" value={props.now.to_string()} oninput={on_input}
                    title="Drag back to see an earlier state; acting there forks history" />
                <div class="ticks" aria-hidden="true">
                    { for ticks.iter().map(|p| html! { <span class="tick" style={format!("left:{}%", Fixed(*p, 2))}></span> }) }
                </div>
            </div>
            <span class="time-range">{ format!("{} / {}", format_sim_time(props.now), format_sim_time(props.end)) }</span>
            if let Some(t) = props.forked_at {
                <span class="note forked" data-testid="forked">{ format!("History forked at {}: the old future was discarded.", format_sim_time(t)) }</span>
            } else if in_past {
                <span class="note past" data-testid="in-past">{ "Viewing the past: play replays the recorded future; acting forks it." }</span>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_thinned_and_scaled() {
        let cps: Vec<Time> = (0..1000).map(|k| k * 10).collect();
        let ticks = tick_percents(&cps, 10_000);
        assert!(ticks.len() <= MAX_TICKS);
        assert_eq!(ticks[0], 0.0);
        assert!(ticks.iter().all(|p| (0.0..=100.0).contains(p)));
        assert!(tick_percents(&cps, 0).is_empty());
    }
}
