//! The application shell: owns the playground and the UI settings, lays out the header, control
//! bar, status strip and cluster view, and schedules the run loop. No protocol logic lives here.

use std::cell::RefCell;
use std::rc::Rc;

use syncsim_core::playground::{Playground, PlaygroundConfig};
use yew::prelude::*;

use crate::cluster::Cluster;
use crate::controls::Controls;
use crate::legend::Legend;
use crate::speed::{Speed, DEFAULT_INDEX};
use crate::status::Status;
use crate::{panic, runloop, url};

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
    let messages = use_state(|| initial.problems.clone());
    let playground: Rc<RefCell<Playground>> = use_mut_ref(|| {
        let (pg, _) = build(initial.config.clone());
        panic::remember(pg.config());
        pg
    });
    let playing = use_state(|| false);
    let speed_index = use_state(|| DEFAULT_INDEX);
    let redraw = use_force_update();

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
        move |text: String| {
            let mut list = (*messages).clone();
            list.push(text);
            messages.set(list);
        }
    };
    let rebuild = {
        let (playground, redraw, report) = (playground.clone(), redraw.clone(), report.clone());
        move |config: PlaygroundConfig| {
            let (pg, problem) = build(config);
            panic::remember(pg.config());
            url::replace_url(pg.config());
            *playground.borrow_mut() = pg;
            if let Some(problem) = problem {
                report(problem);
            }
            redraw.force_update();
        }
    };

    let config = playground.borrow().config().clone();
    let on_toggle = {
        let playing = playing.clone();
        Callback::from(move |()| playing.set(!*playing))
    };
    let on_step = {
        let (playground, playing, redraw) = (playground.clone(), playing.clone(), redraw.clone());
        Callback::from(move |()| {
            playing.set(false);
            playground.borrow_mut().step();
            redraw.force_update();
        })
    };
    let on_speed = {
        let speed_index = speed_index.clone();
        Callback::from(move |index| speed_index.set(index))
    };
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
        let config = config.clone();
        Callback::from(move |raw: String| match url::parse_nodes(&raw) {
            Ok(nodes) => rebuild(PlaygroundConfig {
                nodes,
                ..config.clone()
            }),
            Err(why) => report(format!("Node count not changed: {why}.")),
        })
    };
    let on_dismiss = {
        let messages = messages.clone();
        Callback::from(move |_: MouseEvent| messages.set(Vec::new()))
    };

    let view = playground.borrow().view();
    html! {
        <div class="app">
            <header class="app-header">
                <h1>{ "syncsim" }</h1>
                <p class="tagline">
                    { "A distributed-synchronization playground: servers agree through Raft on a \
                       simulated network, deterministically from a seed, right in your browser." }
                </p>
            </header>
            if !messages.is_empty() {
                <div class="banner banner-warning" role="alert" data-testid="messages">
                    <ul>
                        { for messages.iter().map(|m| html! { <li data-testid="message">{ m }</li> }) }
                    </ul>
                    <button class="dismiss" onclick={on_dismiss} title="Dismiss">{ "✕" }</button>
                </div>
            }
            <Controls playing={*playing} speed_index={*speed_index} seed={config.seed}
                nodes={config.nodes} {on_toggle} {on_step} {on_speed} {on_seed} {on_nodes} />
            <Status view={view.clone()} />
            <main class="workspace">
                <section class="panel cluster-panel" aria-label="Cluster">
                    <h2>{ format!("Cluster of {} servers", view.nodes.len()) }</h2>
                    <Cluster {view} />
                </section>
                <Legend />
            </main>
        </div>
    }
}
