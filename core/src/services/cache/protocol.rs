//! The coherence rules as pure functions: REFERENCES §1.2 (Illinois MESI, Wikipedia Tables
//! 1.1–1.2) and §1.3 (baseline MOESI: the owner stays O). The home's directory, the caches'
//! snoop handlers and the exhaustive model check (`model.rs`) all call these functions, so a
//! bug injected here (`Bug`) is one bug for all three, and the model check finds exactly the
//! bugs the running service has.

use serde::{Deserialize, Serialize};

/// The state of one line in one cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LineState {
    M,
    O,
    E,
    S,
    I,
}

impl LineState {
    pub const ALL: [LineState; 5] = [
        LineState::M,
        LineState::O,
        LineState::E,
        LineState::S,
        LineState::I,
    ];
    pub fn letter(self) -> &'static str {
        match self {
            LineState::M => "M",
            LineState::O => "O",
            LineState::E => "E",
            LineState::S => "S",
            LineState::I => "I",
        }
    }
    pub fn valid(self) -> bool {
        self != LineState::I
    }
    /// Owes a write-back: memory is stale while this copy exists.
    pub fn dirty(self) -> bool {
        matches!(self, LineState::M | LineState::O)
    }
    /// The only valid copy (M or E).
    pub fn exclusive(self) -> bool {
        matches!(self, LineState::M | LineState::E)
    }
    /// Answers a BusRd with the data (M, O, E: the "owner" the directory forwards to).
    pub fn owner(self) -> bool {
        matches!(self, LineState::M | LineState::O | LineState::E)
    }
}

/// Which table the caches follow; chosen per run (`POST /cache/reset`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protocol {
    #[default]
    #[serde(rename = "MESI")]
    Mesi,
    #[serde(rename = "MOESI")]
    Moesi,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Mesi => "MESI",
            Protocol::Moesi => "MOESI",
        }
    }
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_uppercase().as_str() {
            "MESI" => Some(Protocol::Mesi),
            "MOESI" => Some(Protocol::Moesi),
            _ => None,
        }
    }
}

/// A processor action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProcOp {
    PrRd,
    PrWr,
}

/// A bus request (carried as a request message to the line's home directory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BusOp {
    BusRd,
    BusRdX,
    BusUpgr,
}

impl BusOp {
    pub fn name(self) -> &'static str {
        match self {
            BusOp::BusRd => "BusRd",
            BusOp::BusRdX => "BusRdX",
            BusOp::BusUpgr => "BusUpgr",
        }
    }
}

/// How a snooping cache answers: nothing, `Flush` (dirty data; in MESI memory is written too)
/// or `FlushOpt` (a clean cache-to-cache transfer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Supply {
    None,
    Flush,
    FlushOpt,
}

impl Supply {
    pub fn name(self) -> &'static str {
        match self {
            Supply::None => "–",
            Supply::Flush => "Flush",
            Supply::FlushOpt => "FlushOpt",
        }
    }
}

/// The injectable protocol bugs (the Cache tab's "inject a bug" toggle, the model check, and
/// the mutation suite's cache mutants): each breaks one rule of the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bug {
    /// A sharer snooping BusUpgr stays S: the writer's M coexists with stale S copies.
    NoInvalidateOnBusUpgr,
    /// An M line is evicted silently: its dirty data never reaches memory.
    NoWriteBackOnMEviction,
    /// A read miss fills E even though another cache holds a copy (the S-signal ignored).
    FillExclusiveIgnoringSharers,
}

impl Bug {
    pub const ALL: [Bug; 3] = [
        Bug::NoInvalidateOnBusUpgr,
        Bug::NoWriteBackOnMEviction,
        Bug::FillExclusiveIgnoringSharers,
    ];
    /// Stable key (`data-bug`, `?bug=`).
    pub fn key(self) -> &'static str {
        match self {
            Bug::NoInvalidateOnBusUpgr => "no-invalidate-on-busupgr",
            Bug::NoWriteBackOnMEviction => "no-writeback-on-m-eviction",
            Bug::FillExclusiveIgnoringSharers => "fill-e-ignoring-sharers",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Bug::NoInvalidateOnBusUpgr => "forget to invalidate on BusUpgr",
            Bug::NoWriteBackOnMEviction => "no write-back on M eviction",
            Bug::FillExclusiveIgnoringSharers => "read miss fills E despite sharers",
        }
    }
    /// The rule the bug breaks, for students.
    pub fn rule(self) -> &'static str {
        match self {
            Bug::NoInvalidateOnBusUpgr => "S snooping BusUpgr must go to I (Table 1.2)",
            Bug::NoWriteBackOnMEviction => "an evicted M line must Flush to memory (Table 1.1)",
            Bug::FillExclusiveIgnoringSharers => {
                "I + PrRd goes to S when another cache has a copy (the S-signal, Table 1.1)"
            }
        }
    }
    pub fn parse(key: &str) -> Option<Bug> {
        Bug::ALL.into_iter().find(|b| b.key() == key)
    }
}

