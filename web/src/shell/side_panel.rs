//! The tabbed panel beside the cluster: Raft logs, locks, the API console, the event log and the
//! benchmarks. It owns which tab is open; everything else comes from the app.

use yew::prelude::*;

use super::handle::PgHandle;
use crate::panels::api::Sent;
use crate::panels::bench::BenchPanel;
use crate::panels::console::Console;
use crate::panels::events::EventLog;
use crate::panels::locks::LocksPanel;
use crate::panels::raft::RaftPanel;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Raft,
    Locks,
    Console,
    Events,
    Bench,
}

/// Tabs with their test hook (`data-testid=tab-<key>`) and label.
const TABS: [(Tab, &str, &str); 5] = [
    (Tab::Raft, "raft", "Raft logs"),
    (Tab::Locks, "locks", "Locks"),
    (Tab::Console, "console", "API console"),
    (Tab::Events, "events", "Event log"),
    (Tab::Bench, "benchmarks", "Benchmarks"),
];

#[derive(Properties, PartialEq)]
pub struct SidePanelProps {
    pub pg: PgHandle,
    pub version: u64,
    pub playing: bool,
    pub last_sent: Option<Sent>,
    pub on_sent: Callback<Sent>,
}

#[component]
pub fn SidePanel(props: &SidePanelProps) -> Html {
    let tab = use_state(|| Tab::Raft);
    // The benchmarks panel mounts the first time its tab opens, then stays mounted.
    let bench_opened = use_state(|| false);
    let tabs = TABS.iter().map(|&(t, key, label)| {
        let (tab_state, bench_opened) = (tab.clone(), bench_opened.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            if t == Tab::Bench {
                bench_opened.set(true);
            }
            tab_state.set(t)
        });
        html! {
            <button role="tab" class={classes!("tab", (*tab == t).then_some("active"))}
                aria-selected={(*tab == t).to_string()} data-testid={format!("tab-{key}")} {onclick}>
                { label }
            </button>
        }
    });
    let (pg, version, playing) = (props.pg.clone(), props.version, props.playing);
    let on_sent = props.on_sent.clone();
    let panel = match *tab {
        Tab::Raft => html! { <RaftPanel {pg} {version} /> },
        Tab::Locks => html! { <LocksPanel {pg} {version} {playing} {on_sent} /> },
        Tab::Console => html! {
            <Console {pg} {version} {playing} last_sent={props.last_sent.clone()} {on_sent} />
        },
        Tab::Events => html! { <EventLog {pg} {version} /> },
        Tab::Bench => html! {},
    };
    html! {
        <section class="panel side-panel">
            <nav class="tabs" role="tablist">{ for tabs }</nav>
            { panel }
            // Kept mounted once opened: switching tabs must not stop a running benchmark.
            if *bench_opened {
                <div class="bench-tab" hidden={*tab != Tab::Bench}><BenchPanel /></div>
            }
        </section>
    }
}
