//! The contract between Raft and the replicated state machines that run on it (locks, queue...).

use std::fmt::Debug;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::sim::{ActorId, Time};

/// Identifies one client request across retries: `(client, seq)`. `client` is the client actor's
/// id, so replies can be routed back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId {
    pub client: ActorId,
    pub seq: u64,
}

/// What the state machine learns about the entry it applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyCtx {
    /// Log index of the entry (fencing tokens and FIFO order derive from it).
    pub index: u64,
    pub term: u64,
    /// Virtual time stamped on the entry by the leader that proposed it. State machines use this,
    /// never a clock, so every replica computes the same thing.
    pub time: Time,
}

/// A reply produced by applying an entry. Applying one entry may answer several requests (a
/// release grants the lock to a waiter), or none yet (an acquire that has to wait).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply<O> {
    pub to: RequestId,
    pub output: O,
}

/// A deterministic replicated state machine. `Clone` doubles as its snapshot.
pub trait StateMachine: Clone + Debug + Default {
    type Cmd: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    type Output: Clone + Debug + PartialEq + Serialize + DeserializeOwned;

    /// Apply a committed command. `req` is the client request it came from, or `None` for
    /// housekeeping entries the leader proposed itself (ticks). Duplicate `(client, seq)` must be
    /// handled here (idempotency), because only the state machine knows which replies are owed.
    fn apply(
        &mut self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &Self::Cmd,
        replies: &mut Vec<Reply<Self::Output>>,
    );

    /// A housekeeping command the leader should propose now (lease and wait-timeout expiry), or
    /// `None`. Called by the leader on its tick timer; must not mutate.
    fn housekeeping(&self, _now: Time) -> Option<Self::Cmd> {
        None
    }

    /// A command a newly elected leader proposes right after its no-op (e.g. extend leases so
    /// that the election gap does not expire them), or `None`.
    fn on_elected(&self, _now: Time) -> Option<Self::Cmd> {
        None
    }

    /// Why applying `cmd` decides what it does, for the event log (`sim::why`). Called on the
    /// leader only (one line per decision, not one per replica): with `replies = None` before
    /// the entry is applied (what it is about to end, e.g. expiring leases), then with the
    /// replies it produced.
    fn why(
        &self,
        _ctx: &ApplyCtx,
        _req: Option<RequestId>,
        _cmd: &Self::Cmd,
        _replies: Option<&[Reply<Self::Output>]>,
        _out: &mut Vec<crate::sim::Why>,
    ) {
    }

    /// Short label for the UI's log cells, e.g. "acq db X c3".
    fn label(cmd: &Self::Cmd) -> String;

    /// A stable digest of the whole state (replica-equivalence checks, trace).
    fn digest(&self) -> u64;

    /// Evaluate a read-only command (`ClientOp::Read`, served by ReadIndex) without changing the
    /// replica. The default applies it to a scratch copy and returns the first reply addressed
    /// to `req`; state machines with large state may override it with a direct lookup.
    /// (Added by the Raft helper; a default method, so existing implementations are unaffected.)
    fn query(&self, ctx: &ApplyCtx, req: RequestId, cmd: &Self::Cmd) -> Option<Self::Output> {
        let mut scratch = self.clone();
        let mut replies = Vec::new();
        scratch.apply(ctx, Some(req), cmd, &mut replies);
        replies.into_iter().find(|r| r.to == req).map(|r| r.output)
    }

    /// Rough size in bytes, for the node status `memory_usage` and snapshot transfer size.
    fn approx_size(&self) -> usize {
        64
    }
}
