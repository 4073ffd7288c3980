//! Guided tours on the live simulation, as data: each step narrates, highlights, optionally
//! acts, then either runs the simulation until a named state holds ("until a leader is
//! elected") or waits for the learner's own action and recognises it ("isolate the leader").
//! Going back restores the exact state the step started from (a saved copy of the playground),
//! and a tour is reproducible: the same steps give the same trace hash.

use crate::base::decimal::Fixed;
use serde::Serialize;

use super::{Playground, PlaygroundConfig, UiAction};
use crate::services::cache::presets::Preset;
use crate::services::cache::protocol::Protocol;
use crate::sim::{ActorId, Time, MS, SEC};

/// What a step does before it waits.
#[derive(Clone, Debug, PartialEq)]
pub enum Do {
    Nothing,
    Act(UiAction),
    /// A console request: client, node ("leader" or "n3"), request line.
    Api(&'static str, String, String),
}

/// The named state a step waits for.
#[derive(Clone, Debug, PartialEq)]
pub enum Until {
    /// Virtual time passes (ms).
    Elapsed(u64),
    Candidate,
    Leader,
    /// A leader other than the one marked at the step's start, in a higher term.
    NewLeader,
    /// The leader committed everything it had when the step started (after its action).
    Committed,
    /// Every up server's log and commit index equal the leader's.
    CaughtUp,
    /// The marked leader cannot reach any other server (the learner cut its links).
    LeaderIsolated,
    /// No link is cut any more (the learner healed the network).
    Healed,
    /// One leader and every up server in its term.
    Settled,
    /// `client` holds the lock `resource`.
    Holds(&'static str, &'static str),
    /// `client` waits for the lock `resource`.
    Waits(&'static str, &'static str),
    /// Every console request has its answer.
    Answered,
    /// Every console request is answered and the first three cache columns of the line read so.
    CacheStates(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: String,
    /// Element keys the page highlights: "leader", "candidate", "n3", "log", "lock", "ring",
    /// "cache-grid", "links"; "tab-<key>" opens that side-panel tab.
    pub highlight: Vec<&'static str>,
    pub action: Do,
    pub until: Until,
    /// The learner must act (the step tells them how); `action` is what a replay does instead.
    pub user: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    pub key: &'static str,
    pub title: &'static str,
    pub steps: Vec<Step>,
}

fn step(text: &str, highlight: &'static [&'static str], action: Do, until: Until) -> Step {
    Step {
        text: text.into(),
        highlight: highlight.to_vec(),
        action,
        until,
        user: false,
    }
}

fn user(text: &str, highlight: &'static [&'static str], replay: UiAction, until: Until) -> Step {
    Step {
        user: true,
        ..step(text, highlight, Do::Act(replay), until)
    }
}

fn api(client: &'static str, line: &str) -> Do {
    Do::Api(client, "leader".into(), line.into())
}

/// The key the ring tour follows.
const RING_KEY: &str = "orders";

const ACQ_A: &str =
    r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":10,"lease":2}"#;
const ACQ_B: &str = r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":10}"#;

