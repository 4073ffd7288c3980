//! The in-memory Raft log: a compacted prefix (snapshot index/term) plus the entries after it.

use std::collections::VecDeque;

use super::msg::{Entry, Payload};

const RECENT_CHANGES: usize = 16;
use crate::sim::ActorId;

#[derive(Clone, Debug)]
pub struct RaftLog<C> {
    /// Index and term of the last entry covered by the snapshot (0, 0 without one).
    pub snap_index: u64,
    pub snap_term: u64,
    /// Entries `snap_index + 1 ..= last_index()`.
    pub entries: Vec<Entry<C>>,
    /// Mutation counter and the lowest index written by each recent mutation, so that checkers
    /// (the `SafetyMonitor`) re-examine only what changed.
    version: u64,
    recent: VecDeque<(u64, u64)>,
    /// Index of the latest `Config` entry in `entries`, kept up to date by every mutation:
    /// `last_config` is asked on every commit and scanning the log for it was a hot spot.
    config_index: Option<u64>,
}

impl<C: Clone> Default for RaftLog<C> {
    fn default() -> Self {
        RaftLog {
            snap_index: 0,
            snap_term: 0,
            entries: Vec::new(),
            version: 0,
            recent: VecDeque::new(),
            config_index: None,
        }
    }
}

impl<C: Clone> RaftLog<C> {
    fn touched(&mut self, from: u64) {
        self.version += 1;
        if self.recent.len() == RECENT_CHANGES {
            self.recent.pop_front();
        }
        self.recent.push_back((self.version, from));
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// The lowest index written since `version`, `None` if nothing was; `Some(0)` if too much
    /// happened to say (check everything).
    pub fn changed_since(&self, version: u64) -> Option<u64> {
        if version >= self.version {
            return None;
        }
        if self.recent.front().is_none_or(|&(v, _)| v > version + 1) {
            return Some(0);
        }
        self.recent
            .iter()
            .filter(|&&(v, _)| v > version)
            .map(|&(_, f)| f)
            .min()
    }

    /// Replace the entries after the snapshot (restart from the durable store).
    pub fn reset(&mut self, entries: Vec<Entry<C>>) {
        self.entries = entries;
        self.touched(0);
        self.rescan_config();
    }

    fn rescan_config(&mut self) {
        self.config_index = self.entries.iter().rev().find_map(|e| match &e.payload {
            Payload::Config { .. } => Some(e.index),
            _ => None,
        });
    }

    pub fn last_index(&self) -> u64 {
        self.snap_index + self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.snap_term, |e| e.term)
    }

    pub fn first_index(&self) -> u64 {
        self.snap_index + 1
    }

    /// Term of the entry at `index`; `None` if compacted away (below the snapshot) or beyond
    /// the end. Index 0 has term 0.
    pub fn term(&self, index: u64) -> Option<u64> {
        if index == self.snap_index {
            return Some(self.snap_term);
        }
        self.get(index).map(|e| e.term)
    }

    pub fn get(&self, index: u64) -> Option<&Entry<C>> {
        if index <= self.snap_index {
            return None;
        }
        self.entries.get((index - self.snap_index - 1) as usize)
    }

    pub fn matches(&self, index: u64, term: u64) -> bool {
        self.term(index) == Some(term)
    }

    /// Raft's "at least as up-to-date" test (§5.4.1).
    pub fn is_up_to_date(&self, last_index: u64, last_term: u64) -> bool {
        last_term > self.last_term()
            || (last_term == self.last_term() && last_index >= self.last_index())
    }

    /// Up to `max` entries starting at `from` (which must be > snap_index).
    pub fn slice(&self, from: u64, max: usize) -> Vec<Entry<C>> {
        if from <= self.snap_index {
            return Vec::new();
        }
        let start = (from - self.snap_index - 1) as usize;
        let end = (start + max).min(self.entries.len());
        self.entries
            .get(start..end)
            .map_or_else(Vec::new, <[_]>::to_vec)
    }

    pub fn append(&mut self, entry: Entry<C>) {
        debug_assert_eq!(entry.index, self.last_index() + 1);
        self.touched(entry.index);
        if matches!(entry.payload, Payload::Config { .. }) {
            self.config_index = Some(entry.index);
        }
        self.entries.push(entry);
    }

    /// Follower side of AppendEntries (after the prev check passed): skip entries already
    /// present with the same term, truncate at the first conflict, append the rest. A matching
    /// entry never truncates (a stale, shorter AppendEntries must not erase newer entries).
    /// Returns the index from which the log changed and the new entries, for persistence.
    /// Takes the message's entries: the log keeps them and only the copy for persistence is
    /// cloned (cloning for both was a share of every follower's append).
    pub fn merge(&mut self, mut entries: Vec<Entry<C>>) -> Option<(u64, Vec<Entry<C>>)> {
        let first_new = entries
            .iter()
            .position(|e| e.index > self.snap_index && !self.matches(e.index, e.term))?;
        let from = entries[first_new].index;
        self.entries.truncate((from - self.snap_index - 1) as usize);
        entries.drain(..first_new);
        let fresh = entries.clone();
        self.entries.append(&mut entries);
        self.touched(from);
        // Only a truncation can remove the latest config, and only the fresh entries can add
        // one: rescanning the whole log on every append was 4 % of a queue benchmark's time.
        if self.config_index.is_some_and(|c| c >= from) {
            self.rescan_config();
        }
        if let Some(e) = fresh
            .iter()
            .rev()
            .find(|e| matches!(e.payload, Payload::Config { .. }))
        {
            self.config_index = Some(e.index);
        }
        Some((from, fresh))
    }

    /// The largest index <= `index` whose term is <= `term` (etcd's findConflictByTerm): the
    /// best guess of where a follower's log and the leader's can agree.
    pub fn conflict_hint(&self, index: u64, term: u64) -> (u64, u64) {
        let mut i = index.min(self.last_index());
        while i > self.snap_index {
            let t = self.term(i).unwrap_or(0);
            if t <= term {
                return (i, t);
            }
            i -= 1;
        }
        (self.snap_index, self.snap_term)
    }

    /// Drop entries up to `index` (inclusive) after a snapshot at (`index`, `term`).
    /// If the log does not hold that entry with that term, everything is dropped.
    pub fn compact(&mut self, index: u64, term: u64) {
        if index <= self.snap_index {
            return;
        }
        if self.matches(index, term) {
            self.entries.drain(..(index - self.snap_index) as usize);
        } else {
            self.entries.clear();
        }
        self.snap_index = index;
        self.snap_term = term;
        if self.config_index.is_some_and(|c| c <= index) || self.entries.is_empty() {
            self.config_index = None;
        }
    }

    /// The latest configuration in the log (not in the snapshot), with its index.
    pub fn last_config(&self) -> Option<(u64, &[ActorId])> {
        let e = self.get(self.config_index?)?;
        match &e.payload {
            Payload::Config { voters } => Some((e.index, voters.as_slice())),
            _ => None,
        }
    }

    /// The latest configuration at or below `index`.
    pub fn config_at(&self, index: u64) -> Option<&[ActorId]> {
        self.entries
            .iter()
            .rev()
            .filter(|e| e.index <= index)
            .find_map(|e| match &e.payload {
                Payload::Config { voters } => Some(voters.as_slice()),
                _ => None,
            })
    }
}