/// The bug the running service has: none, unless a mutant of the mutation suite is switched on
/// (`crate::mutants`, compiled out of release and browser builds).
pub fn mutant_bug() -> Option<Bug> {
    use crate::mutants::{active, Mutant};
    if active(Mutant::CacheNoInvalidateOnBusUpgr) {
        Some(Bug::NoInvalidateOnBusUpgr)
    } else if active(Mutant::CacheNoWriteBackOnMEviction) {
        Some(Bug::NoWriteBackOnMEviction)
    } else if active(Mutant::CacheFillExclusiveIgnoringSharers) {
        Some(Bug::FillExclusiveIgnoringSharers)
    } else {
        None
    }
}

/// The processor side (Table 1.1; MOESI adds O): a hit, with the state after it, or the bus
/// request a miss (or an S/O write) must make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcOutcome {
    Hit(LineState),
    Bus(BusOp),
}

pub fn on_processor(s: LineState, op: ProcOp) -> ProcOutcome {
    use LineState::*;
    match (s, op) {
        (I, ProcOp::PrRd) => ProcOutcome::Bus(BusOp::BusRd),
        (I, ProcOp::PrWr) => ProcOutcome::Bus(BusOp::BusRdX),
        (s, ProcOp::PrRd) => ProcOutcome::Hit(s),
        // E → M is silent: the point of E.
        (E | M, ProcOp::PrWr) => ProcOutcome::Hit(M),
        // S → M and (MOESI) O → M need the others invalidated first.
        (S | O, ProcOp::PrWr) => ProcOutcome::Bus(BusOp::BusUpgr),
    }
}

/// A snooping cache's answer (Table 1.2; the MOESI table's ★ rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snoop {
    pub next: LineState,
    pub supply: Supply,
    /// MESI's Flush also writes memory; MOESI's does not (ownership stays in a cache).
    pub write_memory: bool,
}

/// `supplier`: for a BusRd with no owner, the directory asks one sharer to supply the data
/// (Table 1.2 "S BusRd: optionally FlushOpt"; Table 1.3 step 7 names a sharer as supplier).
pub fn on_snoop(p: Protocol, s: LineState, bus: BusOp, supplier: bool, bug: Option<Bug>) -> Snoop {
    use LineState::*;
    let snoop = |next, supply, write_memory| Snoop {
        next,
        supply,
        write_memory,
    };
    let mesi = p == Protocol::Mesi;
    match (s, bus) {
        (I, _) => snoop(I, Supply::None, false),
        (E, BusOp::BusRd) => snoop(S, Supply::FlushOpt, false),
        // E + BusUpgr is impossible (E means no other copy); answer as BusRdX, defensively.
        (E, _) => snoop(I, Supply::FlushOpt, false),
        (S, BusOp::BusRd) => snoop(
            S,
            if supplier {
                Supply::FlushOpt
            } else {
                Supply::None
            },
            false,
        ),
        (S, BusOp::BusUpgr) if bug == Some(Bug::NoInvalidateOnBusUpgr) => {
            snoop(S, Supply::None, false)
        }
        (S, _) => snoop(I, Supply::None, false),
        (M, BusOp::BusRd) if mesi => snoop(S, Supply::Flush, true),
        (M, BusOp::BusRd) => snoop(O, Supply::Flush, false),
        (M, _) => snoop(I, Supply::Flush, mesi),
        (O, BusOp::BusRd) => snoop(O, Supply::Flush, false),
        (O, BusOp::BusRdX) => snoop(I, Supply::Flush, false),
        // The upgrader holds the same data in S and becomes the owner: no write-back (★).
        (O, BusOp::BusUpgr) => snoop(I, Supply::None, false),
    }
}

/// The requester's state once its bus request completes: I + PrRd fills S if any other cache
/// keeps a valid copy (the S-signal), else E; a write fills M.
pub fn fill_state(bus: BusOp, others_valid: bool, bug: Option<Bug>) -> LineState {
    match bus {
        BusOp::BusRd if others_valid && bug != Some(Bug::FillExclusiveIgnoringSharers) => {
            LineState::S
        }
        BusOp::BusRd => LineState::E,
        BusOp::BusRdX | BusOp::BusUpgr => LineState::M,
    }
}

/// What evicting (LRU) or expiring (TTL) a line does: M and O write back (Flush), E and S drop
/// silently.
pub fn writes_back_on_evict(s: LineState, bug: Option<Bug>) -> bool {
    match s {
        LineState::M => bug != Some(Bug::NoWriteBackOnMEviction),
        LineState::O => true,
        _ => false,
    }
}

