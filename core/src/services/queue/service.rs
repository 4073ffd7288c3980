//! The queue service's descriptor: `/queue/...` routes, console exchanges, invariant lights,
//! the ring's node actions (join, leave) and the wording of its partitions' Raft notes.

use super::actor::{QueueActor, QueueActorCmd};
use super::api::{parse, render, render_op};
use super::client::{QueueOp, QueueResult, Submit};
use super::lines::{join_line, leave_line, node_name};
use super::types::{parse_message_id, RingChange};
use super::world::{partition_replica, ring_now, voters_now};
use super::{PARTITIONS, REPLICAS};
use crate::playground::UiAction;
use crate::raft::notes;
use crate::service::{
    pretty_json, ApiExample, ApiExchange, ApiRejection, EventCategory, Hosts, InvariantView,
    NodeMenuItem, ServiceApi, World,
};
use crate::sim::{Action, ActorId};

/// The queue service's descriptor.
pub struct QueueApi;

/// The node actions' keys (`UiAction::ServiceAction { service: "queue", action, node }`).
pub const ACTION_JOIN: &str = "ring-join";
pub const ACTION_LEAVE: &str = "ring-leave";

impl<N: Hosts<QueueActor>> ServiceApi<N> for QueueApi {
    fn name(&self) -> &'static str {
        "queue"
    }
    fn tab(&self) -> (&'static str, &'static str) {
        ("queue", "Queue")
    }
    fn owns_path(&self, path: &str) -> bool {
        path == "/queue" || path.starts_with("/queue/")
    }

    fn examples(&self, world: &World<'_, N>, client: ActorId) -> Vec<ApiExample> {
        let last = world.sim.actor(client).part().client().and_then(|c| {
            c.history().iter().rev().find_map(|r| match &r.result {
                Some(QueueResult::Delivered {
                    message_id,
                    delivery_id,
                    ..
                }) => Some((message_id.clone(), *delivery_id)),
                _ => None,
            })
        });
        let (id, d) = last.unwrap_or_else(|| ("p0-1".into(), 1));
        let (_, members) = ring_now(world);
        let spare = (0..world.servers).find(|n| !members.contains(n));
        let ring = match spare {
            Some(n) => join_line(&node_name(n)),
            None => leave_line(&node_name(members.last().copied().unwrap_or(0))),
        };
        [
            (
                "enqueue",
                r#"POST /queue/enqueue {"message":"hello","priority":5,"key":"orders"}"#.into(),
            ),
            ("dequeue", "GET /queue/dequeue".into()),
            (
                "ack",
                format!(r#"POST /queue/ack {{"message_id":"{id}","delivery_id":{d}}}"#),
            ),
            ("queue status", "GET /queue/status".into()),
            ("ring change", ring),
        ]
        .into_iter()
        .map(|(label, line): (&str, String)| ApiExample {
            label: label.into(),
            line,
        })
        .collect()
    }

    fn request(&self, _client: ActorId, node: ActorId, line: &str) -> Result<N::Cmd, ApiRejection> {
        let op = parse(line)?;
        Ok(N::wrap_cmd(QueueActorCmd::Submit(Submit {
            target: Some(node),
            op,
        })))
    }

    /// A console client runs what was submitted to it in order, so its k-th record is the
    /// k-th submission.
    fn exchanges(&self, world: &World<'_, N>) -> Vec<ApiExchange> {
        let mut out = Vec::new();
        for (name, cid) in world.console {
            let Some(c) = world.sim.actor(*cid).part().client() else {
                continue;
            };
            let submitted =
                world
                    .submitted_to(*cid)
                    .filter_map(|(t, cmd)| match N::unwrap_cmd(cmd) {
                        Some(QueueActorCmd::Submit(s)) => Some((t, s)),
                        _ => None,
                    });
            for (i, (at, s)) in submitted.enumerate() {
                let h = c.history().get(i);
                let (status, body) = match h.and_then(|h| h.result.as_ref()) {
                    Some(r) => {
                        let (st, v) = render(r);
                        (Some(st), Some(pretty_json(&v)))
                    }
                    None => (None, None),
                };
                out.push(ApiExchange {
                    ticket: i as u64 + 1,
                    client: name.clone(),
                    node: s.target.unwrap_or(0),
                    request: render_op(&s.op),
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
        lights(world)
    }

    fn plan(
        &self,
        world: &World<'_, N>,
        action: &UiAction,
    ) -> Option<Result<Vec<Action<N::Cmd>>, String>> {
        let UiAction::ServiceAction {
            service,
            action,
            node,
        } = action
        else {
            return None;
        };
        if service != "queue" {
            return None;
        }
        let change = match action.as_str() {
            ACTION_JOIN => RingChange::Join(*node),
            ACTION_LEAVE => RingChange::Leave(*node),
            other => return Some(Err(format!("the queue has no action `{other}`"))),
        };
        let client = world.console.last().map_or(world.servers, |(_, id)| *id);
        let cmd = QueueActorCmd::Submit(Submit {
            target: None,
            op: QueueOp::Ring { change },
        });
        Some(Ok(vec![Action::Command {
            to: client,
            cmd: N::wrap_cmd(cmd),
        }]))
    }

    /// A server in the ring can leave it (if it is not the last), one outside can join.
    fn node_actions(&self, world: &World<'_, N>, node: ActorId) -> Vec<NodeMenuItem> {
        if node >= world.servers {
            return Vec::new();
        }
        let (_, members) = ring_now(world);
        let (key, label) = if members.contains(&node) {
            if members.len() == 1 {
                return Vec::new();
            }
            (ACTION_LEAVE, "Leave the queue ring")
        } else {
            (ACTION_JOIN, "Join the queue ring")
        };
        vec![NodeMenuItem::new(
            key,
            label,
            UiAction::ServiceAction {
                service: "queue".into(),
                action: key.into(),
                node,
            },
        )]
    }

    /// The partitions' Raft notes, marked as the queue's (eight groups speak at once).
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
        Some((cat, format!("queue partition: {text}")))
    }

    fn describe_why(
        &self,
        who: &str,
        why: &crate::sim::Why,
        label: &dyn Fn(u64) -> String,
    ) -> Option<(EventCategory, crate::sim::Reason)> {
        if let Some(r) = super::reasons::describe(who, why) {
            return Some((EventCategory::Client, r));
        }
        let (election, mut r) = crate::raft::reasons::describe(who, why, label)?;
        r.text = format!("queue partition: {}", r.text);
        let cat = if election {
            EventCategory::Election
        } else {
            EventCategory::Commit
        };
        Some((cat, r))
    }
}

/// The live lights: acknowledged console enqueues are all still stored (or were acked),
/// every partition's ready order is intact, no partition has more than R voters.
fn lights<N: Hosts<QueueActor>>(world: &World<'_, N>) -> Vec<InvariantView> {
    let mut lost = None;
    for (name, cid) in world.console {
        let Some(c) = world.sim.actor(*cid).part().client() else {
            continue;
        };
        for r in c.history() {
            let Some(QueueResult::Enqueued { message_id, .. }) = &r.result else {
                continue;
            };
            let Some((p, seq)) = parse_message_id(message_id) else {
                continue;
            };
            let known = partition_replica(world, p).is_none_or(|(_, s)| {
                // A replica that has not applied it yet is not evidence of a loss.
                s.state_machine().stored() < seq || s.state_machine().knows(seq)
            });
            if !known {
                lost = Some(format!("{message_id} (enqueued by {name}) is gone"));
            }
        }
    }
    let mut order = None;
    let mut too_many = None;
    for p in 0..PARTITIONS {
        if let Some((_, s)) = partition_replica(world, p) {
            if let Err(e) = s.state_machine().check_indexes() {
                order = Some(format!("p{p}: {e}"));
            }
        }
        let voters = voters_now(world, p);
        if voters.len() > REPLICAS {
            too_many = Some(format!("p{p} has {} voters", voters.len()));
        }
    }
    let light = |name: &str, bad: Option<String>, ok: &str| InvariantView {
        name: name.into(),
        ok: bad.is_none(),
        detail: bad.unwrap_or_else(|| ok.into()),
        service: "queue".into(),
    };
    vec![
        light(
            "No acknowledged message lost",
            lost,
            "every enqueue answered 200 is stored or was acked",
        ),
        light(
            "Priority order within a partition",
            order,
            "ready messages are served 10 first, FIFO within a priority",
        ),
        light(
            "At most R replicas",
            too_many,
            "no partition group has more than R voters",
        ),
    ]
}
