//! The tabbed panel beside the cluster: Raft logs, one tab per registered service (from the
//! core's registry, in registration order), the API console, the event log and the benchmarks.
//! It owns which tab is open; everything else comes from the app. No service is named here:
//! the service tabs come from `Playground::services()` and their panels from
//! `panels::service_panel`.

use yew::prelude::*;

use super::handle::PgHandle;
use crate::panels::api::Sent;
use crate::panels::bench::BenchTab;
use crate::panels::console::Console;
use crate::panels::events::EventLog;
use crate::panels::raft::RaftPanel;
use crate::panels::{service_panel, ServicePanelProps};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tab {
    Raft,
    /// A service's tab, by its key (`ServiceApi::tab`).
    Service(&'static str),
    Console,
    Events,
    Bench,
}

/// The tabs, in order, with their test hook (`data-testid=tab-<key>`) and label: Raft logs,
/// then the services' tabs as given, then the console, the event log and the benchmarks.
fn tabs(services: &[(&'static str, &'static str)]) -> Vec<(Tab, &'static str, &'static str)> {
    let mut out = vec![(Tab::Raft, "raft", "Raft logs")];
    out.extend(
        services
            .iter()
            .map(|&(key, label)| (Tab::Service(key), key, label)),
    );
    out.extend([
        (Tab::Console, "console", "API console"),
        (Tab::Events, "events", "Event log"),
        (Tab::Bench, "benchmarks", "Benchmarks"),
    ]);
    out
}

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
    let services: Vec<_> = props
        .pg
        .borrow()
        .services()
        .iter()
        .map(|s| s.tab())
        .collect();
    let buttons = tabs(&services).into_iter().map(|(t, key, label)| {
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
        Tab::Service(key) => service_panel(
            key,
            &ServicePanelProps {
                pg,
                version,
                playing,
                on_sent,
            },
        ),
        Tab::Console => html! {
            <Console {pg} {version} {playing} last_sent={props.last_sent.clone()} {on_sent} />
        },
        Tab::Events => html! { <EventLog {pg} {version} /> },
        Tab::Bench => html! {},
    };
    html! {
        <section class="panel side-panel">
            <nav class="tabs" role="tablist">{ for buttons }</nav>
            { panel }
            // Kept mounted once opened: switching tabs must not stop a running benchmark.
            if *bench_opened {
                <div class="bench-tab" hidden={*tab != Tab::Bench}><BenchTab /></div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_tabs_sit_between_raft_and_the_console_in_registration_order() {
        let keys: Vec<_> = tabs(&[("locks", "Locks"), ("status", "Status")])
            .into_iter()
            .map(|(_, key, _)| key)
            .collect();
        assert_eq!(
            keys,
            ["raft", "locks", "status", "console", "events", "benchmarks"]
        );
        assert_eq!(tabs(&[])[1].0, Tab::Console);
    }
}
