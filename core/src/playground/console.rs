//! User actions and the API console, for any set of services: kernel faults are planned here,
//! everything else (Raft node actions, the demo client, console requests) by the service that
//! owns it, through its descriptor.

use super::actions::*;
use super::Playground;
use crate::service::console::route;
use crate::service::{ApiExchange, ApiRejection, NodeMenuItem};
use crate::services::Node;
use crate::sim::{Action, Actor, ActorId, NodeState};

type Cmd = <Node as Actor>::Cmd;

impl Playground {
    fn check_server(&self, node: ActorId) -> Result<(), String> {
        if node < self.servers() {
            Ok(())
        } else {
            Err(format!(
                "there is no node n{} (the cluster has {})",
                node + 1,
                self.servers()
            ))
        }
    }

    /// Turn a UI action into simulator actions (most are one; none is an error message).
    fn plan(&self, action: &UiAction) -> Result<Vec<Action<Cmd>>, String> {
        let sim = self.sim();
        let n = self.servers();
        Ok(match *action {
            UiAction::ToggleLink { a, b } => {
                self.check_server(a)?;
                self.check_server(b)?;
                if sim.link_up(a, b) || sim.link_up(b, a) {
                    vec![Action::CutBoth { a, b }]
                } else {
                    vec![Action::HealBoth { a, b }]
                }
            }
            UiAction::CutOneWay { from, to } => vec![Action::Cut { from, to }],
            UiAction::HealLink { a, b } => vec![Action::HealBoth { a, b }],
            UiAction::Isolate { node } => vec![Action::Isolate { node }],
            UiAction::IsolateLeader => vec![Action::Isolate {
                node: self
                    .leader()
                    .ok_or_else(|| "there is no leader right now".to_string())?,
            }],
            UiAction::SplitMajority => {
                if n < 2 {
                    return Err("a split needs at least 2 nodes".into());
                }
                vec![Action::Split {
                    group: (0..n / 2 + 1).collect(),
                }]
            }
            UiAction::HealAll => vec![Action::HealAll],
            UiAction::DropMessage { id } => vec![Action::DropMessage { id }],
            UiAction::Crash { node } => vec![Action::Crash { node }],
            UiAction::Restart { node } => vec![Action::Restart { node }],
            UiAction::Pause { node } => vec![Action::Pause { node }],
            UiAction::Resume { node } => vec![Action::Resume { node }],
            UiAction::RestartLeader => {
                let crashed = (0..n).find(|&i| sim.node_state(i) == NodeState::Crashed);
                match (self.leader(), crashed) {
                    (Some(l), _) => vec![Action::Crash { node: l }],
                    (None, Some(c)) => vec![Action::Restart { node: c }],
                    (None, None) => return Err("there is no leader to restart yet".into()),
                }
            }
            UiAction::ForceTimeout { node }
            | UiAction::AddServer { node }
            | UiAction::RemoveServer { node }
            | UiAction::TransferLeadership { to: node }
            | UiAction::ServiceAction { node, .. } => {
                self.check_server(node)?;
                self.plan_by_service(action)?
            }
            UiAction::ClientRequest => self.plan_by_service(action)?,
        })
    }

    /// Ask each service, in registration order, whether it implements `action`.
    fn plan_by_service(&self, action: &UiAction) -> Result<Vec<Action<Cmd>>, String> {
        self.with_world(|w| {
            self.services()
                .iter()
                .find_map(|s| s.plan(w, action))
                .unwrap_or_else(|| Err(format!("no service implements {action:?}")))
        })
    }

    /// Apply a user action at the current virtual time. Acting in the past forks history.
    pub fn act(&mut self, action: UiAction) -> Result<ActOutcome, String> {
        let planned = self.plan(&action)?;
        let mut forked = false;
        for a in planned {
            forked |= self.timeline.act(a).map_err(|e| e.0)?;
        }
        Ok(ActOutcome { forked })
    }

    /// Send a seed-API request line (e.g. `POST /lock/acquire {"resource":"db"}`) from a console
    /// client to a node. The router finds the service that owns the path; a malformed request
    /// is rejected at once with that service's error (400 naming the field, 404, 405, 413).
    /// Returns the ticket (the client's request sequence number within that service).
    pub fn api_request(
        &mut self,
        client: &str,
        node: ActorId,
        line: &str,
    ) -> Result<u64, ApiRejection> {
        let cid = self.console_client_id(client).ok_or_else(|| {
            ApiRejection::new(
                400,
                format!("client: unknown console client `{client}` (use A, B or C)"),
            )
        })?;
        self.check_server(node)
            .map_err(|m| ApiRejection::new(400, format!("node: {m}")))?;
        let service = route::<Node>(line)?;
        let cmd = service.request(cid, node, line)?;
        let ticket = self.with_world(|w| {
            service
                .exchanges(w)
                .iter()
                .filter(|e| e.client.eq_ignore_ascii_case(client))
                .count() as u64
                + 1
        });
        self.timeline
            .act(Action::Command { to: cid, cmd })
            .map_err(|e| ApiRejection::new(500, e.0))?;
        Ok(ticket)
    }

    /// Every console exchange so far, of every service (pending ones have no status yet),
    /// oldest first.
    pub fn api_exchanges(&self) -> Vec<ApiExchange> {
        let mut out: Vec<ApiExchange> = self.with_world(|w| {
            self.services()
                .iter()
                .flat_map(|s| s.exchanges(w))
                .collect()
        });
        out.sort_by_key(|e| (e.invoked, e.client.clone(), e.ticket));
        out
    }

    /// Example request lines of every service, for console client `client` ("A").
    pub fn api_examples(&self, client: &str) -> Vec<crate::service::ApiExample> {
        let Some(cid) = self.console_client_id(client) else {
            return Vec::new();
        };
        self.with_world(|w| {
            self.services()
                .iter()
                .flat_map(|s| s.examples(w, cid))
                .collect()
        })
    }

    /// The legal actions on `node` now: the kernel's (crash, restart, pause, resume), then
    /// each service's (Raft: force a timeout, transfer leadership, add or remove).
    pub fn node_menu(&self, node: ActorId) -> Vec<NodeMenuItem> {
        if node >= self.servers() {
            return Vec::new();
        }
        let mut out = match self.sim().node_state(node) {
            NodeState::Crashed => vec![NodeMenuItem::new(
                "restart",
                "Restart (recovers its disk)",
                UiAction::Restart { node },
            )],
            NodeState::Paused => vec![
                NodeMenuItem::new("resume", "Resume", UiAction::Resume { node }),
                NodeMenuItem::new("crash", "Crash", UiAction::Crash { node }),
            ],
            NodeState::Up => vec![
                NodeMenuItem::new("crash", "Crash (loses memory)", UiAction::Crash { node }),
                NodeMenuItem::new("pause", "Pause (freeze)", UiAction::Pause { node }),
            ],
        };
        self.with_world(|w| {
            for s in self.services() {
                out.extend(s.node_actions(w, node));
            }
        });
        out
    }
}
