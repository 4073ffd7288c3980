//! Per-node clocks: `Ctx::now` is the node's reading, timers count local time, settings are an
//! action (validated, traced, serialisable), and perfect clocks change nothing.

use syncsim_core::sim::echo::{echo_sim, golden_scenario};
use syncsim_core::sim::{Action, ClockModel, FaultKind, LinkConfig, TraceKind, MS, SEC};

use crate::probe::{probe_sim, PCmd};

fn set(node: usize, offset_us: i64, drift_ppm: i64) -> Action<PCmd> {
    Action::SetClock {
        node,
        clock: ClockModel {
            offset_us,
            drift_ppm,
        },
    }
}

#[test]
fn now_is_the_local_reading_and_timers_count_local_time() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(MS), 0);
    // n1: 40 ms ahead and 10 % fast; n2 perfect.
    sim.apply(set(0, 40 * MS as i64, 100_000)).unwrap();
    sim.run_until(SEC);
    assert_eq!(sim.local_time(0), SEC + 40 * MS + 100 * MS);
    assert_eq!(sim.local_time(1), SEC);
    for to in [0, 1] {
        let timer = PCmd::Timer {
            kind: 0,
            after: 110 * MS,
        };
        sim.apply(Action::Command { to, cmd: timer }).unwrap();
    }
    sim.run_until(2 * SEC);
    // 110 ms of a 10 % fast clock pass in 100 ms of true time; the node reads its own clock.
    let fired = |id: usize| sim.actor(id).fired[0].1;
    assert_eq!(fired(0), SEC + 140 * MS + 110 * MS, "n1's reading");
    assert_eq!(sim.real_time(0, fired(0)), SEC + 100 * MS, "true time");
    assert_eq!(fired(1), SEC + 110 * MS);
    let timers: Vec<u64> = sim
        .trace()
        .iter()
        .filter(|e| e.kind == TraceKind::Timer)
        .map(|e| e.t)
        .collect();
    assert_eq!(
        timers,
        [SEC + 100 * MS, SEC + 110 * MS],
        "the trace keeps true time"
    );
}

#[test]
fn a_clock_setting_is_a_traced_fault_and_bad_settings_change_nothing() {
    let mut sim = probe_sim(2, 1, LinkConfig::constant(MS), 0);
    sim.run_until(10 * MS);
    let before = sim.trace_hash();
    let err = sim.apply(set(0, 0, 900_000)).unwrap_err();
    assert!(err.0.contains("drift 900000 ppm"), "{err}");
    let err = sim.apply(set(7, 0, 0)).unwrap_err();
    assert!(err.0.contains("unknown node id 7"), "{err}");
    assert_eq!(sim.trace_hash(), before, "refused actions leave no trace");
    // Clients have clocks too.
    sim.apply(set(2, -5 * MS as i64, -200)).unwrap();
    let e = sim.trace().iter().last().unwrap().clone();
    assert_eq!(e.fault, Some(FaultKind::SetClock));
    assert_eq!(
        (e.actor, e.value as i64, e.msg_id as i64),
        (2, -5_000, -200)
    );
    assert_eq!(
        sim.clock(2),
        ClockModel {
            offset_us: -5_000,
            drift_ppm: -200
        }
    );
    // Set back: the reading holds still instead of going backwards.
    assert_eq!(sim.local_time(2), 10 * MS);
    sim.run_until(12 * MS);
    assert_eq!(sim.local_time(2), 10 * MS);
}

#[test]
fn perfect_clocks_set_explicitly_leave_the_golden_trace_unchanged() {
    let plain = golden_scenario();
    let mut a = echo_sim(42);
    let mut b = echo_sim(42);
    for node in 0..5 {
        b.apply(Action::SetClock {
            node,
            clock: ClockModel::PERFECT,
        })
        .unwrap();
    }
    a.run_until(2 * SEC);
    b.run_until(2 * SEC);
    // Only the five SetClock trace events differ; the events after them are the same.
    let tail = |s: &syncsim_core::sim::Sim<_>| -> Vec<(u64, TraceKind, usize)> {
        s.trace()
            .iter()
            .filter(|e| e.kind != TraceKind::Fault)
            .map(|e| (e.t, e.kind, e.actor))
            .collect()
    };
    assert_eq!(tail(&a), tail(&b));
    assert_eq!(golden_scenario(), plain);
}

#[test]
fn skewed_clocks_change_the_run_deterministically() {
    let run = || {
        let mut s = echo_sim(42);
        s.apply(Action::SetClock {
            node: 1,
            clock: ClockModel {
                offset_us: 3 * MS as i64,
                drift_ppm: 20_000,
            },
        })
        .unwrap();
        s.run_until(SEC);
        s.trace_hash()
    };
    let mut plain = echo_sim(42);
    plain.run_until(SEC);
    assert_eq!(run(), run());
    assert_ne!(
        run(),
        plain.trace_hash(),
        "a 2 % fast clock changes when n2 pings"
    );
}

#[test]
fn old_actions_still_deserialize_and_set_clock_round_trips() {
    let old: Action<PCmd> = serde_json::from_str(r#"{"Crash":{"node":1}}"#).unwrap();
    assert_eq!(old, Action::Crash { node: 1 });
    let a = set(3, -20_000, 150);
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(
        json,
        r#"{"SetClock":{"node":3,"clock":{"offset_us":-20000,"drift_ppm":150}}}"#
    );
    assert_eq!(serde_json::from_str::<Action<PCmd>>(&json).unwrap(), a);
}
