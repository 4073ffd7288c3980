//! The panels: one module per tab of the side panel (Raft logs, the services' panels, API
//! console, event log), the invariants strip, and the request helpers the console and the
//! locks form share. The Benchmarks tab is a module of its own (`benchtab/`, loaded on demand).
//!
//! Service panels are looked up by the service's tab key (`ServiceApi::tab`) in
//! [`SERVICE_PANELS`]: adding a service's panel is one line there.

pub mod api;
pub mod bench;
pub mod cache;
mod cache_tables;
pub mod cache_verify;
pub mod console;
pub mod events;
pub mod fields;
pub mod invariants;
pub mod locks;
mod locks_tables;
pub mod queue;
pub mod raft;
pub mod status;

use yew::prelude::*;

use self::api::Sent;
use crate::shell::handle::PgHandle;

/// What the shell hands any service panel.
#[derive(Clone, PartialEq)]
pub struct ServicePanelProps {
    pub pg: PgHandle,
    pub version: u64,
    pub playing: bool,
    pub on_sent: Callback<Sent>,
}

/// Renders one service's panel.
pub type ServicePanel = fn(&ServicePanelProps) -> Html;

/// The panel registry: a service tab key and its panel, one line per service.
pub const SERVICE_PANELS: &[(&str, ServicePanel)] = &[
    ("locks", |p| {
        let p = p.clone();
        html! { <locks::LocksPanel pg={p.pg} version={p.version} playing={p.playing} on_sent={p.on_sent} /> }
    }),
    ("queue", |p| {
        let p = p.clone();
        html! { <queue::QueuePanel pg={p.pg} version={p.version} playing={p.playing} on_sent={p.on_sent} /> }
    }),
    ("status", |p| {
        html! { <status::StatusPanel pg={p.pg.clone()} version={p.version} /> }
    }),
    ("cache", |p| {
        let p = p.clone();
        html! { <cache::CachePanel pg={p.pg} version={p.version} playing={p.playing} on_sent={p.on_sent} /> }
    }),
];

/// The panel for the service tab `key`, or a placeholder for a service without one yet.
pub fn service_panel(key: &str, props: &ServicePanelProps) -> Html {
    match SERVICE_PANELS.iter().find(|(k, _)| *k == key) {
        Some((_, panel)) => panel(props),
        None => html! {
            <p class="muted placeholder" data-testid="no-service-panel" data-service-tab={key.to_string()}>
                { "No panel for this service yet." }
            </p>
        },
    }
}

#[cfg(test)]
mod tests {
    use syncsim_core::playground::{Playground, PlaygroundConfig};

    use super::SERVICE_PANELS;

    #[test]
    fn every_panel_belongs_to_a_registered_service() {
        let pg = Playground::new(PlaygroundConfig::default()).unwrap();
        let keys: Vec<_> = pg.services().iter().map(|s| s.tab().0).collect();
        for (key, _) in SERVICE_PANELS {
            assert!(
                keys.contains(key),
                "panel `{key}` has no service; tabs: {keys:?}"
            );
        }
        assert!(
            keys.starts_with(&["locks", "status", "queue", "cache"]),
            "{keys:?}"
        );
    }
}
