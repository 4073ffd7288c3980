//! What travels: the console's requests and answers, and the coherence traffic, each coherence
//! message named after its bus equivalent (a directory protocol carries the snooping bus's
//! transactions as messages: REFERENCES §1.2).

use serde::{Deserialize, Serialize};

use super::protocol::{BusOp, LineState, Protocol, Supply};
use super::store::Data;
use crate::base::text::Text;
use crate::sim::{ActorId, Message};

/// A requester's id for one bus request: `boot << 32 | n`, unique across restarts.
pub type ReqId = u64;

/// What the processor (the node's API) asked for, as the transaction log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProcAction {
    PrRd,
    PrWr,
    /// `POST /cache/invalidate`: every copy goes to I (dirty ones Flush first).
    Invalidate,
    /// LRU eviction.
    Evict,
    /// TTL expiry.
    Expire,
}

impl ProcAction {
    pub fn name(self) -> &'static str {
        match self {
            ProcAction::PrRd => "PrRd",
            ProcAction::PrWr => "PrWr",
            ProcAction::Invalidate => "Invalidate",
            ProcAction::Evict => "Evict (LRU)",
            ProcAction::Expire => "Expire (TTL)",
        }
    }
}

/// Who supplied a transaction's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Supplier {
    None,
    Memory,
    Cache { node: ActorId, supply: Supply },
}

/// A console operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheOp {
    Get {
        key: String,
    },
    Set {
        key: String,
        value: String,
        ttl_ms: u64,
    },
    Invalidate {
        key: String,
    },
    Stats,
    /// A fresh run: every node empties its cache, directory and memory and adopts `protocol`.
    Reset {
        protocol: Protocol,
        write_through: bool,
        /// Values to put in memory (at each key's home) before the run: `(key, value)`.
        memory: Vec<(String, String)>,
    },
}

impl CacheOp {
    pub fn key(&self) -> Option<&str> {
        match self {
            CacheOp::Get { key } | CacheOp::Set { key, .. } | CacheOp::Invalidate { key } => {
                Some(key)
            }
            _ => None,
        }
    }
}

/// A node's counters (the NCSU 506 statistic set, REFERENCES §1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheStats {
    pub reads: u64,
    pub writes: u64,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    pub expirations: u64,
    /// Memory written with a cache's dirty data (at the home).
    pub write_backs: u64,
    /// Copies that went to I because of a snoop (any → I).
    pub invalidations: u64,
    /// E/M → S, or M → O, on a snooped BusRd.
    pub interventions: u64,
    /// Transactions whose data came from another cache (at the home).
    pub cache_to_cache: u64,
    /// Transactions whose data came from memory (at the home).
    pub memory_reads: u64,
    pub bus_rd: u64,
    pub bus_rdx: u64,
    pub bus_upgr: u64,
    pub flush: u64,
    pub flush_opt: u64,
    /// Coherence messages sent (directory traffic) and their bytes.
    pub messages: u64,
    pub bytes: u64,
}

impl CacheStats {
    pub fn add(&mut self, o: &CacheStats) {
        let pairs = [
            (&mut self.reads, o.reads),
            (&mut self.writes, o.writes),
            (&mut self.hits, o.hits),
            (&mut self.misses, o.misses),
            (&mut self.evictions, o.evictions),
            (&mut self.expirations, o.expirations),
            (&mut self.write_backs, o.write_backs),
            (&mut self.invalidations, o.invalidations),
            (&mut self.interventions, o.interventions),
            (&mut self.cache_to_cache, o.cache_to_cache),
            (&mut self.memory_reads, o.memory_reads),
            (&mut self.bus_rd, o.bus_rd),
            (&mut self.bus_rdx, o.bus_rdx),
            (&mut self.bus_upgr, o.bus_upgr),
            (&mut self.flush, o.flush),
            (&mut self.flush_opt, o.flush_opt),
            (&mut self.messages, o.messages),
            (&mut self.bytes, o.bytes),
        ];
        for (a, b) in pairs {
            *a += b;
        }
    }
    /// hits / (hits + misses), 0 before any access.
    pub fn hit_rate(&self) -> f64 {
        let n = self.hits + self.misses;
        if n == 0 {
            0.0
        } else {
            self.hits as f64 / n as f64
        }
    }
}

