//! The coherence invariants, on any world that hosts the cache service (the playground's lights
//! and the fuzzer after every event):
//! - single writer or multiple readers (an M or E copy is the only valid one);
//! - at most one O, and beside an O only S or I;
//! - every pair of copies is in the permitted matrix (MESI: M–I, E–I, S–S, S–I, I–I; MOESI
//!   adds O–S, O–I);
//! - memory is stale iff an M or O copy exists (or dirty data on its way to memory, or an owner
//!   that crashed with it: the write-back window), and an M/O copy is never older than memory;
//! - every read returns the latest write (`ValueChecker`, replaying the nodes' records), except
//!   writes lost in the write-back window, which are counted instead.

use crate::base::decimal::Fixed;
use crate::base::sorted::{SortedMap, SortedSet};

use super::actor::CacheActor;
use super::msg::{Record, RecordKind};
use super::protocol::{permitted_pair, LineState, Protocol};
use crate::service::Part;
use crate::sim::{Actor, ActorId, NodeState, Sim};

/// The names of the state invariants, as the lights show them.
pub const SWMR: &str = "Single writer or multiple readers";
pub const ONE_OWNER: &str = "At most one O";
pub const PAIRS: &str = "Permitted state pairs";
pub const STALE: &str = "Memory stale iff M/O";
/// The distinct outcome of a crashed M/O owner, as the log, the lights and the stats name it.
pub const LOST_IN_WINDOW: &str = "write lost in the write-back window";

/// A violated invariant: which one, and what was seen.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub invariant: &'static str,
    pub detail: String,
}

fn name(n: ActorId) -> String {
    crate::raft::msg::node_name(n)
}

/// Check every key of the world against the state invariants.
pub fn check_states<N: Actor + Part<CacheActor>>(
    sim: &Sim<N>,
    servers: usize,
) -> Result<(), Violation> {
    let part = |i: usize| -> &CacheActor { sim.actor(i).part() };
    let up = |i: usize| sim.node_state(i) != NodeState::Crashed;
    let mut keys = SortedSet::new();
    for i in 0..servers {
        keys.extend(part(i).store().iter().map(|(k, _)| k.as_str()));
    }
    for key in keys {
        let copies: Vec<(ActorId, LineState, u64)> = (0..servers)
            .filter(|&i| up(i))
            .filter_map(|i| {
                part(i)
                    .store()
                    .peek(key)
                    .map(|l| (i, l.state, l.data.version))
            })
            .collect();
        let home = part(0).home_of(key);
        let protocol = part(home).protocol();
        check_key(sim, servers, key, protocol, &copies)?;
    }
    Ok(())
}

