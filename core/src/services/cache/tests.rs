//! Scenario tests from REFERENCES §5 (cache): the Table 1.3 stream under MESI and MOESI step by
//! step (states, bus transaction, supplier, write-backs), the silent E → M upgrade, S → M by
//! BusUpgr, eviction and expiry write-backs, the statistics identities, crash semantics
//! (write-back window vs write-through), an unreachable home, and the console on the
//! playground's world.

use super::msg::{RecordKind, Supplier, TxnRecord};
use super::presets::{bare_world, run_op, setup, side_by_side, steps, totals, Preset};
use super::protocol::{BusOp, LineState, Protocol, Supply};
use super::*;
use crate::base::{MS, SEC};
use crate::sim::{Action, Sim};

fn world(protocol: Protocol, capacity: usize) -> Sim<CacheActor> {
    let cfg = CacheConfig {
        protocol,
        capacity,
        ..CacheConfig::default()
    };
    bare_world(3, 4, &cfg).unwrap()
}

fn letters(sim: &Sim<CacheActor>, key: &str) -> String {
    (0..3)
        .map(|i| sim.actor(i).store().state(key).letter())
        .collect::<Vec<_>>()
        .join("")
}

/// The newest processor transaction (not an eviction) of every node's log.
fn last_txn(sim: &Sim<CacheActor>) -> TxnRecord {
    let mut all: Vec<_> = (0..4)
        .flat_map(|i| sim.actor(i).records().iter().cloned())
        .collect();
    all.sort_by_key(|r| (r.t, r.node, r.seq));
    all.into_iter()
        .rev()
        .find_map(|r| match r.kind {
            RecordKind::Txn(t) if matches!(t.proc, ProcAction::PrRd | ProcAction::PrWr) => Some(t),
            _ => None,
        })
        .unwrap()
}

use super::msg::ProcAction;

fn supplier(t: &TxnRecord) -> String {
    match t.supplier {
        Supplier::None => "-".into(),
        Supplier::Memory => "Mem".into(),
        Supplier::Cache { node, supply } => format!("P{} {}", node + 1, supply.name()),
    }
}

fn replay(protocol: Protocol, want: &[(&str, &str, Option<BusOp>, &str)]) -> Sim<CacheActor> {
    let mut sim = world(protocol, 8);
    let setup = setup(Preset::Table13, 4, protocol, false);
    assert!(run_op(&mut sim, 0, setup).is_some());
    let steps = steps(Preset::Table13, 4);
    let key = steps[0].op.key().unwrap().to_string();
    assert_eq!(sim.actor(0).home_of(&key), 3, "the line's home is n4");
    for (s, (label, states, bus, sup)) in steps.iter().zip(want) {
        assert_eq!(&s.label, label);
        let r = run_op(&mut sim, s.node, s.op.clone()).unwrap();
        assert!(!matches!(r, CacheReply::Error { .. }), "{label}: {r:?}");
        assert_eq!(letters(&sim, &key), *states, "{protocol:?} after {label}");
        let t = last_txn(&sim);
        assert_eq!(t.bus, *bus, "{protocol:?} {label} bus");
        assert_eq!(supplier(&t), *sup, "{protocol:?} {label} supplier");
        check::check_states(&sim, 4).unwrap();
    }
    let (v, verdict) = check::ValueChecker::replay(&sim, 4, false);
    verdict.unwrap();
    assert!(v.reads >= 4 && v.lost == 0, "{v:?}");
    sim
}

#[test]
fn table_1_3_mesi_every_step() {
    use BusOp::*;
    let sim = replay(
        Protocol::Mesi,
        &[
            ("R1", "EII", Some(BusRd), "Mem"),
            ("W1", "MII", None, "-"),
            ("R3", "SIS", Some(BusRd), "P1 Flush"),
            ("W3", "IIM", Some(BusUpgr), "-"),
            ("R1", "SIS", Some(BusRd), "P3 Flush"),
            ("R3", "SIS", None, "-"),
            ("R2", "SSS", Some(BusRd), "P1 FlushOpt"),
        ],
    );
    assert_eq!(totals(&sim, 4).write_backs, 2, "MESI writes back twice");
}