/// Every tour, in the order the page lists them.
pub fn tours() -> Vec<Tour> {
    use Until::*;
    vec![
        Tour {
            key: "raft-election",
            title: "Raft: leader election",
            steps: vec![
                step("Five servers start as followers in term 0. Each waits for a heartbeat; its arc is a randomized election timeout.", &["n1", "n2", "n3", "n4", "n5"], Do::Nothing, Elapsed(0)),
                step("The first timeout fires: that server asks the others whether they would vote for it (a pre-vote, which changes no term), then becomes a candidate and requests real votes.", &["candidate"], Do::Nothing, Candidate),
                step("A majority (3 of 5) granted its vote, each because the candidate's log is at least as up to date: it is the leader. The event log gives every voter's reason (hover a line).", &["leader"], Do::Nothing, Leader),
                step("The leader sends heartbeats (empty AppendEntries) well within every follower's timeout, so no one else campaigns.", &["leader", "links"], Do::Nothing, Elapsed(400)),
            ],
        },
        Tour {
            key: "raft-replication",
            title: "Raft: log replication and commit",
            steps: vec![
                step("Wait until a leader is elected: only the leader accepts writes.", &["leader"], Do::Nothing, Leader),
                step("Client A asks for the lock `db`: the leader appends the request to its log and sends it to every follower in AppendEntries.", &["leader", "log", "tab-raft"], api("A", ACQ_A), Elapsed(0)),
                step("Once a majority stored the entry, the leader commits it (its commit index moves) and applies it: A gets the lock with a fencing token.", &["leader", "log"], Do::Nothing, Committed),
                step("Followers learn the new commit index with the next AppendEntries and apply the same entry: every log now matches.", &["log"], Do::Nothing, CaughtUp),
            ],
        },
        Tour {
            key: "partition-heal",
            title: "Raft: partition and heal",
            steps: vec![
                step("Wait until a leader is elected.", &["leader"], Do::Nothing, Leader),
                user("Your turn: cut the leader off from everyone (the \"Isolate leader\" button, or its node menu).", &["leader", "links"], UiAction::IsolateLeader, LeaderIsolated),
                step("The majority stops hearing heartbeats and elects a new leader in a higher term. The old leader still believes it leads, but it cannot reach a majority: it can commit nothing (no split brain).", &["leader"], Do::Nothing, NewLeader),
                user("Your turn: heal the network (\"Heal all\").", &["links"], UiAction::HealAll, Healed),
                step("The old leader hears the higher term and steps down (see its reason in the event log); the new leader repairs its log so every log matches again.", &["leader", "log"], Do::Nothing, Settled),
                step("Every server agrees on the leader and the log.", &["log"], Do::Nothing, CaughtUp),
            ],
        },
        Tour {
            key: "lock-fencing",
            title: "Lock: fencing token and lease expiry",
            steps: vec![
                step("Wait until a leader is elected: the lock table is a Raft state machine.", &["leader"], Do::Nothing, Leader),
                step("Client A acquires the lock `db` with a 2 s lease. The grant carries a fencing token, which only grows.", &["lock", "tab-locks"], api("A", ACQ_A), Holds("A", "db")),
                step("Client B asks for the same lock: it conflicts, so B waits in the FIFO queue.", &["lock", "tab-locks"], api("B", ACQ_B), Waits("B", "db")),
                step("A never releases (say it paused for GC). When its lease expires, a committed tick takes the lock away and grants it to B with a larger token; a storage service that saw B's token now refuses A's writes.", &["lock", "tab-locks"], Do::Nothing, Holds("B", "db")),
            ],
        },
        Tour {
            key: "consistent-hashing",
            title: "Consistent hashing: lookup, join and leave",
            steps: vec![
                step("Wait for the cluster: the queue's 8 partitions sit on a ring of 8 vnodes per node (with 1 vnode per node the arcs would be very uneven; the Queue tab's ring lab compares vnode counts).", &["ring", "tab-queue"], Do::Nothing, Leader),
                step("Enqueue a message with key `orders`: the key hashes to a point on the ring, and the first vnode clockwise owns its partition.", &["ring", "tab-queue"], api("A", r#"POST /queue/enqueue {"message":"hello","key":"orders","priority":5}"#), Answered),
                step("n5 leaves the ring: only the partitions whose arc ended at one of n5's vnodes move, to the next vnode clockwise; every other key stays where it was.", &["ring", "tab-queue"], api("A", r#"POST /queue/ring/leave {"node":"n5"}"#), Answered),
                step("n5 joins again: its vnodes take back exactly the arcs they had, so the mapping is the same as before the leave.", &["ring", "tab-queue"], api("A", r#"POST /queue/ring/join {"node":"n5"}"#), Answered),
                step("Why vnodes: with one point per node, the arcs (and so the keys) are uneven; with 8 per node each node's share is close to 1/5. The ring lab in the Queue tab has a slider to try other counts.", &["ring", "tab-queue"], Do::Nothing, Elapsed(0)),
            ],
        },
        cache_tour("mesi", "MESI: the Table 1.3 stream", Protocol::Mesi, &["EII", "MII", "SIS", "IIM", "SIS", "SIS", "SSS"]),
        cache_tour("moesi", "MOESI: the same stream, no write-backs", Protocol::Moesi, &["EII", "MII", "OIS", "IIM", "SIO", "SIO", "SSO"]),
    ]
}

fn cache_tour(
    key: &'static str,
    title: &'static str,
    p: Protocol,
    want: &'static [&'static str],
) -> Tour {
    let lines = crate::services::cache::preset_lines(Preset::Table13, 5, p, false);
    let says = [
        "R1: P1 reads a line nobody holds: BusRd, memory supplies it, P1 loads it in E.",
        "W1: P1 writes the line it holds alone in E: it goes to M silently, no bus transaction.",
        "R3: P3 reads: BusRd; P1 supplies its dirty copy (Flush). MESI: P1 goes M→S and memory is updated. MOESI: P1 keeps ownership in O and memory is not written.",
        "W3: P3 writes a line it holds in S: BusUpgr invalidates every other copy.",
        "R1: P1 reads again: BusRd, P3 supplies the data.",
        "R3: P3 reads a line it holds: a hit, no bus transaction.",
        "R2: P2 reads: BusRd, a sharer supplies it. Compare the write-back counters of MESI (2) and MOESI (0).",
    ];
    let mut steps = vec![step(
        &format!("Reset the cache to {} and put the line in memory. The grid shows P1, P2, P3 (n1–n3); the line's home directory is elsewhere.", p.name()),
        &["cache-grid", "tab-cache"],
        Do::Api("A", lines[0].node.clone(), lines[0].line.clone()),
        Until::Answered,
    )];
    for ((l, text), w) in lines[1..].iter().zip(says).zip(want) {
        let mut s = step(
            &format!("{text} Expected states P1 P2 P3: {w}."),
            &["cache-grid", "tab-cache"],
            Do::Api("A", l.node.clone(), l.line.clone()),
            Until::CacheStates(w),
        );
        // The processor that acts: its node and its column of the grid stand out.
        s.highlight.extend(node_token(&l.node));
        steps.push(s);
    }
    Tour { key, title, steps }
}

/// The highlight key of node `name` ("n1" … "n10", the page's node names).
fn node_token(name: &str) -> Option<&'static str> {
    const NODES: [&str; 10] = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10"];
    NODES.into_iter().find(|n| *n == name)
}

/// The busiest node's share of sample keys with 1 vnode per node and with the queue's 8.
fn vnode_contrast(members: &[crate::ring::NodeId]) -> String {
    use crate::ring::lab::lab;
    let share = |v: u32| {
        let b = lab(members, v, false).balance;
        (100.0 * b.max as f64 / b.keys.max(1) as f64, b.max_over_mean)
    };
    let ((one, r1), (eight, r8)) = (share(1), share(crate::services::queue::placement::VNODES));
    format!(
        "with 1 vnode per node the busiest node would own {one}% of the keys ({r1}× its fair share); with 8 it owns {eight}% ({r8}×); the fair share is {}%",
        Fixed(100.0 / members.len().max(1) as f64, 0), one = Fixed(one, 0), r1 = Fixed(r1, 2), eight = Fixed(eight, 0), r8 = Fixed(r8, 2))
}

/// What the page needs to show one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TourStepView {
    pub key: &'static str,
    pub title: &'static str,
    /// 1-based.
    pub step: usize,
    pub total: usize,
    pub text: String,
    pub highlight: Vec<String>,
    /// The step waits for the learner and the expected action has not happened yet.
    pub waiting: bool,
    /// The last step was reached.
    pub done: bool,
    /// A reason the core words for this step itself (the ring tour: where the key `orders`
    /// lives and why it moved); `None` when the event log's newest reason says it.
    pub why: Option<String>,
    /// (start, end) virtual times of the step's own run, to watch it again at the page's
    /// speed (`TourRun::watch_span`).
    pub watch: Option<(Time, Time)>,
}

/// What a step's predicate compares against: the state when the step started.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Mark {
    time: Time,
    leader: Option<ActorId>,
    term: u64,
    last_index: u64,
}

/// A tour in progress: the step and, for "back", the playground as each step started.
#[derive(Clone)]
pub struct TourRun {
    tour: Tour,
    step: usize,
    mark: Mark,
    /// Where the current step's run ended (its state reached): "watch it happen" replays the
    /// timeline from `mark.time` to here.
    step_end: Time,
    saved: Vec<(Playground, Mark)>,
}

/// How long a step may run for its state to occur before the tour reports a failure.
pub const STEP_LIMIT: Time = 20 * SEC;

/// The playground every tour starts from: fixed seed, five servers, the teaching pace.
pub fn tour_config() -> PlaygroundConfig {
    PlaygroundConfig {
        profile: "teaching".into(),
        ..PlaygroundConfig::default()
    }
}

impl TourRun {
    /// Start `key` on a fresh playground (returned), running its first step.
    pub fn start(key: &str) -> Result<(TourRun, Playground), String> {
        let tour = tours()
            .into_iter()
            .find(|t| t.key == key)
            .ok_or_else(|| format!("no tour `{key}`"))?;
        let mut pg = Playground::new(tour_config())?;
        let mut run = TourRun {
            tour,
            step: 0,
            mark: Mark::default(),
            step_end: 0,
            saved: Vec::new(),
        };
        run.enter(&mut pg)?;
        Ok((run, pg))
    }

    pub fn key(&self) -> &'static str {
        self.tour.key
    }

    fn current(&self) -> &Step {
        &self.tour.steps[self.step]
    }

    pub fn view(&self, pg: &Playground) -> TourStepView {
        let s = self.current();
        TourStepView {
            key: self.tour.key,
            title: self.tour.title,
            step: self.step + 1,
            total: self.tour.steps.len(),
            text: s.text.clone(),
            highlight: s.highlight.iter().map(|h| h.to_string()).collect(),
            waiting: s.user && !holds(pg, &self.mark, &s.until),
            done: self.step + 1 == self.tour.steps.len(),
            why: self.ring_why(pg),
            watch: self.watch_span(),
        }
    }

    /// On the ring tour: the key's place on the ring now, or why it moved during this step.
    fn ring_why(&self, pg: &Playground) -> Option<String> {
        use crate::ring::{why, Ring};
        use crate::services::queue::placement::VNODES;
        if self.tour.key != "consistent-hashing" || self.step == 0 {
            return None;
        }
        if self.step + 1 == self.tour.steps.len() {
            return Some(vnode_contrast(&pg.queue_view().members));
        }
        let ring = |p: &Playground| Ring::with_nodes(VNODES, p.queue_view().members);
        let label = |n: crate::ring::NodeId| pg.actor_label(n);
        let (start, _) = self.saved.last()?;
        let (before, after) = (ring(start), ring(pg));
        let r = if before == after {
            why::lookup(&after, RING_KEY, &label)
        } else {
            why::moved(&before, &after, RING_KEY, &label)
        };
        r.map(|r| r.text)
    }

    /// Run the current step: its action, then (unless the learner must act) until its state.
    fn enter(&mut self, pg: &mut Playground) -> Result<(), String> {
        self.saved.push((pg.clone(), self.mark));
        let s = self.current().clone();
        if !s.user {
            match &s.action {
                Do::Nothing => {}
                Do::Act(a) => {
                    pg.act(a.clone())?;
                }
                Do::Api(client, node, line) => {
                    let node = pg.resolve_node(node);
                    pg.api_request(client, node, line)
                        .map_err(|e| format!("the tour's request failed: {e:?}"))?;
                }
            }
        }
        self.mark = mark(pg);
        self.step_end = self.mark.time;
        if s.user {
            return Ok(());
        }
        run_until(pg, &self.mark, &s.until).map_err(|e| format!("step {}: {e}", self.step + 1))?;
        self.step_end = pg.now();
        Ok(())
    }

    /// The stretch of virtual time the current step ran for, when there is one to watch:
    /// the page seeks to its start and plays to its end at the chosen speed, so a step that
    /// ran "until a leader is elected" can be seen happening, not only its outcome.
    pub fn watch_span(&self) -> Option<(Time, Time)> {
        (!self.current().user && self.step_end > self.mark.time)
            .then_some((self.mark.time, self.step_end))
    }

    /// Back at the step's end if the learner stopped watching it halfway: the next step starts
    /// from the state this step reached, never from a moment in its middle (which would fork
    /// the run). A learner who played on past the end keeps what they did, as before.
    fn to_step_end(&self, pg: &mut Playground) {
        if pg.now() < self.step_end && self.watch_span().is_some() {
            pg.seek(self.step_end);
        }
    }

    /// Next step. A step that waits for the learner refuses until their action happened.
    pub fn next(&mut self, pg: &mut Playground) -> Result<(), String> {
        self.to_step_end(pg);
        let s = self.current();
        if s.user && !holds(pg, &self.mark, &s.until) {
            return Err(format!("waiting for you: {}", s.text));
        }
        if self.step + 1 >= self.tour.steps.len() {
            return Err("this is the last step".into());
        }
        self.step += 1;
        self.enter(pg)
    }

    /// Back one step: the playground as the previous step started, then that step again.
    pub fn back(&mut self, pg: &mut Playground) -> Result<(), String> {
        if self.step == 0 {
            return Err("this is the first step".into());
        }
        self.saved.pop();
        let (saved, mark) = self.saved.pop().expect("one saved state per entered step");
        *pg = saved;
        self.mark = mark;
        self.step -= 1;
        self.enter(pg)
    }

    /// Play every remaining step; learner steps do their replay action. For tests and
    /// "play to the end".
    pub fn play_to_end(&mut self, pg: &mut Playground) -> Result<(), String> {
        while self.step + 1 < self.tour.steps.len() {
            self.do_user_part(pg)?;
            self.next(pg)?;
        }
        self.do_user_part(pg)
    }

    /// If the step waits for the learner, do what the learner was asked to do.
    pub fn do_user_part(&mut self, pg: &mut Playground) -> Result<(), String> {
        let s = self.current().clone();
        if s.user && !holds(pg, &self.mark, &s.until) {
            if let Do::Act(a) = s.action {
                pg.act(a)?;
            }
        }
        Ok(())
    }
}

fn mark(pg: &Playground) -> Mark {
    let views = pg.raft_views();
    let leader = pg.leader();
    let lv = leader.and_then(|l| views.iter().find(|v| v.id == l));
    Mark {
        time: pg.now(),
        leader,
        term: lv.map_or(0, |v| v.term),
        last_index: lv.map_or(0, |v| v.log.last().map_or(v.snapshot_index, |c| c.index)),
    }
}

/// Step event by event until `until` holds, at most `STEP_LIMIT` of virtual time.
fn run_until(pg: &mut Playground, m: &Mark, until: &Until) -> Result<(), String> {
    let limit = pg.now() + STEP_LIMIT;
    loop {
        if holds(pg, m, until) {
            return Ok(());
        }
        if pg.now() >= limit || !pg.timeline.step() {
            return Err(format!("the expected state ({until:?}) did not occur"));
        }
    }
}

fn holds(pg: &Playground, m: &Mark, until: &Until) -> bool {
    use crate::sim::NodeState;
    let up = |id: ActorId| pg.sim().node_state(id) == NodeState::Up;
    match until {
        Until::Elapsed(ms) => pg.now() >= m.time + ms * MS,
        Until::Candidate => pg
            .raft_views()
            .iter()
            .any(|v| up(v.id) && (v.role == "candidate" || v.role == "pre-candidate")),
        Until::Leader => pg.leader().is_some(),
        Until::NewLeader => {
            let views = pg.raft_views();
            views.iter().any(|v| {
                up(v.id) && v.role == "leader" && Some(v.id) != m.leader && v.term > m.term
            })
        }
        Until::Committed => leader_view(pg).is_some_and(|l| l.commit_index >= m.last_index),
        Until::CaughtUp => {
            let Some(l) = leader_view(pg) else {
                return false;
            };
            let last =
                |v: &crate::raft::RaftView| v.log.last().map_or(v.snapshot_index, |c| c.index);
            l.commit_index >= m.last_index
                && l.commit_index == last(&l)
                && pg
                    .raft_views()
                    .iter()
                    .filter(|v| up(v.id))
                    .all(|v| v.commit_index == l.commit_index && last(v) == last(&l))
        }
        Until::LeaderIsolated => m.leader.is_some_and(|l| {
            let cuts = pg.sim().cut_links();
            (0..pg.servers())
                .filter(|&o| o != l)
                .all(|o| cuts.contains(&(l, o)) && cuts.contains(&(o, l)))
        }),
        Until::Healed => pg.sim().cut_links().is_empty(),
        Until::Settled => {
            let views = pg.raft_views();
            let leaders = views
                .iter()
                .filter(|v| up(v.id) && v.role == "leader")
                .count();
            let term = views.iter().map(|v| v.term).max().unwrap_or(0);
            leaders == 1 && views.iter().filter(|v| up(v.id)).all(|v| v.term == term)
        }
        Until::Holds(c, r) => pg
            .lock_table()
            .rows
            .iter()
            .any(|row| row.resource == *r && row.holders.iter().any(|h| h.client == *c)),
        Until::Waits(c, r) => pg
            .lock_table()
            .rows
            .iter()
            .any(|row| row.resource == *r && row.waiters.iter().any(|w| w.client == *c)),
        Until::Answered => pg.api_exchanges().iter().all(|e| e.completed.is_some()),
        Until::CacheStates(want) => {
            pg.api_exchanges().iter().all(|e| e.completed.is_some())
                && pg.cache_view().keys.iter().any(|k| {
                    let s: String = k.cells.iter().take(3).map(|c| c.state.as_str()).collect();
                    s == *want
                })
        }
    }
}

fn leader_view(pg: &Playground) -> Option<crate::raft::RaftView> {
    let l = pg.leader()?;
    pg.raft_views().into_iter().find(|v| v.id == l)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tour plays to its end on the real simulation (a step whose state never occurs
    /// fails), twice with the same trace hash.
    #[test]
    fn every_tour_plays_to_its_end_reproducibly() {
        assert_eq!(tours().len(), 7);
        for t in tours() {
            let play = || {
                let (mut run, mut pg) = TourRun::start(t.key).unwrap();
                run.play_to_end(&mut pg)
                    .unwrap_or_else(|e| panic!("tour {}: {e}", t.key));
                assert!(run.view(&pg).done);
                pg.trace_hash_hex()
            };
            assert_eq!(play(), play(), "tour {} is reproducible", t.key);
        }
    }

    /// A learner step waits for the learner's action and recognises it; "back" restores the
    /// state the step started from.
    #[test]
    fn learner_steps_wait_and_back_restores() {
        let (mut run, mut pg) = TourRun::start("partition-heal").unwrap();
        run.next(&mut pg).unwrap();
        assert!(run.view(&pg).waiting);
        let err = run.next(&mut pg).unwrap_err();
        assert!(err.starts_with("waiting for you"), "{err}");
        let before = pg.trace_hash_hex();
        pg.act(UiAction::IsolateLeader).unwrap();
        assert!(!run.view(&pg).waiting, "the action is recognised");
        run.next(&mut pg).unwrap();
        assert_eq!(run.view(&pg).step, 3);
        run.back(&mut pg).unwrap();
        assert_eq!(run.view(&pg).step, 2);
        assert_eq!(
            pg.trace_hash_hex(),
            before,
            "back restores the step's start"
        );
        assert!(run.view(&pg).waiting);
    }

    /// Watching a step replays the recorded timeline from the step's start: the same state
    /// at its end, and the next step continues from that end even if the learner stopped
    /// watching halfway.
    #[test]
    fn watching_a_step_replays_it_and_next_continues_from_its_end() {
        let (mut run, mut pg) = TourRun::start("raft-replication").unwrap();
        run.next(&mut pg).unwrap(); // the request is appended
        run.next(&mut pg).unwrap(); // until it is committed
        let (from, to) = run.view(&pg).watch.expect("the step ran for a while");
        assert!(from < to, "{from} {to}");
        let end_hash = pg.trace_hash_hex();
        pg.seek(from);
        assert!(pg.now() <= from);
        pg.advance(to - pg.now());
        assert_eq!(pg.now(), to);
        assert_eq!(
            pg.trace_hash_hex(),
            end_hash,
            "the replay reaches the same state"
        );
        // Stop halfway through watching, then Next: the tour ends where it would have.
        let (mut a, mut pa) = TourRun::start("raft-replication").unwrap();
        a.next(&mut pa).unwrap();
        a.next(&mut pa).unwrap();
        pa.seek((from + to) / 2);
        a.next(&mut pa).unwrap();
        run.next(&mut pg).unwrap();
        assert_eq!(pa.trace_hash_hex(), pg.trace_hash_hex());
        // A learner step has nothing to watch.
        let (mut p, mut pp) = TourRun::start("partition-heal").unwrap();
        p.next(&mut pp).unwrap();
        assert_eq!(p.view(&pp).watch, None);
    }

    /// Each MESI step highlights the processor that acts (R1, W1, R3, W3, R1, R3, R2).
    #[test]
    fn cache_steps_highlight_the_acting_node() {
        let (mut run, mut pg) = TourRun::start("mesi").unwrap();
        let mut actors = Vec::new();
        while !run.view(&pg).done {
            run.next(&mut pg).unwrap();
            let h = run.view(&pg).highlight;
            assert!(h.contains(&"cache-grid".to_string()), "{h:?}");
            actors.extend(h.into_iter().filter(|k| k.starts_with('n')));
        }
        assert_eq!(actors, ["n1", "n1", "n3", "n3", "n1", "n3", "n2"]);
    }
}

#[cfg(test)]
mod ring_tests {
    use super::*;

    /// The ring tour explains the followed key: its place, then whether the leave moved it.
    #[test]
    fn the_ring_tour_explains_its_key() {
        let (mut run, mut pg) = TourRun::start("consistent-hashing").unwrap();
        run.next(&mut pg).unwrap();
        let why = run.view(&pg).why.unwrap();
        assert!(why.starts_with("key `orders` hashes to"), "{why}");
        run.next(&mut pg).unwrap();
        let why = run.view(&pg).why.unwrap();
        assert!(
            why.contains("because n5 left the ring") || why.starts_with("key `orders` stays on"),
            "{why}"
        );
        run.play_to_end(&mut pg).unwrap();
        let why = run.view(&pg).why.unwrap();
        assert!(
            why.starts_with("with 1 vnode per node the busiest node would own"),
            "{why}"
        );
        // The contrast is real: one vnode per node is less even than eight.
        let (r1, r8) = (
            crate::ring::lab::lab(&[0, 1, 2, 3, 4], 1, false)
                .balance
                .max_over_mean,
            crate::ring::lab::lab(&[0, 1, 2, 3, 4], 8, false)
                .balance
                .max_over_mean,
        );
        assert!(r1 > r8, "{r1} {r8}");
    }
}
