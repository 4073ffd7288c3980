//! The application shell: owns the playground, keeps the UI state in a reducer (`state.rs`), lays
//! out the header, control bar, status strip, time bar, cluster view and panels, and schedules
//! the run loop. No protocol logic lives here: every change goes through the core's `Playground` facade.

use std::cell::RefCell;
use std::rc::Rc;

use syncsim_core::playground::{Playground, PlaygroundConfig, UiAction};
use syncsim_core::sim::Time;
use yew::prelude::*;

use super::clock::now_ms;
use super::controls::Controls;
use super::handle::PgHandle;
use super::help::Help;
use super::keyboard::{KeyCommand, KeyListener};
use super::side_panel::SidePanel;
use super::speed::Speed;
use super::state::{AppAction, AppState};
use super::status::Status;
use super::teach::Teach;
use super::timebar::Timebar;
use super::{panic, runloop, share, url};
use crate::cluster::{Cluster, Legend};
use crate::panels::api::Sent;
use crate::panels::invariants::Invariants;

/// Slow panels (logs, lock table, events) re-read the playground at most this often while
/// playing; the cluster drawing follows every frame.
const SLOW_REFRESH_MS: f64 = 150.0;

/// Builds a playground, falling back to the default cluster (with a message) if the core refuses.
fn build(config: PlaygroundConfig) -> (Playground, Option<String>) {
    match Playground::new(config.clone()) {
        Ok(pg) => (pg, None),
        Err(why) => {
            let fallback = url::page_default();
            let pg = Playground::new(fallback).expect("the default configuration is valid");
            (
                pg,
                Some(format!(
                    "Could not build that cluster: {why}. Using the defaults."
                )),
            )
        }
    }
}

/// The first playground: a shared run (`?run=`) if there is a valid one, else the URL's settings.
fn initial_playground(
    params: &[(String, String)],
    settings: &url::UrlSettings,
    problems: &mut Vec<String>,
) -> Playground {
    let (run, t) = (url::param(params, "run"), url::param(params, "t"));
    match share::open_shared(run, t) {
        Ok(Some(pg)) => return pg,
        Ok(None) => {}
        Err(why) => problems.push(format!(
            "This share link could not be opened: {why}. Showing the default run instead."
        )),
    }
    let (pg, problem) = build(settings.config.clone());
    problems.extend(problem);
    pg
}