#[test]
fn table_1_3_moesi_ends_s_s_o_without_write_backs() {
    use BusOp::*;
    let sim = replay(
        Protocol::Moesi,
        &[
            ("R1", "EII", Some(BusRd), "Mem"),
            ("W1", "MII", None, "-"),
            ("R3", "OIS", Some(BusRd), "P1 Flush"),
            ("W3", "IIM", Some(BusUpgr), "-"),
            ("R1", "SIO", Some(BusRd), "P3 Flush"),
            ("R3", "SIO", None, "-"),
            ("R2", "SSO", Some(BusRd), "P3 Flush"),
        ],
    );
    assert_eq!(
        totals(&sim, 4).write_backs,
        0,
        "MOESI never writes back here"
    );
}

#[test]
fn side_by_side_shows_the_write_backs_moesi_saves() {
    let runs = side_by_side(Preset::Table13);
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].stats.write_backs, 2);
    assert_eq!(runs[1].stats.write_backs, 0);
    assert_eq!(runs[0].final_states, ["S", "S", "S"]);
    assert_eq!(runs[1].final_states, ["S", "S", "O"]);
    // The page asks a lab worker by the preset's key and reads the runs back from JSON.
    let json = super::presets::side_by_side_by_key(Preset::Table13.key()).unwrap();
    let back: Vec<super::presets::SideRun> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, runs);
    assert!(json.contains(r#""protocol":"MOESI""#), "{json}");
    assert_eq!(
        super::presets::side_by_side_by_key("nope"),
        Err("unknown preset `nope`".into())
    );
}

#[test]
fn silent_upgrade_e_to_m_makes_no_bus_transaction() {
    let mut sim = world(Protocol::Mesi, 8);
    let key = steps(Preset::Table13, 4)[0].op.key().unwrap().to_string();
    run_op(
        &mut sim,
        0,
        setup(Preset::Table13, 4, Protocol::Mesi, false),
    );
    run_op(&mut sim, 0, CacheOp::Get { key: key.clone() }).unwrap();
    let before = totals(&sim, 4);
    let r = run_op(
        &mut sim,
        0,
        CacheOp::Set {
            key: key.clone(),
            value: "w".into(),
            ttl_ms: 60_000,
        },
    )
    .unwrap();
    assert!(matches!(r, CacheReply::Written { version: 2, .. }), "{r:?}");
    let after = totals(&sim, 4);
    assert_eq!(after.messages, before.messages, "E → M is silent");
    assert_eq!(letters(&sim, &key), "MII");
}

#[test]
fn s_to_m_is_a_bus_upgr_that_invalidates_every_other_copy() {
    for protocol in [Protocol::Mesi, Protocol::Moesi] {
        let mut sim = world(protocol, 8);
        let key = steps(Preset::Table13, 4)[0].op.key().unwrap().to_string();
        run_op(&mut sim, 0, setup(Preset::Table13, 4, protocol, false));
        for n in 0..3 {
            run_op(&mut sim, n, CacheOp::Get { key: key.clone() }).unwrap();
        }
        assert_eq!(letters(&sim, &key), "SSS");
        let set = CacheOp::Set {
            key: key.clone(),
            value: "w".into(),
            ttl_ms: 60_000,
        };
        run_op(&mut sim, 1, set).unwrap();
        assert_eq!(last_txn(&sim).bus, Some(BusOp::BusUpgr));
        assert_eq!(letters(&sim, &key), "IMI");
        assert_eq!(totals(&sim, 4).invalidations, 2);
    }
}

#[test]
fn lru_eviction_of_m_writes_back_once_and_e_s_leave_silently() {
    let mut sim = world(Protocol::Mesi, 2);
    let set = |k: &str, v: &str| CacheOp::Set {
        key: k.into(),
        value: v.into(),
        ttl_ms: 60_000,
    };
    run_op(&mut sim, 0, set("a", "1")).unwrap();
    run_op(&mut sim, 0, set("b", "2")).unwrap();
    run_op(&mut sim, 0, set("c", "3")).unwrap(); // evicts a (M): one write-back
    let t = totals(&sim, 4);
    assert_eq!((t.evictions, t.write_backs), (1, 1), "{t:?}");
    assert_eq!(sim.actor(0).store().state("a"), LineState::I);
    let home = sim.actor(0).home_of("a");
    let mem = sim.actor(home).home_lines()["a"].memory.clone().unwrap();
    assert_eq!((mem.value.as_str(), mem.version), ("1", 1));
    // Read a back elsewhere: memory supplies it; E/S victims later leave without traffic.
    let r = run_op(&mut sim, 1, CacheOp::Get { key: "a".into() }).unwrap();
    assert!(
        matches!(r, CacheReply::Value { ref value, .. } if value == "1"),
        "{r:?}"
    );
    run_op(&mut sim, 1, CacheOp::Get { key: "b".into() }).unwrap();
    let before = totals(&sim, 4);
    run_op(&mut sim, 1, CacheOp::Get { key: "zz".into() }).unwrap(); // 404: nothing installed
    run_op(&mut sim, 1, set("d", "4")).unwrap(); // evicts a (E at n2) silently
    let after = totals(&sim, 4);
    assert_eq!(after.write_backs, before.write_backs, "{after:?}");
    assert_eq!(after.evictions, before.evictions + 1);
    let (_, verdict) = check::ValueChecker::replay(&sim, 4, false);
    verdict.unwrap();
}

#[test]
fn ttl_expiry_writes_back_like_an_eviction_and_is_counted_apart() {
    let mut sim = world(Protocol::Mesi, 8);
    let op = CacheOp::Set {
        key: "t".into(),
        value: "1".into(),
        ttl_ms: 100,
    };
    run_op(&mut sim, 0, op).unwrap();
    sim.run_for(300 * MS);
    assert_eq!(sim.actor(0).store().state("t"), LineState::I);
    let t = totals(&sim, 4);
    assert_eq!(
        (t.expirations, t.evictions, t.write_backs),
        (1, 0, 1),
        "{t:?}"
    );
    let r = run_op(&mut sim, 2, CacheOp::Get { key: "t".into() }).unwrap();
    assert!(matches!(r, CacheReply::Value { version: 1, .. }), "{r:?}");
}

#[test]
fn stats_identities_hold() {
    let mut sim = world(Protocol::Moesi, 3);
    for (i, s) in steps(Preset::ProducerConsumer, 4).iter().enumerate() {
        run_op(&mut sim, s.node, s.op.clone()).unwrap();
        run_op(
            &mut sim,
            i % 3,
            CacheOp::Get {
                key: format!("o{i}"),
            },
        )
        .unwrap();
    }
    let t = totals(&sim, 4);
    assert_eq!(t.hits + t.misses, t.reads + t.writes, "{t:?}");
    let r = run_op(&mut sim, 1, CacheOp::Stats).unwrap();
    let CacheReply::Stats { stats, .. } = r else {
        panic!("{r:?}")
    };
    assert_eq!(*stats, *sim.actor(1).stats());
    let (_, body) = api::render(&CacheReply::Stats {
        node: 1,
        total_entries: 2,
        stats,
    });
    for f in [
        "total_entries",
        "hit_rate",
        "miss_rate",
        "evictions",
        "write_backs",
    ] {
        assert!(body.get(f).is_some(), "{f} in {body}");
    }
}

fn crash_owner_after_write(write_through: bool) -> (Sim<CacheActor>, String) {
    let cfg = CacheConfig {
        write_through,
        ..CacheConfig::default()
    };
    let mut sim = bare_world(5, 4, &cfg).unwrap();
    let key = steps(Preset::Table13, 4)[0].op.key().unwrap().to_string();
    run_op(
        &mut sim,
        0,
        setup(Preset::Table13, 4, Protocol::Mesi, write_through),
    );
    let w = CacheOp::Set {
        key: key.clone(),
        value: "w1".into(),
        ttl_ms: 60_000,
    };
    let r = run_op(&mut sim, 0, w).unwrap();
    assert!(matches!(r, CacheReply::Written { .. }), "{r:?}");
    sim.apply(Action::Crash { node: 0 }).unwrap();
    sim.run_for(100 * MS);
    sim.apply(Action::Restart { node: 0 }).unwrap();
    sim.run_for(100 * MS);
    (sim, key)
}

#[test]
fn a_crashed_m_owner_loses_its_write_and_the_checker_counts_it() {
    let (mut sim, key) = crash_owner_after_write(false);
    let r = run_op(&mut sim, 1, CacheOp::Get { key: key.clone() }).unwrap();
    assert!(
        matches!(r, CacheReply::Value { ref value, .. } if value == "0"),
        "memory's value survives: {r:?}"
    );
    let (v, verdict) = check::ValueChecker::replay(&sim, 4, false);
    verdict.unwrap();
    assert_eq!((v.lost, v.lost_acked), (1, 1), "{v:?}");
    check::check_states(&sim, 4).unwrap();
    // The transaction log names the outcome, with memory's surviving value.
    let rows: Vec<_> = (0..4)
        .flat_map(|i| sim.actor(i).records().iter())
        .filter_map(super::view::log_row)
        .filter(|r| r.bus == check::LOST_IN_WINDOW)
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].processor.as_str(), rows[0].value.as_str()),
        ("n1 crashed", "0")
    );
}

