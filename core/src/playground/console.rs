//! User actions, the API console and the lock-table panel.

use super::actions::*;
use super::{server, Playground, CONSOLE_CLIENTS};
use crate::lock::{parse_request, render_response, to_client_op, LockCmd, LockMode, LockOutput};
use crate::raft::{ClientCmd, ClientOp, ClientResult, ProcessCmd, ServerCmd};
use crate::sim::{Action, ActorId, NodeState};

type Cmd = ProcessCmd<LockCmd>;

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

    fn server_cmd(&self, to: ActorId, cmd: ServerCmd) -> Action<Cmd> {
        Action::Command {
            to,
            cmd: ProcessCmd::Server(cmd),
        }
    }

    /// Turn a UI action into simulator actions (most are one; none is an error message).
    fn plan(&self, action: &UiAction) -> Result<Vec<Action<Cmd>>, String> {
        let sim = self.sim();
        let n = self.servers();
        let leader = || {
            self.leader()
                .ok_or_else(|| "there is no leader right now".to_string())
        };
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
            UiAction::IsolateLeader => vec![Action::Isolate { node: leader()? }],
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
            UiAction::ForceTimeout { node } => {
                self.check_server(node)?;
                vec![self.server_cmd(node, ServerCmd::ForceTimeout)]
            }
            UiAction::TransferLeadership { to } => {
                self.check_server(to)?;
                vec![self.server_cmd(leader()?, ServerCmd::TransferLeadership { to })]
            }
            UiAction::AddServer { node } => {
                self.check_server(node)?;
                vec![self.server_cmd(leader()?, ServerCmd::AddServer { id: node })]
            }
            UiAction::RemoveServer { node } => {
                self.check_server(node)?;
                vec![self.server_cmd(leader()?, ServerCmd::RemoveServer { id: node })]
            }
            UiAction::RestartLeader => {
                let crashed = (0..n).find(|&i| sim.node_state(i) == NodeState::Crashed);
                match (self.leader(), crashed) {
                    (Some(l), _) => vec![Action::Crash { node: l }],
                    (None, Some(c)) => vec![Action::Restart { node: c }],
                    (None, None) => return Err("there is no leader to restart yet".into()),
                }
            }
            UiAction::ClientRequest => {
                // Client C toggles an exclusive lock on "demo": acquire if it holds none,
                // otherwise release the holding the replicated table shows.
                let c = n + CONSOLE_CLIENTS.len() - 1;
                let held = self.table_replica().and_then(|t| {
                    t.holders("demo")
                        .iter()
                        .find(|h| h.client == c)
                        .map(|h| h.lock_id)
                });
                let cmd = match held {
                    Some(lock_id) => LockCmd::Release {
                        resource: "demo".into(),
                        lock_id,
                    },
                    None => LockCmd::Acquire {
                        resource: "demo".into(),
                        mode: LockMode::Exclusive,
                        wait_timeout_ms: Some(5_000),
                        lease_ms: 30_000,
                    },
                };
                vec![Action::Command {
                    to: c,
                    cmd: ProcessCmd::Client(ClientCmd::Submit {
                        target: None,
                        op: ClientOp::Cmd(cmd),
                    }),
                }]
            }
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
    /// client to a node. A malformed request is rejected at once with the router's error.
    /// Returns the ticket (the client's request sequence number) of the exchange.
    pub fn api_request(
        &mut self,
        client: &str,
        node: ActorId,
        line: &str,
    ) -> Result<u64, ApiRejection> {
        let reject = |status: u16, message: String| ApiRejection { status, message };
        let cid = self.console_client_id(client).ok_or_else(|| {
            reject(
                400,
                format!("unknown console client `{client}` (use A, B or C)"),
            )
        })?;
        self.check_server(node).map_err(|m| reject(400, m))?;
        let req = parse_request(line).map_err(|e| reject(e.status, e.message))?;
        let op = to_client_op(&req);
        let ticket = self
            .timeline
            .actions()
            .iter()
            .filter(|r| matches!(&r.action, Action::Command { to, cmd: ProcessCmd::Client(_) } if *to == cid))
            .count() as u64
            + 1;
        let action = Action::Command {
            to: cid,
            cmd: ProcessCmd::Client(ClientCmd::Submit {
                target: Some(node),
                op,
            }),
        };
        self.timeline.act(action).map_err(|e| reject(500, e.0))?;
        Ok(ticket)
    }

    /// Every console exchange so far (pending ones have no status yet), oldest first.
    /// Console clients only run what was submitted to them, in order, so the k-th recorded
    /// submission to a client is the k-th entry of its history.
    pub fn api_exchanges(&self) -> Vec<ApiExchange> {
        let sim = self.sim();
        let now = sim.now();
        let mut out = Vec::new();
        for (k, name) in CONSOLE_CLIENTS.iter().enumerate() {
            let cid = self.servers() + k;
            let Some(c) = sim.actor(cid).client() else {
                continue;
            };
            let submitted = self
                .timeline
                .actions()
                .iter()
                .filter(|r| r.at <= now)
                .filter_map(|r| match &r.action {
                    Action::Command {
                        to,
                        cmd: ProcessCmd::Client(ClientCmd::Submit { target, op }),
                    } if *to == cid => Some((r.at, *target, op)),
                    _ => None,
                });
            for (i, (at, target, op)) in submitted.enumerate() {
                let h = c.history().get(i);
                let (status, body) = match h.map(|h| (&h.result, h.completed)) {
                    Some((None, Some(_))) => (
                        Some(504),
                        Some(json_pretty(
                            &serde_json::json!({"error": "timeout: no answer from the node"}),
                        )),
                    ),
                    Some((Some(r), _)) => {
                        let (s, v) = render_result(self, r);
                        (Some(s), Some(json_pretty(&v)))
                    }
                    _ => (None, None),
                };
                out.push(ApiExchange {
                    ticket: i as u64 + 1,
                    client: name.to_string(),
                    node: target.or(h.and_then(|_| c.known_leader())).unwrap_or(0),
                    request: render_op(op),
                    invoked: h.map_or(at, |h| h.invoked),
                    completed: h.and_then(|h| h.completed),
                    status,
                    body,
                });
            }
        }
        out.sort_by_key(|e| (e.invoked, e.client.clone(), e.ticket));
        out
    }

    /// The replica whose lock table the UI shows: the leader, else the most advanced up server.
    pub(crate) fn table_replica(&self) -> Option<&crate::lock::LockTable> {
        let sim = self.sim();
        let id = self.leader().or_else(|| {
            (0..self.servers())
                .filter(|&i| sim.node_state(i) != NodeState::Crashed)
                .max_by_key(|&i| server(sim, i).map_or(0, |s| s.applied_index()))
        })?;
        server(sim, id).map(|s| s.state_machine())
    }

    pub fn lock_table(&self) -> LockTableView {
        let replica = self.leader();
        let Some(t) = self.table_replica() else {
            return LockTableView::default();
        };
        let rows = t
            .resources()
            .into_iter()
            .map(|s| LockRowView {
                resource: s.resource.clone(),
                mode: s.mode.map(|m| mode_name(m).to_string()),
                holders: s
                    .holders
                    .iter()
                    .map(|h| LockHolderView {
                        client: self.actor_label(h.client),
                        lock_id: h.lock_id,
                        mode: mode_name(h.mode).into(),
                        fencing_token: h.fencing_token,
                        expires_at: h.expires_at.unwrap_or(0),
                    })
                    .collect(),
                waiters: s
                    .waiters
                    .iter()
                    .map(|w| LockWaiterView {
                        client: self.actor_label(w.client),
                        mode: mode_name(w.mode).into(),
                        since: w.since,
                    })
                    .collect(),
            })
            .collect();
        let wait_for = t
            .wait_for_edges()
            .into_iter()
            .map(|(w, h, r)| (self.actor_label(w), self.actor_label(h), r))
            .collect();
        LockTableView {
            replica,
            rows,
            wait_for,
        }
    }
}