#[component]
pub fn App() -> Html {
    let params = use_memo((), |_| url::current_params());
    let initial = use_memo((), |_| {
        let settings = url::parse_query(&params);
        panic::remember(&settings.config);
        if url::wants_debug_panic(&params) {
            panic!("deliberate panic requested by ?debug=panic");
        }
        settings
    });
    let startup_problems = use_mut_ref(Vec::<String>::new);
    let playground: Rc<RefCell<Playground>> = use_mut_ref(|| {
        let pg = initial_playground(&params, &initial, &mut startup_problems.borrow_mut());
        panic::remember(pg.config());
        pg
    });
    let pg = PgHandle(playground.clone());
    let state = use_reducer(|| {
        let mut messages = initial.problems.clone();
        messages.append(&mut startup_problems.borrow_mut());
        AppState::new(messages)
    });
    // Callbacks keep the dispatcher, which stays the same from one render to the next.
    let dispatch = state.dispatcher();
    // (version, wall time of the last bump): panels re-read the playground when it changes.
    let slow = use_mut_ref(|| (0u64, 0.0f64));
    let redraw = use_force_update();

    let bump = {
        let (slow, redraw) = (slow.clone(), redraw.clone());
        Rc::new(move || {
            slow.borrow_mut().0 += 1;
            redraw.force_update();
        })
    };

    {
        let (playground, redraw) = (playground.clone(), redraw.clone());
        let stopped = dispatch.clone();
        use_effect_with(
            (state.playing, state.speed_index, state.stop_at),
            move |&(playing, speed_index, stop_at)| {
                let handle = playing.then(|| {
                    runloop::start(
                        playground,
                        Speed::from_index(speed_index),
                        stop_at,
                        move || redraw.force_update(),
                        move || stopped.dispatch(AppAction::Stopped),
                    )
                });
                move || drop(handle)
            },
        );
    }

    let rebuild = {
        let (playground, bump, dispatch) = (playground.clone(), bump.clone(), dispatch.clone());
        move |config: PlaygroundConfig| {
            let (pg, problem) = build(config);
            panic::remember(pg.config());
            url::replace_url(pg.config());
            *playground.borrow_mut() = pg;
            if let Some(problem) = problem {
                dispatch.dispatch(AppAction::Report(problem));
            }
            dispatch.dispatch(AppAction::Rebuilt);
            bump();
        }
    };

    let on_act = {
        let (playground, bump, dispatch) = (playground.clone(), bump.clone(), dispatch.clone());
        Callback::from(move |action: UiAction| {
            let result = playground.borrow_mut().act(action);
            match result {
                Ok(outcome) if outcome.forked => {
                    dispatch.dispatch(AppAction::Forked(playground.borrow().now()))
                }
                Ok(_) => {}
                Err(why) => {
                    dispatch.dispatch(AppAction::Report(format!("Could not do that: {why}.")))
                }
            }
            bump();
        })
    };
    let on_toggle = {
        let (dispatch, bump) = (dispatch.clone(), bump.clone());
        Callback::from(move |()| {
            dispatch.dispatch(AppAction::TogglePlay);
            // The panels catch up with the exact moment play stopped.
            bump();
        })
    };
    let on_step = {
        let (playground, dispatch, bump) = (playground.clone(), dispatch.clone(), bump.clone());
        Callback::from(move |()| {
            dispatch.dispatch(AppAction::Step);
            playground.borrow_mut().step();
            bump();
        })
    };
    let on_seek = {
        let (playground, dispatch, bump) = (playground.clone(), dispatch.clone(), bump.clone());
        Callback::from(move |t: Time| {
            dispatch.dispatch(AppAction::Seek);
            playground.borrow_mut().seek(t);
            bump();
        })
    };
    let on_sent = {
        let (dispatch, bump) = (dispatch.clone(), bump.clone());
        Callback::from(move |sent: Sent| {
            dispatch.dispatch(AppAction::Sent(sent));
            bump();
        })
    };
    let on_menu = dispatch.to_callback().reform(AppAction::SetMenu);
    let on_speed = dispatch.to_callback().reform(AppAction::SetSpeed);

    {
        // Everything the shortcuts use is stable across renders, so they are installed once.
        let (on_toggle, on_step, on_act, dispatch) = (
            on_toggle.clone(),
            on_step.clone(),
            on_act.clone(),
            dispatch.clone(),
        );
        use_effect_with((), move |_| {
            let listener = KeyListener::install(move |cmd| match cmd {
                KeyCommand::PlayPause => on_toggle.emit(()),
                KeyCommand::Step => on_step.emit(()),
                KeyCommand::ClientRequest => on_act.emit(UiAction::ClientRequest),
                KeyCommand::RestartLeader => on_act.emit(UiAction::RestartLeader),
                KeyCommand::Help => dispatch.dispatch(AppAction::ToggleHelp),
                KeyCommand::Close => dispatch.dispatch(AppAction::CloseOverlays),
            });
            move || drop(listener)
        });
    }

    let on_share = {
        let (playground, dispatch) = (playground.clone(), dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            let query = share::share_query(&playground.borrow());
            let base = web_sys::window()
                .and_then(|w| {
                    let l = w.location();
                    Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
                })
                .unwrap_or_default();
            dispatch.dispatch(AppAction::Shared(format!("{base}{query}")));
        })
    };
    let preset = |action: UiAction| on_act.reform(move |_: MouseEvent| action.clone());

    let config = playground.borrow().config().clone();
    let on_seed = {
        let (config, rebuild, dispatch) = (config.clone(), rebuild.clone(), dispatch.clone());
        Callback::from(move |raw: String| match url::parse_seed(&raw) {
            Ok(seed) => rebuild(PlaygroundConfig {
                seed,
                ..config.clone()
            }),
            Err(why) => dispatch.dispatch(AppAction::Report(format!("Seed not changed: {why}."))),
        })
    };
    let on_nodes = {
        let (config, rebuild, dispatch) = (config.clone(), rebuild.clone(), dispatch.clone());
        Callback::from(move |raw: String| match url::parse_nodes(&raw) {
            Ok(nodes) => rebuild(PlaygroundConfig {
                nodes,
                ..config.clone()
            }),
            Err(why) => {
                dispatch.dispatch(AppAction::Report(format!("Node count not changed: {why}.")))
            }
        })
    };
    let on_profile = {
        let (config, rebuild) = (config.clone(), rebuild.clone());
        Callback::from(move |profile: String| {
            rebuild(PlaygroundConfig {
                profile,
                ..config.clone()
            })
        })
    };
    let on_changed = {
        let bump = bump.clone();
        Callback::from(move |()| bump())
    };
    let on_replaced = {
        let (dispatch, bump) = (dispatch.clone(), bump.clone());
        Callback::from(move |()| {
            dispatch.dispatch(AppAction::Step);
            dispatch.dispatch(AppAction::Rebuilt);
            bump();
        })
    };
    let on_watch = dispatch.to_callback().reform(AppAction::PlayUntil);
    let on_dismiss = dispatch
        .to_callback()
        .reform(|_: MouseEvent| AppAction::Dismiss);
    let close_help = dispatch
        .to_callback()
        .reform(|()| AppAction::SetHelp(false));
    let open_help = dispatch
        .to_callback()
        .reform(|_: MouseEvent| AppAction::SetHelp(true));

    // While playing, the slow panels follow at a few refreshes per second.
    let version = {
        let mut s = slow.borrow_mut();
        let now = now_ms();
        if state.playing && now - s.1 >= SLOW_REFRESH_MS {
            s.0 += 1;
            s.1 = now;
        }
        s.0
    };
    let (view, status, end, events) = {
        let p = playground.borrow();
        (
            p.view(),
            p.status_view(),
            p.end_time(),
            p.sim().events_processed(),
        )
    };
    html! {
        <div class="app">
            <header class="app-header">
                <h1>{ "syncsim" }</h1>
                <p class="tagline">
                    { "Raft locks, a consistent-hashing queue, a MESI/MOESI cache and failure detection on a simulated network, replayable from a seed." }
                </p>
                <span class="header-actions">
                    <button class="chip" data-testid="share" onclick={on_share}
                        title="Make a link that replays this exact run">{ "Share run" }</button>
                    <button class="chip" data-testid="help-button" onclick={open_help} title="Keyboard and mouse help (?)">{ "? Help" }</button>
                </span>
            </header>
            if let Some(link) = &state.share_url {
                <div class="share-box">
                    <span>{ "Link to this run (same seed, actions and time):" }</span>
                    <input data-testid="share-url" readonly=true value={link.clone()}
                        onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<web_sys::HtmlInputElement>().select())} />
                    <a href={link.clone()} target="_blank" rel="noopener">{ "open" }</a>
                </div>
            }
            if !state.messages.is_empty() {
                <div class="banner banner-warning" role="alert" data-testid="messages">
                    <ul>
                        { for state.messages.iter().map(|m| html! { <li data-testid="message">{ m }</li> }) }
                    </ul>
                    <button class="dismiss" onclick={on_dismiss} title="Dismiss">{ "✕" }</button>
                </div>
            }
            <Controls playing={state.playing} speed_index={state.speed_index} seed={config.seed}
                nodes={config.nodes} profile={config.profile.clone()} {on_toggle} {on_step}
                {on_speed}
                {on_seed} {on_nodes} {on_profile} />
            <div class="status-row">
                <Status view={view.clone()} {events} />
                <Invariants pg={pg.clone()} {version} />
            </div>
            <Timebar pg={pg.clone()} {version} now={view.now} {end} forked_at={state.forked_at} {on_seek} />
            // Full width above the workspace: a tour step must be on screen together with
            // the cluster, and at 1280×800 a strip costs far less height than the narrow column.
            <Teach pg={pg.clone()} {version} {on_changed} {on_replaced} {on_watch} />
            <main class="workspace">
                <section class="panel cluster-panel" aria-label="Cluster">
                    <div class="panel-head">
                        <h2>{ format!("Cluster of {} servers", view.nodes.len()) }</h2>
                        <span class="presets">
                            <button class="chip" data-testid="preset-isolate-leader" onclick={preset(UiAction::IsolateLeader)}>{ "Isolate leader" }</button>
                            <button class="chip" data-testid="preset-split" onclick={preset(UiAction::SplitMajority)}>{ "Majority | minority" }</button>
                            <button class="chip" data-testid="preset-heal" onclick={preset(UiAction::HealAll)}>{ "Heal all" }</button>
                        </span>
                    </div>
                    <Cluster view={view.clone()} {status} on_act={on_act.clone()} menu={state.menu} {on_menu} />
                    <Legend />
                </section>
                <SidePanel pg={pg.clone()} {version} playing={state.playing}
                    last_sent={state.last_sent.clone()} {on_sent} />
            </main>
            if state.help { <Help on_close={close_help} /> }
        </div>
    }
}
