//! The lock manager as a service: its actor (`LockProcess`: a Raft server replicating the
//! `LockTable`, or a client) and its descriptor (`LockApi`: `/lock/...` routes, console
//! exchanges, Raft and lock invariants, Raft's trace notes, and the Raft node actions).

use crate::base::sorted::SortedMap;

use super::api::{render_response, to_client_op};
use super::cluster::LockProcess;
use super::router::parse_request;
use super::types::{LockCmd, LockMode, LockOutput};
use crate::playground::UiAction;
use crate::raft::{
    notes, ClientCmd, ClientOp, ClientResult, ProcessCmd, RaftView, Role, ServerCmd,
};
use crate::service::{
    pretty_json, timeout_body, ApiExample, ApiExchange, ApiRejection, Consensus, ConsensusRole,
    EventCategory, Hosts, InvariantView, NodeMenuItem, Service, ServiceApi, World,
};
use crate::sim::{Action, ActorId, NodeState};

impl Service for LockProcess {
    const NAME: &'static str = "lock";
    /// Raft servers use kinds 0..3 (election, heartbeat, housekeeping), clients 0..3 too.
    const TIMERS: u8 = 3;

    fn consensus(&self) -> Option<Consensus> {
        let s = self.server()?;
        Some(Consensus {
            role: match s.role() {
                Role::Leader => ConsensusRole::Leader,
                Role::Candidate | Role::PreCandidate => ConsensusRole::Candidate,
                Role::Follower => ConsensusRole::Follower,
            },
            term: s.term(),
        })
    }
    fn raft_view(&self, max_log: usize) -> Option<RaftView> {
        self.server().map(|s| s.view(max_log))
    }
    fn memory_estimate(&self) -> usize {
        self.server().map_or(0, |s| {
            use crate::raft::StateMachine;
            s.state_machine().approx_size() + s.log().entries.len() * 96 + 512
        })
    }
}

/// The lock service's descriptor.
pub struct LockApi;

type Cmd = ProcessCmd<LockCmd>;