fn mode_name(m: LockMode) -> &'static str {
    match m {
        LockMode::Shared => "shared",
        LockMode::Exclusive => "exclusive",
    }
}

fn json_pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// HTTP-like rendering of a client result: lock outputs through the router's renderer, a
/// NotLeader answer as 421 Misdirected Request naming the leader.
fn render_result(p: &Playground, r: &ClientResult<LockOutput>) -> (u16, serde_json::Value) {
    match r {
        ClientResult::Ok(o) => render_response(o),
        ClientResult::Status(s) => (200, serde_json::to_value(s).unwrap_or_default()),
        ClientResult::NotLeader { leader } => (
            421,
            serde_json::json!({
                "error": "not the leader",
                "leader": leader.map(|l| p.actor_label(l)),
            }),
        ),
        ClientResult::Busy => (503, serde_json::json!({"error": "busy, retry"})),
    }
}

/// The request line a console op corresponds to.
fn render_op(op: &ClientOp<LockCmd>) -> String {
    match op {
        ClientOp::NodeStatus => "GET /status".into(),
        ClientOp::Cmd(c) | ClientOp::Read(c) => match c {
            LockCmd::Acquire {
                resource,
                mode,
                wait_timeout_ms,
                ..
            } => format!(
                "POST /lock/acquire {{\"resource\":{:?},\"mode\":\"{}\",\"timeout\":{}}}",
                resource,
                mode_name(*mode),
                wait_timeout_ms.unwrap_or(0) as f64 / 1000.0
            ),
            LockCmd::Release { resource, lock_id } => {
                format!("POST /lock/release {{\"resource\":{resource:?},\"lock_id\":{lock_id}}}")
            }
            LockCmd::Status { resource } => format!("GET /lock/status?resource={resource}"),
            other => format!("{other:?}"),
        },
    }
}
