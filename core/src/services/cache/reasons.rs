//! Why a cache line changed state: each recorded transaction as a `sim::Why` (emitted by the
//! node that records it) and its words in bus terms, e.g. "BusUpgr: n2 writes a line it holds
//! in S, so n1's and n4's copies become I".

use super::msg::{ProcAction, Supplier, TxnRecord};
use super::protocol::{BusOp, LineState, Supply};
use crate::sim::{ActorId, Note, Reason, Why};

pub const TXN: u16 = 700;

const STATES: [LineState; 5] = [
    LineState::M,
    LineState::O,
    LineState::E,
    LineState::S,
    LineState::I,
];

fn st(s: LineState) -> u64 {
    STATES.iter().position(|&x| x == s).unwrap_or(4) as u64
}

/// The parts of a `TxnRecord` its reason reads: borrowed from a record, or from the
/// transaction itself when no record is built (a benchmark's caches log nothing, and building
/// a record copied the key, the value and the transitions on every access).
pub struct TxnFacts<'a> {
    pub requester: ActorId,
    pub proc: ProcAction,
    pub bus: Option<BusOp>,
    pub transitions: &'a [(ActorId, LineState, LineState)],
    pub supplier: Supplier,
    pub memory_before: Option<u64>,
    pub memory_after: Option<u64>,
}

impl TxnFacts<'_> {
    /// The record, with the key and the value it does not carry.
    pub fn record(&self, key: &str, value: Option<&str>) -> TxnRecord {
        TxnRecord {
            key: key.to_string(),
            requester: self.requester,
            proc: self.proc,
            bus: self.bus,
            transitions: self.transitions.to_vec(),
            supplier: self.supplier,
            memory_before: self.memory_before,
            memory_after: self.memory_after,
            value: value.map(str::to_string),
        }
    }
}

/// A record's reason (see `facts`).
pub fn txn(r: &TxnRecord) -> Note {
    facts(&TxnFacts {
        requester: r.requester,
        proc: r.proc,
        bus: r.bus,
        transitions: &r.transitions,
        supplier: r.supplier,
        memory_before: r.memory_before,
        memory_after: r.memory_after,
    })
}

/// Values: requester; bus (0 none, 1 BusRd, 2 BusRdX, 3 BusUpgr) | proc << 4; mask of the
/// other nodes that went to I; supplier (0 none, 1 memory, 2 + node); the requester's and the
/// supplier's state before and after (4 bits each), "memory written" (bit 16) and "supplied
/// by FlushOpt" (bit 17). An invalidation counts the requester's own copy among the others.
pub fn facts(r: &TxnFacts<'_>) -> Note {
    let bus = match r.bus {
        None => 0,
        Some(BusOp::BusRd) => 1,
        Some(BusOp::BusRdX) => 2,
        Some(BusOp::BusUpgr) => 3,
    };
    let proc = match r.proc {
        ProcAction::PrRd => 0,
        ProcAction::PrWr => 1,
        ProcAction::Invalidate => 2,
        ProcAction::Evict => 3,
        _ => 4,
    };
    let mut invalidated = 0u64;
    let (mut req, mut sup) = ((4, 4), (4, 4));
    let sup_node = match r.supplier {
        Supplier::Cache { node, .. } => Some(node),
        _ => None,
    };
    for &(n, before, after) in r.transitions {
        if n == r.requester && r.proc != ProcAction::Invalidate {
            req = (st(before), st(after));
        } else {
            if after == LineState::I && before != LineState::I {
                invalidated |= 1 << n.min(31);
            }
            if Some(n) == sup_node {
                sup = (st(before), st(after));
            }
        }
    }
    let supplier = match r.supplier {
        Supplier::None => 0,
        Supplier::Memory => 1,
        Supplier::Cache { node, .. } => 2 + node as u64,
    };
    let wrote = u64::from(r.memory_after != r.memory_before && r.memory_after.is_some());
    let opt = u64::from(matches!(
        r.supplier,
        Supplier::Cache {
            supply: Supply::FlushOpt,
            ..
        }
    ));
    let states = req.0 | req.1 << 4 | sup.0 << 8 | sup.1 << 12 | wrote << 16 | opt << 17;
    Note::Why(Why::new(
        TXN,
        [
            r.requester as u64,
            bus | proc << 4,
            invalidated,
            supplier,
            states,
        ],
    ))
}

