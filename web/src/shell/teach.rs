//! The teaching bar: the one-sentence narration, the network profile's name, "Next delivery",
//! the tours (list, step, back/next/exit) and presentation mode. One generic component over
//! the core's data: the tours, their predicates and the narration all live in the core.

use std::cell::RefCell;
use std::rc::Rc;

use syncsim_core::net::NetProfile;
use syncsim_core::playground::tours::{tours, TourRun};
use yew::prelude::*;

use crate::shell::handle::PgHandle;

/// Event-log lines searched for the newest reason shown in a tour step.
const WHY_LOOKBACK: usize = 60;

#[derive(Properties, PartialEq)]
pub struct TeachProps {
    pub pg: PgHandle,
    pub version: u64,
    /// The playground changed (a step, a delivery): redraw.
    pub on_changed: Callback<()>,
    /// The playground was replaced (a tour started): stop playing, redraw.
    pub on_replaced: Callback<()>,
    /// Play until this virtual time (the playground was just seeked to the step's start).
    pub on_watch: Callback<syncsim_core::sim::Time>,
}

/// Marks the page for the stylesheet: `data-highlight` (the step's elements) and the
/// presentation class. The page's one `<body>` carries them so any panel can react.
fn mark_body(highlight: &str, presentation: bool) {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let _ = body.set_attribute("data-highlight", highlight);
    body.set_class_name(if presentation { "presentation" } else { "" });
    // A step about a service opens its tab (the tab buttons are the side panel's own).
    for h in highlight.split(' ') {
        if let Some(tab) = h.strip_prefix("tab-") {
            let sel = format!("[data-testid=tab-{tab}]");
            if let Some(el) = body.query_selector(&sel).ok().flatten() {
                if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                    el.click();
                }
            }
        }
    }
}