#[test]
fn write_through_closes_the_window() {
    let (mut sim, key) = crash_owner_after_write(true);
    let r = run_op(&mut sim, 1, CacheOp::Get { key: key.clone() }).unwrap();
    assert!(
        matches!(r, CacheReply::Value { ref value, .. } if value == "w1"),
        "{r:?}"
    );
    let (v, verdict) = check::ValueChecker::replay(&sim, 4, false);
    verdict.unwrap();
    assert_eq!(v.lost, 0, "{v:?}");
}

#[test]
fn an_unreachable_home_gives_504_not_a_stale_value() {
    let mut sim = world(Protocol::Mesi, 8);
    let key = steps(Preset::Table13, 4)[0].op.key().unwrap().to_string();
    run_op(
        &mut sim,
        0,
        setup(Preset::Table13, 4, Protocol::Mesi, false),
    );
    sim.apply(Action::Isolate { node: 3 }).unwrap();
    let r = run_op(&mut sim, 0, CacheOp::Get { key }).unwrap();
    let CacheReply::Error { status, message } = r else {
        panic!("{r:?}")
    };
    assert_eq!(status, 504);
    assert!(
        message.contains("n4") && message.contains("BusRd"),
        "{message}"
    );
    let _ = SEC;
}

#[test]
fn the_playground_console_reaches_the_cache_and_rejects_bad_input() {
    use crate::playground::{Playground, PlaygroundConfig, Sent};
    let mut pg = Playground::new(PlaygroundConfig::default()).unwrap();
    pg.advance(SEC);
    let set = r#"POST /cache/set {"key":"x","value":"hello","ttl":60}"#;
    let Sent::Accepted {
        client,
        ticket,
        line,
    } = pg.send("A", "n2", set, true)
    else {
        panic!()
    };
    assert_eq!(
        pg.exchange(&client, ticket, &line).unwrap().status,
        Some(200)
    );
    let get = "GET /cache/get?key=x";
    let Sent::Accepted {
        client,
        ticket,
        line,
    } = pg.send("B", "n3", get, true)
    else {
        panic!()
    };
    let e = pg.exchange(&client, ticket, &line).unwrap();
    assert_eq!(e.status, Some(200), "{e:?}");
    assert!(e.body.unwrap().contains("\"cache_state\": \"S\""));
    let bad = pg.send("A", "n1", r#"POST /cache/set {"key":"x"}"#, true);
    assert!(
        matches!(bad, Sent::Rejected { status: 400, ref message, .. } if message.starts_with("value")),
        "{bad:?}"
    );
    assert!(pg
        .invariants()
        .iter()
        .filter(|l| l.service == "cache")
        .all(|l| l.ok));
    let _ = (Supply::None, LineState::I);
}

#[test]
fn a_long_paused_home_resumes_its_transactions() {
    let mut sim = world(Protocol::Mesi, 8);
    let key = steps(Preset::Table13, 4)[0].op.key().unwrap().to_string();
    run_op(
        &mut sim,
        0,
        setup(Preset::Table13, 4, Protocol::Mesi, false),
    );
    run_op(&mut sim, 0, CacheOp::Get { key: key.clone() }).unwrap();
    sim.apply(Action::Pause { node: 3 }).unwrap();
    let r = run_op(&mut sim, 1, CacheOp::Get { key: key.clone() });
    assert!(
        matches!(r, Some(CacheReply::Error { status: 504, .. })),
        "{r:?}"
    );
    sim.run_for(5 * SEC);
    sim.apply(Action::Resume { node: 3 }).unwrap();
    sim.run_for(SEC);
    assert!(sim.actor(3).home_lines()[&key].busy.is_none());
    let r = run_op(&mut sim, 2, CacheOp::Get { key: key.clone() }).unwrap();
    assert!(matches!(r, CacheReply::Value { .. }), "{r:?}");
}

/// The reasons the Table 1.3 stream produces, in order (REFERENCES §1.2/§1.3): the bus op and
/// its consequence in words, under MESI and MOESI.
fn stream_reasons(protocol: Protocol) -> Vec<crate::sim::Reason> {
    let mut sim = world(protocol, 8);
    run_op(&mut sim, 0, setup(Preset::Table13, 4, protocol, false));
    let from = sim.trace().total();
    let stream = steps(Preset::Table13, 4);
    for s in &stream {
        run_op(&mut sim, s.node, s.op.clone()).unwrap();
    }
    // Then invalidate the line everywhere.
    let key = stream[0].op.key().unwrap().to_string();
    run_op(&mut sim, 1, CacheOp::Invalidate { key }).unwrap();
    let label = |i: u64| format!("n{}", i + 1);
    sim.trace()
        .iter()
        .filter(|e| e.seq >= from)
        .filter_map(|e| match e.note {
            Some(crate::sim::Note::Why(w)) => super::reasons::describe(&w, &label),
            _ => None,
        })
        .collect()
}

#[test]
fn table_1_3_reasons_under_mesi_and_moesi() {
    let mesi = stream_reasons(Protocol::Mesi);
    let codes: Vec<&str> = mesi.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [
            "bus-rd",
            "silent-upgrade",
            "bus-rd",
            "bus-upgr",
            "bus-rd",
            "cache-hit",
            "bus-rd",
            "cache-invalidate"
        ],
        "{mesi:#?}"
    );
    assert!(mesi[0]
        .text
        .contains("no other cache holds it, so it loads it in E; memory supplies"));
    assert!(mesi[1].text.contains("n1 writes a line it holds in E"));
    assert!(mesi[2]
        .text
        .contains("n1 supplies the data (Flush) and goes M→S, and memory is updated"));
    assert_eq!(
        mesi[3].text,
        "BusUpgr: n3 writes a line it holds in S, so n1's copy becomes I"
    );
    assert!(mesi[4]
        .text
        .contains("n3 supplies the data (Flush) and goes M→S, and memory is updated"));
    assert!(
        mesi[7].text.starts_with(
            "n2 invalidates the line (POST /cache/invalidate): n1's, n2's and n3's copies become I"
        ) || mesi[7].text.contains("copies become I"),
        "{}",
        mesi[7].text
    );
    let moesi = stream_reasons(Protocol::Moesi);
    assert!(
        moesi[2]
            .text
            .contains("n1 supplies the data (Flush) and goes M→O, memory is not written"),
        "{}",
        moesi[2].text
    );
    assert!(
        moesi[4]
            .text
            .contains("n3 supplies the data (Flush) and goes M→O"),
        "{}",
        moesi[4].text
    );
}

