//! `SafetyMonitor`: Raft's safety properties, checked incrementally after every simulator event
//! (the openraft turmoil invariant list). Generic over the state machine so the lock manager's
//! tests can reuse it.
//!
//! - Election safety: at most one leader per term.
//! - Log matching: an (index, term) pair always names the same entry, preceded by the same term.
//! - Leader completeness: a leader's log holds every entry committed before it was elected.
//! - State machine safety: every server applies the same entry at an index, and its state
//!   machine digest after applying index i is the same everywhere.
//! - Committed entries are immutable; `snapshot ≤ applied ≤ commit ≤ last index`.
//! - Monotonic term and vote (across restarts), commit and applied (within one incarnation).

use crate::base::sorted::SortedMap;

use super::msg::{Entry, Payload};
use super::node::{RaftServer, RaftSm, Role};
use super::process::Process;
use super::Workload;
use crate::sim::{ActorId, NodeState, Sim, Time};

#[derive(Clone, Debug, Default)]
struct Seen {
    up: bool,
    started_at: Time,
    term: u64,
    voted_for: Option<ActorId>,
    commit: u64,
    applied: u64,
    log_version: u64,
    was_leader_term: u64,
}

/// An entry as first seen, with the term of the entry before it.
type SeenEntry<C> = (u64, Entry<C>);

#[derive(Clone, Debug)]
pub struct SafetyMonitor<SM: RaftSm> {
    leaders: SortedMap<u64, ActorId>,
    /// Every (index, term) ever seen in a log: the entry and its predecessor's term.
    entries: SortedMap<(u64, u64), SeenEntry<SM::Cmd>>,
    /// The committed prefix as learned from any server: index -> (entry term, the term of the
    /// server that first reported it committed: an upper bound of the term it was committed in).
    committed: SortedMap<u64, (u64, u64)>,
    /// State machine digest after applying index i.
    digests: SortedMap<u64, u64>,
    seen: SortedMap<ActorId, Seen>,
    checks: u64,
}

impl<SM: RaftSm> Default for SafetyMonitor<SM> {
    fn default() -> Self {
        SafetyMonitor {
            leaders: SortedMap::new(),
            entries: SortedMap::new(),
            committed: SortedMap::new(),
            digests: SortedMap::new(),
            seen: SortedMap::new(),
            checks: 0,
        }
    }
}

