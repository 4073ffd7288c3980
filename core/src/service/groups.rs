//! Several groups of the same protocol in one simulation: `Groups<A>` runs one instance of actor
//! `A` per group this process belongs to, so a node can be a member of several Raft groups (one
//! per queue partition, as RabbitMQ quorum queues and TiKV regions do) while the kernel still
//! sees one actor per node. Messages, commands and durable writes carry their group; each
//! instance gets its own timer kinds (`index × per_group + k`) and its own durable store, so a
//! crash loses every group's volatile state and a restart recovers every group's disk.

use crate::base::json_read::{uint, FromJson, Reader, R};
use crate::base::sorted::SortedMap;

use serde::{Deserialize, Serialize};

use super::host::run_part;
use crate::sim::{Actor, ActorId, Ctx, Durable, Message, TimerKind};

pub type GroupId = u32;

/// A message of one group.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMsg<M> {
    pub group: GroupId,
    pub msg: M,
}

impl<M: Message> Message for GroupMsg<M> {
    fn kind(&self) -> &'static str {
        self.msg.kind()
    }
    fn size_bytes(&self) -> u32 {
        self.msg.size_bytes().saturating_add(4)
    }
}

/// An outside command for one group's instance on this process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCmd<C> {
    pub group: GroupId,
    pub cmd: C,
}

/// Every group's durable store on one process.
#[derive(Clone, Debug)]
pub struct GroupsDurable<D> {
    pub stores: SortedMap<GroupId, D>,
}

impl<D> Default for GroupsDurable<D> {
    fn default() -> Self {
        GroupsDurable {
            stores: SortedMap::new(),
        }
    }
}

impl<D: Durable> Durable for GroupsDurable<D> {
    type Op = (GroupId, D::Op);
    fn apply(&mut self, (group, op): (GroupId, D::Op)) {
        self.stores.entry(group).or_default().apply(op);
    }
}

/// The instances of `A` this process runs, one per group it belongs to, in group order.
#[derive(Clone, Debug)]
pub struct Groups<A> {
    /// Timer kinds each instance uses (`0..per_group`).
    per_group: u8,
    members: Vec<(GroupId, A)>,
}

impl<A: Actor> Groups<A> {
    /// `members`: this process's instance of each group it is in. `per_group` × the number of
    /// groups must fit the kernel's timer kinds (a `u8`).
    pub fn new(per_group: u8, mut members: Vec<(GroupId, A)>) -> Result<Self, String> {
        crate::base::sort::sort_by_key(&mut members, |(g, _)| *g);
        if members.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err("a process can be in each group once".into());
        }
        if usize::from(per_group) * members.len() > usize::from(u8::MAX) {
            return Err(format!(
                "{} groups of {per_group} timers do not fit in 255 timer kinds",
                members.len()
            ));
        }
        Ok(Groups { per_group, members })
    }

    /// This process's instance of `group`.
    pub fn get(&self, group: GroupId) -> Option<&A> {
        self.members
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, a)| a)
    }

    pub fn groups(&self) -> impl Iterator<Item = GroupId> + '_ {
        self.members.iter().map(|(g, _)| *g)
    }

    /// Run `f` on instance `index` with a context scoped to its group.
    fn run(
        &mut self,
        index: usize,
        ctx: &mut Ctx<'_, GroupMsg<A::Msg>, GroupsDurable<A::Durable>>,
        f: impl FnOnce(&mut A, &mut Ctx<'_, A::Msg, A::Durable>),
    ) {
        let offset = self.per_group * index as u8;
        let (group, actor) = &mut self.members[index];
        let group = *group;
        let empty = A::Durable::default();
        let durable = ctx.durable.stores.get(&group).unwrap_or(&empty);
        run_part::<A, _, _>(
            0,
            offset,
            ctx.now,
            ctx.me,
            ctx.rng,
            durable,
            ctx.out,
            ctx.notes,
            |msg| GroupMsg { group, msg },
            |op| (group, op),
            |c| f(actor, c),
        );
    }

    fn index_of(&self, group: GroupId) -> Option<usize> {
        self.members.iter().position(|(g, _)| *g == group)
    }
}