impl<N: Hosts<LockProcess>> ServiceApi<N> for LockApi {
    fn name(&self) -> &'static str {
        "lock"
    }
    fn tab(&self) -> (&'static str, &'static str) {
        ("locks", "Locks")
    }
    fn owns_path(&self, path: &str) -> bool {
        path == "/lock" || path.starts_with("/lock/")
    }
    fn examples(&self, world: &World<'_, N>, client: ActorId) -> Vec<ApiExample> {
        let held = super::panel::table_replica(world).and_then(|t| {
            t.holders("db")
                .iter()
                .find(|h| h.client == client)
                .map(|h| h.lock_id)
        });
        [
            (
                "acquire db",
                r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":10}"#.into(),
            ),
            ("lock status", "GET /lock/status?resource=db".into()),
            (
                "release db",
                format!(
                    r#"POST /lock/release {{"resource":"db","lock_id":{}}}"#,
                    held.unwrap_or(1)
                ),
            ),
        ]
        .into_iter()
        .map(|(label, line): (&str, String)| ApiExample {
            label: label.into(),
            line,
        })
        .collect()
    }

    fn request(&self, _client: ActorId, node: ActorId, line: &str) -> Result<N::Cmd, ApiRejection> {
        let req = parse_request(line).map_err(|e| ApiRejection::new(e.status, e.message))?;
        Ok(N::wrap_cmd(ProcessCmd::Client(ClientCmd::Submit {
            target: Some(node),
            op: to_client_op(&req),
        })))
    }

    /// Console clients only run what was submitted to them, in order, so the k-th submission
    /// to a client is the k-th entry of its history.
    fn exchanges(&self, world: &World<'_, N>) -> Vec<ApiExchange> {
        let mut out = Vec::new();
        for (name, cid) in world.console {
            let Some(c) = world.sim.actor(*cid).part().client() else {
                continue;
            };
            let submitted = world
                .submitted_to(*cid)
                .filter_map(|(t, c)| match N::unwrap_cmd(c) {
                    Some(ProcessCmd::Client(ClientCmd::Submit { target, op })) => {
                        Some((t, *target, op))
                    }
                    _ => None,
                });
            for (i, (at, target, op)) in submitted.enumerate() {
                let h = c.history().get(i);
                let (status, body) = match h.map(|h| (&h.result, h.completed)) {
                    Some((None, Some(_))) => (Some(504), Some(timeout_body())),
                    Some((Some(r), _)) => {
                        let (s, v) = render_result(world, r);
                        (Some(s), Some(pretty_json(&v)))
                    }
                    _ => (None, None),
                };
                out.push(ApiExchange {
                    ticket: i as u64 + 1,
                    client: name.clone(),
                    node: target.or(h.and_then(|_| c.known_leader())).unwrap_or(0),
                    request: render_op(op),
                    invoked: h.map_or(at, |h| h.invoked),
                    completed: h.and_then(|h| h.completed),
                    status,
                    body,
                });
            }
        }
        out
    }

    fn invariants(&self, world: &World<'_, N>) -> Vec<InvariantView> {
        super::panel::lights(world)
    }

    fn plan(
        &self,
        world: &World<'_, N>,
        action: &UiAction,
    ) -> Option<Result<Vec<Action<N::Cmd>>, String>> {
        let leader = || {
            world
                .leader()
                .ok_or_else(|| "there is no leader right now".to_string())
        };
        let server = |to: ActorId, cmd: ServerCmd| Action::Command {
            to,
            cmd: N::wrap_cmd(ProcessCmd::Server(cmd)),
        };
        let plan = match *action {
            UiAction::ForceTimeout { node } => Ok(vec![server(node, ServerCmd::ForceTimeout)]),
            UiAction::TransferLeadership { to } => {
                leader().map(|l| vec![server(l, ServerCmd::TransferLeadership { to })])
            }
            UiAction::AddServer { node } => {
                leader().map(|l| vec![server(l, ServerCmd::AddServer { id: node })])
            }
            UiAction::RemoveServer { node } => {
                leader().map(|l| vec![server(l, ServerCmd::RemoveServer { id: node })])
            }
            UiAction::ClientRequest => Ok(vec![demo_request(world)]),
            _ => return None,
        };
        Some(plan)
    }

    /// Raft's node actions: a follower can be forced to time out or handed the leadership; with
    /// a leader, a voter can be removed and a non-voter added.
    fn node_actions(&self, world: &World<'_, N>, node: ActorId) -> Vec<NodeMenuItem> {
        let Some(s) = world.sim.actor(node).part().server() else {
            return Vec::new();
        };
        let has_leader = world.leader().is_some();
        let voter = s.voters().contains(&node);
        let mut v = Vec::new();
        let up = world.sim.node_state(node) == NodeState::Up;
        if up && s.role() != Role::Leader {
            v.push(NodeMenuItem::new(
                "timeout",
                "Force election timeout",
                UiAction::ForceTimeout { node },
            ));
            if has_leader && voter {
                v.push(NodeMenuItem::new(
                    "transfer",
                    "Transfer leadership here",
                    UiAction::TransferLeadership { to: node },
                ));
            }
        }
        if has_leader {
            v.push(if voter {
                NodeMenuItem::new(
                    "remove",
                    "Remove from the cluster",
                    UiAction::RemoveServer { node },
                )
            } else {
                NodeMenuItem::new("add", "Add to the cluster", UiAction::AddServer { node })
            });
        }
        v
    }

    fn describe_note(
        &self,
        who: &str,
        code: u16,
        a: u64,
        b: u64,
    ) -> Option<(EventCategory, String)> {
        let (topic, text) = notes::describe(who, code, a, b)?;
        let cat = match topic {
            notes::NoteTopic::Election => EventCategory::Election,
            notes::NoteTopic::Role => EventCategory::Role,
            notes::NoteTopic::Commit => EventCategory::Commit,
        };
        Some((cat, text))
    }

    fn describe_why(
        &self,
        who: &str,
        why: &crate::sim::Why,
        label: &dyn Fn(u64) -> String,
    ) -> Option<(EventCategory, crate::sim::Reason)> {
        if let Some(r) = super::reasons::describe(why, label) {
            return Some((EventCategory::Client, r));
        }
        let (election, r) = crate::raft::reasons::describe(who, why, label)?;
        let cat = if election {
            EventCategory::Election
        } else {
            EventCategory::Commit
        };
        Some((cat, r))
    }
}