fn letter(code: u64) -> &'static str {
    STATES.get(code as usize).map_or("?", |s| s.letter())
}

/// The sentence for a cache reason; `label` names a node id.
pub fn describe(w: &Why, label: &dyn Fn(u64) -> String) -> Option<Reason> {
    if w.code != TXN {
        return None;
    }
    let who = label(w.at(0));
    let (bus, proc) = (w.at(1) & 15, w.at(1) >> 4);
    let st = w.at(4);
    let (req_before, req_after) = (letter(st & 15), letter(st >> 4 & 15));
    let (sup_before, sup_after) = (letter(st >> 8 & 15), letter(st >> 12 & 15));
    let wrote = st >> 16 & 1 == 1;
    let flush = if st >> 17 & 1 == 1 {
        "FlushOpt"
    } else {
        "Flush"
    };
    let others: Vec<String> = (0..32)
        .filter(|i| w.at(2) >> i & 1 == 1)
        .map(|i| format!("{}'s", label(i)))
        .collect();
    let copies = match others.len() {
        0 => String::new(),
        1 => format!("{} copy becomes I", others[0]),
        _ => {
            let (last, first) = others.split_last().expect("two or more");
            format!("{} and {last} copies become I", first.join(", "))
        }
    };
    let supplier = match w.at(3) {
        0 => String::new(),
        1 => "memory supplies the data".to_string(),
        n => {
            let s = label(n - 2);
            let mem = if wrote {
                ", and memory is updated (a write-back)"
            } else {
                ", memory is not written"
            };
            let moved = if sup_before == sup_after {
                format!("stays {sup_after}")
            } else {
                format!("goes {sup_before}→{sup_after}")
            };
            format!("{s} supplies the data ({flush}) and {moved}{mem}")
        }
    };
    let join = |a: String, b: String| match (a.is_empty(), b.is_empty()) {
        (true, _) => b,
        (_, true) => a,
        _ => format!("{a}; {b}"),
    };
    let (code, text) = match (bus, proc) {
        (_, 2) => (
            "cache-invalidate",
            format!(
                "{who} invalidates the line (POST /cache/invalidate): {}{}",
                if copies.is_empty() { "no cached copy was left".into() } else { copies },
                if wrote { "; a dirty copy was written back to memory first" } else { "" }
            ),
        ),
        (3, _) => (
            "bus-upgr",
            format!(
                "BusUpgr: {who} writes a line it holds in {req_before}, so {}",
                if copies.is_empty() { "no other copy needs invalidating".into() } else { copies }
            ),
        ),
        (2, _) => (
            "bus-rdx",
            format!(
                "BusRdX: {who} writes a line it does not hold, so it fetches it for writing ({req_before}→{req_after}); {}",
                join(copies, supplier)
            ),
        ),
        (1, _) => {
            let why = if req_after == "E" {
                "no other cache holds it, so it loads it in E".to_string()
            } else {
                format!("another cache holds it, so it loads it in {req_after}")
            };
            ("bus-rd", format!("BusRd: {who} reads a line it does not hold: {why}; {supplier}"))
        }
        (0, 0) => (
            "cache-hit",
            format!("{who} reads a line it holds in {req_before}: a hit, no bus transaction"),
        ),
        (0, 1) => (
            "silent-upgrade",
            format!("{who} writes a line it holds in {req_before}: it is the only copy, so it goes {req_before}→{req_after} without a bus transaction"),
        ),
        (0, 3) => (
            "evict",
            format!("{who} evicts the line (LRU) from {req_before}{}", if wrote { ", writing it back to memory" } else { " silently" }),
        ),
        (0, _) => (
            "expire",
            format!("{who}'s copy expires (TTL) from {req_before}{}", if wrote { ", writing it back to memory" } else { " silently" }),
        ),
        _ => return None,
    };
    Some(Reason::new(code, text))
}