#[test]
fn console_bodies_name_the_bad_field_first() {
    let message = |line: &str| super::api::parse(line).unwrap_err().message;
    for (line, want) in [
        (
            r#"POST /cache/set {"key":"x","value":1,"tll":5}"#,
            "tll: unknown field (expected one of key, value, ttl)",
        ),
        (
            r#"POST /cache/set {"key":"x","value":null}"#,
            "value: missing",
        ),
        (
            r#"POST /cache/set {"key":3,"value":1}"#,
            "key: must be a string, got 3",
        ),
        (
            r#"POST /cache/set ["x",1,5]"#,
            "body: expected a JSON object",
        ),
        (
            r#"POST /cache/set {"key":"x","#,
            "body: invalid JSON (expected a string key",
        ),
        (r#"POST /cache/invalidate {}"#, "key: missing"),
        (
            r#"POST /cache/reset {"write_through":"yes"}"#,
            "write_through: expected true or false",
        ),
    ] {
        let m = message(line);
        assert!(m.starts_with(want), "{line}: {m}");
    }
    // `null` is an absent field, as serde's `Option` read it: here the default ttl.
    assert!(matches!(
        super::api::parse(r#"POST /cache/set {"key":"x","value":1,"ttl":null}"#),
        Ok(CacheOp::Set {
            ttl_ms: 3_600_000,
            ..
        })
    ));
}