impl<SM: RaftSm> SafetyMonitor<SM> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn checks(&self) -> u64 {
        self.checks
    }

    /// Highest index known committed.
    pub fn max_committed(&self) -> u64 {
        self.committed.keys().next_back().copied().unwrap_or(0)
    }

    /// Check every server of a simulation of `Process`es.
    pub fn check_sim<W: Workload<SM>>(&mut self, sim: &Sim<Process<SM, W>>) -> Result<(), String> {
        for (id, p) in sim.actors().iter().enumerate() {
            if let Process::Server(s) = p {
                self.check_server(s, sim.node_state(id) != NodeState::Crashed)?;
            }
        }
        self.checks += 1;
        Ok(())
    }

    /// Check one server (call for every server after every event).
    pub fn check_server(&mut self, s: &RaftServer<SM>, up: bool) -> Result<(), String> {
        let id = s.id();
        let name = format!("n{}", id + 1);
        let prev = self.seen.get(&id).cloned().unwrap_or_default();
        if !up || !s.is_up() {
            if let Some(p) = self.seen.get_mut(&id) {
                p.up = false;
            }
            return Ok(());
        }
        let same_life = prev.up && prev.started_at == s.started_at();
        // Monotonic term and vote: durable, so across restarts too.
        if s.term() < prev.term {
            return Err(format!(
                "{name}: term went back from {} to {}",
                prev.term,
                s.term()
            ));
        }
        if s.term() == prev.term && prev.voted_for.is_some() && s.voted_for() != prev.voted_for {
            return Err(format!(
                "{name}: changed its vote in term {} from {:?} to {:?}",
                s.term(),
                prev.voted_for,
                s.voted_for()
            ));
        }
        if same_life && (s.commit_index() < prev.commit || s.applied_index() < prev.applied) {
            return Err(format!(
                "{name}: commit/applied went back ({}/{} -> {}/{})",
                prev.commit,
                prev.applied,
                s.commit_index(),
                s.applied_index()
            ));
        }
        let log = s.log();
        if !(log.snap_index <= s.applied_index()
            && s.applied_index() <= s.commit_index()
            && s.commit_index() <= log.last_index())
        {
            return Err(format!(
                "{name}: snapshot {} <= applied {} <= commit {} <= last {} violated",
                log.snap_index,
                s.applied_index(),
                s.commit_index(),
                log.last_index()
            ));
        }
        // Election safety.
        if s.role() == Role::Leader {
            if let Some(&other) = self.leaders.get(&s.term()) {
                if other != id {
                    return Err(format!(
                        "two leaders in term {}: n{} and {name}",
                        s.term(),
                        other + 1
                    ));
                }
            }
            self.leaders.insert(s.term(), id);
        }
        // Log matching, on the part of the log that changed.
        let from = if same_life {
            log.changed_since(prev.log_version)
        } else {
            Some(0)
        };
        if let Some(from) = from {
            let start = from.max(log.first_index());
            for e in log
                .entries
                .iter()
                .skip((start - log.first_index()) as usize)
            {
                let prev_term = log.term(e.index - 1).unwrap_or(0);
                match self.entries.get(&(e.index, e.term)) {
                    Some((pt, known)) => {
                        if *pt != prev_term || known.payload != e.payload {
                            return Err(format!(
                                "log matching: {name} has a different entry at index {} term {}",
                                e.index, e.term
                            ));
                        }
                    }
                    None => {
                        if let Payload::Config { .. } = e.payload {
                            self.check_new_config(log, s.commit_index(), e.index, e.term)
                                .map_err(|why| format!("{name}: {why}"))?;
                        }
                        self.entries
                            .insert((e.index, e.term), (prev_term, e.clone()));
                    }
                }
            }
        }
        // Committed entries: immutable and the same everywhere.
        if s.commit_index() > prev.commit || !same_life {
            let lo = if same_life {
                prev.commit + 1
            } else {
                log.first_index()
            };
            // From the snapshot's last entry: a commit and a compaction in one event would
            // otherwise leave a gap below the log's first entry.
            for i in lo.max(log.snap_index.max(1))..=s.commit_index() {
                let t = log.term(i).unwrap_or(0);
                if let Some(&(ct, _)) = self.committed.get(&i) {
                    if ct != t {
                        return Err(format!(
                            "committed entry {i} changed: term {ct} elsewhere, {t} on {name}"
                        ));
                    }
                } else {
                    self.committed.insert(i, (t, s.term()));
                }
            }
        }
        // Committed entries are safe: a log at least as up to date as the newest committed
        // entry holds it, so no server that lacks it can collect the votes of the servers
        // that hold it. (In Raft every leader of a later term holds the entry, so any entry of
        // a later term implies it: this fails as soon as an entry is committed that a future
        // leader could overwrite, before it is overwritten.)
        if let Some((&c, &(tc, _))) = self.committed.iter().next_back() {
            let (lt, li) = (log.last_term(), log.last_index());
            if (lt > tc || (lt == tc && li >= c)) && c > log.snap_index && log.term(c) != Some(tc) {
                return Err(format!(
                    "committed entry {c} (term {tc}) can be lost: {name}'s log (last entry {li}, term {lt}) is at least as up to date but has term {:?} there",
                    log.term(c)
                ));
            }
        }
        // Leader completeness: when a server becomes leader of term T, it holds every entry
        // known committed in an earlier term. (A node paused mid-election can legitimately win
        // an old term late, from votes granted back then: later commits do not bind it.)
        if s.role() == Role::Leader && prev.was_leader_term != s.term() {
            let leader_term = s.term();
            for (&i, &(t, _)) in self
                .committed
                .range(log.first_index()..)
                .filter(|(_, &(_, by))| by < leader_term)
            {
                if log.term(i) != Some(t) {
                    return Err(format!(
                        "leader completeness: {name} leads term {leader_term} without committed entry {i} (term {t})"
                    ));
                }
            }
        }
        // State machine safety: same digest after the same applied index.
        if s.applied_index() != prev.applied || !same_life {
            let d = s.state_machine().digest();
            match self.digests.get(&s.applied_index()) {
                Some(&known) if known != d => {
                    return Err(format!(
                        "state machine divergence at applied index {} on {name} (commit {}, log {:?}, sm {:?})",
                        s.applied_index(),
                        s.commit_index(),
                        log.entries.iter().map(|e| (e.index, e.term)).collect::<Vec<_>>(),
                        s.state_machine()
                    ));
                }
                Some(_) => {}
                None => {
                    self.digests.insert(s.applied_index(), d);
                }
            }
        }
        self.seen.insert(
            id,
            Seen {
                up: true,
                started_at: s.started_at(),
                term: s.term(),
                voted_for: s.voted_for(),
                commit: s.commit_index(),
                applied: s.applied_index(),
                log_version: log.version(),
                was_leader_term: if s.role() == Role::Leader {
                    s.term()
                } else {
                    prev.was_leader_term
                },
            },
        );
        Ok(())
    }

    /// A configuration entry `(index, term)` seen for the first time, in `log` (single-server
    /// changes, thesis §4.1 and the 2015 fix): its leader had committed an entry of its own
    /// term, and the previous configuration entry of the log was committed.
    /// `commit` is the server's own commit index, which may have moved in the same event.
    fn check_new_config(
        &self,
        log: &super::log::RaftLog<SM::Cmd>,
        commit: u64,
        index: u64,
        term: u64,
    ) -> Result<(), String> {
        // Committed terms never decrease along the log: look back past later terms (a stale
        // leader proposes below entries others committed in later terms).
        let own_term_committed = self
            .committed
            .range(..index)
            .rev()
            .map(|(_, &(t, _))| t)
            .find(|&t| t <= term)
            == Some(term)
            || (commit < index && log.term(commit) == Some(term));
        if !own_term_committed {
            return Err(format!(
                "configuration entry {index} of term {term} was proposed before its leader committed an entry of term {term}"
            ));
        }
        let earlier = (log.first_index().max(1)..index)
            .rev()
            .find(|&i| matches!(log.get(i).map(|e| &e.payload), Some(Payload::Config { .. })));
        if let Some(i) = earlier {
            if self.max_committed().max(commit) < i {
                return Err(format!(
                    "configuration entry {index} (term {term}) follows configuration entry {i}, which is not committed: two changes at once"
                ));
            }
        }
        Ok(())
    }

    /// The committed entry at `index` as recorded, if any.
    pub fn committed_term(&self, index: u64) -> Option<u64> {
        self.committed.get(&index).map(|&(t, _)| t)
    }

    /// The payload of the committed entry at `index`, if seen.
    pub fn committed_entry(&self, index: u64) -> Option<&Payload<SM::Cmd>> {
        let (t, _) = self.committed.get(&index)?;
        self.entries.get(&(index, *t)).map(|(_, e)| &e.payload)
    }
}