fn check_key<N: Actor + Part<CacheActor>>(
    sim: &Sim<N>,
    servers: usize,
    key: &str,
    protocol: Protocol,
    copies: &[(ActorId, LineState, u64)],
) -> Result<(), Violation> {
    let fail = |invariant, detail: String| {
        Err(Violation {
            invariant,
            detail: format!("`{key}`: {detail}"),
        })
    };
    let show = || {
        copies
            .iter()
            .map(|(n, s, _)| format!("{} {}", name(*n), s.letter()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let valid = copies.iter().filter(|c| c.1.valid()).count();
    if copies.iter().any(|c| c.1.exclusive()) && valid > 1 {
        return fail(
            SWMR,
            format!("an exclusive copy beside others ({})", show()),
        );
    }
    if copies.iter().filter(|c| c.1 == LineState::O).count() > 1 {
        return fail(ONE_OWNER, format!("two owners ({})", show()));
    }
    for (i, a) in copies.iter().enumerate() {
        for b in &copies[i + 1..] {
            if !permitted_pair(protocol, a.1, b.1) {
                return fail(
                    PAIRS,
                    format!(
                        "{} {} with {} {} is not a permitted {} pair",
                        name(a.0),
                        a.1.letter(),
                        name(b.0),
                        b.1.letter(),
                        protocol.name()
                    ),
                );
            }
        }
    }
    let part = |i: usize| -> &CacheActor { sim.actor(i).part() };
    let home = part(0).home_of(key);
    let Some(line) = part(home).home_lines().get(key) else {
        return Ok(());
    };
    let mem = line.memory_version();
    for (n, s, v) in copies {
        if s.dirty() && *v <= mem && !part(*n).write_through_pending(key) {
            return fail(
                STALE,
                format!(
                    "{} holds {} at version {v} but memory already has version {mem}",
                    name(*n),
                    s.letter()
                ),
            );
        }
    }
    let newest = copies.iter().map(|c| c.2).max().unwrap_or(0);
    if newest > mem {
        let dirty = copies.iter().any(|c| c.1.dirty());
        let handoff = (0..servers).any(|i| {
            sim.node_state(i) != NodeState::Crashed
                && part(i)
                    .handoffs()
                    .get(key)
                    .is_some_and(|h| h.data.version >= newest)
        });
        // The write-back window: the owner the directory knows crashed (or has rebooted)
        // with the dirty data, and the home has not noticed yet.
        let window = line.dir.iter().any(|(&n, (s, boot, _))| {
            s.owner() && (sim.node_state(n) == NodeState::Crashed || part(n).boot() != *boot)
        }) || line.busy.as_ref().is_some_and(|t| t.lost_from.is_some());
        // Ownership in transit: the home's (persisted) transaction holds the dirty data it
        // collected and is handing it to the requester.
        let in_txn = line.busy.as_ref().is_some_and(|t| {
            t.best.as_ref().is_some_and(|d| d.version >= newest)
                || t.fill
                    .as_ref()
                    .is_some_and(|(_, d)| d.as_ref().is_some_and(|d| d.version >= newest))
        });
        if !dirty && !handoff && !window && !in_txn {
            return fail(
                STALE,
                format!(
                    "memory has version {mem}, a copy has {newest}, and no M or O copy owes the \
                     write-back ({}; the directory at {} lists {})",
                    show(),
                    name(home),
                    line.dir
                        .iter()
                        .map(|(n, (s, b, t))| format!(
                            "{} {} boot {b} txn {t}",
                            name(*n),
                            s.letter()
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    Ok(())
}

/// Replays the nodes' records: every read must return the latest write; a write builds on the
/// latest; a `Lost` record (an owner's crash found by the home) resets the latest to what
/// survived and counts the loss.
#[derive(Clone, Debug, Default)]
pub struct ValueChecker {
    newest: SortedMap<String, (u64, String)>,
    acked: SortedMap<String, u64>,
    seen: Vec<u64>,
    /// Keys whose latest write is not known (the record window started after it).
    unknown_ok: bool,
    pub reads: u64,
    pub writes: u64,
    /// Writes lost in the write-back window (an owner crashed before writing back).
    pub lost: u64,
    /// Of those, writes that had been acknowledged to their client.
    pub lost_acked: u64,
}

impl ValueChecker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn feed(&mut self, r: &Record) -> Result<(), String> {
        let t = r.t as f64 / crate::base::MS as f64;
        match &r.kind {
            RecordKind::Write {
                key,
                version,
                value,
            } => {
                self.writes += 1;
                let cur = self.newest.get(key).map_or(0, |n| n.0);
                let known = self.newest.contains_key(key) || !self.unknown_ok;
                if known && *version != cur + 1 {
                    return Err(format!(
                        "t={t} ms: {} wrote `{key}` version {version} but the latest was {cur} \
                         (a write did not see the one before it)",
                        name(r.node),
                        t = Fixed(t, 3)
                    ));
                }
                self.newest.insert(key.clone(), (*version, value.clone()));
            }
            RecordKind::Read {
                key,
                version,
                value,
            } => {
                self.reads += 1;
                match self.newest.get(key) {
                    None if self.unknown_ok => {
                        if *version > 0 {
                            self.newest.insert(key.clone(), (*version, value.clone()));
                        }
                    }
                    cur => {
                        let (cv, cval) = cur.cloned().unwrap_or((0, String::new()));
                        if *version != cv || *value != cval {
                            return Err(format!(
                                "t={t} ms: {} read `{key}` = {value:?} (version {version}) but \
                                 the latest write is {cval:?} (version {cv}): a stale read",
                                name(r.node),
                                t = Fixed(t, 3)
                            ));
                        }
                    }
                }
            }
            RecordKind::Ack { key, version } => {
                let a = self.acked.entry(key.clone()).or_default();
                *a = (*a).max(*version);
            }
            RecordKind::Lost { key, memory, .. } => {
                let m = memory.as_ref().map_or(0, |m| m.0);
                let cur = self.newest.get(key).map_or(0, |n| n.0);
                if cur > m {
                    self.lost += 1;
                    if self.acked.get(key).is_some_and(|&a| a > m) {
                        self.lost_acked += 1;
                    }
                }
                match memory {
                    Some((v, val)) => self.newest.insert(key.clone(), (*v, val.clone())),
                    None => self.newest.remove(key),
                };
                if let Some(a) = self.acked.get_mut(key) {
                    *a = (*a).min(m);
                }
            }
            RecordKind::Memory { key, value } => {
                self.newest.insert(key.clone(), (1, value.clone()));
            }
            RecordKind::Txn(_) => {}
        }
        Ok(())
    }

    /// Feed the records each server logged since the last call, in order (one event runs on
    /// one node, so calling this after every event replays the world's order exactly).
    pub fn consume<N: Actor + Part<CacheActor>>(
        &mut self,
        sim: &Sim<N>,
        servers: usize,
    ) -> Result<(), String> {
        self.seen.resize(servers, 0);
        for i in 0..servers {
            let a: &CacheActor = sim.actor(i).part();
            if a.logged() == self.seen[i] {
                continue;
            }
            let from = self.seen[i];
            for r in a.records().iter().filter(|r| r.seq > from) {
                self.feed(r)?;
            }
            self.seen[i] = a.logged();
        }
        Ok(())
    }

    /// Replay what the nodes still keep, merged by time. `partial`: the records may not start
    /// at the beginning of the run (the lights), so a key's first read sets its baseline.
    pub fn replay<N: Actor + Part<CacheActor>>(
        sim: &Sim<N>,
        servers: usize,
        partial: bool,
    ) -> (Self, Result<(), String>) {
        let mut c = ValueChecker {
            unknown_ok: partial,
            ..Self::default()
        };
        let mut all: Vec<&Record> = (0..servers)
            .flat_map(|i| {
                let a: &CacheActor = sim.actor(i).part();
                a.records().iter()
            })
            .collect();
        crate::base::sort::sort_by_key(&mut all, |r| (r.t, r.node, r.seq));
        for r in all {
            if let Err(e) = c.feed(r) {
                return (c, Err(e));
            }
        }
        (c, Ok(()))
    }
}
