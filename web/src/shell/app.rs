//! The application shell: owns the playground and the UI settings, lays out the header, control
//! bar, status strip, time bar, cluster view and panels, and schedules the run loop. No protocol
//! logic lives here: every change goes through the core's `Playground` facade.

use std::cell::RefCell;
use std::rc::Rc;

use syncsim_core::playground::{Playground, PlaygroundConfig, UiAction};
use syncsim_core::sim::Time;
use yew::prelude::*;

use super::controls::Controls;
use super::handle::PgHandle;
use super::help::Help;
use super::keyboard::{KeyCommand, KeyListener};
use super::side_panel::SidePanel;
use super::speed::{Speed, DEFAULT_INDEX};
use super::status::Status;
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
            let fallback = PlaygroundConfig::default();
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
fn initial_playground(settings: &url::UrlSettings, problems: &mut Vec<String>) -> Playground {
    let query = url::current_query();
    let (run, t) = (
        share::query_param(&query, "run"),
        share::query_param(&query, "t"),
    );
    match share::open_shared(run.as_deref(), t.as_deref()) {
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

/// What a keyboard shortcut runs (rebuilt every render, so it sees the current state).
type KeyHandler = Rc<dyn Fn(KeyCommand)>;

fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[component]
pub fn App() -> Html {
    let initial = use_memo((), |_| {
        let query = url::current_query();
        let settings = url::parse_query(&query);
        panic::remember(&settings.config);
        if url::wants_debug_panic(&query) {
            panic!("deliberate panic requested by ?debug=panic");
        }
        settings
    });
    let startup_problems = use_mut_ref(Vec::<String>::new);
    let playground: Rc<RefCell<Playground>> = use_mut_ref(|| {
        let pg = initial_playground(&initial, &mut startup_problems.borrow_mut());
        panic::remember(pg.config());
        pg
    });
    let pg = PgHandle(playground.clone());
    let messages = use_state(|| {
        let mut list = initial.problems.clone();
        list.append(&mut startup_problems.borrow_mut());
        list
    });
    let playing = use_state(|| false);
    let speed_index = use_state(|| DEFAULT_INDEX);
    let menu = use_state(|| None::<usize>);
    let help = use_state(|| false);
    let forked_at = use_state(|| None::<Time>);
    let last_sent = use_state(|| None::<Sent>);
    let share_url = use_state(|| None::<String>);
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
        use_effect_with((*playing, *speed_index), move |&(playing, speed_index)| {
            let handle = playing.then(|| {
                runloop::start(playground, Speed::from_index(speed_index), move || {
                    redraw.force_update()
                })
            });
            move || drop(handle)
        });
    }

    let report = {
        let messages = messages.clone();
        Rc::new(move |text: String| {
            let mut list = (*messages).clone();
            list.push(text);
            messages.set(list);
        })
    };
    let rebuild = {
        let (playground, bump, report, forked_at, last_sent, menu) = (
            playground.clone(),
            bump.clone(),
            report.clone(),
            forked_at.clone(),
            last_sent.clone(),
            menu.clone(),
        );
        move |config: PlaygroundConfig| {
            let (pg, problem) = build(config);
            panic::remember(pg.config());
            url::replace_url(pg.config());
            *playground.borrow_mut() = pg;
            if let Some(problem) = problem {
                report(problem);
            }
            forked_at.set(None);
            last_sent.set(None);
            menu.set(None);
            bump();
        }
    };

    let on_act = {
        let (playground, bump, report, forked_at) = (
            playground.clone(),
            bump.clone(),
            report.clone(),
            forked_at.clone(),
        );
        Callback::from(move |action: UiAction| {
            let result = playground.borrow_mut().act(action.clone());
            match result {
                Ok(outcome) if outcome.forked => forked_at.set(Some(playground.borrow().now())),
                Ok(_) => {}
                Err(why) => report(format!("Could not do that: {why}.")),
            }
            bump();
        })
    };
    let on_toggle = {
        let (playing, forked_at, bump) = (playing.clone(), forked_at.clone(), bump.clone());
        Callback::from(move |()| {
            forked_at.set(None);
            playing.set(!*playing);
            // The panels catch up with the exact moment play stopped.
            bump();
        })
    };
    let on_step = {
        let (playground, playing, bump) = (playground.clone(), playing.clone(), bump.clone());
        Callback::from(move |()| {
            playing.set(false);
            playground.borrow_mut().step();
            bump();
        })
    };
    let on_seek = {
        let (playground, playing, bump, forked_at) = (
            playground.clone(),
            playing.clone(),
            bump.clone(),
            forked_at.clone(),
        );
        Callback::from(move |t: Time| {
            playing.set(false);
            forked_at.set(None);
            playground.borrow_mut().seek(t);
            bump();
        })
    };
    let on_sent = {
        let (last_sent, bump) = (last_sent.clone(), bump.clone());
        Callback::from(move |sent: Sent| {
            last_sent.set(Some(sent));
            bump();
        })
    };
    let on_menu = {
        let menu = menu.clone();
        Callback::from(move |m: Option<usize>| menu.set(m))
    };

    // Keyboard shortcuts read the latest state through this cell, refreshed every render.
    let key_handler: Rc<RefCell<Option<KeyHandler>>> = use_mut_ref(|| None);
    {
        let (on_toggle, on_step, on_act, help, menu) = (
            on_toggle.clone(),
            on_step.clone(),
            on_act.clone(),
            help.clone(),
            menu.clone(),
        );
        *key_handler.borrow_mut() = Some(Rc::new(move |cmd: KeyCommand| match cmd {
            KeyCommand::PlayPause => on_toggle.emit(()),
            KeyCommand::Step => on_step.emit(()),
            KeyCommand::ClientRequest => on_act.emit(UiAction::ClientRequest),
            KeyCommand::RestartLeader => on_act.emit(UiAction::RestartLeader),
            KeyCommand::Help => help.set(!*help),
            KeyCommand::Close => {
                help.set(false);
                menu.set(None);
            }
        }));
    }
    {
        let key_handler = key_handler.clone();
        use_effect_with((), move |_| {
            let listener = KeyListener::install(move |cmd| {
                // Release the cell before running: the handler's state changes re-render.
                let handler = key_handler.borrow().clone();
                if let Some(handler) = handler {
                    handler(cmd);
                }
            });
            move || drop(listener)
        });
    }

    let on_share = {
        let (playground, share_url) = (playground.clone(), share_url.clone());
        Callback::from(move |_: MouseEvent| {
            let query = share::share_query(&playground.borrow());
            let base = web_sys::window()
                .and_then(|w| {
                    let l = w.location();
                    Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
                })
                .unwrap_or_default();
            share_url.set(Some(format!("{base}{query}")));
        })
    };
    let preset = |action: UiAction| on_act.reform(move |_: MouseEvent| action.clone());

    let config = playground.borrow().config().clone();
    let on_seed = {
        let (config, rebuild, report) = (config.clone(), rebuild.clone(), report.clone());
        Callback::from(move |raw: String| match url::parse_seed(&raw) {
            Ok(seed) => rebuild(PlaygroundConfig {
                seed,
                ..config.clone()
            }),
            Err(why) => report(format!("Seed not changed: {why}.")),
        })
    };
    let on_nodes = {
        let (config, report, rebuild) = (config.clone(), report.clone(), rebuild.clone());
        Callback::from(move |raw: String| match url::parse_nodes(&raw) {
            Ok(nodes) => rebuild(PlaygroundConfig {
                nodes,
                ..config.clone()
            }),
            Err(why) => report(format!("Node count not changed: {why}.")),
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
    let on_dismiss = {
        let messages = messages.clone();
        Callback::from(move |_: MouseEvent| messages.set(Vec::new()))
    };

    // While playing, the slow panels follow at a few refreshes per second.
    let version = {
        let mut s = slow.borrow_mut();
        let now = wall_ms();
        if *playing && now - s.1 >= SLOW_REFRESH_MS {
            s.0 += 1;
            s.1 = now;
        }
        s.0
    };
    let (view, end) = {
        let p = playground.borrow();
        (p.view(), p.end_time())
    };
    let close_help = {
        let help = help.clone();
        Callback::from(move |()| help.set(false))
    };
    let open_help = {
        let help = help.clone();
        Callback::from(move |_: MouseEvent| help.set(true))
    };
    html! {
        <div class="app">
            <header class="app-header">
                <h1>{ "syncsim" }</h1>
                <p class="tagline">
                    { "Raft and a replicated lock manager on a simulated network, deterministic from a seed." }
                </p>
                <span class="header-actions">
                    <button class="chip" data-testid="share" onclick={on_share}
                        title="Make a link that replays this exact run">{ "Share run" }</button>
                    <button class="chip" data-testid="help-button" onclick={open_help} title="Keyboard and mouse help (?)">{ "? Help" }</button>
                </span>
            </header>
            if let Some(link) = &*share_url {
                <div class="share-box">
                    <span>{ "Link to this run (same seed, actions and time):" }</span>
                    <input data-testid="share-url" readonly=true value={link.clone()}
                        onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<web_sys::HtmlInputElement>().select())} />
                    <a href={link.clone()} target="_blank" rel="noopener">{ "open" }</a>
                </div>
            }
            if !messages.is_empty() {
                <div class="banner banner-warning" role="alert" data-testid="messages">
                    <ul>
                        { for messages.iter().map(|m| html! { <li data-testid="message">{ m }</li> }) }
                    </ul>
                    <button class="dismiss" onclick={on_dismiss} title="Dismiss">{ "✕" }</button>
                </div>
            }
            <Controls playing={*playing} speed_index={*speed_index} seed={config.seed}
                nodes={config.nodes} profile={config.profile.clone()} {on_toggle} {on_step}
                on_speed={{ let s = speed_index.clone(); Callback::from(move |i| s.set(i)) }}
                {on_seed} {on_nodes} {on_profile} />
            <div class="status-row">
                <Status view={view.clone()} />
                <Invariants pg={pg.clone()} {version} />
            </div>
            <Timebar pg={pg.clone()} {version} now={view.now} {end} forked_at={*forked_at} {on_seek} />
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
                    <Cluster view={view.clone()} on_act={on_act.clone()} menu={*menu} {on_menu} />
                    <Legend />
                </section>
                <SidePanel pg={pg.clone()} {version} playing={*playing}
                    last_sent={(*last_sent).clone()} {on_sent} />
            </main>
            if *help { <Help on_close={close_help} /> }
        </div>
    }
}
