//! A small replicated key-value state machine with `(client, seq)` deduplication, used by the
//! Raft tests, the fuzzer and the Raft benchmark.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::client::Workload;
use super::msg::{ClientOp, ClientResult};
use super::sessions::{Admit, Sessions};
use super::sm::{ApplyCtx, Reply, RequestId, StateMachine};
use crate::sim::{SimRng, Time, MS};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvCmd {
    /// Add `delta` to `key`; the output is the new value.
    Add { key: u8, delta: u64 },
    /// Read `key`.
    Get { key: u8 },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KvSm {
    pub values: BTreeMap<u8, u64>,
    /// Last applied seq and its output per client: a retry gets the same answer, applied once.
    pub sessions: Sessions<u64>,
    /// Every request applied, in order (lets tests prove "applied exactly once").
    pub applied_reqs: Vec<RequestId>,
    pub last_index: u64,
}

impl StateMachine for KvSm {
    type Cmd = KvCmd;
    type Output = u64;

    fn apply(
        &mut self,
        ctx: &ApplyCtx,
        req: Option<RequestId>,
        cmd: &KvCmd,
        replies: &mut Vec<Reply<u64>>,
    ) {
        self.last_index = ctx.index;
        if let Some(r) = req {
            match self.sessions.admit(r) {
                Admit::Run { .. } => {}
                Admit::Replay(output) => return replies.push(Reply { to: r, output }),
                Admit::Pending | Admit::Stale => return,
            }
        }
        let out = match *cmd {
            KvCmd::Add { key, delta } => {
                let v = self.values.entry(key).or_insert(0);
                *v += delta;
                *v
            }
            KvCmd::Get { key } => self.values.get(&key).copied().unwrap_or(0),
        };
        if let Some(r) = req {
            self.sessions.record(r, &out);
            self.applied_reqs.push(r);
            replies.push(Reply { to: r, output: out });
        }
    }

    fn query(&self, _ctx: &ApplyCtx, _req: RequestId, cmd: &KvCmd) -> Option<u64> {
        match *cmd {
            KvCmd::Get { key } => Some(self.values.get(&key).copied().unwrap_or(0)),
            KvCmd::Add { .. } => None,
        }
    }

    fn label(cmd: &KvCmd) -> String {
        match cmd {
            KvCmd::Add { key, delta } => format!("k{key}+={delta}"),
            KvCmd::Get { key } => format!("get k{key}"),
        }
    }

    fn digest(&self) -> u64 {
        // FNV-1a over the values: stable across platforms.
        let mut h = crate::base::StableHasher::default();
        for (&k, &v) in &self.values {
            h.bytes(&[k]);
            h.bytes(&v.to_le_bytes());
        }
        h.finish()
    }

    fn approx_size(&self) -> usize {
        64 + self.values.len() * 16 + self.sessions.len() * 24 + self.applied_reqs.len() * 16
    }
}

/// A closed-loop KV workload: `remaining` operations, mostly increments, some reads.
#[derive(Clone, Debug)]
pub struct KvWorkload {
    pub remaining: u64,
    pub keys: u8,
    pub read_ratio: f64,
    pub think_min: Time,
    pub think_max: Time,
}

impl KvWorkload {
    pub fn new(remaining: u64) -> Self {
        KvWorkload {
            remaining,
            keys: 4,
            read_ratio: 0.2,
            think_min: 2 * MS,
            think_max: 20 * MS,
        }
    }
}

impl Workload<KvSm> for KvWorkload {
    fn next(&mut self, _now: Time, rng: &mut SimRng) -> Option<(ClientOp<KvCmd>, Time)> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let key = rng.range_u64(0, u64::from(self.keys.max(1))) as u8;
        let op = if rng.chance(self.read_ratio) {
            ClientOp::Read(KvCmd::Get { key })
        } else {
            ClientOp::Cmd(KvCmd::Add { key, delta: 1 })
        };
        Some((op, rng.range_u64(self.think_min, self.think_max)))
    }
    fn on_result(&mut self, _op: &ClientOp<KvCmd>, _result: &ClientResult<u64>) {}
}
