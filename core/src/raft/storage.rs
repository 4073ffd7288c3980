//! What a Raft server keeps across crashes: term, vote, log and the latest snapshot.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use super::msg::{Entry, Payload};
use crate::sim::{ActorId, Durable};

/// A type-erased, shared, immutable copy of a state machine. The contract only gives us
/// `StateMachine: Clone`, and the durable store is generic over the command type alone, so the
/// snapshot holds the machine behind `Any` and the server downcasts it back.
pub trait SnapshotState: Any + Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
}
impl<T: Any + Debug + Send + Sync> SnapshotState for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A compacted prefix of the log: the state machine after applying entries `..=index`.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub index: u64,
    pub term: u64,
    /// The voter configuration in force at `index`.
    pub voters: Vec<ActorId>,
    pub data: Arc<dyn SnapshotState>,
    /// Approximate size in bytes (transfer cost on the wire).
    pub size: usize,
}

impl Snapshot {
    /// The state machine inside, if it has type `SM`.
    pub fn state<SM: Clone + 'static>(&self) -> Option<SM> {
        (*self.data).as_any().downcast_ref::<SM>().cloned()
    }
}

/// One write to the durable store.
#[derive(Clone, Debug)]
pub enum PersistOp<C> {
    HardState {
        term: u64,
        voted_for: Option<ActorId>,
    },
    /// Drop every entry with index >= `from`, then append `entries` (which start at `from`).
    Append { from: u64, entries: Vec<Entry<C>> },
    /// Keep the snapshot; drop log entries it covers. If the log does not hold the snapshot's
    /// last entry with the same term, the whole log is dropped (it conflicts or is too short).
    Snapshot(Snapshot),
}

/// The durable store of one server.
#[derive(Clone, Debug)]
pub struct RaftDurable<C> {
    pub term: u64,
    pub voted_for: Option<ActorId>,
    /// Entries after the snapshot, in index order.
    pub log: Vec<Entry<C>>,
    pub snapshot: Option<Snapshot>,
}

impl<C> Default for RaftDurable<C> {
    fn default() -> Self {
        RaftDurable {
            term: 0,
            voted_for: None,
            log: Vec::new(),
            snapshot: None,
        }
    }
}

impl<C> RaftDurable<C> {
    fn first_index(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.index) + 1
    }

    /// The latest configuration recorded in the store, if any.
    pub fn voters(&self) -> Option<Vec<ActorId>> {
        self.log
            .iter()
            .rev()
            .find_map(|e| match &e.payload {
                Payload::Config { voters } => Some(voters.clone()),
                _ => None,
            })
            .or_else(|| self.snapshot.as_ref().map(|s| s.voters.clone()))
    }
}

impl<C: Clone + Debug> Durable for RaftDurable<C> {
    type Op = PersistOp<C>;

    fn apply(&mut self, op: PersistOp<C>) {
        match op {
            PersistOp::HardState { term, voted_for } => {
                self.term = term;
                self.voted_for = voted_for;
            }
            PersistOp::Append { from, entries } => {
                let keep = from.saturating_sub(self.first_index()) as usize;
                self.log.truncate(keep);
                self.log.extend(entries);
            }
            PersistOp::Snapshot(snap) => {
                let first = self.first_index();
                let pos = snap.index.checked_sub(first).map(|p| p as usize);
                match pos.and_then(|p| self.log.get(p).map(|e| (p, e.term))) {
                    Some((p, term)) if term == snap.term => {
                        self.log.drain(..=p);
                    }
                    _ if snap.index < first => {}
                    _ => self.log.clear(),
                }
                if self.snapshot.as_ref().is_none_or(|s| s.index < snap.index) {
                    self.snapshot = Some(snap);
                }
            }
        }
    }
}