/// The answer to a console operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CacheReply {
    Value {
        key: String,
        value: String,
        state: LineState,
        version: u64,
        /// Served from the node's own copy, with no bus transaction (the hit rate's "hit").
        hit: bool,
    },
    NotFound {
        key: String,
    },
    Written {
        key: String,
        version: u64,
        state: LineState,
    },
    Invalidated {
        key: String,
    },
    Stats {
        node: ActorId,
        total_entries: usize,
        /// Boxed: the counters are 144 bytes, and the largest reply sizes every message of the
        /// simulation (the node's message enum), which the kernel moves several times each.
        stats: Box<CacheStats>,
    },
    ResetDone {
        protocol: Protocol,
        write_through: bool,
        nodes: usize,
    },
    /// 503/504 with the reason (an unreachable home, a reset that did not reach every node).
    Error {
        status: u16,
        message: String,
    },
}

/// The coherence messages carry their key as a `Text`: a transaction's messages (snoops, replies,
/// the fill and its acknowledgement) share the one string rather than copy it each.
#[derive(Clone, Debug)]
pub enum CacheMsg {
    /// Console/workload client → the node chosen in the console.
    Request {
        seq: u64,
        op: CacheOp,
    },
    Response {
        seq: u64,
        reply: CacheReply,
    },
    /// Requester → home: a bus request (BusRd, BusRdX, BusUpgr), or an invalidation.
    BusReq {
        epoch: u64,
        key: Text,
        req: ReqId,
        bus: BusOp,
        proc: ProcAction,
        /// The requester's state when it asked (for the transaction log).
        prev: LineState,
        boot: u64,
        /// An upgrading S/O copy's data: it may be the only surviving copy of the latest
        /// write if the owner crashed meanwhile.
        data: Option<Data>,
    },
    /// Home → a copy holder: the snooped bus transaction (forwarded BusRd, or an invalidation).
    Snoop {
        epoch: u64,
        key: Text,
        txn: u64,
        bus: BusOp,
        supplier: bool,
    },
    SnoopReply {
        epoch: u64,
        key: Text,
        txn: u64,
        prev: LineState,
        next: LineState,
        supply: Supply,
        write_memory: bool,
        /// The holder's data, if it had any (a clean copy, or dirty data it hands off).
        data: Option<Data>,
        /// Dirty data left this cache with the reply: it keeps a copy until the home acks.
        handoff: bool,
        boot: u64,
    },
    /// Home → requester: the data and the state to fill (I: invalidation done, or no such key).
    Fill {
        epoch: u64,
        key: Text,
        req: ReqId,
        txn: u64,
        state: LineState,
        data: Option<Data>,
    },
    FillAck {
        epoch: u64,
        key: Text,
        txn: u64,
        accepted: bool,
        /// The requester's state for the line now (a refused upgrade still holds its S/O),
        /// and the transaction that filled the copy it holds: the grant its write-back will
        /// name (0 when it holds none).
        holding: LineState,
        holding_grant: u64,
        boot: u64,
    },
    /// A dirty line leaving a cache (eviction, expiry): Flush to memory.
    PutM {
        epoch: u64,
        key: Text,
        data: Data,
        reason: ProcAction,
        boot: u64,
        /// The transaction that granted the copy (see `HomeLine::dir`).
        txn: u64,
    },
    /// Home → a former holder: your dirty data is safe, forget it.
    PutAck {
        epoch: u64,
        key: Text,
        version: u64,
    },
    WriteThrough {
        epoch: u64,
        key: Text,
        data: Data,
    },
    WtAck {
        epoch: u64,
        key: Text,
        version: u64,
    },
    Reset {
        epoch: u64,
        protocol: Protocol,
        write_through: bool,
        memory: Vec<(String, String)>,
    },
    ResetAck {
        epoch: u64,
    },
}

