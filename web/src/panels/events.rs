//! The event log: what happened, in sentences, newest first, filterable by category.

use syncsim_core::playground::{EventCategory, EventView};
use yew::prelude::*;

use crate::shell::handle::PgHandle;
use crate::shell::status::format_sim_time;

/// Events fetched per refresh: enough to scroll back a little, cheap to render.
const LIMIT: usize = 150;

pub const CATEGORIES: [(EventCategory, &str); 7] = [
    (EventCategory::Election, "election"),
    (EventCategory::Role, "role"),
    (EventCategory::Commit, "commit"),
    (EventCategory::Fault, "fault"),
    (EventCategory::Suspicion, "suspicion"),
    (EventCategory::Client, "client"),
    (EventCategory::Message, "message"),
];

/// Where "message" sits in `CATEGORIES`: off by default, and it decides what the core returns.
const MESSAGE: usize = CATEGORIES.len() - 1;

/// Which categories are on at first: all but messages (heartbeats would drown everything else).
const SHOWN_AT_FIRST: [bool; CATEGORIES.len()] = {
    let mut on = [true; CATEGORIES.len()];
    on[MESSAGE] = false;
    on
};

pub fn category_name(c: EventCategory) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(k, _)| *k == c)
        .map_or("other", |(_, n)| n)
}

/// Keeps the events whose category is switched on (`shown` is indexed like `CATEGORIES`).
/// Message events always pass: with "message" off the core returns only the messages the user
/// dropped, which belong in the log like any other fault.
pub fn filter(events: Vec<EventView>, shown: &[bool; CATEGORIES.len()]) -> Vec<EventView> {
    events
        .into_iter()
        .filter(|e| {
            e.category == EventCategory::Message
                || CATEGORIES
                    .iter()
                    .zip(shown)
                    .any(|((c, _), on)| *on && *c == e.category)
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    pub pg: PgHandle,
    pub version: u64,
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let shown = use_state(|| SHOWN_AT_FIRST);
    let events = {
        let pg = props.pg.borrow();
        filter(pg.events(LIMIT, shown[MESSAGE]), &shown)
    };
    let toggles = CATEGORIES.iter().enumerate().map(|(i, (_, name))| {
        let on = shown[i];
        let shown = shown.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let mut next = *shown;
            next[i] = !next[i];
            shown.set(next);
        });
        html! {
            <button class={classes!("chip", "cat", format!("cat-{name}"), on.then_some("on"))}
                data-filter={*name} aria-pressed={on.to_string()} {onclick}>{ *name }</button>
        }
    });
    let rows = events.iter().rev().map(|e| {
        let cat = category_name(e.category);
        html! {
            <li class={classes!("event", format!("cat-{cat}"), e.reason.is_some().then_some("why"))}
                data-category={cat} data-reason={e.reason.clone()} title={e.reason.is_some().then(|| e.text.clone())}>
                <span class="t">{ format_sim_time(e.t) }</span>
                <span class="cat-tag">{ cat }</span>
                <span class="text">{ &e.text }</span>
            </li>
        }
    });
    html! {
        <section class="event-panel" aria-label="Event log">
            <div class="filters"><span class="muted">{ "Show: " }</span>{ for toggles }</div>
            <ol class="event-log" data-testid="event-log">
                if events.is_empty() { <li class="muted">{ "Nothing yet: press play or step." }</li> }
                { for rows }
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(category: EventCategory) -> EventView {
        EventView {
            seq: 0,
            t: 0,
            category,
            text: String::new(),
            reason: None,
        }
    }

    #[test]
    fn filter_keeps_only_switched_on_categories() {
        let all = vec![
            ev(EventCategory::Election),
            ev(EventCategory::Fault),
            ev(EventCategory::Message),
        ];
        let kept = filter(all, &[true, false, false, false, false, false, false]);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].category, EventCategory::Election);
        assert_eq!(
            kept[1].category,
            EventCategory::Message,
            "fetched messages are shown"
        );
    }

    #[test]
    fn every_category_has_a_name_and_suspicion_is_on_at_first() {
        assert_eq!(CATEGORIES[MESSAGE].0, EventCategory::Message);
        assert!(!SHOWN_AT_FIRST[MESSAGE]);
        assert_eq!(category_name(EventCategory::Suspicion), "suspicion");
        let kept = filter(vec![ev(EventCategory::Suspicion)], &SHOWN_AT_FIRST);
        assert_eq!(kept.len(), 1);
    }
}