/// Keyboard `c`: the last console client toggles an exclusive lock on "demo": acquire if it
/// holds none, otherwise release the holding the replicated table shows.
fn demo_request<N: Hosts<LockProcess>>(world: &World<'_, N>) -> Action<N::Cmd> {
    let c = world.console.last().map_or(world.servers, |(_, id)| *id);
    let held = super::panel::table_replica(world).and_then(|t| {
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
    let cmd: Cmd = ProcessCmd::Client(ClientCmd::Submit {
        target: None,
        op: ClientOp::Cmd(cmd),
    });
    Action::Command {
        to: c,
        cmd: N::wrap_cmd(cmd),
    }
}

pub(crate) fn mode_name(m: LockMode) -> &'static str {
    match m {
        LockMode::Shared => "shared",
        LockMode::Exclusive => "exclusive",
    }
}

/// HTTP-like rendering of a client result: lock outputs through the router's renderer, a
/// NotLeader answer as 421 Misdirected Request naming the leader.
fn render_result<N: Hosts<LockProcess>>(
    world: &World<'_, N>,
    r: &ClientResult<LockOutput>,
) -> (u16, serde_json::Value) {
    match r {
        ClientResult::Ok(o) => render_response(o),
        ClientResult::Status(s) => (200, serde_json::to_value(s).unwrap_or_default()),
        ClientResult::NotLeader { leader } => (
            421,
            serde_json::json!({
                "error": "not the leader",
                "leader": leader.map(|l| world.label(l)),
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
                crate::base::decimal::Short(wait_timeout_ms.unwrap_or(0) as f64 / 1000.0, 3)
            ),
            LockCmd::Release { resource, lock_id } => {
                format!("POST /lock/release {{\"resource\":{resource:?},\"lock_id\":{lock_id}}}")
            }
            LockCmd::Status { resource } => format!("GET /lock/status?resource={resource}"),
            other => format!("{other:?}"),
        },
    }
}

/// Leaders by term, for election safety (crashed nodes keep no role).
pub(crate) fn leaders_by_term<N: Hosts<LockProcess>>(
    world: &World<'_, N>,
) -> SortedMap<u64, Vec<String>> {
    let mut leaders: SortedMap<u64, Vec<String>> = SortedMap::new();
    for i in 0..world.servers {
        if world.sim.node_state(i) == NodeState::Crashed {
            continue;
        }
        if let Some(s) = world.sim.actor(i).part().server() {
            if s.role() == Role::Leader {
                leaders.entry(s.term()).or_default().push(world.label(i));
            }
        }
    }
    leaders
}

/// A lock server of a playground world: a Raft server replicating the lock table.
pub fn service_server(
    id: ActorId,
    servers: &[ActorId],
    opts: &crate::services::WorldOptions,
) -> LockProcess {
    let raft = crate::raft::RaftConfig {
        pre_vote: opts.pre_vote,
        check_quorum: opts.check_quorum,
        ..crate::raft::RaftConfig::default()
    };
    crate::raft::Process::Server(crate::raft::RaftServer::new(id, servers.to_vec(), raft))
}

/// A console client: it issues nothing on its own, only what the user submits.
pub fn service_console_client(id: ActorId, servers: &[ActorId]) -> LockProcess {
    let mut c = crate::raft::RaftClient::new(id, servers.to_vec(), super::LockWorkload::passive());
    // Long enough for a queued acquire with the default wait timeout to be answered.
    c.config = crate::raft::ClientConfig {
        request_timeout: 15 * crate::base::SEC,
        ..crate::raft::ClientConfig::default()
    };
    crate::raft::Process::Client(c)
}