impl Message for CacheMsg {
    fn kind(&self) -> &'static str {
        match self {
            CacheMsg::Request { .. } => "CacheRequest",
            CacheMsg::Response { .. } => "CacheResponse",
            CacheMsg::BusReq { bus, proc, .. } => match (proc, bus) {
                (ProcAction::Invalidate, _) => "BusRdX-Inv",
                (_, BusOp::BusRd) => "BusRd",
                (_, BusOp::BusRdX) => "BusRdX",
                (_, BusOp::BusUpgr) => "BusUpgr",
            },
            CacheMsg::Snoop { bus, .. } => match bus {
                BusOp::BusRd => "Snoop-BusRd",
                BusOp::BusRdX => "Snoop-BusRdX",
                BusOp::BusUpgr => "Snoop-BusUpgr",
            },
            CacheMsg::SnoopReply { supply, .. } => match supply {
                Supply::Flush => "Flush",
                Supply::FlushOpt => "FlushOpt",
                Supply::None => "SnoopAck",
            },
            CacheMsg::Fill { .. } => "Data",
            CacheMsg::FillAck { .. } => "DataAck",
            CacheMsg::PutM { .. } => "Flush-WB",
            CacheMsg::PutAck { .. } => "WB-Ack",
            CacheMsg::WriteThrough { .. } => "WriteThrough",
            CacheMsg::WtAck { .. } => "WT-Ack",
            CacheMsg::Reset { .. } => "CacheReset",
            CacheMsg::ResetAck { .. } => "CacheResetAck",
        }
    }
    fn size_bytes(&self) -> u32 {
        // A header, plus a 64-byte line when data travels.
        let data = |d: &Option<Data>| if d.is_some() { 64 } else { 0 };
        16 + match self {
            CacheMsg::SnoopReply { data: d, .. } | CacheMsg::Fill { data: d, .. } => data(d),
            CacheMsg::PutM { .. } | CacheMsg::WriteThrough { .. } => 64,
            CacheMsg::Request { .. } | CacheMsg::Response { .. } => 48,
            _ => 0,
        }
    }
}

/// Commands from outside: a console (or benchmark) client asks node `target`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CacheCmd {
    Request { target: ActorId, op: CacheOp },
}

/// One row of the transaction log (what the Cache tab's log and the checker read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TxnRecord {
    pub key: String,
    pub requester: ActorId,
    pub proc: ProcAction,
    /// None: a hit (no bus transaction), or a silent eviction.
    pub bus: Option<BusOp>,
    /// Every node whose state changed or was asked: (node, before, after).
    pub transitions: Vec<(ActorId, LineState, LineState)>,
    pub supplier: Supplier,
    /// Memory's version before and after (a write-back changes it).
    pub memory_before: Option<u64>,
    pub memory_after: Option<u64>,
    /// The value read or written, if any.
    pub value: Option<String>,
}

/// What a node records, in order; the checker replays it and the Cache tab shows the `Txn`s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RecordKind {
    Txn(TxnRecord),
    /// A read served to a client: the version it returned (0: no such key).
    Read {
        key: String,
        version: u64,
        value: String,
    },
    /// A write performed in this cache (in M).
    Write {
        key: String,
        version: u64,
        value: String,
    },
    /// A write acknowledged to its client.
    Ack {
        key: String,
        version: u64,
    },
    /// A reset put this value in memory (version 1).
    Memory {
        key: String,
        value: String,
    },
    /// The home found that `node` lost its dirty copy in a crash: memory's version survives.
    Lost {
        key: String,
        node: ActorId,
        memory: Option<(u64, String)>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub t: crate::base::Time,
    /// Per node, from 1, never reset (not even by a crash: the log is what the user saw).
    pub seq: u64,
    pub node: ActorId,
    pub kind: RecordKind,
}