impl<A: Actor> Actor for Groups<A> {
    type Msg = GroupMsg<A::Msg>;
    type Durable = GroupsDurable<A::Durable>;
    type Cmd = GroupCmd<A::Cmd>;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Durable>) {
        for i in 0..self.members.len() {
            self.run(i, ctx, |a, c| a.on_start(c));
        }
    }

    /// A message for a group this process is not in is dropped (its sender has a stale view).
    fn on_message(
        &mut self,
        ctx: &mut Ctx<'_, Self::Msg, Self::Durable>,
        from: ActorId,
        msg: Self::Msg,
    ) {
        if let Some(i) = self.index_of(msg.group) {
            self.run(i, ctx, |a, c| a.on_message(c, from, msg.msg));
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Durable>, kind: TimerKind) {
        let per = self.per_group.max(1);
        let i = usize::from(kind / per);
        if i < self.members.len() {
            self.run(i, ctx, |a, c| a.on_timer(c, kind % per));
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, Self::Msg, Self::Durable>, cmd: Self::Cmd) {
        if let Some(i) = self.index_of(cmd.group) {
            self.run(i, ctx, |a, c| a.on_command(c, cmd.cmd));
        }
    }

    fn on_crash(&mut self) {
        for (_, a) in &mut self.members {
            a.on_crash();
        }
    }
}

// The share link reads a partition group's command by hand (`base::json_read` says why).
impl<C: FromJson> FromJson for GroupCmd<C> {
    fn from_json(v: &serde_json::Value) -> R<Self> {
        let mut f = Reader::of_struct(v, &["group", "cmd"], false)?;
        let cmd = GroupCmd {
            group: f.val("group", |v| uint(v, u32::MAX.into())) as u32,
            cmd: f.req("cmd", C::from_json)?,
        };
        f.done(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::{MS, SEC};
    use crate::net::NetProfile;
    use crate::raft::fuzz::{KvProcess, KvWorkload};
    use crate::raft::{Process, RaftClient, RaftConfig, RaftServer, Role};
    use crate::sim::{Action, Sim, SimConfig};

    /// Two Raft groups on five servers sharing n3: g1 = {n1, n2, n3}, g2 = {n3, n4, n5}, and
    /// one KV client per group (actors 5 and 6).
    fn two_groups(seed: u64) -> Sim<Groups<KvProcess>> {
        let g1 = vec![0, 1, 2];
        let g2 = vec![2, 3, 4];
        let server = |id: ActorId, g: &Vec<ActorId>| {
            Process::Server(RaftServer::new(id, g.clone(), RaftConfig::default()))
        };
        let mut actors = Vec::new();
        for id in 0..5 {
            let mut m = Vec::new();
            if g1.contains(&id) {
                m.push((1, server(id, &g1)));
            }
            if g2.contains(&id) {
                m.push((2, server(id, &g2)));
            }
            actors.push(Groups::new(3, m).unwrap());
        }
        for (id, group, members) in [(5, 1, &g1), (6, 2, &g2)] {
            let c = RaftClient::new(id, members.clone(), KvWorkload::new(100_000));
            actors.push(Groups::new(3, vec![(group, Process::Client(c))]).unwrap());
        }
        let cfg = SimConfig {
            seed,
            servers: 5,
            link: NetProfile::Localhost.link(),
            ..SimConfig::default()
        };
        Sim::new(cfg, actors).unwrap()
    }

    fn leader(sim: &Sim<Groups<KvProcess>>, group: GroupId) -> Option<ActorId> {
        (0..5).find(|&i| {
            sim.node_state(i) == crate::sim::NodeState::Up
                && sim
                    .actor(i)
                    .get(group)
                    .and_then(|p| p.server())
                    .is_some_and(|s| s.role() == Role::Leader)
        })
    }

    fn completed(sim: &Sim<Groups<KvProcess>>, client: ActorId, group: GroupId) -> usize {
        let c = sim
            .actor(client)
            .get(group)
            .and_then(|p| p.client())
            .unwrap();
        c.history().iter().filter(|h| h.completed.is_some()).count()
    }

    #[test]
    fn two_raft_groups_elect_and_commit_independently_and_survive_a_shared_crash() {
        let mut sim = two_groups(5);
        sim.run_until(2 * SEC);
        let (l1, l2) = (leader(&sim, 1).unwrap(), leader(&sim, 2).unwrap());
        assert!(
            [0, 1, 2].contains(&l1) && [2, 3, 4].contains(&l2),
            "{l1} {l2}"
        );
        let (c1, c2) = (completed(&sim, 5, 1), completed(&sim, 6, 2));
        assert!(c1 > 5 && c2 > 5, "both groups commit: {c1} {c2}");
        // n3 is in both groups: crashing it leaves each a 2-of-3 majority.
        sim.apply(Action::Crash { node: 2 }).unwrap();
        sim.run_until(5 * SEC);
        assert!(completed(&sim, 5, 1) > c1 && completed(&sim, 6, 2) > c2);
        // Restart recovers both groups' logs from n3's two durable stores.
        sim.apply(Action::Restart { node: 2 }).unwrap();
        sim.run_until(6 * SEC);
        for g in [1, 2] {
            let s = sim.actor(2).get(g).and_then(|p| p.server()).unwrap();
            assert!(s.commit_index() > 0, "group {g} on n3 caught up");
        }
        assert!(sim.durable(2).stores.len() == 2);
    }

    #[test]
    fn groups_are_deterministic_and_messages_name_their_protocol() {
        let run = || {
            let mut sim = two_groups(9);
            sim.run_until(SEC + 500 * MS);
            sim.trace_hash_hex()
        };
        assert_eq!(run(), run());
        let m = GroupMsg {
            group: 7,
            msg: crate::sim::echo::EchoMsg::Ping { round: 1 },
        };
        assert_eq!(m.kind(), "Ping");
    }

    #[test]
    fn bad_group_layouts_are_refused() {
        let a = || crate::sim::echo::EchoNode::cluster(1, MS).remove(0);
        assert!(Groups::new(3, vec![(1, a()), (1, a())]).is_err());
        let many: Vec<_> = (0..100).map(|g| (g, a())).collect();
        assert!(Groups::new(3, many).is_err());
    }
}