/// Which caches the home's directory asks for a request, `(node, asked to supply)`: a BusRd
/// goes to the owner (M, O or E) if there is one, else to one sharer (the lowest-numbered) that
/// supplies with FlushOpt; BusRdX and BusUpgr go to every holder, which must invalidate.
/// `holders` are the other caches the directory lists, in node order.
pub fn snoop_targets(holders: &[(usize, LineState)], bus: BusOp) -> Vec<(usize, bool)> {
    let valid = || holders.iter().filter(|(_, s)| s.valid());
    match bus {
        BusOp::BusRd => {
            if let Some(&(n, _)) = valid().find(|(_, s)| s.owner()) {
                vec![(n, false)]
            } else {
                valid().take(1).map(|&(n, _)| (n, true)).collect()
            }
        }
        BusOp::BusRdX | BusOp::BusUpgr => valid().map(|&(n, _)| (n, false)).collect(),
    }
}

/// Whether the home writes a transaction's (newer) data to memory: a snooper's Flush says so
/// (MESI), or no cache owns the dirty data afterwards (it must not vanish).
pub fn memory_written(flush_writes: bool, requester_after: LineState, others_dirty: bool) -> bool {
    flush_writes || (!requester_after.dirty() && !others_dirty)
}

/// The compatibility matrix: may one line be in `a` in one cache and `b` in another?
/// MESI: M–I, E–I, S–S, S–I, I–I. MOESI adds O–S and O–I.
pub fn permitted_pair(p: Protocol, a: LineState, b: LineState) -> bool {
    use LineState::*;
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    match (x, y) {
        (M, I) | (E, I) | (S, S) | (S, I) | (I, I) => true,
        (O, S) | (O, I) => p == Protocol::Moesi,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::LineState::*;
    use super::*;

    #[test]
    fn processor_table_1_1() {
        assert_eq!(
            on_processor(I, ProcOp::PrRd),
            ProcOutcome::Bus(BusOp::BusRd)
        );
        assert_eq!(
            on_processor(I, ProcOp::PrWr),
            ProcOutcome::Bus(BusOp::BusRdX)
        );
        assert_eq!(on_processor(E, ProcOp::PrWr), ProcOutcome::Hit(M));
        assert_eq!(
            on_processor(S, ProcOp::PrWr),
            ProcOutcome::Bus(BusOp::BusUpgr)
        );
        assert_eq!(
            on_processor(O, ProcOp::PrWr),
            ProcOutcome::Bus(BusOp::BusUpgr)
        );
        for s in [M, O, E, S] {
            assert_eq!(on_processor(s, ProcOp::PrRd), ProcOutcome::Hit(s));
        }
    }

    #[test]
    fn snoop_tables_mesi_and_moesi() {
        let m = Protocol::Mesi;
        let o = Protocol::Moesi;
        let s = |p, st, bus| {
            let r = on_snoop(p, st, bus, false, None);
            (r.next, r.supply, r.write_memory)
        };
        assert_eq!(s(m, M, BusOp::BusRd), (S, Supply::Flush, true));
        assert_eq!(s(o, M, BusOp::BusRd), (O, Supply::Flush, false));
        assert_eq!(s(m, M, BusOp::BusRdX), (I, Supply::Flush, true));
        assert_eq!(s(o, O, BusOp::BusRd), (O, Supply::Flush, false));
        assert_eq!(s(o, O, BusOp::BusUpgr), (I, Supply::None, false));
        assert_eq!(s(m, E, BusOp::BusRd), (S, Supply::FlushOpt, false));
        assert_eq!(s(m, S, BusOp::BusUpgr), (I, Supply::None, false));
        assert_eq!(s(m, S, BusOp::BusRdX), (I, Supply::None, false));
        assert_eq!(s(m, I, BusOp::BusRdX), (I, Supply::None, false));
        let bugged = on_snoop(
            m,
            S,
            BusOp::BusUpgr,
            false,
            Some(Bug::NoInvalidateOnBusUpgr),
        );
        assert_eq!(bugged.next, S);
    }

    #[test]
    fn pair_matrix() {
        assert!(permitted_pair(Protocol::Mesi, S, S));
        assert!(permitted_pair(Protocol::Mesi, I, M));
        assert!(!permitted_pair(Protocol::Mesi, M, S));
        assert!(!permitted_pair(Protocol::Mesi, E, E));
        assert!(!permitted_pair(Protocol::Mesi, O, S));
        assert!(permitted_pair(Protocol::Moesi, S, O));
        assert!(!permitted_pair(Protocol::Moesi, O, O));
        assert!(!permitted_pair(Protocol::Moesi, O, E));
    }
}
