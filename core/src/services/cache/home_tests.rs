//! The home's handlers called directly (sans I/O): which write-backs may change memory.
//!
//! Fuzz seed 9698 found the bug these pin down. n2 handed its M copy (version 16) to n3, whose
//! BusRdX took it; n3 wrote 17 and crashed, and the home recorded the write lost in the
//! write-back window (memory kept version 5). n1 then wrote 6..9 and wrote 9 back. n2's
//! handed-off copy, still being retransmitted as a write-back, finally arrived: 16 > 9, so
//! memory took it, and the next writer built on a value from before the loss ("wrote version
//! 17 but the latest was 9"). After a loss, versions restart from memory's, so a version alone
//! cannot tell an old copy from a new one; the directory's grant (boot, transaction) can.

use crate::base::sorted::SortedMap;

use super::actor::{CacheActor, CacheConfig, CacheDurable};
use super::home::{HomeLine, Txn};
use super::msg::{CacheMsg, ProcAction, Supplier};
use super::protocol::{BusOp, LineState};
use super::store::Data;
use crate::base::SimRng;
use crate::sim::{Actor, ActorId, Ctx, Effect};

const HOME: ActorId = 0;
const N2: ActorId = 1;

fn data(value: &str, version: u64) -> Data {
    Data {
        value: value.into(),
        version,
        ttl_ms: 60_000,
    }
}

/// A home (n1 of two servers) with one line homed at it: memory at version 9, and `dir`.
fn home_with(dir: &[(ActorId, (LineState, u64, u64))]) -> (CacheActor, String) {
    let mut home = CacheActor::server(HOME, vec![0, 1], CacheConfig::default());
    let key = (0..64)
        .map(|i| format!("k{i}"))
        .find(|k| home.home_of(k) == HOME)
        .expect("some key is homed at n1");
    let line = HomeLine {
        memory: Some(data("newest", 9)),
        dir: std::sync::Arc::new(dir.iter().copied().collect::<SortedMap<_, _>>()),
        next_txn: 12,
        ..HomeLine::default()
    };
    home.home.insert(key.clone(), line);
    (home, key)
}

type Effects = Vec<Effect<CacheMsg, super::actor::CacheDurableOp>>;

/// Deliver `msg` from n2 to the home; returns what the home did.
fn deliver(home: &mut CacheActor, msg: CacheMsg) -> Effects {
    let mut rng = SimRng::new(1);
    let mut out = Vec::new();
    let durable = CacheDurable::default();
    let mut ctx = Ctx {
        now: 1_000,
        me: HOME,
        rng: &mut rng,
        durable: &durable,
        out: &mut out,
        notes: true,
    };
    home.on_message(&mut ctx, N2, msg);
    out
}

/// A write-back from n2 naming grant `(boot, transaction)`.
fn put(
    home: &mut CacheActor,
    key: &str,
    d: Data,
    reason: ProcAction,
    grant: (u64, u64),
) -> Effects {
    let msg = CacheMsg::PutM {
        epoch: 0,
        key: key.into(),
        data: d,
        reason,
        boot: grant.0,
        txn: grant.1,
    };
    deliver(home, msg)
}

fn memory(home: &CacheActor, key: &str) -> (String, u64) {
    let m = home.home_lines()[key].memory.clone().expect("memory");
    (m.value.to_string(), m.version)
}

fn acked(effects: &Effects, version: u64) -> bool {
    effects.iter().any(|e| {
        matches!(e, Effect::Send { to: N2, msg: CacheMsg::PutAck { version: v, .. } } if *v == version)
    })
}

#[test]
fn a_write_back_from_a_grant_the_directory_no_longer_holds_leaves_memory_alone() {
    // n2 holds nothing now (its grant was transaction 3, long gone); its old copy is numbered
    // above memory's because the versions restarted after a loss.
    let (mut home, key) = home_with(&[]);
    let out = put(
        &mut home,
        &key,
        data("from before the loss", 16),
        ProcAction::PrRd,
        (1, 3),
    );
    assert_eq!(memory(&home, &key), ("newest".into(), 9));
    assert!(
        acked(&out, 16),
        "acknowledged, so that n2 stops resending: {out:?}"
    );
    assert_eq!(home.stats().write_backs, 0);
    // Nor when n2 holds a later grant: its write-back names the old one.
    let (mut home, key) = home_with(&[(N2, (LineState::S, 1, 11))]);
    put(
        &mut home,
        &key,
        data("from before the loss", 16),
        ProcAction::PrRd,
        (1, 3),
    );
    assert_eq!(memory(&home, &key), ("newest".into(), 9));
}

#[test]
fn the_granted_owner_writes_back_on_eviction() {
    // M granted by transaction 11 (and E, upgraded to M without a bus transaction).
    for state in [LineState::M, LineState::E] {
        let (mut home, key) = home_with(&[(N2, (state, 1, 11))]);
        let out = put(
            &mut home,
            &key,
            data("evicted", 10),
            ProcAction::Evict,
            (1, 11),
        );
        assert_eq!(memory(&home, &key), ("evicted".into(), 10), "{state:?}");
        assert!(acked(&out, 10));
        assert_eq!(home.stats().write_backs, 1);
    }
    // The same grant from an earlier boot is not this copy.
    let (mut home, key) = home_with(&[(N2, (LineState::M, 2, 11))]);
    put(
        &mut home,
        &key,
        data("old boot", 10),
        ProcAction::Evict,
        (1, 11),
    );
    assert_eq!(memory(&home, &key), ("newest".into(), 9));
}

/// The second half of the same fix. A refused upgrade (the requester gave up waiting) leaves
/// it holding the O copy it had, filled by an older transaction; the directory used to list
/// it under the upgrade's transaction, so that copy's write-back, naming its own grant, was
/// refused and the only dirty data vanished (fuzz seeds 760, 7774: "memory has version 3, a
/// copy has 8, and no M or O copy owes the write-back").
#[test]
fn a_refused_upgrade_keeps_the_grant_its_copy_carries() {
    let (mut home, key) = home_with(&[(N2, (LineState::M, 1, 15))]);
    let line = home.home.get_mut(&key).expect("the line");
    // Transaction 15: n2's BusUpgr of its O copy (granted by transaction 7), filled M.
    line.busy = Some(std::sync::Arc::new(Txn {
        txn: 15,
        requester: N2,
        req: (1 << 32) | 4,
        req_boot: 1,
        bus: BusOp::BusUpgr,
        proc: ProcAction::PrWr,
        prev: LineState::O,
        asked: Vec::new(),
        waiting: Default::default(),
        best: None,
        supplier: Supplier::None,
        transitions: Vec::new(),
        write_memory: false,
        memory_before: Some(9),
        fill: Some((LineState::M, Some(data("owned", 12)))),
        started: 0,
        sent: 0,
        tries: 0,
        lost_from: None,
    }));
    let refused = CacheMsg::FillAck {
        epoch: 0,
        key: key.as_str().into(),
        txn: 15,
        accepted: false,
        holding: LineState::O,
        holding_grant: 7,
        boot: 1,
    };
    deliver(&mut home, refused);
    assert_eq!(
        home.home_lines()[&key].dir.get(&N2),
        Some(&(LineState::O, 1, 7))
    );
    // The O copy is evicted: its write-back names grant 7, and memory takes it.
    put(
        &mut home,
        &key,
        data("owned", 12),
        ProcAction::Evict,
        (1, 7),
    );
    assert_eq!(memory(&home, &key), ("owned".into(), 12));
    assert!(
        !home.home_lines()[&key].dir.contains_key(&N2),
        "the owner left"
    );
}