#[component]
pub fn Teach(props: &TeachProps) -> Html {
    let run: Rc<RefCell<Option<TourRun>>> = use_mut_ref(|| None);
    let error = use_state(|| None::<String>);
    let presentation = use_state(|| false);
    let list = use_memo((), |_| {
        tours()
            .into_iter()
            .map(|t| (t.key, t.title))
            .collect::<Vec<_>>()
    });

    let (narration, profile, step, why) = {
        let pg = props.pg.borrow();
        let profile = NetProfile::parse(&pg.config().profile).ok();
        let step = run.borrow().as_ref().map(|r| r.view(&pg));
        // During a tour, the newest decision's reason explains what the step just showed; the
        // queue partitions' own Raft groups would only distract from the cluster's (except on
        // the ring tour, which is about them).
        let ring = step.as_ref().is_some_and(|s| s.key == "consistent-hashing");
        let why = step.as_ref().and_then(|_| {
            pg.events(WHY_LOOKBACK, false)
                .into_iter()
                .rev()
                .find(|e| e.reason.is_some() && (ring || !e.text.starts_with("queue partition")))
        });
        (pg.narration(), profile, step, why)
    };
    {
        let highlight = step
            .as_ref()
            .map(|s| s.highlight.join(" "))
            .unwrap_or_default();
        let on = *presentation;
        use_effect_with((highlight, on), move |(h, on)| mark_body(h, *on));
    }

    // One handler for back/next/exit/start: it runs `f` on the tour and the playground.
    let act = |f: fn(&mut Option<TourRun>, &PgHandle) -> Result<bool, String>| {
        let (run, pg, error) = (run.clone(), props.pg.clone(), error.clone());
        let (changed, replaced) = (props.on_changed.clone(), props.on_replaced.clone());
        Callback::from(move |_: MouseEvent| {
            let result = f(&mut run.borrow_mut(), &pg);
            error.set(result.as_ref().err().cloned());
            if result == Ok(true) {
                replaced.emit(());
            } else {
                changed.emit(());
            }
        })
    };
    let on_next = act(|r, pg| match r {
        Some(r) => r.next(&mut pg.borrow_mut()).map(|_| false),
        None => Ok(false),
    });
    let on_back = act(|r, pg| match r {
        Some(r) => r.back(&mut pg.borrow_mut()).map(|_| false),
        None => Ok(false),
    });
    let on_exit = act(|r, _| {
        *r = None;
        Ok(false)
    });
    let on_delivery = {
        let (pg, changed) = (props.pg.clone(), props.on_changed.clone());
        Callback::from(move |_: MouseEvent| {
            pg.borrow_mut().step_to_delivery();
            changed.emit(());
        })
    };
    // Watch the step happen: back to its start on the timeline, then play to its end at the
    // page's speed (the recorded run replays exactly).
    let on_watch = {
        let (pg, watch) = (props.pg.clone(), props.on_watch.clone());
        let span = step.as_ref().and_then(|s| s.watch);
        Callback::from(move |_: MouseEvent| {
            if let Some((from, to)) = span {
                pg.borrow_mut().seek(from);
                watch.emit(to);
            }
        })
    };
    let on_presentation = {
        let presentation = presentation.clone();
        Callback::from(move |_: MouseEvent| presentation.set(!*presentation))
    };
    let start = |key: &'static str| {
        let (run, pg, error) = (run.clone(), props.pg.clone(), error.clone());
        let replaced = props.on_replaced.clone();
        Callback::from(move |_: MouseEvent| match TourRun::start(key) {
            Ok((r, p)) => {
                *pg.borrow_mut() = p;
                *run.borrow_mut() = Some(r);
                error.set(None);
                replaced.emit(());
            }
            Err(e) => error.set(Some(e)),
        })
    };

    html! {
        <section class="teach" aria-label="Teaching">
            <p class="narration" data-testid="now-narration" aria-live="polite">{ narration }</p>
            <div class="teach-row">
                if let Some(p) = profile {
                    <span class="muted" data-testid="profile-name" title={p.description()}>
                        { format!("Network: {}", p.name()) }
                    </span>
                }
                <button class="chip" data-testid="step-delivery" onclick={on_delivery}
                    title="Run until the next message is delivered">{ "Next delivery" }</button>
                <button class="chip" data-testid="presentation-mode" onclick={on_presentation}
                    aria-pressed={presentation.to_string()}
                    title="Larger type, a colour-blind-safe palette, the cluster and one panel">{ "Presentation mode" }</button>
            </div>
            if let Some(s) = &step {
                <div class="tour-step" data-testid="tour-step" data-tour={s.key}
                    data-step={s.step.to_string()} data-total={s.total.to_string()}
                    data-waiting={s.waiting.to_string()} data-done={s.done.to_string()}>
                    <strong>{ format!("{} · step {} of {}", s.title, s.step, s.total) }</strong>
                    <p>{ &s.text }</p>
                    if let Some(w) = &s.why {
                        <p class="why" data-testid="tour-why">{ format!("Why: {w}") }</p>
                    } else if let Some(e) = &why {
                        <p class="why" data-testid="tour-why" data-reason={e.reason.clone()}>{ format!("Why: {}", e.text) }</p>
                    }
                    if s.waiting { <p class="muted">{ "Waiting for your action…" }</p> }
                    <span class="tour-buttons">
                        <button class="chip" data-testid="tour-back" disabled={s.step == 1} onclick={on_back}>{ "◀ Back" }</button>
                        if s.watch.is_some() {
                            <button class="chip" data-testid="tour-watch" onclick={on_watch}
                                title="Replay this step from its start at the chosen speed">{ "▶ Watch it happen" }</button>
                        }
                        <button class="chip primary" data-testid="tour-next" disabled={s.done || s.waiting} onclick={on_next}>{ "Next ▶" }</button>
                        <button class="chip" data-testid="tour-exit" onclick={on_exit}>{ "Exit tour" }</button>
                    </span>
                </div>
            } else {
                <div class="tour-list" data-testid="tour-list">
                    <span class="muted">{ "Guided tours: " }</span>
                    { for list.iter().map(|&(key, title)| html! {
                        <button class="chip" data-tour={key} onclick={start(key)}>{ title }</button>
                    }) }
                </div>
            }
            if let Some(e) = &*error { <p class="tour-error" data-testid="tour-error" role="alert">{ e }</p> }
        </section>
    }
}
